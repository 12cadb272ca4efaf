from .views import access, entries, search

app_name = "schedule"
urlpatterns = [*search.urls, *entries.urls, *access.urls]

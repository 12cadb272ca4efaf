from .views import access, address_warnings, entries, search

app_name = "schedule"
urlpatterns = [*search.urls, *entries.urls, *access.urls, *address_warnings.urls]

from .views import items, meetings

app_name = "panel"
urlpatterns = [*meetings.urls, *items.urls]

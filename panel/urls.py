from .views import agenda, items, meetings, records

app_name = "panel"
urlpatterns = [*meetings.urls, *agenda.urls, *records.urls, *items.urls]

from .views import agenda, decisions, items, meetings, records, votes

app_name = "panel"
urlpatterns = [
    *meetings.urls,
    *agenda.urls,
    *records.urls,
    *items.urls,
    *decisions.urls,
    *votes.urls,
]

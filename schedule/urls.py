from .views import access, address_warnings, appeals, entries, reviews, search

app_name = "schedule"
urlpatterns = [
    *search.urls,
    *entries.urls,
    *access.urls,
    *address_warnings.urls,
    *appeals.urls,
    *reviews.urls,
]

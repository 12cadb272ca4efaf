from .views import access, address_warnings, appeals, entries, reviews, search, single_access

app_name = "schedule"
urlpatterns = [
    *search.urls,
    *entries.urls,
    *access.urls,
    *single_access.urls,
    *address_warnings.urls,
    *appeals.urls,
    *reviews.urls,
]

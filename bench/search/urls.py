"""The benchmark's URLconf: the app's own URLs, and the floor (``bench.search.floor``) beside
them. Used only while the benchmark runs (``override_settings(ROOT_URLCONF=...)``)."""

from django.urls import path

from ubpanel.urls import urlpatterns as app_urlpatterns

from .floor import floor

urlpatterns = [path("bench-floor/", floor, name="bench_search_floor"), *app_urlpatterns]

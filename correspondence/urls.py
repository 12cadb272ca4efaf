from .views import urls

app_name = "correspondence"
urlpatterns = urls

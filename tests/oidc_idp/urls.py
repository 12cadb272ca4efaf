from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("openid/", include("oidc_provider.urls", namespace="oidc_provider")),
    path("fixtures/users/<str:username>", views.put_user),
    path("fixtures/clients/<str:client_id>", views.put_client),
]

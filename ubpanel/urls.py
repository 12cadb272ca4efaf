from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView

from . import accounts, health, mfa, notifications_views, oidc, views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/sign-in/",
        login_not_required(views.SignInView.as_view(form_class=accounts.SignInForm)),
        name="login",
    ),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    # Self-service password change for local accounts (ubpanel/accounts.py).
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    # Multi-factor authentication (ubpanel/mfa.py).
    path("accounts/mfa/", mfa.account, name="mfa_account"),
    path("accounts/mfa/verify/", mfa.verify, name="mfa_verify"),
    path("accounts/mfa/enrol/", mfa.enrol, name="mfa_enrol"),
    path("accounts/mfa/backup-codes/", mfa.backup_codes, name="mfa_backup_codes"),
    path("audit/", views.audit_list, name="audit_list"),
    # What each person has been told (ubpanel/notifications_views.py, issue 13).
    path("notifications/", notifications_views.notification_list, name="notification_list"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", login_not_required(never_cache(health.live)), name="healthz_live"),
    path("healthz/ready", login_not_required(health.ReadyView.as_view()), name="healthz_ready"),
    path(
        "favicon.ico",
        login_not_required(
            RedirectView.as_view(url=f"{settings.STATIC_URL}govuk/assets/images/favicon.ico")
        ),
    ),
    path("referrals/", include("referrals.urls")),
    path("panel/", include("panel.urls")),
    path("schedule/", include("schedule.urls")),
    path("letters/", include("correspondence.urls")),
    path("rights/", include("rights.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

# Single sign-on with the council's identity provider (ubpanel/oidc.py): only when configured.
if settings.OIDC_ENABLED:
    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(oidc.AuthenticateView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(oidc.CallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
    ]

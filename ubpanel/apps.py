from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate

from .roles import roles_ensure


def _ensure_roles(sender, **kwargs):
    roles_ensure()


class UbpanelConfig(AppConfig):
    default = True
    name = "ubpanel"
    verbose_name = "Unreasonable Behaviours Panel"

    def ready(self):
        from auditlog.registry import auditlog
        from axes.models import AccessAttempt

        from . import (  # noqa: F401  (connect the sign-in and task-actor receivers)
            audit,
            checks,  # noqa: F401  (register the production system checks)
            converters,  # noqa: F401  (register <id:pk> before any URLconf is read)
            mfa,  # noqa: F401  (the sign-in receiver that notes whether a user has an app)
            middleware,  # noqa: F401  (the sign-in receiver that records the session's activity)
            task_actor,
        )
        from .models import Service, User

        # Account and role changes are audited; password hashes and sign-in times are not changes.
        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
        auditlog.register(Service)
        # Lockouts and unlocks (Assurance deleting the counter in the admin).
        auditlog.register(AccessAttempt, include_fields=["username", "failures_since_start"])

        # Roles are set-up plumbing like Django's own permissions: after every migrate.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="ubpanel.roles_ensure")


class UbpanelAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "ubpanel.admin_site.UbpanelAdminSite"

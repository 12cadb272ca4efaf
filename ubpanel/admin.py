"""The admin, for Assurance officers to manage staff accounts and roles.

Non-superusers cannot see or edit superusers, make anyone a superuser, or hand out raw permissions:
roles (groups) are the only way to give access.
"""

from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse

from panel.models import SeatMember

from . import mfa
from .models import Service, User
from .roles import USER_ADMIN_ROLES, has_role


class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "service",
        "is_active",
        "uses_mfa",
        "last_login",
    )
    list_filter = ("is_active", "groups", "service")
    list_select_related = ("service",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            "Personal details",
            {"fields": ("first_name", "last_name", "email", "job_title", "service")},
        ),
        ("Roles", {"fields": ("is_active", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        *fieldsets[:2],
        (
            "Roles",
            {"fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions")},
        ),
        fieldsets[3],
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "service",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["mfa_reset"]

    @admin.action(
        description="Reset multi-factor authentication (they set it up again at next sign-in)",
        permissions=["change"],
    )
    def mfa_reset(self, request, queryset):
        """For a lost or changed phone: after a confirmation page, remove the users' authenticator
        apps and backup codes (ubpanel.mfa.devices_reset; the deletions are audited)."""
        users = list(queryset.exclude(pk=request.user.pk))
        if len(users) < len(queryset):
            self.message_user(
                request, "You cannot reset your own; another officer must.", level="warning"
            )
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Reset multi-factor authentication",
                "opts": self.model._meta,
                "users": users,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "ubpanel/mfa/admin_reset_confirm.html", context)
        for user in users:
            mfa.devices_reset(user=user, actor=request.user)
        if users:
            names = ", ".join(str(user) for user in users)
            self.message_user(request, f"Multi-factor authentication reset for {names}.")
        return None

    def get_fieldsets(self, request, obj=None):
        if obj is not None and request.user.is_superuser:
            return self.superuser_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            # Separation of duties: nobody gives themselves a role (say, Auditor) or re-enables
            # their own account; another officer must.
            readonly = (*readonly, "groups", "is_active")
        return readonly

    def has_delete_permission(self, request, obj=None):
        # Staff are made inactive, never deleted: their name stays on every audit row, and the
        # database refuses to blank it (the audit trail is append-only).
        return False

    @admin.display(boolean=True, description="Authenticator app", ordering="uses_mfa")
    def uses_mfa(self, user):
        return user.uses_mfa

    def get_queryset(self, request):
        # Whether each user has set up an authenticator app, in the same query as the list.
        queryset = super().get_queryset(request).annotate(uses_mfa=mfa.uses_app())
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset


class ReadOnlyGroupAdmin(admin.ModelAdmin):
    """Roles are defined in code (ubpanel.roles); here they can only be looked at."""

    list_display = ("name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AccessAttemptAdmin(admin.ModelAdmin):
    """Failed sign-in counters: deleting one unlocks that account."""

    list_display = ("username", "failures_since_start", "attempt_time", "ip_address")
    search_fields = ("username",)
    readonly_fields = [field.name for field in AccessAttempt._meta.fields]

    def has_add_permission(self, request):
        return False


class SeatMemberAdmin(admin.ModelAdmin):
    """The panel's seat holders and briefed deputies, kept by Assurance. Someone leaving a seat is
    made inactive rather than deleted, so past meetings still show who could sit."""

    list_display = ("user", "seat", "is_deputy", "briefed_on", "active")
    list_filter = ("seat", "is_deputy", "active")
    list_select_related = ("user",)
    fields = ("seat", "user", "is_deputy", "briefed_on", "active")

    def _is_assurance(self, request):
        return request.user.is_superuser or has_role(request.user, *USER_ADMIN_ROLES)

    def has_module_permission(self, request):
        return self._is_assurance(request)

    def has_view_permission(self, request, obj=None):
        return self._is_assurance(request)

    def has_add_permission(self, request):
        return self._is_assurance(request)

    def has_change_permission(self, request, obj=None):
        return self._is_assurance(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True, is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


admin.site.register(User, UserAdmin)
admin.site.register(Service)
admin.site.unregister(Group)
admin.site.register(Group, ReadOnlyGroupAdmin)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
admin.site.register(SeatMember, SeatMemberAdmin)

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login

from .roles import USER_ADMIN_ROLES, has_role


class UbpanelAdminSite(admin.AdminSite):
    site_header = "Unreasonable Behaviours Panel: users and roles"
    site_title = "ubpanel admin"
    index_title = "Users and roles"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or has_role(user, *USER_ADMIN_ROLES))

    def login(self, request, extra_context=None):
        # One sign-in page for everything, with its lockout and audit.
        return redirect_to_login(request.get_full_path())

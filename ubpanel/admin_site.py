from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from .roles import USER_ADMIN_ROLES, has_role


class UbpanelAdminSite(admin.AdminSite):
    site_header = "Unreasonable Behaviours Panel: users and roles"
    site_title = "ubpanel admin"
    index_title = "Users and roles"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or has_role(user, *USER_ADMIN_ROLES))

    @login_not_required
    def login(self, request, extra_context=None):
        # One sign-in page for everything, with its lockout and audit. It sends signed-in users
        # straight on to ``next``, so pointing it back here would loop: pass on where they were going,
        # and refuse signed-in users who may not use the admin.
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        )

"""Local accounts: who may sign in with a password, and changing one's own password.

While single sign-on is on (``OIDC_ENABLED``), only the break-glass accounts named in
``OIDC_BREAK_GLASS_USERNAMES`` sign in with a password: everyone else signs in through the council's
identity provider, so that leaving the council (an account disabled there) ends their access here
too. With single sign-on off, every local account signs in with its password, as before.
"""

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse_lazy

from . import audit
from .forms import GovukFormMixin
from .forms import SignInForm as PasswordSignInForm

NO_PASSWORD_HERE = (
    "This account signs in through the council's identity provider: its password is changed there."
)
PASSWORD_REFUSED_WHILE_SSO = (
    "This account signs in with the council account button above. Only emergency (break-glass) "
    "accounts sign in with a password here."
)


def password_sign_in_allowed(username: str) -> bool:
    """Whether ``username`` may sign in with a password: always without single sign-on; with it,
    only the break-glass accounts."""
    if not settings.OIDC_ENABLED:
        return True
    return username in settings.OIDC_BREAK_GLASS_USERNAMES


def may_change_password(user) -> bool:
    """A local account that signs in with its password may change it; an account that signs in
    through the identity provider changes its password there."""
    return (
        user.is_authenticated
        and user.has_usable_password()
        and password_sign_in_allowed(user.get_username())
    )


class LocalSignInBackend(ModelBackend):
    """Django's password backend, refusing accounts that must sign in through the identity provider
    (used in place of ``ModelBackend`` while single sign-on is on).

    The refusal is a ``PermissionDenied``: Django stops trying other backends and sends
    ``user_login_failed``, so the attempt is audited and counted towards the lockout like any wrong
    password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is not None and not password_sign_in_allowed(str(username)):
            raise PermissionDenied(PASSWORD_REFUSED_WHILE_SSO)
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignInForm(PasswordSignInForm):
    """The sign-in form, saying why when an account may not use a password while single sign-on
    is on (rather than that the password was wrong)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username")
            if username and not password_sign_in_allowed(username):
                raise ValidationError(PASSWORD_REFUSED_WHILE_SSO, code="sso_only") from None
            raise


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The two new passwords are not the same. Enter them again.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.fields["new_password2"].help_text = "Type the new password again."
        # Django's help text is an HTML list; the GOV.UK hint is one line of text.
        self.fields["new_password1"].help_text = (
            "At least 12 characters, not all numbers, not a common password and not like your "
            "name or username."
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """A local account changes its own password: audited; refused (403, audited) to accounts
    that sign in through the identity provider. The other sessions of the account end (Django's
    session hash), this one carries on."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_change_password(request.user):
            # Recorded here; the refusal middleware sees this row and writes no second one.
            audit.record(
                audit.Event.DENIED,
                objects=[request.user],
                reason=NO_PASSWORD_HERE,
                status=403,
            )
            raise PermissionDenied(NO_PASSWORD_HERE)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # The password field is not audited by auditlog (its hash would be); the change is.
        LogEntry.objects.log_create(
            self.request.user,
            action=LogEntry.Action.UPDATE,
            changes={"password": ["[not recorded]", "[changed by the user]"]},
            additional_data={"event": "password-changed", "path": self.request.path},
        )
        messages.success(self.request, "Your password has been changed.")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

"""Multi-factor authentication: an authenticator app (TOTP) and single-use backup codes, by django-otp.

Who must use it is a setting (``MFA_REQUIRED_ROLES``, ``MFA_REQUIRED_FOR_ALL``; superusers whenever
any role must). After a password sign-in, ``MfaRequiredMiddleware`` sends such a user without a
device to set one up, and anyone with a device (required or not) to give a code; until then only
sign-out, these pages and what an anonymous visitor may open answer. A session signed in through
the council's identity provider, when that provider enforces MFA itself, is marked
``PROVIDER_VERIFIED`` by the single sign-on code and counts as verified.

The secret offered at enrolment waits in the session until a code from it is given, so opening the
page changes nothing stored. Assurance reset a user's devices from the admin (``devices_reset``);
the deletions are audited by auditlog (settings leave out the key and the codes), the rest here.
"""

import base64
import math
import time
from binascii import unhexlify
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import audit
from .forms import GovukForm
from .pages import form_page, submit
from .roles import USER_ADMIN_ROLES, Role, has_role, user_roles

# Set to True by the single sign-on code when the identity provider has checked a second factor.
PROVIDER_VERIFIED = "ubpanel_mfa_by_provider"
PENDING_KEY = "ubpanel_mfa_pending_key"  # the secret on the enrolment page, until confirmed
NEW_CODES = "ubpanel_mfa_new_backup_codes"  # shown once, on the next page
HAS_DEVICE = "ubpanel_mfa_has_device"  # read once per session: no query on every request
APP_NAME = "Authenticator app"
CODES_NAME = "Backup codes"
# Sign-out stays open to someone who has not given a code yet (the MFA pages are marked exempt).
EXEMPT_URL_NAMES = frozenset({"logout"})
VERIFY, ENROL = "verify", "enrol"
# Until the second step is done the menu would only lead back here.
HIDE_NAVIGATION = {"nav_sections": []}


def mfa_exempt(view):
    view.mfa_exempt = True
    return view


def mfa_required(user) -> bool:
    """Must ``user`` use a second factor? Their roles (or everyone) by the settings."""
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    required = set(settings.MFA_REQUIRED_ROLES)
    return bool(required) and (user.is_superuser or bool(user_roles(user) & required))


def _has_device(request) -> bool:
    if HAS_DEVICE not in request.session:
        request.session[HAS_DEVICE] = django_otp.user_has_device(request.user)
    return request.session[HAS_DEVICE]


@receiver(user_logged_in, dispatch_uid="ubpanel.mfa.device_noted")
def _device_noted_at_sign_in(sender, request, user, **kwargs):
    """Look the devices up once, at sign-in, rather than at the session's first page (which
    ``_has_device`` would otherwise do): pages keep the number of queries they had."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = django_otp.user_has_device(user)


def is_verified(request) -> bool:
    """Has this session given a second factor (here, or at the identity provider)?"""
    checked = getattr(request.user, "is_verified", None)  # set by django-otp's OTPMiddleware
    return bool(checked and checked()) or bool(request.session.get(PROVIDER_VERIFIED))


def pending_step(request) -> str | None:
    """What the signed-in user must do before anything else: ``VERIFY``, ``ENROL`` or nothing."""
    user = request.user
    if is_verified(request):
        return None
    if _has_device(request):
        return VERIFY
    return ENROL if mfa_required(user) else None


class MfaRequiredMiddleware:
    """Nothing but sign-out, the MFA pages and public pages until the pending step is done."""

    def __init__(self, get_response):
        self.get_response = get_response
        unknown = set(settings.MFA_REQUIRED_ROLES) - set(Role.values)
        if unknown:
            raise ImproperlyConfigured(
                f"MFA_REQUIRED_ROLES names unknown roles: {', '.join(sorted(unknown))}. "
                f"Use role values: {', '.join(Role.values)}."
            )

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not request.user.is_authenticated
            or getattr(view_func, "mfa_exempt", False)
            # What an anonymous visitor may open (sign-in, health checks) gives nothing away.
            or getattr(view_func, "login_required", True) is False
            or request.resolver_match.url_name in EXEMPT_URL_NAMES
        ):
            return None
        step = pending_step(request)
        if step is None:
            return None
        url = reverse("mfa_verify" if step == VERIFY else "mfa_enrol")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


# --- Services -------------------------------------------------------------------------------------


def backup_codes_make(*, user) -> list[str]:
    """New backup codes for ``user``, replacing any left: returned once, stored for checking."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=CODES_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(settings.MFA_BACKUP_CODES)]
        for code in codes:  # not bulk_create: auditlog records each (without the code)
            StaticToken.objects.create(device=device, token=code)
    audit.record(audit.Event.SIGN_IN, objects=[user], mfa="backup-codes-made", count=len(codes))
    return codes


def app_enrol(*, user, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """``user`` proved they hold the secret ``key`` (hex) with ``code``: it becomes their
    authenticator app, with a fresh set of backup codes."""
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=1):
        audit.record(audit.Event.SIGN_IN_FAILED, objects=[user], mfa="enrol-wrong-code")
        raise ValidationError(
            {"code": "That code is not right. Enter the 6-digit code the app shows now."}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=APP_NAME, key=key, confirmed=True, last_t=totp.t()
        )
        codes = backup_codes_make(user=user)
    audit.record(audit.Event.SIGN_IN, objects=[user], mfa="enrolled")
    return device, codes


def code_verify(*, user, code: str):
    """The device that accepts ``code``: the app for six digits, the backup codes otherwise (each
    works once). Wrong codes are throttled by django-otp: 1, 2, 4 ... seconds before the next."""
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    method = "authenticator app" if model is TOTPDevice else "backup code"
    device = model.objects.devices_for_user(user, confirmed=True).first()
    allowed, why = device.verify_is_allowed() if device else (True, None)
    if not allowed:
        audit.record(audit.Event.SIGN_IN_FAILED, objects=[user], mfa="throttled", method=method)
        wait = max(1, math.ceil((why["locked_until"] - timezone.now()).total_seconds()))
        raise ValidationError(
            {
                "code": f"There have been {_count(why['failure_count'], 'wrong code')} in a "
                f"row. Wait {_count(wait, 'second')}, then try again."
            }
        )
    verified = device and django_otp.verify_token(user, device.persistent_id, code)
    if not verified:
        audit.record(audit.Event.SIGN_IN_FAILED, objects=[user], mfa="wrong-code", method=method)
        raise ValidationError(
            {
                "code": "That code is not right. Enter the 6-digit code your authenticator app "
                "shows now, or one of your backup codes."
            }
        )
    audit.record(audit.Event.SIGN_IN, objects=[user], mfa="verified", method=method)
    return verified


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def uses_app():
    """For annotating users: have they set up an authenticator app?"""
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def devices_reset(*, user, actor) -> int:
    """Assurance removed ``user``'s authenticator app and backup codes: they set up a new app at
    their next sign-in. Nobody resets their own."""
    if not (actor.is_superuser or has_role(actor, *USER_ADMIN_ROLES)) or actor.pk == user.pk:
        raise PermissionDenied
    with audit.acting_as(actor), transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            # One by one, so that auditlog writes a row for each device (and each backup code).
            for device in model.objects.filter(user=user):
                device.delete()
                removed += 1
    return removed


# --- Pages ----------------------------------------------------------------------------------------


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Enter the code", "max_length": "The code is too long"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).replace("-", "").lower()


class AppCodeForm(CodeForm):
    def clean_code(self):
        code = super().clean_code()
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError("Enter the 6-digit code the app shows, like 123456")
        return code


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: "9223372036854775808" passes the host check, and redirect() would
    # then take it for a view name (NoReverseMatch, a 500).
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse(settings.LOGIN_REDIRECT_URL)


def _signed_in_with(request, device, codes=None):
    request.session.cycle_key()  # a new session key for the raised privilege, as at sign-in
    django_otp.login(request, device)
    request.session[HAS_DEVICE] = True
    if codes:
        request.session[NEW_CODES] = codes


@mfa_exempt
@require_http_methods(["GET", "POST"])
def verify(request):
    request.session.pop(HAS_DEVICE, None)  # read afresh: Assurance may have reset the devices
    if pending_step(request) != VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    done = submit(request, form, lambda data: code_verify(user=request.user, code=data["code"]))
    if done:
        _signed_in_with(request, done.value)
        if isinstance(done.value, StaticDevice):
            left = done.value.token_set.count()
            messages.info(request, f"You used a backup code. You have {left} left.")
        return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), **HIDE_NAVIGATION}
    return form_page(request, "ubpanel/mfa/verify.html", context, form)


def _qr_code(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    # An <img> with a data: URL: the CSP allows it, and an inline <svg> would need inline styles.
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@mfa_exempt
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    step = pending_step(request)
    if step == VERIFY:
        # Whoever holds only the password cannot swap the app for their own.
        return redirect(reverse("mfa_verify") + "?" + urlencode({"next": _next_url(request)}))
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        messages.info(request, "You already use an authenticator app.")
        return redirect("mfa_account")
    if PENDING_KEY not in request.session:
        request.session[PENDING_KEY] = random_hex(20)
    key = request.session[PENDING_KEY]
    form = AppCodeForm(request.POST or None)
    done = submit(request, form, lambda data: app_enrol(user=user, key=key, code=data["code"]))
    if done:
        del request.session[PENDING_KEY]
        _signed_in_with(request, *done.value)
        return redirect(reverse("mfa_backup_codes") + "?" + urlencode({"next": _next_url(request)}))
    unsaved = TOTPDevice(user=user, key=key)
    secret = base64.b32encode(unsaved.bin_key).decode()
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_code": _qr_code(unsaved.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": mfa_required(user),
        **(HIDE_NAVIGATION if step == ENROL else {}),
    }
    return form_page(request, "ubpanel/mfa/enrol.html", context, form)


@require_http_methods(["GET", "POST"])
def backup_codes(request):
    """New backup codes are shown here once; a verified user may make a new set."""
    if request.method == "POST":
        if not is_verified(request):
            raise PermissionDenied
        request.session[NEW_CODES] = backup_codes_make(user=request.user)
        return redirect("mfa_backup_codes")
    codes = request.session.pop(NEW_CODES, None)
    device = StaticDevice.objects.devices_for_user(request.user, confirmed=True).first()
    context = {
        "codes": codes,
        "left": device.token_set.count() if device else 0,
        "verified": is_verified(request),
        "next": _next_url(request),
    }
    return render(request, "ubpanel/mfa/backup_codes.html", context)


@require_http_methods(["GET"])
def account(request):
    """The user's own sign-in security: whether they use an app, and their backup codes."""
    user = request.user
    app = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    codes = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    context = {
        "app": app,
        "codes_left": codes.token_set.count() if codes else 0,
        "required": mfa_required(user),
        "by_provider": bool(request.session.get(PROVIDER_VERIFIED)),
    }
    return render(request, "ubpanel/mfa/account.html", context)

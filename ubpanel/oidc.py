"""Single sign-on with the council's identity provider over OpenID Connect (mozilla-django-oidc).

Off unless ``OIDC_RP_CLIENT_ID`` is set (ubpanel/settings/sign_in.py, "Single sign-on"). The provider's endpoints
and keys come from its discovery document (``OIDC_OP_DISCOVERY_URL``), read on the first sign-in
and kept for an hour, so ubpanel starts, and break-glass accounts sign in, while it is down.

At each sign-in the ID token is verified (RS256 against the provider's JWKS; issuer, audience,
expiry and nonce), the user is found by email (``OIDC_MATCH_BY_EMAIL``) or created, and their role
groups are set to exactly the roles their provider groups map to (``OIDC_GROUP_ROLES``): a group
removed at the provider removes the role here. Someone with no mapped group is refused with a page
saying why, and the refusal is audited. Break-glass accounts and superusers never sign in this
way: they are the way in when the provider is down or wrong.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import audit
from .middleware import SESSION_STARTED_KEY
from .roles import Role

# The contract with ubpanel.mfa (its PROVIDER_VERIFIED): a session the provider has already taken
# a second factor for counts as verified.
MFA_BY_PROVIDER = "ubpanel_mfa_by_provider"
DISCOVERY_KEPT_SECONDS = 60 * 60
# The provider's clock and ours may differ a little.
CLOCK_LEEWAY_SECONDS = 60
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

_discovered: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


class Refusal(Exception):
    """A sign-in through the provider that ubpanel refuses; ``message`` is shown to the person."""

    def __init__(self, reason: str, message: str, **detail: Any):
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.detail = detail


PROVIDER_FAILED = (
    "The council's sign-in service did not confirm who you are. Try again; if it keeps happening, "
    "tell the Assurance team."
)


def provider_metadata() -> dict:
    """The provider's discovery document, read at most once an hour."""
    url = settings.OIDC_OP_DISCOVERY_URL
    kept = _discovered.get(url)
    if kept and time.monotonic() - kept[0] < DISCOVERY_KEPT_SECONDS:
        return kept[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    missing = [key for key in ("issuer", *ENDPOINTS.values()) if not metadata.get(key)]
    if missing:
        raise ProviderUnavailable(f"{url} does not give {', '.join(missing)}")
    _discovered[url] = (time.monotonic(), metadata)
    return metadata


def oidc_setting(name: str, *default):
    """mozilla-django-oidc's settings, with the endpoints read from the discovery document."""
    if name in ENDPOINTS:
        return provider_metadata()[ENDPOINTS[name]]
    return import_from_settings(name, *default)


def _text(value: Any, limit: int) -> str:
    """A claim as text ubpanel can store: no NUL (PostgreSQL refuses it), not unbounded."""
    return str(value).replace("\x00", "")[:limit]


def groups_of(claims: dict) -> list[str]:
    """The person's groups at the provider: a list of names (or one name) in the groups claim."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return []
    return [_text(group, 200) for group in groups if isinstance(group, str | int)]


def roles_for(claims: dict) -> list[Role]:
    """The roles the provider's groups map to (``OIDC_GROUP_ROLES``), in the roles' order."""
    mapping = settings.OIDC_GROUP_ROLES
    wanted = {mapping[group] for group in groups_of(claims) if group in mapping}
    return [role for role in Role if role.value in wanted]


def roles_set(user, roles: list[Role]) -> None:
    """Give ``user`` exactly ``roles`` among the role groups (other groups are left alone)."""
    wanted = {Group.objects.get_or_create(name=role.label)[0] for role in roles}
    current = set(user.groups.filter(name__in=Role.labels))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    user.__dict__.pop("_ubpanel_roles", None)


def _username_for(claims: dict) -> str:
    return _text(claims.get("preferred_username") or claims.get("email") or "", 150)


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    """Signs people in with the council's identity provider (see the module)."""

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every sign-in, password ones included, and to load every
        # session: nothing here may need the provider. Its endpoints are read in authenticate().
        self.UserModel = get_user_model()

    def _load_provider(self) -> None:
        self.OIDC_OP_TOKEN_ENDPOINT = oidc_setting("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = oidc_setting("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = oidc_setting("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = provider_metadata()["issuer"]

    def authenticate(self, request, **kwargs):
        # Only the callback view's call (which passes the nonce) is ours: never a password sign-in
        # that happens to carry ?code=&state= in its address.
        if request is None or "nonce" not in kwargs or not settings.OIDC_ENABLED:
            return None
        try:
            self._load_provider()
            return super().authenticate(request, **kwargs)
        except Refusal as refusal:
            request.ubpanel_sso_refusal = refusal
        except (ProviderUnavailable, requests.RequestException, SuspiciousOperation) as error:
            request.ubpanel_sso_refusal = Refusal(
                "provider", PROVIDER_FAILED, error=str(error)[:200]
            )
        # No other backend may sign this request in; Django audits the failed attempt.
        raise PermissionDenied

    def verify_token(self, token, **kwargs):
        """The ID token (or a signed userinfo answer): signed RS256 by a key in the provider's
        JWKS, issued by the provider, for this client, not expired, and for this sign-in (nonce)."""
        try:
            key = self.retrieve_matching_jwk(token)
            payload = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except (jwt.PyJWTError, KeyError, SuspiciousOperation) as error:
            raise Refusal("id-token", PROVIDER_FAILED, error=str(error)[:200]) from error
        if "nonce" in kwargs and payload.get("nonce") != kwargs["nonce"]:
            raise Refusal("id-token", PROVIDER_FAILED, error="the nonce does not match")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo answer, which must be about the ID token's subject; claims only in the ID
        token (Microsoft Entra ID sends ``groups`` there) are kept."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload["sub"]):
            raise Refusal("id-token", PROVIDER_FAILED, error="userinfo is about another subject")
        return {**payload, **userinfo}

    def filter_users_by_claims(self, claims):
        if settings.OIDC_MATCH_BY_EMAIL:
            return self.UserModel.objects.filter(email__iexact=claims["email"])
        return self.UserModel.objects.filter(username=_username_for(claims))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = _text(claims.get("email") or "", 254).strip()
        seen = {"email": email, "groups": groups_of(claims)[:50]}
        if not email:
            raise Refusal(
                "no-email",
                "The council's sign-in service did not give your email address, which ubpanel "
                "needs to know who you are. Tell the Assurance team.",
                **seen,
            )
        claims["email"] = email
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) > 1:
            raise Refusal(
                "several-accounts",
                "More than one ubpanel account has your email address. Ask the Assurance team to "
                "put that right.",
                **seen,
            )
        user = users[0] if users else None
        if user is not None:
            self._check_may_use_sso(user, seen)
        roles = roles_for(claims)
        if not roles:
            if user is not None:
                # Removed from every ubpanel group at the provider: the roles go here too.
                with audit.acting_as(user):
                    roles_set(user, [])
            raise Refusal(
                "no-role",
                "Your council account is not in any of the groups that give access to this "
                "service. If you need it for your work, ask the Assurance team.",
                user=user,
                **seen,
            )
        if user is None:
            if not settings.OIDC_CREATE_USERS:
                raise Refusal(
                    "no-account",
                    "There is no ubpanel account for your council account. Ask the Assurance "
                    "team to add you.",
                    **seen,
                )
            user = self.create_user(claims)
        # The role changes are the provider's, made as this person signs in: recorded as theirs.
        with audit.acting_as(user):
            self.update_user(user, claims)
            roles_set(user, roles)
        return user

    def _check_may_use_sso(self, user, seen: dict) -> None:
        if user.username in settings.OIDC_BREAK_GLASS_USERNAMES or user.is_superuser:
            raise Refusal(
                "break-glass",
                "This account is an emergency account that signs in with its password only.",
                user=user,
                **seen,
            )
        if not user.is_active:
            raise Refusal(
                "disabled",
                "Your ubpanel account is disabled. Ask the Assurance team.",
                user=user,
                **seen,
            )

    def create_user(self, claims):
        username = _username_for(claims)
        if self.UserModel.objects.filter(username=username).exists():
            suffix = hashlib.sha256(str(claims["sub"]).encode()).hexdigest()[:8]
            username = f"{username[:141]}-{suffix}"
        user = self.UserModel(username=username, email=claims["email"])
        user.set_unusable_password()  # signs in through the provider only
        self._copy_names(user, claims)
        user.save()
        return user

    def update_user(self, user, claims):
        before = (user.email, user.first_name, user.last_name)
        user.email = claims["email"]
        self._copy_names(user, claims)
        if (user.email, user.first_name, user.last_name) != before:
            user.save(update_fields=["email", "first_name", "last_name"])
        return user

    @staticmethod
    def _copy_names(user, claims) -> None:
        if claims.get("given_name"):
            user.first_name = _text(claims["given_name"], 150)
        if claims.get("family_name"):
            user.last_name = _text(claims["family_name"], 150)


def _refused_page(request, refusal: Refusal, status: int = 403):
    user = refusal.detail.get("user")
    detail = {key: value for key, value in refusal.detail.items() if key != "user"}
    User = get_user_model()
    # Nobody is signed in: the row has no actor, and names the account when there is one.
    audit.record(
        audit.Event.DENIED,
        objects=[user] if user is not None else (),
        model=User,
        object_repr=detail.get("email", "") or "single sign-on",
        actor=None,
        reason=f"single sign-on refused: {refusal.reason}",
        **detail,
    )
    return render(
        request,
        "registration/sso_refused.html",
        {"message": refusal.message},
        status=status,
    )


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider to sign in (state, nonce and PKCE kept in the session)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except ProviderUnavailable as error:
            refusal = Refusal(
                "provider-unavailable",
                "The council's sign-in service is not answering. Try again in a few minutes.",
                error=str(error)[:200],
            )
            return _refused_page(request, refusal, status=503)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: sign in, or a page saying why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this browser was not waiting for
            request.ubpanel_sso_refusal = Refusal(
                "not-completed",
                "The sign-in with your council account did not complete. Try again.",
                error=str(error)[:200],
            )
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        session[SESSION_STARTED_KEY] = time.time()
        if settings.OIDC_PROVIDER_ENFORCES_MFA:
            session[MFA_BY_PROVIDER] = True
        return response

    def login_failure(self):
        refusal = getattr(self.request, "ubpanel_sso_refusal", None)
        if refusal is None:
            error = str(self.request.GET.get("error", ""))[:100]
            refusal = Refusal(
                "not-completed",
                "The sign-in with your council account did not complete. Try again.",
                error=error or "no sign-in was waiting in this browser",
            )
        return _refused_page(self.request, refusal)

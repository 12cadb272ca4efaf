"""Single sign-on against a real OpenID Connect provider (tests/oidc_idp, django-oidc-provider)
started on loopback: the test client follows the redirects across both servers, ubpanel's side in
process and the provider's over HTTP with ``requests``. Nothing is mocked."""

import json
import os
import socket
import subprocess
import sys
import time

import jwt
import pytest
import requests
from auditlog.models import LogEntry
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from ubpanel.audit import Event
from ubpanel.oidc import MFA_BY_PROVIDER, CouncilOIDCBackend, Refusal
from ubpanel.roles import Role, user_roles

from .oidc_idp.harness import ROOT, running_provider, sign_in_at_provider, single_sign_on

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "provider-password-2026"
CALLBACK = "http://testserver/oidc/callback/"


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    with running_provider(tmp_path_factory.mktemp("oidc_idp")) as provider:
        provider.register_client(CALLBACK)
        yield provider


@pytest.fixture
def sso(provider):
    with single_sign_on(provider) as configured:
        yield configured


def in_provider(provider, username, *groups, email=None):
    provider.put_user(
        username,
        password=PASSWORD,
        email=email or f"{username}@council.example",
        groups=groups,
        first_name=username.capitalize(),
        last_name="Example",
    )


def sign_in_through_provider(client, provider, username, password=PASSWORD):
    """What a browser does: ubpanel -> the provider's login form -> back to ubpanel's callback.
    Returns ubpanel's answer at the callback."""
    started = client.get(reverse("oidc_authentication_init"))
    assert started.status_code == 302
    assert started.url.startswith(provider.issuer + "/authorize")
    callback = sign_in_at_provider(provider, requests.Session(), started.url, username, password)
    assert callback.startswith(CALLBACK), callback
    return client.get(callback.removeprefix("http://testserver"))


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def roles_of(user):
    user = User.objects.get(pk=user.pk)
    return set(user_roles(user))


def refusals(**detail):
    entries = LogEntry.objects.filter(additional_data__event=str(Event.DENIED))
    return [e for e in entries if all(e.additional_data.get(k) == v for k, v in detail.items())]


# --- The sign-in page ---------------------------------------------------------------------------


def test_the_sign_in_page_has_no_council_account_button_when_single_sign_on_is_off(client):
    page = client.get(reverse("login")).content.decode()

    assert "Sign in with your" not in page
    assert 'name="password"' in page
    with pytest.raises(NoReverseMatch):
        reverse("oidc_authentication_init")


def test_the_sign_in_page_offers_the_council_account_when_configured(client, sso):
    page = client.get(reverse("login") + "?next=/schedule/").content.decode()

    assert "Sign in with your Dorset Council account" in page
    assert 'href="/oidc/authenticate/?next=/schedule/"' in page
    # Break-glass accounts still have the password form, behind a details element.
    assert "Emergency accounts: sign in with a password" in page
    assert 'name="password"' in page


# --- Groups become roles ----------------------------------------------------------------------


def test_a_user_in_a_mapped_group_signs_in_with_its_role(client, sso):
    in_provider(sso, "alice", "ubpanel-chair", "some-other-group")

    response = sign_in_through_provider(client, sso, "alice")

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = signed_in_user(client)
    assert user.email == "alice@council.example"
    assert (user.first_name, user.last_name) == ("Alice", "Example")
    assert not user.has_usable_password()  # signs in through the provider only
    assert roles_of(user) == {Role.PANEL_CHAIR}
    signed_in = LogEntry.objects.get(additional_data__event=str(Event.SIGN_IN))
    assert signed_in.actor == user
    assert client.get(reverse("home")).status_code == 200
    # The MFA step still applies: the provider is not said to enforce MFA.
    assert MFA_BY_PROVIDER not in client.session


def test_claims_are_stored_without_nul_and_within_the_columns(client, sso):
    sso.put_user(
        "lena",
        password=PASSWORD,
        email="lena@council.example",
        groups=["ubpanel-frontline"],
        first_name="Le\x00na",
        last_name="O" * 400,
    )

    response = sign_in_through_provider(client, sso, "lena")

    assert response.status_code == 302
    user = signed_in_user(client)
    assert user.first_name == "Lena"
    assert user.last_name == "O" * 150


def test_a_group_removed_at_the_provider_removes_the_role(client, sso):
    in_provider(sso, "bob", "ubpanel-chair", "ubpanel-assurance")
    sign_in_through_provider(client, sso, "bob")
    bob = signed_in_user(client)
    assert roles_of(bob) == {Role.PANEL_CHAIR, Role.ASSURANCE_OFFICER}
    client.post(reverse("logout"))

    in_provider(sso, "bob", "ubpanel-assurance")
    sign_in_through_provider(client, sso, "bob")

    assert signed_in_user(client) == bob
    assert roles_of(bob) == {Role.ASSURANCE_OFFICER}
    # The change of roles is in the audit trail, as the person signing in.
    change = LogEntry.objects.filter(
        object_pk=str(bob.pk), action=LogEntry.Action.UPDATE, changes__icontains="groups"
    ).last()
    assert change is not None
    assert change.actor == bob


def test_a_user_in_no_mapped_group_is_refused_with_a_page_and_audited(client, sso):
    in_provider(sso, "carol", "finance-team")

    response = sign_in_through_provider(client, sso, "carol")

    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot sign in to this service" in page
    assert "not in any of the groups that give access" in page
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="carol@council.example").exists()
    [row] = refusals(reason="single sign-on refused: no-role")
    assert row.additional_data["email"] == "carol@council.example"
    assert row.additional_data["groups"] == ["finance-team"]


def test_an_existing_user_losing_every_group_loses_their_roles_and_is_refused(
    client, sso, make_user
):
    dave = make_user(Role.PANEL_MEMBER, username="dave", email="dave@council.example")
    in_provider(sso, "dave", "finance-team")

    response = sign_in_through_provider(client, sso, "dave")

    assert response.status_code == 403
    assert roles_of(dave) == set()
    [row] = refusals(reason="single sign-on refused: no-role")
    assert row.object_pk == str(dave.pk)


def test_an_existing_account_is_matched_by_email_whatever_the_case(client, sso, make_user):
    erin = make_user(Role.FRONTLINE, username="erin.local", email="Erin@Council.example")
    in_provider(sso, "erin", "ubpanel-panel", email="erin@council.example")

    sign_in_through_provider(client, sso, "erin")

    assert signed_in_user(client) == erin
    assert roles_of(erin) == {Role.PANEL_MEMBER}  # frontline was not given at the provider
    assert User.objects.filter(email__iexact="erin@council.example").count() == 1


def test_without_email_matching_a_new_account_is_made_beside_the_old_one(client, provider):
    frank = User.objects.create_user("frank.local", email="frank@council.example")
    in_provider(provider, "frank", "ubpanel-frontline", email="frank@council.example")

    with single_sign_on(provider, OIDC_MATCH_BY_EMAIL=False):
        sign_in_through_provider(client, provider, "frank")

    user = signed_in_user(client)
    assert user != frank
    assert user.username == "frank"


def test_without_account_creation_an_unknown_person_is_refused(client, provider):
    in_provider(provider, "gina", "ubpanel-frontline")

    with single_sign_on(provider, OIDC_CREATE_USERS=False):
        response = sign_in_through_provider(client, provider, "gina")

    assert response.status_code == 403
    assert "no ubpanel account" in response.content.decode()
    assert refusals(reason="single sign-on refused: no-account")


@pytest.mark.parametrize("account", ["breakglass", "superuser"])
def test_break_glass_accounts_and_superusers_never_sign_in_through_the_provider(
    client, sso, make_user, account
):
    local = make_user(Role.ASSURANCE_OFFICER, username=account, email="it@council.example")
    if account == "superuser":
        local.is_superuser = True
        local.save()
    in_provider(sso, "it-person", "ubpanel-chair", email="it@council.example")

    response = sign_in_through_provider(client, sso, "it-person")

    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert roles_of(local) == {Role.ASSURANCE_OFFICER}  # untouched
    assert refusals(reason="single sign-on refused: break-glass")


def test_a_disabled_account_is_refused(client, sso, make_user):
    make_user(Role.FRONTLINE, username="hal", email="hal@council.example", is_active=False)
    in_provider(sso, "hal", "ubpanel-frontline")

    response = sign_in_through_provider(client, sso, "hal")

    assert response.status_code == 403
    assert "disabled" in response.content.decode()


def test_a_provider_that_enforces_mfa_marks_the_session_verified(client, provider):
    in_provider(provider, "ivy", "ubpanel-chair")

    with single_sign_on(provider, OIDC_PROVIDER_ENFORCES_MFA=True):
        sign_in_through_provider(client, provider, "ivy")

    assert client.session[MFA_BY_PROVIDER] is True


# --- Refusals of the flow itself ----------------------------------------------------------------


def test_a_callback_replayed_in_another_browser_is_refused(client, sso, provider):
    in_provider(sso, "jack", "ubpanel-frontline")
    started = client.get(reverse("oidc_authentication_init"))
    callback = sign_in_at_provider(sso, requests.Session(), started.url, "jack", PASSWORD)
    other_browser = type(client)()

    response = other_browser.get(callback.removeprefix("http://testserver"))

    assert response.status_code == 403
    assert "did not complete" in response.content.decode()
    assert other_browser.session.get("_auth_user_id") is None
    assert refusals(reason="single sign-on refused: not-completed")


def test_a_callback_used_twice_in_the_same_browser_is_refused(client, sso):
    in_provider(sso, "kate", "ubpanel-frontline")
    started = client.get(reverse("oidc_authentication_init"))
    client.get(reverse("oidc_authentication_init"))  # a second tab keeps the states waiting
    callback = sign_in_at_provider(sso, requests.Session(), started.url, "kate", PASSWORD)
    path = callback.removeprefix("http://testserver")
    assert client.get(path).status_code == 302

    replayed = client.get(path)

    assert replayed.status_code == 403
    assert "did not complete" in replayed.content.decode()
    [row] = refusals(reason="single sign-on refused: not-completed")
    assert "state not found" in row.additional_data["error"]


def test_an_error_from_the_provider_is_shown_and_audited(client, sso):
    client.get(reverse("oidc_authentication_init"))
    state = next(iter(client.session["oidc_states"]))

    response = client.get(
        reverse("oidc_authentication_callback"), {"error": "access_denied", "state": state}
    )

    assert response.status_code == 403
    [row] = refusals(reason="single sign-on refused: not-completed")
    assert row.additional_data["error"] == "access_denied"


def test_a_provider_that_does_not_answer_gives_a_clear_page_and_break_glass_still_works(
    client, provider, make_user, password
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    make_user(Role.ASSURANCE_OFFICER, username="breakglass")

    with single_sign_on(
        provider, OIDC_OP_DISCOVERY_URL=f"http://127.0.0.1:{port}/.well-known/openid-configuration"
    ):
        response = client.get(reverse("oidc_authentication_init"))
        assert response.status_code == 503
        assert "not answering" in response.content.decode()

        signed_in = client.post(reverse("login"), {"username": "breakglass", "password": password})
        assert signed_in.status_code == 302
        assert signed_in_user(client).username == "breakglass"


def test_an_id_token_not_signed_by_the_provider_is_refused(sso, rf):
    """A token with the provider's key id, issuer and audience but signed by another key fails
    the check against the provider's real JWKS."""
    jwks = requests.get(f"{sso.issuer}/jwks", timeout=10).json()
    forged = jwt.encode(
        {
            "iss": sso.issuer,
            "aud": "ubpanel",
            "sub": "1",
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "nonce": "n",
        },
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        algorithm="RS256",
        headers={"kid": jwks["keys"][0]["kid"]},
    )
    backend = CouncilOIDCBackend()
    backend._load_provider()

    with pytest.raises(Refusal):
        backend.verify_token(forged, nonce="n")
    with pytest.raises(Refusal):  # the provider's own HS256 is not accepted either
        backend.verify_token(
            jwt.encode(
                {"iss": sso.issuer},
                "a-shared-secret-of-32-bytes-or-more",
                headers={"kid": jwks["keys"][0]["kid"]},
            ),
            nonce="n",
        )


# --- Local sign-in while single sign-on is on -------------------------------------------------


def test_only_break_glass_accounts_sign_in_with_a_password(client, sso, make_user, password):
    make_user(Role.ASSURANCE_OFFICER, username="kim")
    make_user(Role.ASSURANCE_OFFICER, username="breakglass")

    refused = client.post(reverse("login"), {"username": "kim", "password": password})

    assert refused.status_code == 200
    assert "Only emergency (break-glass) accounts sign in with a password" in (
        refused.content.decode()
    )
    assert signed_in_user(client) is None
    failed = LogEntry.objects.get(additional_data__event=str(Event.SIGN_IN_FAILED))
    assert failed.additional_data["username"] == "kim"

    allowed = client.post(reverse("login"), {"username": "breakglass", "password": password})
    assert allowed.status_code == 302
    assert signed_in_user(client).username == "breakglass"


# --- The settings -------------------------------------------------------------------------------


def _settings_from(environment):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in %r}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code % (sorted(environment["_keys"]),)],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("OIDC_")},
            "DJANGO_SETTINGS_MODULE": "ubpanel.settings",
            "DJANGO_ENV": "test",
            **{k: v for k, v in environment.items() if k != "_keys"},
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_settings_read_from_the_environment_are_the_ones_the_tests_use(provider):
    expected = provider.settings()
    result = _settings_from({**provider.environment(), "_keys": list(expected)})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_a_group_mapped_to_an_unknown_role_stops_the_start(provider):
    environment = {**provider.environment(), "OIDC_GROUP_ROLES": "ubpanel-chair=chairperson"}
    result = _settings_from({**environment, "_keys": ["OIDC_ENABLED"]})

    assert result.returncode != 0
    assert "unknown roles: chairperson" in result.stderr

"""Multi-factor authentication: who must use it, enrolling with an authenticator app, codes at sign-in,
single-use backup codes, throttled wrong codes, Assurance's reset, and the audit trail of each.

The suite runs with enforcement off (DJANGO_ENV=test); these tests switch it on with ``settings``."""

import re
from binascii import unhexlify

import pytest
from auditlog.models import LogEntry
from django.conf import settings as django_settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ubpanel import mfa, oidc
from ubpanel.roles import Role

from .factories import PASSWORD
from .test_security import manage, production_env

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SIGN_IN = reverse("login")
SIGN_OUT = reverse("logout")
VERIFY = reverse("mfa_verify")
ENROL = reverse("mfa_enrol")
CODES = reverse("mfa_backup_codes")
ACCOUNT = reverse("mfa_account")
PRIVILEGED = [Role(value) for value in django_settings.MFA_PRIVILEGED_ROLES]
OTHERS = [Role.REFERRING_MANAGER, Role.FRONTLINE]


@pytest.fixture
def enforced(settings):
    settings.MFA_REQUIRED_ROLES = list(settings.MFA_PRIVILEGED_ROLES)
    return settings


def code_for(device_or_key, later=0):
    """The app's code now (``later=1``: the next 30 seconds' code, which the server also takes, so a
    test can sign in again within the same 30 seconds despite django-otp's replay protection)."""
    key = device_or_key.key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(unhexlify(key), drift=later):06d}"


def enrolled(user):
    """``user`` with an authenticator app and backup codes, as enrolment leaves them."""
    device = TOTPDevice.objects.create(user=user, name=mfa.APP_NAME, confirmed=True)
    codes = mfa.backup_codes_make(user=user)
    return device, codes


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def password_sign_in(user):
    client = Client()
    response = client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def mfa_entries(user, event):
    return [
        entry
        for entry in LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS, additional_data__event=event, object_pk=str(user.pk)
        ).order_by("pk")
        if "mfa" in entry.additional_data
    ]


# --- Who must use it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", PRIVILEGED, ids=str)
def test_a_privileged_user_without_an_app_is_sent_to_set_one_up(enforced, make_user, role):
    client = password_sign_in(make_user(role))

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == f"{ENROL}?next=%2F"


@pytest.mark.parametrize("role", PRIVILEGED, ids=str)
def test_a_privileged_user_with_an_app_is_asked_for_a_code(enforced, make_user, role):
    user = make_user(role)
    enrolled(user)
    client = password_sign_in(user)

    response = client.get(reverse("schedule:index"))

    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next=%2Fschedule%2F"


@pytest.mark.parametrize("role", OTHERS, ids=str)
def test_other_roles_need_no_second_factor(enforced, make_user, role):
    client = password_sign_in(make_user(role))

    assert client.get(HOME).status_code == 200


def test_a_superuser_must_use_it_whenever_any_role_must(enforced, make_user):
    client = signed_in(make_user(is_superuser=True, is_staff=True))

    assert client.get(reverse("admin:index")).url.startswith(ENROL)


def test_it_can_be_required_for_everyone(settings, make_user):
    settings.MFA_REQUIRED_FOR_ALL = True

    assert signed_in(make_user(Role.FRONTLINE)).get(HOME).url.startswith(ENROL)


def test_nothing_is_enforced_in_the_test_and_demo_settings_by_default(make_user):
    assert django_settings.MFA_REQUIRED_ROLES == []
    assert signed_in(make_user(Role.PANEL_CHAIR)).get(HOME).status_code == 200


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({}, ",".join(django_settings.MFA_PRIVILEGED_ROLES)),
        ({"DJANGO_ENV": "development"}, ""),
        ({"MFA_REQUIRED_ROLES": "panel_chair,auditor"}, "panel_chair,auditor"),
    ],
    ids=["production", "the-demo", "set"],
)
def test_production_requires_it_of_the_privileged_roles_and_the_demo_of_nobody(
    environment, required
):
    show = "from django.conf import settings as s; print(','.join(s.MFA_REQUIRED_ROLES))"

    result = manage("shell", "--no-imports", "-c", show, env=production_env(**environment))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == required


def test_an_unknown_role_in_the_setting_stops_the_app(settings):
    settings.MFA_REQUIRED_ROLES = ["panel_chair", "chief_wizard"]

    with pytest.raises(ImproperlyConfigured, match="chief_wizard"):
        mfa.MfaRequiredMiddleware(lambda request: None)


def test_sign_out_static_files_and_public_pages_stay_reachable(enforced, make_user):
    client = signed_in(make_user(Role.PANEL_CHAIR))

    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(f"{django_settings.STATIC_URL}js/js-enabled.js").status_code == 200
    assert client.get(ENROL).status_code == 200
    assert client.post(SIGN_OUT).url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_posted_form_is_refused_until_the_code_is_given(enforced, make_user):
    user = make_user(Role.ASSURANCE_OFFICER)
    enrolled(user)

    response = signed_in(user).post(reverse("referrals:new"), {"anything": "x"})

    assert response.status_code == 302
    assert response.url == VERIFY


def test_an_htmx_request_sends_the_whole_page_to_the_code(enforced, make_user):
    user = make_user(Role.PANEL_MEMBER)
    enrolled(user)

    response = signed_in(user).get(HOME, headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY)


def test_single_sign_on_marks_the_session_with_the_key_this_module_reads():
    assert oidc.MFA_BY_PROVIDER == mfa.PROVIDER_VERIFIED


def test_a_session_whose_provider_checked_a_second_factor_counts_as_verified(enforced, make_user):
    client = signed_in(make_user(Role.PANEL_CHAIR))
    session = client.session
    session[mfa.PROVIDER_VERIFIED] = True
    session.save()

    assert client.get(HOME).status_code == 200


# --- Enrolling ------------------------------------------------------------------------------------


def pending_key(client):
    return client.session[mfa.PENDING_KEY]


def test_the_enrol_page_shows_a_qr_code_and_the_key_and_stores_nothing(enforced, make_user):
    user = make_user(Role.LEGAL_SERVICES)
    client = password_sign_in(user)

    page = client.get(ENROL).content.decode()

    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert 'data-testid="role-navigation"' not in page  # the menu would only lead back here
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_a_wrong_code_at_enrolment_is_explained_beside_the_field_and_audited(enforced, make_user):
    user = make_user(Role.AUDITOR)
    client = password_sign_in(user)
    client.get(ENROL)

    response = client.post(ENROL, {"code": "12 34"})

    assert response.status_code == 400
    assert "Enter the 6-digit code the app shows" in response.content.decode()
    assert 'value="12 34"' in response.content.decode()
    wrong = "000000" if code_for(pending_key(client)) != "000000" else "111111"
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert mfa_entries(user, "sign-in-failed")[-1].additional_data["mfa"] == "enrol-wrong-code"


def test_enrolling_makes_the_app_shows_backup_codes_once_and_lets_the_user_in(enforced, make_user):
    user = make_user(Role.MONITORING_OFFICER)
    client = password_sign_in(user)
    client.get(f"{ENROL}?next=/schedule/")
    key = pending_key(client)

    response = client.post(ENROL, {"code": code_for(key), "next": "/schedule/"})

    assert response.url == f"{CODES}?next=%2Fschedule%2F"
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert device.key == key
    page = client.get(response.url).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert sorted(shown) == sorted(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert len(shown) == django_settings.MFA_BACKUP_CODES
    assert 'href="/schedule/"' in page
    assert "<code>" not in client.get(CODES).content.decode()  # shown once
    assert client.get(HOME).status_code == 200
    assert mfa_entries(user, "sign-in")[-1].additional_data["mfa"] == "enrolled"


def test_someone_with_only_the_password_cannot_replace_an_existing_app(enforced, make_user):
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)
    client = password_sign_in(user)

    response = client.post(ENROL, {"code": "123456"})

    assert response.url.startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_a_user_whose_role_does_not_need_it_may_enrol_and_is_then_asked_at_sign_in(
    enforced, make_user
):
    user = make_user(Role.FRONTLINE)
    client = password_sign_in(user)
    assert "Set up an authenticator app" in client.get(ACCOUNT).content.decode()
    client.get(ENROL)
    client.post(ENROL, {"code": code_for(pending_key(client))})

    again = password_sign_in(user)

    assert again.get(HOME).url.startswith(VERIFY)


# --- Codes at sign-in -----------------------------------------------------------------------------


def test_the_apps_code_lets_the_user_in_and_is_audited(enforced, make_user):
    user = make_user(Role.ASC_REPRESENTATIVE)
    device, _ = enrolled(user)
    client = password_sign_in(user)

    response = client.post(VERIFY, {"code": code_for(device), "next": "/schedule/"})

    assert response.url == "/schedule/"
    assert client.get(HOME).status_code == 200
    entry = mfa_entries(user, "sign-in")[-1]
    assert entry.additional_data["mfa"] == "verified"
    assert entry.additional_data["method"] == "authenticator app"


def test_the_same_code_does_not_work_twice(enforced, make_user):
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)
    code = code_for(device)
    password_sign_in(user).post(VERIFY, {"code": code})

    response = password_sign_in(user).post(VERIFY, {"code": code})

    assert response.status_code == 400


def test_a_wrong_code_is_refused_beside_the_field_audited_and_then_throttled(enforced, make_user):
    user = make_user(Role.DIRECTOR_LEGAL)
    device, _ = enrolled(user)
    client = password_sign_in(user)
    wrong = "000000" if code_for(device) != "000000" else "111111"

    response = client.post(VERIFY, {"code": wrong})

    page = response.content.decode()
    assert response.status_code == 400
    assert "That code is not right" in page
    assert 'id="id_code-error"' in page
    assert mfa_entries(user, "sign-in-failed")[-1].additional_data["mfa"] == "wrong-code"
    # At once the right code is not even checked: django-otp's back-off (1, 2, 4 ... seconds).
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 400
    assert "1 wrong code in a row. Wait 1 second" in response.content.decode()
    assert mfa_entries(user, "sign-in-failed")[-1].additional_data["mfa"] == "throttled"
    assert client.get(HOME).url.startswith(VERIFY)


def test_a_backup_code_works_once(enforced, make_user):
    user = make_user(Role.PANEL_MEMBER)
    _, codes = enrolled(user)

    first = password_sign_in(user)
    response = first.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert "You used a backup code. You have 9 left." in response.content.decode()
    assert first.get(HOME).status_code == 200

    second = password_sign_in(user)
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert second.get(HOME).url.startswith(VERIFY)
    entry = mfa_entries(user, "sign-in")[-1]
    assert entry.additional_data["method"] == "backup code"


def test_a_signed_in_user_may_make_new_backup_codes_and_the_old_stop_working(enforced, make_user):
    user = make_user(Role.AUDITOR)
    device, old = enrolled(user)
    client = password_sign_in(user)
    client.post(VERIFY, {"code": code_for(device)})

    client.post(CODES)

    new = re.findall(r"<code>([a-z2-7]{8})</code>", client.get(CODES).content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    assert password_sign_in(user).post(VERIFY, {"code": old[1]}).status_code == 400


def test_the_next_address_must_be_on_this_site(enforced, make_user):
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)

    response = password_sign_in(user).post(
        VERIFY, {"code": code_for(device), "next": "https://evil.example/"}
    )

    assert response.url == HOME


@pytest.mark.parametrize(
    "wanted", ["9223372036854775808", "home", "schedule:search", "//evil.example/"]
)
def test_a_next_address_that_is_not_a_path_on_this_site_goes_home(enforced, make_user, wanted):
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)

    response = password_sign_in(user).post(VERIFY, {"code": code_for(device), "next": wanted})

    assert response.status_code == 302
    assert response.url == HOME


# --- Assurance's reset ----------------------------------------------------------------------------


def reset(client, *users, confirmed=True):
    data = {"action": "mfa_reset", ACTION_CHECKBOX_NAME: [user.pk for user in users]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(reverse("admin:ubpanel_user_changelist"), data)


def test_assurance_reset_removes_the_devices_after_a_confirmation_and_it_is_audited(
    make_user, assurance_client
):
    user = make_user(Role.PANEL_CHAIR, username="lostphone")
    device, codes = enrolled(user)

    confirm = reset(assurance_client, user, confirmed=False)
    assert confirm.status_code == 200
    assert "lostphone" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()

    reset(assurance_client, user)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=assurance_client.user)
    assert {entry.content_type.model for entry in deleted} == {
        "totpdevice",
        "staticdevice",
        "statictoken",
    }
    assert any(entry.object_repr == f"{mfa.APP_NAME} ({user})" for entry in deleted)


def test_after_a_reset_the_user_sets_up_an_app_again(enforced, make_user, assurance_client):
    assurance_session = assurance_client.session  # Assurance, too, have given a second factor
    assurance_session[mfa.PROVIDER_VERIFIED] = True
    assurance_session.save()
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)
    client = password_sign_in(user)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(HOME).status_code == 200

    assert reset(assurance_client, user).url == reverse("admin:ubpanel_user_changelist")

    assert client.get(HOME).url.startswith(VERIFY)  # the session's device has gone
    assert client.get(VERIFY).url == HOME
    assert client.get(HOME).url.startswith(ENROL)
    assert password_sign_in(user).get(HOME).url.startswith(ENROL)


def test_an_assurance_officer_cannot_reset_their_own(assurance_client):
    enrolled(assurance_client.user)

    reset(assurance_client, assurance_client.user)

    assert TOTPDevice.objects.filter(user=assurance_client.user).exists()


def test_only_assurance_may_reset(make_user):
    user = make_user(Role.PANEL_CHAIR)
    enrolled(user)

    with pytest.raises(PermissionDenied):
        mfa.devices_reset(user=user, actor=make_user(Role.PANEL_CHAIR))

    assert TOTPDevice.objects.filter(user=user).exists()


def test_the_audit_trail_never_holds_the_key_or_a_backup_code(enforced, make_user):
    user = make_user(Role.PANEL_CHAIR)
    client = password_sign_in(user)
    client.get(ENROL)
    key = pending_key(client)
    client.post(ENROL, {"code": code_for(key)})
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    mfa.devices_reset(user=user, actor=make_user(Role.ASSURANCE_OFFICER))

    trail = " ".join(
        f"{entry.changes} {entry.additional_data} {entry.object_repr}"
        for entry in LogEntry.objects.all()
    )
    assert LogEntry.objects.filter(content_type__model="totpdevice").count() == 2
    assert key not in trail
    assert not [code for code in codes if code in trail]


def test_giving_the_code_starts_a_new_session_key(enforced, make_user):
    user = make_user(Role.PANEL_CHAIR)
    device, _ = enrolled(user)
    client = password_sign_in(user)
    before = client.session.session_key

    client.post(VERIFY, {"code": code_for(device)})

    assert client.session.session_key != before
    assert client.get(HOME).status_code == 200


@pytest.mark.parametrize("typed", ["12\x003456", "9" * 100_000, "<script>alert(1)</script>"])
def test_hostile_input_is_a_message_beside_the_field_never_a_500(enforced, make_user, typed):
    with_app = make_user(Role.PANEL_CHAIR)
    enrolled(with_app)
    without = make_user(Role.PANEL_CHAIR)

    for user, url in ((with_app, VERIFY), (without, ENROL)):
        response = password_sign_in(user).post(url, {"code": typed})

        assert response.status_code == 400
        assert 'id="id_code-error"' in response.content.decode()
        assert "<script>alert" not in response.content.decode()


def test_assurance_cannot_open_the_devices_in_the_admin_and_nobody_sees_a_key_there(
    assurance_client, make_user
):
    user = make_user(Role.PANEL_CHAIR)
    device, codes = enrolled(user)
    superuser = signed_in(make_user(is_superuser=True, is_staff=True))

    assert assurance_client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    for url in (
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse(
            "admin:otp_static_staticdevice_change", args=[StaticDevice.objects.get(user=user).pk]
        ),
    ):
        response = superuser.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert device.key not in page
        assert not [code for code in codes if code in page]


def test_the_user_list_shows_who_has_set_up_an_app(assurance_client, make_user):
    enrolled(make_user(Role.PANEL_CHAIR, username="withapp"))
    make_user(Role.PANEL_CHAIR, username="withoutapp")

    response = assurance_client.get(reverse("admin:ubpanel_user_changelist"))

    rows = {user.username: user.uses_mfa for user in response.context["cl"].result_list}
    assert rows["withapp"] is True
    assert rows["withoutapp"] is False
    assert "Authenticator app" in response.content.decode()


def test_the_auditor_sees_a_refused_code_and_a_reset_in_the_audit_viewer(
    enforced, make_user, auditor_client
):
    user = make_user(Role.PANEL_CHAIR, username="lostphone")
    device, _ = enrolled(user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    password_sign_in(user).post(VERIFY, {"code": wrong})
    mfa.devices_reset(user=user, actor=make_user(Role.ASSURANCE_OFFICER, username="officer"))
    session = auditor_client.session  # the auditor has given their own second factor
    session[mfa.PROVIDER_VERIFIED] = True
    session.save()

    refused = auditor_client.get(reverse("audit_list"), {"action": "sign-in-failed"})
    removed = auditor_client.get(reverse("audit_list"), {"action": "delete", "user": "officer"})

    assert "Second factor: wrong-code" in refused.content.decode()
    assert f"{mfa.APP_NAME} ({user})" in removed.content.decode()
    assert f"{mfa.CODES_NAME} ({user})" in removed.content.decode()

"""Self-service password change for local accounts: the GOV.UK form, errors beside the fields,
the audit trail, and no password change for accounts that sign in through the identity provider."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from ubpanel.audit import Event

pytestmark = pytest.mark.django_db

User = get_user_model()
CHANGE = reverse("password_change")
NEW_PASSWORD = "a-new-and-longer-passphrase-2026"


@pytest.fixture
def user(make_user):
    return make_user(username="lchan")


@pytest.fixture
def signed_in(client, user, password):
    client.post(reverse("login"), {"username": "lchan", "password": password})
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


def change(client, old, new1, new2=None):
    return client.post(
        CHANGE,
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_the_header_links_to_the_password_change_page(signed_in):
    page = signed_in.get(reverse("home")).content.decode()

    assert f'href="{CHANGE}">Change password</a>' in page


def test_the_page_is_a_govuk_form(signed_in):
    response = signed_in.get(CHANGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Change your password" in page
    assert 'for="id_old_password">Current password' in page
    assert 'class="govuk-input"' in page
    assert "govuk-error-summary" not in page


def test_a_local_user_changes_their_password_and_it_is_audited(signed_in, user, password):
    other_session = Client()
    other_session.force_login(user)

    response = change(signed_in, password, NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # This session carries on; the account's other sessions end.
    home = signed_in.get(reverse("home"))
    assert home.status_code == 200
    assert "Your password has been changed." in home.content.decode()
    assert other_session.get(reverse("home")).status_code == 302
    entry = LogEntry.objects.get(additional_data__event="password-changed")
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == user
    assert entry.object_pk == str(user.pk)
    assert entry.changes_dict == {"password": ["[not recorded]", "[changed by the user]"]}
    assert user.password not in str(entry.changes) + str(entry.additional_data)


def test_a_wrong_current_password_is_shown_beside_the_field(signed_in, user, password):
    response = change(signed_in, "not-my-password-at-all", NEW_PASSWORD)

    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert 'id="id_old_password-error"' in page
    assert "Your current password is not right" in page
    user.refresh_from_db()
    assert user.check_password(password)


def test_new_passwords_that_differ_or_are_weak_are_refused_with_a_message(signed_in, password):
    differ = change(signed_in, password, NEW_PASSWORD, NEW_PASSWORD + "x")
    weak = change(signed_in, password, "12345678")

    assert differ.status_code == 400
    assert "The two new passwords are not the same" in differ.content.decode()
    assert weak.status_code == 400
    assert "This password is too short" in weak.content.decode()


def test_the_form_needs_its_csrf_token(user, password):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert change(client, password, NEW_PASSWORD).status_code == 403
    user.refresh_from_db()
    assert user.check_password(password)


def test_an_account_without_a_password_is_not_offered_it_and_is_refused(client, make_user):
    sso_only = make_user(username="sso.user")
    sso_only.set_unusable_password()
    sso_only.save()
    client.force_login(sso_only)

    assert "Change password" not in client.get(reverse("home")).content.decode()
    assert client.get(CHANGE).status_code == 403
    [refusal] = LogEntry.objects.filter(
        additional_data__event=str(Event.DENIED), additional_data__path=CHANGE
    )
    assert refusal.actor == sso_only


@override_settings(OIDC_ENABLED=True, OIDC_BREAK_GLASS_USERNAMES=["breakglass"])
def test_with_single_sign_on_only_break_glass_accounts_change_a_password_here(
    client, make_user, password
):
    local = make_user(username="mo")
    breakglass = make_user(username="breakglass")

    client.force_login(local)
    assert "Change password" not in client.get(reverse("home")).content.decode()
    assert client.get(CHANGE).status_code == 403

    client.force_login(breakglass)
    assert "Change password" in client.get(reverse("home")).content.decode()
    assert change(client, password, NEW_PASSWORD).status_code == 302

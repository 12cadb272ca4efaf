"""Signing in and out: the GOV.UK form, the audit trail, lockout after five failures, CSRF, and the
two session limits (30 minutes idle, 10 hours at most however active)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from ubpanel.middleware import SESSION_STARTED_KEY

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("login")
SIGN_OUT = reverse("logout")
HOME = reverse("home")
WRONG_PASSWORD = "not-the-password-at-all"


@pytest.fixture
def user(make_user):
    return make_user(username="jsmith")


def sign_in(client, username, password):
    return client.post(SIGN_IN, {"username": username, "password": password})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def assert_sent_to_sign_in(response):
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)


# --- The form ---------------------------------------------------------------------------------


def test_the_sign_in_page_renders_a_govuk_form(client):
    response = client.get(SIGN_IN)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Sign in</h1>' in page
    assert 'class="govuk-input"' in page
    assert 'name="username"' in page
    assert 'type="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "govuk-error-summary" not in page


def test_an_empty_sign_in_shows_the_error_summary_and_errors_beside_each_field(client):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Sign in – Error –" in page
    assert 'class="govuk-error-summary"' in page
    assert "There is a problem" in page
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page
    assert (
        '<p id="id_username-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter your username</p>'
    ) in page
    assert (
        '<p id="id_password-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter your password</p>'
    ) in page
    assert 'aria-describedby="id_username-error"' in page
    assert "govuk-input--error" in page
    assert signed_in_user_id(client) is None


def test_a_wrong_password_keeps_the_typed_username_but_not_the_password(client, user):
    response = sign_in(client, "jsmith", WRONG_PASSWORD)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct username and password. Both are case-sensitive." in page
    assert 'value="jsmith"' in page
    assert WRONG_PASSWORD not in page
    assert signed_in_user_id(client) is None


def test_a_successful_sign_in_goes_home_with_a_new_session_key(client, user, password):
    client.session  # noqa: B018 - the test client gives the visitor a session cookie, as a browser would have
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = sign_in(client, "jsmith", password)

    assert response.status_code == 302
    assert response.url == HOME
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.session.session_key == after
    assert signed_in_user_id(client) == str(user.pk)
    assert SESSION_STARTED_KEY in client.session
    assert client.get(HOME).status_code == 200


def test_it_does_not_follow_a_next_link_to_another_site(client, user, password):
    response = client.post(
        SIGN_IN,
        {"username": "jsmith", "password": password, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response.url == HOME


def test_a_signed_in_user_opening_the_sign_in_page_is_sent_home(client, user, password):
    sign_in(client, "jsmith", password)

    response = client.get(SIGN_IN)

    assert response.status_code == 302
    assert response.url == HOME


def test_pages_send_anonymous_visitors_to_sign_in(client):
    assert_sent_to_sign_in(client.get(HOME))


# --- Passwords ----------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2(user):
    assert user.password.startswith("argon2$")


def test_an_older_password_hash_is_upgraded_to_argon2_at_sign_in(client, user, password):
    user.password = make_password(password, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    sign_in(client, "jsmith", password)

    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# --- The audit trail ----------------------------------------------------------------------------


def test_a_sign_in_is_audited_against_the_user(client, user, password, audit_entries):
    sign_in(client, "jsmith", password)

    [entry] = audit_entries(event="sign-in")
    assert entry.actor == user
    assert entry.object_pk == str(user.pk)
    assert entry.content_type.model_class() is type(user)
    assert entry.remote_addr == "127.0.0.1"
    assert entry.additional_data["path"] == SIGN_IN
    assert audit_entries(event="sign-in-failed") == []


def test_a_failed_sign_in_is_audited_with_the_username_but_never_the_password(
    client, user, audit_entries
):
    sign_in(client, "jsmith", WRONG_PASSWORD)

    [entry] = audit_entries(event="sign-in-failed")
    assert entry.actor is None
    assert entry.additional_data["username"] == "jsmith"
    assert entry.additional_data["known_user"] is True
    assert entry.object_pk == str(user.pk)
    assert entry.remote_addr == "127.0.0.1"
    assert WRONG_PASSWORD not in str(entry.additional_data)
    assert WRONG_PASSWORD not in str(entry.changes)
    assert audit_entries(event="sign-in") == []


def test_a_failed_sign_in_for_an_unknown_username_is_audited_too(client, audit_entries):
    sign_in(client, "nobody-here", WRONG_PASSWORD)

    [entry] = audit_entries(event="sign-in-failed")
    assert entry.additional_data["username"] == "nobody-here"
    assert entry.additional_data["known_user"] is False
    assert entry.object_pk == ""
    assert entry.object_repr == "nobody-here"


def test_signing_out_ends_the_session_and_is_audited(client, user, password, audit_entries):
    sign_in(client, "jsmith", password)

    response = client.post(SIGN_OUT)

    assert_sent_to_sign_in(response)
    [entry] = audit_entries(event="sign-out")
    assert entry.actor == user
    assert entry.object_pk == str(user.pk)
    assert signed_in_user_id(client) is None
    assert_sent_to_sign_in(client.get(HOME))


def test_signing_out_by_get_is_not_allowed(client, user, password, audit_entries):
    sign_in(client, "jsmith", password)

    response = client.get(SIGN_OUT)

    assert response.status_code == 405
    assert audit_entries(event="sign-out") == []
    assert client.get(HOME).status_code == 200


# --- Lockout (django-axes) ----------------------------------------------------------------------


def fail_to_sign_in(client, username, times):
    return [sign_in(client, username, WRONG_PASSWORD).status_code for _ in range(times)]


def test_it_locks_an_account_after_five_failures_even_against_the_right_password(
    client, user, password
):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail_to_sign_in(client, "jsmith", 5) == [200, 200, 200, 200, 429]

    response = sign_in(client, "jsmith", password)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Your account is locked" in page
    assert "There have been 5 failed attempts" in page
    assert signed_in_user_id(client) is None
    assert_sent_to_sign_in(client.get(HOME))
    assert AccessAttempt.objects.get(username="jsmith").failures_since_start >= 5


def test_a_lockout_is_per_account_so_colleagues_at_the_same_address_can_still_sign_in(
    client, user, make_user, password
):
    colleague = make_user(username="colleague")
    fail_to_sign_in(client, "jsmith", 5)

    response = sign_in(Client(), "colleague", password)

    assert response.status_code == 302
    assert response.url == HOME
    assert AccessAttempt.objects.filter(username=colleague.username).count() == 0


def test_a_successful_sign_in_resets_the_failure_count(client, user, password):
    fail_to_sign_in(client, "jsmith", 4)
    assert sign_in(client, "jsmith", password).status_code == 302
    client.post(SIGN_OUT)

    assert fail_to_sign_in(client, "jsmith", 4) == [200, 200, 200, 200]
    response = sign_in(client, "jsmith", password)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_a_locked_account_can_sign_in_again_after_the_thirty_minute_cool_off(
    client, user, password
):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        fail_to_sign_in(client, "jsmith", 5)
        assert sign_in(client, "jsmith", password).status_code == 429

        traveller.shift(timedelta(minutes=31))
        response = sign_in(client, "jsmith", password)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


# --- CSRF -------------------------------------------------------------------------------------


def test_signing_in_without_a_csrf_token_is_refused(user, password):
    browser = Client(enforce_csrf_checks=True)

    response = sign_in(browser, "jsmith", password)

    assert response.status_code == 403
    assert signed_in_user_id(browser) is None


def test_signing_in_with_the_csrf_token_from_the_form_works(user, password):
    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGN_IN)
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value

    response = browser.post(
        SIGN_IN, {"username": "jsmith", "password": password, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert signed_in_user_id(browser) == str(user.pk)


def test_signing_out_without_a_csrf_token_is_refused(user, audit_entries):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    response = browser.post(SIGN_OUT)

    assert response.status_code == 403
    assert audit_entries(event="sign-out") == []
    assert browser.get(HOME).status_code == 200


# --- Session limits ----------------------------------------------------------------------------


def test_sessions_time_out_after_thirty_idle_minutes_recorded_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_ACTIVITY_STEP_SECONDS == 60  # tests/test_session_activity.py
    assert settings.SESSION_ABSOLUTE_SECONDS == 10 * 60 * 60


def test_a_session_unused_for_31_minutes_is_signed_out(client, user, password):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        sign_in(client, "jsmith", password)
        traveller.shift(timedelta(minutes=31))

        response = client.get(HOME)

    assert_sent_to_sign_in(response)
    assert signed_in_user_id(client) is None


def test_each_request_renews_the_idle_timeout(client, user, password):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        sign_in(client, "jsmith", password)
        for _ in range(3):
            traveller.shift(timedelta(minutes=29))
            assert client.get(HOME).status_code == 200

        traveller.shift(timedelta(minutes=31))
        assert_sent_to_sign_in(client.get(HOME))


def test_a_session_ends_ten_hours_after_sign_in_however_active(
    client, user, password, audit_entries
):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        sign_in(client, "jsmith", password)
        for _ in range(10 * 3):  # a request every 20 minutes, never idle for long
            traveller.shift(timedelta(minutes=20))
            assert client.get(HOME).status_code == 200
        assert audit_entries(event="session-expired") == []

        traveller.shift(timedelta(minutes=1))
        response = client.get(HOME)

        assert_sent_to_sign_in(response)
        assert signed_in_user_id(client) is None
        [expired] = audit_entries(event="session-expired")
        assert expired.actor == user
        assert expired.object_pk == str(user.pk)
        assert expired.remote_addr == "127.0.0.1"
        assert expired.additional_data["path"] == HOME
        sign_in_page = client.get(response.url).content.decode()
        assert "Your session has ended. Sign in again to carry on." in sign_in_page
        assert_sent_to_sign_in(client.get(HOME))


def test_the_ten_hour_limit_also_applies_to_sessions_that_began_without_the_form(
    client, user, audit_entries
):
    with time_machine.travel(datetime.now(UTC), tick=False) as traveller:
        client.force_login(user)
        assert client.get(HOME).status_code == 200  # the middleware starts the clock here
        for _ in range(10 * 3):
            traveller.shift(timedelta(minutes=20))
            client.get(HOME)

        traveller.shift(timedelta(minutes=1))
        assert_sent_to_sign_in(client.get(HOME))

    assert [e.actor for e in audit_entries(event="session-expired")] == [user]

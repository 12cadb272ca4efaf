"""The session is saved at most once a minute (issue 16, point 2), and the 30-minute idle rule stays
exact to the minute: idle 29 minutes is still signed in, idle 30 is signed out, whenever in the
minute the last request came."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ubpanel.mfa import HAS_DEVICE
from ubpanel.middleware import SESSION_ACTIVE_AT_KEY

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("login")
HOME = reverse("home")
STEP = timedelta(seconds=settings.SESSION_ACTIVITY_STEP_SECONDS)


@pytest.fixture
def traveller():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(client, make_user, password, traveller):
    make_user(username="jsmith")
    response = client.post(SIGN_IN, {"username": "jsmith", "password": password})
    assert response.status_code == 302
    return client


def session_writes(captured) -> list[str]:
    table = Session._meta.db_table
    return [
        query["sql"]
        for query in captured.captured_queries
        if table in query["sql"] and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


def get_home(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HOME)
    return response, session_writes(captured)


def is_signed_in(client) -> bool:
    response = client.get(HOME)
    if response.status_code == 302:
        assert response.url.startswith(SIGN_IN)
        return False
    assert response.status_code == 200
    return True


def test_the_activity_step_is_a_minute_and_the_session_is_not_saved_on_every_request():
    assert settings.SESSION_ACTIVITY_STEP_SECONDS == 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_sign_in_records_the_activity(signed_in):
    assert signed_in.session[SESSION_ACTIVE_AT_KEY] == datetime.now(UTC).timestamp()


def test_requests_within_a_minute_save_the_session_once(signed_in, traveller):
    writes = []
    for _ in range(6):  # one every 9 seconds: 54 seconds in all
        traveller.shift(timedelta(seconds=9))
        response, saved = get_home(signed_in)
        assert response.status_code == 200
        writes += saved

    assert writes == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # nothing new to send

    traveller.shift(timedelta(seconds=6))  # a minute after sign-in
    response, saved = get_home(signed_in)

    assert len(saved) == 1
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert signed_in.session[SESSION_ACTIVE_AT_KEY] == datetime.now(UTC).timestamp()


def test_a_request_every_ten_seconds_for_ten_minutes_saves_the_session_ten_times(
    signed_in, traveller
):
    writes = []
    for _ in range(60):
        traveller.shift(timedelta(seconds=10))
        response, saved = get_home(signed_in)
        assert response.status_code == 200
        writes += saved

    assert len(writes) == 10


def test_a_session_changed_for_another_reason_is_saved_and_records_the_activity(
    signed_in, traveller
):
    session = signed_in.session
    del session[HAS_DEVICE]  # the next page looks the user's devices up again, into the session
    session.save()
    traveller.shift(timedelta(seconds=20))

    response, saved = get_home(signed_in)

    assert response.status_code == 200
    assert len(saved) == 1
    assert signed_in.session[HAS_DEVICE] is False
    assert signed_in.session[SESSION_ACTIVE_AT_KEY] == datetime.now(UTC).timestamp()


@pytest.mark.parametrize("last_request_after_recorded", [0, 1, 30, 59])
@pytest.mark.parametrize(
    ("idle_minutes", "still_signed_in"), [(29, True), (30, False), (31, False)]
)
def test_idle_29_minutes_is_signed_in_and_30_or_31_signed_out_wherever_the_minute_fell(
    signed_in, traveller, last_request_after_recorded, idle_minutes, still_signed_in
):
    """Sign-in records the activity; the last request comes up to 59 s later, not recorded."""
    traveller.shift(timedelta(seconds=last_request_after_recorded))
    response, saved = get_home(signed_in)
    assert (response.status_code, saved) == (200, [])

    traveller.shift(timedelta(minutes=idle_minutes))

    assert is_signed_in(signed_in) is still_signed_in


def test_idle_29_minutes_59_seconds_after_a_recorded_request_is_still_signed_in(
    signed_in, traveller
):
    traveller.shift(timedelta(minutes=29, seconds=59))

    assert is_signed_in(signed_in)


def test_each_recorded_request_renews_the_idle_limit(signed_in, traveller):
    for _ in range(4):
        traveller.shift(timedelta(minutes=29, seconds=59))
        assert is_signed_in(signed_in)  # recorded: more than a minute since the last

    traveller.shift(timedelta(minutes=30))
    assert not is_signed_in(signed_in)


def test_a_session_ended_for_idleness_is_deleted_and_its_cookie_cleared(signed_in, traveller):
    key = signed_in.session.session_key
    traveller.shift(timedelta(minutes=30))
    # The stored session expires at the same moment; kept here, the rule still ends it.
    Session.objects.filter(session_key=key).update(
        expire_date=datetime.now(UTC) + timedelta(hours=1)
    )

    response = signed_in.get(HOME)

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""


def test_the_stored_session_expires_with_the_recorded_activity(signed_in, traveller):
    traveller.shift(timedelta(seconds=45))
    get_home(signed_in)
    stored = Session.objects.get(session_key=signed_in.session.session_key)
    recorded = signed_in.session[SESSION_ACTIVE_AT_KEY]

    assert stored.expire_date.timestamp() == recorded + settings.SESSION_COOKIE_AGE


@override_settings(SESSION_ACTIVITY_STEP_SECONDS=0)
def test_a_step_of_zero_saves_the_session_on_every_request(signed_in, traveller):
    for _ in range(3):
        traveller.shift(timedelta(seconds=1))
        assert len(get_home(signed_in)[1]) == 1


@override_settings(SESSION_ACTIVITY_STEP_SECONDS=300)
def test_the_step_is_a_setting(signed_in, traveller):
    traveller.shift(timedelta(minutes=4, seconds=59))
    assert get_home(signed_in)[1] == []

    traveller.shift(timedelta(seconds=1))
    assert len(get_home(signed_in)[1]) == 1


def test_a_session_from_before_the_change_records_its_activity_at_its_next_request(
    client, make_user, traveller
):
    client.force_login(make_user(username="jsmith"))
    session = client.session
    session.pop(SESSION_ACTIVE_AT_KEY, None)
    session.save()

    response, saved = get_home(client)

    assert response.status_code == 200
    assert len(saved) == 1
    assert client.session[SESSION_ACTIVE_AT_KEY] == datetime.now(UTC).timestamp()


def test_an_anonymous_visitor_gets_no_session(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SIGN_IN)

    assert response.status_code == 200
    assert session_writes(captured) == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_session_begun_outside_the_sign_in_page_holds_its_times_from_the_start(
    client, make_user, traveller
):
    """Single sign-on and a test's force_login go through Django's login() too: the sign-in
    receiver records the session's start and activity, so its first page saves nothing."""
    client.force_login(make_user(username="sso"))

    response, writes = get_home(client)

    assert response.status_code == 200
    assert writes == []
    assert (
        client.session[SESSION_ACTIVE_AT_KEY] == datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp()
    )

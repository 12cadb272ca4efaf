"""Logs (issue 12, point 7): JSON lines with a request id and no personal data; a bad Host header
is one WARNING line, not a traceback. The real gunicorn's lines are in tests/test_production_checks.py.
"""

import io
import json
import logging

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from ubpanel.logging import (
    DisallowedHostFilter,
    JsonFormatter,
    PersonalDataFilter,
    RequestIdFilter,
    scrub,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The root logger writing through the production handler (JSON, request id, personal data
    filter) into a buffer; returns a function giving the lines written so far."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_each_request_gets_an_id_in_its_header_and_on_its_log_line(client, json_log):
    response = client.get(reverse("login"))

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [line for line in json_log() if line["logger"] == "ubpanel.request"]
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "ubpanel.request",
        "message": "GET login 200",
        "request_id": request_id,
        "url_name": "login",
        "method": "GET",
        "status_code": 200,
        "duration_ms": line["duration_ms"],
    }


def test_a_clients_request_id_is_not_believed_without_a_trusted_proxy(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="chosen-by-the-client")

    assert response["X-Request-ID"] != "chosen-by-the-client"


@override_settings(USE_X_FORWARDED_FOR=True)
def test_the_trusted_proxys_request_id_is_kept_so_the_logs_join_up(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="proxy-7f3a.2")

    assert response["X-Request-ID"] == "proxy-7f3a.2"


@override_settings(USE_X_FORWARDED_FOR=True)
@pytest.mark.parametrize("given", ["two\nlines", "x" * 200, "<script>", ""])
def test_a_request_id_that_could_forge_log_lines_is_replaced(client, given):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_the_log_names_the_url_never_its_query(client, json_log, frontline_client):
    frontline_client.get(
        reverse("schedule:index"), {"q": "Jonathan Smithers", "postcode": "DT1 1XJ"}
    )

    written = json.dumps(json_log())
    assert "schedule:index" in written
    assert "Smithers" not in written
    assert "DT1" not in written


def test_lines_from_other_libraries_lose_query_strings_emails_and_extras(json_log):
    # As Django's development server (which logs through the same handler) and a Celery failure
    # would log them.
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    logging.getLogger("tests.server").info(
        '"%s" %s %s', "GET /schedule/?q=Jonathan+Smithers HTTP/1.1", "200", "1234"
    )
    logging.getLogger("celery.app.trace").error(
        "Task failed: to %s",
        "jane.doe@example.org",
        extra={"data": {"kwargs": {"body": "Dear Ms Doe, 1 High Street"}}, "request": object()},
    )

    text = json.dumps(json_log())
    for personal in ("Smithers", "jane.doe", "High Street", "Ms Doe"):
        assert personal not in text
    assert "GET /schedule/?[query] HTTP/1.1" in text
    assert "to [email]" in text


def test_a_traceback_is_kept_for_errors(json_log):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("ubpanel").exception("It failed")

    [line] = json_log()
    assert "RuntimeError: boom" in line["exc_info"]


def test_scrub_leaves_ordinary_text_alone():
    assert scrub("GET referrals:detail 200") == "GET referrals:detail 200"


def test_a_bad_host_header_is_answered_400_with_one_warning_and_no_traceback(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("login"), HTTP_HOST="attacker.example")

    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert "attacker.example" in record.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_disallowed_host_filter_makes_any_such_record_a_plain_warning():
    record = logging.LogRecord(
        "django.security.DisallowedHost", logging.ERROR, __file__, 1, "Invalid", None, None
    )
    record.exc_info = (ValueError, ValueError("x"), None)

    assert DisallowedHostFilter().filter(record)
    assert (record.levelname, record.exc_info) == ("WARNING", None)

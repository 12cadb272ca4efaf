"""Production fails safe (issue 12, point 7): the email backend check, the untrusted proxy's HTTPS
header, and the real gunicorn started as the Dockerfile starts it.

``check --deploy`` itself, run in a fresh production process, is in tests/test_security.py.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse

from ubpanel.checks import UNSAFE_EMAIL_BACKENDS, email_backend_sends_email

from .test_security import production_env

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HOST = "ubpanel.council.example"
DEADLINE_SECONDS = 60.0

# --- Email ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", sorted(UNSAFE_EMAIL_BACKENDS))
def test_production_refuses_an_email_backend_that_keeps_letters_on_the_machine(backend):
    with override_settings(DJANGO_ENV="production", EMAIL_BACKEND=backend):
        [error] = email_backend_sends_email(None)

    assert error.level == checks.ERROR
    assert error.id == "ubpanel.E001"
    assert backend in error.msg
    assert "EMAIL_URL" in error.hint


def test_production_accepts_smtp():
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    with override_settings(DJANGO_ENV="production", EMAIL_BACKEND=smtp):
        assert email_backend_sends_email(None) == []


def test_the_demo_and_the_tests_may_print_emails():
    console = "django.core.mail.backends.console.EmailBackend"
    for environment in ("development", "test"):
        with override_settings(DJANGO_ENV=environment, EMAIL_BACKEND=console):
            assert email_backend_sends_email(None) == []


def test_the_check_is_registered_as_a_deployment_check():
    assert email_backend_sends_email in checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
    assert email_backend_sends_email not in checks.registry.registry.get_checks()


# --- An untrusted proxy -----------------------------------------------------------------------------


@override_settings(SECURE_SSL_REDIRECT=True, USE_X_FORWARDED_FOR=False)
def test_an_untrusted_proxys_https_header_gets_a_clear_error_not_a_redirect_loop(client, caplog):
    with caplog.at_level(logging.ERROR, logger="ubpanel.proxy"):
        response = client.get(reverse("home"), HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 500
    assert "Location" not in response
    assert "USE_X_FORWARDED_FOR" in response.content.decode()
    [record] = caplog.records
    assert record.setting == "USE_X_FORWARDED_FOR"
    assert "USE_X_FORWARDED_FOR" in record.getMessage()


@override_settings(
    SECURE_SSL_REDIRECT=True,
    USE_X_FORWARDED_FOR=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_a_trusted_proxys_https_request_is_served(client):
    response = client.get(reverse("home"), HTTP_X_FORWARDED_PROTO="https")

    # Signing in is the next step; no redirect to HTTPS.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@override_settings(SECURE_SSL_REDIRECT=True, USE_X_FORWARDED_FOR=False)
def test_plain_http_without_a_proxy_is_still_redirected_to_https(client):
    response = client.get(reverse("home"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(
    SECURE_SSL_REDIRECT=True, USE_X_FORWARDED_FOR=False, SECURE_REDIRECT_EXEMPT=[r"^healthz"]
)
def test_the_health_checks_answer_whatever_the_proxy_says(client):
    response = client.get(reverse("healthz_live"), HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200


# --- The real gunicorn -------------------------------------------------------------------------------


def dockerfile_command() -> list[str]:
    """The image's CMD, as docker would run it."""
    [line] = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    ]
    return json.loads(line.removeprefix("CMD "))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, **headers) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn started with the Dockerfile's command on a free loopback port, with production
    settings and a home folder it cannot write (as a non-root user's would be); yields the port
    and the log file once ``/healthz/live`` answers."""
    folder = tmp_path_factory.mktemp("gunicorn")
    (folder / "a-file").write_text("not a folder")
    port = _free_port()
    command = dockerfile_command()
    assert command[0] == "gunicorn"
    command = [sys.executable, "-m", "gunicorn", *command[1:]]
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    env = production_env(
        # Even root cannot make a folder inside a file: a control socket there would fail.
        HOME=str(folder / "a-file" / "home"),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    log = folder / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                if _get(port, "/healthz/live")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer in {DEADLINE_SECONDS}s:\n{log.read_text()}")
            time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _json_lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_gunicorn_starts_cleanly_with_the_dockerfiles_command(gunicorn):
    port, log = gunicorn

    status, headers, body = _get(port, "/healthz/live")

    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    text = log.read_text()
    assert "[ERROR]" not in text, text
    assert "Traceback" not in text, text
    assert "Control server" not in text, text


def test_the_access_log_is_a_json_line_with_the_url_name_not_the_query(gunicorn):
    port, log = gunicorn

    status, headers, _ = _get(port, "/schedule/?q=John+Smith")

    assert status == 301  # to HTTPS
    [line] = [line for line in _json_lines(log) if line["request_id"] == headers["X-Request-ID"]]
    assert line["logger"] == "ubpanel.request"
    assert (line["url_name"], line["status_code"], line["method"]) == ("schedule:index", 301, "GET")
    assert "Smith" not in log.read_text()


def test_a_bad_host_header_is_answered_400_and_logged_as_one_warning_line(gunicorn):
    port, log = gunicorn

    status, headers, _ = _get(port, "/", Host="attacker.example")

    assert status == 400
    lines = [line for line in _json_lines(log) if line["request_id"] == headers["X-Request-ID"]]
    [warning] = [line for line in lines if line["logger"] == "django.security.DisallowedHost"]
    assert warning["level"] == "WARNING"
    assert "attacker.example" in warning["message"]
    assert "exc_info" not in warning
    assert "Traceback" not in log.read_text()


def test_an_untrusted_proxy_gets_the_clear_error_from_the_real_server(gunicorn):
    port, log = gunicorn

    status, headers, body = _get(port, "/", **{"X-Forwarded-Proto": "https"})

    assert status == 500
    assert "Location" not in headers
    assert "USE_X_FORWARDED_FOR" in body
    [line] = [
        line
        for line in _json_lines(log)
        if line["request_id"] == headers["X-Request-ID"] and line["logger"] == "ubpanel.proxy"
    ]
    assert line["level"] == "ERROR"
    assert line["setting"] == "USE_X_FORWARDED_FOR"

"""Security headers, no inline script, the production settings and whose address the audit trail
believes."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def person_url(person):
    return reverse("referrals:person_detail", args=[person.pk])


# --- Headers -----------------------------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    directives = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return header, directives


def assert_strict_headers(response):
    header, directives = csp_directives(response)
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_for_signed_in_users_send_strict_headers_and_are_never_stored(
    assurance_client, person
):
    for url in [reverse("home"), person_url(person)]:
        response = assurance_client.get(url)

        assert response.status_code == 200, url
        assert_strict_headers(response)
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url


def test_a_refusal_shown_to_a_signed_in_user_is_not_stored_either(frontline_client, person):
    response = frontline_client.get(person_url(person))

    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert_strict_headers(response)


def test_the_anonymous_sign_in_page_sends_strict_headers_too(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_strict_headers(response)


# --- No inline script --------------------------------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """What the CSP above would block: inline scripts, event-handler attributes, inline styles
    and javascript: links."""

    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not attributes.get("src"):
                self.problems.append(f"<script> without src: {self.getpos()}")
        if tag == "style":
            self.problems.append(f"<style> element: {self.getpos()}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= handler on <{tag}>")
            if name == "style":
                self.problems.append(f"style= attribute on <{tag}>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")


def inline_code_in(response):
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    finder.close()
    assert finder.scripts > 0, "the page should load the site's scripts from files"
    return finder.problems


def test_no_page_has_inline_script_or_style(chair_client, person):
    anonymous = Client()
    responses = {
        "sign-in": anonymous.get(reverse("login")),
        "sign-in with errors": anonymous.post(reverse("login"), {"username": "", "password": ""}),
        "home": chair_client.get(reverse("home")),
        "person": chair_client.get(person_url(person)),
        "audit trail": chair_client.get(reverse("audit_list")),
        "not found": chair_client.get(reverse("referrals:person_detail", args=[999999])),
    }

    for name, response in responses.items():
        assert response.status_code in {200, 404}, name
        assert inline_code_in(response) == [], name


def test_the_locked_out_page_has_no_inline_script_either(client, make_user):
    make_user(username="jsmith")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "jsmith", "password": "wrong"})

    assert response.status_code == 429
    assert inline_code_in(response) == []
    assert_strict_headers(response)


# --- Production settings (a fresh process each, as a deployment would start) -------------------

# Only what the operating system needs: nothing of ubpanel's configuration leaks in from the
# environment the tests run in (DATABASE_URL, DJANGO_ENV=test, ...).
_SYSTEM_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def production_env(**overrides):
    env = {name: os.environ[name] for name in _SYSTEM_VARIABLES if name in os.environ}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(45)[:60],
        ALLOWED_HOSTS="ubpanel.council.example",
        DATABASE_URL="sqlite:////tmp/x.sqlite3",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp+tls://ubpanel@smtp.council.example:587",
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_deployment_checklist_passes_with_production_settings():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 60

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_checklist_fails_with_the_console_email_backend():
    # Letters with names and addresses would be printed to the worker's log (issue 12).
    env = production_env(EMAIL_URL="consolemail://")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "ubpanel.E001" in result.stderr
    assert "console.EmailBackend" in result.stderr


def test_production_is_the_default_with_debug_off_hsts_and_secure_cookies():
    show = (
        "import json; from django.conf import settings as s; print(json.dumps({name: "
        "getattr(s, name) for name in ['DJANGO_ENV', 'DEBUG', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_SSL_REDIRECT', 'USE_X_FORWARDED_FOR']} | {'HASHER': s.PASSWORD_HASHERS[0]}))"
    )

    # No DJANGO_ENV and no DEBUG: a deployment that forgets them gets production, not the demo.
    result = manage("shell", "--no-imports", "-c", show, env=production_env(DJANGO_ENV=None))

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {
        "DJANGO_ENV": "production",
        "DEBUG": False,
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "USE_X_FORWARDED_FOR": False,
        # Full-cost Argon2: the suite's cheap variant exists only under DJANGO_ENV=test.
        "HASHER": "django.contrib.auth.hashers.Argon2PasswordHasher",
    }


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        pytest.param({"SECRET_KEY": None}, "SECRET_KEY", id="no-secret-key"),
        pytest.param({"SECRET_KEY": "too-short-a-secret"}, "SECRET_KEY", id="short-secret-key"),
        pytest.param(
            {"SECRET_KEY": "django-insecure-" + "x" * 60}, "SECRET_KEY", id="insecure-secret-key"
        ),
        pytest.param({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS", id="no-allowed-hosts"),
        pytest.param({"DEBUG": "true"}, "DEBUG", id="debug-on"),
        pytest.param({"DATABASE_URL": None}, "DATABASE_URL", id="no-database"),
        pytest.param({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL", id="no-broker"),
        pytest.param({"DJANGO_ENV": "staging"}, "DJANGO_ENV", id="unknown-environment"),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_setting(overrides, named):
    result = manage("check", env=production_env(**overrides))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.strip().splitlines()[-1]


# --- Whose address the audit trail records ---------------------------------------------------------


def test_x_forwarded_for_is_not_believed_by_default(assurance_client, person, audit_entries):
    response = assurance_client.get(person_url(person), HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert response.status_code == 200
    [entry] = audit_entries(event="view")
    assert entry.remote_addr == "127.0.0.1"


def test_a_spoofed_address_cannot_hide_failed_sign_ins(client, make_user, audit_entries):
    make_user(username="jsmith")

    client.post(
        reverse("login"),
        {"username": "jsmith", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )

    [entry] = audit_entries(event="sign-in-failed")
    assert entry.remote_addr == "127.0.0.1"
    assert AccessAttempt.objects.get(username="jsmith").ip_address == "127.0.0.1"


def test_x_forwarded_for_is_believed_behind_a_trusted_proxy(
    assurance_client, person, audit_entries, settings
):
    settings.USE_X_FORWARDED_FOR = True

    assurance_client.get(person_url(person), HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.1")

    [entry] = audit_entries(event="view")
    assert entry.remote_addr == "6.6.6.6"

"""Shared fixtures: users and clients by role, the audit trail, and the real services.

With UBPANEL_REQUIRE_SERVICES=1 (set by .ci/run) the run stops at once, failing, unless the
database is PostgreSQL and the Redis broker answers: CI never quietly falls back to SQLite.
"""

import os

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection

from ubpanel.roles import Role

from .factories import PASSWORD, PersonFactory, ServiceFactory, UserFactory
from .mail import keep_private_files_in


def _broker_reachable() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return "CELERY_BROKER_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis at {settings.CELERY_BROKER_URL} did not answer: {error}"
    return None


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL or "none: tasks run in-process (eager)"
    return [
        f"ubpanel database engine: {connection.vendor} ({db['ENGINE']}, host {db.get('HOST') or '-'})",
        f"ubpanel Celery broker: {broker}",
    ]


def pytest_sessionstart(session):
    if os.environ.get("UBPANEL_REQUIRE_SERVICES") != "1":
        return
    problems = []
    if connection.vendor != "postgresql":
        problems.append(f"the database is {connection.vendor}, not PostgreSQL (set DATABASE_URL)")
    broker_problem = _broker_reachable()
    if broker_problem:
        problems.append(broker_problem)
    if problems:
        pytest.exit("UBPANEL_REQUIRE_SERVICES=1 but " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(monkeypatch, tmp_path):
    """Evidence, raw emails and letters written by tests never land in var/media."""
    keep_private_files_in(monkeypatch, tmp_path / "private")


@pytest.fixture
def broker_url():
    """The real Redis broker. Without one configured the test cannot run here."""
    problem = _broker_reachable()
    if problem:
        if os.environ.get("UBPANEL_REQUIRE_SERVICES") == "1":
            pytest.fail(problem)
        pytest.skip(problem + " (CI sets it; see README)")
    return settings.CELERY_BROKER_URL


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_user(db):
    def make(*roles, **kwargs):
        return UserFactory(roles=list(roles), **kwargs)

    return make


def _role_client(client, make_user, role):
    user = make_user(role, username=role.value)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def manager_client(client, make_user):
    return _role_client(client, make_user, Role.REFERRING_MANAGER)


@pytest.fixture
def assurance_client(client, make_user):
    return _role_client(client, make_user, Role.ASSURANCE_OFFICER)


@pytest.fixture
def panel_client(client, make_user):
    return _role_client(client, make_user, Role.PANEL_MEMBER)


@pytest.fixture
def chair_client(client, make_user):
    return _role_client(client, make_user, Role.PANEL_CHAIR)


@pytest.fixture
def legal_client(client, make_user):
    return _role_client(client, make_user, Role.LEGAL_SERVICES)


@pytest.fixture
def asc_client(client, make_user):
    return _role_client(client, make_user, Role.ASC_REPRESENTATIVE)


@pytest.fixture
def frontline_client(client, make_user):
    return _role_client(client, make_user, Role.FRONTLINE)


@pytest.fixture
def auditor_client(client, make_user):
    return _role_client(client, make_user, Role.AUDITOR)


@pytest.fixture
def outsider_client(client, make_user):
    """Signed in, but with no role at all."""
    user = make_user(username="outsider")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def role_client(client, make_user):
    """A client signed in as a fresh user holding ``role`` (for parametrised tests)."""

    def sign_in(role, **kwargs):
        user = make_user(role, **kwargs) if role else make_user(**kwargs)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


@pytest.fixture
def person(db):
    return PersonFactory()


@pytest.fixture
def housing(db):
    return ServiceFactory(name="Housing")


@pytest.fixture
def audit_entries(db):
    """The audit trail, newest last: ``audit_entries(event="view")`` filters access events."""

    def entries(event=None, **filters):
        queryset = LogEntry.objects.filter(**filters).order_by("pk")
        if event is not None:
            queryset = queryset.filter(action=LogEntry.Action.ACCESS, additional_data__event=event)
        return list(queryset)

    return entries


@pytest.fixture
def deputy_monitoring_client(client, make_user):
    """The Deputy Monitoring Officer, who decides appeals as the Monitoring Officer does."""
    return _role_client(client, make_user, Role.DEPUTY_MONITORING_OFFICER)

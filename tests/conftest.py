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

from .factories import PASSWORD, PersonFactory, ServiceFactory, UserFactory, forget_role_groups
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
def _role_groups_forgotten_after_each_test():
    """The factories' cache of role group ids never outlives the test that filled it."""
    yield
    forget_role_groups()


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


# The clients signed in as one role each: fixture name -> the role its user holds (username: the
# role's value).
ROLE_CLIENTS = {
    "manager_client": Role.REFERRING_MANAGER,
    "assurance_client": Role.ASSURANCE_OFFICER,
    "panel_client": Role.PANEL_MEMBER,
    "chair_client": Role.PANEL_CHAIR,
    "legal_client": Role.LEGAL_SERVICES,
    "asc_client": Role.ASC_REPRESENTATIVE,
    "frontline_client": Role.FRONTLINE,
    "auditor_client": Role.AUDITOR,
    # The Deputy Monitoring Officer, who decides appeals as the Monitoring Officer does.
    "deputy_monitoring_client": Role.DEPUTY_MONITORING_OFFICER,
}


def _signed_in(client, user):
    client.force_login(user)
    client.user = user
    return client


def _role_client_fixture(name: str, role: Role):
    def role_client(client, make_user):
        return _signed_in(client, make_user(role, username=role.value))

    role_client.__doc__ = f"A client signed in with the role {role.label!r}."
    return pytest.fixture(name=name)(role_client)


for _name, _role in ROLE_CLIENTS.items():
    globals()[_name] = _role_client_fixture(_name, _role)


@pytest.fixture
def outsider_client(client, make_user):
    """Signed in, but with no role at all."""
    return _signed_in(client, make_user(username="outsider"))


@pytest.fixture
def role_client(client, make_user):
    """A client signed in as a fresh user holding ``role`` (for parametrised tests)."""

    def sign_in(role, **kwargs):
        user = make_user(role, **kwargs) if role else make_user(**kwargs)
        return _signed_in(client, user)

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

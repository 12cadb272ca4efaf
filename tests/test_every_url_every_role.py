"""Every URL, as every role, with real records: no 500, anonymous users sent to sign in, and every
403 and 404 answered with its own ``denied`` audit row (issue 12).

The URLs come from the URL configuration itself (``get_resolver().url_patterns`` walked whole), so a
new view is requested here without anyone adding it; a URL whose record kind is unknown
(``ubpanel.refusals.OBJECT_KINDS``) or whose arguments cannot be filled fails the test.

The records are built once for the module (``tests/url_objects.py``) inside a transaction that is
rolled back at the end; each request runs in a savepoint rolled back after it, so a POST that
changes something does not change what the next request sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ubpanel.refusals import OBJECT_KINDS
from ubpanel.roles import Role

from . import url_objects
from .mail import keep_private_files_in

# The records are built by ``world`` for the module; the mark makes pytest-django set up the test
# database and wrap each test in a savepoint inside the module's transaction.
pytestmark = pytest.mark.django_db

WHO = [role.value for role in Role] + ["outsider", "anonymous"]
SIGN_OUT = {"logout", "admin:logout"}
# The readiness probe answers 503 while a part is down (here: no beat heartbeat): that is its answer.
NOT_READY = {"healthz_ready"}
# Where anonymous requests are sent: the sign-in page, or the admin's, which sends them on to it.
SIGN_IN = (resolve_url(settings.LOGIN_URL), "/admin/login/")


@dataclass(frozen=True)
class Url:
    name: str  # "namespace:name"
    route: str
    params: tuple[str, ...]
    callback: object

    @property
    def open_to_anonymous(self) -> bool:
        return getattr(self.callback, "login_required", True) is False


def _walk(patterns, namespace="", prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            params = tuple(pattern.pattern.regex.groupindex)
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Url(name, prefix + str(pattern.pattern), params, pattern.callback)


URLS = list(_walk(get_resolver().url_patterns))
OUR_URLS = [url for url in URLS if not url.route.startswith("admin/")]


def test_every_url_of_ours_says_what_kind_of_record_it_is_about():
    """So that a refusal is filed under the right kind of record, and this module can fill it."""
    unnamed = [url.route for url in OUR_URLS if not url.name and url.params]
    unknown = [url.name for url in OUR_URLS if url.name and url.name not in OBJECT_KINDS]
    assert unnamed == []
    assert unknown == []


def _kwargs(url: Url, world: url_objects.World) -> dict | None:
    """The URL's arguments from the world, or None when it names something the world lacks."""
    kwargs = dict(url_objects.EXTRA_KWARGS.get(url.name, {}))
    for param in url.params:
        if param in kwargs:
            continue
        if param == "pk" and url.name in OBJECT_KINDS:
            kwargs[param] = world.pk_of(OBJECT_KINDS[url.name])
        elif param in {"pk", "object_id"} and hasattr(url.callback, "model_admin"):
            kwargs[param] = world.pk_of("", url.callback.model_admin.model)
        elif param == "evidence_pk":
            kwargs[param] = world.objects["panel.Evidence"].pk
        elif param in {"app_label"}:
            kwargs[param] = "ubpanel"
        else:
            return None  # admin's shortcut and password pages: not ours to crawl
        if kwargs[param] is None:
            return None
    return kwargs


def _requestable(world):
    requests, missing = [], []
    for url in URLS:
        if not url.name:
            if url.params:
                continue  # admin's catch-all
            requests.append((url, url.route and "/" + url.route))
            continue
        kwargs = _kwargs(url, world)
        if kwargs is None:
            if not url.name.startswith("admin:"):
                missing.append(url.name)
            continue
        requests.append((url, reverse(url.name, kwargs=kwargs)))
    return requests, missing


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    keep_private_files_in(patch, tmp_path_factory.mktemp("private"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield url_objects.build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            patch.undo()


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder():
    """The module's files live in the folder ``world`` chose, for every test of the module."""


def test_every_url_of_ours_can_be_filled_from_the_world(world):
    assert _requestable(world)[1] == []


def _denied_rows(user, path: str, after: int) -> list[LogEntry]:
    rows = LogEntry.objects.filter(
        pk__gt=after, action=LogEntry.Action.ACCESS, additional_data__event="denied"
    )
    rows = rows.filter(actor=user) if user is not None else rows.filter(actor__isnull=True)
    return [row for row in rows if row.additional_data.get("path") == path]


def _visit(client, url: Url, path: str):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, {})
    return response


def _problems(who, user, url: Url, path: str, response, last: int) -> list[str]:
    status = response.status_code
    where = f"{who}: {path} ({url.name or url.route})"
    if status >= 500 and not (url.name in NOT_READY and status == 503):
        return [f"{where} answered {status}"]
    problems = []
    anonymous_refused = user is None and not url.open_to_anonymous
    if anonymous_refused and not (status == 302 and response["Location"].startswith(SIGN_IN)):
        problems.append(f"{where} answered {status}, not the sign-in redirect")
    if status in (403, 404):
        rows = _denied_rows(user, path, last)
        if len(rows) != 1:
            problems.append(f"{where} answered {status} with {len(rows)} denied rows")
    return problems


@pytest.mark.parametrize("who", WHO)
def test_every_url_answers_every_role_without_error_and_audits_each_refusal(world, who):
    user = world.users.get(who)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    problems, refused = [], 0
    for url, path in _requestable(world)[0]:
        with transaction.atomic():  # what a POST changed is undone before the next request
            last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = _visit(client, url, path)
            problems += _problems(who, user, url, path, response, last)
            refused += response.status_code in (403, 404)
            transaction.set_rollback(True)
        if user is not None and url.name in SIGN_OUT:
            client.force_login(user)

    assert problems == []
    # Every signed-in user is refused somewhere: the checks above were not vacuous.
    assert refused or user is None


# --- Each kind of refusal, as the audit viewer shows it ---------------------------------------


def _refusals(world):
    """(who, method, URL, status, why) for each way a request is refused."""
    referral = world.objects["referrals.Referral"].pk
    item = world.objects["panel.AgendaItem"].pk
    meeting = world.objects["panel.Meeting"].pk
    return [
        # A record the user's selectors do not show them: ubpanel.access.get_object_or_404.
        ("frontline", "get", reverse("referrals:detail", args=[referral]), 404, "referral"),
        # A record URL their roles do not reach: role_required answers as if it did not exist.
        ("frontline", "get", reverse("referrals:triage_detail", args=[referral]), 404, "roles"),
        # A page their roles do not include.
        ("frontline", "get", reverse("referrals:triage_queue"), 403, "roles"),
        # A record they may see, but not do that to (the view's own check).
        ("panel_member", "get", reverse("panel:proposal", args=[item]), 403, "Refused"),
        # ... or the service's.
        ("panel_member", "post", reverse("panel:meeting_open", args=[meeting]), 403, "opens the"),
        # Something the view does not know (its own Http404).
        ("assurance_officer", "post", f"/referrals/triage/{referral}/nonsense/", 404, "triage"),
    ]


def test_a_refusal_of_each_kind_shows_in_the_audit_viewer(world):
    reader = Client()
    reader.force_login(world.users[Role.AUDITOR.value])
    for who, method, path, status, why in _refusals(world):
        client = Client()
        client.force_login(world.users[who])

        assert getattr(client, method)(path).status_code == status, path

        page = reader.get(reverse("audit_list"), {"action": "denied", "user": who})
        text = page.content.decode()
        assert page.status_code == 200
        assert f"Page: {path}" in text, path
        assert why in text, path


def test_a_refused_csrf_token_is_audited_too(world):
    client = Client(enforce_csrf_checks=True)
    manager = world.users[Role.REFERRING_MANAGER.value]
    client.force_login(manager)
    path = reverse("referrals:new")

    assert client.post(path, {}).status_code == 403

    [row] = _denied_rows(manager, path, 0)
    assert row.additional_data["status"] == 403
    assert row.additional_data["url_name"] == "referrals:new"


def test_an_anonymous_request_for_no_page_at_all_is_not_audited(world):
    before = LogEntry.objects.count()

    assert Client().get("/no-such-page/").status_code == 404

    assert LogEntry.objects.count() == before


def test_an_id_over_a_bigint_is_refused_once_with_no_row_id(world):
    frontline = world.users[Role.FRONTLINE.value]
    client = Client()
    client.force_login(frontline)
    path = reverse("referrals:triage_detail", args=[10**19 - 1])  # over a bigint

    assert client.get(path).status_code == 404

    [row] = _denied_rows(frontline, path, 0)
    assert row.object_pk == ""
    assert row.additional_data["status"] == 404


def test_a_refused_record_url_is_filed_under_its_record_with_the_reason(world):
    frontline = world.users[Role.FRONTLINE.value]
    referral = world.objects["referrals.Referral"]
    client = Client()
    client.force_login(frontline)
    path = reverse("referrals:triage_detail", args=[referral.pk])

    assert client.get(path).status_code == 404

    [row] = _denied_rows(frontline, path, 0)
    assert row.content_type.model_class() is type(referral)
    assert row.object_pk == str(referral.pk)
    assert row.additional_data["url_name"] == "referrals:triage_detail"
    assert row.additional_data["reason"] == "Your roles do not reach this record."


def test_a_refusal_the_access_helper_recorded_is_not_recorded_again(world):
    frontline = world.users[Role.FRONTLINE.value]
    client = Client()
    client.force_login(frontline)
    path = reverse("referrals:detail", args=[world.objects["referrals.Referral"].pk])

    assert client.get(path).status_code == 404

    [row] = _denied_rows(frontline, path, 0)
    assert "lookup" in row.additional_data  # the helper's row, with the lookup it tried

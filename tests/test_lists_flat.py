"""Lists that grow are paged or bounded (issue 16, point 4): the triage queue, the access register,
the schedule list and the audit trail show a page at a time, in the same number of queries for a
handful of rows as for many, and the audit trail does not count a huge trail to say so."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel.models import Invitee, MeetingStatus
from referrals.selectors import triage_queue
from ubpanel import pagination
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    MeetingFactory,
    SubmittedReferralFactory,
)

pytestmark = pytest.mark.django_db

TRIAGE = reverse("referrals:triage_queue")
REGISTER = reverse("schedule:access_register")
ENTRIES = reverse("schedule:entry_list")
AUDIT = reverse("audit_list")
MEETINGS = reverse("panel:index")
POSTGRESQL = connection.vendor == "postgresql"


def _revoked(count):
    return AccessGrantFactory.create_batch(
        count, status="revoked", closed_reason="No longer needed.", closed_at=timezone.now()
    )


@pytest.mark.parametrize("rows", [10, 60])
def test_the_triage_queue_takes_the_same_queries_for_10_or_60_referrals(
    assurance_client, rows, django_assert_max_num_queries
):
    SubmittedReferralFactory.create_batch(rows)
    assurance_client.get(TRIAGE)

    with django_assert_max_num_queries(16):
        response = assurance_client.get(TRIAGE)

    assert response.status_code == 200


def test_the_triage_queue_shows_fifty_oldest_first_then_the_next_page(assurance_client):
    referrals = SubmittedReferralFactory.create_batch(51)
    oldest_first = sorted(referrals, key=lambda r: (r.submitted_at, r.created_at, r.pk))

    first = assurance_client.get(TRIAGE).content.decode()
    second = assurance_client.get(TRIAGE + "?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert oldest_first[0].reference in first
    assert f">{oldest_first[-1].reference}<" not in first
    assert f">{oldest_first[-1].reference}<" in second
    assert 'class="govuk-pagination"' in first


@pytest.mark.skipif(not POSTGRESQL, reason="reads PostgreSQL's plan (CI runs on it)")
def test_the_triage_queue_can_be_read_from_its_own_index_in_its_order(assurance_client):
    """The queue's filter is the index's condition: PostgreSQL may read the first page straight
    from ``referral_triage_queue`` without sorting (it chooses to once the table is large)."""
    SubmittedReferralFactory.create_batch(3)
    queue = triage_queue(assurance_client.user).order_by("submitted_at", "created_at", "pk")[:50]
    sql, params = queue.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "referral_triage_queue" in plan
    assert "Sort" not in plan


@pytest.mark.parametrize("rows", [10, 60])
def test_the_access_register_takes_the_same_queries_for_10_or_60_past_grants(
    panel_client, rows, django_assert_max_num_queries
):
    _revoked(rows)
    AccessGrantFactory()
    panel_client.get(REGISTER)

    with django_assert_max_num_queries(14):
        response = panel_client.get(REGISTER)

    assert response.status_code == 200


def test_the_access_register_pages_the_declined_and_revoked_but_shows_live_access_whole(
    panel_client, audit_entries
):
    live = AccessGrantFactory.create_batch(30)
    past = _revoked(26)

    first = panel_client.get(REGISTER)
    html = first.content.decode()

    assert "Page 1 of 2" in html
    assert html.count('data-testid="grants-current"') == 1
    for grant in live:
        assert audit_entries(event="list", object_pk=str(grant.pk))
    # Newest declined or revoked first: the oldest waits for page 2.
    assert audit_entries(event="list", object_pk=str(past[-1].pk))
    assert not audit_entries(event="list", object_pk=str(past[0].pk))
    panel_client.get(REGISTER + "?page=2")
    assert audit_entries(event="list", object_pk=str(past[0].pk))


def test_the_schedule_list_shows_the_newest_reference_first(panel_client):
    entries = ActiveEntryFactory.create_batch(3)

    html = panel_client.get(ENTRIES).content.decode()

    positions = [html.index(entry.reference) for entry in reversed(entries)]
    assert positions == sorted(positions)


def _audit_rows(count):
    kind = ContentType.objects.get_for_model(LogEntry)
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=kind,
                object_pk=str(n),
                object_id=n,
                object_repr="Row",
                action=LogEntry.Action.ACCESS,
                additional_data={"event": "view"},
            )
            for n in range(count)
        ]
    )


def test_the_audit_trail_estimates_its_length_beyond_the_exact_count(
    auditor_client, settings, monkeypatch
):
    settings.AUDIT_PAGE_SIZE = 10
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 25)
    _audit_rows(40)

    html = auditor_client.get(AUDIT).content.decode()

    assert "Page 1 of about" in html


def test_the_audit_trail_counts_exactly_a_short_trail(auditor_client, settings):
    settings.AUDIT_PAGE_SIZE = 10
    _audit_rows(15)

    html = auditor_client.get(AUDIT).content.decode()

    assert "Page 1 of 2" in html
    assert "about" not in html.split("govuk-pagination")[1]


@pytest.mark.parametrize("rows", [30, 300])
def test_the_audit_trail_takes_the_same_queries_beyond_the_exact_count(
    auditor_client, settings, monkeypatch, rows, django_assert_max_num_queries
):
    settings.AUDIT_PAGE_SIZE = 10
    monkeypatch.setattr(pagination, "EXACT_UP_TO", 20)
    _audit_rows(rows)
    auditor_client.get(AUDIT)

    with django_assert_max_num_queries(13):
        response = auditor_client.get(AUDIT)

    assert response.status_code == 200


def test_the_estimate_is_never_below_what_was_counted():
    _audit_rows(30)
    paginator = pagination.EstimatedCountPaginator(
        LogEntry.objects.order_by("-pk"), 10, exact_up_to=5
    )

    assert paginator.count >= 6
    assert paginator.estimated


def _closed_meetings(count):
    meetings = MeetingFactory.create_batch(count, status=MeetingStatus.CLOSED)
    for meeting in meetings:
        AgendaItemFactory.create_batch(2, meeting=meeting)
    return meetings


@pytest.mark.parametrize("rows", [10, 45])
def test_the_meetings_page_takes_the_same_queries_and_counts_past_meetings_without_their_items(
    panel_client, rows
):
    _closed_meetings(rows)
    panel_client.get(MEETINGS)

    with CaptureQueriesContext(connection) as queries:
        response = panel_client.get(MEETINGS)

    assert response.status_code == 200
    assert len(queries) <= 8
    [count] = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "JOIN" not in count
    assert "GROUP BY" not in count


def test_the_meetings_page_counts_each_meetings_items_leaving_out_withdrawn_ones(
    panel_client, client, make_user
):
    meeting = MeetingFactory(status=MeetingStatus.CLOSED)
    first, second, withdrawn = AgendaItemFactory.create_batch(3, meeting=meeting)
    withdrawn.status = "withdrawn"
    withdrawn.save()
    empty = MeetingFactory(status=MeetingStatus.CLOSED)
    presenter = make_user(Role.REFERRING_MANAGER, username="presenter")
    Invitee.objects.create(item=second, user=presenter, role="operations_manager")

    def counts(response):
        page = response.content.decode()
        shown = {}
        for shown_meeting in (meeting, empty):
            url = reverse("panel:meeting_detail", args=[shown_meeting.pk])
            if url in page:
                row = page[page.index(url) :]
                shown[shown_meeting] = row.split('cell--numeric">')[1].split("<")[0]
        return shown

    assert counts(panel_client.get(MEETINGS)) == {meeting: "2", empty: "0"}
    client.force_login(presenter)
    assert counts(client.get(MEETINGS)) == {meeting: "1"}  # an invitee counts only their items


@pytest.mark.parametrize(
    ("url", "client_name", "make_rows"),
    [
        (TRIAGE, "assurance_client", SubmittedReferralFactory.create_batch),
        (ENTRIES, "panel_client", ActiveEntryFactory.create_batch),
        (REGISTER, "panel_client", _revoked),
        (MEETINGS, "panel_client", _closed_meetings),
    ],
    ids=["triage", "entries", "register", "meetings"],
)
def test_every_growing_list_counts_exactly_up_to_a_limit_and_says_about_beyond_it(
    request, monkeypatch, url, client_name, make_rows
):
    """The lists that grow count their rows only up to ``EXACT_UP_TO`` (a count that stops
    there), as the audit trail does: COUNT(*) over 100,000 rows was what still grew."""
    client = request.getfixturevalue(client_name)
    make_rows(3)
    monkeypatch.setattr("referrals.views.triage.TRIAGE_PER_PAGE", 1)
    monkeypatch.setattr("schedule.views.entries.ENTRIES_PER_PAGE", 1)
    monkeypatch.setattr("schedule.views.access.PAST_GRANTS_PER_PAGE", 1)
    monkeypatch.setattr("panel.views.meetings.PAST_PER_PAGE", 1)
    assert "Page 1 of 3<" in client.get(url).content.decode()

    monkeypatch.setattr(pagination, "EXACT_UP_TO", 2)
    assert "Page 1 of about" in client.get(url).content.decode()

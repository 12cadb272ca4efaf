"""Who viewed this person (issue 14, point 1): the report for the auditor, the Information Asset
Owner and the data protection officer - every view, search hit, download and change about the
person, by whom, when and from where, filtered by date and kind, paginated, downloadable, audited."""

import csv
import datetime
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from referrals.models import Person
from rights.who_viewed import audit_entries_about, in_date_range, of_kinds
from ubpanel.roles import Role

from .factories import AccessGrantFactory, ActiveEntryFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

READERS = [Role.AUDITOR, Role.PANEL_CHAIR, Role.DATA_PROTECTION]
REFUSED = [Role.PANEL_MEMBER, Role.FRONTLINE, Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER]


def _url(person, name="rights:person_viewed"):
    return reverse(name, args=[person.pk])


def _client(user, address="192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def _at(day: int, hour: int = 10):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime(2026, 3, day, hour)), tick=False
    )


@pytest.fixture
def reader():
    return UserFactory(roles=[Role.DATA_PROTECTION], first_name="Dana", last_name="Protection")


@pytest.fixture
def entry():
    """A person on the schedule, seen by three members of staff on three days, found by a search,
    and changed."""
    with _at(1):
        entry = ActiveEntryFactory(person=PersonFactory(given_names="Zoe", family_name="Whitlock"))
    chair = UserFactory(roles=[Role.PANEL_CHAIR], first_name="Chris", last_name="Chair")
    member = UserFactory(roles=[Role.PANEL_MEMBER], first_name="Pat", last_name="Member")
    assurance = UserFactory(roles=[Role.ASSURANCE_OFFICER], first_name="Ash", last_name="Sure")
    with _at(2):
        _client(chair, "192.0.2.1").get(reverse("schedule:entry_detail", args=[entry.pk]))
    with _at(3):
        _client(member, "192.0.2.2").get(reverse("schedule:entry_detail", args=[entry.pk]))
    with _at(4):
        _client(assurance, "192.0.2.3").get(
            reverse("referrals:person_detail", args=[entry.person_id])
        )
    frontline = UserFactory(roles=[Role.FRONTLINE], first_name="Fran", last_name="Front")
    AccessGrantFactory(service=frontline.service)
    with _at(5):
        _client(frontline, "192.0.2.4").post(reverse("schedule:index"), {"q": "Zoe Whitlock"})
    with _at(6):
        entry.how_to_respond = "Two officers at all times."
        entry.save()
    entry.staff = {"chair": chair, "member": member, "assurance": assurance, "frontline": frontline}
    return entry


# --- The selector ---------------------------------------------------------------------------


def test_the_selector_finds_every_row_naming_the_person_and_no_other(entry):
    other = ActiveEntryFactory()
    _client(entry.staff["chair"]).get(reverse("schedule:entry_detail", args=[other.pk]))

    rows = list(audit_entries_about(entry.person_id))

    assert rows == sorted(rows, key=lambda row: (row.timestamp, row.pk))
    assert all(
        entry.person_id in (row.additional_data or {}).get("people", [])
        or (row.content_type.model == "person" and row.object_id == entry.person_id)
        for row in rows
    )
    assert not [row for row in rows if row.object_pk == str(other.pk)]
    actors = {row.actor for row in rows}
    assert set(entry.staff.values()) <= actors


def test_the_selector_counts_rows_about_the_person_record_written_before_ids_were(entry):
    person = Person.objects.get(pk=entry.person_id)
    old = LogEntry.objects.log_create(
        person,
        action=LogEntry.Action.ACCESS,
        force_log=True,
        additional_data={"event": "view"},  # no "people": as rows before issue 14
    )

    assert old in list(audit_entries_about(person.pk))


def test_the_selector_filters_by_dates_and_kind(entry):
    rows = audit_entries_about(entry.person_id)

    days = {
        row.timestamp.day
        for row in in_date_range(rows, datetime.date(2026, 3, 2), datetime.date(2026, 3, 3))
    }
    assert days == {2, 3}
    assert {row.additional_data["event"] for row in of_kinds(rows, ["searches"])} == {"search"}
    changes = of_kinds(rows, ["changes"])
    assert changes.exists()
    assert all(row.action != LogEntry.Action.ACCESS for row in changes)


# --- The page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS, ids=lambda r: r.value)
def test_the_auditor_the_chair_and_the_data_protection_officer_read_it(role, entry):
    response = _client(UserFactory(roles=[role])).get(_url(entry.person))

    assert response.status_code == 200
    html = response.content.decode()
    for user in entry.staff.values():
        assert str(user) in html
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        assert address in html
    assert "Searched" in html
    assert "Changed" in html
    assert "Panel member" in html  # the viewer's role


@pytest.mark.parametrize("role", REFUSED, ids=lambda r: r.value)
def test_everyone_else_gets_the_audited_404(role, entry, audit_entries):
    user = UserFactory(roles=[role])
    client = _client(user)

    assert client.get(_url(entry.person)).status_code == 404
    assert client.get(_url(entry.person, "rights:person_viewed_csv")).status_code == 404
    assert len(audit_entries(event="denied", actor=user)) == 2
    assert not audit_entries(event="view", actor=user)


def test_a_person_who_does_not_exist_is_an_audited_404(reader, audit_entries):
    assert _client(reader).get(reverse("rights:person_viewed", args=[999999])).status_code == 404
    assert audit_entries(event="denied", actor=reader)


def test_reading_the_report_is_audited_against_the_person_with_its_filters(
    entry, reader, audit_entries
):
    _client(reader).get(_url(entry.person), {"date_from": "2026-03-02", "kind": ["views"]})

    [read] = audit_entries(event="view", actor=reader)
    assert read.content_type.model == "person"
    assert read.object_id == entry.person_id
    assert read.additional_data["report"] == "who-viewed"
    assert read.additional_data["filters"] == {"date_from": "2026-03-02", "kind": ["views"]}
    assert read.additional_data["people"] == [entry.person_id]


def test_it_filters_by_date_and_kind(entry, reader):
    client = _client(reader)

    third = client.get(_url(entry.person), {"date_from": "2026-03-03", "date_to": "2026-03-03"})
    searches = client.get(_url(entry.person), {"kind": "searches"})
    changes = client.get(_url(entry.person), {"kind": "changes"})

    assert str(entry.staff["member"]) in third.content.decode()
    assert str(entry.staff["chair"]) not in third.content.decode()
    assert str(entry.staff["frontline"]) in searches.content.decode()
    assert str(entry.staff["member"]) not in searches.content.decode()
    assert "Changed" in changes.content.decode()
    assert "192.0.2.2" not in changes.content.decode()


def test_a_wrong_date_is_shown_beside_its_field_and_kept(entry, reader):
    response = _client(reader).get(
        _url(entry.person), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="id_date_to-error"' in html
    assert "The end date must be the same as or after the start date" in html
    assert 'name="date_from_day" value="5"' in html
    assert 'name="date_to_day" value="1"' in html
    assert "There is a problem" in html

    nonsense = _client(reader).get(
        _url(entry.person),
        {"date_from_day": "31", "date_from_month": "31", "date_from_year": "2026"},
    )
    assert 'id="id_date_from-error"' in nonsense.content.decode()
    assert 'name="date_from_month" value="31"' in nonsense.content.decode()


def test_the_report_reads_the_same_queries_for_many_rows_as_for_few(
    entry, reader, django_assert_max_num_queries
):
    client = _client(reader)
    client.get(_url(entry.person))  # warm the content types and the session
    with CaptureQueriesContext(connection) as few:
        client.get(_url(entry.person))
    few_queries = len(few.captured_queries)  # each request empties the log: count it now
    for n in range(60):
        viewer = UserFactory(roles=[Role.PANEL_CHAIR, Role.AUDITOR] if n % 2 else [Role.AUDITOR])
        _client(viewer).get(reverse("referrals:person_detail", args=[entry.person_id]))

    with django_assert_max_num_queries(few_queries):
        response = client.get(_url(entry.person))
    assert response.content.decode().count('data-testid="who-viewed-row"') == 50
    assert client.get(_url(entry.person), {"page": 2}).status_code == 200


def test_the_csv_has_the_filtered_rows_and_is_audited_as_a_download(entry, reader, audit_entries):
    response = _client(reader).get(
        _url(entry.person, "rights:person_viewed_csv"), {"kind": "searches"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows
    assert {row["What was done"] for row in rows} == {"Searched"}
    assert {row["Username"] for row in rows} == {entry.staff["frontline"].username}
    assert {row["From (address)"] for row in rows} == {"192.0.2.4"}
    [download] = audit_entries(event="download", actor=reader)
    assert download.object_id == entry.person_id
    assert download.additional_data["format"] == "csv"
    assert download.additional_data["filters"] == {"kind": ["searches"]}


def test_a_cell_that_would_start_a_formula_is_quoted_in_the_csv(entry, reader):
    UserFactory(
        username="evil", first_name="=HYPERLINK(1)", last_name="x", roles=[Role.PANEL_CHAIR]
    )
    evil = UserFactory._meta.model.objects.get(username="evil")
    _client(evil).get(reverse("schedule:entry_detail", args=[entry.pk]))

    response = _client(reader).get(_url(entry.person, "rights:person_viewed_csv"))
    text = b"".join(response.streaming_content).decode()

    assert "'=HYPERLINK(1) x" in text
    assert ",=HYPERLINK" not in text


def test_an_anonymised_person_still_has_a_report_by_their_id(entry, reader):
    person = Person.objects.get(pk=entry.person_id)  # as the retention schedule leaves them
    person.given_names, person.family_name = "Anonymised", "person"
    person.anonymised_at = timezone.now()
    person.save()

    response = _client(reader).get(_url(entry.person))
    html = response.content.decode()

    assert response.status_code == 200
    assert f"Who viewed person {entry.person_id}" in html
    assert str(entry.staff["chair"]) in html
    assert "Zoe Whitlock" not in html


def test_the_persons_page_links_to_the_report_for_its_readers_only(entry, reader):
    person_url = reverse("referrals:person_detail", args=[entry.person_id])

    assert _url(entry.person) in _client(reader).get(person_url).content.decode()
    chair = UserFactory(roles=[Role.PANEL_CHAIR])
    assert _url(entry.person) in _client(chair).get(person_url).content.decode()
    assurance = UserFactory(roles=[Role.ASSURANCE_OFFICER])
    assert _url(entry.person) not in _client(assurance).get(person_url).content.decode()

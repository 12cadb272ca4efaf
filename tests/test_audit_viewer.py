"""The audit trail page: who may read it, its filters and pages, and that reading it is audited."""

import re
from datetime import date, datetime, time
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import Person
from referrals.services import person_create
from ubpanel import audit
from ubpanel.audit import Event, acting_as
from ubpanel.models import User
from ubpanel.roles import AUDIT_READERS, Role

from .factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("audit_list")
LONDON = ZoneInfo("Europe/London")


class _AuditTableParser(HTMLParser):
    """The text of each cell of each row in the audit entries table, in page order."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._depth = 0  # >0 while inside the audit table
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-testid") == "audit-entries":
            self._depth = 1
            return
        if not self._depth:
            return
        if tag == "table":
            self._depth += 1
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "table":
            self._depth -= 1
        elif tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


COLUMNS = ("when", "who", "action", "record", "from", "details")


def audit_rows(response) -> list[dict[str, str]]:
    parser = _AuditTableParser()
    parser.feed(response.content.decode())
    return [dict(zip(COLUMNS, cells, strict=True)) for cells in parser.rows]


def shown_entries(response) -> list[LogEntry]:
    return list(response.context["page"].object_list)


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LONDON)


def viewed_at(when: datetime, person, actor) -> LogEntry:
    """A view written at ``when`` (the trail is append-only: an entry's time cannot be changed)."""
    with time_machine.travel(when, tick=False):
        return audit.record(Event.VIEW, objects=[person], actor=actor)[0]


def content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk


@pytest.fixture
def alice(db):
    return UserFactory(
        username="alice", first_name="Alice", last_name="Archer", roles=[Role.PANEL_MEMBER]
    )


@pytest.fixture
def bob(db):
    return UserFactory(
        username="bob", first_name="Bob", last_name="Baker", roles=[Role.ASSURANCE_OFFICER]
    )


# --- Who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(AUDIT_READERS))
def test_auditors_and_the_information_asset_owner_can_read_the_audit_trail(role_client, role):
    response = role_client(role).get(AUDIT_URL)

    assert response.status_code == 200
    assert "Audit trail" in response.content.decode()


@pytest.mark.parametrize("role", [*sorted(set(Role) - AUDIT_READERS), None])
def test_every_other_role_and_a_user_without_a_role_are_refused_the_audit_trail(
    role_client, role, audit_entries
):
    person = PersonFactory(family_name="Hidden-Example")
    audit.record(Event.VIEW, objects=[person])

    response = role_client(role).get(AUDIT_URL)

    assert response.status_code == 403
    assert "You do not have access" in response.content.decode()
    assert person.family_name not in response.content.decode()
    assert (
        audit_entries(event="view", content_type=ContentType.objects.get_for_model(LogEntry)) == []
    )


def test_an_anonymous_visitor_is_sent_to_sign_in_instead_of_the_audit_trail(client):
    response = client.get(AUDIT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Done when: a refused request shows up for the auditor -----------------------------------


def test_the_auditor_sees_a_frontline_users_refused_request_for_a_person(
    frontline_client, make_user, person
):
    refused = frontline_client.get(reverse("referrals:person_detail", args=[person.pk]))
    assert refused.status_code == 404

    auditor = Client()
    auditor.force_login(make_user(Role.AUDITOR, username="ade"))
    response = auditor.get(AUDIT_URL, {"action": "denied"})

    assert response.status_code == 200
    [row] = audit_rows(response)
    assert row["who"] == frontline_client.user.get_full_name()
    assert row["action"] == "Refused (no access)"
    assert row["record"].startswith(f"Person {person.pk}")
    assert f"/referrals/people/{person.pk}/" in row["details"]


def test_the_denial_is_in_the_unfiltered_audit_trail_too(frontline_client, make_user, person):
    frontline_client.get(reverse("referrals:person_detail", args=[person.pk]))

    auditor = Client()
    auditor.force_login(make_user(Role.AUDITOR, username="ade"))
    rows = audit_rows(auditor.get(AUDIT_URL))

    denials = [row for row in rows if row["action"] == "Refused (no access)"]
    assert len(denials) == 1
    assert denials[0]["who"] == frontline_client.user.get_full_name()
    assert denials[0]["record"].startswith(f"Person {person.pk}")


# --- Filters ---------------------------------------------------------------------------------


def test_filtering_by_username_shows_only_that_users_entries(auditor_client, alice, bob, person):
    audit.record(Event.VIEW, objects=[person], actor=alice)
    audit.record(Event.SEARCH, model=Person, actor=alice, query="smith")
    audit.record(Event.VIEW, objects=[person], actor=bob)

    response = auditor_client.get(AUDIT_URL, {"user": "ALICE "})

    entries = shown_entries(response)
    assert len(entries) == 2
    assert {entry.actor for entry in entries} == {alice}
    assert {row["who"] for row in audit_rows(response)} == {"Alice Archer"}


def test_filtering_by_an_unknown_username_shows_nothing(auditor_client, alice, person):
    audit.record(Event.VIEW, objects=[person], actor=alice)

    response = auditor_client.get(AUDIT_URL, {"user": "nobody"})

    assert response.status_code == 200
    assert shown_entries(response) == []
    assert audit_rows(response) == []
    assert "0 entries" in response.content.decode()


def test_filtering_by_record_type_and_id_shows_only_that_record(auditor_client, alice, person):
    other_person = PersonFactory()
    audit.record(Event.VIEW, objects=[person, other_person], actor=alice)
    # A user whose id happens to equal the person's: same id, different type of record.
    audit.record(Event.VIEW, model=User, object_pk=person.pk, actor=alice)

    response = auditor_client.get(
        AUDIT_URL, {"object_type": content_type_id(Person), "object_id": str(person.pk)}
    )

    entries = shown_entries(response)
    assert entries, "the person's own entries must be shown"
    assert {(entry.content_type.model_class(), entry.object_pk) for entry in entries} == {
        (Person, str(person.pk))
    }
    # The person's creation and the view of it.
    assert sorted(entry.action for entry in entries) == [
        LogEntry.Action.CREATE,
        LogEntry.Action.ACCESS,
    ]


def test_filtering_by_record_id_alone_matches_every_type_with_that_id(
    auditor_client, alice, person
):
    audit.record(Event.VIEW, objects=[person], actor=alice)
    audit.record(Event.VIEW, model=User, object_pk=person.pk, actor=alice)

    response = auditor_client.get(AUDIT_URL, {"object_id": str(person.pk), "action": "view"})

    assert {entry.content_type.model_class() for entry in shown_entries(response)} == {
        Person,
        User,
    }


def test_filtering_by_record_type_alone_shows_every_record_of_that_type(
    auditor_client, alice, person
):
    other_person = PersonFactory()
    audit.record(Event.VIEW, objects=[person, other_person], actor=alice)
    audit.record(Event.VIEW, objects=[alice], actor=alice)

    response = auditor_client.get(AUDIT_URL, {"object_type": content_type_id(Person)})

    entries = shown_entries(response)
    assert {entry.content_type.model_class() for entry in entries} == {Person}
    assert {entry.object_pk for entry in entries} == {str(person.pk), str(other_person.pk)}


def test_an_unknown_record_type_is_an_error_on_that_field(auditor_client):
    response = auditor_client.get(AUDIT_URL, {"object_type": "999999"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"object_type"}
    assert shown_entries(response) == []


@pytest.fixture
def every_kind_of_entry(alice, bob, frontline_client):
    """One person created, changed and deleted by bob; views, a denial and sign-ins."""
    with acting_as(bob):
        changed = person_create(actor=bob, given_names="Carla", family_name="Changed")
        changed.family_name = "Changed-Again"
        changed.save()
        deleted = person_create(actor=bob, given_names="Dan", family_name="Deleted")
        deleted.delete()
    audit.record(Event.VIEW, objects=[changed], actor=alice)
    frontline_client.get(reverse("referrals:person_detail", args=[changed.pk]))  # denied
    Client().force_login(alice)  # a sign-in
    return changed


@pytest.mark.parametrize(
    ("action", "stored_action", "event", "shown_as"),
    [
        ("create", LogEntry.Action.CREATE, None, "Created"),
        ("update", LogEntry.Action.UPDATE, None, "Changed"),
        ("delete", LogEntry.Action.DELETE, None, "Deleted"),
        ("view", LogEntry.Action.ACCESS, "view", "Viewed"),
        ("denied", LogEntry.Action.ACCESS, "denied", "Refused (no access)"),
        ("sign-in", LogEntry.Action.ACCESS, "sign-in", "Signed in"),
    ],
)
def test_filtering_by_action_shows_only_entries_of_that_action(
    make_user, every_kind_of_entry, action, stored_action, event, shown_as
):
    auditor = Client()
    auditor.force_login(make_user(Role.AUDITOR, username="ade"))

    response = auditor.get(AUDIT_URL, {"action": action})

    entries = shown_entries(response)
    assert entries, f"expected at least one {action} entry"
    assert {entry.action for entry in entries} == {stored_action}
    if event is not None:
        assert {entry.additional_data["event"] for entry in entries} == {event}
    assert {row["action"] for row in audit_rows(response)} == {shown_as}


def test_the_create_filter_shows_who_created_each_person(make_user, every_kind_of_entry):
    auditor = Client()
    auditor.force_login(make_user(Role.AUDITOR, username="ade"))

    created = shown_entries(
        auditor.get(AUDIT_URL, {"action": "create", "object_type": content_type_id(Person)})
    )

    assert {entry.object_repr for entry in created} == {"Carla Changed", "Dan Deleted"}
    assert all(entry.actor.username == "bob" for entry in created)


def test_an_action_that_does_not_exist_is_an_error_on_the_action_field(auditor_client):
    response = auditor_client.get(AUDIT_URL, {"action": "teleport"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"action"}
    assert shown_entries(response) == []


@pytest.fixture
def entries_on_three_days(alice):
    """Views of three people on 10, 15 and 20 January 2020, at noon London time."""
    people = PersonFactory.create_batch(3)
    days = [date(2020, 1, 10), date(2020, 1, 15), date(2020, 1, 20)]
    entries = [viewed_at(at_noon(day), p, alice) for p, day in zip(people, days, strict=True)]
    return dict(zip(days, entries, strict=True))


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected_days"),
    [
        ("2020-01-12", "2020-01-20", [date(2020, 1, 15), date(2020, 1, 20)]),
        ("2020-01-10", "2020-01-10", [date(2020, 1, 10)]),
        ("2020-01-15", "", [date(2020, 1, 15), date(2020, 1, 20)]),
        ("", "2020-01-14", [date(2020, 1, 10)]),
        ("2020-01-11", "2020-01-14", []),
    ],
)
def test_filtering_by_date_range_includes_both_end_dates(
    auditor_client, entries_on_three_days, date_from, date_to, expected_days
):
    response = auditor_client.get(
        AUDIT_URL, {"user": "alice", "date_from": date_from, "date_to": date_to}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert sorted(
        entry.timestamp.astimezone(LONDON).date() for entry in shown_entries(response)
    ) == (expected_days)


def test_the_date_filter_uses_london_dates_not_utc_dates(auditor_client, alice, person):
    # 00:30 on 1 July in London is still 30 June in UTC.
    entry = viewed_at(datetime(2020, 7, 1, 0, 30, tzinfo=LONDON), person, alice)

    on_the_first = shown_entries(
        auditor_client.get(
            AUDIT_URL, {"user": "alice", "date_from": "2020-07-01", "date_to": "2020-07-01"}
        )
    )

    assert on_the_first == [entry]


def test_entries_are_listed_newest_first(auditor_client, entries_on_three_days):
    response = auditor_client.get(AUDIT_URL, {"user": "alice"})

    assert shown_entries(response) == [
        entries_on_three_days[date(2020, 1, 20)],
        entries_on_three_days[date(2020, 1, 15)],
        entries_on_three_days[date(2020, 1, 10)],
    ]
    assert [row["when"] for row in audit_rows(response)] == [
        "20 Jan 2020 12:00:00",
        "15 Jan 2020 12:00:00",
        "10 Jan 2020 12:00:00",
    ]


def _form_group(html: str, field_id: str) -> str:
    """The GOV.UK form group (label, hint, error and input) that holds the field ``field_id``."""
    groups = re.findall(r'<div class="govuk-form-group[^"]*">.*?</div>', html, flags=re.S)
    [group] = [g for g in groups if f'id="{field_id}"' in g]
    return group


def test_an_end_date_before_the_start_date_is_an_error_beside_the_to_field_and_keeps_the_input(
    auditor_client, entries_on_three_days
):
    typed = {
        "user": "alice",
        "object_type": str(content_type_id(Person)),
        "object_id": "12345",
        "action": "view",
        "date_from": "2020-01-20",
        "date_to": "2020-01-10",
    }

    response = auditor_client.get(AUDIT_URL, typed)

    assert response.status_code == 200
    html = response.content.decode()
    message = "The end date must be the same as or after the start date"
    to_group = _form_group(html, "id_date_to")
    assert "govuk-form-group--error" in to_group
    assert 'id="id_date_to-error"' in to_group
    assert message in to_group
    assert 'aria-describedby="id_date_to-error"' in to_group
    assert "govuk-input--error" in to_group
    assert message not in _form_group(html, "id_date_from")
    # The error summary links to the field.
    assert f'<a href="#id_date_to">{message}</a>' in html
    assert "Error" in html.split("</title>")[0]
    # Nothing typed is lost.
    assert 'value="alice"' in _form_group(html, "id_user")
    assert 'value="12345"' in _form_group(html, "id_object_id")
    assert re.search(r'<option value="view"[^>]*selected', _form_group(html, "id_action"))
    assert re.search(
        rf'<option value="{content_type_id(Person)}"[^>]*selected',
        _form_group(html, "id_object_type"),
    )
    assert 'value="2020-01-20"' in _form_group(html, "id_date_from")
    assert 'value="2020-01-10"' in _form_group(html, "id_date_to")
    # No entries are shown for a filter that makes no sense.
    assert shown_entries(response) == []
    assert audit_rows(response) == []


def test_a_malformed_date_is_an_error_on_that_field(auditor_client):
    response = auditor_client.get(AUDIT_URL, {"date_from": "31/02/2020", "user": "alice"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from"}
    assert 'value="alice"' in _form_group(response.content.decode(), "id_user")


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def more_than_a_page_of_creations(db):
    """AUDIT_PAGE_SIZE + 7 people, so AUDIT_PAGE_SIZE + 7 entries of their creation."""
    return PersonFactory.create_batch(settings.AUDIT_PAGE_SIZE + 7)


def test_the_audit_trail_is_split_into_pages_that_keep_the_filters(
    auditor_client, more_than_a_page_of_creations
):
    filters = {"action": "create", "object_type": str(content_type_id(Person))}

    first = auditor_client.get(AUDIT_URL, filters)

    assert len(audit_rows(first)) == settings.AUDIT_PAGE_SIZE
    first_html = first.content.decode()
    assert f"{settings.AUDIT_PAGE_SIZE + 7} entries" in first_html
    assert "Page 1 of 2" in first_html
    [next_link] = re.findall(r'href="([^"]*)" rel="next"', first_html)
    assert "action=create" in next_link
    assert f"object_type={content_type_id(Person)}" in next_link
    assert "page=2" in next_link

    second = auditor_client.get(AUDIT_URL + next_link.replace("&amp;", "&"))

    assert len(audit_rows(second)) == 7
    second_html = second.content.decode()
    assert "Page 2 of 2" in second_html
    [previous_link] = re.findall(r'href="([^"]*)" rel="prev"', second_html)
    assert "action=create" in previous_link
    assert "page=1" in previous_link
    assert 'rel="next"' not in second_html
    shown = {e.pk for e in shown_entries(first)} | {e.pk for e in shown_entries(second)}
    expected = LogEntry.objects.filter(
        action=LogEntry.Action.CREATE, content_type=ContentType.objects.get_for_model(Person)
    )
    assert shown == set(expected.values_list("pk", flat=True))


def test_a_page_number_past_the_end_shows_the_last_page(
    auditor_client, more_than_a_page_of_creations
):
    response = auditor_client.get(
        AUDIT_URL, {"action": "create", "object_type": content_type_id(Person), "page": "99"}
    )

    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert len(audit_rows(response)) == 7


def test_one_page_of_entries_has_no_pagination(auditor_client, alice, person):
    audit.record(Event.VIEW, objects=[person], actor=alice)

    html = auditor_client.get(AUDIT_URL, {"user": "alice"}).content.decode()

    assert "govuk-pagination" not in html


# --- Reading the trail is audited ---------------------------------------------------------------


def test_reading_the_audit_trail_is_itself_audited_with_the_filters(
    auditor_client, alice, person, audit_entries
):
    audit.record(Event.VIEW, objects=[person], actor=alice)

    auditor_client.get(AUDIT_URL, {"user": "alice", "action": "view", "object_id": ""})

    [read] = audit_entries(event="view", content_type=ContentType.objects.get_for_model(LogEntry))
    assert read.action == LogEntry.Action.ACCESS
    assert read.actor == auditor_client.user
    assert read.object_repr == "Audit trail"
    assert read.additional_data["filters"] == {"user": "alice", "action": "view"}
    assert read.additional_data["page"] == 1
    assert read.additional_data["shown"] == 1
    assert read.additional_data["path"] == AUDIT_URL
    assert read.remote_addr == "127.0.0.1"


def test_the_next_reader_sees_the_previous_reading_of_the_trail(chair_client, make_user):
    chair_client.get(AUDIT_URL, {"user": "someone"})

    auditor = Client()
    auditor.force_login(make_user(Role.AUDITOR, username="ade"))
    response = auditor.get(AUDIT_URL, {"user": "panel_chair", "action": "view"})

    [row] = audit_rows(response)
    assert row["who"] == chair_client.user.get_full_name()
    assert row["record"].startswith("Audit trail")
    assert "Audit trail" in row["record"]
    assert "someone" in row["details"]


def test_a_refused_reader_leaves_no_reading_entry(frontline_client, audit_entries):
    frontline_client.get(AUDIT_URL)

    reading = ContentType.objects.get_for_model(LogEntry)
    assert audit_entries(event="view", content_type=reading) == []
    assert audit_entries(event="denied", content_type=reading)


# --- Queries ---------------------------------------------------------------------------------


def _queries_for_audit_page(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(AUDIT_URL)
    assert response.status_code == 200
    return len(captured)


def _entries_with_actors_and_changes(count: int, actors: list) -> None:
    """``count`` entries: half creations (with changes), half views attributed to ``actors``."""
    people = PersonFactory.create_batch(count // 2)
    for index, person in enumerate(people):
        audit.record(Event.VIEW, objects=[person], actor=actors[index % len(actors)])


def test_the_audit_trail_uses_the_same_number_of_queries_for_10_or_50_entries(
    auditor_client, alice, bob
):
    _entries_with_actors_and_changes(10, [alice, bob])
    auditor_client.get(AUDIT_URL)  # warm the content-type cache
    with_10 = _queries_for_audit_page(auditor_client)

    _entries_with_actors_and_changes(40, [alice, bob])
    with_50 = _queries_for_audit_page(auditor_client)

    assert LogEntry.objects.count() > settings.AUDIT_PAGE_SIZE
    # Each bulk read (the users, the people, the records) happens once a page at most, and not at
    # all when the page names nobody of that kind: a fuller page never costs more.
    assert with_50 <= with_10


def test_the_audit_trail_stays_within_a_small_query_budget(
    auditor_client, alice, bob, django_assert_max_num_queries
):
    _entries_with_actors_and_changes(50, [alice, bob])
    auditor_client.get(AUDIT_URL)

    with django_assert_max_num_queries(12):
        response = auditor_client.get(AUDIT_URL)

    assert len(audit_rows(response)) == settings.AUDIT_PAGE_SIZE


# --- Changes made by services ------------------------------------------------------------------


def test_a_person_created_by_the_service_shows_its_actor_and_the_create_action(auditor_client, bob):
    created = person_create(actor=bob, given_names="Erin", family_name="Example")

    response = auditor_client.get(
        AUDIT_URL, {"object_type": content_type_id(Person), "object_id": str(created.pk)}
    )

    [entry] = shown_entries(response)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == bob
    [row] = audit_rows(response)
    assert row["who"] == "Bob Baker"
    assert row["action"] == "Created"
    assert row["record"] == f"Person {created.pk} Erin Example"
    assert "Family name set to Example" in row["details"]
    assert "family_name" not in row["details"]


def test_special_category_values_are_not_shown_in_the_audit_trail(auditor_client, bob):
    created = person_create(
        actor=bob,
        given_names="Fay",
        family_name="Example",
        health_and_disability="Diagnosed with a particular condition",
    )

    person_type = ContentType.objects.get_for_model(type(created))
    response = auditor_client.get(
        AUDIT_URL, {"object_type": person_type.pk, "object_id": str(created.pk), "action": "create"}
    )

    assert len(audit_rows(response)) == 1
    assert "particular condition" not in response.content.decode()


def test_an_entry_whose_detail_has_a_key_called_items_still_shows(auditor_client):
    audit.record(Event.LIST, model=Person, items=3, keys="a")

    response = auditor_client.get(reverse("audit_list"))

    assert response.status_code == 200
    assert b"Items: 3" in response.content


def test_a_row_naming_a_person_links_to_who_viewed_them(auditor_client, make_user, person):
    viewer = Client()
    viewer.force_login(make_user(Role.PANEL_MEMBER, username="petra"))
    assert viewer.get(reverse("referrals:person_detail", args=[person.pk])).status_code == 200

    response = auditor_client.get(AUDIT_URL, {"username": "petra"})

    report = reverse("rights:person_viewed", args=[person.pk])
    assert f'href="{report}"' in response.content.decode()
    assert auditor_client.get(report).status_code == 200

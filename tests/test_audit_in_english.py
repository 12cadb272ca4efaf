"""The audit trail reads as English for an auditor (issue 15, point 6): full names, each record's
human label, actions labelled once for filter and table, details as sentences, a filter by the name
of the person a row is about, and a page in a constant number of queries."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from guardian.shortcuts import assign_perm

from referrals.models import Person
from rights.models import SubjectAccessExport
from schedule.models import Entry
from ubpanel import audit
from ubpanel.audit import Event, acting_as
from ubpanel.audit_filters import ACTION_CHOICES, AuditFilterForm
from ubpanel.audit_words import record_label
from ubpanel.roles import Role

from .factories import (
    ActiveEntryFactory,
    LetterFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .test_audit_viewer import AUDIT_URL, audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def frankie(db):
    return UserFactory(
        username="flowe", first_name="Frankie", last_name="Lowe", roles=[Role.PANEL_CHAIR]
    )


def rows_for(client, **filters):
    response = client.get(AUDIT_URL, filters)
    assert response.status_code == 200
    return audit_rows(response)


# --- Who, and which record ------------------------------------------------------------------------


def test_who_did_it_is_shown_by_full_name_not_username(auditor_client, frankie, person):
    audit.record(Event.VIEW, objects=[person], actor=frankie)

    [row] = rows_for(auditor_client, action="view", object_type=_type(Person))

    assert row["who"] == "Frankie Lowe"
    assert "flowe" not in row["who"]


def test_the_user_filter_takes_a_full_name_as_well_as_a_username(auditor_client, frankie, person):
    audit.record(Event.VIEW, objects=[person], actor=frankie)

    by_name = rows_for(auditor_client, user="frankie  lowe", action="view")
    by_username = rows_for(auditor_client, user="FLOWE", action="view")

    assert [row["who"] for row in by_name] == ["Frankie Lowe"]
    assert by_name == by_username


def test_a_schedule_entry_is_named_by_its_reference(auditor_client, frankie):
    entry = ActiveEntryFactory()
    audit.record(Event.VIEW, objects=[entry], actor=frankie)

    [row] = rows_for(auditor_client, action="view", object_type=_type(Entry))

    assert row["record"].startswith(f"Schedule entry {entry.reference}")
    assert entry.reference.startswith("UBS-")


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (SubmittedReferralFactory, "Referral REF-"),
        (LetterFactory, "Letter LET-"),
    ],
)
def test_referrals_and_letters_are_named_by_their_references(auditor_client, frankie, make, label):
    record = make()
    audit.record(Event.VIEW, objects=[record], actor=frankie)

    [row] = rows_for(auditor_client, action="view", object_type=_type(type(record)))

    assert row["record"].startswith(f"{label}{record.pk:05d}")


def test_a_subject_access_export_is_named_sar_even_after_it_is_gone():
    assert record_label("rights.subjectaccessexport", 7) == "Subject access export SAR-00007"
    assert SubjectAccessExport._meta.label_lower == "rights.subjectaccessexport"


@pytest.mark.parametrize(
    ("holder", "note"),
    [("group", "Access exception for a service"), ("user", "Access exception for a person")],
)
def test_an_access_exception_is_named_by_the_entry_it_is_about(
    auditor_client, frankie, holder, note
):
    entry = ActiveEntryFactory()
    with acting_as(frankie):
        if holder == "group":
            assign_perm("schedule.view_entry", Group.objects.create(name="Housing"), entry)
        else:
            assign_perm("schedule.view_entry", frankie, entry)

    rows = rows_for(auditor_client, action="create")
    [row] = [row for row in rows if note in row["record"]]

    assert row["record"].startswith(f"Schedule entry {entry.reference} {note}")
    assert "object permission" not in row["record"].lower()
    assert row["who"] == "Frankie Lowe"


def test_the_record_type_filter_offers_the_same_labels():
    form = AuditFilterForm()
    labels = [label for _, label in form.fields["object_type"].choices]

    assert "Schedule entry" in labels
    assert "Schedule entry (access exception for a service)" in labels
    assert not any("object permission" in str(label).lower() for label in labels)


# --- Actions: one list of labels --------------------------------------------------------------


def test_every_action_the_table_shows_is_a_label_the_filter_offers(auditor_client, frankie, person):
    with acting_as(frankie):
        person.family_name = "Renamed"
        person.save()
    audit.record(Event.SEARCH, model=Person, actor=frankie, query="renamed")
    audit.record(Event.VIEW, objects=[person], actor=frankie)
    offered = {label for _, label in ACTION_CHOICES}

    shown = {row["action"] for row in rows_for(auditor_client)}

    assert shown <= offered
    assert {"Changed", "Searched", "Viewed"} <= shown


# --- Details as sentences ----------------------------------------------------------------------


def test_a_changed_user_field_names_the_user_and_the_field_by_its_words(auditor_client, frankie):
    entry = ActiveEntryFactory()
    previous = entry.record_owner.get_full_name()
    with acting_as(frankie):
        entry.record_owner = frankie
        entry.save()

    [row] = rows_for(
        auditor_client, action="update", object_type=_type(Entry), object_id=str(entry.pk)
    )

    assert f"Record owner changed from {previous} to Frankie Lowe" in row["details"]
    assert "record_owner" not in row["details"]
    assert f"→ {frankie.pk}" not in row["details"]


def test_a_created_entry_gives_choices_and_yes_or_no_in_words(auditor_client):
    entry = ActiveEntryFactory()

    [row] = rows_for(
        auditor_client, action="create", object_type=_type(Entry), object_id=str(entry.pk)
    )

    assert f"Tier set to {entry.get_tier_display()}" in row["details"]
    assert f"Record owner set to {entry.record_owner.get_full_name()}" in row["details"]
    assert "Ward councillors consulted set to No" in row["details"]
    assert "None" not in row["details"]
    assert "schedule.EntryEvent.None" not in row["details"]


def test_special_category_values_stay_masked_in_the_sentences(auditor_client, frankie):
    with acting_as(frankie):
        person = PersonFactory(health_and_disability="A particular condition")

    [row] = rows_for(
        auditor_client, action="create", object_type=_type(Person), object_id=str(person.pk)
    )

    assert "special category data, not recorded" in row["details"]
    assert "particular condition" not in row["details"]


def test_what_a_search_looked_for_is_a_sentence(auditor_client, frankie):
    audit.record(Event.SEARCH, model=Person, actor=frankie, query="smith")

    [row] = rows_for(auditor_client, action="search")

    assert "Searched for: smith" in row["details"]
    assert "event" not in row["details"]


# --- Filter by the person a row is about -----------------------------------------------------------


def test_filtering_by_a_persons_name_shows_the_rows_naming_them(auditor_client, frankie):
    erin = PersonFactory(given_names="Erin", family_name="Example")
    other = PersonFactory(given_names="Oscar", family_name="Other")
    entry = ActiveEntryFactory(person=erin)
    audit.record(Event.VIEW, objects=[entry], actor=frankie)
    audit.record(Event.VIEW, objects=[other], actor=frankie)
    audit.record(Event.SEARCH, model=Person, actor=frankie, people=[erin.pk], query="erin")

    response = auditor_client.get(AUDIT_URL, {"person": "erin EXAMPLE", "action": "view"})
    searches = auditor_client.get(AUDIT_URL, {"person": "Example", "action": "search"})

    entries = list(response.context["page"].object_list)
    assert {(e.content_type.model, e.object_pk) for e in entries} == {("entry", str(entry.pk))}
    assert len(searches.context["page"].object_list) == 1


def test_a_name_nobody_has_shows_no_rows(auditor_client, frankie, person):
    audit.record(Event.VIEW, objects=[person], actor=frankie)

    response = auditor_client.get(AUDIT_URL, {"person": "Nobody-By-This-Name"})

    assert response.status_code == 200
    assert audit_rows(response) == []


def test_the_rows_about_the_person_themselves_are_found_by_their_name(auditor_client, frankie):
    with acting_as(frankie):
        erin = PersonFactory(given_names="Erin", family_name="Example")

    response = auditor_client.get(AUDIT_URL, {"person": "Erin", "action": "create"})

    [entry] = response.context["page"].object_list
    assert entry.object_pk == str(erin.pk)


# --- The link to who viewed a person ------------------------------------------------------------


def test_the_chair_who_may_see_people_reads_the_persons_name_in_the_link(chair_client, frankie):
    erin = PersonFactory(given_names="Erin", family_name="Example")
    audit.record(Event.VIEW, objects=[erin], actor=frankie)

    html = chair_client.get(AUDIT_URL, {"action": "view", "user": "flowe"}).content.decode()

    link = reverse("rights:person_viewed", args=[erin.pk])
    assert f'<a class="govuk-link" href="{link}">who viewed Erin Example</a>' in html


def test_the_auditor_who_may_not_see_people_reads_the_persons_number(auditor_client, frankie):
    erin = PersonFactory(given_names="Erin", family_name="Example")
    audit.record(Event.VIEW, objects=[erin], actor=frankie)

    html = auditor_client.get(AUDIT_URL, {"action": "view", "user": "flowe"}).content.decode()

    link = reverse("rights:person_viewed", args=[erin.pk])
    assert f'<a class="govuk-link" href="{link}">who viewed person {erin.pk}</a>' in html


def test_reading_the_trail_names_the_people_whose_names_it_showed(
    chair_client, frankie, audit_entries
):
    erin = PersonFactory(given_names="Erin", family_name="Example")
    audit.record(Event.VIEW, objects=[erin], actor=frankie)

    chair_client.get(AUDIT_URL, {"action": "view", "user": "flowe"})

    [read] = audit_entries(event="view", content_type=ContentType.objects.get_for_model(LogEntry))
    assert read.additional_data["people"] == [erin.pk]


# --- Queries --------------------------------------------------------------------------------------


def _varied_rows(count: int, actors) -> None:
    """``count`` rows naming users, people, entries and access exceptions."""
    made = 0
    while made < count:
        actor = actors[made % len(actors)]
        with acting_as(actor):
            entry = ActiveEntryFactory()  # person, owner (a user) and entry created
            entry.record_owner = actor
            entry.save()
            assign_perm("schedule.view_entry", actor, entry)
        audit.record(Event.VIEW, objects=[entry, entry.person], actor=actor)
        made = LogEntry.objects.count()


@pytest.mark.parametrize("rows", [10, 50])
def test_a_page_of_the_trail_takes_a_constant_number_of_queries(
    chair_client, frankie, django_assert_max_num_queries, rows
):
    _varied_rows(rows, [frankie, UserFactory(first_name="Sam", last_name="Second")])
    chair_client.get(AUDIT_URL)  # the content types are cached after the first page

    with django_assert_max_num_queries(13):
        response = chair_client.get(AUDIT_URL)

    assert len(audit_rows(response)) >= min(rows, 25)
    assert any("Schedule entry UBS-" in row["record"] for row in audit_rows(response))


def _type(model) -> int:
    return ContentType.objects.get_for_model(model).pk

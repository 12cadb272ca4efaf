"""Every audit row about a person names the person (issue 14, point 1): views, list rows, search
hits, downloads and changes carry ``additional_data["people"]``, still in one insert per page."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from correspondence import services
from panel.models import Seat
from referrals.models import Evidence, Incident, Person
from referrals.services import evidence_add
from schedule.models import AddressWarning
from ubpanel import audit
from ubpanel.roles import Role

from .factories import (
    AccessGrantFactory,
    ActiveEntryFactory,
    AgendaItemFactory,
    AppealFactory,
    IncidentFactory,
    PersonFactory,
    SubmittedReferralFactory,
    UserFactory,
)
from .panel_setup import open_meeting, seat_holders
from .test_letter_workflow import _decided, _manager_owning

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _people(entry: LogEntry) -> list[int]:
    return (entry.additional_data or {}).get("people", [])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- record() itself ------------------------------------------------------------------------


def test_a_person_an_object_with_a_person_and_one_through_a_relation_each_name_their_person():
    person, other = PersonFactory(), PersonFactory()
    entry = ActiveEntryFactory(person=other)
    incident = IncidentFactory(referral=SubmittedReferralFactory(person=person))
    incident = Incident.objects.select_related("referral").get(pk=incident.pk)

    rows = audit.record_access([person, entry, incident, AccessGrantFactory()])

    assert [_people(row) for row in rows] == [[person.pk], [other.pk], [person.pk], []]


def test_a_row_with_no_object_names_the_people_it_is_given():
    [row] = audit.record(audit.Event.SEARCH, model=Person, people=[5, 3, 5, None])

    assert _people(row) == [3, 5]
    [nobody] = audit.record(audit.Event.SEARCH, model=Person)
    assert "people" not in nobody.additional_data


def test_naming_the_people_of_a_page_of_rows_is_still_one_insert(django_assert_num_queries):
    incidents = [IncidentFactory(referral=SubmittedReferralFactory(person=PersonFactory()))]
    incidents += [IncidentFactory(referral=SubmittedReferralFactory(person=PersonFactory()))]
    loaded = list(
        Incident.objects.select_related("referral").filter(pk__in=[i.pk for i in incidents])
    )
    entries = [ActiveEntryFactory() for _ in range(3)]

    with django_assert_num_queries(1):
        rows = audit.record_access([*loaded, *entries], audit.Event.LIST)

    assert len(rows) == 5
    assert all(len(_people(row)) == 1 for row in rows)


# --- Pages ----------------------------------------------------------------------------------


def test_the_entry_page_names_the_person(chair_client, audit_entries):
    entry = ActiveEntryFactory()

    assert chair_client.get(reverse("schedule:entry_detail", args=[entry.pk])).status_code == 200

    [view] = audit_entries(event="view", content_type__model="entry")
    assert _people(view) == [entry.person_id]


def test_the_entry_list_names_each_rows_person(chair_client, audit_entries):
    entries = [ActiveEntryFactory() for _ in range(3)]

    chair_client.get(reverse("schedule:entry_list"))

    rows = audit_entries(event="list", content_type__model="entry")
    assert {row.object_id: _people(row) for row in rows} == {e.pk: [e.person_id] for e in entries}


def test_the_referral_page_and_its_evidence_download_name_the_person(
    assurance_client, audit_entries
):
    referral = SubmittedReferralFactory(person=PersonFactory())
    evidence = evidence_add(
        actor=referral.referrer, referral=referral, upload=SimpleUploadedFile("a.pdf", PDF)
    )

    assert assurance_client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    download = assurance_client.get(reverse("referrals:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200

    [view] = audit_entries(event="view", content_type__model="referral")
    [fetched] = audit_entries(event="download")
    assert _people(view) == _people(fetched) == [referral.person_id]


def test_the_panel_papers_and_their_evidence_name_the_person(audit_entries):
    holders = seat_holders()
    item = AgendaItemFactory(meeting=open_meeting(holders))
    evidence = Evidence.objects.create(
        referral=item.referral, original_name="log.pdf", content_type="application/pdf", size=4
    )
    evidence.file.save("log.pdf", ContentFile(b"%PDF"))
    client = _client(holders[Seat.HEALTH_AND_SAFETY])
    person = item.referral.person_id

    assert client.get(reverse("panel:item_detail", args=[item.pk])).status_code == 200
    download = client.get(reverse("panel:evidence_download", args=[item.pk, evidence.pk]))
    assert download.status_code == 200

    views = audit_entries(event="view")
    assert {row.content_type.model for row in views} >= {"agendaitem", "referral"}
    assert all(_people(row) == [person] for row in views)
    assert _people(audit_entries(event="download")[0]) == [person]


def test_the_meeting_page_names_each_items_person(audit_entries):
    holders = seat_holders()
    meeting = open_meeting(holders)
    items = [AgendaItemFactory(meeting=meeting) for _ in range(2)]

    client = _client(holders[Seat.CHAIR])
    assert client.get(reverse("panel:meeting_detail", args=[meeting.pk])).status_code == 200

    rows = audit_entries(event="list", content_type__model="agendaitem")
    assert {row.object_id: _people(row) for row in rows} == {
        item.pk: [item.referral.person_id] for item in items
    }


def test_the_letter_page_and_its_pdf_name_the_person(
    audit_entries, django_capture_on_commit_callbacks
):
    item = _decided()
    manager = _manager_owning(item)
    assurance = UserFactory(roles=[Role.ASSURANCE_OFFICER])
    letter = services.letter_draft_from_decision(actor=assurance, decision=item.decision)
    client = _client(manager)

    assert client.get(reverse("correspondence:letter_detail", args=[letter.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("correspondence:letter_approve", args=[letter.pk]))
    pdf = client.get(reverse("correspondence:letter_pdf", args=[letter.pk, "standard"]))
    assert pdf.status_code == 200

    [view] = audit_entries(event="view", content_type__model="letter")[:1]
    [download] = audit_entries(event="download")
    assert _people(view) == _people(download) == [letter.person_id]


def test_the_appeal_page_names_the_person(role_client, audit_entries):
    appeal = AppealFactory()
    client = role_client(Role.MONITORING_OFFICER)

    assert client.get(reverse("schedule:appeal_detail", args=[appeal.pk])).status_code == 200

    [view] = audit_entries(event="view", content_type__model="appeal")
    assert _people(view) == [appeal.entry.person_id]


def test_the_schedule_search_names_the_person_of_every_hit(make_user, client, audit_entries):
    user = make_user(Role.FRONTLINE)
    AccessGrantFactory(service=user.service)
    found = [
        ActiveEntryFactory(person=PersonFactory(given_names="Zoe", family_name="Whitlock")),
        ActiveEntryFactory(person=PersonFactory(given_names="Zoey", family_name="Whitlock")),
    ]
    warning = AddressWarning.objects.create(
        address="1 High Street",
        postcode="DT1 1AA",
        postcode_normalised="DT11AA",
        tier="medium",
        entry=ActiveEntryFactory(),
    )
    client.force_login(user)

    client.post(reverse("schedule:index"), {"q": "Zoe Whitlock"})
    client.post(reverse("schedule:index"), {"q": "DT1 1AA"})

    by_name, by_postcode = audit_entries(event="search", object_repr="Schedule search")
    assert _people(by_name) == sorted(e.person_id for e in found)
    assert _people(by_postcode) == [warning.entry.person_id]
    hits = audit_entries(event="search", content_type__model__in=["entry", "addresswarning"])
    assert all(_people(hit) for hit in hits)


def test_the_address_warning_list_names_people_in_constant_queries(
    chair_client, audit_entries, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            AddressWarning.objects.create(
                address=f"{i} Mill Lane",
                postcode="DT2 2BB",
                postcode_normalised="DT22BB",
                tier="low",
                entry=ActiveEntryFactory(),
            )

    add(2)
    url = reverse("schedule:address_warning_list")
    with CaptureQueriesContext(connection) as few:
        chair_client.get(url)
    add(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        chair_client.get(url)

    rows = audit_entries(event="list", content_type__model="addresswarning")
    assert rows
    assert all(len(_people(row)) == 1 for row in rows)


# --- Changes (auditlog's own rows) ----------------------------------------------------------


def test_changes_to_what_belongs_to_a_person_name_them(audit_entries):
    person = PersonFactory()
    referral = SubmittedReferralFactory(person=person)
    incident = IncidentFactory(referral=referral)
    entry = ActiveEntryFactory(person=person, notified_on=datetime.date(2026, 3, 2))
    entry.how_to_respond = "Two officers at all times."
    entry.save()
    appeal = AppealFactory(entry=entry)

    def changes(model, pk):
        return audit_entries(content_type__model=model, object_pk=str(pk), action__lt=3)

    assert _people(changes("person", person.pk)[0]) == [person.pk]
    for model, pk in [
        ("referral", referral.pk),
        ("incident", incident.pk),
        ("entry", entry.pk),
        ("appeal", appeal.pk),
    ]:
        rows = changes(model, pk)
        assert rows, model
        assert all(_people(row) == [person.pk] for row in rows), model
    assert any(row.action == LogEntry.Action.UPDATE for row in changes("entry", entry.pk))


def test_a_referral_without_a_person_names_nobody(audit_entries):
    referral = SubmittedReferralFactory(person=None)

    [created] = audit_entries(content_type__model="referral", action=LogEntry.Action.CREATE)
    assert created.object_pk == str(referral.pk)
    assert created.additional_data is None

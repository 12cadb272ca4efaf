"""A person with a full record, and another person who shares things with them, for the subject
access export tests: two referrals (one with a raw email, one merged into the other), incidents,
evidence, an entry with its history and an appeal, a panel item with its decision and vote, an
address warning, a letter with its PDF and questionnaire return, an adjustment, a legal hold, and
views by three users. The other person shares the service, the meeting, the address and the
viewers: nothing of theirs may reach the first person's export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.core.files.base import ContentFile
from django.utils import timezone

from correspondence.models import LetterPdf, QuestionnaireReturn
from panel.models import Ballot, Decision, Vote
from referrals.models import (
    Adjustment,
    Evidence,
    InboundEmail,
    Incident,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
    ReferralEvent,
    ReferralStatus,
)
from rights.models import LegalHold
from schedule.models import AddressWarning, ContactCheck, EntryEvent, SingleAccessGrant
from ubpanel import audit
from ubpanel.roles import Role

from .factories import (
    AgendaItemFactory,
    AppealFactory,
    EntryIncidentFactory,
    MeetingFactory,
    PersonFactory,
    SentLetterFactory,
    ServiceFactory,
    SubmittedReferralFactory,
    UserFactory,
)

LETTER_PDF = b"%PDF-1.4\n% the letter as sent\n%%EOF\n"
EVIDENCE = b"%PDF-1.4\n% a call log\n%%EOF\n"
RAW_EMAIL = b"From: harriet@council.example\r\nSubject: Ottoline\r\n\r\nShe called again.\r\n"


@dataclass
class Record:
    person: object
    other: object
    chair: object
    dpo: object
    manager: object
    member: object
    assurance: object
    referrals: list
    entry: object
    letter: object
    pdf: object
    evidence: object


def staff(username: str, first: str, last: str, role: Role, **kwargs):
    return UserFactory(username=username, first_name=first, last_name=last, roles=[role], **kwargs)


def full_record() -> Record:
    housing = ServiceFactory(name="Housing")
    chair = staff("chair", "Constance", "Chairwoman", Role.PANEL_CHAIR, service=housing)
    dpo = staff("dpo", "Desmond", "Protector", Role.DATA_PROTECTION, service=housing)
    manager = staff("manager", "Harriet", "Referwell", Role.REFERRING_MANAGER, service=housing)
    member = staff("member", "Percival", "Seatholder", Role.PANEL_MEMBER, service=housing)
    assurance = staff("assurance", "Agatha", "Triager", Role.ASSURANCE_OFFICER, service=housing)

    person = PersonFactory(
        given_names="Ottoline",
        family_name="Quarrington",
        date_of_birth=date(1970, 5, 17),
        health_and_disability="Uses a hearing aid.",
        recorded_by_service=housing,
        created_by=manager,
    )
    PersonAlias.objects.create(person=person, name="Otto Q", search_name="otto q")
    PersonAddress.objects.create(
        person=person, address="14 Acland Road\nDorchester", postcode="DT1 1JW"
    )
    PersonEmail.objects.create(
        person=person, email="otto@example.org", email_normalised="otto@example.org"
    )
    PersonPhone.objects.create(
        person=person, number="07700 900123", number_normalised="07700900123"
    )
    other = PersonFactory(
        given_names="Zebedee", family_name="Marchbanks", recorded_by_service=housing
    )
    PersonAddress.objects.create(
        person=other, address="14 Acland Road\nDorchester", postcode="DT1 1JW"
    )

    first = SubmittedReferralFactory(
        referrer=manager,
        service=housing,
        person=person,
        status=ReferralStatus.READY_FOR_PANEL,
        summary="Ottoline called the housing team forty times. Harriet Referwell took the calls.",
    )
    Incident.objects.create(
        referral=first,
        occurred_on=date(2026, 3, 3),
        occurred_at=time(10, 15),
        location="Housing office reception",
        description="Shouted at the receptionist.",
        staff_affected="Rosalind Receptionist",
    )
    evidence = Evidence.objects.create(
        referral=first,
        original_name="call-log.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE),
        sha256="0" * 64,
        uploaded_by=manager,
    )
    evidence.file.save("call-log.pdf", ContentFile(EVIDENCE))
    ReferralEvent.objects.create(
        referral=first, kind="submitted", actor=manager, message="Sent in."
    )
    email = InboundEmail.objects.create(
        message_id="<otto@example.org>",
        status="imported",
        sender="harriet@council.example",
        sender_user=manager,
        subject="About Ottoline",
        body="She called again.",
        referral=first,
    )
    email.raw.save("otto.eml", ContentFile(RAW_EMAIL))
    second = SubmittedReferralFactory(
        referrer=manager, service=housing, person=person, summary="Second referral."
    )
    duplicate = SubmittedReferralFactory(
        referrer=manager,
        service=housing,
        person=None,
        status=ReferralStatus.MERGED,
        merged_into=second,
        summary="The duplicate that was merged.",
    )

    theirs = SubmittedReferralFactory(
        referrer=manager, service=housing, person=other, summary="OTHER-REFERRAL about Zebedee."
    )
    Incident.objects.create(
        referral=theirs,
        occurred_on=date(2026, 4, 4),
        location="OTHER-PLACE",
        description="OTHER-INCIDENT",
    )

    entry = AppealFactory(
        entry__person=person, entry__record_owner=manager, recorded_by=assurance
    ).entry
    entry.referrals.add(first)
    EntryIncidentFactory(entry=entry, description="Threw a chair at the desk.")
    EntryEvent.objects.create(entry=entry, kind="panel_decision", actor=chair, message="Decided.")
    ContactCheck.objects.create(entry=entry, user=member, purpose="Before a home visit")
    SingleAccessGrant.objects.create(
        service=ServiceFactory(name="Repairs"),
        kind="entry",
        subject="Otto Quarrington",
        rationale="Boiler repair visit",
        ends_on=timezone.localdate(),
        status="approved",
        decided_at=timezone.now(),
        entry=entry,
    )
    AddressWarning.objects.create(
        address="14 Acland Road\nDorchester",
        postcode="DT1 1JW",
        postcode_normalised="DT11JW",
        tier="medium",
        guidance="Visit in pairs (Ottoline).",
        entry=entry,
    )
    other_entry = AppealFactory(entry__person=other).entry
    AddressWarning.objects.create(
        address="14 Acland Road\nDorchester",
        postcode="DT1 1JW",
        postcode_normalised="DT11JW",
        tier="high",
        guidance="OTHER-WARNING",
        entry=other_entry,
    )

    meeting = MeetingFactory()
    item = AgendaItemFactory(meeting=meeting, referral=first, statement="The manager's statement.")
    decision = Decision.objects.create(
        item=item,
        status="final",
        outcome="add_to_schedule",
        tier="medium",
        health_considered=True,
        health_notes="Hearing aid noted.",
        reasons="Repeated abuse of the housing team.",
        votes_for=4,
        votes_against=1,
        abstentions=0,
        decided_on=date(2026, 3, 10),
        drafted_by=chair,
    )
    ballot = Ballot.objects.create(
        item=item,
        number=1,
        motion="Add to the schedule",
        rule="majority_of_eligible",
        eligible_seats=["chair", "complaints"],
        opened_by=chair,
        votes_for=4,
        votes_against=1,
        abstentions=0,
        carried=True,
        closed_at=timezone.now(),
        closed_by=chair,
    )
    Vote.objects.create(ballot=ballot, seat="complaints", user=member, choice="for")
    AgendaItemFactory(meeting=meeting, referral=theirs, statement="OTHER-STATEMENT")
    assert decision.pk

    letter = SentLetterFactory(
        person=person,
        entry=entry,
        sender_name="Alex Advocate",
        approved_by=chair,
        sent_by=assurance,
    )
    pdf = LetterPdf(
        letter=letter, version=1, variant="standard", sha256="1" * 64, size=len(LETTER_PDF)
    )
    pdf.file.save(f"letters/{letter.pk}/letter.pdf", ContentFile(LETTER_PDF), save=False)
    pdf.save()
    QuestionnaireReturn.objects.create(
        letter=letter,
        answers={"disability": "yes"},
        categories={"disability": "yes", "sex": "female"},
        underlying_issue=True,
        issue_details="Hearing impairment.",
        received_on=date(2026, 3, 20),
        recorded_by=assurance,
    )
    SentLetterFactory(person=other, incident_description="OTHER-LETTER")

    Adjustment.objects.create(
        person=person,
        need="hearing_impairment",
        details="Write rather than phone.",
        source="questionnaire",
        recorded_by=assurance,
    )
    LegalHold.objects.create(person=person, reason="A complaint to the Ombudsman.", placed_by=chair)

    for viewer in (manager, member, assurance):
        with audit.acting_as(viewer):
            audit.record_access(person, people=[person.pk])
            audit.record_access(other, people=[other.pk])
    # A search whose hits were both of them: the row names both; its words are the other's name.
    with audit.acting_as(member):
        audit.record(
            audit.Event.SEARCH,
            model=type(person),
            object_repr="Search for Zebedee Marchbanks",
            people=[person.pk, other.pk],
        )

    return Record(
        person=person,
        other=other,
        chair=chair,
        dpo=dpo,
        manager=manager,
        member=member,
        assurance=assurance,
        referrals=[first, second, duplicate],
        entry=entry,
        letter=letter,
        pdf=pdf,
        evidence=evidence,
    )

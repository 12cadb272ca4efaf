"""People with whole cases behind them, for the retention schedule's tests: identity and details,
referrals with incidents, evidence and a mailbox email, an entry with its history, a letter with
its PDF and questionnaire return, an appeal, and audit rows that name them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import time_machine
from django.core.files.base import ContentFile

from correspondence.models import LetterPdf, QuestionnaireReturn
from referrals.models import (
    Adjustment,
    EventKind,
    Evidence,
    InboundEmail,
    InboundEmailStatus,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
    Referral,
    ReferralEvent,
)
from referrals.statuses import ReferralStatus
from schedule.models import Appeal, EntryEvent, EntryEventKind, EntryStatus, SingleAccessGrant
from ubpanel import audit

from .factories import (
    EntryFactory,
    EntryIncidentFactory,
    IncidentFactory,
    MailboxDraftFactory,
    PersonFactory,
    SentLetterFactory,
    SubmittedReferralFactory,
    UserFactory,
)

NAME = ("Zebedee", "Quarrington")
# Every identifying value made for a person carries their name, so a search for the name (any
# case) finds any of it left behind; the phone number is the one exception, given here.
SECRETS = ("Zebedee", "Quarrington", "zebedee", "quarrington", "ZEBEDEE", "QUARRINGTON", "900123")


def phone(family: str) -> str:
    return "07700 900123" if family == NAME[1] else f"07700 {900000 + len(family):06d}"


def email_of(person) -> str:
    return f"{person.given_names}.{person.family_name}@example.net".lower()


@dataclass
class Case:
    person: object
    referral: object = None
    entry: object = None
    letter: object = None
    evidence: object = None
    email: object = None
    pdf: object = None
    others: dict = field(default_factory=dict)


def at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def person_with_details(given: str = NAME[0], family: str = NAME[1], **kwargs):
    person = PersonFactory(
        given_names=given,
        family_name=family,
        date_of_birth=datetime.date(1970, 5, 17),
        health_and_disability=f"{family}'s long-term anxiety",
        **kwargs,
    )
    alias = f"{given} the Knife {family}"
    PersonAlias.objects.create(person=person, name=alias, search_name=alias.lower())
    PersonAddress.objects.create(
        person=person,
        address=f"17 {family} Close",
        postcode="DT9 9ZZ",
        postcode_normalised="DT99ZZ",
    )
    PersonEmail.objects.create(
        person=person, email=email_of(person), email_normalised=email_of(person)
    )
    number = phone(family)
    PersonPhone.objects.create(
        person=person, number=number, number_normalised=number.replace(" ", "")
    )
    Adjustment.objects.create(
        person=person, need="dyslexia", details=f"{family} reads slowly", source="panel"
    )
    return person


def referral_for(person, *, status=ReferralStatus.DECIDED, ended_at=None, out_of_scope=False):
    family = person.family_name
    referral = SubmittedReferralFactory(
        person=person,
        subject_given_names=person.given_names,
        subject_family_name=family,
        subject_address=f"17 {family} Close",
        subject_email=email_of(person),
        subject_phone=phone(family),
        summary=f"{family} threw a chair at Pat in reception",
        health_details=f"{family}'s long-term anxiety",
        police_reference=f"DP-{family}",
    )
    IncidentFactory(
        referral=referral,
        description=f"{family} threw a chair at Pat",
        location=f"{family}'s doorstep",
        staff_affected=f"Pat, who knows {family}",
    )
    evidence = Evidence.objects.create(
        referral=referral,
        file=ContentFile(f"%PDF-1.4 {family}".encode(), name=f"{family}.pdf"),
        original_name=f"{family} call log.pdf",
        content_type="application/pdf",
        size=20,
        sha256="0" * 64,
    )
    email = InboundEmail.objects.create(
        message_id=f"<{referral.pk}@mail.example>",
        status=InboundEmailStatus.IMPORTED,
        sender=email_of(person),
        subject=f"{person} again",
        body=f"{family} shouted at Pat",
        raw=ContentFile(f"From: {email_of(person)}\n\n{family}".encode(), name="raw.eml"),
        referral=referral,
    )
    moves = [ReferralStatus.OUT_OF_SCOPE] if out_of_scope else []
    if status not in moves:
        moves.append(status)
    when = ended_at or datetime.datetime.now(datetime.UTC)
    with at(when):
        for to in moves:
            ReferralEvent.objects.create(
                referral=referral,
                kind=EventKind.STATUS_CHANGED,
                to_status=to,
                message=f"{family} moved on",
            )
        referral.status = status
        referral.save()
    return referral, evidence, email


def removed_case(removed_at: datetime.datetime, **kwargs) -> Case:
    """A person added after a referral, written to, who appealed, and was removed at review."""
    started = removed_at - datetime.timedelta(days=400)
    with at(started):
        person = person_with_details(**kwargs)
        family = person.family_name
        referral, evidence, email = referral_for(person, ended_at=started)
        entry = EntryFactory(
            person=person,
            status=EntryStatus.ACTIVE,
            incident_summary=f"{family} threw a chair at Pat",
            reason=f"{family} had a knife",
            internal_notes=f"{family} known to police",
            spoc_contact_details=f"Pat, who knows {family}",
            how_to_respond=f"Do not visit {family} alone",
        )
        entry.referrals.add(referral)
        EntryIncidentFactory(
            entry=entry, description=f"{family} threw a chair", location=f"{family}'s doorstep"
        )
        letter = SentLetterFactory(person=person, entry=entry)
        pdf = LetterPdf.objects.create(
            letter=letter,
            version=1,
            variant="standard",
            file=ContentFile(f"%PDF {family}".encode(), name="letter.pdf"),
            sha256="1" * 64,
            size=16,
        )
        staff = UserFactory()
        QuestionnaireReturn.objects.create(
            letter=letter,
            answers={"disability": f"{family}'s anxiety"},
            categories={"disability": "yes"},
            issue_details=f"{family}'s anxiety",
            received_on=started.date(),
            recorded_by=staff,
        )
        Appeal.objects.create(
            entry=entry,
            received_on=started.date(),
            unreasonable=True,
            statement=f"{family} says it was not him",
            recorded_by=staff,
            outcome="dismissed",
            decided_at=started,
            reason=f"Pat's account of {family} is clear",
        )
        # A visiting officer was granted the entry for one visit, asking for it by name.
        SingleAccessGrant.objects.create(
            user=staff,
            kind="entry",
            subject=f"{person.given_names} {family}",
            postcode="DT1 1AA",
            rationale=f"Repair visit to {family}",
            ends_on=started.date(),
            status="expired",
            entry=entry,
            closed_reason="Ended.",
        )
        # Views, a search and a download of them, as the pages record them.
        audit.record_access([person, entry], people=[person.pk], actor=staff)
        audit.record(
            audit.Event.SEARCH,
            model=type(entry),
            object_repr="Schedule search",
            query=str(person).lower(),
            people=[person.pk],
            actor=staff,
        )
    with at(removed_at):
        EntryEvent.objects.create(
            entry=entry,
            kind=EntryEventKind.REMOVED,
            from_status=EntryStatus.ACTIVE,
            to_status=EntryStatus.REMOVED,
            message=f"Removed at review: {family} has behaved",
        )
        entry.status = EntryStatus.REMOVED
        entry.save()
    return Case(person, referral, entry, letter, evidence, email, pdf)


# A referral nobody linked to a person: every identifying value carries the name, or this phone.
UNLINKED = ("Ulrika", "Unlinkedby")
UNLINKED_SECRETS = (
    "Ulrika",
    "Unlinkedby",
    "ulrika",
    "unlinkedby",
    "ULRIKA",
    "UNLINKEDBY",
    "900456",
)


def unlinked_referral(
    ended_at: datetime.datetime,
    *,
    status=ReferralStatus.CLOSED,
    out_of_scope=False,
    given: str = UNLINKED[0],
    family: str = UNLINKED[1],
    merged_into=None,
) -> Referral:
    """A mailbox draft that ended (closed, out of scope, or merged) at ``ended_at`` before anyone
    linked a Person: the individual as described, the narratives, an incident, evidence, its raw
    email, its timeline, and audit rows of views of it."""
    email = f"{given}.{family}@example.net".lower()
    with at(ended_at - datetime.timedelta(days=3)):
        referral = MailboxDraftFactory(
            subject_given_names=given,
            subject_family_name=family,
            subject_aliases=f"{given} the Shouter {family}",
            subject_date_of_birth=datetime.date(1966, 2, 3),
            subject_address=f"4 {family} Row, Sherborne",
            subject_postcode="DT9 4UU",
            subject_email=email,
            subject_phone="07700 900456",
            summary=f"{family} shouted at Pat in the library",
            health_details=f"{family}'s hearing loss",
            legal_advice=f"{family} is not a journalist",
            police_reference=f"DP-{family}",
            police_not_reported_reason=f"{family} apologised",
        )
        incident = IncidentFactory(
            referral=referral,
            description=f"{family} shouted at Pat",
            location=f"{family}'s local library",
            staff_affected=f"Pat, who knows {family}",
        )
        evidence = Evidence.objects.create(
            referral=referral,
            file=ContentFile(f"%PDF-1.4 {family}".encode(), name=f"{family}.pdf"),
            original_name=f"{family} complaint.pdf",
            content_type="application/pdf",
            size=20,
            sha256="0" * 64,
        )
        InboundEmail.objects.create(
            message_id=f"<unlinked-{referral.pk}@mail.example>",
            status=InboundEmailStatus.IMPORTED,
            sender=email,
            subject=f"{given} {family} again",
            body=f"{family} shouted at Pat",
            raw=ContentFile(f"From: {email}\n\n{family}".encode(), name="raw.eml"),
            referral=referral,
        )
        staff = UserFactory()
        audit.record_access([referral, incident, evidence], actor=staff)
    moves = [ReferralStatus.OUT_OF_SCOPE] if out_of_scope else []
    if status not in moves:
        moves.append(status)
    with at(ended_at):
        for to in moves:
            ReferralEvent.objects.create(
                referral=referral,
                kind=EventKind.MERGED if to == ReferralStatus.MERGED else EventKind.STATUS_CHANGED,
                to_status=to,
                message=f"{given} {family}: moved on",
            )
        referral.status = status
        referral.merged_into = merged_into
        referral.save()
    return referral

"""What anonymising a person does to each kind of record: a table, not an if-chain.

Each row says which of a person's records it covers and what their identifying fields become.
Kept everywhere: ids, dates, tiers, statuses, categories, services, counts and who on the staff did
what, so the council can still count what the schedule did (how many people, at which tier, for
how long) and the audit trail's ids still lead somewhere. Deleted outright: the person's aliases,
addresses, emails, phone numbers and reasonable adjustments (``DELETED``). Files (evidence, letter
PDFs, raw emails, subject access exports) are deleted from storage by the service.

A referral never linked to a person (a mailbox draft or a web referral closed, or found out of
scope, before anyone linked a Person) is anonymised alone by the referral-level rows of the same
table (``REFERRAL_LEVEL``): the referral, its incidents, events, evidence and raw email.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from correspondence.models import Letter, LetterPdf, QuestionnaireReturn
from panel.models import AgendaItem, Ballot, Decision, DecisionCorrection, Declaration
from referrals.models import (
    Adjustment,
    Evidence,
    InboundEmail,
    Incident,
    Person,
    PersonAddress,
    PersonAlias,
    PersonEmail,
    PersonPhone,
    Referral,
    ReferralEvent,
)
from schedule.models import (
    AddressWarning,
    AddressWarningStatus,
    Appeal,
    ContactCheck,
    Entry,
    EntryEvent,
    EntryIncident,
    SingleAccessGrant,
)

from .models import LegalHold, SubjectAccessExport

# What a required text field says once emptied.
GONE = "[anonymised]"

# The fields a panel decision and an entry share (schedule.StaffGuidance) that are narrative.
GUIDANCE_TEXT = {
    "how_to_respond": "",
    "permitted_contact": "",
    "contact_restrictions": "",
    "service_restrictions": "",
    "spoc_name": "",
    "spoc_contact_details": "",
    "ward_councillors_asked": "",
    "ward_councillors_response": "",
    "adjustment_clash_reason": "",
}


@dataclass(frozen=True)
class Rule:
    model: type[models.Model]
    # The person's records of this kind, from the person's id.
    records: Callable[[int], models.QuerySet]
    # What each identifying field becomes ({} for rows that are deleted).
    values: dict
    key: str  # the name in the Anonymisation's counts
    # A referral-level row: its records among those of some referrals (the person's, or one
    # referral never linked to a person, which is anonymised alone).
    of_referrals: Callable[[models.QuerySet], models.QuerySet] | None = None


def _by_referral(model, of_referrals, values: dict, key: str) -> Rule:
    """A rule for records that hang off a referral: the person's are those of their referrals."""
    return Rule(
        model,
        lambda pk: of_referrals(Referral.objects.filter(person_id=pk)),
        values,
        key,
        of_referrals,
    )


def _messages(value: str) -> str:
    return GONE if value else ""


PERSON = {
    "given_names": "Anonymised person",
    "date_of_birth": None,
    "health_and_disability": "",
    "search_name": "",
}

# Deleted with the person's identity: nothing in them is anything but identifying.
DELETED = (
    Rule(PersonAlias, lambda pk: PersonAlias.objects.filter(person_id=pk), {}, "aliases"),
    Rule(PersonAddress, lambda pk: PersonAddress.objects.filter(person_id=pk), {}, "addresses"),
    Rule(PersonEmail, lambda pk: PersonEmail.objects.filter(person_id=pk), {}, "emails"),
    Rule(PersonPhone, lambda pk: PersonPhone.objects.filter(person_id=pk), {}, "phones"),
    Rule(Adjustment, lambda pk: Adjustment.objects.filter(person_id=pk), {}, "adjustments"),
)

# Kept, with their identifying fields emptied. A value that is a function is given the old value.
ANONYMISED = (
    _by_referral(
        Referral,
        lambda referrals: referrals,
        {
            "subject_given_names": "",
            "subject_family_name": "",
            "subject_aliases": "",
            "subject_date_of_birth": None,
            "subject_address": "",
            "subject_postcode": "",
            "subject_email": "",
            "subject_phone": "",
            "summary": "",
            "health_details": "",
            "legal_advice": "",
            "police_reference": "",
            "police_not_reported_reason": "",
        },
        "referrals",
    ),
    _by_referral(
        Incident,
        lambda referrals: Incident.objects.filter(referral__in=referrals),
        {"description": GONE, "location": GONE, "staff_affected": ""},
        "incidents",
    ),
    _by_referral(
        ReferralEvent,
        lambda referrals: ReferralEvent.objects.filter(referral__in=referrals),
        {"message": _messages},
        "referral_events",
    ),
    Rule(
        Entry,
        lambda pk: Entry.objects.filter(person_id=pk),
        {**GUIDANCE_TEXT, "incident_summary": "", "reason": "", "internal_notes": ""},
        "entries",
    ),
    Rule(
        EntryIncident,
        lambda pk: EntryIncident.objects.filter(entry__person_id=pk),
        {"description": GONE, "location": GONE},
        "entry_incidents",
    ),
    Rule(
        EntryEvent,
        lambda pk: EntryEvent.objects.filter(entry__person_id=pk),
        {"message": _messages},
        "entry_events",
    ),
    Rule(
        ContactCheck,
        lambda pk: ContactCheck.objects.filter(entry__person_id=pk),
        {"purpose": ""},
        "contact_checks",
    ),
    Rule(
        Appeal,
        lambda pk: Appeal.objects.filter(entry__person_id=pk),
        {"statement": "", "reason": ""},
        "appeals",
    ),
    # A live warning is about the address, still in force for visiting staff: it is kept as it is.
    Rule(
        AddressWarning,
        lambda pk: AddressWarning.objects.filter(entry__person_id=pk).exclude(
            status=AddressWarningStatus.LIVE
        ),
        {
            "address": GONE,
            "postcode": "",
            "postcode_normalised": "",
            "guidance": "",
            "ended_reason": "",
        },
        "address_warnings",
    ),
    # A need-to-know grant matched to the person's entry: the requester's words named them.
    Rule(
        SingleAccessGrant,
        lambda pk: SingleAccessGrant.objects.filter(entry__person_id=pk),
        {"subject": GONE, "postcode": "", "rationale": GONE, "closed_reason": ""},
        "single_access_grants",
    ),
    Rule(
        AgendaItem,
        lambda pk: _items(pk),
        {"statement": "", "withdrawn_reason": ""},
        "agenda_items",
    ),
    Rule(
        Decision,
        lambda pk: Decision.objects.filter(item__in=_items(pk)),
        {**GUIDANCE_TEXT, "health_notes": "", "care_system_notes": "", "reasons": ""},
        "decisions",
    ),
    Rule(
        DecisionCorrection,
        lambda pk: DecisionCorrection.objects.filter(decision__item__in=_items(pk)),
        {"old_value": "", "new_value": "", "reason": GONE},
        "decision_corrections",
    ),
    Rule(
        Ballot, lambda pk: Ballot.objects.filter(item__in=_items(pk)), {"motion": GONE}, "ballots"
    ),
    Rule(
        Declaration,
        lambda pk: Declaration.objects.filter(item__in=_items(pk)),
        {"interest": GONE, "ruling_reason": ""},
        "declarations",
    ),
    Rule(
        Letter,
        lambda pk: Letter.objects.filter(person_id=pk),
        {
            "recipient_name": GONE,
            "recipient_address": "",
            "recipient_email": "",
            "incident_description": GONE,
            "incident_location": GONE,
            "incident_when": GONE,
            "why_unreasonable": GONE,
            "expected_behaviour": "",
            "cease_and_desist": "",
            "spoc": "",
            "contact_restrictions": "",
            "service_restrictions": "",
            "email_divert_notice": "",
            "closing": "",
            "cancelled_reason": _messages,
        },
        "letters",
    ),
    # The equalities categories go with the words: they are the person's protected
    # characteristics (special-category data), not the behaviour categories kept for counting.
    Rule(
        QuestionnaireReturn,
        lambda pk: QuestionnaireReturn.objects.filter(letter__person_id=pk),
        {"answers": {}, "categories": {}, "issue_details": ""},
        "questionnaire_returns",
    ),
    Rule(
        LegalHold,
        lambda pk: LegalHold.objects.filter(person_id=pk),
        {"reason": GONE, "lift_reason": _messages},
        "legal_holds",
    ),
)

# Their files are deleted (storage) and the rows kept, nameless.
FILES = (
    _by_referral(
        Evidence,
        lambda referrals: Evidence.objects.filter(referral__in=referrals),
        {"original_name": ""},
        "evidence_files",
    ),
    Rule(LetterPdf, lambda pk: LetterPdf.objects.filter(letter__person_id=pk), {}, "letter_pdfs"),
    _by_referral(
        InboundEmail,
        lambda referrals: InboundEmail.objects.filter(referral__in=referrals),
        {"body": "", "subject": "", "sender": "", "failure_reason": ""},
        "raw_emails",
    ),
    Rule(
        SubjectAccessExport,
        lambda pk: SubjectAccessExport.objects.filter(person_id=pk),
        {"stage": "", "failure": ""},
        "subject_access_exports",
    ),
)


def _items(person_pk: int) -> models.QuerySet:
    return AgendaItem.objects.filter(
        models.Q(referral__person_id=person_pk) | models.Q(entry__person_id=person_pk)
    )


def person_values(person: Person) -> dict:
    """The person's own row, anonymised: a placeholder made from the id, nothing else."""
    return {**PERSON, "family_name": str(person.pk)}


def apply(obj: models.Model, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; returns the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        old = getattr(obj, name)
        new = value(old) if callable(value) else value
        if old != new:
            setattr(obj, name, new)
            changed.append(name)
    return changed


# Every kind of record of the person's, for finding their rows in the audit trail.
ALL_RULES = (*DELETED, *ANONYMISED, *FILES)
# What a referral never linked to a person loses when the schedule reaches it: the same rows, as
# the person's referrals lose them (the subject as described, the narratives, files, the email).
REFERRAL_LEVEL = tuple(rule for rule in (*ANONYMISED, *FILES) if rule.of_referrals is not None)


def referral_records(rule: Rule, referral_pk: int) -> models.QuerySet:
    """The records of one referral (never linked to a person) that ``rule`` covers."""
    return rule.of_referrals(Referral.objects.filter(pk=referral_pk))

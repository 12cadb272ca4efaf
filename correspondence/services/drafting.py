"""Letters drafted (pre-filled from the decision, the entry and the referral) and changed by staff
before they are approved."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from correspondence.models import Letter, LetterKind, LetterStatus
from correspondence.selectors import (
    REMOVAL_OUTCOMES,
    may_draft,
    may_edit_letter,
    removal_decision_pk,
    why_no_letter,
)
from correspondence.spoc import needs_spoc_notice
from panel.models import Decision, DecisionStatus, LetterRoute
from panel.models.decisions import RemovalCommunication
from referrals.models import Person, Referral
from schedule.models import Entry
from schedule.removal import RemovedBy, entry_removal_told
from ubpanel.entry_status import EntryStatus
from ubpanel.models import User
from ubpanel.outbox import notify, role_holders
from ubpanel.roles import Role, has_role
from ubpanel.services import service
from ubpanel.tiers import RiskTier

from .base import LetterError, lock_letter
from .prefill import prefill

# What staff may change in a letter (everything the protocol asks it to say, and the addressee).
LETTER_FIELDS = (
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "incident_description",
    "incident_location",
    "incident_when",
    "why_unreasonable",
    "expected_behaviour",
    "cease_and_desist",
    "spoc",
    "contact_restrictions",
    "service_restrictions",
    "consequences_of_breach",
    "logging_statement",
    "review_or_appeal",
    "ombudsman",
    "email_divert_notice",
    "closing",
    "sender_name",
    "sender_title",
)

# The letter each route of the panel's decision calls for.
KIND_FOR_ROUTE = {
    LetterRoute.LEGAL_SERVICES: LetterKind.HIGH,
    LetterRoute.OPERATIONS_MANAGER: LetterKind.LOW_MEDIUM,
    LetterRoute.EXPECTED_BEHAVIOUR: LetterKind.EXPECTED_BEHAVIOUR,
}


@service
def letter_draft(
    *,
    actor: User,
    kind: str,
    person: Person,
    entry: Entry | None = None,
    decision=None,
    referral: Referral | None = None,
) -> Letter:
    """A letter was drafted, pre-filled from the panel's decision, the schedule entry and the
    referral. Staff edit it before it is approved."""
    kind = LetterKind(kind)
    if not may_draft(actor, kind):
        raise PermissionDenied("You cannot draft that kind of letter.")
    if entry is not None:
        # As it is now, and held: an entry removed meanwhile gets no letter.
        entry = Entry.objects.select_for_update().get(pk=entry.pk)
    refused = why_no_letter(entry=entry, decision=decision, kind=kind)
    if refused:
        raise LetterError(refused)
    if kind == LetterKind.REMOVAL:
        _refuse_removal_letter(entry)
    if kind == LetterKind.SPOC_NOTICE and not (decision or entry):
        raise LetterError("A SPOC notice is drafted from the decision that appoints the SPOC.")
    if kind == LetterKind.HIGH and entry is not None and entry.tier != RiskTier.HIGH:
        raise ValidationError("A cease and desist letter from Legal Services is for high risk.")
    letter = Letter(
        kind=kind,
        person=person,
        entry=entry,
        decision=decision,
        referral=referral,
        created_by=actor,
        sender_name=str(actor),
        sender_title=actor.job_title,
        **prefill(kind, person, entry, decision, referral),
    )
    letter.save()
    if kind == LetterKind.HIGH and not has_role(actor, Role.LEGAL_SERVICES):
        _notify_legal_services(letter)
    return letter


def _refuse_removal_letter(entry: Entry | None) -> None:
    """A removal letter is about one removal the entry's history recorded as told (the setting
    when it happened), and there is one: a second waits for nothing."""
    if entry is None:
        raise LetterError("A removal letter is about a schedule entry that has been removed.")
    if not entry_removal_told(entry):
        raise LetterError(
            f"{entry.reference} was removed while NOTIFY_ON_REMOVAL was off: its removal is "
            "recorded as not communicated to the individual, so no removal letter goes."
        )
    drafted = (
        Letter.objects.filter(entry=entry, kind=LetterKind.REMOVAL)
        .exclude(status=LetterStatus.CANCELLED)
        .first()
    )
    if drafted is not None:
        raise LetterError(f"The removal letter for {entry.reference} is {drafted.reference}.")


def _notify_legal_services(letter: Letter) -> None:
    """A high-risk letter drafted by Assurance waits for Legal Services to approve and send it.
    The notification names the letter, never the individual."""
    link = settings.SITE_URL + reverse("correspondence:letter_detail", args=[letter.pk])
    notify(
        kind="letter-to-send",
        users=role_holders(Role.LEGAL_SERVICES),
        addresses=[settings.LEGAL_SERVICES_EMAIL],
        subject=f"High-risk letter {letter.reference}: waiting for Legal Services",
        body=(
            f"A high-risk letter ({letter.reference}) has been drafted for Legal Services to "
            "check, approve and send, with its cease and desist requirement."
        ),
        link=link,
        reference=letter.reference,
    )


@service
def letter_draft_from_decision(*, actor: User, decision) -> Letter:
    """The letter the panel's decision calls for: from the Operations Manager for low and medium
    risk, from Legal Services for high risk, or a letter of expected behaviour. After a removal
    the decision recorded as communicated (NOTIFY_ON_REMOVAL), the removal letter from the
    Operations Manager."""
    item = decision.item
    if decision.status != DecisionStatus.FINAL:
        raise LetterError("The panel has not decided yet.")
    # Before the letter route: a removal is not communicated, whatever route the chair chose,
    # unless the decision recorded that it is (then only the removal letter goes).
    communicated = decision.removal_communication == RemovalCommunication.COMMUNICATED
    if communicated and decision.outcome in REMOVAL_OUTCOMES:
        return _removal_letter_draft(actor=actor, decision=decision)
    refused = why_no_letter(entry=item.entry, decision=decision)
    if refused:
        raise LetterError(refused)
    kind = _kind_from_decision(decision)
    person = item.referral.person if item.referral_id else item.entry.person
    entry = item.entry or person.schedule_entries.filter(status__in=(EntryStatus.ACTIVE,)).first()
    return letter_draft(
        actor=actor,
        kind=kind,
        person=person,
        entry=entry,
        decision=decision,
        referral=item.referral,
    )


def _kind_from_decision(decision) -> LetterKind:
    """The letter of the decision's route, the first time; the SPOC notice when the decision
    appoints a single point of contact whose details no letter on its way gives - a SPOC-only
    decision, one with no letter of its own, or a SPOC changed since its letter was drafted
    (``correspondence.spoc``)."""
    first = not Letter.objects.filter(decision=decision).exists()
    if first and decision.letter_route in KIND_FOR_ROUTE:
        return KIND_FOR_ROUTE[decision.letter_route]
    if needs_spoc_notice(decision):
        return LetterKind.SPOC_NOTICE
    if decision.letter_route not in KIND_FOR_ROUTE:
        raise LetterError("The panel decided that no letter goes out for this decision.")
    return KIND_FOR_ROUTE[decision.letter_route]


def _removal_letter_draft(*, actor: User, decision) -> Letter:
    item = decision.item
    refused = why_no_letter(entry=item.entry, decision=decision, kind=LetterKind.REMOVAL)
    if refused:
        raise LetterError(refused)
    return letter_draft(
        actor=actor,
        kind=LetterKind.REMOVAL,
        person=item.entry.person,
        entry=item.entry,
        decision=decision,
    )


@service
def letter_draft_for_removal(*, actor: User, entry: Entry) -> Letter:
    """With NOTIFY_ON_REMOVAL on when the entry came off the schedule - by a panel decision, an
    appeal upheld, or an overdue review or unratified emergency addition ended by its default -
    the record owner tells the individual by the removal letter: that they are no longer on the
    schedule and normal contact arrangements apply. After a panel decision the letter is the
    decision's, as when drafted from it."""
    decision = None
    if entry_removal_told(entry) == RemovedBy.PANEL_DECISION:
        decision = Decision.objects.filter(
            pk=Entry.objects.filter(pk=entry.pk).values(decision_pk=removal_decision_pk())[:1]
        ).first()
    return letter_draft(
        actor=actor, kind=LetterKind.REMOVAL, person=entry.person, entry=entry, decision=decision
    )


@service
def letter_update(*, actor: User, letter: Letter, fields: dict[str, Any]) -> Letter:
    """Staff changed the letter. A changed letter is a new version: an approval of the old
    wording no longer stands, and its PDFs are not this letter's any more."""
    unknown = set(fields) - set(LETTER_FIELDS)
    if unknown:
        raise TypeError(f"Not letter fields: {', '.join(sorted(unknown))}")
    letter = lock_letter(letter, "letter_update")
    if not may_edit_letter(actor, letter):
        raise PermissionDenied("You cannot change that kind of letter.")
    changed = {name: value for name, value in fields.items() if getattr(letter, name) != value}
    if not changed:
        return letter
    for name, value in changed.items():
        setattr(letter, name, value)
    letter.version += 1
    letter.status = LetterStatus.DRAFT
    letter.approved_by = None
    letter.approved_at = None
    letter.save()
    return letter

"""The proposal: the decision record the chair drafts and the panel votes on, the Adult Social
Care representative's consultation of Mosaic, and what a proposal still lacks."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from panel.models import (
    DECISION_FIELDS,
    NO_LETTER_OUTCOMES,
    OUTCOMES_FOR,
    PERSON_KINDS,
    REMOVAL_NOT_COMMUNICATED,
    AgendaItem,
    Decision,
    ItemKind,
    ItemStatus,
    LetterRoute,
    MeetingStatus,
    Outcome,
)
from panel.removal import REMOVAL_OUTCOMES
from panel.selectors import sits_for_adult_social_care
from schedule.adjustments import CLASH_NEEDS_A_REASON, clashes, needs_of, refuse_unexplained_clash
from schedule.models import Entry
from schedule.models.entries import ContactRestriction
from ubpanel.entry_status import LIVE_STATUSES
from ubpanel.models import User
from ubpanel.services import lock_in_status, service
from ubpanel.tiers import RiskTier

from .base import PanelError, meeting_not_open, require_chairing

# Only the Adult Social Care representative records a consultation of Mosaic or another system.
CARE_SYSTEM_FIELDS = ("care_system_consulted", "care_system_notes")


def _default_letter_route(outcome: str, tier: str) -> str:
    if outcome == Outcome.LETTER_ONLY:
        return LetterRoute.EXPECTED_BEHAVIOUR
    if outcome == Outcome.ADD_TO_SCHEDULE:
        return (
            LetterRoute.LEGAL_SERVICES if tier == RiskTier.HIGH else LetterRoute.OPERATIONS_MANAGER
        )
    return LetterRoute.NONE


def _proposal_closed(item: AgendaItem) -> str:
    if item.status == ItemStatus.VOTING:
        return "The vote is open: close it before changing the proposal."
    return f"The item is {item.get_status_display().lower()}."


@service
def decision_draft_save(*, actor: User, item: AgendaItem, **fields) -> Decision:
    """The chair recorded the proposed decision - the motion the panel votes on - in the
    protocol's order: health first, then the criteria and tier, the outcome, SPOC, restrictions,
    email divert, the letter and the reasons."""
    require_chairing(actor, item.meeting)
    unknown = set(fields) - set(DECISION_FIELDS) - set(CARE_SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"Not decision fields: {', '.join(sorted(unknown))}")
    for name in CARE_SYSTEM_FIELDS:
        fields.pop(name, None)
    item = lock_in_status(
        item, (ItemStatus.LISTED,), error=PanelError, related=("meeting",), refusal=_proposal_closed
    )
    if item.meeting.status != MeetingStatus.OPEN:
        raise PanelError(meeting_not_open(item.meeting))
    decision, _ = Decision.objects.get_or_create(item=item, defaults={"drafted_by": actor})
    for name, value in fields.items():
        setattr(decision, name, value)
    if "letter_route" not in fields or not fields["letter_route"]:
        decision.letter_route = _default_letter_route(decision.outcome, decision.tier)
    decision.drafted_by = actor
    _refuse_unexplained_clash(item, decision)
    decision.save()
    return decision


def person_of(item: AgendaItem):
    """The person an item is about, if it names one yet (an access request names nobody)."""
    if item.referral_id:
        return item.referral.person
    return item.entry.person if item.entry_id else None


def _refuse_unexplained_clash(item: AgendaItem, decision: Decision) -> None:
    """A restriction that clashes with the person's reasonable adjustments goes ahead only with a
    recorded reason (``schedule.adjustments.CLASHES``)."""
    kinds = decision.restriction_kinds or []
    if not isinstance(kinds, list) or set(kinds) - set(ContactRestriction.values):
        raise PanelError("Choose kinds of restriction from the list", field="restriction_kinds")
    if kinds:
        refuse_unexplained_clash(
            kinds, needs_of(person_of(item)), decision.adjustment_clash_reason, error=PanelError
        )


@service
def decision_record_care_system_consultation(
    *, actor: User, item: AgendaItem, notes: str
) -> Decision:
    """The Adult Social Care representative recorded that they consulted Mosaic (or another
    system) and what it showed. The protocol allows nobody else to consult it."""
    if not sits_for_adult_social_care(actor, item.meeting):
        raise PermissionDenied(
            "Only the panel's Adult Social Care representative consults Mosaic or another system."
        )
    if not notes.strip():
        raise ValidationError("Record what the consultation found.")
    item = lock_in_status(
        item,
        (ItemStatus.LISTED,),
        error=PanelError,
        related=("meeting",),
        refusal=lambda _: "Record the consultation before the vote opens.",
    )
    decision, _ = Decision.objects.get_or_create(item=item, defaults={"drafted_by": actor})
    decision.care_system_consulted = True
    decision.care_system_notes = notes.strip()
    decision.care_system_consulted_by = actor
    decision.save()
    return decision


def _entry_to_update(item: AgendaItem) -> Entry | None:
    """The live entry a decision on ``item`` would act on, if there is one."""
    if item.entry_id:
        return item.entry
    if item.referral_id and item.referral.person_id:
        return item.referral.person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
    return None


def decision_problems(item: AgendaItem, decision: Decision | None) -> list[str]:
    """What the proposal still lacks before the panel can vote on it."""
    if decision is None or not decision.outcome:
        return ["Record the proposed decision first."]
    problems = []
    if item.kind in PERSON_KINDS and not decision.health_considered:
        problems.append(
            "The panel must first consider whether the individual has any underlying health "
            "issues, conditions or disabilities."
        )
    if decision.outcome not in OUTCOMES_FOR[ItemKind(item.kind)]:
        problems.append(
            f"“{decision.get_outcome_display()}” is not an outcome for "
            f"{item.get_kind_display().lower()}."
        )
    if decision.outcome == Outcome.ADD_TO_SCHEDULE:
        if decision.meets_criteria is not True:
            problems.append(
                "Adding to the schedule needs a finding that the behaviour meets the criteria."
            )
        if not decision.tier:
            problems.append("Say at which tier: low, medium or high.")
        if not decision.how_to_respond.strip():
            problems.append("Say how staff should respond.")
    if decision.outcome in (Outcome.ADD_TO_SCHEDULE, Outcome.RATIFY):
        entry = _entry_to_update(item)
        if decision.record_owner_id is None and (entry is None or entry.record_owner_id is None):
            problems.append(
                "Choose the record owner: the Operations Manager responsible for the record."
            )
    if decision.email_divert and not decision.spoc_name.strip():
        problems.append("An email divert goes to a SPOC: name the SPOC.")
    if decision.email_divert and not (
        decision.ward_councillors_consulted
        and decision.ward_councillors_asked.strip()
        and decision.ward_councillors_response.strip()
    ):
        problems.append(
            "Before an email divert, the panel liaises with the ward councillors: record which "
            "ward councillors were asked and what they said."
        )
    if decision.outcome == Outcome.SPOC_ONLY and not decision.spoc_name.strip():
        problems.append("A single point of contact only: name the SPOC.")
    if decision.spoc_name.strip() and not decision.spoc_contact_details.strip():
        problems.append("Give the SPOC's contact details: the individual is to be told them.")
    if decision.outcome in NO_LETTER_OUTCOMES and decision.letter_route not in (
        "",
        LetterRoute.NONE,
    ):
        problems.append(_no_letter_route(decision))
    if decision.outcome == Outcome.GRANT and (
        decision.recertify_by is None or decision.recertify_by <= timezone.localdate()
    ):
        problems.append("Give a re-certification date in the future for the access.")
    if (
        decision.restriction_kinds
        and not decision.adjustment_clash_reason.strip()
        and clashes(decision.restriction_kinds, needs_of(person_of(item)))
    ):
        problems.append(CLASH_NEEDS_A_REASON + ".")
    if decision.outcome != Outcome.DEFER and not decision.reasons.strip():
        problems.append("Record the reasons.")
    return problems


def _no_letter_route(decision: Decision) -> str:
    """Why a removal (or a keep, or an access decision) names no letter route."""
    if decision.outcome not in REMOVAL_OUTCOMES:
        return "No letter goes to the individual after this outcome: choose “No letter”."
    if settings.NOTIFY_ON_REMOVAL:
        # The removal letter is its own kind, drafted once the decision is final.
        return (
            "The removal letter (NOTIFY_ON_REMOVAL is on) is drafted from Letters once the "
            "decision is final, not through the letter route: choose “No letter”."
        )
    return (
        "The individual is not told of a removal. The protocol: "
        f"“{REMOVAL_NOT_COMMUNICATED}” Choose “No letter”."
    )

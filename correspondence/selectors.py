"""Who may see, draft and send which letters."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from panel.models import NO_LETTER_OUTCOMES, Outcome
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role, user_roles

from .models import Letter, LetterKind

# Assurance prepare letters for the panel; Legal Services draft and send the high-risk ones; the
# chair and the Monitoring Officer (appeals) read them all.
ALL_LETTERS_ROLES = frozenset(
    {Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES, Role.PANEL_CHAIR, Role.MONITORING_OFFICER}
)


# The protocol: "Removal from the list will not be communicated to the perpetrator as this may
# re-oxygenate the issues." Nothing goes to the individual after an outcome in the panel's
# NO_LETTER_OUTCOMES (removal at review, an emergency addition not ratified, keeping the entry at
# review, a decision on staff access), whatever letter the decision names, nor about a removed
# entry. The services refuse it; this says why, in words for staff.
REMOVAL_NOT_COMMUNICATED = (
    "Removal from the schedule is never communicated to the individual (the protocol: it may "
    "re-oxygenate the issues)."
)


def why_no_letter(*, entry=None, decision=None) -> str:
    """Why no letter may go to the individual about this entry or decision; "" when one may."""
    if entry is not None and entry.status == EntryStatus.REMOVED:
        return (
            f"{entry.reference} has been removed from the schedule, so no letter goes to the "
            f"individual. {REMOVAL_NOT_COMMUNICATED}"
        )
    if decision is not None and decision.outcome in NO_LETTER_OUTCOMES:
        outcome = decision.get_outcome_display()
        if decision.outcome in (Outcome.REMOVE, Outcome.NOT_RATIFY):
            return f"The panel decided: {outcome}. {REMOVAL_NOT_COMMUNICATED}"
        return f"The panel decided: {outcome}. No letter goes to the individual after that."
    return ""


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def visible_letters(user) -> QuerySet[Letter]:
    """Every letter for the roles above; an Operations Manager sees the letters about the entries
    they own and the referrals of their own service."""
    if not _signed_in(user):
        return Letter.objects.none()
    roles = user_roles(user)
    if roles & ALL_LETTERS_ROLES:
        return Letter.objects.all()
    if Role.REFERRING_MANAGER in roles:
        mine = Q(entry__record_owner=user) | Q(created_by=user)
        if user.service_id:
            mine |= Q(referral__service_id=user.service_id)
        return Letter.objects.filter(mine).exclude(kind=LetterKind.HIGH).distinct()
    return Letter.objects.none()


def may_draft(user, kind: str) -> bool:
    roles = user_roles(user)
    if kind == LetterKind.HIGH:
        return bool(roles & {Role.LEGAL_SERVICES, Role.ASSURANCE_OFFICER})
    return bool(roles & {Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES})


def may_send(user, letter: Letter) -> bool:
    """The sender the protocol names: Legal Services for high risk; the Operations Manager
    otherwise - the entry's record owner, or a manager of the referring service."""
    roles = user_roles(user)
    if letter.kind == LetterKind.HIGH:
        return Role.LEGAL_SERVICES in roles
    if Role.REFERRING_MANAGER not in roles:
        return False
    if letter.entry_id and letter.entry.record_owner_id:
        return letter.entry.record_owner_id == user.pk
    referral_service = letter.referral.service_id if letter.referral_id else None
    return referral_service is None or referral_service == user.service_id


def may_see_questionnaire_answers(user) -> bool:
    """The answers are special-category data: the panel and Adult Social Care."""
    from ubpanel.roles import can_see_special_category

    return can_see_special_category(user)


def decisions_for_letters(user):
    """The panel's final decisions whose letter ``user`` may draft: every one for Assurance and
    Legal Services (high risk); for an Operations Manager, those about entries they own or
    referrals from their service, when the letter is theirs to send."""
    from panel.models import Decision, DecisionStatus, LetterRoute

    if not _signed_in(user):
        return Decision.objects.none()
    roles = user_roles(user)
    decided = Decision.objects.filter(status=DecisionStatus.FINAL)
    if roles & {Role.ASSURANCE_OFFICER}:
        return decided
    if Role.LEGAL_SERVICES in roles:
        return decided.filter(letter_route=LetterRoute.LEGAL_SERVICES)
    if Role.REFERRING_MANAGER in roles:
        mine = Q(item__entry__record_owner=user) | Q(record_owner=user)
        if user.service_id:
            mine |= Q(item__referral__service_id=user.service_id)
        return decided.filter(mine).exclude(letter_route=LetterRoute.LEGAL_SERVICES)
    return Decision.objects.none()


def decisions_waiting_for_letters(user):
    """The decisions ``user`` may draft a letter for that have none yet: never one after which
    nothing goes to the individual (``NO_LETTER_OUTCOMES``), nor one about a removed entry."""
    from panel.models import LetterRoute

    return (
        decisions_for_letters(user)
        .filter(
            letter_route__in=[
                LetterRoute.OPERATIONS_MANAGER,
                LetterRoute.LEGAL_SERVICES,
                LetterRoute.EXPECTED_BEHAVIOUR,
            ]
        )
        .exclude(outcome__in=NO_LETTER_OUTCOMES)
        .exclude(item__entry__status=EntryStatus.REMOVED)
        .exclude(letters__isnull=False)
    )

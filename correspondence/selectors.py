"""Who may see, draft, change, approve and send which letters, and record a questionnaire return
(``may_<verb>(user, letter)``). The services raise ``PermissionDenied`` with the same predicates
the views and templates use to show a button. A predicate says yes only when the letter's status
allows the move too (``LETTER_GRAPH``); the services check the status first, on the locked row,
so a refusal for the status is a ``LetterError`` whoever asks."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from panel.models import NO_LETTER_OUTCOMES, Decision, DecisionStatus, LetterRoute, Outcome
from panel.models.decisions import RemovalCommunication
from panel.removal import REMOVAL_OUTCOMES
from referrals.models import ReferralStatus
from referrals.selectors import visible_referrals
from schedule.models import Entry
from schedule.removal import annotate_removal_told
from schedule.selectors import visible_entries
from ubpanel.entry_status import EntryStatus
from ubpanel.roles import Role, can_see_special_category, user_roles

from .models import LETTER_GRAPH, Letter, LetterKind, LetterStatus
from .spoc import spoc_untold

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
NEVER_TOLD_WHY = (
    "Removal from the schedule is never communicated to the individual (the protocol: it may "
    "re-oxygenate the issues)."
)


def why_no_letter(*, entry=None, decision=None, kind: str | None = None) -> str:
    """Why no letter (of ``kind``, when given) may go to the individual about this entry or
    decision; "" when one may.

    The removal letter is the one exception, and only with NOTIFY_ON_REMOVAL on: it may go about
    a removed entry after a decision that recorded the removal as communicated. With the setting
    off it is refused like any other letter."""
    if kind == LetterKind.REMOVAL:
        return _why_no_removal_letter(entry=entry, decision=decision)
    return _why_no_letter(entry=entry, decision=decision)


def _why_no_letter(*, entry=None, decision=None) -> str:
    if entry is not None and entry.status == EntryStatus.REMOVED:
        return (
            f"{entry.reference} has been removed from the schedule, so no letter goes to the "
            f"individual. {NEVER_TOLD_WHY}"
        )
    if decision is not None and decision.outcome in NO_LETTER_OUTCOMES:
        outcome = decision.get_outcome_display()
        if decision.outcome in (Outcome.REMOVE, Outcome.NOT_RATIFY):
            return f"The panel decided: {outcome}. {NEVER_TOLD_WHY}"
        return f"The panel decided: {outcome}. No letter goes to the individual after that."
    return ""


def _why_no_removal_letter(*, entry=None, decision=None) -> str:
    if not settings.NOTIFY_ON_REMOVAL:
        return _why_no_letter(entry=entry, decision=decision) or (
            f"There is no removal letter. {NEVER_TOLD_WHY}"
        )
    if decision is not None:
        if decision.outcome not in REMOVAL_OUTCOMES:
            return "A removal letter follows only a decision to remove someone from the schedule."
        if decision.removal_communication != RemovalCommunication.COMMUNICATED:
            return (
                "The panel's decision recorded that the removal is not communicated to the "
                "individual, so no removal letter goes."
            )
    if entry is not None and entry.status != EntryStatus.REMOVED:
        return (
            f"{entry.reference} is still on the schedule: a removal letter goes only once the "
            "entry is removed."
        )
    return ""


def letter_refusal(letter: Letter) -> str:
    """``why_no_letter`` for this letter."""
    return why_no_letter(entry=letter.entry, decision=letter.decision, kind=letter.kind)


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


def letter_recommended_referrals(user):
    """Referrals Assurance settled with a letter of expected behaviour instead of the panel, among
    those ``user`` may see: the letter for one is drafted from here."""
    return visible_referrals(user).filter(status=ReferralStatus.LETTER_RECOMMENDED)


def emergency_letter_entries(user):
    """The chair's emergency additions awaiting ratification (their high-risk letter is drafted at
    once), and removed entries (so the page can say no letter goes), among those ``user`` may see."""
    return visible_entries(user).filter(
        status__in=(EntryStatus.PENDING_RATIFICATION, EntryStatus.REMOVED)
    )


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


def can_change(letter: Letter) -> bool:
    """Whether the letter may still change at all: not once it is sent or cancelled."""
    return LETTER_GRAPH.allows(letter.status, "letter_update")


def may_edit_letter(user, letter: Letter) -> bool:
    """Those who may draft the kind of letter change it while it may still go."""
    return may_draft(user, letter.kind) and can_change(letter) and not letter_refusal(letter)


def is_sender(user, letter: Letter) -> bool:
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


def _sender_may(user, letter: Letter, service: str) -> bool:
    return (
        is_sender(user, letter)
        and LETTER_GRAPH.allows(letter.status, service)
        and not letter_refusal(letter)
    )


def may_approve(user, letter: Letter) -> bool:
    """The sender approves a draft that may go."""
    return _sender_may(user, letter, "letter_approve")


def may_send(user, letter: Letter) -> bool:
    """The sender sends an approved letter that may go."""
    return _sender_may(user, letter, "letter_send")


# Who record a returned equalities questionnaire.
QUESTIONNAIRE_ROLES = frozenset(
    {Role.ASSURANCE_OFFICER, Role.REFERRING_MANAGER, Role.LEGAL_SERVICES}
)


def may_record_questionnaire_return(user, letter: Letter) -> bool:
    """Assurance, the Operations Manager or Legal Services record a return for a sent letter
    that carried the questionnaire."""
    return bool(
        user_roles(user) & QUESTIONNAIRE_ROLES
        and letter.has_questionnaire
        and letter.status == LetterStatus.SENT
    )


def may_see_questionnaire_answers(user) -> bool:
    """The answers (protected characteristics, health) are special-category data: shown to the
    holders of ``SPECIAL_CATEGORY_ROLES``, like every other piece of it, among those who may open
    the letter. By default that is Assurance, who record the returns and put an underlying issue
    before the panel, and the chair; Legal Services, the Monitoring Officer and the Operations
    Manager open the letter without them. One setting, so narrowing it narrows these too."""
    return can_see_special_category(user)


def decisions_for_letters(user):
    """The panel's final decisions whose letter ``user`` may draft: every one for Assurance and
    Legal Services (high risk); for an Operations Manager, those about entries they own or
    referrals from their service, when the letter is theirs to send."""
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
    nothing goes to the individual (``NO_LETTER_OUTCOMES``), nor one about a removed entry.

    With NOTIFY_ON_REMOVAL on, a panel decision that removed someone waits for its removal letter
    when its entry's removal does: the one rule is ``removals_waiting_for_letters``."""
    waiting = _letter_waiting()
    if settings.NOTIFY_ON_REMOVAL:
        waiting |= Q(
            outcome__in=REMOVAL_OUTCOMES,
            item__entry__in=removals_waiting_for_letters(user).values("pk"),
        )
    return decisions_for_letters(user).filter(
        (waiting & ~Exists(Letter.objects.filter(decision=OuterRef("pk")))) | _spoc_waiting()
    )


def _spoc_waiting() -> Q:
    """A decision that appoints a SPOC whose details no letter on its way gives yet: it waits
    for its SPOC notice (``correspondence.spoc``)."""
    return Q(pk__in=spoc_untold(Decision.objects.all()).values("pk"))


def _letter_waiting() -> Q:
    """A decision that calls for a letter of its route: the individual stays on the schedule."""
    return (
        Q(
            letter_route__in=[
                LetterRoute.OPERATIONS_MANAGER,
                LetterRoute.LEGAL_SERVICES,
                LetterRoute.EXPECTED_BEHAVIOUR,
            ]
        )
        & ~Q(outcome__in=NO_LETTER_OUTCOMES)
        & ~Q(item__entry__status=EntryStatus.REMOVED)
    )


def letters_waiting_for_decisions(user):
    """The decisions waiting for a letter of their route (not a removal letter: those are
    ``removals_waiting_for_letters``, each listed once, by its entry), and those appointing a
    single point of contact whose details no letter on its way gives (the SPOC notice)."""
    return decisions_for_letters(user).filter(
        (_letter_waiting() & ~Exists(Letter.objects.filter(decision=OuterRef("pk"))))
        | _spoc_waiting()
    )


def removal_letter_entries(user) -> QuerySet[Entry]:
    """The entries whose removal letter ``user`` may draft: the record owner's letter (the
    Operations Manager), prepared by Assurance for any entry."""
    if not _signed_in(user):
        return Entry.objects.none()
    roles = user_roles(user)
    if Role.ASSURANCE_OFFICER in roles:
        return Entry.objects.all()
    if Role.REFERRING_MANAGER in roles:
        return Entry.objects.filter(record_owner=user)
    return Entry.objects.none()


def removals_waiting_for_letters(user) -> QuerySet[Entry]:
    """The one rule for "this removal waits for its letter", whichever way the entry came off the
    schedule (a panel decision, an appeal upheld, an overdue review or an unratified emergency
    addition ended by their defaults): with NOTIFY_ON_REMOVAL on, every removed entry whose
    removal recorded, as it happened, that the individual is told (``schedule.removal``) and that
    has no removal letter yet (a cancelled one does not count), among those whose letter ``user``
    may draft (the record owner's route). Annotated with ``removal_told`` (a ``RemovedBy`` value:
    how it was removed). With the setting off: none."""
    if not settings.NOTIFY_ON_REMOVAL:
        return Entry.objects.none()
    has_letter = Letter.objects.filter(entry=OuterRef("pk"), kind=LetterKind.REMOVAL).exclude(
        status=LetterStatus.CANCELLED
    )
    return (
        annotate_removal_told(removal_letter_entries(user).filter(status=EntryStatus.REMOVED))
        .exclude(removal_told="")
        .exclude(Exists(has_letter))
    )


def removal_decision_pk():
    """For an entry the panel removed: its removal decision (the removal letter is that
    decision's, drafted from it). A subquery, to annotate ``removals_waiting_for_letters``."""
    return Subquery(
        Decision.objects.filter(
            item__entry=OuterRef("pk"),
            status=DecisionStatus.FINAL,
            outcome__in=REMOVAL_OUTCOMES,
            removal_communication=RemovalCommunication.COMMUNICATED,
        )
        .order_by("-decided_at", "-pk")
        .values("pk")[:1]
    )


def letters_waiting_for_sender(user) -> tuple[list[Letter], list[Letter]]:
    """The drafts ``user`` may approve and the approved letters they may send, oldest first: for
    the senders the protocol names (Legal Services, the Operations Manager). One query."""
    if not user_roles(user) & {Role.LEGAL_SERVICES, Role.REFERRING_MANAGER}:
        return [], []
    letters = list(
        visible_letters(user)
        .filter(status__in=(LetterStatus.DRAFT, LetterStatus.APPROVED))
        .select_related("entry", "decision", "referral")
        .order_by("updated_at", "pk")
    )
    return (
        [letter for letter in letters if may_approve(user, letter)],
        [letter for letter in letters if may_send(user, letter)],
    )


def waiting_letter_work(user) -> dict[str, int]:
    """What waits for ``user`` among letters, as counts for their work page:

    - ``to_draft``: decisions they may draft the letter for that have none yet, and removals
      waiting for their removal letter (the letters page's "Waiting for a letter");
    - ``returns``: for the Assurance team, who record the returns, sent letters that carried the
      equalities questionnaire with no return recorded yet.

    The letters to approve and to send are ``letters_waiting_for_sender``, which names them. Two
    queries at most (three with NOTIFY_ON_REMOVAL on), however many letters there are."""
    roles = user_roles(user)
    counts: dict[str, int] = {}
    if may_draft(user, LetterKind.LOW_MEDIUM) or may_draft(user, LetterKind.HIGH):
        counts["to_draft"] = (
            letters_waiting_for_decisions(user).count() + removals_waiting_for_letters(user).count()
        )
    if Role.ASSURANCE_OFFICER in roles:
        counts["returns"] = (
            visible_letters(user)
            .filter(
                status=LetterStatus.SENT,
                kind__in=(LetterKind.LOW_MEDIUM, LetterKind.HIGH),
                returns__isnull=True,
            )
            .count()
        )
    return counts

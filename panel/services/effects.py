"""What a carried decision does.

One table, (kind of item, outcome) -> effect: every outcome an item can carry (OUTCOMES_FOR) has
exactly one effect, each of which changes the record it is about and writes an event on it. A
test walks the whole table; ``decision_act`` refuses a pair that is not in it rather than doing
nothing.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from panel.models import NO_LETTER_OUTCOMES, AgendaItem, Decision, ItemKind, LetterRoute, Outcome
from referrals.services import referral_decided_by_panel, referral_panel_deferred
from schedule import services as schedule_services
from schedule.models import EntryEventKind
from ubpanel import hooks
from ubpanel.errors import error_text
from ubpanel.models import User
from ubpanel.outbox import notify, role_holders
from ubpanel.roles import Role

from .agenda import append, listed, next_meeting
from .base import PanelError


def _note(item: AgendaItem, decision: Decision) -> str:
    return f"Panel decision at {item.meeting.reference}, item {item.position}: {decision.reasons}"


def _person(item: AgendaItem):
    return item.referral.person if item.referral_id else item.entry.person


def _referral_decided(*, actor, item, decision) -> None:
    if item.referral_id:
        referral_decided_by_panel(
            actor=actor,
            referral=item.referral,
            message=f"{decision.get_outcome_display()}. {_note(item, decision)}",
        )


def _add_to_schedule(*, actor, item, decision) -> None:
    """On the schedule at the tier decided (or the entry updated), with the case and reasons."""
    entry = schedule_services.entry_panel_decide(
        actor=actor,
        person=_person(item),
        referral=item.referral,
        decided_on=decision.decided_on,
        details={name: getattr(decision, name) for name in schedule_services.PANEL_DECISION_FIELDS},
        reasons=decision.reasons,
        note=_note(item, decision),
    )
    if item.entry_id is None:
        item.entry = entry
        item.save(update_fields=["entry"])
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor,
            entry=entry,
            note=f"The tier and guidance were changed in the light of it. {_note(item, decision)}",
        )
    _referral_decided(actor=actor, item=item, decision=decision)


def _refer_to_legal(*, actor, item, decision) -> None:
    """Behaviour that does not improve "may be escalated to Legal Services" (the protocol). At a
    12-month review the individual stays on the schedule while Legal Services act: the review is
    held, and the next one is due 12 months on."""
    _notify_legal_services(item)
    if item.kind == ItemKind.REVIEW:
        schedule_services.entry_review_keep(
            actor=actor,
            entry=item.entry,
            decided_on=decision.decided_on,
            note=f"Kept on the schedule while Legal Services act. {_note(item, decision)}",
        )
    if item.entry_id:
        schedule_services.entry_note_panel_step(
            actor=actor,
            entry=item.entry,
            kind=EntryEventKind.REFERRED_TO_LEGAL,
            message=f"Referred to Legal Services. {_note(item, decision)}",
        )
    _referral_decided(actor=actor, item=item, decision=decision)


def _ratify(*, actor, item, decision) -> None:
    schedule_services.entry_ratify(
        actor=actor,
        entry=item.entry,
        note=_note(item, decision),
        record_owner=decision.record_owner,
    )


def _not_ratify(*, actor, item, decision) -> None:
    """Off the schedule, and a letter drafted while it was pending never goes: removal is not
    communicated."""
    schedule_services.entry_end_emergency(
        actor=actor, entry=item.entry, reason=_note(item, decision)
    )
    _cancel_letters(actor=actor, item=item)


def _keep(*, actor, item, decision) -> None:
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor,
            entry=item.entry,
            note=f"Kept on the schedule as it stands. {_note(item, decision)}",
        )
        return
    schedule_services.entry_review_keep(
        actor=actor, entry=item.entry, decided_on=decision.decided_on, note=_note(item, decision)
    )


def _remove(*, actor, item, decision) -> None:
    """Off the schedule. "Removal from the list will not be communicated to the perpetrator as
    this may re-oxygenate the issues" (the protocol): letters not yet sent are cancelled."""
    if item.kind == ItemKind.UNDERLYING_ISSUE:
        schedule_services.entry_underlying_issue_considered(
            actor=actor, entry=item.entry, note=f"Removed. {_note(item, decision)}"
        )
    schedule_services.entry_remove(actor=actor, entry=item.entry, reason=_note(item, decision))
    _cancel_letters(actor=actor, item=item)


def _cancel_letters(*, actor, item) -> None:
    hooks.entry_letters_cancel(
        actor=actor,
        entry=item.entry,
        reason=f"The panel removed the entry at {item.meeting.reference}, item {item.position}: "
        "removal is not communicated to the individual.",
    )


def _grant(*, actor, item, decision) -> None:
    schedule_services.access_grant_approve(
        actor=actor,
        grant=item.access_grant,
        recertify_by=decision.recertify_by,
        panel_decision=decision,
    )


def _refuse(*, actor, item, decision) -> None:
    schedule_services.access_grant_decline(
        actor=actor, grant=item.access_grant, reason=decision.reasons, panel_decision=decision
    )


def _defer(*, actor, item, decision) -> None:
    """The item waits for a later meeting: its subject's history says so, and it goes on the next
    meeting's agenda now if one is arranged (otherwise when one is)."""
    message = f"Deferred by the panel at {item.meeting.reference}, item {item.position}."
    if decision.reasons.strip():
        message += f" {decision.reasons.strip()}"
    if item.referral_id:
        referral_panel_deferred(actor=actor, referral=item.referral, message=message)
    if item.entry_id:
        schedule_services.entry_note_panel_step(
            actor=actor, entry=item.entry, kind=EntryEventKind.DEFERRED, message=message
        )
    meeting = next_meeting()
    if meeting is None or meeting.pk == item.meeting_id:
        return
    subject = {
        "referral": item.referral,
        "entry": item.entry,
        "access_grant": item.access_grant,
    }
    if not listed(**{k: v for k, v in subject.items() if v}, kind=item.kind):
        append(meeting, actor=actor, kind=item.kind, **{k: v for k, v in subject.items() if v})


EFFECTS = {
    (ItemKind.NEW_REFERRAL, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.NEW_REFERRAL, Outcome.LETTER_ONLY): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.SPOC_ONLY): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.NO_ACTION): _referral_decided,
    (ItemKind.NEW_REFERRAL, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.NEW_REFERRAL, Outcome.DEFER): _defer,
    (ItemKind.REFERRAL_BACK, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.REFERRAL_BACK, Outcome.LETTER_ONLY): _referral_decided,
    (ItemKind.REFERRAL_BACK, Outcome.NO_ACTION): _referral_decided,
    (ItemKind.REFERRAL_BACK, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.REFERRAL_BACK, Outcome.DEFER): _defer,
    (ItemKind.RATIFICATION, Outcome.RATIFY): _ratify,
    (ItemKind.RATIFICATION, Outcome.NOT_RATIFY): _not_ratify,
    (ItemKind.RATIFICATION, Outcome.DEFER): _defer,
    (ItemKind.REVIEW, Outcome.KEEP): _keep,
    (ItemKind.REVIEW, Outcome.REMOVE): _remove,
    (ItemKind.REVIEW, Outcome.REFER_TO_LEGAL): _refer_to_legal,
    (ItemKind.REVIEW, Outcome.DEFER): _defer,
    (ItemKind.ACCESS_REQUEST, Outcome.GRANT): _grant,
    (ItemKind.ACCESS_REQUEST, Outcome.REFUSE): _refuse,
    (ItemKind.ACCESS_REQUEST, Outcome.DEFER): _defer,
    (ItemKind.UNDERLYING_ISSUE, Outcome.KEEP): _keep,
    (ItemKind.UNDERLYING_ISSUE, Outcome.ADD_TO_SCHEDULE): _add_to_schedule,
    (ItemKind.UNDERLYING_ISSUE, Outcome.REMOVE): _remove,
    (ItemKind.UNDERLYING_ISSUE, Outcome.DEFER): _defer,
}


def decision_act(*, actor: User, item: AgendaItem, decision: Decision) -> None:
    """What a carried decision does. Runs inside ``ballot_close``'s transaction."""
    effect = EFFECTS.get((ItemKind(item.kind), Outcome(decision.outcome)))
    if effect is None:
        raise PanelError(
            f"“{decision.get_outcome_display()}” is not an outcome for "
            f"{item.get_kind_display().lower()}."
        )
    if item.kind == ItemKind.REVIEW and item.entry_id and decision.outcome != Outcome.DEFER:
        decision.review_was_due_on = item.entry.review_due_on
        decision.save(update_fields=["review_was_due_on", "updated_at"])
    try:
        effect(actor=actor, item=item, decision=decision)
    except (schedule_services.ScheduleTransitionError, ValidationError) as error:
        raise PanelError(error_text(error)) from error
    if decision.letter_route == LetterRoute.LEGAL_SERVICES and (
        decision.outcome not in NO_LETTER_OUTCOMES
    ):
        _notify_letter_to_draft(item)


def _notify_letter_to_draft(item: AgendaItem) -> None:
    """The panel's decision calls for a high-risk letter from Legal Services: they draft it from
    the decision on the letters page. The notification names the item, never the individual."""
    reference = f"{item.meeting.reference} item {item.position}"
    notify(
        kind="letter-to-draft",
        users=role_holders(Role.LEGAL_SERVICES),
        addresses=[settings.LEGAL_SERVICES_EMAIL],
        subject=f"Panel decision {reference}: a high-risk letter to draft",
        body=(
            "The Unreasonable Behaviours Panel decided a case that calls for a letter from "
            "Legal Services, with a cease and desist requirement. Draft it from the decision "
            "on the letters page."
        ),
        link=settings.SITE_URL + reverse("correspondence:index"),
        reference=reference,
    )


def _notify_legal_services(item: AgendaItem) -> None:
    """The email names the item, never the individual."""
    link = settings.SITE_URL + reverse("panel:item_detail", args=[item.pk])
    notify(
        kind="panel-referred-to-legal",
        users=role_holders(Role.LEGAL_SERVICES),
        addresses=[settings.LEGAL_SERVICES_EMAIL],
        link=link,
        reference=f"{item.meeting.reference} item {item.position}",
        subject=f"Panel referral to Legal Services: {item.meeting.reference} item {item.position}",
        body=(
            "The Unreasonable Behaviours Panel referred a case to Legal Services to determine what "
            f"further action is needed.\n\nOpen the item in ubpanel: {link}\n"
        ),
    )

"""The agenda: what goes on it (by hand, or at once when something starts waiting for the panel),
its order, the papers' statement, withdrawing an item, and who is invited to an item."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from panel.models import (
    ITEM_GRAPH,
    NOT_CLOSED,
    UNDECIDED,
    AgendaItem,
    Invitee,
    InviteeRole,
    ItemKind,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Outcome,
)
from panel.notifications import invitation_notify, papers_published_notify
from panel.selectors import can_manage_agenda, presents
from referrals.models import Referral, ReferralStatus
from schedule import services as schedule_services
from schedule.models import AccessGrant, AccessGrantStatus, Entry, EntryEvent, EntryEventKind
from ubpanel.entry_status import LIVE_STATUSES, EntryStatus
from ubpanel.models import User
from ubpanel.roles import Role, has_role
from ubpanel.services import lock_in_status, service

from .base import PanelError, require_agenda_role

# Why an item is withdrawn when the meeting closes before reaching it.
NOT_REACHED = "Not reached at the meeting: carried forward to the next meeting."


def _closed_to_additions(meeting: Meeting) -> str:
    return "The meeting is closed: nothing more goes on its agenda."


def next_meeting() -> Meeting | None:
    """The next meeting still to be held: the earliest scheduled one from now on."""
    return (
        Meeting.objects.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


def listed(**subject) -> bool:
    """Something about ``subject`` is on an agenda, waiting for the panel."""
    return AgendaItem.objects.filter(status__in=UNDECIDED, **subject).exists()


def _carried_from(meeting: Meeting, kind, **subject):
    """This item's subject at another meeting that did not decide it (not reached, deferred)."""
    return (
        AgendaItem.objects.filter(kind=kind, **subject)
        .exclude(meeting=meeting)
        .filter(
            Q(status=ItemStatus.WITHDRAWN, withdrawn_reason=NOT_REACHED)
            | Q(decision__outcome=Outcome.DEFER)
        )
    )


def _urgency(meeting: Meeting, kind, **subject) -> int:
    """Where an item goes on ``meeting``'s agenda (issue 13): 0, first, an overdue review or an
    emergency addition that was on another meeting's agenda already (the protocol's "next
    available meeting" has passed); 1, next, anything else carried from a meeting that did not
    decide it; 2, anything new, at the end."""
    entry = subject.get("entry")
    if kind == ItemKind.REVIEW and entry is not None and entry.review_overdue_since:
        return 0
    elsewhere = AgendaItem.objects.filter(entry=entry, kind=kind).exclude(meeting=meeting)
    if kind == ItemKind.RATIFICATION and entry is not None and elsewhere.exists():
        return 0
    if _carried_from(meeting, kind, **subject).exists():
        return 1
    return 2


def append(meeting: Meeting, *, actor, kind, **subject) -> AgendaItem:
    """A new item on ``meeting``'s agenda: at the end, unless it is overdue or carried
    (``_urgency``), when it goes after the items as urgent as it and ahead of the rest."""
    urgency = _urgency(meeting, kind, **subject)
    items = list(meeting.items.select_related("entry").order_by("position", "pk"))
    ahead = len(items)
    if urgency < 2:
        ahead = 0
        for item in items:
            if _urgency(meeting, item.kind, **_subject_of(item)) > urgency:
                break
            ahead += 1
    # One save per item moved down, not update(): the audit trail records each.
    for item in items[ahead:]:
        item.position += 1
        item.save(update_fields=["position"])
    position = items[ahead - 1].position + 1 if ahead else 1
    item = AgendaItem.objects.create(
        meeting=meeting, kind=kind, position=position, added_by=actor, **subject
    )
    papers_published_notify(item)  # the members, when this is the meeting's first item
    return item


def _subject_of(item: AgendaItem) -> dict:
    return {
        name: getattr(item, name)
        for name in ("referral", "entry", "access_grant")
        if getattr(item, f"{name}_id") is not None
    }


def ratifications_missed_tell(*, actor: User | None) -> list[Entry]:
    """Emergency additions whose meeting closed without ratifying them: the chair, the Director for
    Legal and Democratic and the Monitoring Officer are told once per missed meeting
    (``schedule.services.entry_ratification_missed``)."""
    closed = AgendaItem.objects.filter(
        entry=OuterRef("pk"), kind=ItemKind.RATIFICATION, meeting__status=MeetingStatus.CLOSED
    ).order_by("-meeting__closed_at", "-pk")
    told = EntryEvent.objects.filter(
        entry=OuterRef("pk"), kind=EntryEventKind.RATIFICATION_OVERDUE
    ).order_by("-created_at", "-pk")
    missed = (
        Entry.objects.filter(status=EntryStatus.PENDING_RATIFICATION)
        .annotate(
            missed_at=Subquery(closed.values("meeting__closed_at")[:1]),
            missed_at_meeting=Subquery(closed.values("meeting_id")[:1]),
            told_at=Subquery(told.values("created_at")[:1]),
        )
        .filter(missed_at__isnull=False)
        .filter(Q(told_at__isnull=True) | Q(told_at__lt=F("missed_at")))
        .order_by("emergency_added_at", "pk")
    )
    done = []
    for entry in missed:
        meeting = Meeting.objects.get(pk=entry.missed_at_meeting)
        done.append(
            schedule_services.entry_ratification_missed(
                actor=actor, entry=entry, meeting=meeting.reference
            )
        )
    return done


@service
def agenda_add_pending(*, actor: User | None, meeting: Meeting) -> list[AgendaItem]:
    """Put on ``meeting``'s agenda everything waiting for the panel that is not on an agenda yet.

    The protocol: emergency additions are ratified "at the next available panel meeting"; access
    is granted by the panel on request; records are reviewed after 12 months. Something Assurance
    withdrew from this very meeting is not put back on it (they may add it again by hand).
    """
    meeting = lock_in_status(meeting, NOT_CLOSED, error=PanelError, refusal=_closed_to_additions)
    added = []
    on_agenda = AgendaItem.objects.filter(status__in=UNDECIDED) | AgendaItem.objects.filter(
        meeting=meeting, status=ItemStatus.WITHDRAWN
    )
    referrals = Referral.objects.filter(status=ReferralStatus.READY_FOR_PANEL).exclude(
        pk__in=on_agenda.filter(referral__isnull=False).values("referral_id")
    )
    for referral in referrals.order_by("submitted_at", "pk"):
        live = referral.person.schedule_entries.filter(status__in=LIVE_STATUSES).first()
        kind = ItemKind.REFERRAL_BACK if live else ItemKind.NEW_REFERRAL
        added.append(append(meeting, actor=actor, kind=kind, referral=referral, entry=live))
    entries_listed = on_agenda.filter(entry__isnull=False).values("entry_id")
    pending = Entry.objects.filter(status=EntryStatus.PENDING_RATIFICATION).exclude(
        pk__in=entries_listed
    )
    for entry in pending.order_by("emergency_added_at", "pk"):
        added.append(append(meeting, actor=actor, kind=ItemKind.RATIFICATION, entry=entry))
    due = Entry.objects.filter(
        status=EntryStatus.ACTIVE, review_due_on__lte=meeting.starts_at.date()
    ).exclude(pk__in=entries_listed)
    for entry in due.order_by("review_due_on", "pk"):
        added.append(append(meeting, actor=actor, kind=ItemKind.REVIEW, entry=entry))
    # A decided underlying-issue item clears the flag; one not reached leaves it, and the entry
    # comes back. Only an item still waiting holds its place.
    flagged = Entry.objects.filter(
        status__in=LIVE_STATUSES, underlying_issue_flagged_on__isnull=False
    ).exclude(pk__in=on_agenda.filter(kind=ItemKind.UNDERLYING_ISSUE).values("entry_id"))
    for entry in flagged.order_by("underlying_issue_flagged_on", "pk"):
        added.append(append(meeting, actor=actor, kind=ItemKind.UNDERLYING_ISSUE, entry=entry))
    # Items not reached whose subject has no waiting state of its own (a review listed before
    # it fell due, an entry referred back without a new referral) come back as they were.
    not_reached = (
        AgendaItem.objects.filter(
            meeting__status=MeetingStatus.CLOSED,
            status=ItemStatus.WITHDRAWN,
            withdrawn_reason=NOT_REACHED,
            kind__in=(ItemKind.REVIEW, ItemKind.REFERRAL_BACK),
            referral__isnull=True,
            entry__status=EntryStatus.ACTIVE,
        )
        .exclude(entry_id__in=entries_listed)
        .exclude(Exists(AgendaItem.objects.filter(entry=OuterRef("entry"), pk__gt=OuterRef("pk"))))
    )
    for old in not_reached.select_related("entry").order_by("pk"):
        if not listed(entry=old.entry):
            item = append(meeting, actor=actor, kind=old.kind, entry=old.entry)
            if old.statement:
                item.statement = old.statement
                item.save(update_fields=["statement"])
            added.append(item)
    requests = AccessGrant.objects.filter(status=AccessGrantStatus.REQUESTED).exclude(
        pk__in=on_agenda.filter(access_grant__isnull=False).values("access_grant_id")
    )
    for grant in requests.order_by("requested_at", "pk"):
        added.append(append(meeting, actor=actor, kind=ItemKind.ACCESS_REQUEST, access_grant=grant))
    return added


def agenda_fill_next_meeting(*, actor: User | None) -> list[AgendaItem]:
    """Whatever is waiting for the panel joins the next arranged meeting at once: a referral made
    ready for panel, an emergency addition (ratified "at the next available panel meeting"), an
    access request, an entry flagged with an underlying issue, a review falling due before the
    meeting, items not reached at the last meeting. With no meeting arranged, nothing happens:
    ``meeting_schedule`` picks them all up. Beat runs it daily for reviews that fall due."""
    meeting = next_meeting()
    added = [] if meeting is None else agenda_add_pending(actor=actor, meeting=meeting)
    # Told after the carry, so the telling can say the addition is first on the next agenda.
    ratifications_missed_tell(actor=actor)
    return added


def _check_subject(kind, *, referral, entry, access_grant) -> None:
    if kind in (ItemKind.NEW_REFERRAL,) and referral is None:
        raise ValidationError("Choose the referral the panel is to decide.")
    if kind in (ItemKind.RATIFICATION, ItemKind.REVIEW, ItemKind.REFERRAL_BACK) and entry is None:
        raise ValidationError("Choose the schedule entry the panel is to consider.")
    if kind == ItemKind.ACCESS_REQUEST and access_grant is None:
        raise ValidationError("Choose the access request the panel is to decide.")
    if kind == ItemKind.NEW_REFERRAL and referral.status != ReferralStatus.READY_FOR_PANEL:
        raise PanelError(f"{referral.reference} is not ready for the panel.")
    if kind == ItemKind.RATIFICATION and entry.status != EntryStatus.PENDING_RATIFICATION:
        raise PanelError(f"{entry.reference} is not an emergency addition awaiting ratification.")
    if kind in (ItemKind.REVIEW, ItemKind.REFERRAL_BACK) and entry.status != EntryStatus.ACTIVE:
        raise PanelError(f"{entry.reference} is {entry.get_status_display().lower()}.")
    if kind == ItemKind.ACCESS_REQUEST and access_grant.status != AccessGrantStatus.REQUESTED:
        raise PanelError("That access request has been decided already.")


@service
def agenda_item_add(
    *,
    actor: User,
    meeting: Meeting,
    kind: str,
    referral: Referral | None = None,
    entry: Entry | None = None,
    access_grant: AccessGrant | None = None,
    statement: str = "",
) -> AgendaItem:
    """Assurance put an item on the agenda: a referral, an entry to review or referred back
    because the behaviour has not improved, or a request for access."""
    require_agenda_role(actor)
    kind = ItemKind(kind)
    _check_subject(kind, referral=referral, entry=entry, access_grant=access_grant)
    meeting = lock_in_status(meeting, NOT_CLOSED, error=PanelError, refusal=_closed_to_additions)
    subject = {
        key: value
        for key, value in (("referral", referral), ("entry", entry), ("access_grant", access_grant))
        if value is not None
    }
    if kind == ItemKind.NEW_REFERRAL:
        duplicate = listed(referral=referral)
    elif kind == ItemKind.ACCESS_REQUEST:
        duplicate = listed(access_grant=access_grant)
    else:
        duplicate = listed(entry=entry, kind=kind)
    if duplicate:
        raise PanelError("That is already on an agenda waiting for the panel.")
    item = append(meeting, actor=actor, kind=kind, **subject)
    if statement.strip():
        item.statement = statement.strip()
        item.save(update_fields=["statement"])
    return item


@service
def agenda_item_move(*, actor: User, item: AgendaItem, up: bool) -> AgendaItem:
    """Assurance moved an item up or down the agenda."""
    require_agenda_role(actor)
    meeting = lock_in_status(
        item.meeting,
        NOT_CLOSED,
        error=PanelError,
        refusal=lambda _: "The meeting is closed: its agenda is part of the minutes.",
    )
    items = list(meeting.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    swap = index - 1 if up else index + 1
    if 0 <= swap < len(items):
        items[index], items[swap] = items[swap], items[index]
    for position, other in enumerate(items, start=1):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    return next(other for other in items if other.pk == item.pk)


@service
def agenda_item_statement_save(*, actor: User, item: AgendaItem, statement: str) -> AgendaItem:
    """The Operations Manager's statement, where papers are not available (the protocol)."""
    if not (can_manage_agenda(actor) or presents(actor, item)):
        raise PermissionDenied(
            "Only Assurance or the Operations Manager presenting add a statement."
        )
    item = lock_in_status(
        item,
        UNDECIDED,
        error=PanelError,
        related=("meeting",),
        refusal=lambda _: "The item has been decided: its papers are closed.",
    )
    item.statement = statement.strip()
    item.save(update_fields=["statement"])
    return item


@service
def agenda_item_withdraw(*, actor: User, item: AgendaItem, reason: str) -> AgendaItem:
    """Assurance took an item off the agenda before it was decided."""
    require_agenda_role(actor)
    if not reason.strip():
        raise ValidationError("Say why the item is withdrawn.")
    item = lock_in_status(
        item,
        ITEM_GRAPH.sources("agenda_item_withdraw"),
        error=PanelError,
        related=("meeting",),
        refusal=lambda item: (
            f"The item is {item.get_status_display().lower()}: it cannot be withdrawn."
        ),
    )
    item.status = ItemStatus.WITHDRAWN
    item.withdrawn_reason = reason.strip()
    item.save(update_fields=["status", "withdrawn_reason"])
    return item


def _invitations_closed(item: AgendaItem) -> str:
    return "The item has been dealt with: nobody more is invited to it."


@service
def invitee_add(*, actor: User, item: AgendaItem, user: User, role: str) -> Invitee:
    """Assurance invited the Operations Manager to present the case, or a Legal Services adviser
    for a high-risk item or where legal proceedings have been intimated. Invitees see that item
    only and never vote."""
    require_agenda_role(actor)
    role = InviteeRole(role)
    if role == InviteeRole.LEGAL_ADVISER and not has_role(user, Role.LEGAL_SERVICES):
        raise ValidationError("The legal adviser must be from Legal Services.")
    item = lock_in_status(
        item, UNDECIDED, error=PanelError, related=("meeting",), refusal=_invitations_closed
    )
    if item.meeting.status not in NOT_CLOSED:
        raise PanelError(_invitations_closed(item))
    try:
        with transaction.atomic():
            invitee = Invitee.objects.create(item=item, user=user, role=role, invited_by=actor)
    except IntegrityError:
        raise PanelError(f"{user} is invited to this item already.") from None
    invitation_notify(invitee)
    return invitee


@service
def invitee_remove(*, actor: User, invitee: Invitee) -> None:
    require_agenda_role(actor)
    invitee.delete()

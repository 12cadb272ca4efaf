"""Reminders of the 12-month reviews, and the checks staff record before contact."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from schedule.models import (
    LIVE_STATUSES,
    ContactCheck,
    Entry,
    EntryEvent,
    EntryEventKind,
    EntryStatus,
)
from ubpanel.audit import acting_as
from ubpanel.audit_bulk import bulk_create_audited_in_batches, bulk_update_audited
from ubpanel.links import link_maker
from ubpanel.models import User
from ubpanel.outbox import notify
from ubpanel.services import service

from ._common import long_date


def reviews_remind(*, actor: User | None = None, today: date | None = None) -> list[Entry]:
    """Reminders go out ahead of each entry's 12-month review (DESIGN: "reminders go out ahead;
    the item lands on the agenda"): Assurance and the record owner are told
    ``REVIEW_REMINDER_DAYS`` before the review is due. One reminder per review date, however often
    this runs; repeat behaviour moves the date, and the new date gets its own reminder. The emails
    name the entries and their dates, never the individuals.

    A sweep that scales (issue 16, point 5): one transaction, the due entries read and locked in
    one query (skipping any another run holds), their reminder dates and history written in bulk
    with an audit entry each, and one digest per recipient listing its references: Assurance gets
    every reference, each record owner their own. A re-run the same day finds nothing to do.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.REVIEW_REMINDER_DAYS)
    with acting_as(actor), transaction.atomic():
        entries = list(
            Entry.objects.filter(status__in=LIVE_STATUSES, review_due_on__lte=horizon)
            .exclude(review_reminder_sent_for=F("review_due_on"))
            .exclude(status=EntryStatus.PENDING_RATIFICATION)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("person", "record_owner")
            .order_by("review_due_on", "pk")
        )
        if not entries:
            return []
        now = timezone.now()

        def remind(entry: Entry) -> None:
            entry.review_reminder_sent_for = entry.review_due_on
            entry.updated_at = now

        bulk_update_audited(
            entries,
            remind,
            ["review_reminder_sent_for", "updated_at"],
            values={"review_reminder_sent_for": F("review_due_on"), "updated_at": now},
        )
        bulk_create_audited_in_batches(
            EntryEvent,
            [
                EntryEvent(
                    entry=entry,
                    actor=actor,
                    kind=EntryEventKind.REVIEW_REMINDER,
                    message=(
                        f"Review reminder sent: the review is due {long_date(entry.review_due_on)}."
                    ),
                )
                for entry in entries
            ],
        )
        _send_digests(entries)
    return entries


def _send_digests(entries: list[Entry]) -> None:
    """One digest to Assurance listing every entry, one to each record owner listing theirs."""
    by_owner: dict[int, tuple[User, list[Entry]]] = {}
    for entry in entries:
        if entry.record_owner is not None:
            by_owner.setdefault(entry.record_owner_id, (entry.record_owner, []))[1].append(entry)
    # One reverse() for them all: a reverse() per line costs more than the rest of the sweep.
    link = link_maker("schedule:entry_detail", prefix=settings.SITE_URL)
    links = {entry.pk: link(entry.pk) for entry in entries}
    overview = settings.SITE_URL + reverse("schedule:review_overview")
    _send_digest(entries, links, overview, addresses=[settings.ASSURANCE_EMAIL])
    for owner, theirs in by_owner.values():
        if (owner.email or "").strip().lower() == settings.ASSURANCE_EMAIL.strip().lower():
            continue  # Assurance's own digest already lists them
        _send_digest(theirs, links, overview, users=[owner])


def _send_digest(
    entries: list[Entry], links: dict[int, str], overview: str, *, users=(), addresses=()
) -> None:
    count = len(entries)
    if count == 1:
        entry = entries[0]
        subject = f"{entry.reference}: 12-month review due {long_date(entry.review_due_on)}"
        link = links[entry.pk]
        reference = entry.reference
    else:
        subject = f"{count} schedule entries: 12-month reviews due"
        link = overview
        reference = ""
    lines = "\n".join(
        f"- {entry.reference}: review due {long_date(entry.review_due_on)}, {links[entry.pk]}"
        for entry in entries
    )
    these = "This schedule entry is" if count == 1 else f"These {count} schedule entries are"
    notify(
        kind="review-due",
        users=users,
        addresses=addresses,
        link=link,
        reference=reference,
        subject=subject,
        body=(
            f"{these} due for the 12-month review by the Unreasonable "
            "Behaviours Panel on the date given. Each goes on the agenda of the panel meeting "
            "arranged before its date; the record owner may be invited to inform the decision."
            f"\n\n{lines}\n\nReviews due and overdue in ubpanel: {overview}\n"
        ),
    )


@service
def contact_check_record(*, actor: User, entry: Entry, purpose: str = "") -> ContactCheck:
    """A member of staff checked the schedule before visiting or contacting the individual.

    The caller has already fetched ``entry`` through ``visible_entries(actor)``.
    """
    return ContactCheck.objects.create(entry=entry, user=actor, purpose=purpose.strip()[:200])

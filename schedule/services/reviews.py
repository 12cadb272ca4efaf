"""Reminders of the 12-month reviews, and the checks staff record before contact."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from schedule.models import LIVE_STATUSES, ContactCheck, Entry, EntryEventKind, EntryStatus
from ubpanel.audit import acting_as
from ubpanel.models import User
from ubpanel.outbox import notify
from ubpanel.services import service

from ._common import entry_event, long_date


def reviews_remind(*, actor: User | None = None, today: date | None = None) -> list[Entry]:
    """Reminders go out ahead of each entry's 12-month review (DESIGN: "reminders go out ahead;
    the item lands on the agenda"): Assurance and the record owner are emailed
    ``REVIEW_REMINDER_DAYS`` before the review is due. One reminder per review date, however often
    this runs; repeat behaviour moves the date, and the new date gets its own reminder. The email
    names the entry and the date, never the individual.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.REVIEW_REMINDER_DAYS)
    due = (
        Entry.objects.filter(status__in=LIVE_STATUSES, review_due_on__lte=horizon)
        .exclude(review_reminder_sent_for=F("review_due_on"))
        .exclude(status=EntryStatus.PENDING_RATIFICATION)
        .values_list("pk", flat=True)
    )
    reminded = []
    for pk in list(due):
        # Each entry in its own transaction, skipping one another run holds: a sweep, not a step.
        with acting_as(actor), transaction.atomic():
            entry = (
                Entry.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("record_owner")
                .filter(pk=pk)
                .first()
            )
            if entry is None or entry.review_reminder_sent_for == entry.review_due_on:
                continue  # another run has it
            entry.review_reminder_sent_for = entry.review_due_on
            entry.save(update_fields=["review_reminder_sent_for", "updated_at"])
            entry_event(
                entry,
                actor=actor,
                kind=EntryEventKind.REVIEW_REMINDER,
                message=f"Review reminder sent: the review is due {long_date(entry.review_due_on)}.",
            )
            _send_reminder(entry)
            reminded.append(entry)
    return reminded


def _send_reminder(entry: Entry) -> None:
    link = settings.SITE_URL + reverse("schedule:entry_detail", args=[entry.pk])
    notify(
        kind="review-due",
        addresses=[settings.ASSURANCE_EMAIL],
        users=[entry.record_owner] if entry.record_owner is not None else [],
        link=link,
        reference=entry.reference,
        subject=f"{entry.reference}: 12-month review due {long_date(entry.review_due_on)}",
        body=(
            f"Schedule entry {entry.reference} is due for its 12-month review by the "
            f"Unreasonable Behaviours Panel on {long_date(entry.review_due_on)}. It goes on "
            "the agenda of the panel meeting arranged before that date; the record owner "
            "may be invited to inform the decision.\n\n"
            f"Open the entry in ubpanel: {link}\n"
        ),
    )


@service
def contact_check_record(*, actor: User, entry: Entry, purpose: str = "") -> ContactCheck:
    """A member of staff checked the schedule before visiting or contacting the individual.

    The caller has already fetched ``entry`` through ``visible_entries(actor)``.
    """
    return ContactCheck.objects.create(entry=entry, user=actor, purpose=purpose.strip()[:200])

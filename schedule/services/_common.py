"""What the schedule's services share: their errors, how they write a date, the entry's history,
the record-owner rule, and locking a row in a status its graph allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from schedule.models import ENTRY_GRAPH, Entry, EntryEvent, EntryStatus
from schedule.removal import removal_record, with_removal_note
from ubpanel.errors import DomainError
from ubpanel.models import Service, User
from ubpanel.services import lock_in_status
from ubpanel.transitions import StatusGraph


class ScheduleTransitionError(DomainError):
    """The entry, access grant or address warning is not in a status where that can happen."""


class AccessAlreadyRequested(ScheduleTransitionError):
    """The service or officer already has a request waiting for the panel's decision."""


class AccessAlreadyHeld(ScheduleTransitionError):
    """Every tier asked for is covered by access the service or officer holds now."""


class AppealAlreadyOpen(ScheduleTransitionError):
    """The entry has an appeal waiting for the Monitoring Officer's decision."""


def twelve_months_after(day: date) -> date:
    """The same date a year on; 29 February becomes 28 February, so a review is never late."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def entry_event(
    entry: Entry, *, actor, kind, message="", from_status="", to_status=""
) -> EntryEvent:
    return EntryEvent.objects.create(
        entry=entry,
        actor=actor,
        kind=kind,
        message=message,
        from_status=from_status,
        to_status=to_status,
    )


def require_record_owner(owner: User | None) -> None:
    """The protocol: "the responsibility for individual records will rest with the identified
    Operations Manager". No entry goes live without one."""
    if owner is None:
        raise ValidationError(
            {"record_owner": "Choose the record owner: the Operations Manager responsible"}
        )


M = models.Model


def grantee_locked(service_or_user) -> dict:
    """``{"service": ...}`` or ``{"user": ...}`` for a request's grantee, its row locked: two
    requests at once would each find no waiting request. (By its model: a view passes
    request.user, a lazy object.)"""
    if isinstance(service_or_user, Service):
        grantee = {"service": service_or_user}
    elif isinstance(service_or_user, User):
        grantee = {"user": service_or_user}
    else:
        raise TypeError("Access is granted to a Service or a User.")
    (Service if "service" in grantee else User).objects.select_for_update().get(
        pk=service_or_user.pk
    )
    return grantee


def lock_for(obj: M, graph: StatusGraph, service: str, refusal: Callable[[M], str]) -> M:
    """Lock ``obj`` (``lock_in_status``) and refuse with ``refusal(obj)``, in the protocol's words
    for that step, unless ``graph`` lets ``service`` act on it in the status it has now."""
    return lock_in_status(
        obj, graph.sources(service), error=ScheduleTransitionError, refusal=refusal
    )


def entry_move(
    entry: Entry, *, actor, service: str, to, kind, message="", removed_by: str = ""
) -> Entry:
    """Move the entry to ``to`` by ``service``, from the statuses ``ENTRY_GRAPH`` allows, and say so
    in its history. A removal says how it came about (``removed_by``, a ``RemovedBy`` value), and
    its event records whether the individual is told (``schedule.removal``): every way off the
    schedule passes here, so none can forget it."""
    if to == EntryStatus.REMOVED:
        if not removed_by:
            raise TypeError("A removal says how it came about: removed_by=RemovedBy.…")
        message = with_removal_note(message, removed_by)
    entry = lock_in_status(
        entry, ENTRY_GRAPH.sources(service, to), to=to, error=ScheduleTransitionError
    )
    from_status = entry.status
    entry.status = to
    if to == EntryStatus.REMOVED:
        entry.removal_told_by = removal_record(removed_by)["removal_told_by"]
    entry.save()
    entry_event(
        entry, actor=actor, kind=kind, message=message, from_status=from_status, to_status=to
    )
    return entry

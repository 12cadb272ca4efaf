"""The retention schedule: what is due, for whom and when (selectors; the daily task acts on them
through ``rights.services.retention``, the page lists them).

A person's records are anonymised ``RETENTION[kind]`` days after the end of each of their cases,
the latest of these deciding:

- ``removed``: every entry of theirs is removed; the end is the last removal (the entry's history).
- ``closed``: a referral that ended without inclusion (closed, letter recommended instead, decided
  by the panel); the end is the day it got there.
- ``out_of_scope``: a referral found out of scope (marked so, and perhaps closed since).

Nothing is ever due while the person has a live entry, an open referral, or a standing legal hold.
A referral is open while it can still go anywhere but to closure (``REFERRAL_GRAPH``): out of scope,
letter recommended, decided, closed and merged are ended; everything else is open.

Files go earlier: evidence files and letter PDFs ``RETENTION["evidence"]`` days after the case
ended (the same never-touch conditions), raw mailbox emails ``RETENTION["raw_email"]`` days after
they arrived, once no open referral needs them (and no legal hold stands on the person).

Referrals never linked to a person are anonymised on their own: ``rights.retention_referrals``;
the terms both share (ended statuses, periods, ``Due``) are in ``rights.retention_terms``.

Every query here is one statement whatever the number of people: the ends are annotated with
subqueries, never read person by person.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from correspondence.models import LetterPdf
from referrals.models import Evidence, InboundEmail, Person, Referral, ReferralEvent
from referrals.statuses import ReferralStatus
from schedule.models import LIVE_STATUSES, Entry, EntryEvent, EntryStatus
from ubpanel.roles import RETENTION_ROLES, has_role

from .models import Anonymisation, LegalHold, RetentionRule
from .retention_referrals import unlinked_referrals_due
from .retention_terms import (
    CASE_ENDED,
    ENDED_REFERRAL_STATUSES,
    NEVER,
    OPEN_REFERRAL_STATUSES,
    Due,
    day_after,
    days,
    latest,
    local,
)


def may_manage_retention(user, person: Person | None = None) -> bool:
    """The panel chair (the Information Asset Owner) and the data protection officer see the
    retention schedule and place and lift legal holds."""
    return has_role(user, *RETENTION_ROLES)


# --- When each case ended --------------------------------------------------------------------


def _referral_ends(out_of_scope: bool) -> Subquery:
    """When the person's last ended referral of one kind (out of scope at some point, or not) got
    where it ended: its last move to an ended status (or, for a referral made in its final status
    by a data load, its last change)."""
    ended_on = latest(
        ReferralEvent.objects.filter(referral_id=OuterRef("pk"), to_status__in=CASE_ENDED)
    )
    was_out_of_scope = Q(status=ReferralStatus.OUT_OF_SCOPE) | Exists(
        ReferralEvent.objects.filter(
            referral_id=OuterRef("pk"), to_status=ReferralStatus.OUT_OF_SCOPE
        )
    )
    referrals = Referral.objects.filter(person=OuterRef("pk"), status__in=CASE_ENDED)
    referrals = (
        referrals.filter(was_out_of_scope) if out_of_scope else referrals.exclude(was_out_of_scope)
    )
    return latest(referrals.annotate(ended_on=Coalesce(ended_on, F("updated_at"))), "ended_on")


def _removal_end() -> Coalesce:
    events = EntryEvent.objects.filter(entry__person=OuterRef("pk"), to_status=EntryStatus.REMOVED)
    entries = Entry.objects.filter(person=OuterRef("pk"), status=EntryStatus.REMOVED)
    return Coalesce(latest(events), latest(entries, "updated_at"))


def _after(name: str, rule: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        Coalesce(F(name) + Value(days(rule)), Value(NEVER)), output_field=DateTimeField()
    )


def untouchable() -> Q:
    """A live entry, an open referral, or a standing legal hold: never touched."""
    return Q(
        Exists(Entry.objects.filter(person=OuterRef("pk"), status__in=LIVE_STATUSES))
        | Exists(Referral.objects.filter(person=OuterRef("pk"), status__in=OPEN_REFERRAL_STATUSES))
        | Exists(LegalHold.objects.filter(person=OuterRef("pk"), lifted_at__isnull=True))
    )


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("person").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def people_with_ends() -> QuerySet[Person]:
    """People not yet anonymised, with when each kind of case of theirs ended (``removed_end``,
    ``closed_end``, ``out_of_scope_end``), the last of them (``last_end``), and when the schedule
    anonymises them (``due_at``, the latest end plus its period). Never-touch people excluded."""
    return (
        Person.objects.filter(anonymised_at__isnull=True)
        .exclude(untouchable())
        .annotate(
            removed_end=_removal_end(),
            closed_end=_referral_ends(out_of_scope=False),
            out_of_scope_end=_referral_ends(out_of_scope=True),
        )
        .annotate(
            removed_due=_after("removed_end", RetentionRule.REMOVED),
            closed_due=_after("closed_end", RetentionRule.CLOSED_WITHOUT_INCLUSION),
            out_of_scope_due=_after("out_of_scope_end", RetentionRule.OUT_OF_SCOPE),
            last_end=Greatest(
                Coalesce("removed_end", Value(NEVER)),
                Coalesce("closed_end", Value(NEVER)),
                Coalesce("out_of_scope_end", Value(NEVER)),
            ),
        )
        .annotate(due_at=Greatest("removed_due", "closed_due", "out_of_scope_due"))
        .filter(last_end__gt=NEVER)
    )


# --- What is due -----------------------------------------------------------------------------


def counted(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _person_rule(person: Person) -> tuple[str, datetime.date]:
    """The rule that decides (the latest of the person's ends plus its period) and its date."""
    candidates = [
        (local(end) + days(rule), rule)
        for rule, end in (
            (RetentionRule.REMOVED, person.removed_end),
            (RetentionRule.CLOSED_WITHOUT_INCLUSION, person.closed_end),
            (RetentionRule.OUT_OF_SCOPE, person.out_of_scope_end),
        )
        if end is not None
    ]
    due_on, rule = max(candidates)
    return str(rule), due_on


def _anonymisations(horizon: datetime.date, only: int | None = None) -> list[Due]:
    people = people_with_ends().filter(due_at__lt=day_after(horizon))
    if only is not None:
        people = people.filter(pk=only)
    people = people.annotate(
        referral_count=_count(Referral.objects.filter(person=OuterRef("pk"))),
        entry_count=_count(Entry.objects.filter(person=OuterRef("pk"))),
    ).order_by("due_at", "pk")
    found = []
    for person in people:
        rule, due_on = _person_rule(person)
        if due_on > horizon:
            continue
        found.append(
            Due(
                rule,
                due_on,
                person,
                [
                    "Name, date of birth and health anonymised; aliases, addresses, emails, "
                    "phone numbers and adjustments deleted",
                    f"{counted(person.referral_count, 'referral')} and "
                    f"{counted(person.entry_count, 'entry', 'entries')}: "
                    "narratives removed, dates, tiers, statuses and categories kept",
                    "Evidence files, letter PDFs and raw emails deleted",
                    "The person's details removed from the audit trail",
                ],
            )
        )
    return found


def _file_removals(horizon: datetime.date, skip: set[int]) -> list[Due]:
    """Evidence files and letter PDFs of people whose cases ended long enough ago."""
    cutoff = day_after(horizon) - days(RetentionRule.EVIDENCE)
    people = {
        person.pk: person
        for person in people_with_ends().filter(last_end__lt=cutoff).exclude(pk__in=skip)
    }
    evidence = Evidence.objects.filter(
        referral__person__in=list(people), file_removed_at__isnull=True
    ).exclude(file="")
    pdfs = LetterPdf.objects.filter(
        letter__person__in=list(people), file_removed_at__isnull=True
    ).exclude(file="")
    files: dict[int, Due] = {}
    for kind, rows in (
        ("evidence", evidence.values_list("referral__person", "pk")),
        ("pdf", pdfs.values_list("letter__person", "pk")),
    ):
        for person_pk, pk in rows:
            person = people[person_pk]
            due_on = local(person.last_end) + days(RetentionRule.EVIDENCE)
            if due_on > horizon:
                continue
            due = files.setdefault(person_pk, Due(RetentionRule.EVIDENCE, due_on, person, []))
            (due.evidence_ids if kind == "evidence" else due.pdf_ids).append(pk)
    for due in files.values():
        due.what = [
            f"{counted(len(due.evidence_ids), 'evidence file')} and "
            f"{counted(len(due.pdf_ids), 'letter PDF')} "
            "deleted; the records stay"
        ]
    return list(files.values())


def raw_emails_due(horizon: datetime.date) -> QuerySet[InboundEmail]:
    """Mailbox emails kept long enough: arrived ``RETENTION["raw_email"]`` days before, with no
    referral (failed to import), or one that has ended (and, if merged, one whose case ended too);
    never one of a person with a standing legal hold."""
    ended = list(ENDED_REFERRAL_STATUSES)
    held = LegalHold.objects.filter(lifted_at__isnull=True).values("person")
    return (
        InboundEmail.objects.filter(
            raw_removed_at__isnull=True,
            received_at__lt=day_after(horizon) - days(RetentionRule.RAW_EMAIL),
        )
        .filter(
            Q(referral__isnull=True)
            | Q(referral__status__in=ended)
            & (Q(referral__merged_into__isnull=True) | Q(referral__merged_into__status__in=ended))
        )
        .exclude(referral__person__in=held)
        .select_related("referral__person")
        .order_by("received_at", "pk")
    )


def _email_removals(horizon: datetime.date, skip: set[int]) -> list[Due]:
    found = []
    for email in raw_emails_due(horizon):
        person = email.referral.person if email.referral_id else None
        if person is not None and person.pk in skip:
            continue
        due_on = local(email.received_at) + days(RetentionRule.RAW_EMAIL)
        what = f"The raw email received {email.received_at:%d %b %Y} and its text deleted"
        found.append(Due(RetentionRule.RAW_EMAIL, due_on, person, [what], email_ids=[email.pk]))
    return found


def due_within(within_days: int, *, today: datetime.date | None = None) -> list[Due]:
    """Everything the schedule will do from now until ``within_days`` days from ``today``
    (0: what is due today, which includes anything overdue), soonest first. A person being
    anonymised has their files deleted with them, so their file removals are not listed twice."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    anonymisations = _anonymisations(horizon)
    going = {due.person.pk for due in anonymisations}
    found = [
        *anonymisations,
        *unlinked_referrals_due(horizon),
        *_file_removals(horizon, going),
        *_email_removals(horizon, going),
    ]
    return sorted(found, key=lambda due: due.sort_key)


def anonymisation_due(person_pk: int, *, today: datetime.date | None = None) -> Due | None:
    """The person's anonymisation if it is due by ``today`` (checked again under lock by the
    service: a new referral or a hold since the list was read stops it)."""
    found = _anonymisations(today or timezone.localdate(), only=person_pk)
    return found[0] if found else None


def referral_anonymisation_due(
    referral_pk: int, *, today: datetime.date | None = None
) -> Due | None:
    """The unlinked referral's anonymisation if it is due by ``today`` (checked again under lock)."""
    found = unlinked_referrals_due(today or timezone.localdate(), only=referral_pk)
    return found[0] if found else None


def next_for_person(person: Person) -> Due | None:
    """When the schedule will anonymise this person, if nothing stops it (the person's page)."""
    found = people_with_ends().filter(pk=person.pk).first()
    if found is None:
        return None
    rule, due_on = _person_rule(found)
    return Due(rule, due_on, person, [])


def standing_hold(person: Person) -> LegalHold | None:
    return LegalHold.objects.filter(person=person, lifted_at__isnull=True).first()


def standing_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(lifted_at__isnull=True).select_related("person", "placed_by")


# --- What the retention pages may show ----------------------------------------------------------


def retention_people(user) -> QuerySet[Person]:
    """Everyone on record, to those who manage the retention schedule; nobody to anyone else."""
    return Person.objects.all() if may_manage_retention(user) else Person.objects.none()


def visible_holds(user) -> QuerySet[LegalHold]:
    if not may_manage_retention(user):
        return LegalHold.objects.none()
    return LegalHold.objects.select_related("person", "placed_by", "lifted_by")


def recent_anonymisations(limit: int = 20) -> QuerySet[Anonymisation]:
    return Anonymisation.objects.select_related("person", "referral")[:limit]


def person_retention(person: Person) -> dict:
    """What the person's page says about the schedule: the standing hold, or when (and by which
    rule) the records will be anonymised if nothing stops it."""
    hold = standing_hold(person)
    return {
        "legal_hold": hold,
        "retention_due": None if hold or person.anonymised_at else next_for_person(person),
    }

"""The retention schedule's terms, shared by what is due for a person (``rights.retention``) and
for a referral never linked to a person (``rights.retention_referrals``): when a referral has
ended, how long each rule keeps records, and what one act of the schedule is (``Due``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import DateTimeField, QuerySet, Subquery
from django.utils import timezone

from referrals.models import Person, Referral
from referrals.statuses import REFERRAL_GRAPH, ReferralStatus

from .models import RetentionRule

# A referral has ended when the graph takes it nowhere but to closure.
ENDED_REFERRAL_STATUSES = frozenset(
    status
    for status in ReferralStatus
    if all(t.service == "referral_close" for t in REFERRAL_GRAPH.transitions if t.source == status)
)
OPEN_REFERRAL_STATUSES = frozenset(ReferralStatus) - ENDED_REFERRAL_STATUSES
# A merged referral's case goes on in the one it was merged into.
CASE_ENDED = ENDED_REFERRAL_STATUSES - {ReferralStatus.MERGED}
PERSON_RULES = (
    RetentionRule.REMOVED,
    RetentionRule.CLOSED_WITHOUT_INCLUSION,
    RetentionRule.OUT_OF_SCOPE,
)
# Older than any record: stands for "no such end" where SQL needs a value (GREATEST and NULL).
NEVER = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def days(rule: str) -> datetime.timedelta:
    return datetime.timedelta(days=settings.RETENTION[str(rule)])


def latest(queryset: QuerySet, name: str = "created_at") -> Subquery:
    return Subquery(queryset.order_by(f"-{name}").values(name)[:1], output_field=DateTimeField())


def day_after(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def local(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


@dataclass
class Due:
    """One thing the schedule will do: anonymise a person (or a referral never linked to one), or
    delete some files."""

    rule: str
    due_on: datetime.date
    person: Person | None
    what: list[str]
    evidence_ids: list[int] = field(default_factory=list)
    pdf_ids: list[int] = field(default_factory=list)
    email_ids: list[int] = field(default_factory=list)
    # A referral nobody linked to a person, anonymised on its own (``person`` is then None).
    referral: Referral | None = None

    @property
    def anonymises(self) -> bool:
        return self.rule in PERSON_RULES

    @property
    def rule_label(self) -> str:
        return RetentionRule(self.rule).label

    @property
    def sort_key(self) -> tuple:
        return (
            self.due_on,
            self.person.pk if self.person else 0,
            self.referral.pk if self.referral else 0,
        )

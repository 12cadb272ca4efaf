"""What is due for referrals never linked to a person: a mailbox draft or a web referral closed by
triage, or found out of scope, before anyone linked a Person. Nobody's anonymisation reaches
them, so the schedule anonymises each on its own (``rights.services.retention.referral_anonymise``).

An unlinked referral is due ``RETENTION["out_of_scope"]`` days after it ended if it was out of
scope at any point, else ``RETENTION["closed"]`` days; never while it is open, never twice (an
``Anonymisation`` of the referral exists). A merged referral follows the one it was merged into
(through at most three merges): it ends when that one ends, and goes when that one has been
anonymised (if that one is a person's, once the person has been). A referral linked to a person
is the person path's alone.

One statement, whatever the number of referrals.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
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
    When,
)
from django.db.models.functions import Coalesce

from referrals.models import Referral, ReferralEvent
from referrals.statuses import ReferralStatus

from .models import Anonymisation, RetentionRule
from .retention_terms import CASE_ENDED, Due, day_after, days, latest, local

OUT_OF_SCOPE = ReferralStatus.OUT_OF_SCOPE
WHAT_GOES = [
    "The individual as described (names, date of birth, address, contact details), the summary, "
    "health, legal advice and police references removed; incidents' and the timeline's "
    "narratives removed",
    "Evidence files and the raw email deleted",
    "The referral's details removed from the audit trail",
]


def _case_pk() -> Coalesce:
    """The referral whose case this one is part of: itself, or the one it was merged into."""
    return Coalesce(
        "merged_into__merged_into__merged_into",
        "merged_into__merged_into",
        "merged_into",
        "pk",
        output_field=IntegerField(),
    )


def unlinked_referrals_with_ends() -> QuerySet[Referral]:
    """Unlinked referrals not yet anonymised whose case has ended, with when (``case_end``; for
    one merged into a case already anonymised, when that was: ``case_gone_at``), whether it was
    ever out of scope, and when the schedule anonymises them (``due_at``)."""
    case = Referral.objects.filter(pk=OuterRef("case_pk"))
    ended_on = latest(
        ReferralEvent.objects.filter(referral_id=OuterRef("case_pk"), to_status__in=CASE_ENDED)
    )
    return (
        Referral.objects.filter(person__isnull=True)
        .exclude(Exists(Anonymisation.objects.filter(referral=OuterRef("pk"))))
        .annotate(case_pk=_case_pk())
        .annotate(
            case_status=Subquery(case.values("status")[:1]),
            case_person=Subquery(case.values("person")[:1]),
            case_updated=Subquery(case.values("updated_at")[:1], output_field=DateTimeField()),
            # When the case was anonymised: its person, or the case referral itself.
            case_gone_at=Coalesce(
                Subquery(case.values("person__anonymised_at")[:1], output_field=DateTimeField()),
                latest(Anonymisation.objects.filter(referral_id=OuterRef("case_pk")), "acted_at"),
            ),
            ever_out_of_scope=Exists(
                ReferralEvent.objects.filter(
                    referral_id=OuterRef("case_pk"), to_status=OUT_OF_SCOPE
                )
            ),
        )
        .annotate(
            was_out_of_scope=ExpressionWrapper(
                Q(ever_out_of_scope=True) | Q(case_status=OUT_OF_SCOPE),
                output_field=BooleanField(),
            ),
            case_end=Case(
                # Merged into a referral already anonymised (or a person's, who has been): it
                # goes with it.
                When(case_gone_at__isnull=False, then=F("case_gone_at")),
                When(
                    case_person__isnull=True,
                    case_status__in=CASE_ENDED,
                    then=Coalesce(ended_on, F("case_updated")),
                ),
                output_field=DateTimeField(),
            ),
        )
        .filter(case_end__isnull=False)
        .annotate(
            due_at=Case(
                When(case_gone_at__isnull=False, then=F("case_end")),
                When(
                    was_out_of_scope=True,
                    then=F("case_end") + Value(days(RetentionRule.OUT_OF_SCOPE)),
                ),
                default=F("case_end") + Value(days(RetentionRule.CLOSED_WITHOUT_INCLUSION)),
                output_field=DateTimeField(),
            )
        )
    )


def _rule(referral: Referral) -> tuple[str, datetime.date]:
    rule = (
        RetentionRule.OUT_OF_SCOPE
        if referral.was_out_of_scope
        else RetentionRule.CLOSED_WITHOUT_INCLUSION
    )
    due_on = local(referral.case_end)
    if referral.case_gone_at is None:
        due_on += days(rule)
    return str(rule), due_on


def unlinked_referrals_due(horizon: datetime.date, only: int | None = None) -> list[Due]:
    """Unlinked referrals the schedule anonymises by ``horizon``, soonest first."""
    referrals = unlinked_referrals_with_ends().filter(due_at__lt=day_after(horizon))
    if only is not None:
        referrals = referrals.filter(pk=only)
    found = []
    for referral in referrals.order_by("due_at", "pk"):
        rule, due_on = _rule(referral)
        if due_on <= horizon:
            found.append(Due(rule, due_on, None, list(WHAT_GOES), referral=referral))
    return found

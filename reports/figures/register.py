"""Appeals, the access register and letters."""

from __future__ import annotations

from django.db.models import (
    Count,
    Q,
)
from django.db.models.functions import Coalesce

from correspondence.models import Letter, LetterKind, LetterStatus, SendMethod
from reports.figures.common import (
    n_of,
    on_days,
)
from reports.periods import Period
from reports.tables import Chart, Row, Table
from schedule.models import (
    AccessGrant,
    AccessGrantStatus,
    Appeal,
    AppealOutcome,
)


def appeal_table(period: Period) -> Table:
    """Appeals received in the period: late, upheld, dismissed, still open."""
    figures = Appeal.objects.filter(on_days(period, "received_on")).aggregate(
        received=Count("pk"),
        late=Count("pk", filter=Q(late=True)),
        upheld=Count("pk", filter=Q(outcome=AppealOutcome.UPHELD)),
        dismissed=Count("pk", filter=Q(outcome=AppealOutcome.DISMISSED)),
        open=Count("pk", filter=Q(outcome="")),
    )
    return Table(
        slug="appeals",
        title="Appeals received",
        row_heading="Appeals",
        columns=["Appeals"],
        rows=[
            Row("Received after the 28 working days", [figures["late"]]),
            Row("Upheld: removed from the schedule", [figures["upheld"]]),
            Row("Dismissed", [figures["dismissed"]]),
            Row("Not decided yet", [figures["open"]]),
        ],
        totals=[figures["received"]],
        chart=Chart("bars"),
        notes="Appeals received in the period, with their outcome today.",
        summary=(
            f"{n_of(figures['received'], 'appeal was', 'appeals were')} received; {figures['upheld']} upheld and "
            f"{figures['dismissed']} dismissed."
        ),
    )


def access_table(period: Period) -> Table:
    """Access grants in force on the period's last day, by service and tier: approved by then and
    not revoked, nor lapsed at their re-certification date, by then. A named officer's grant
    counts under the officer's service."""
    end = period.end
    in_force = (
        AccessGrant.objects.filter(
            approved_at__lt=period.until,
            status__in=[AccessGrantStatus.APPROVED, AccessGrantStatus.REVOKED],
        )
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=period.until))
        .filter(Q(recertify_by__isnull=True) | Q(recertify_by__gte=end))
        .annotate(service_name=Coalesce("service__name", "user__service__name"))
        .values("service_name")
        .annotate(
            grants=Count("pk"),
            low=Count("pk", filter=Q(low=True)),
            medium=Count("pk", filter=Q(medium=True)),
            high=Count("pk", filter=Q(high=True)),
            officers=Count("pk", filter=Q(user__isnull=False)),
        )
        .order_by("service_name")
    )
    keys = ["grants", "officers", "low", "medium", "high"]
    rows = [
        Row(group["service_name"] or "Officers with no service", [group[k] for k in keys])
        for group in in_force
    ]
    totals = [sum(row.values[i] for row in rows) for i in range(len(keys))]
    return Table(
        slug="access-grants",
        title="Access to the schedule at the end of the period, by service and tier",
        row_heading="Service",
        columns=["Grants", "Of which to named officers", "Low", "Medium", "High"],
        rows=rows,
        totals=totals,
        chart=Chart("bars"),
        notes="The tier columns count the grants that reach that tier. Roles that see every "
        "entry because of their role (the panel, Assurance, Legal Services) need no grant.",
        summary=(
            f"{totals[0]} grants were in force for {len(rows)} services; {totals[4]} reach high "
            "risk."
        ),
    )


def letter_table(period: Period) -> Table:
    """Letters sent in the period, by kind and how they were sent (one grouped query)."""
    grouped = (
        Letter.objects.filter(on_days(period, "sent_on"), status=LetterStatus.SENT)
        .values("kind", "sent_method")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(group["kind"], group["sent_method"]): group["n"] for group in grouped}
    methods = [SendMethod.POST, SendMethod.EMAIL]
    rows = []
    for kind, label in LetterKind.choices:
        values = [counts.get((kind, method), 0) for method in methods]
        rows.append(Row(label, [*values, sum(values)]))
    totals = [sum(row.values[i] for row in rows) for i in range(3)]
    return Table(
        slug="letters",
        title="Letters sent, by kind and route",
        row_heading="Letter",
        columns=["By post", "By email", "All"],
        rows=rows,
        totals=totals,
        chart=Chart("bars", column=2),
        notes="Low and medium risk letters come from the Operations Manager, high risk letters "
        "from Legal Services. The date sent is the date of notification.",
        summary=f"{n_of(totals[2], 'letter was', 'letters were')} sent: {totals[0]} by post and {totals[1]} by email.",
    )

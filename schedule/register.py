"""The whole access register, as the protocol asks: "The Panel will maintain a record of services
and individuals with access to the database, together with the risk based rationale".

Three kinds of access, each with its rationale: the roles that reach the schedule because of the
work they do (every entry, or the records they own), the tier grants (``AccessGrant``) and the
need-to-know grants to one entry or address (``SingleAccessGrant``). ``access_now`` lists everyone
who has access today, one row each, for the page and for the Information Asset Owner's export.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from ubpanel.models import User
from ubpanel.roles import Role, user_roles
from ubpanel.spreadsheet import csv_cell
from ubpanel.tiers import RiskTier

from .models import AccessGrant, AccessGrantStatus, SingleAccessGrant, SingleAccessStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RoleAccess:
    role: Role
    reaches: str
    rationale: str


# The roles that reach schedule records because of their role, what they reach, and why. The
# selectors (``schedule.selectors.visible_entries``, ``ubpanel.roles.CASE_ROLES``) decide; this
# says it in words for the register, and a test holds the two together.
ROLE_ACCESS = (
    RoleAccess(
        Role.PANEL_CHAIR,
        "Every entry, live or removed, with its reasons and history",
        "Chairs the panel and owns the schedule as its Information Asset Owner (the protocol).",
    ),
    RoleAccess(
        Role.PANEL_MEMBER,
        "Every entry, live or removed, with its reasons and history",
        "Sits on the panel, which decides who is placed on the schedule and reviews them.",
    ),
    RoleAccess(
        Role.ASSURANCE_OFFICER,
        "Every entry, live or removed, with its reasons and history",
        "Receives and triages referrals, supports the panel and keeps the records up to date.",
    ),
    RoleAccess(
        Role.DIRECTOR_LEGAL,
        "Every entry, live or removed, with its reasons and history",
        "Adds people in an emergency when the chair is absent, and sits on the panel.",
    ),
    RoleAccess(
        Role.LEGAL_SERVICES,
        "Every entry, live or removed, with its reasons and history",
        "Sits on the panel, sends high-risk letters and advises on appeals.",
    ),
    RoleAccess(
        Role.MONITORING_OFFICER,
        "Every entry, live or removed, with its reasons and history",
        "Sits on the panel and decides appeals against the panel's decisions.",
    ),
    RoleAccess(
        Role.DEPUTY_MONITORING_OFFICER,
        "Every entry, live or removed, with its reasons and history",
        "Decides appeals when the Monitoring Officer cannot.",
    ),
    RoleAccess(
        Role.ASC_REPRESENTATIVE,
        "Every entry, live or removed, with its reasons and history",
        "Sits on the panel to weigh health, disability and care needs first.",
    ),
    RoleAccess(
        Role.REFERRING_MANAGER,
        "The entries whose record they own, and the live entries their grants allow",
        "The protocol makes the identified Operations Manager responsible for the record.",
    ),
    RoleAccess(
        Role.AUDITOR,
        "No entry: the audit trail, which names whose records were seen",
        "Checks that access to the schedule is lawful and proportionate.",
    ),
    RoleAccess(
        Role.HEALTH_SAFETY,
        "No entry: their own escalations, and the violent referrals they are told of, unnamed",
        "Escalates accident/incident reports to the panel (the protocol).",
    ),
    RoleAccess(
        Role.DATA_PROTECTION,
        "No entry: the identity of the people a subject access request is about",
        "Answers the individual's data protection requests.",
    ),
)


def may_export_access_register(user) -> bool:
    """The whole register as a file: the chair, the Information Asset Owner."""
    return Role.PANEL_CHAIR in user_roles(user)


@dataclass
class AccessRow:
    """One holder of access today."""

    who: str
    holder: str  # "Role", "Service" or "Named officer"
    access: str  # "Role", "Risk tiers" or "One record"
    reaches: str
    rationale: str
    decided: str
    until: date | None


def role_holders_by_role() -> dict[Role, list[User]]:
    """The active users holding each role in ROLE_ACCESS: one query."""
    by_label = {access.role.label: access.role for access in ROLE_ACCESS}
    held: dict[Role, list[User]] = {access.role: [] for access in ROLE_ACCESS}
    # Filtered first, so the annotation reads the same join: one row per user and role held.
    users = User.objects.filter(is_active=True, groups__name__in=list(by_label)).annotate(
        role_name=F("groups__name")
    )
    for user in users.order_by("last_name", "first_name", "username"):
        held[by_label[user.role_name]].append(user)
    return held


def _tiers(grant: AccessGrant) -> str:
    return ", ".join(RiskTier(tier).label for tier in grant.tiers)


def access_now(today: date | None = None) -> list[AccessRow]:
    """Everyone with access today: role holders, tier grants in force, need-to-know grants in
    force. Three queries however many rows."""
    today = today or timezone.localdate()
    rows: list[AccessRow] = []
    holders = role_holders_by_role()
    for access in ROLE_ACCESS:
        for user in holders[access.role]:
            rows.append(
                AccessRow(
                    who=str(user),
                    holder="Role",
                    access=access.role.label,
                    reaches=access.reaches,
                    rationale=access.rationale,
                    decided="By role",
                    until=None,
                )
            )
    tier_grants = AccessGrant.objects.filter(
        status=AccessGrantStatus.APPROVED, recertify_by__gte=today
    ).select_related("service", "user", "approved_by")
    for grant in tier_grants.order_by("pk"):
        rows.append(
            AccessRow(
                who=str(grant.grantee),
                holder="Service" if grant.service_id else "Named officer",
                access="Risk tiers",
                reaches=f"Live entries of these tiers: {_tiers(grant)}",
                rationale=grant.rationale,
                decided=_decided(grant.approved_by, grant.approved_at),
                until=grant.recertify_by,
            )
        )
    single = SingleAccessGrant.objects.filter(
        Q(status=SingleAccessStatus.APPROVED, ends_on__gte=today)
    ).select_related("service", "user", "entry", "address_warning", "decided_by")
    for grant in single.order_by("pk"):
        record = (
            grant.entry.reference
            if grant.entry_id
            else f"address warning {grant.address_warning_id}"
        )
        rows.append(
            AccessRow(
                who=str(grant.grantee),
                holder="Service" if grant.service_id else "Named officer",
                access="One record",
                reaches=f"{grant.get_kind_display()}: {record}",
                rationale=grant.rationale,
                decided=_decided(grant.decided_by, grant.decided_at),
                until=grant.ends_on,
            )
        )
    return rows


def _decided(by, at) -> str:
    when = f"{timezone.localdate(at):%-d %B %Y}" if at else ""
    return ", ".join(filter(None, [f"Approved by {by}" if by else "Approved", when]))


HEADINGS = ["Who", "Holder", "Access", "What it reaches", "Rationale", "Decided", "Until"]


def _line(row: AccessRow) -> list:
    until = row.until.isoformat() if row.until else "While they hold the role"
    return [row.who, row.holder, row.access, row.reaches, row.rationale, row.decided, until]


def register_csv(rows: list[AccessRow], today: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [csv_cell(f"Access register: who has access to the schedule, {today:%-d %B %Y}")]
    )
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow([csv_cell(value) for value in _line(row)])
    return out.getvalue()


def register_xlsx(rows: list[AccessRow], today: date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Access register"
    sheet.append([f"Access register: who has access to the schedule, {today:%-d %B %Y}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append(HEADINGS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([csv_cell(value) for value in _line(row)])
    for column, width in zip("ABCDEFG", (30, 14, 30, 50, 60, 30, 22), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

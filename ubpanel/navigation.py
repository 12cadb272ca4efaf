"""The service navigation and home page sections, by role."""

from dataclasses import dataclass

from django.urls import reverse

from . import roles as r


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    roles: frozenset
    description: str


SECTIONS = (
    Section(
        "Referrals",
        "referrals:index",
        r.REFERRAL_ROLES,
        "Refer an individual to the panel, escalate an accident/incident report, or triage "
        "referrals and the spocassurance mailbox.",
    ),
    Section(
        "Violent incidents",
        "referrals:health_safety_list",
        frozenset({r.Role.HEALTH_SAFETY}),
        "Managers' referrals that record violence: link your accident/incident report to them.",
    ),
    Section(
        "Legal advice",
        "referrals:legal_queue",
        frozenset({r.Role.LEGAL_SERVICES}),
        "Referrals waiting for Legal Services' advice before the protocol is applied.",
    ),
    Section("People", "referrals:person_list", r.PEOPLE_ROLES, "Individuals known to the panel."),
    Section(
        "Panel",
        "panel:index",
        r.PANEL_ROLES,
        "Meetings, papers, declarations of interest, votes and decisions.",
    ),
    Section(
        "Schedule",
        "schedule:index",
        r.SCHEDULE_ROLES,
        "Check the schedule before contact: risk tier, how to respond, the single point of contact.",
    ),
    Section(
        "Schedule entries",
        "schedule:entry_list",
        r.CASE_ROLES,
        "Every entry with its history; emergency additions by the chair.",
    ),
    Section(
        "Address warnings",
        "schedule:address_warning_list",
        r.CASE_ROLES,
        "Specific addresses with their own risk tier and what staff should do there.",
    ),
    Section(
        "Access register",
        "schedule:access_register",
        frozenset({r.Role.PANEL_CHAIR, r.Role.ASSURANCE_OFFICER}),
        "Who may see the schedule and why; requests for access waiting for the panel.",
    ),
    Section(
        "Letters",
        "correspondence:index",
        r.LETTER_ROLES,
        "Letters to individuals, the equalities questionnaire and appeals.",
    ),
    Section(
        "Appeals",
        "schedule:appeal_list",
        r.APPEAL_ROLES,
        "Requests for the Monitoring Officer to review the panel's decision, and their deadlines.",
    ),
    Section(
        "Audit trail",
        "audit_list",
        r.AUDIT_READERS,
        "Who viewed, searched or changed what, when and from where.",
    ),
    Section(
        "Committee statistics",
        "reports:statistics",
        r.STATISTICS_ROLES,
        "How the protocol is used, for the Audit and Governance Committee: figures, charts, "
        "equalities monitoring and exports.",
    ),
    Section(
        "Retention schedule",
        "rights:retention",
        r.RETENTION_ROLES,
        "What will be anonymised or deleted in the coming weeks, and legal holds.",
    ),
    Section(
        "Users and roles", "admin:index", r.USER_ADMIN_ROLES, "Staff accounts and their roles."
    ),
)


def sections_for(user, path: str = "") -> list[dict]:
    """The user's sections; the one whose address is the longest start of ``path`` is current."""
    held = r.user_roles(user)
    sections = [
        {
            "label": s.label,
            "url": reverse(s.url_name),
            "description": s.description,
            "active": False,
        }
        for s in SECTIONS
        if held & s.roles
    ]
    matching = [s for s in sections if s["url"] != "/" and path.startswith(s["url"])]
    if matching:
        max(matching, key=lambda s: len(s["url"]))["active"] = True
    return sections

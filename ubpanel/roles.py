"""The roles of the design (shared/DESIGN.md), each a Django group.

Code checks roles with ``has_role(user, Role.X)``; the group's name is the role's label, which is
what Assurance sees when they give someone a role in the admin.
"""

from functools import wraps

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


class Role(models.TextChoices):
    REFERRING_MANAGER = "referring_manager", "Referring manager"
    ASSURANCE_OFFICER = "assurance_officer", "Assurance officer"
    PANEL_MEMBER = "panel_member", "Panel member"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    DIRECTOR_LEGAL = "director_legal", "Director for Legal and Democratic"
    LEGAL_SERVICES = "legal_services", "Legal Services"
    MONITORING_OFFICER = "monitoring_officer", "Monitoring Officer"
    DEPUTY_MONITORING_OFFICER = "deputy_monitoring_officer", "Deputy Monitoring Officer"
    ASC_REPRESENTATIVE = "asc_representative", "Adult Social Care representative"
    FRONTLINE = "frontline", "Frontline staff"
    AUDITOR = "auditor", "Auditor"
    DATA_PROTECTION = "data_protection", "Data protection officer"
    HEALTH_SAFETY = "health_safety", "Health and Safety"


# Roles that work on cases and so may see the people in them. The Deputy Monitoring Officer is
# one: deciding an appeal means reading the entry, its history and the panel's reasons, whichever
# entry is appealed. They are not in the panel's roles: the protocol gives the deputy appeals only.
CASE_ROLES = frozenset(
    {
        Role.ASSURANCE_OFFICER,
        Role.PANEL_MEMBER,
        Role.PANEL_CHAIR,
        Role.DIRECTOR_LEGAL,
        Role.LEGAL_SERVICES,
        Role.MONITORING_OFFICER,
        Role.DEPUTY_MONITORING_OFFICER,
        Role.ASC_REPRESENTATIVE,
    }
)

# Who may open each part of the service (the apps check these; the navigation shows them).
# Health and Safety escalate accident/incident reports to the panel as referrals (the protocol:
# "The Health and Safety Team will escalate to the Unreasonable Behaviours Panel, where
# appropriate"); they see their own escalations and the violent incidents managers refer, no cases.
REFERRAL_ROLES = frozenset({Role.REFERRING_MANAGER, Role.ASSURANCE_OFFICER, Role.HEALTH_SAFETY})
# Who writes referrals: managers refer individuals, Health and Safety escalate reports.
REFERRER_ROLES = frozenset({Role.REFERRING_MANAGER, Role.HEALTH_SAFETY})
# The data protection officer finds the person a subject access request is about; they see
# identity, not health (SPECIAL_CATEGORY_ROLES).
PEOPLE_ROLES = CASE_ROLES | {Role.REFERRING_MANAGER, Role.DATA_PROTECTION}
PANEL_ROLES = frozenset(
    {
        Role.ASSURANCE_OFFICER,
        Role.PANEL_MEMBER,
        Role.PANEL_CHAIR,
        Role.DIRECTOR_LEGAL,
        Role.LEGAL_SERVICES,
        Role.MONITORING_OFFICER,
        Role.ASC_REPRESENTATIVE,
    }
)
SCHEDULE_ROLES = CASE_ROLES | {Role.REFERRING_MANAGER, Role.FRONTLINE}
LETTER_ROLES = frozenset(
    {
        Role.REFERRING_MANAGER,
        Role.ASSURANCE_OFFICER,
        Role.LEGAL_SERVICES,
        Role.MONITORING_OFFICER,
    }
)
# Who decides any appeal: the Monitoring Officer or their Deputy. The legal services representative
# the Monitoring Officer identifies decides only the appeal they were nominated for
# (schedule.selectors.may_decide_appeal).
APPEAL_DECIDER_ROLES = frozenset({Role.MONITORING_OFFICER, Role.DEPUTY_MONITORING_OFFICER})
# Whom the navigation offers the appeals list: those who decide appeals and those who record them
# (Legal Services, among whom the nominated representatives).
APPEAL_ROLES = APPEAL_DECIDER_ROLES | {Role.ASSURANCE_OFFICER, Role.LEGAL_SERVICES}
# Who reads the audit trail: auditors, and the chair as the Information Asset Owner.
AUDIT_READERS = frozenset({Role.AUDITOR, Role.PANEL_CHAIR})
# The individual's rights (UK GDPR): who reads "who viewed this person", who makes a subject access
# export, and who sees the retention schedule and places legal holds. The chair is the Information
# Asset Owner; the data protection officer answers subject access requests.
WHO_VIEWED_READERS = frozenset({Role.AUDITOR, Role.PANEL_CHAIR, Role.DATA_PROTECTION})
SUBJECT_ACCESS_ROLES = frozenset({Role.PANEL_CHAIR, Role.DATA_PROTECTION})
RETENTION_ROLES = frozenset({Role.PANEL_CHAIR, Role.DATA_PROTECTION})
# Who reads the committee statistics and makes the committee report: the chair (the Information
# Asset Owner) and auditors. The figures name nobody.
STATISTICS_ROLES = frozenset({Role.PANEL_CHAIR, Role.AUDITOR})
# Who records a person's reasonable adjustments: the panel, Assurance and Adult Social Care.
ADJUSTMENT_ROLES = frozenset(
    {Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.ASSURANCE_OFFICER, Role.ASC_REPRESENTATIVE}
)
# Who manages users and roles (in the admin).
USER_ADMIN_ROLES = frozenset({Role.ASSURANCE_OFFICER})

# Model permissions each role's group carries: what the admin lets them do. Object access is
# decided by the selectors, not by these.
ROLE_MODEL_PERMISSIONS: dict[Role, list[str]] = {
    Role.ASSURANCE_OFFICER: [
        "ubpanel.view_user",
        "ubpanel.add_user",
        "ubpanel.change_user",
        "ubpanel.view_service",
        "ubpanel.add_service",
        "ubpanel.change_service",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    Role.AUDITOR: ["auditlog.view_logentry"],
    Role.PANEL_CHAIR: ["auditlog.view_logentry"],
    Role.DATA_PROTECTION: ["auditlog.view_logentry"],
}


def user_roles(user) -> frozenset[Role]:
    """The user's roles, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ubpanel_roles", None)
    if cached is None:
        by_label = {role.label: role for role in Role}
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(by_label[name] for name in names if name in by_label)
        user._ubpanel_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    return bool(user_roles(user) & set(roles))


def role_required(roles):
    """Let a view through only for users holding one of ``roles``.

    Others get 403 on a page, and 404 on a URL naming a record (``pk``): a record the user's roles
    cannot reach is one they may not know of, so it answers as if it did not exist. Either refusal
    is audited by ``ubpanel.refusals.RefusalAuditMiddleware``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                if "pk" in kwargs:
                    raise Http404("Your roles do not reach this record.")
                raise PermissionDenied("Your roles do not include this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def roles_ensure() -> None:
    """Create every role's group and give it its model permissions; safe to run again."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.label)
        wanted = ROLE_MODEL_PERMISSIONS.get(role, [])
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            permissions.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def can_see_special_category(user) -> bool:
    """Special-category data (UK GDPR art. 9: health, disability) is shown only to
    ``SPECIAL_CATEGORY_ROLES``: the panel, Assurance and Adult Social Care by default."""
    return bool(user_roles(user) & set(settings.SPECIAL_CATEGORY_ROLES))

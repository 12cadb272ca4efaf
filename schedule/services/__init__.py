"""What happens to schedule entries, appeals, the access register and address warnings. Views,
tasks, commands and the panel call these.

By capability: ``emergency`` (the chair's emergency addition, ratified or not), ``decisions`` (what
the panel's decisions do to an entry), ``entries`` (a live entry between decisions: record owner,
letters sent, underlying issues, repeat behaviour), ``appeals``, ``access`` (the access register),
``address_warnings``, ``reviews`` (review reminders, checks before contact), ``overdue`` (overdue
reviews and unratified emergency additions escalated). ``_common`` holds the
errors and helpers they share.

Each transition names the protocol's step in its docstring and refuses, with
ScheduleTransitionError, an entry or grant that is not in a status its graph (``ENTRY_GRAPH``,
``GRANT_GRAPH``, ``ADDRESS_WARNING_GRAPH`` in ``schedule.models``) lets it act on. Acting without
the authority the protocol gives (``may_<verb>`` in ``schedule.selectors``) raises PermissionDenied;
bad input raises ValidationError.
"""

from schedule.selectors import ADDRESS_WARNING_ROLES, APPEAL_RECORD_ROLES

from ._common import (
    AccessAlreadyHeld,
    AccessAlreadyRequested,
    AppealAlreadyOpen,
    ScheduleTransitionError,
    twelve_months_after,
)
from .access import (
    DEFAULT_RATIONALE,
    DEFAULT_SERVICES_ALL_TIERS,
    VISITING_SERVICE_TIERS,
    access_grant_approve,
    access_grant_decline,
    access_grant_recertify,
    access_grant_request,
    access_grant_revoke,
    access_grants_ensure_defaults,
)
from .address_warnings import address_warning_add, address_warning_end, address_warning_update
from .appeals import (
    appeal_decide,
    appeal_nominate_representative,
    appeal_record,
    entry_appeal_decided,
    entry_appeal_lodged,
)
from .decisions import (
    CORRECTABLE_ON_ENTRY,
    PANEL_DECISION_FIELDS,
    entry_correct,
    entry_note_panel_step,
    entry_panel_decide,
    entry_remove,
    entry_review_keep,
    entry_underlying_issue_considered,
)
from .emergency import (
    INCIDENT_FIELDS,
    entry_add_emergency,
    entry_end_emergency,
    entry_incidents_copy,
    entry_ratify,
)
from .entries import (
    entry_flag_underlying_issue,
    entry_record_divert_told,
    entry_record_notification,
    entry_record_owner_set,
    entry_record_repeat_behaviour,
)
from .overdue import (
    emergencies_escalate_unratified,
    entry_ratification_missed,
    reviews_escalate_overdue,
)
from .reviews import contact_check_record, reviews_remind
from .single_access import (
    single_access_approve,
    single_access_decline,
    single_access_expire,
    single_access_request,
    single_access_revoke,
)

__all__ = [
    "single_access_approve",
    "single_access_decline",
    "single_access_expire",
    "single_access_request",
    "single_access_revoke",
    "ADDRESS_WARNING_ROLES",
    "APPEAL_RECORD_ROLES",
    "CORRECTABLE_ON_ENTRY",
    "DEFAULT_RATIONALE",
    "DEFAULT_SERVICES_ALL_TIERS",
    "INCIDENT_FIELDS",
    "PANEL_DECISION_FIELDS",
    "VISITING_SERVICE_TIERS",
    "AccessAlreadyHeld",
    "AccessAlreadyRequested",
    "AppealAlreadyOpen",
    "ScheduleTransitionError",
    "access_grant_approve",
    "access_grant_decline",
    "access_grant_recertify",
    "access_grant_request",
    "access_grant_revoke",
    "access_grants_ensure_defaults",
    "address_warning_add",
    "address_warning_end",
    "address_warning_update",
    "appeal_decide",
    "appeal_nominate_representative",
    "appeal_record",
    "contact_check_record",
    "entry_add_emergency",
    "entry_appeal_decided",
    "emergencies_escalate_unratified",
    "entry_appeal_lodged",
    "entry_correct",
    "entry_end_emergency",
    "entry_flag_underlying_issue",
    "entry_incidents_copy",
    "entry_note_panel_step",
    "entry_panel_decide",
    "entry_ratification_missed",
    "entry_ratify",
    "entry_record_divert_told",
    "entry_record_notification",
    "entry_record_owner_set",
    "entry_record_repeat_behaviour",
    "entry_remove",
    "entry_review_keep",
    "entry_underlying_issue_considered",
    "reviews_escalate_overdue",
    "reviews_remind",
    "twelve_months_after",
]

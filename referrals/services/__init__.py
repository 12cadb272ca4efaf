"""What happens to people and referrals. Views, tasks and commands call these; none re-implements a
rule. By capability:

- ``drafts``: a referring manager's draft, its evidence, submitting it, answering a question;
- ``triage``: the Assurance team's triage, and what the panel's decision does to the referral;
- ``legal``: Legal Services' advice;
- ``people``: people known to the panel, and who a referral is about;
- ``intake``: the spocassurance mailbox;
- ``health_safety``: the Health and Safety route (violence told to them; their report linked);
- ``adjustments``: a person's reasonable adjustments (special-category data).

Each status change follows ``REFERRAL_GRAPH`` (``referrals.models``); who may act is in
``referrals.selectors``.
"""

from .adjustments import AdjustmentError, adjustment_end, adjustment_record
from .base import ReferralTransitionError
from .drafts import (
    INCIDENT_FIELDS,
    NULLABLE,
    REFERRAL_FIELDS,
    SUBJECT_FIELDS,
    evidence_add,
    referral_draft_delete,
    referral_provide_information,
    referral_save_draft,
    referral_submit,
)
from .health_safety import (
    health_safety_tell_of_violence,
    records_violence,
    referral_link_health_safety_report,
    report_reference_clean,
)
from .intake import inbound_email_import
from .legal import referral_await_legal_advice, referral_record_legal_advice
from .people import has_live_entry, person_create, referral_link_person, referral_update_subject
from .triage import (
    referral_close,
    referral_confirm_repeat_behaviour,
    referral_decided_by_panel,
    referral_mark_out_of_scope,
    referral_mark_ready_for_panel,
    referral_merge,
    referral_panel_deferred,
    referral_recommend_letter,
    referral_request_information,
)

__all__ = [
    "AdjustmentError",
    "adjustment_end",
    "adjustment_record",
    "INCIDENT_FIELDS",
    "NULLABLE",
    "REFERRAL_FIELDS",
    "SUBJECT_FIELDS",
    "ReferralTransitionError",
    "evidence_add",
    "has_live_entry",
    "health_safety_tell_of_violence",
    "records_violence",
    "referral_link_health_safety_report",
    "report_reference_clean",
    "inbound_email_import",
    "person_create",
    "referral_await_legal_advice",
    "referral_close",
    "referral_confirm_repeat_behaviour",
    "referral_decided_by_panel",
    "referral_link_person",
    "referral_mark_out_of_scope",
    "referral_mark_ready_for_panel",
    "referral_merge",
    "referral_panel_deferred",
    "referral_provide_information",
    "referral_record_legal_advice",
    "referral_recommend_letter",
    "referral_request_information",
    "referral_save_draft",
    "referral_submit",
    "referral_draft_delete",
    "referral_update_subject",
]

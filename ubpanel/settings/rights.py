"""Settings: the individual's data-protection rights (issue 14; the ``rights`` app) - the retention
schedule, subject access exports, and whether removal from the schedule is communicated.

Every period is in days and can be changed by an environment variable; README, "The individual's
rights", gives the reasons for each default.
"""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .base import env
from .worker import CELERY_BEAT_SCHEDULE

# --- Retention schedule (rights.retention) ------------------------------------------------------
# How long after each event a person's records are kept before the daily retention task
# anonymises them (the person, their details and narratives) or deletes files. Nothing is ever
# touched while the person has a live entry (pending ratification, active, under appeal), an open
# referral, or a standing legal hold.
RETENTION = {
    # After removal from the schedule (at review, not ratified, appeal upheld). Six years: the
    # limitation period for most claims, so the council can answer for its decision.
    "removed": env.int("RETENTION_AFTER_REMOVAL_DAYS", default=6 * 365),
    # After a referral is closed without the person being put on the schedule.
    "closed": env.int("RETENTION_AFTER_CLOSED_DAYS", default=2 * 365),
    # After a referral is closed as out of scope (purely FOI/SAR contact: not the protocol's).
    "out_of_scope": env.int("RETENTION_AFTER_OUT_OF_SCOPE_DAYS", default=365),
    # Evidence files and letter PDFs, after the case they belong to ended (the record of the
    # decision and the letter's text stay until the person is anonymised).
    "evidence": env.int("RETENTION_EVIDENCE_DAYS", default=2 * 365),
    # Raw emails to the mailbox, after they arrived, once no open referral needs them: the
    # referral and its evidence hold what they said.
    "raw_email": env.int("RETENTION_RAW_EMAIL_DAYS", default=90),
}
for _name, _days in RETENTION.items():
    if _days < 1:
        raise ImproperlyConfigured(f"The retention period for {_name} must be at least one day.")
# The page "what will be removed" looks this far ahead.
RETENTION_LOOKAHEAD_DAYS = env.int("RETENTION_LOOKAHEAD_DAYS", default=30)

# --- Subject access (rights.exports) ------------------------------------------------------------
# A subject access export is deleted this many days after it was made.
SUBJECT_ACCESS_EXPORT_DAYS = env.int("SUBJECT_ACCESS_EXPORT_DAYS", default=7)
# Staff named in the records (those who referred, saw the incident, decided, viewed) are third
# parties: their names are replaced by their role in an export unless this is turned off.
SUBJECT_ACCESS_REDACT_STAFF_NAMES = env.bool("SUBJECT_ACCESS_REDACT_STAFF_NAMES", default=True)

# --- Removal (panel and correspondence) -----------------------------------------------------------
# The protocol: "Removal from the list will not be communicated to the perpetrator as this may
# re-oxygenate the issues." The ICO's guidance on warning markers is to tell the person; a council
# that chooses that turns this on, and a removal decision then drafts the removal letter.
NOTIFY_ON_REMOVAL = env.bool("NOTIFY_ON_REMOVAL", default=False)

# --- Jobs -------------------------------------------------------------------------------------------
# Retention runs at 03:30, after the audit chain's nightly check; expired exports go at 03:45.
CELERY_BEAT_SCHEDULE["retention-apply"] = {
    "task": "rights.tasks.retention.retention_apply",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["subject-access-exports-expire"] = {
    "task": "rights.tasks.exports.subject_access_exports_expire",
    "schedule": crontab(hour=3, minute=45),
}

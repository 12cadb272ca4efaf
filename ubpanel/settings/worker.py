"""Settings: Celery, its broker and what beat runs when."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from ubpanel.jobs import MonthlyDay

from .base import DJANGO_ENV, MAILBOX_IMAP_HOST, MAILBOX_POLL_SECONDS, PRODUCTION, env

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if PRODUCTION and not CELERY_BROKER_URL:
    raise ImproperlyConfigured("Set CELERY_BROKER_URL (Redis) for production.")
# Without a broker (the embedded demo) tasks run in-process, straight away. The test suite runs
# them in-process too, except the tests that start a real worker on the Redis broker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL or DJANGO_ENV == "test"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# Redis hands a task to another worker once this passes; keep it above any countdown we use.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 12 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
# Beat runs every job at fixed local times (crontab), never at intervals counted from when beat
# started: a redeploy restarts those, and a daily redeploy would mean a daily job never ran. Each
# task below records its runs (``ubpanel.jobs.scheduled_job``) and /healthz/ready reports a late
# one. README, "Scheduled jobs", lists them.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "ubpanel.tasks.sessions_clear_expired",
        "schedule": crontab(minute=10),
    },
    "reviews-remind": {
        "task": "schedule.tasks.reviews_remind",
        "schedule": crontab(hour=7, minute=0),
    },
    # A letter's PDFs are queued when it is approved; this makes good any task lost with a worker.
    "letters-render-missing": {
        "task": "correspondence.tasks.letters_render_missing",
        "schedule": crontab(minute="*/5"),
    },
    "letters-email-unsent": {
        "task": "correspondence.tasks.letters_email_unsent",
        "schedule": crontab(minute="2-59/5"),
    },
    # Reviews that fall due before the next arranged meeting, and anything else waiting, join its
    # agenda: early each morning, before Assurance start preparing papers.
    "agenda-fill-next-meeting": {
        "task": "panel.tasks.agenda_fill_next_meeting",
        "schedule": crontab(hour=5, minute=30),
    },
    # The audit trail's hash chain is walked every night; a break is reported to the Information
    # Asset Owner (ubpanel.tasks.audit_chain_verify).
    "audit-chain-verify": {
        "task": "ubpanel.tasks.audit_chain_verify",
        "schedule": crontab(hour=2, minute=15),
    },
}


def every_minutes(seconds: int) -> crontab:
    """A sweep every so many seconds, as a crontab: whole minutes, at fixed minutes past the hour
    (every 5 minutes is :00, :05, :10...); an hour or more is once an hour, on the hour."""
    minutes = max(1, round(seconds / 60))
    return crontab(minute=0) if minutes >= 60 else crontab(minute=f"*/{minutes}")


if MAILBOX_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["mailbox-poll"] = {
        "task": "referrals.tasks.mailbox_poll",
        "schedule": every_minutes(MAILBOX_POLL_SECONDS),
    }

# --- Monthly panel meetings (panel.services.meetings.meeting_ensure_monthly) -------------------
# The protocol: the panel meets monthly. Each morning beat makes sure every monthly meeting due in
# the next PANEL_MONTHLY_MEETING_WEEKS_AHEAD weeks is arranged, on this day of the month ("first
# tuesday 10:00": first|second|third|fourth|last, monday to friday, 24-hour local time; a bank
# holiday moves it to the next working day). Empty: monthly meetings are arranged by hand only.
PANEL_MONTHLY_MEETING = env.str("PANEL_MONTHLY_MEETING", default="first tuesday 10:00")
if PANEL_MONTHLY_MEETING:
    try:
        MonthlyDay.parse(PANEL_MONTHLY_MEETING)
    except ValueError as error:
        raise ImproperlyConfigured(f"PANEL_MONTHLY_MEETING: {error}.") from error
PANEL_MONTHLY_MEETING_WEEKS_AHEAD = env.int("PANEL_MONTHLY_MEETING_WEEKS_AHEAD", default=6)
if not 1 <= PANEL_MONTHLY_MEETING_WEEKS_AHEAD <= 52:
    raise ImproperlyConfigured("PANEL_MONTHLY_MEETING_WEEKS_AHEAD must be between 1 and 52.")
# virtual | physical, and the room or the meeting link: Assurance can change either afterwards.
PANEL_MONTHLY_MEETING_FORMAT = env.str("PANEL_MONTHLY_MEETING_FORMAT", default="virtual")
if PANEL_MONTHLY_MEETING_FORMAT not in ("virtual", "physical"):
    raise ImproperlyConfigured("PANEL_MONTHLY_MEETING_FORMAT must be virtual or physical.")
PANEL_MONTHLY_MEETING_LOCATION = env.str("PANEL_MONTHLY_MEETING_LOCATION", default="")
if PANEL_MONTHLY_MEETING:
    # Before the agenda is filled at 05:30, so a new meeting's agenda is filled the same morning.
    CELERY_BEAT_SCHEDULE["monthly-meetings-ensure"] = {
        "task": "panel.tasks.monthly_meetings_ensure",
        "schedule": crontab(hour=5, minute=0),
    }

# /healthz/ready reports a scheduled job as late once the first time it was due after its last
# successful run (or after it was first seen, for a job that has never run) is this long past.
HEALTHZ_JOB_GRACE_SECONDS = env.int("HEALTHZ_JOB_GRACE_SECONDS", default=30 * 60)

# The worker and beat log through LOGGING too (JSON, no personal data), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat's heartbeat for /healthz/ready: queued every minute, run by a worker (ubpanel/health.py).
CELERY_IMPORTS = ["ubpanel.health"]
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {
    "task": "ubpanel.health.beat_heartbeat",
    "schedule": crontab(),  # every minute
}
# Overdue reviews and unratified emergency additions (issue 13, points 4 and 5): escalated weekly,
# Mondays 07:00 local time, after the day's agenda fill has put them first on the next meeting.
CELERY_BEAT_SCHEDULE["reviews-escalate-overdue"] = {
    "task": "schedule.tasks.reviews_escalate_overdue",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["emergencies-escalate-unratified"] = {
    "task": "schedule.tasks.emergencies_escalate_unratified",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}

# --- The outbox (ubpanel/outbox.py) ---------------------------------------------------------
# A notification is an outbox row written with the change; queueing its send task after the commit
# is only a nudge, so a request gives up on a broker that is down within a couple of seconds rather
# than failing (the sweeper below sends what is unsent). The socket timeout stays above the
# worker's 1-second BRPOP, which would otherwise time out.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS.update({"socket_connect_timeout": 2, "socket_timeout": 5})
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "ubpanel.tasks.notifications_sweep",
    "schedule": crontab(minute="*/5"),
}
# Panel members are told of each meeting a week ahead, once (panel.notifications), at 07:05.
CELERY_BEAT_SCHEDULE["meetings-week-ahead"] = {
    "task": "panel.tasks.meetings_week_ahead_notify",
    "schedule": crontab(hour=7, minute=5),
}
# Committee reports' PDFs are deleted COMMITTEE_REPORT_DAYS after they were made, at 03:50 (after
# the subject access exports' expiry at 03:45).
CELERY_BEAT_SCHEDULE["committee-reports-expire"] = {
    "task": "reports.tasks.committee_reports_expire",
    "schedule": crontab(hour=3, minute=50),
}
# Need-to-know grants to one entry or address past their end date are ended, their permissions
# deleted, at 00:10 (they already stopped opening anything at midnight: the selectors read the date).
CELERY_BEAT_SCHEDULE["single-access-expire"] = {
    "task": "schedule.tasks.single_access_expire",
    "schedule": crontab(hour=0, minute=10),
}

"""Settings: Celery, its broker and what beat runs when."""

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

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
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "ubpanel.tasks.sessions_clear_expired", "schedule": 60 * 60},
    "reviews-remind": {"task": "schedule.tasks.reviews_remind", "schedule": 24 * 60 * 60},
    # A letter's PDFs are queued when it is approved; this makes good any task lost with a worker.
    "letters-render-missing": {
        "task": "correspondence.tasks.letters_render_missing",
        "schedule": 5 * 60,
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
if MAILBOX_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["mailbox-poll"] = {
        "task": "referrals.tasks.mailbox_poll",
        "schedule": MAILBOX_POLL_SECONDS,
    }

# The worker and beat log through LOGGING too (JSON, no personal data), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat's heartbeat for /healthz/ready: queued every minute, run by a worker (ubpanel/health.py).
CELERY_IMPORTS = ["ubpanel.health"]
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {"task": "ubpanel.health.beat_heartbeat", "schedule": 60}

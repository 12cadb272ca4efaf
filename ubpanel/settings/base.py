"""Settings for ubpanel, read from the environment (see .env.example and the README).

DJANGO_ENV chooses the shape:
- ``production`` (the default): DEBUG off, a real SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are
  required, cookies are secure and HSTS is on.
- ``development``: the embedded demo (``make run``): SQLite, Celery tasks run in-process, DEBUG on.
- ``test``: the test suite; DEBUG off, PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ubpanel.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

ENVIRONMENTS = ("production", "development", "test")
DJANGO_ENV = env.str("DJANGO_ENV", default="production")
if DJANGO_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be one of {', '.join(ENVIRONMENTS)}, not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be off in production: it would show personal data in error pages."
    )

# A key that only ever signs sessions on a developer's machine or in tests.
_INSECURE_KEY = "django-insecure-ubpanel-development-only-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else _INSECURE_KEY)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random value of at least 50 characters for production "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names ubpanel is served on.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ubpanel.apps.UbpanelAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "auditlog",
    "axes",
    "csp",
    "django_htmx",
    "guardian",
    # Multi-factor authentication (see "Multi-factor authentication" below).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ubpanel",
    "referrals",
    "panel",
    "schedule",
    "correspondence",
    "rights",
    "reports",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (ubpanel/logging.py).
    "ubpanel.middleware.RequestIdMiddleware",
    # Before SecurityMiddleware's HTTPS redirect: an untrusted proxy gets a clear error, not a loop.
    "ubpanel.middleware.UntrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ubpanel.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session given a second factor (ubpanel.mfa)?
    "django_otp.middleware.OTPMiddleware",
    # Outside LoginRequiredMiddleware: an htmx poll after sign-out redirects the whole page.
    "ubpanel.middleware.HtmxSignInRedirectMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ubpanel.middleware.NoStoreMiddleware",
    "ubpanel.audit.AuditContextMiddleware",
    # Every 403 and 404 gets its one "denied" audit row (issue 12): inside the audit context, so
    # the row carries the actor and address.
    "ubpanel.refusals.RefusalAuditMiddleware",
    # Inside MessageMiddleware (it says why the user was signed out) and AuditContextMiddleware
    # (its "session-expired" entry carries the address and path like every other entry).
    "ubpanel.middleware.SessionLifetimeMiddleware",
    # After the session limits (an expired session signs out, it is not asked for a code) and inside
    # the audit context (refused codes are audited with the address).
    "ubpanel.mfa.MfaRequiredMiddleware",
    # Axes last, so that it sees the lockout raised by its authentication backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ubpanel.urls"
WSGI_APPLICATION = "ubpanel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "ubpanel.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "ubpanel.forms.GovukFormRenderer"

# --- Data -------------------------------------------------------------------------------------
if PRODUCTION:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    DATABASES = {
        "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiles a query whose estimated cost is high; the committee statistics' counts
# are estimated high and compiled for seconds to run for milliseconds (bench/stats: 3.7 s of JIT
# for a 76 ms query). Off for ubpanel's connections unless DATABASE_JIT is set.
if DATABASES["default"]["ENGINE"].endswith("postgresql") and not env.bool(
    "DATABASE_JIT", default=False
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Evidence and letters live outside the web root and are only served through checked views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Who Assurance is: notifications of new referrals go here, and the mailbox intake reads it.
ASSURANCE_EMAIL = env.str("ASSURANCE_EMAIL", default="spocassurance@council.example")
# Legal Services: told of emergency additions so they can draft the high-risk letter.
LEGAL_SERVICES_EMAIL = env.str("LEGAL_SERVICES_EMAIL", default="legal@council.example")
# Health and Safety are told (a link only) when a manager's referral records violence: the
# violence flag or "Actual violence". Threats of violence count too when this is on.
HEALTH_SAFETY_NOTIFY_THREATS = env.bool("HEALTH_SAFETY_NOTIFY_THREATS", default=False)
# How many days before an entry's 12-month review Assurance and the record owner are reminded.
REVIEW_REMINDER_DAYS = env.int("REVIEW_REMINDER_DAYS", default=30)
# The longest a need-to-know grant to one entry or address may run (the requester gives its end).
SINGLE_ACCESS_MAX_DAYS = env.int("SINGLE_ACCESS_MAX_DAYS", default=365)
# --- Overdue reviews and unratified emergency additions (issue 13, points 4 and 5) ---------------
# Days a review may be overdue before the chair and Assurance are told weekly, and what happens
# then: keep_and_escalate (the entry stays live, flagged overdue, told weekly until decided) or
# remove (the letter's promise: the entry comes off the schedule). README, "Overdue reviews".
REVIEW_GRACE_DAYS = env.int("REVIEW_GRACE_DAYS", default=28)
REVIEW_OVERDUE_DEFAULT = env.str("REVIEW_OVERDUE_DEFAULT", default="keep_and_escalate")
# Days an emergency addition may stay live unratified (it is carried, first, to each meeting and
# the chair, the Director and the Monitoring Officer are told), then: escalate (told weekly) or
# end (the emergency addition ends and the entry comes off the schedule).
EMERGENCY_RATIFICATION_LIMIT_DAYS = env.int("EMERGENCY_RATIFICATION_LIMIT_DAYS", default=42)
EMERGENCY_UNRATIFIED_DEFAULT = env.str("EMERGENCY_UNRATIFIED_DEFAULT", default="escalate")
if REVIEW_OVERDUE_DEFAULT not in ("keep_and_escalate", "remove"):
    raise ImproperlyConfigured("REVIEW_OVERDUE_DEFAULT must be keep_and_escalate or remove.")
if EMERGENCY_UNRATIFIED_DEFAULT not in ("escalate", "end"):
    raise ImproperlyConfigured("EMERGENCY_UNRATIFIED_DEFAULT must be escalate or end.")
# Committee statistics: equalities counts from 1 to this less one are withheld ("fewer than 5"),
# with any count that would reveal one (reports.tables.suppress).
EQUALITIES_SUPPRESSION_THRESHOLD = env.int("EQUALITIES_SUPPRESSION_THRESHOLD", default=5)
if EQUALITIES_SUPPRESSION_THRESHOLD < 2:
    raise ImproperlyConfigured("EQUALITIES_SUPPRESSION_THRESHOLD is 2 or more.")
# How many days a committee report's PDF is kept before it is deleted (it names nobody).
COMMITTEE_REPORT_DAYS = env.int("COMMITTEE_REPORT_DAYS", default=90)

if REVIEW_GRACE_DAYS < 0 or EMERGENCY_RATIFICATION_LIMIT_DAYS < 0:
    raise ImproperlyConfigured("REVIEW_GRACE_DAYS and EMERGENCY_RATIFICATION_LIMIT_DAYS are >= 0.")
# --- end overdue reviews ------------------------------------------------------------------------
# Letters: who they come from, and where the equalities questionnaire goes back to.
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Dorset Council")
LETTER_RETURN_ADDRESS = env.str(
    "LETTER_RETURN_ADDRESS",
    default="Assurance Team, County Hall, Colliton Park, Dorchester, DT1 1XJ",
)
# Adult Social Care, told when a returned equalities questionnaire reveals an underlying issue.
ADULT_SOCIAL_CARE_EMAIL = env.str("ADULT_SOCIAL_CARE_EMAIL", default="asc@council.example")
# The spocassurance mailbox, polled over IMAP for emailed referrals. No host: not polled (the demo).
MAILBOX_IMAP_HOST = env.str("MAILBOX_IMAP_HOST", default="")
MAILBOX_IMAP_PORT = env.int("MAILBOX_IMAP_PORT", default=993)
MAILBOX_IMAP_USER = env.str("MAILBOX_IMAP_USER", default="")
MAILBOX_IMAP_PASSWORD = env.str("MAILBOX_IMAP_PASSWORD", default="")
MAILBOX_IMAP_FOLDER = env.str("MAILBOX_IMAP_FOLDER", default="INBOX")
# Where imported emails are moved to; empty leaves them in MAILBOX_IMAP_FOLDER, marked as read.
MAILBOX_IMAP_PROCESSED_FOLDER = env.str("MAILBOX_IMAP_PROCESSED_FOLDER", default="")
# ssl (IMAPS, port 993) | starttls (port 143) | plain: unencrypted, for a server on this machine only.
MAILBOX_IMAP_SECURITY = env.str("MAILBOX_IMAP_SECURITY", default="ssl")
MAILBOX_POLL_SECONDS = env.int("MAILBOX_POLL_SECONDS", default=300)
if MAILBOX_IMAP_SECURITY not in ("ssl", "starttls", "plain"):
    raise ImproperlyConfigured(
        f"MAILBOX_IMAP_SECURITY must be ssl, starttls or plain, not {MAILBOX_IMAP_SECURITY!r}."
    )
if (
    MAILBOX_IMAP_HOST
    and MAILBOX_IMAP_SECURITY == "plain"
    and MAILBOX_IMAP_HOST not in ("127.0.0.1", "::1", "localhost")
):
    raise ImproperlyConfigured(
        "MAILBOX_IMAP_SECURITY=plain would send the mailbox password unencrypted: it is allowed "
        "only for an IMAP server on this machine (127.0.0.1). Use ssl or starttls."
    )
# Links in notification emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Security headers -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
if USE_X_FORWARDED_FOR:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # One trusted proxy in front: axes records the client's address, as the audit trail does.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]
SILENCED_SYSTEM_CHECKS = [
    # Lockout is per account, so rotating user agents or cookies gains nothing; locking by IP address
    # as well would lock a whole council office (one NAT address) out after five typos.
    "axes.W006",
]
if not env.bool("SECURE_HSTS_PRELOAD", default=False):
    # HSTS preload is a one-way decision for the council's domain, not ours: off unless asked.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- Audit ----------------------------------------------------------------------------------------
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "ubpanel.audit.mask_special_category"
AUDIT_PAGE_SIZE = 50

# Who sees special-category data (health, disability). The design names the panel and Adult Social
# Care; the referrals issue adds Assurance, who prepare the papers. Legal Services are left out until
# the protocol says they need it.
SPECIAL_CATEGORY_ROLES = env.list(
    "SPECIAL_CATEGORY_ROLES",
    default=["assurance_officer", "panel_member", "panel_chair", "asc_representative"],
)

# How a panel vote is carried. The protocol says "inclusion on the schedule is based on a majority
# vote (four panel members)": by default a motion is carried when the votes for exceed half of the
# eligible seats present (so abstaining or not voting counts against). The alternatives, for the
# council to choose: "majority_of_votes_cast" (for > against) or "four_in_favour" (at least four).
PANEL_VOTING_RULE = env.str("PANEL_VOTING_RULE", default="majority_of_eligible")
if PANEL_VOTING_RULE not in {"majority_of_eligible", "majority_of_votes_cast", "four_in_favour"}:
    raise ImproperlyConfigured(
        "PANEL_VOTING_RULE must be majority_of_eligible, majority_of_votes_cast or four_in_favour."
    )

# --- Email ----------------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example:587; the console prints emails in the demo.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="ubpanel <spocassurance@council.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Evidence, raw emails and letters: never under STATIC/MEDIA URLs; only checked views serve them.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private", "base_url": "/not-served/"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production, whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Logs, health checks, production checks (issue 12; ubpanel/logging.py, health.py, checks.py) ----
# json: one JSON object a line with the request id (production); text: plain lines (elsewhere).
# Either way no personal data: URL names and statuses, never paths' query strings or addresses.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
HEALTHZ_BEAT_MAX_AGE_SECONDS = env.int("HEALTHZ_BEAT_MAX_AGE_SECONDS", default=5 * 60)

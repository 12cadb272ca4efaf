"""Settings for ubpanel, read from the environment (see .env.example and the README).

DJANGO_ENV chooses the shape:
- ``production`` (the default): DEBUG off, a real SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are
  required, cookies are secure and HSTS is on.
- ``development``: the embedded demo (``make run``): SQLite, Celery tasks run in-process, DEBUG on.
- ``test``: the test suite; DEBUG off, PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ubpanel.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Evidence and letters live outside the web root and are only served through checked views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Who Assurance is: notifications of new referrals go here, and the mailbox intake reads it.
ASSURANCE_EMAIL = env.str("ASSURANCE_EMAIL", default="spocassurance@council.example")
# Legal Services: told of emergency additions so they can draft the high-risk letter.
LEGAL_SERVICES_EMAIL = env.str("LEGAL_SERVICES_EMAIL", default="legal@council.example")
# How many days before an entry's 12-month review Assurance and the record owner are reminded.
REVIEW_REMINDER_DAYS = env.int("REVIEW_REMINDER_DAYS", default=30)
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

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "ubpanel.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if DJANGO_ENV == "test":
    PASSWORD_HASHERS.insert(0, "ubpanel.hashers.TestArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account after five failed sign-ins in a row; Assurance can unlock it sooner in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ubpanel.views.locked_out"
# Sign-ins are recorded once, in the audit trail; axes keeps only its failure counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # ubpanel.admin registers the attempts for Assurance

# Sessions end after 30 minutes idle (the cookie age, renewed on every request) and at the latest
# 10 hours after sign-in (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Guardian: no anonymous user, and global permissions never imply object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- Multi-factor authentication (django-otp; ubpanel/mfa.py) ------------------------------------
# After a password sign-in, a user holding one of MFA_REQUIRED_ROLES (role values, comma-separated)
# or a superuser must set up an authenticator app, or give its code, before anything else; anyone
# else may set one up (accounts/mfa/) and is then asked at each sign-in. By default the privileged
# roles in production, none in the demo and tests (thousands sign in without a second factor).
MFA_PRIVILEGED_ROLES = [
    "panel_chair",
    "assurance_officer",
    "legal_services",
    "monitoring_officer",
    "deputy_monitoring_officer",
    "director_legal",
    "asc_representative",
    "panel_member",
    "auditor",
]
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=MFA_PRIVILEGED_ROLES if PRODUCTION else []
)
MFA_REQUIRED_FOR_ALL = env.bool("MFA_REQUIRED_FOR_ALL", default=False)
MFA_BACKUP_CODES = env.int("MFA_BACKUP_CODES", default=10)  # each works once
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Unreasonable Behaviours Panel")
# Wrong codes are throttled by django-otp (1, 2, 4 ... seconds). No TOTP key or backup code is ever
# shown in the admin or kept in the audit trail; counters that move at every sign-in are not kept.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
_OTP_COUNTERS = ["last_used_at", "throttling_failure_timestamp", "throttling_failure_count"]
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "otp_totp.totpdevice", "exclude_fields": ["key", "last_t", "drift", *_OTP_COUNTERS]},
    {"model": "otp_static.staticdevice", "exclude_fields": _OTP_COUNTERS},
    {"model": "otp_static.statictoken", "exclude_fields": ["token"]},
)

# --- Single sign-on (OpenID Connect; ubpanel/oidc.py) ---------------------------------------------
# Off unless OIDC_RP_CLIENT_ID is set. Then the sign-in page offers "Sign in with your <council>
# account", and only the break-glass accounts listed in OIDC_BREAK_GLASS_USERNAMES sign in with a
# password (the narrower reading: someone who leaves the council loses access here when their
# council account is disabled). See README, "Single sign-on".
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_BREAK_GLASS_USERNAMES = env.list("OIDC_BREAK_GLASS_USERNAMES", default=[])
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default=COUNCIL_NAME)
# Off by default: ubpanel cannot see whether the provider asked for a second factor, so its own
# MFA step still applies after single sign-on unless the council says its provider enforces MFA.
OIDC_PROVIDER_ENFORCES_MFA = env.bool("OIDC_PROVIDER_ENFORCES_MFA", default=False)
if OIDC_ENABLED:
    from ubpanel.roles import Role as _Role

    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    # The provider's https://.../.well-known/openid-configuration: endpoints, issuer and keys.
    OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL")
    if PRODUCTION and not OIDC_OP_DISCOVERY_URL.startswith("https://"):
        raise ImproperlyConfigured("OIDC_OP_DISCOVERY_URL must be an https:// address.")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
    # provider group=role value, comma-separated, e.g. ubpanel-chair=panel_chair,...
    OIDC_GROUP_ROLES = env.dict("OIDC_GROUP_ROLES", default={})
    _unknown = sorted(set(OIDC_GROUP_ROLES.values()) - set(_Role.values))
    if not OIDC_GROUP_ROLES or _unknown:
        raise ImproperlyConfigured(
            "OIDC_GROUP_ROLES must map the provider's groups to roles (group=role,...); "
            f"unknown roles: {', '.join(_unknown) or 'none given'}. Roles: {', '.join(_Role.values)}."
        )
    OIDC_MATCH_BY_EMAIL = env.bool("OIDC_MATCH_BY_EMAIL", default=True)
    OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=True)
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
    OIDC_VERIFY_SSL = True
    AUTHENTICATION_BACKENDS = [
        "ubpanel.accounts.LocalSignInBackend"
        if backend == "django.contrib.auth.backends.ModelBackend"
        else backend
        for backend in AUTHENTICATION_BACKENDS
    ] + ["ubpanel.oidc.CouncilOIDCBackend"]

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
# The worker and beat log through LOGGING too (JSON, no personal data), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Beat's heartbeat for /healthz/ready: queued every minute, run by a worker (ubpanel/health.py).
CELERY_IMPORTS = ["ubpanel.health"]
CELERY_BEAT_SCHEDULE["beat-heartbeat"] = {"task": "ubpanel.health.beat_heartbeat", "schedule": 60}
HEALTHZ_BEAT_MAX_AGE_SECONDS = env.int("HEALTHZ_BEAT_MAX_AGE_SECONDS", default=5 * 60)

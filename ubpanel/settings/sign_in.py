"""Settings: who may sign in and how - passwords, lockouts, sessions, MFA, single sign-on."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from .base import COUNCIL_NAME, DJANGO_ENV, PRODUCTION, env

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

# Sessions end after 30 minutes idle and at the latest 10 hours after sign-in
# (SessionLifetimeMiddleware). A request is activity, but the session is not saved on every request
# for it: ubpanel.middleware.SessionMiddleware records the time of activity in the session (and so
# saves it, renewing the stored session's expiry) only once the last recorded time is at least
# SESSION_ACTIVITY_STEP_SECONDS old, and signs out once the recorded time is SESSION_COOKIE_AGE
# old. A session therefore never outlives 30 idle minutes; it may end up to one step sooner.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_STEP_SECONDS = env.int("SESSION_ACTIVITY_STEP_SECONDS", default=60)
if not 0 <= SESSION_ACTIVITY_STEP_SECONDS < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured(
        "SESSION_ACTIVITY_STEP_SECONDS must be at least 0 (0: the session is saved on every "
        "request) and less than SESSION_IDLE_SECONDS (sign-out after that long idle)."
    )
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
    "data_protection",
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

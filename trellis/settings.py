"""Trellis settings, read from the environment (see README for the variables).

Production-safe by default: DEBUG is off unless asked for, cookies are secure when served over
HTTPS, and the Content-Security-Policy allows no inline script.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from pythonjsonlogger.core import RESERVED_ATTRS

from trellis.env import env_bool, env_int, env_json, env_list, env_str, kept_secret

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("TRELLIS_DATA_DIR", str(PACKAGE_DIR.parent / "data"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or kept_secret(DATA_DIR)
# The audit chain's HMAC key and the file of signed checkpoints of its newest entry: both outside
# the database, so someone who can write to the database can neither rebuild the chain after an
# edit nor cut its newest entries unseen. Production puts them on another volume
# (TRELLIS_AUDIT_KEY_FILE, TRELLIS_AUDIT_CHECKPOINTS).
AUDIT_KEY = env_str("TRELLIS_AUDIT_KEY") or kept_secret(DATA_DIR, "audit_key")
AUDIT_CHECKPOINTS = Path(
    env_str("TRELLIS_AUDIT_CHECKPOINTS", str(DATA_DIR / "audit-checkpoints.jsonl"))
)
# A web process writes a checkpoint at most this often (0: only `trellis audit checkpoint`).
AUDIT_CHECKPOINT_MINUTES = env_int("TRELLIS_AUDIT_CHECKPOINT_MINUTES", 10)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin on trellis/admin_site.py: superusers only, but for the scoped admins.
    "trellis.apps.TrellisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_results",
    "trellis.audit",
    "trellis.people",
    "trellis.accounts",
    "trellis.plans",
    "trellis.collect",
    "trellis.monitoring",
    "trellis.incidents",
    "trellis.health",
    "trellis.credentials",
    "trellis.home",
    "trellis.demo",
    "trellis.ops",
    "trellis.tasks",
    "trellis.records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trellis.privacy.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trellis.audit.middleware.AuditContextMiddleware",
    # Inside the audit middleware: it logs the request id that middleware set.
    "trellis.ops.middleware.RequestLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trellis.accounts.middleware.IdleLogoutMiddleware",
    "trellis.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.accounts.context_processors.session_settings",
                "trellis.incidents.context_processors.notifications",
                "trellis.home.context_processors.work",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'trellis.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a flush that steps around the audit log's triggers.
    DATABASES["default"]["ENGINE"] = "trellis.audit.sqlite_backend"
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the start
    # of a transaction, so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "trellis.accounts.backends.ModelBackend",
]

# Argon2id first (OWASP's choice; no length limit, unlike bcrypt's 72 bytes); the others only
# read older hashes, which Django upgrades at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Two-factor sign-in (django-otp): TOTP apps and single-use recovery codes. Required for
# supervisors, program admins and admin users, and for everyone in an organization whose
# policy says so (trellis.accounts.two_factor). A second-factor check lasts for the session;
# sensitive actions ask again after TWO_FACTOR_RECENT.
OTP_TOTP_ISSUER = "Trellis"
TWO_FACTOR_RECENT = timedelta(minutes=env_int("TRELLIS_TWO_FACTOR_RECENT_MINUTES", 10))
# Emergency access to a learner outside one's caseload (people/emergency.py) lasts this long.
EMERGENCY_ACCESS_MINUTES = env_int("TRELLIS_EMERGENCY_ACCESS_MINUTES", 30)

# NIST SP 800-63B: length over composition rules, a check against common passwords, no forced
# periodic change. Long passphrases are welcome (Django accepts any length).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("TRELLIS_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in protection: lock a username from an address after repeated failures.
AXES_FAILURE_LIMIT = env_int("TRELLIS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TRELLIS_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying (one password tried on many accounts) stays under the per-username
# limit: an address is also locked after this many failures across all accounts. Higher
# than the per-account limit, since a school's tablets share one address.
AXES_HANDLER = "trellis.accounts.lockout.AddressLimitHandler"
TRELLIS_ADDRESS_FAILURE_LIMIT = env_int("TRELLIS_ADDRESS_FAILURE_LIMIT", 30)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle logoff: a shared tablet left on a desk must not stay signed in.
IDLE_TIMEOUT = timedelta(minutes=env_int("TRELLIS_IDLE_MINUTES", 15))
# A reset link works for an hour (and once: it is spent when the password changes).
PASSWORD_RESET_TIMEOUT = 3600
SESSION_COOKIE_AGE = env_int("TRELLIS_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Uploaded files (attachments) go through Django's storage API: the data folder's media/ by
# default, object storage in production by naming its backend and options, e.g.
# TRELLIS_FILE_STORAGE=storages.backends.s3.S3Storage (pip install 'trellis[object-storage]')
# with TRELLIS_FILE_STORAGE_OPTIONS='{"bucket_name": "…"}' (or _FILE). No MEDIA_URL: children's
# files are never served as static files, only by views that check access.
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": env_str("TRELLIS_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("TRELLIS_FILE_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. Cookies are marked secure when Trellis is served over HTTPS.
HTTPS = env_bool("TRELLIS_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# HSTS preloading (check --deploy's W021) is for the owner of the whole domain to decide: the
# preload list takes a registrable domain with every subdomain, and a district's Trellis runs on
# one host of a domain that also serves sites Trellis knows nothing of.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env_bool("TRELLIS_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
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
        "connect-src": [SELF],
        "font-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "trellis@localhost")

# Operations (trellis/ops): the readiness check pings the task broker when one is configured;
# /metrics answers loopback, or anyone with this bearer token.
TRELLIS_BROKER_URL = env_str("TRELLIS_BROKER_URL")
TRELLIS_METRICS_TOKEN = env_str("TRELLIS_METRICS_TOKEN")

# Background work (trellis/celery.py). Without a broker, an embedded one needing no server:
# kombu's SQLAlchemy transport on a SQLite file in the data folder (`make demo`). Results go to
# the database (django-celery-results), where a page reads its task's progress and the
# failed-task page its failures.
CELERY_BROKER_URL = TRELLIS_BROKER_URL or f"sqla+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True  # the task's name and arguments, for the retry button
# A task a dying worker held is delivered again (tasks are idempotent), one at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is away must not hold the request that queues a task: one quick retry (a pooled
# connection that died with a restarted Redis), then the task waits in the database's outbox
# (trellis/tasks/base.py). Without socket timeouts a publish to a Redis that keeps the
# connection but does not answer (stopped, failing over, a dropped NAT entry) waits forever.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 1,
        "socket_connect_timeout": 1,
        # A task a worker took and never acknowledged (the whole worker killed, the machine
        # lost) is delivered again after this long; it must exceed the longest task and retry
        # countdown (kombu's default, an hour).
        "visibility_timeout": env_int("TRELLIS_BROKER_VISIBILITY_TIMEOUT", 3600),
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# One JSON object a line, for a log collector; trellis.request is the line per request
# (trellis/ops/middleware.py says what it holds, and what never).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "timestamp": True,
            # Django logs its 4xx and 5xx answers with the request, whose text is the full
            # path: a query string may hold a searched name.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"trellis.request": {"level": env_str("TRELLIS_REQUEST_LOG_LEVEL", "INFO")}},
}

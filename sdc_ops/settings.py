"""SDC Ops settings, driven by environment variables only.

No variables set gives the embedded demo: SQLite, Celery tasks run eagerly,
DEBUG on and a generated development secret. Production differs only in values
(see README "Configuration").
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is false. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # The demo gets a fresh secret per process: sessions do not survive a restart,
    # which is fine for a local demo and means no secret is ever committed.
    SECRET_KEY = "insecure-dev-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "rest_framework",
    # Only for its table: performance's migration 0014 reads the old plaintext keys
    # from it, hashes them and empties it. Nothing authenticates with it any more and
    # its admin is unregistered (performance/admin.py). It goes once every
    # deployment has run 0014: `migrate authtoken zero`, then remove this line.
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "teams",
    "scheduling",
    "performance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sdc_ops.middleware.NoStoreMiddleware",
    "sdc_ops.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # The request at hand for the audit log (its address), however deep it is written.
    "teams.audit.AuditRequestMiddleware",
    # Last: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sdc_ops.urls"
WSGI_APPLICATION = "sdc_ops.wsgi.application"

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
                "teams.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file by default (the demo), PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The embedded SQLite demo ignores the covering columns of PostgreSQL's dashboard
# index (performance.DailyKpi); that is expected there, not worth a warning.
SILENCED_SYSTEM_CHECKS = (
    ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []
)

AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "teams:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files that must never be served from a public URL (candidates' CVs): no
# URL is served for them: they are read only through access-checked views
# (teams/views/candidates.py), as attachments.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("STATIC_MANIFEST", True)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console in the demo, SMTP (or any backend) in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SDC Ops <sdc-ops@localhost>")

# Celery: eager (in-process) unless a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A frozen broker must not hold a web request that enqueues a task for minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 3,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When the broker drops, a task that is running (a rollup, acks_late) finishes its
# work, which needs only the database, rather than being killed: each rollup day is
# its own transaction, and a message whose ack was lost with the connection comes
# back after the visibility timeout and finds nothing left to do. Said explicitly
# because Celery 6 turns the default around. (Celery 5.7.0's worker itself died when
# the broker dropped: see sdc_ops/celery.py.)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# The session's user arrives with their roster record (one query, not two).
# ModelBackend stays listed so sessions begun before RosterBackend remain valid.
AUTHENTICATION_BACKENDS = [
    # First: a locked-out username or address is refused before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "teams.auth_backends.RosterBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username, or from one client address, further attempts are refused for
# AXES_COOLOFF_MINUTES with a message, without checking the password. An ops admin
# unlocks someone in the Django admin (Axes › Access attempts: delete) or with
# `manage.py axes_reset_username USERNAME`. Attempts are kept in the database, so
# every web process agrees. The address is REMOTE_ADDR: behind a proxy, have it pass
# the client's address through.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "teams.views.roster.locked_out"
AXES_VERBOSE = False
# Password reset: at most this many e-mails per address and requests per client an hour.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10)

# A cache shared by web and worker processes in production (Redis); the embedded
# default is each process's memory. While Redis is down or frozen the cache acts as
# a miss (sdc_ops/cache.py), so pages and sessions are served from the database.
CACHES = {
    "default": (
        {"BACKEND": "sdc_ops.cache.ResilientRedisCache", "LOCATION": env_str("CACHE_URL")}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# KPI dashboards cache their rendered figures this long (0 turns it off); every
# rollup invalidates them at once where the cache is shared (CACHE_URL).
KPI_DASHBOARD_CACHE_SECONDS = env_int("KPI_DASHBOARD_CACHE_SECONDS", 60)

# A KPI out of its green band this many days in a row (days with figures) alerts the lead.
KPI_ALERT_DAYS = env_int("KPI_ALERT_DAYS", 3)

# Retention: a leaver's personal data is anonymised this many days after their leaving
# date; old versions of 1:1, feedback, goal and review text in the change history this
# many days after they were replaced (the latest version stays).
# The day's queue plan: at most this many changes of queue per person a day.
QUEUE_PLAN_MAX_SWITCHES = env_int("QUEUE_PLAN_MAX_SWITCHES", 2)

# Hiring and onboarding (teams/services/hiring*.py, onboarding.py).
HIRING_RETENTION_DAYS = env_int("HIRING_RETENTION_DAYS", 180)  # rejected/withdrawn → anonymised
HIRING_STALE_DAYS = env_int("HIRING_STALE_DAYS", 7)  # an application not moved this long
HIRING_CV_MAX_BYTES = env_int("HIRING_CV_MAX_BYTES", 5 * 1024 * 1024)
ONBOARDING_RAMP_DAYS = env_int("ONBOARDING_RAMP_DAYS", 60)  # a hire's skills: proficient by
# The weekend rota leaves a new joiner out of weekends for this many weeks from the
# start date (and credits them for it, so they are not front-loaded after).
ROTA_NEW_JOINER_WEEKS = env_int("ROTA_NEW_JOINER_WEEKS", 4)
SDC_RETENTION_LEAVER_DAYS = env_int("SDC_RETENTION_LEAVER_DAYS", 730)
SDC_RETENTION_HISTORY_DAYS = env_int("SDC_RETENTION_HISTORY_DAYS", 730)

# How often beat sweeps the dirty KPI days: the safety net for a post-import task
# that was lost (broker down at commit) or whose worker was killed mid-backfill.
KPI_ROLLUP_SWEEP_SECONDS = env_int("KPI_ROLLUP_SWEEP_SECONDS", 600)
if KPI_ROLLUP_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured(
        f"KPI_ROLLUP_SWEEP_SECONDS={KPI_ROLLUP_SWEEP_SECONDS} must be at least 1 (seconds)."
    )

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # issue 16: training — daily; each training and certification reminded once.
    "remind-training-due": {
        "task": "teams.tasks.send_training_reminders",
        "schedule": crontab(minute=0, hour=8),
        "options": {"expires": 3600},
    },
    "remind-certifications-expiring": {
        "task": "teams.tasks.send_certification_reminders",
        "schedule": crontab(minute=5, hour=8),
        "options": {"expires": 3600},
    },
    "apply-retention": {
        # Nightly; idempotent, so a repeated or late run changes nothing more.
        "task": "teams.tasks.apply_retention",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 3600},
    },
    "remind-one-on-ones-tomorrow": {
        # Hourly, so each site gets its reminders from 08:00 local; each sent once.
        "task": "performance.tasks.remind_one_on_ones_tomorrow",
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    "remind-action-items-due": {
        "task": "performance.tasks.remind_action_items_due",
        "schedule": crontab(minute=10),
        "options": {"expires": 3000},
    },
    "remind-review-steps": {
        # Self review, lead review and calibration due soon; each reminder once.
        "task": "performance.tasks.remind_review_steps",
        "schedule": crontab(minute=0, hour=7),
        "options": {"expires": 3600},
    },
    "refresh-forecasts": {
        # Hourly, so every site's queues are forecast soon after its own midnight;
        # a queue already forecast that local day is skipped.
        "task": "scheduling.tasks.refresh_forecasts",
        "schedule": crontab(minute=20),
        "options": {"expires": 3000},
    },
    "sync-public-holidays": {
        "task": "scheduling.tasks.sync_holidays",
        "schedule": crontab(minute=15, hour=3, day_of_week="mon"),
        "options": {"expires": 6 * 3600},
    },
    "draft-weekend-rotas": {
        "task": "scheduling.tasks.draft_weekend_rotas",
        "schedule": crontab(minute=0, hour=6, day_of_week="wed"),
        "options": {"expires": 6 * 3600},
    },
    "settle-comp-days": {
        "task": "scheduling.tasks.settle_comp_days",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 3600},
    },
    "expire-past-swaps": {
        "task": "scheduling.tasks.expire_past_swaps",
        "schedule": crontab(minute=40, hour=2),
        "options": {"expires": 3600},
    },
    "rollup-dirty-kpi-days": {
        # Catches up whatever a lost post-import task or a killed worker left dirty;
        # a sweep not started before the next one is due is dropped.
        "task": "performance.tasks.rollup_dirty_days",
        "schedule": dt.timedelta(seconds=KPI_ROLLUP_SWEEP_SECONDS),
        "options": {"expires": KPI_ROLLUP_SWEEP_SECONDS * 0.9},
    },
    "rollup-kpis-yesterday": {
        # Hourly, so every site is handled shortly after its own local midnight.
        "task": "performance.tasks.rollup_yesterday",
        "schedule": crontab(minute=15),
        "options": {"expires": 3000},
    },
    "remind-expiring-comp-days": {
        "task": "scheduling.tasks.remind_expiring_comp_days",
        "schedule": crontab(minute=0, hour=8),
        "options": {"expires": 3600},
    },
    # hiring: onboarding. Hourly, so each site's start dates and reminders come soon
    # after its own morning; claimed rows make a repeated run send nothing.
    "send-start-date-invitations": {
        "task": "teams.tasks.send_start_date_invitations",
        "schedule": crontab(minute=25),
        "options": {"expires": 3000},
    },
    "send-onboarding-reminders": {
        "task": "teams.tasks.send_onboarding_reminders",
        "schedule": crontab(minute=35, hour=7),
        "options": {"expires": 3600},
    },
    # hiring: retention
    "anonymise-candidates": {
        # Nightly; idempotent: a candidate already anonymised is not touched again.
        "task": "teams.tasks.anonymise_candidates",
        "schedule": crontab(minute=45, hour=3),
        "options": {"expires": 3600},
    },
    # issue 16: pulse
    "run-pulse-rounds": {
        # Hourly, so every site's rounds open and close on its own local day; idempotent.
        "task": "performance.tasks.run_pulse_rounds",
        "schedule": crontab(minute=25),
        "options": {"expires": 3000},
    },
}

# Security. The defaults for DEBUG off pass `manage.py check --deploy`; behind a
# TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
# Content Security Policy (django-csp): scripts, styles, images and fonts from this
# site only, no inline script or style (none is used: behaviour lives in static/js,
# looks in static/css), no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page here uses.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# Opt-in: both bind every subdomain of the host (preloading is hard to undo), which is
# the domain owner's decision, not this app's. Off, Django's deploy check would warn.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS += [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
# With a shared cache (Redis, CACHE_URL), sessions are read from it and written
# through to the database: no session query on most requests. A per-process cache
# would let other workers accept a session logged out elsewhere, so without one
# they stay in the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env_str("CACHE_URL")
    else "django.contrib.sessions.backends.db"
)
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Failed authorization attempts (404/403 from the access functions).
        "teams.access": {"level": "WARNING"},
    },
}

# The KPI JSON API (performance/api/): API tokens first (hashed, scoped, expiring;
# performance/api/authentication.py), so a request without credentials gets 401 with
# WWW-Authenticate; a browser session also works (with CSRF).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "performance.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SDC Ops API",
    "DESCRIPTION": (
        "Post raw KPI events, read daily KPI rollups and post queue volume history. "
        "Authenticate with `Authorization: Token <key>`; make keys at /account/api-token/, "
        "each with an expiry and the scopes it may use (`read_rollups`, `write_events`, "
        "`write_volumes`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ serves Swagger UI from the drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Absolute links in emails (invitations, reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# The schedule grid warns when a person's planned paid hours in a week (shift lengths
# less breaks; leave, comp and days off count 0) exceed their contract by more than
# the slack, or exceed the limit (the Working Time Directive's 48-hour average).
SCHEDULE_WEEKLY_HOURS_LIMIT = 48
SCHEDULE_OVER_CONTRACT_SLACK_HOURS = 1

"""Django settings: every value comes from the environment through typed readers (README lists them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

from statuspage.lib.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_emails,
    env_float,
    env_floats,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_url,
    env_urls,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Environment and secrets -------------------------------------------------------------------
STATUSPAGE_ENV = env_choice("STATUSPAGE_ENV", "production", ("development", "production", "test"))
DEBUG = env_bool("DEBUG", False)
_DEV = STATUSPAGE_ENV in ("development", "test")
if DEBUG and not _DEV:
    # Debug pages show settings and tracebacks to anyone: `check --deploy` would flag it (W018).
    raise ConfigError("DEBUG=true is refused in production; set STATUSPAGE_ENV=development to debug")
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key" if _DEV else None, required=not _DEV)
if not _DEV and len(SECRET_KEY) < 32:
    raise ConfigError("SECRET_KEY must be at least 32 characters outside development")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "AI Status")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

# --- Apps --------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "statuspage.operators.apps.OperatorsAdminConfig",  # django.contrib.admin with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "monitors",
    "statuspage.components",
    "statuspage.incidents",
    "statuspage.public",
    "statuspage.api",
    "statuspage.subscriptions",
    "statuspage.pipeline",  # connects the status chain's links (statuspage/pipeline/chain.py)
    "django_ratelimit",
    "statuspage.operators",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "statuspage.config",  # last: its admin extends the monitors' and components' admin classes
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY below; the fast path sends the same
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires: turns a lockout into its page
]

ROOT_URLCONF = "statuspage.urls"
WSGI_APPLICATION = "statuspage.wsgi.application"
ASGI_APPLICATION = "statuspage.asgi.application"
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

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
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage", schemes=("postgres", "postgresql")
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
    "DB_CONNECT_TIMEOUT", 5, minimum=1
)
# The web process bounds its own waits tighter (statuspage/lib/webdb/, installed by wsgi/asgi.py):
# libpq's shortest connect timeout is 2 s.
WEB_QUERY_TIMEOUT = env_float("WEB_QUERY_TIMEOUT", 1.0, minimum=0.1, maximum=60)
WEB_DB_CONNECT_TIMEOUT = env_int("WEB_DB_CONNECT_TIMEOUT", 2, minimum=2, maximum=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss", "unix"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}

# --- Probing -----------------------------------------------------------------------------------
PROBE_REGION = env_str("PROBE_REGION", "default")
SCHEDULER_TICK_SECONDS = env_float("SCHEDULER_TICK_SECONDS", 5.0, minimum=0.5, maximum=60)
PROBE_BATCH_SIZE = env_int("PROBE_BATCH_SIZE", 200, minimum=1, maximum=10_000)
PROBE_CONCURRENCY = env_int("PROBE_CONCURRENCY", 100, minimum=1, maximum=5_000)
DEFAULT_PROBE_INTERVAL = env_int("DEFAULT_PROBE_INTERVAL", 60, minimum=5, maximum=86_400)
# Monitors as code and the provider catalog (statuspage/config/, monitors/catalog/, monitors/keys.py).
STATUSPAGE_CONFIG = env_str("STATUSPAGE_CONFIG", "")
API_KEY_ENV_ALLOWED = env_list("API_KEY_ENV_ALLOWED", "")
PROBE_BUDGET_USD_MONTHLY = env_float("PROBE_BUDGET_USD_MONTHLY", 0.0, minimum=0)
# Confirmation probes (monitors/confirmation.py): a region with a change pending is probed again after
# these delays (one per vote the change has), jittered, at most CONFIRM_PROVIDER_CAP per provider in
# any CONFIRM_WINDOW_S (0 turns them off).
CONFIRM_DELAYS_S = env_floats("CONFIRM_DELAYS_S", "5,10", minimum=0.01, maximum=3_600)
CONFIRM_JITTER = env_float("CONFIRM_JITTER", 0.2, minimum=0, maximum=1)
CONFIRM_PROVIDER_CAP = env_int("CONFIRM_PROVIDER_CAP", 30, minimum=0, maximum=100_000)
CONFIRM_WINDOW_S = env_float("CONFIRM_WINDOW_S", 60.0, minimum=0.1, maximum=3_600)

# --- History: raw results, rollups, retention (monitors/history/partitions.py, aggregator.py) ---
RAW_RESULT_RETENTION_DAYS = env_int("RAW_RESULT_RETENTION_DAYS", 30, minimum=1, maximum=3_650)
HOURLY_ROLLUP_RETENTION_DAYS = env_int("HOURLY_ROLLUP_RETENTION_DAYS", 90, minimum=2, maximum=36_500)
# Rollups lag results by up to feed + settle; a longer feed period rewrites each rollup row less often.
ROLLUP_FEED_SECONDS = env_float("ROLLUP_FEED_SECONDS", 300.0, minimum=5, maximum=3_600)
ROLLUP_SETTLE_SECONDS = env_int("ROLLUP_SETTLE_SECONDS", 60, minimum=0, maximum=3_600)

# --- Incident automation -----------------------------------------------------------------------
# After recovery an automatic incident sits in "Monitoring" this long without relapse, then resolves.
INCIDENT_QUIET_PERIOD_S = env_float("INCIDENT_QUIET_PERIOD_S", 600.0, minimum=0)
# Hold automatic incidents of minor impact (degraded performance) for an operator's approval;
# major and critical ones always publish at once.
INCIDENT_REVIEW_MINOR = env_bool("INCIDENT_REVIEW_MINOR", False)
# How often maintenance windows, override expiries and quiet periods are checked.
STATUS_SWEEP_SECONDS = env_float("STATUS_SWEEP_SECONDS", 5.0, minimum=0.2, maximum=300)

# --- Email -------------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025, minimum=1, maximum=65_535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "status@example.com")

# --- Subscriptions and deliveries --------------------------------------------------------------
# Throttles on the public subscribe form (django-ratelimit counters in the Redis cache): submissions
# per client address, and emails sent per subscriber address (what stops the form flooding an inbox).
SUBSCRIBE_RATE_PER_CLIENT = env_rate("SUBSCRIBE_RATE_PER_CLIENT", "20/h")
SUBSCRIBE_RATE_PER_ADDRESS = env_rate("SUBSCRIBE_RATE_PER_ADDRESS", "3/h")
# The request header (Django META key, e.g. HTTP_X_REAL_IP) a trusted proxy sets to the client address.
SUBSCRIBE_CLIENT_IP_HEADER = env_str("SUBSCRIBE_CLIENT_IP_HEADER", "")
RATELIMIT_IP_META_KEY = "statuspage.subscriptions.throttle.client_ip"
# Django's own RedisCache increments atomically; django-ratelimit only lists django-redis by name.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
SUBSCRIPTION_CONFIRM_MAX_AGE = env_int("SUBSCRIPTION_CONFIRM_MAX_AGE", 48 * 3600, minimum=60)
SUBSCRIPTION_LINK_MAX_AGE = env_int("SUBSCRIPTION_LINK_MAX_AGE", 365 * 86400, minimum=3600)
# Only tests relax this: webhook URLs resolving to private, loopback or link-local addresses are refused.
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = env_bool("WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", False)
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 30.0, minimum=1, maximum=60)
DELIVERY_QUEUE = env_str("DELIVERY_QUEUE", "deliveries")
DELIVERY_BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 200, minimum=1, maximum=5_000)
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 30, minimum=1, maximum=3_600)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 12, minimum=1, maximum=50)
DELIVERY_BACKOFF_SECONDS = env_float("DELIVERY_BACKOFF_SECONDS", 10.0, minimum=0.01)
DELIVERY_BACKOFF_MAX_SECONDS = env_float("DELIVERY_BACKOFF_MAX_SECONDS", 3600.0, minimum=0.01)
DELIVERY_SWEEP_SECONDS = env_float("DELIVERY_SWEEP_SECONDS", 10.0, minimum=0.5, maximum=300)
# Operator alerts go here; when empty, to the active staff users that have an email address.
OPERATOR_EMAILS = env_emails("OPERATOR_EMAILS", "")
# Apprise URLs (slack://, pagerduty://, opsgenie://, tgram://, ntfy://, mailto://...), space-separated:
# operators are paged there too (subscriptions/alerts.py decides about what). Secrets: env only.
OPERATOR_NOTIFY_URLS = env_urls("OPERATOR_NOTIFY_URLS", "")
# Tests only, read from no environment variable: "host:port" of loopback servers playing a chat app
# ("slack", ...), admitted over http. Production reaches each app's official https hosts and no other.
CHAT_TEST_HOSTS: dict[str, str] = {}

# --- Security ----------------------------------------------------------------------------------
_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
# Off by default: TLS usually ends at the proxy, and the proxy (not the app) redirects http to https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# No script reads the CSRF cookie (forms carry the token), so scripts get neither cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("ADMIN_SESSION_SECONDS", 8 * 3600, minimum=300, maximum=30 * 86400)
if _HTTPS:
    # The __Host- prefix makes browsers refuse these cookies unless secure, host-only and for path /.
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 0, minimum=0, maximum=2 * 365 * 86400)

# Content-Security-Policy (django-csp): our own scripts and styles only; the admin's few inline blocks
# carry the request's nonce. Snapshot pages have no inline code, so the fast path sends the policy
# without a nonce (statuspage/lib/secureheaders.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        # Style attributes (the HTML email shown in the admin's preview) cannot run script.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Operators: admin sign-in (statuspage/operators/) --------------------------------------------
# django-axes counts failed sign-ins and blocks further tries for a while once they reach the limit.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 1440))
# "ip" blocks an address guessing any usernames; "username" alone would let anyone lock an operator
# out in the middle of an outage, so it is only offered combined.
AXES_LOCKOUT_PARAMETERS = {
    "ip": ["ip_address"],
    "ip_and_username": [["ip_address", "username"]],
    "ip_or_username": ["ip_address", "username"],
}[env_choice("ADMIN_LOGIN_LOCKOUT_BY", "ip", ("ip", "ip_and_username", "ip_or_username"))]
AXES_RESET_ON_SUCCESS = True
# Failures for one username (from any address) after which each try waits twice as long (backoff.py).
ADMIN_LOGIN_USERNAME_BACKOFF_AFTER = env_int("ADMIN_LOGIN_USERNAME_BACKOFF_AFTER", 10, minimum=1)
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The trusted proxy's header; an IPv6 client counts by its /64, as the subscribe throttle does.
AXES_CLIENT_IP_CALLABLE = "statuspage.subscriptions.throttle.client_network"
# Two-factor (TOTP, django-otp) is optional per user unless required for everyone.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = SITE_NAME

# --- Public page serving (statuspage/serving/snapshot.py) ---------------------------------------
# How often each web process reads the page version (one tiny query); a change is visible after this.
PAGE_VERSION_TTL = env_float("PAGE_VERSION_TTL", 1.0, minimum=0, maximum=60)
# The snapshot is re-rendered this often even without a change, so uptime bars and charts move on.
PAGE_REFRESH_SECONDS = env_int("PAGE_REFRESH_SECONDS", 30, minimum=1, maximum=3_600)
# After a failed refresh (Postgres unreachable), serve the last snapshot this long before trying again.
PAGE_RETRY_SECONDS = env_float("PAGE_RETRY_SECONDS", 5.0, minimum=0, maximum=300)
# How often an open page polls for live changes (htmx; paused while the tab is hidden).
PAGE_POLL_SECONDS = env_int("PAGE_POLL_SECONDS", 15, minimum=1, maximum=3_600)

# --- i18n, static ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from static/ without a collectstatic step in development and tests.
WHITENOISE_USE_FINDERS = _DEV

# --- Logging -----------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_warning_line": {"()": "statuspage.lib.logfilters.OneWarningLine"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "refused": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["one_warning_line"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # DisallowedHost, TooManyFieldsSent, a junk client-address header: answered 400, one line each.
        "django.security": {"handlers": ["refused"], "propagate": False},
    },
}

CELERY_BEAT_SCHEDULE = {
    "probe-scheduler-tick": {"task": "monitors.tick", "schedule": SCHEDULER_TICK_SECONDS},
    # Doorbells can be lost (a worker restart); the sweep bounds the delay that costs.
    "status-propagation-sweep": {"task": "components.propagate", "schedule": 15.0},
    # On the delivery workers' queue: a stuck probe worker must not hold back mail (operator alerts too).
    "delivery-sweep": {
        "task": "subscriptions.sweep",
        "schedule": DELIVERY_SWEEP_SECONDS,
        "options": {"queue": DELIVERY_QUEUE},
    },
    "rollup-feed": {"task": "monitors.rollup_feed", "schedule": ROLLUP_FEED_SECONDS},
    # Partitions ahead, retention of raw results and hourly rollups; hourly so a missed run costs nothing.
    "history-upkeep": {"task": "monitors.history_upkeep", "schedule": 3_600.0},
    "maintenance-reminders": {"task": "incidents.remind_maintenance", "schedule": 60.0},
    "stale-monitor-sweep": {"task": "monitors.sweep_stale", "schedule": 15.0},
    "status-sweep": {"task": "incidents.sweep", "schedule": STATUS_SWEEP_SECONDS},
}

"""Django settings: every value comes from the environment through typed readers (README lists them)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from statuspage.lib.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Environment and secrets -------------------------------------------------------------------
STATUSPAGE_ENV = env_choice("STATUSPAGE_ENV", "production", ("development", "production", "test"))
DEBUG = env_bool("DEBUG", False)
_DEV = STATUSPAGE_ENV in ("development", "test")
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key" if _DEV else None, required=not _DEV)
if not _DEV and len(SECRET_KEY) < 32:
    raise ConfigError("SECRET_KEY must be at least 32 characters outside development")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
SITE_NAME = env_str("SITE_NAME", "AI Status")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

# --- Apps --------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
DEMO_FLEET_URL = env_str("DEMO_FLEET_URL", "")

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

# --- Security ----------------------------------------------------------------------------------
_HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

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
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

CELERY_BEAT_SCHEDULE = {
    "probe-scheduler-tick": {"task": "monitors.tick", "schedule": SCHEDULER_TICK_SECONDS},
    # Doorbells can be lost (a worker restart); the sweep bounds the delay that costs.
    "status-propagation-sweep": {"task": "components.propagate", "schedule": 15.0},
    "stale-monitor-sweep": {"task": "monitors.sweep_stale", "schedule": 15.0},
    "status-sweep": {"task": "incidents.sweep", "schedule": STATUS_SWEEP_SECONDS},
}

"""Django settings, all from the environment (a `.env` file is read when present).

DATABASE_URL unset -> SQLite in MEDIA_ROOT's parent; BROKER_URL unset -> in-process stub broker.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-change-me")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc static files: the API docs work offline
    "django_dramatiq",
    "tenants",
    "adgen.ads",
    "adgen.billing",
    "adgen.campaigns",
    "adgen.dashboard",
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
]

ROOT_URLCONF = "adgen.urls"
WSGI_APPLICATION = "adgen.wsgi.application"
ASGI_APPLICATION = "adgen.asgi.application"

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

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media")).resolve()
MEDIA_URL = "/media/"
ARTIFACT_ROOT = Path(os.environ.get("ARTIFACT_ROOT", MEDIA_ROOT / "artifacts")).resolve()
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# serve app static files straight from their folders: `adgen serve` needs no collectstatic step
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even empty
STATICFILES_DIRS = [BASE_DIR / "adgen" / "dashboard" / "static"] if (BASE_DIR / "adgen" / "dashboard" / "static").is_dir() else []

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{MEDIA_ROOT.parent / 'adgen.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Files (renders, uploads) go through Django storage: local by default, S3-compatible when
# STORAGE_URL=s3://bucket/prefix (needs the `s3` extra: django-storages + boto3).
STORAGE_URL = os.environ.get("STORAGE_URL", "")
if STORAGE_URL.startswith("s3://"):
    _bucket, _, _prefix = STORAGE_URL[5:].partition("/")
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage",
                    "OPTIONS": {"bucket_name": _bucket, "location": _prefix,
                                "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None}},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------------- API
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.auth.ApiKeyAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "EXCEPTION_HANDLER": "tenants.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"workspace": os.environ.get("ADGEN_WORKSPACE_RATE", "1200/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "adgen API",
    "DESCRIPTION": "Turn product pages into finished video ads.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # the docs' JS/CSS come from our own static files (drf-spectacular-sidecar), never a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --------------------------------------------------------------------------- jobs
# BROKER_URL: redis://... (service default) or amqp://...; unset -> dramatiq's stub broker.
BROKER_URL = os.environ.get("BROKER_URL", "")
if BROKER_URL.startswith("amqp"):
    _broker = "dramatiq.brokers.rabbitmq.RabbitmqBroker"
    _broker_options = {"url": BROKER_URL}
elif BROKER_URL.startswith("redis"):
    _broker = "dramatiq.brokers.redis.RedisBroker"
    _broker_options = {"url": BROKER_URL}
else:
    _broker = "dramatiq.brokers.stub.StubBroker"
    _broker_options = {}
DRAMATIQ_BROKER = {
    "BROKER": _broker,
    "OPTIONS": _broker_options,
    "MIDDLEWARE": [
        "dramatiq.middleware.AgeLimit",
        "dramatiq.middleware.TimeLimit",
        "dramatiq.middleware.Callbacks",
        "dramatiq.middleware.Retries",
        "django_dramatiq.middleware.DbConnectionsMiddleware",
    ],
}
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]
# Stage runs: a queued/running run whose heartbeat is older than this is re-enqueued by the sweeper.
ADGEN_STAGE_STALE_S = float(os.environ.get("ADGEN_STAGE_STALE_S", "120"))
ADGEN_STAGE_MAX_ATTEMPTS = int(os.environ.get("ADGEN_STAGE_MAX_ATTEMPTS", "3"))
ADGEN_WEBHOOK_TIMEOUT_S = float(os.environ.get("ADGEN_WEBHOOK_TIMEOUT_S", "10"))
REDIS_URL = os.environ.get("REDIS_URL", BROKER_URL if BROKER_URL.startswith("redis") else "redis://127.0.0.1:6379/0")

# --------------------------------------------------------------------------- pipeline
ADGEN_ALLOW_PRIVATE_HOSTS = env_bool("ADGEN_ALLOW_PRIVATE_HOSTS", False)
ADGEN_MODEL_DIRS = {
    "lipsync": os.environ.get("ADGEN_LIPSYNC_MODEL_DIR", ""),
    "dit": os.environ.get("ADGEN_DIT_MODEL_DIR", ""),
    "piper": os.environ.get("ADGEN_PIPER_VOICES_DIR", ""),
    "script": os.environ.get("ADGEN_SCRIPT_MODEL_DIR", ""),
}
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")

# --------------------------------------------------------------------------- billing
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
TRIAL_CREDITS = int(os.environ.get("ADGEN_TRIAL_CREDITS", "200"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "adgen <noreply@localhost>")
# with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend: the SMTP server (sign-up and invitation mail)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# --------------------------------------------------------------------------- operations (issue 20)
# Logs: LOG_LEVEL in any case (warning, INFO, Debug...); one line per record, to stderr.
_LOG_LEVELS = {
    "critical": "CRITICAL", "error": "ERROR", "warning": "WARNING", "warn": "WARNING", "info": "INFO", "debug": "DEBUG"}
LOG_LEVEL = _LOG_LEVELS.get((os.environ.get("LOG_LEVEL") or "warning").strip().lower(), "")
if not LOG_LEVEL:
    from django.core.exceptions import ImproperlyConfigured as _Improperly  # noqa: E402

    raise _Improperly(f"LOG_LEVEL={os.environ['LOG_LEVEL']!r}: use one of debug, info, warning, error, critical.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Artifacts: ARTIFACT_STORE_URL=s3://bucket/prefix keeps them in an S3-compatible bucket
# (S3_ENDPOINT_URL + the AWS_* variables), ARTIFACT_ROOT then being this machine's cache of it;
# unset, ARTIFACT_ROOT is the store. The cache is capped; eviction skips what active jobs use.
ARTIFACT_STORE_URL = os.environ.get("ARTIFACT_STORE_URL", "").strip()
if ARTIFACT_STORE_URL and not ARTIFACT_STORE_URL.startswith("s3://"):
    from django.core.exceptions import ImproperlyConfigured as _Improperly  # noqa: E402

    raise _Improperly(f"ARTIFACT_STORE_URL={ARTIFACT_STORE_URL!r}: use s3://bucket/prefix, or leave it unset.")
ARTIFACT_CACHE_MAX_MB = float(os.environ.get("ARTIFACT_CACHE_MAX_MB") or 20 * 1024)
ARTIFACT_CACHE_GRACE_S = float(os.environ.get("ARTIFACT_CACHE_GRACE_S") or 600)

# Health and metrics: /healthz (database, broker, storage, artifact store, worker heartbeats,
# queue depths) and /metrics (django-prometheus). ADGEN_OPS_TOKEN (a bearer token) guards the
# details; workers export dramatiq's metrics on dramatiq_prom_host:dramatiq_prom_port (9191).
ADGEN_OPS_TOKEN = os.environ.get("ADGEN_OPS_TOKEN", "")
ADGEN_WORKER_HEARTBEAT_S = float(os.environ.get("ADGEN_WORKER_HEARTBEAT_S") or 10)
ADGEN_WORKER_STALE_S = float(os.environ.get("ADGEN_WORKER_STALE_S") or 60)
ADGEN_SSE_POLL_S = float(os.environ.get("ADGEN_SSE_POLL_S") or 0.5)
ADGEN_SHUTDOWN_GRACE_S = float(os.environ.get("ADGEN_SHUTDOWN_GRACE_S") or 3)
INSTALLED_APPS += ["django_prometheus", "adgen.ops"]
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
DRAMATIQ_BROKER["MIDDLEWARE"].append("adgen.ops.middleware.WorkerHeartbeat")
if env_bool("ADGEN_WORKER_METRICS", True) and _broker != "dramatiq.brokers.stub.StubBroker":
    DRAMATIQ_BROKER["MIDDLEWARE"].append("dramatiq.middleware.prometheus.Prometheus")

# --------------------------------------------------------------------------- security (issue 21)
# ADGEN_ENV=production is the production switch: the service then refuses to start without a real
# DJANGO_SECRET_KEY and a DATABASE_URL, and HSTS, the HTTPS redirect and secure cookies default on
# (each DJANGO_SECURE_* variable still overrides). The CLI and the demo leave ADGEN_ENV unset and
# keep their embedded defaults.
from datetime import timedelta as _timedelta  # noqa: E402

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

ADGEN_ENV = os.environ.get("ADGEN_ENV", "development").strip().lower()
PRODUCTION = ADGEN_ENV == "production"
if PRODUCTION:
    if SECRET_KEY == "dev-insecure-change-me" or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("ADGEN_ENV=production needs DJANGO_SECRET_KEY: 50+ random characters "
                                   "(python -c 'import secrets; print(secrets.token_urlsafe(50))').")
    if not os.environ.get("DATABASE_URL"):
        raise ImproperlyConfigured("ADGEN_ENV=production needs DATABASE_URL (PostgreSQL); SQLite is for the CLI.")
    if DEBUG:
        raise ImproperlyConfigured("ADGEN_ENV=production refuses DJANGO_DEBUG=1.")

SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [p for p in os.environ.get("DJANGO_SECURE_REDIRECT_EXEMPT", "").split(",") if p]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):  # behind a TLS-terminating proxy that sets it
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "email", "first_name", "last_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Content-Security-Policy (django-csp): no inline script anywhere; the dashboard's JS is static
# files (htmx vendored). Inline style attributes stay allowed (brand colour swatches).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "https:"], "media-src": ["'self'", "https:"], "font-src": ["'self'"],
    "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'none'"], "frame-ancestors": ["'none'"],
    "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
}}
# user files (brand kit uploads) are served with this instead: nothing in them may run
USER_FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"

# Log-in lockout (django-axes): 5 failures lock the account and, separately, the address, for 15 min.
INSTALLED_APPS += ["axes"]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = ["adgen.security.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("ADGEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = _timedelta(minutes=int(os.environ.get("ADGEN_LOGIN_LOCKOUT_MIN", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # each one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "dashboard/locked_out.html"
# The client's address: REMOTE_ADDR, unless ADGEN_NUM_PROXIES trusted proxies append X-Forwarded-For
# (a client-set X-Forwarded-For must never pick its own throttle bucket).
ADGEN_NUM_PROXIES = int(os.environ.get("ADGEN_NUM_PROXIES", "0"))
REST_FRAMEWORK["NUM_PROXIES"] = ADGEN_NUM_PROXIES
AXES_IPWARE_PROXY_COUNT = ADGEN_NUM_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if ADGEN_NUM_PROXIES else ["REMOTE_ADDR"]
AXES_VERBOSE = False

# Throttles (DRF's, on the shared cache): API-key guessing per address, sign-up per address and
# per email, scrape submissions and API-key creation per workspace.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].update({
    "api_key_failures": os.environ.get("ADGEN_API_KEY_FAILURE_RATE", "20/min"),
    "signup": os.environ.get("ADGEN_SIGNUP_RATE", "10/hour"),
    "signup_email": os.environ.get("ADGEN_SIGNUP_EMAIL_RATE", "3/hour"),
    "scrape": os.environ.get("ADGEN_SCRAPE_RATE", "60/hour"),
    "api_key_create": os.environ.get("ADGEN_API_KEY_CREATE_RATE", "20/hour"),
})
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = "adgen.security.queries.LimitOffsetPagination"
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["adgen.security.queries.JSONParser",
                                            "adgen.security.queries.FormParser",
                                            "rest_framework.parsers.MultiPartParser"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1,
                  "adgen.security.middleware.RefuseNulMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("adgen.security.middleware.RefuseNulMiddleware"),
                  "adgen.security.middleware.RequestSizeMiddleware")
ADGEN_MAX_REQUEST_BYTES = int(os.environ.get("ADGEN_MAX_REQUEST_MB", "300")) * 1024 * 1024
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {"CampaignRunStatusEnum": "adgen.campaigns.models.CampaignRun.Status"}
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = ["drf_spectacular.hooks.postprocess_schema_enums",
                                                "adgen.security.schema.document_error_responses"]
# Throttle counters live in the cache: CACHE_URL=redis://... shares them between web processes
# (production uses REDIS_URL when CACHE_URL is unset); otherwise each process counts in memory
# (the CLI, the demo and the tests). Lockouts (axes) are in the database either way.
CACHE_URL = os.environ.get("CACHE_URL", "") or (
    REDIS_URL if PRODUCTION and (os.environ.get("REDIS_URL") or BROKER_URL.startswith("redis")) else "")
if "CACHES" not in globals() and CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": "adgen"}}

# Uploads: per-field limits are in adgen.security.uploads; this caps what Django keeps in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ADGEN_MAX_IMAGE_PIXELS = int(os.environ.get("ADGEN_MAX_IMAGE_PIXELS", str(40_000_000)))
# Campaign bucket delivery: the S3-compatible endpoints the operator allows (comma-separated);
# empty means AWS S3 only. Uploads are signed with the operator's credentials.
ADGEN_BUCKET_ENDPOINTS = [e.strip() for e in os.environ.get("ADGEN_BUCKET_ENDPOINTS", "").split(",") if e.strip()]

"""Settings for beel, read from the environment (12-factor).

Every value has a default that suits a developer's machine, so `manage.py runserver` works with nothing
set; production sets `DEBUG=false`, `SECRET_KEY`, `ALLOWED_HOSTS` and `DATABASE_URL`.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from beel.db.config import databases
from beel.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

# Development is the default so the one-command start in the README works on a fresh clone;
# production must say DEBUG=false, and then a real SECRET_KEY is mandatory (checked just below).
DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the service refuses to start without one: "
            "set SECRET_KEY to a long random string (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'`)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "beel.idempotency",
    "beel.events",
    "companies",
    "apikeys",
    "customers",
    "invoices",
    "webhooks",
    "beel.ops",
]

MIDDLEWARE = [
    "beel.ops.metrics.MetricsMiddleware",
    "beel.api.middleware.RequestIdMiddleware",
    # Probes and metrics answer before the host check and the HTTPS redirect: a load balancer or
    # Prometheus calls an instance by its address, over plain HTTP.
    "beel.ops.middleware.OperationsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "beel.locale.StaffLocaleMiddleware",
    "beel.locale.StaffTimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "beel.db.replicas.ReplicaReadsMiddleware",  # which database a request reads from (DATABASE_REPLICA_URLS)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "beel.api.middleware.ApiErrorMiddleware",
    # Last, as django-axes requires: answers a locked-out admin login.
    "axes.middleware.AxesMiddleware",
]

# Staff logins (the admin) are locked after ADMIN_LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, for ADMIN_LOGIN_LOCKOUT_MINUTES, on a page naming whom to ask (ADMIN_LOCKOUT_CONTACT); django-axes,
# `manage.py axes_reset_username USERNAME` or `axes_reset` unlocks at once. API keys skip these backends.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The address behind the trusted proxies (TRUSTED_PROXY_COUNT), as the API's limits see it.
AXES_CLIENT_IP_CALLABLE = "beel.client_address.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "customers.admin.lockout.lockout_response"
ADMIN_LOCKOUT_CONTACT = os.environ.get("ADMIN_LOCKOUT_CONTACT", "")

ROOT_URLCONF = "beel.urls"
WSGI_APPLICATION = "beel.wsgi.application"
ASGI_APPLICATION = "beel.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # the admin's templates beel overrides (templates/admin)
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

# One slow query must not hold a worker: PostgreSQL cancels any statement past this (0 turns it off);
# the API answers 503 SERVICE_UNAVAILABLE. `migrate` lifts it for its own connection (beel.ops).
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 5000)
DB_CONNECT_TIMEOUT_SECONDS = env_int("DB_CONNECT_TIMEOUT_SECONDS", 5)
DATABASES = databases(
    BASE_DIR, statement_timeout_ms=DB_STATEMENT_TIMEOUT_MS, connect_timeout_seconds=DB_CONNECT_TIMEOUT_SECONDS
)

DATABASE_ROUTERS = ["beel.db.replicas.ReplicaRouter"]  # answers nothing without DATABASE_REPLICA_URLS

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The admin follows the browser's Accept-Language among these (beel.locale); the API stays English.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Madrid"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# WhiteNoise serves what `collectstatic` gathered: gzip-compressed, with content-hashed names cached
# for ever by browsers and proxies.
CUSTOMER_IMPORTS_DIR = os.environ.get("CUSTOMER_IMPORTS_DIR", "")
CUSTOMER_EXPORTS_DIR = os.environ.get("CUSTOMER_EXPORTS_DIR", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # The admin's CSV import keeps a previewed file here until it is confirmed or cancelled
    # (customers.admin.pending_import). Private: no URL serves it, and only the service's user reads it.
    # Several instances must share it (the confirmation may reach another one): set CUSTOMER_IMPORTS_DIR to
    # a shared directory, or point this alias at a shared storage backend (the deploy check says so). The
    # default is inside the checkout rather than the system's temporary directory, where another local user
    # could create the folder first.
    "customer_imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": CUSTOMER_IMPORTS_DIR or str(BASE_DIR / "var" / "customer-imports"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    # The files of customer export jobs (customers.services.exports), until they expire: as private as the
    # imports', and shared by every instance and worker (CUSTOMER_EXPORTS_DIR), since a worker writes what
    # any instance serves.
    "customer_exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": CUSTOMER_EXPORTS_DIR or str(BASE_DIR / "var" / "customer-exports"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}

# How many proxies sit in front of the service (e.g. 1 for a TLS-terminating load balancer). Only then
# are X-Forwarded-Proto (is the request https) and X-Forwarded-For (the client address,
# beel.client_address) believed; with 0 any client could claim them.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None

# Security: hardened whenever DEBUG is off, so `manage.py check --deploy` is clean in production.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Request limits (docs/deploy.md, "Limits"). 7 KiB of query leaves its path room in gunicorn's 8190-byte line.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
MAX_QUERY_STRING_LENGTH = env_int("MAX_QUERY_STRING_LENGTH", 7 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # Django's: the API's parameters are a dozen, and 100 ids fit in one
DATA_UPLOAD_MAX_NUMBER_FILES = 1  # every upload is one CSV; Django's 100 would spool 100 files to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a CSV the import takes is read whole anyway; a larger one: disk
# A multipart body (the CSV import: BeeL reads files up to 12 MB, refusing one over 5 MB with 400
# CSV_FILE_TOO_LARGE and its figures) or any body outside /api/ past this is a 413 before it is read.
MAX_UPLOAD_BODY_SIZE = 12 * 1024 * 1024 + 64 * 1024

# The cache holds the rate-limit counters: Redis (CACHE_URL=redis://...) shares them between processes
# and servers; without it each process counts on its own, which is fine for development. Any other
# scheme is a typo to refuse, not a reason to fall back to per-process memory.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"CACHE_URL must be redis://, rediss:// or unix:// (or unset for per-process memory), got {CACHE_URL!r}."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With DEBUG off, per-process counters fail `check --deploy` (each worker would allow the whole limit):
# a deliberate single-process deployment says so here.
ACCEPT_PER_PROCESS_RATE_LIMITS = env_bool("ACCEPT_PER_PROCESS_RATE_LIMITS", default=False)

# /metrics (Prometheus) answers only requests from these addresses or networks (e.g. 10.0.0.0/8), or
# those bearing METRICS_TOKEN; with neither set it is not served at all.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", [])
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# Requests per API key: per resource (customers, invoices...) and across the whole API; the defaults are
# BeeL 1.9.0's Standard (300 per key) and Global (1,000) tiers.
RATE_LIMIT_PER_RESOURCE = os.environ.get("RATE_LIMIT_PER_RESOURCE", "300/min")
RATE_LIMIT_GLOBAL = os.environ.get("RATE_LIMIT_GLOBAL", "1000/min")
# Failed API authentications per client address; past it the address gets 429 until old failures age out.
RATE_LIMIT_FAILED_AUTH = os.environ.get("RATE_LIMIT_FAILED_AUTH", "20/min")
# With Redis, each process keeps a copy of an API key this long instead of reading it on every request;
# a change to the key or its account reaches every process at once (apikeys.keycache). 0 turns it off.
APIKEY_CACHE_SECONDS = env_int("APIKEY_CACHE_SECONDS", 10)

# How long a POST's response is kept for replay under its Idempotency-Key.
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)
# How many years after the end of the year of a customer's last issued invoice its identity must be kept
# (customers.services.erasure.retention_end: Código de Comercio art. 30, six years).
CUSTOMER_RETENTION_YEARS = env_int("CUSTOMER_RETENTION_YEARS", 6)
# A request still holding its Idempotency-Key after this long is taken to have died (killed worker,
# timeout): a retry takes the key over. Must exceed the longest a request can run (gunicorn's timeout).
IDEMPOTENCY_LEASE_SECONDS = env_int("IDEMPOTENCY_LEASE_SECONDS", 120)

# Tax ids checked against AEAT's census (VNifV2, mutual TLS: without the certificate and key the census is
# "not configured" and every check PENDING) and VIES (beel/registries; names from shared/spec/registries.md §0).
AEAT_VNIF_URL = os.environ.get("AEAT_VNIF_URL", "https://www1.agenciatributaria.gob.es/wlpl/BURT-JDIT/ws/VNifV2SOAP")
AEAT_CLIENT_CERT, AEAT_CLIENT_KEY = os.environ.get("AEAT_CLIENT_CERT", ""), os.environ.get("AEAT_CLIENT_KEY", "")
AEAT_CA_BUNDLE = os.environ.get("AEAT_CA_BUNDLE", "")  # unset: certifi's public roots (never unverified)
VIES_URL = os.environ.get("VIES_URL", "https://ec.europa.eu/taxation_customs/vies/rest-api")
VIES_REQUESTER_VAT = os.environ.get("VIES_REQUESTER_VAT", "")
TAX_ID_CACHE_SECONDS = env_int("TAX_ID_CACHE_SECONDS", 86400)  # how long a VALID/INVALID verdict is reused
TAX_ID_CONNECT_TIMEOUT_SECONDS, TAX_ID_DEADLINE_SECONDS = (
    env_int("TAX_ID_CONNECT_TIMEOUT_SECONDS", 5),
    env_int("TAX_ID_DEADLINE_SECONDS", 10),
)
TAX_ID_RETRIES = env_int("TAX_ID_RETRIES", 2)  # on the registry's own "unavailable" answers, outside requests
TAX_ID_RETRY_BACKOFF_SECONDS = float(os.environ.get("TAX_ID_RETRY_BACKOFF_SECONDS") or 1)
TAX_ID_RETRY_MAX_WAIT_SECONDS = float(os.environ.get("TAX_ID_RETRY_MAX_WAIT_SECONDS") or 10)
TAX_ID_BREAKER_FAILURES = env_int("TAX_ID_BREAKER_FAILURES", 5)
TAX_ID_BREAKER_RESET_SECONDS = env_int("TAX_ID_BREAKER_RESET_SECONDS", 60)
TAX_ID_CONCURRENCY = env_int("TAX_ID_CONCURRENCY", 8)  # requests in flight at once in check_many
TAX_ID_AEAT_BATCH = env_int("TAX_ID_AEAT_BATCH", 50)  # NIFs per VNifV2 request in check_many
TAX_ID_RECHECK_BACKOFF_SECONDS = env_int("TAX_ID_RECHECK_BACKOFF_SECONDS", 60)  # PENDING customers: customers.tasks
TAX_ID_RECHECK_MAX_WAIT_SECONDS = env_int("TAX_ID_RECHECK_MAX_WAIT_SECONDS", 21600)
TAX_ID_RECHECK_SWEEP_SECONDS = env_int("TAX_ID_RECHECK_SWEEP_SECONDS", 60)
NIF_VALIDATE_RATE_LIMIT = os.environ.get("NIF_VALIDATE_RATE_LIMIT", "100/hour")  # per key, BeeL's limit

# Webhook deliveries run on Celery (beel/celery.py). With CELERY_BROKER_URL set (redis://...), run
# `celery -A beel worker --beat`; without it tasks run eagerly in the process that commits the change, so
# a newcomer's runserver delivers webhooks with nothing else started (retries then need the sweep:
# `manage.py sweepwebhooks`).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
# A delivery is acknowledged after it ran, and handed to another worker if its worker dies mid-way.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE = {
    "sweep-webhooks": {"task": "webhooks.tasks.sweep_webhooks", "schedule": env_int("WEBHOOK_SWEEP_SECONDS", 30)},
    "recheck-tax-ids": {"task": "customers.tasks.recheck_pending_tax_ids", "schedule": TAX_ID_RECHECK_SWEEP_SECONDS},
    "sweep-customer-exports": {
        "task": "customers.tasks.sweep_customer_exports",
        "schedule": env_int("EXPORT_SWEEP_SECONDS", 60),
    },
    "notify-overdue-invoices": {  # invoice.overdue, once per invoice: a daily pass is enough (docs/api.md)
        "task": "invoices.tasks.notify_overdue_invoices",
        "schedule": env_int("OVERDUE_SWEEP_SECONDS", 86400),
    },
}

# Customer exports (issue 26; docs/api.md, "Exports"). A direct `GET /customers/export` streams at most
# EXPORT_DIRECT_MAX_ROWS rows (~10 MiB, a few seconds even under load: well inside the worker timeout); more
# is a 409 EXPORT_TOO_LARGE that points to an export job, which a Celery worker writes to
# STORAGES["customer_exports"]. A job's run holds a lease of EXPORT_LEASE_SECONDS, which is also the task's
# time limit, so a job outliving its lease was killed and the sweep may hand it out again (at most
# EXPORT_MAX_ATTEMPTS runs). Finished jobs and their files are kept EXPORT_RETENTION_HOURS, then purged by the
# sweep (or `manage.py purgecustomerexports`).
EXPORT_DIRECT_MAX_ROWS = env_int("EXPORT_DIRECT_MAX_ROWS", 50_000)
EXPORT_LEASE_SECONDS = env_int("EXPORT_LEASE_SECONDS", 900)
EXPORT_MAX_ATTEMPTS = env_int("EXPORT_MAX_ATTEMPTS", 3)
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)
# A queued job no worker claimed within this long (its message lost with a broker) is sent again.
EXPORT_QUEUED_RESEND_SECONDS = env_int("EXPORT_QUEUED_RESEND_SECONDS", 300)
# Webhooks (docs/configuration.md): an attempt's deadline for the whole exchange, not per read; a claimed
# delivery's lease, which must outlast it (check webhooks.E001); attempts in flight per endpoint at most;
# the retry window (an endpoint failing that long is disabled); local test-mode endpoints (never live).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", WEBHOOK_TIMEOUT_SECONDS + 5)
WEBHOOK_ENDPOINT_CONCURRENCY = env_int("WEBHOOK_ENDPOINT_CONCURRENCY", 1)
WEBHOOK_RETRY_HOURS = env_int("WEBHOOK_RETRY_HOURS", 72)
WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS = env_bool("WEBHOOK_ALLOW_LOCAL_TEST_ENDPOINTS", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.authentication.APIKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apikeys.permissions.HasRequiredScope"],
    "DEFAULT_RENDERER_CLASSES": ["beel.api.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "beel.api.renderers.QualityNegotiation",
    "DEFAULT_PARSER_CLASSES": ["beel.api.parsers.SafeJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["beel.api.filters.QueryParamsFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "beel.api.pagination.PagePagination",
    "EXCEPTION_HANDLER": "beel.api.exceptions.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%SZ",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "BeeL invoicing API",
    "DESCRIPTION": (
        "Customers and invoices of Spanish freelancers and companies. Every response is wrapped in an "
        "envelope: `{success, data, meta{timestamp, request_id}}`, or `{success: false, error{code, message, "
        "details?}, meta}` for errors. Authenticate with `Authorization: Bearer beel_sk_<key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several components have a `status`; name each choice set after what it is the status of.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoices.models.InvoiceStatus",
        "WebhookEndpointStatusEnum": "webhooks.models.WebhookEndpoint.Status",
        "WebhookDeliveryStatusEnum": "webhooks.models.WebhookDelivery.Status",
        "NifValidationStatusEnum": ["VALID", "INVALID", "PENDING", "ERROR"],
        "ExportFormatEnum": ["csv"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "beel.api.schema.wrap_in_envelope",
        "customers.schema.hooks.unknown_fields_ignored",
        # Issue 26: the events' payload components and `x-webhooks`.
        "webhooks.schema.add_event_components",
    ],
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# json: one JSON object per line (for a log pipeline); text: readable lines for a developer's terminal.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "beel.api.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"},
        "json": {"()": "beel.api.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Our own handler logs API errors with the request id; Django's copy would say it twice.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

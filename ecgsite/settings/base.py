"""Settings shared by every environment.

Everything that differs between machines comes from environment variables (read with
django-environ). The defaults here are safe for development; production.py removes the
defaults that must never reach a real deployment.
"""
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from ml.formats import limits as ml_limits

from .social import provider_origins, social_providers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("ECG_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# --- Core -------------------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = "ECG Insight"
# The public host name, written into the sites framework on every migrate (accounts.apps):
# e-mails (sign-up codes, password reset) name it. `make run` (scripts/run.sh) sets it to its
# own HOST:PORT unless it is given; production requires it.
SITE_DOMAIN = env.str("SITE_DOMAIN", default="localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",  # lets templates/forms/ override Django's form templates
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    # The site's apps, each importing only those listed before it (the apps-in-layers import
    # contract in pyproject.toml).
    "accounts",
    "articles",
    "sharing",
    "diagnosis",
    "care",
    "metrics",
    "api",
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
    "csp.middleware.CSPMiddleware",
    "ecgsite.middleware.SecurityHeadersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "ecgsite.urls"
FORM_RENDERER = "ecgsite.forms.SiteFormRenderer"
WSGI_APPLICATION = "ecgsite.wsgi.application"

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
                "ecgsite.context_processors.site",
            ],
        },
    },
]

# --- Data stores ------------------------------------------------------------------------
# Embedded default: with no DATABASE_URL the site runs on a SQLite file under var/.
DATABASE_URL = env.str("DATABASE_URL", default="")
DATABASES = {
    "default": env.db_url_config(DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if not DATABASE_URL:
    # SQLite cannot create the folder its file lives in.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection for every request and every task
# costs a server process and its authentication, about a third of the database's CPU per
# diagnosis in scripts/bench_site.py. Each web thread and worker process keeps one open for
# this many seconds (0: one per request); see gunicorn.conf.py for the connection budget.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# A connection the server dropped (restart, idle timeout) is replaced before it is used.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def redis_cache(location, prefix):
    """Redis as the cache, with the database cache standing in while Redis is unreachable
    (ecgsite/cache.py): no page and no rate limit depends on Redis being up."""
    return {
        "default": {
            "BACKEND": "ecgsite.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"FALLBACK": "fallback", "RETRY_AFTER_S": 30},
        },
        "fallback": {
            "BACKEND": "ecgsite.cache.CountingDatabaseCache",
            "LOCATION": "ecgsite_cache",
            "KEY_PREFIX": prefix,
        },
    }


if REDIS_URL:
    CACHES = redis_cache(REDIS_URL, env.str("CACHE_KEY_PREFIX", default="ecgsite"))
else:
    # Django's database cache needs no server and is shared by every process, which the
    # allauth rate limits rely on (a per-process memory cache would not limit anything).
    CACHES = {
        "default": {
            "BACKEND": "ecgsite.cache.CountingDatabaseCache",
            "LOCATION": "ecgsite_cache",
        }
    }

# --- Celery -----------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
else:
    # A broker that needs no server: kombu's filesystem transport, shared by the web
    # process and the worker through two folders under var/.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS_FS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # default: "control" in the cwd
        "store_processed": False,
    }
    # kombu does not create these folders, and both the web process (producer) and the
    # worker (consumer) need them, whichever starts first.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)

# Redis re-delivers an unacknowledged task after the visibility timeout; every time limit
# below stays well under it so a slow task is killed before it can be delivered twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if REDIS_URL
    else CELERY_BROKER_TRANSPORT_OPTIONS_FS
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # results live in PostgreSQL rows, not in the broker
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Celery's Django fixup closes every database connection before and after each task unless
# this is set (then it closes them every that many tasks): a new PostgreSQL server process per
# diagnosis. Tasks follow Django's rule instead, as requests do (ecgsite/celery.py): a
# connection is kept for DATABASE_CONN_MAX_AGE seconds and replaced when it broke.
CELERY_DB_REUSE_MAX = 1_000_000

# --- Auth -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"
# Sessions live in the database only: a page never waits for Redis, and a session changed
# while Redis was down (a sign-out) cannot come back from a stale copy in the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- allauth ----------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True  # "Request new code" (twice at most)
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_CHANGE = True  # fix a mistyped address at sign-up
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password, e-mail or 2FA changes
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Rate limits, counted in the default cache (Redis, or the database cache in the embedded
# default: both shared by every process, unlike a per-process memory cache).
# Format: amount/period/per, per = ip | key (the e-mail address) | user.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",  # also guards 2FA code entry (per user)
    "signup": "20/m/ip",
    "confirm_email": "1/10s/key",  # resending a verification code
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Each one-time code may be tried this many times; then it is thrown away and the person
# asks for a new one.
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 3
# Behind a reverse proxy the client address is the last hop that proxy appends to
# X-Forwarded-For; without this every visitor would share the proxy's address (and its
# rate limits). 0 = use REMOTE_ADDR (no proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}  # equal time for taken addresses
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # providers below only hand over verified e-mails
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False

GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
LINKEDIN_CLIENT_ID = env.str("LINKEDIN_CLIENT_ID", default="")
LINKEDIN_CLIENT_SECRET = env.str("LINKEDIN_CLIENT_SECRET", default="")

SOCIALACCOUNT_PROVIDERS = social_providers(
    google_id=GOOGLE_CLIENT_ID,
    google_secret=GOOGLE_CLIENT_SECRET,
    linkedin_id=LINKEDIN_CLIENT_ID,
    linkedin_secret=LINKEDIN_CLIENT_SECRET,
)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- E-mail -----------------------------------------------------------------------------
# In development e-mails (including sign-up codes) are printed on the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ECG Insight <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds a mail server may take to answer: the site's notices are sent by the web request
# or the worker that caused them, which must not hang on a slow server.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- I18N -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# Times are shown with their time zone (ecgsite/formats: the admin, templates' defaults).
FORMAT_MODULE_PATH = ["ecgsite.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded ECGs are private: there is deliberately no MEDIA_URL route; files are streamed by
# views that check ownership first.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Stored uploads are readable by the site's own user only (web and worker run as that user).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
ECG_UPLOAD_MAX_BYTES = env.int("ECG_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Bodies with files are kept in memory (bounded by ecgsite.uploads), never in temporary files
# that a killed web process would leave behind (ecgsite/uploads.py).
FILE_UPLOAD_HANDLERS = ["ecgsite.uploads.InMemoryUploadHandler"]

# --- ML ---------------------------------------------------------------------------------
ECG_MODEL_DIR = env.str("ECG_MODEL_DIR", default=str(BASE_DIR / "ml" / "models" / "default"))
# The recordings model (leadnet): WFDB/EDF/CSV/JSON leads go to it, pictures to ECG_MODEL_DIR.
ECG_LEADS_MODEL_DIR = env.str("ECG_LEADS_MODEL_DIR",
                              default=str(BASE_DIR / "ml" / "models" / "leads"))
ECG_DATA_DIR = env.str("ECG_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data"))

# --- Security headers that are safe everywhere -----------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): scripts, styles, pictures and requests from the site
# itself only; no inline script or style anywhere (tests/security/test_csp.py reads every
# page for them). Pictures may be data: URIs (the QR code of the 2FA set-up). Forms post to
# the site, and the social sign-in forms redirect on to their provider.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *provider_origins(SOCIALACCOUNT_PROVIDERS)],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_without_traceback": {"()": "ecgsite.logfilters.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # A refused permission (a 403 page) is logged as one line, without a traceback.
    "loggers": {"django.request": {"filters": ["refusal_without_traceback"]}},
}

# --- Diagnosis flow (the diagnosis app) --------------------------------------------------
# Upload checks beyond ECG_UPLOAD_MAX_BYTES above.
# The picture size limit is ml's (the worker's reader refuses the same pictures).
ECG_IMAGE_MAX_PIXELS = env.int("ECG_IMAGE_MAX_PIXELS", default=ml_limits.MAX_PIXELS)
# Per person: uploads per minute and per day, uploads waiting or being analysed at once, and
# how long the same files sent again return the diagnosis they already have.
ECG_UPLOADS_PER_MINUTE = env.int("ECG_UPLOADS_PER_MINUTE", default=20)
ECG_UPLOADS_PER_DAY = env.int("ECG_UPLOADS_PER_DAY", default=500)
ECG_UPLOAD_MAX_PENDING = env.int("ECG_UPLOAD_MAX_PENDING", default=50)
ECG_UPLOAD_DEDUPE_WINDOW_S = env.int("ECG_UPLOAD_DEDUPE_WINDOW_S", default=600)
ECG_ZIP_MAX_MEMBERS = env.int("ECG_ZIP_MAX_MEMBERS", default=8)
ECG_ZIP_MAX_UNCOMPRESSED_BYTES = env.int(
    "ECG_ZIP_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024
)
# A queued row whose task was never handed to the broker (or was lost) is re-sent by the
# sweep once it is this old. A running row is held by a lease of ECG_DIAGNOSIS_LEASE_S that the
# worker renews while it works (every third of it); a row whose lease has run out (its worker
# died) is re-sent by the next sweep. After ECG_DIAGNOSIS_MAX_ATTEMPTS claims it is marked
# failed. A lost task is retried within lease + sweep interval (45 s by default).
ECG_DIAGNOSIS_REQUEUE_AFTER_S = env.int("ECG_DIAGNOSIS_REQUEUE_AFTER_S", default=120)
ECG_DIAGNOSIS_LEASE_S = env.int("ECG_DIAGNOSIS_LEASE_S", default=30)
ECG_DIAGNOSIS_MAX_ATTEMPTS = env.int("ECG_DIAGNOSIS_MAX_ATTEMPTS", default=3)
ECG_PLOT_PAGE_SECONDS = env.int("ECG_PLOT_PAGE_SECONDS", default=10)
ECG_HISTORY_PAGE_SIZE = env.int("ECG_HISTORY_PAGE_SIZE", default=20)
# Long-polling of the status endpoint (diagnosis/live.py): the longest wait a page may ask
# for, how many requests of one web process may wait at once (keep it below gunicorn's
# threads, gunicorn.conf.py), how often a wait re-reads the row while Redis delivers the
# wake-ups, and how often it reads the row when Redis is missing or down.
ECG_STATUS_MAX_WAIT_S = env.float("ECG_STATUS_MAX_WAIT_S", default=25.0)
ECG_STATUS_MAX_WAITERS = env.int("ECG_STATUS_MAX_WAITERS", default=16)
ECG_STATUS_RECHECK_S = env.float("ECG_STATUS_RECHECK_S", default=5.0)
ECG_STATUS_POLL_S = env.float("ECG_STATUS_POLL_S", default=0.5)
# A CSV kept without its sampling rate waits this long for the owner to give it, then it is
# deleted with its file (diagnosis.services.forget_unrated, hourly).
ECG_NEEDS_RATE_KEEP_HOURS = env.float("ECG_NEEDS_RATE_KEEP_HOURS", default=7 * 24)
CELERY_BEAT_SCHEDULE = {
    "diagnosis-requeue-stale": {
        "task": "diagnosis.tasks.requeue_stale",
        "schedule": env.float("ECG_DIAGNOSIS_SWEEP_EVERY_S", default=15.0),
    },
    "diagnosis-forget-unrated": {
        "task": "diagnosis.tasks.forget_unrated",
        "schedule": 3600.0,
    },
}

# --- The JSON API (the api app) ----------------------------------------------------------
# Requests per API token (per signed-in session, per address without either) and window:
# "<count>/<s|m|h|d>". Submissions count against both limits.
ECG_API_RATE_LIMIT = env.str("ECG_API_RATE_LIMIT", default="600/m")
ECG_API_SUBMIT_RATE_LIMIT = env.str("ECG_API_SUBMIT_RATE_LIMIT", default="60/m")
ECG_API_ANON_RATE_LIMIT = env.str("ECG_API_ANON_RATE_LIMIT", default="60/m")
# How long an Idempotency-Key given with a submission is remembered.
ECG_API_IDEMPOTENCY_HOURS = env.int("ECG_API_IDEMPOTENCY_HOURS", default=24)
ECG_API_MAX_TOKENS_PER_USER = env.int("ECG_API_MAX_TOKENS_PER_USER", default=20)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        # The site's own pages (and the API docs page) call the API with the session cookie;
        # DRF checks the CSRF token on every unsafe request made that way.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.RequestRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer",
                                 "api.renderers.ProblemJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ECG Insight API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ClassCodeEnum": "ml.registry.CLASS_CODES",
        "DiagnosisStatusEnum": "diagnosis.models.Diagnosis.Status",
        "DiagnosisKindEnum": "diagnosis.models.Diagnosis.Kind",
        "ReviewLabelEnum": "care.models.REVIEW_LABEL_CHOICES",
        "ModelCardStatusEnum": ["ok", "missing", "unreadable"],
    },
}

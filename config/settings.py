"""Django settings for Kembar, read from the environment.

Every setting that differs between a laptop, CI and production comes from an
environment variable; nothing secret lives in this file.  The defaults give a
safe local instance: an embedded SQLite database under ``var/``, Bahasa
Indonesia first, and production-grade security headers.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic classes such as ModelAdmin[Model] be written for the type checker.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KEMBAR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("KEMBAR_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
    # A local instance gets a key generated once and kept beside its database.
    _key_file = VAR_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except FileNotFoundError:
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = get_random_secret_key()
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin, whose sign-in is Kembar's own (password, then the second factor).
    "kembar.accounts.admin_apps.KembarAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "csp",
    "knox",
    "axes",
    "kembar.core",
    "kembar.geo",
    "kembar.accounts",
    "kembar.partnerships",
    "kembar.programs",
    "kembar.insights",
    "kembar.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kembar.common.middleware.KembarLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form: files stop at KEMBAR_MAX_UPLOAD_BYTES as they arrive.
    "kembar.common.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kembar.accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kembar" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "kembar.accounts.context_processors.inbox",
                "kembar.partnerships.context_processors.approvals",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite under var/ by default; PostgreSQL (or any backend) through DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'kembar.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or _default_sqlite
if DATABASE_URL.startswith("sqlite:"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets readers carry on while the loader writes; IMMEDIATE avoids
    # "database is locked" on write transactions that start as reads.
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections are per thread, and the server starts a thread per
    # request: each kept its own idle connection until PostgreSQL ran out.  A
    # pool bounds them and hands them from request to request instead
    # (KEMBAR_DB_POOL_MAX=0 turns it off: one connection per request).
    _pool_max = int(os.environ.get("KEMBAR_DB_POOL_MAX", "4"))
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool does the keeping
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = 5
    if _pool_max > 0:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": min(int(os.environ.get("KEMBAR_DB_POOL_MIN", "1")), _pool_max),
            "max_size": _pool_max,
            # A request waits this long for a free connection, then fails (503 on /healthz).
            "timeout": float(os.environ.get("KEMBAR_DB_POOL_TIMEOUT", "10")),
            "max_idle": 300,
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts, passwords and sessions ------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:partnership-list"
LOGOUT_REDIRECT_URL = "portal:home"
#: A session ends 8 hours after sign-in at the latest (absolute lifetime) ...
SESSION_COOKIE_AGE = int(os.environ.get("KEMBAR_SESSION_MAX_SECONDS", str(60 * 60 * 8)))
#: ... and after 30 minutes without a request (kembar.accounts.middleware).
KEMBAR_SESSION_IDLE_SECONDS = int(os.environ.get("KEMBAR_SESSION_IDLE_SECONDS", str(30 * 60)))
#: A password-reset link works for one hour, once.
PASSWORD_RESET_TIMEOUT = 60 * 60
#: Key that encrypts second-factor secrets at rest (kembar.accounts.crypto); derived from
#: SECRET_KEY when empty.  Set it to keep those secrets readable across SECRET_KEY changes.
KEMBAR_FIELD_KEY = os.environ.get("KEMBAR_FIELD_KEY", "")
#: API tokens (django-rest-knox, stored as SHA-512 digests) expire after this many hours.
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(hours=float(os.environ.get("KEMBAR_API_TOKEN_HOURS", "10"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# django-axes: lock a username from an address after 5 failures, for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("KEMBAR_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's, not a reverse proxy's: X-Forwarded-For is read only
# when the request comes from one of these proxies (addresses or networks).
KEMBAR_TRUSTED_PROXIES = env_list("KEMBAR_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "kembar.accounts.addresses.client_address"
#: Days sign-in records (django-axes' attempts and logs) are kept; `purge_login_records`.
KEMBAR_LOGIN_RECORD_DAYS = int(os.environ.get("KEMBAR_LOGIN_RECORD_DAYS", "90"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kembar" / "locale"]
LANGUAGE_COOKIE_NAME = "kembar_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "kembar" / "static",
    ("boundaries", BASE_DIR / "kembar" / "data" / "boundaries"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("KEMBAR_PLAIN_STATIC", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security headers --------------------------------------------------------------------
SECURE_HTTPS = env_bool("KEMBAR_HTTPS", not DEBUG and env_bool("KEMBAR_BEHIND_TLS", False))
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "kembar.core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- REST API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "kembar.common.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "kembar.common.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    # Per signed-in user and per client address; 429 with Retry-After beyond the rate.
    "DEFAULT_THROTTLE_CLASSES": [
        "kembar.accounts.throttles.UserRateThrottle",
        "kembar.accounts.throttles.AddressRateThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON with limits on size and nesting (kembar.common.parsers.JSONParser).
    "DEFAULT_PARSER_CLASSES": [
        "kembar.common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "kembar.common.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kembar API",
    "DESCRIPTION": "Sister-city (kota kembar) cooperation: reference data, the world twin-town "
    "network and partnerships.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # One name for a choice set several fields use (events, a document's signing and end dates).
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "kembar.partnerships.models.partnership.DatePrecision",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEMBAR_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Kembar ---------------------------------------------------------------------------------
#: API request rates (kembar.accounts.throttles): per signed-in user, per client address,
#: and for the token endpoint per address.  Counted in the default cache.
KEMBAR_API_RATES = {
    "user": os.environ.get("KEMBAR_API_RATE_USER", "1200/minute"),
    "address": os.environ.get("KEMBAR_API_RATE_ADDRESS", "2400/minute"),
    "sign_in": os.environ.get("KEMBAR_API_RATE_SIGN_IN", "30/minute"),
}
#: Kemendagri code of the region this instance serves first.
KEMBAR_HOME_REGION = os.environ.get("KEMBAR_HOME_REGION", "33.74")
#: Largest uploaded file accepted (documents, spreadsheets), in bytes (default 20 MB).
KEMBAR_MAX_UPLOAD_BYTES = int(os.environ.get("KEMBAR_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
#: A workbook uploaded for import: unpacked size, zip ratio, rows with data per sheet, rows
#: read in all, characters per cell (kembar/programs/spreadsheet_limits.py).
KEMBAR_IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("KEMBAR_IMPORT_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
KEMBAR_IMPORT_MAX_ZIP_RATIO = int(os.environ.get("KEMBAR_IMPORT_MAX_ZIP_RATIO", "200"))
KEMBAR_IMPORT_MAX_ROWS = int(os.environ.get("KEMBAR_IMPORT_MAX_ROWS", "5000"))
KEMBAR_IMPORT_MAX_SCANNED_ROWS = int(os.environ.get("KEMBAR_IMPORT_MAX_SCANNED_ROWS", "50000"))
KEMBAR_IMPORT_MAX_CELL_CHARS = int(os.environ.get("KEMBAR_IMPORT_MAX_CELL_CHARS", "10000"))
#: Request bodies: form fields and JSON held in memory (files above FILE_UPLOAD_MAX_MEMORY_SIZE
#: go to a temporary file); kembar.common.uploads refuses a file over KEMBAR_MAX_UPLOAD_BYTES
#: while it streams in.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("KEMBAR_MAX_BODY_BYTES", str(2 * 1024 * 1024 + 512 * 1024))
)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get("KEMBAR_FILE_UPLOAD_MAX_MEMORY_BYTES", str(2 * 1024 * 1024 + 512 * 1024))
)
#: How deeply a JSON body may nest (kembar.common.parsers.JSONParser).
KEMBAR_JSON_MAX_DEPTH = int(os.environ.get("KEMBAR_JSON_MAX_DEPTH", "32"))
#: Days before an agreement expires when reminders go out.
KEMBAR_EXPIRY_REMINDER_DAYS = (180, 90, 30)
#: Sender of reminder e-mails; the console backend prints them unless EMAIL_BACKEND is set.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "kembar@localhost")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
#: Where the shipped reference data lives (the loader reads it from here).
KEMBAR_DATA_DIR = Path(os.environ.get("KEMBAR_DATA_DIR", BASE_DIR / "kembar" / "data"))

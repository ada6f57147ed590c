"""Settings for every environment.

The environment is read here and only here, with safe development defaults: a SQLite file in the
project folder and DEBUG off unless asked for. `production.py` adds what a real server must have and
refuses to start without it; `test.py` makes the suite fast.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import lazy
from django.utils.module_loading import import_string

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSECURE_DEV_SECRET_KEY = "django-insecure-dev-only-do-not-use-in-production"


def env(name: str, default: str = "") -> str:
    # An empty variable (DATABASE_URL= in a unit file) means "not set", not "empty value".
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", INSECURE_DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "config.apps.AxesConfig",  # django-axes, its admin section named in Chinese
    "csp",
    "django_filters",
    "import_export",
    "simple_history",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",  # django_tasks_db, its admin section named in Chinese
    # The read-only API (/api/v1/); listed so that its docs page uses the Swagger UI files it ships (no CDN).
    "ninja",
    "villages",
    "ledger",
    "dashboards",
    "disclosure",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address, that pair is
# locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Everything comes from this server: no inline scripts, no outside hosts. Inline style attributes are
# allowed because plotly sets element styles from script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"

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

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Default: a SQLite file in the project folder, so a new user needs nothing else installed.
# Persistent connections are checked before each request reuses them (CONN_HEALTH_CHECKS), so after a
# database restart the next request opens a new connection instead of failing on the dead one.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dashboards read while an import writes; the timeout waits for a writer instead
    # of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

else:
    # No JIT: the dashboards' reads take milliseconds, but PostgreSQL's cost estimates for their
    # correlated counts cross jit_above_cost and it then spends 20–180 ms compiling each statement.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# A read replica for the dashboards (optional): the same schema, kept by PostgreSQL streaming replication.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(env("DATABASE_REPLICA_URL"),
                                                 conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
                                                 conn_health_checks=True)
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # js/plotly.min.js straight from the installed plotly package (never a CDN, not committed).
    "dashboards.staticfiles.PlotlyJsFinder",
]
# Outside production, whitenoise serves straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Uploaded ledgers: refuse anything larger than this before reading it.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 20)
# …and anything that inflates beyond this when unzipped (xlsx/ods are zip files: zip-bomb guard).
IMPORT_MAX_UNCOMPRESSED_MB = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 300)
# Rows per file; larger ledgers are split by town or year.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 300_000)
# Files up to this size are checked and written while the browser waits; larger ones go to the worker.
IMPORT_BACKGROUND_MIN_KB = env_int("IMPORT_BACKGROUND_MIN_KB", 256)
# A check or write with no progress for this long lost its process: the batch becomes 导入失败 (rerunnable).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10)

# 财务公开 (/public/): requests per address (django-ratelimit's rate, e.g. "120/m"), how long browsers
# and proxies may keep a page, and the address the posters' QR codes lead to (empty: the request's).
PUBLIC_RATE_LIMIT = env("PUBLIC_RATE_LIMIT", "120/m")
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 60)
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL")
# 填报截止日 (年报 due date) of a year's accounts, as MM-DD of the following year, until a county
# official sets the county's own date for that year (dashboards 填报进度).
REPORT_DEADLINE = env("REPORT_DEADLINE", "03-31")

# Admin export buttons (django-import-export): only formats that neutralise formula-like text.
# Named by dotted path, so that settings import no app code; the library wants the classes, so the
# list resolves them when the admin first reads it.
EXPORT_FORMAT_PATHS = ["ledger.export_formats.SafeXLSX", "ledger.export_formats.SafeCSV"]
EXPORT_FORMATS = lazy(lambda: [import_string(path) for path in EXPORT_FORMAT_PATHS], list)()

# Background work (large imports): django-tasks with its database backend, so the worker needs no
# other service; `make run` starts `manage.py db_worker` beside the web server.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; keep lockouts (WARNING) and drop the chatter.
    "loggers": {"axes": {"level": "WARNING"}},
}

"""The one settings module of Otklik, driven by environment variables.

Nothing needs to be configured for the embedded default (SQLite under var/). Production sets
DATABASE_URL (PostgreSQL), OTKLIK_SECRET_KEY, OTKLIK_ALLOWED_HOSTS and OTKLIK_HTTPS. Integrations
(Telegram, e-mail, VK) stay off unless configured. See docs/operations.md.
"""

import re
import secrets
from pathlib import Path

import dj_database_url

from otklik.lib.env import env_bool, env_days, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OTKLIK_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

VERSION = "0.1.0"


# Where the key is kept when OTKLIK_SECRET_KEY is not set (the embedded default); backups carry it.
SECRET_KEY_FILE = None if env_str("OTKLIK_SECRET_KEY") else VAR_DIR / "secret.key"


def _secret_key() -> str:
    """Use OTKLIK_SECRET_KEY; otherwise keep a random key in var/ so sessions survive restarts."""
    if SECRET_KEY_FILE is None:
        return env_str("OTKLIK_SECRET_KEY")
    path = SECRET_KEY_FILE
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("OTKLIK_DEBUG", False)
ALLOWED_HOSTS = env_list("OTKLIK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("OTKLIK_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("OTKLIK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The map staff open for the point of an appeal ({lat}, {lon}); a closed network points it to its
# own map server. Empty: the coordinates are shown without a link.
MAP_URL = env_str("OTKLIK_MAP_URL", "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "otklik.core",
    "otklik.orgs",
    "otklik.accounts",
    "otklik.routing",
    "otklik.kb",
    "otklik.appeals",
    "otklik.incidents",
    "otklik.publics",
    "otklik.dialogue",
    "otklik.analytics",
    "otklik.surveys",
    "otklik.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "otklik.core.middleware.RequestLogMiddleware",
    "otklik.core.middleware.RefuseNulMiddleware",
    "otklik.core.middleware.RegionMiddleware",
]

ROOT_URLCONF = "otklik.urls"
WSGI_APPLICATION = "otklik.wsgi.application"
ASGI_APPLICATION = "otklik.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "otklik" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "otklik.core.context_processors.site",
            ],
        },
    },
]

# --- Database: DATABASE_URL selects it; unset means the SQLite file in var/ -------------------
_default_db = f"sqlite:///{VAR_DIR / 'otklik.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and the bot share one file: wait for locks instead of failing,
    # take the write lock up front, and let readers run beside a writer (WAL).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The database cache (`otklik createcachetable`): one table that every web process, the worker and
# the bot share, so the login throttling and the rate limits below count across processes. It is
# culled (the expired entries first) once it holds MAX_ENTRIES; the default 300 would drop live
# counters as soon as a few hundred clients are counted at once.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "otklik_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("OTKLIK_CACHE_MAX_ENTRIES", 20000)},
    }
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}
# Per-region appeal models (topic classifier, executor router) refit in a background thread while the
# old model answers (lib/per_region.py); tests turn it off.
MODELS_REFIT_IN_BACKGROUND = True

# --- Accounts and security ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per (username, address) allowed within the window before the form refuses.
LOGIN_THROTTLE_ATTEMPTS = env_int("OTKLIK_LOGIN_THROTTLE_ATTEMPTS", 5)
LOGIN_THROTTLE_WINDOW_S = env_int("OTKLIK_LOGIN_THROTTLE_WINDOW_S", 900)
# How long an invitation or password-reset link works (Django's setting); a link works once either way.
PASSWORD_RESET_TIMEOUT = env_int("OTKLIK_PASSWORD_LINK_TIMEOUT_S", 3 * 24 * 3600)
# «Забыли пароль?» sends at most one letter per address within this interval.
PASSWORD_RESET_MAIL_INTERVAL_S = env_int("OTKLIK_PASSWORD_MAIL_INTERVAL_S", 300)

# Rate limits on the public entry points (otklik/lib/ratelimit.py): COUNT/WINDOW per counter, `0` for
# off; OTKLIK_RATELIMIT=0 switches them all off (a trusted load test). Per address means per client
# address (an IPv6 /64); a school class behind one address shares it, hence the generous numbers.
RATELIMIT_ENABLED = env_bool("OTKLIK_RATELIMIT", True)
RATE_LIMITS = {
    # Web chat and its widget (questions, buttons, «предложить вопрос», files; opening the page).
    "chat": env_rate("OTKLIK_RATE_CHAT", "120/1m"),
    "chat_session": env_rate("OTKLIK_RATE_CHAT_SESSION", "30/1m"),
    # Public FAQ: searches and «помог ли ответ?».
    "faq": env_rate("OTKLIK_RATE_FAQ", "60/1m"),
    # Public appeal form and widget: every sending of the form.
    "appeal": env_rate("OTKLIK_RATE_APPEAL", "10/1h"),
    # «Мои обращения»: requests for the link to a citizen's appeals (each may send an e-mail).
    "mine": env_rate("OTKLIK_RATE_MINE", "10/1h"),
    # Public survey pages: every sending of an answer.
    "survey": env_rate("OTKLIK_RATE_SURVEY", "60/1h"),
    # Wrong number/secret on the status page, its files and the API: per appeal number and per
    # address; past either, that number (or address) is refused even with the right secret.
    # Per number it is off by default: a secret of 144 random bits cannot be guessed anyway, and
    # appeal numbers are sequential, so anyone could keep one citizen's page closed (see operations.md).
    "status_number": env_rate("OTKLIK_RATE_STATUS_NUMBER", "0"),
    "status_address": env_rate("OTKLIK_RATE_STATUS_ADDRESS", "20/15m"),
    # REST API: per token; without a valid token (citizens' reads, wrong tokens) per address.
    "api_token": env_rate("OTKLIK_RATE_API_TOKEN", "120/1m"),
    "api_address": env_rate("OTKLIK_RATE_API_ADDRESS", "60/1m"),
}

HTTPS = env_bool("OTKLIK_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("OTKLIK_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is a one-way commitment for the whole domain; an operator opts in explicitly.
SECURE_HSTS_PRELOAD = env_bool("OTKLIK_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("OTKLIK_BEHIND_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("OTKLIK_SESSION_AGE_S", 12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Language and time -------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("OTKLIK_TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "otklik" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("OTKLIK_MEDIA_ROOT", str(VAR_DIR / "media")))
# `otklik backup` writes its archives here unless told otherwise (docs/operations.md, «Backups»).
BACKUP_DIR = Path(env_str("OTKLIK_BACKUP_DIR", str(VAR_DIR / "backups")))
# With a number above 0 the worker writes an archive there every night at 03:00 and keeps that many.
BACKUP_KEEP = env_int("OTKLIK_BACKUP_KEEP", 0)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail: printed to the console unless an SMTP host is configured ----------------------------
_email_host = env_str("OTKLIK_EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("OTKLIK_EMAIL_PORT", 587),
                "username": env_str("OTKLIK_EMAIL_USER"),
                "password": env_str("OTKLIK_EMAIL_PASSWORD"),
                "use_tls": env_bool("OTKLIK_EMAIL_TLS", True),
                "timeout": 20,
            },
        }
        if _email_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("OTKLIK_EMAIL_FROM", "otklik@localhost")

# Appeals by e-mail: with OTKLIK_IMAP_HOST the worker reads new letters of this mailbox every
# MAIL_INTAKE_INTERVAL_S and registers each as an appeal of MAIL_INTAKE_REGION (a region's code;
# empty: the only region). See appeals/mail_intake.py.
MAIL_INTAKE = (
    {
        "host": env_str("OTKLIK_IMAP_HOST"),
        "port": env_int("OTKLIK_IMAP_PORT", 993),
        "ssl": env_bool("OTKLIK_IMAP_SSL", True),
        "user": env_str("OTKLIK_IMAP_USER"),
        "password": env_str("OTKLIK_IMAP_PASSWORD"),
        "folder": env_str("OTKLIK_IMAP_FOLDER", "INBOX"),
    }
    if env_str("OTKLIK_IMAP_HOST")
    else None
)
MAIL_INTAKE_REGION = env_str("OTKLIK_IMAP_REGION")
MAIL_INTAKE_INTERVAL_S = env_int("OTKLIK_IMAP_INTERVAL_S", 300)
# The first reading takes the letters that arrived on or after this date (YYYY-MM-DD; by default
# the day of the first reading), not the mailbox's whole past.
MAIL_INTAKE_SINCE = env_str("OTKLIK_IMAP_SINCE")

# --- Integrations: off unless configured --------------------------------------------------------
TELEGRAM_BOT_TOKEN = env_str("TELEGRAM_BOT_TOKEN")
TELEGRAM_API_BASE = env_str("TELEGRAM_API_BASE", "https://api.telegram.org")
TELEGRAM_WEBHOOK_SECRET = env_str("TELEGRAM_WEBHOOK_SECRET")
# The bot's public @username, for the «Telegram-бот» link on the home page (none when empty).
TELEGRAM_BOT_USERNAME = env_str("TELEGRAM_BOT_USERNAME").strip().removeprefix("@")
if TELEGRAM_BOT_USERNAME and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,31}", TELEGRAM_BOT_USERNAME):
    raise ValueError(f"TELEGRAM_BOT_USERNAME must be a Telegram username, got {TELEGRAM_BOT_USERNAME!r}")
# "polling": `otklik runbot` asks Telegram for updates; "webhook": Telegram posts them to /telegram/webhook/.
TELEGRAM_MODE = env_str("TELEGRAM_MODE", "polling").lower()
if TELEGRAM_MODE not in {"polling", "webhook"}:
    raise ValueError(f"TELEGRAM_MODE must be 'polling' or 'webhook', got {TELEGRAM_MODE!r}")
# VK: replies to incidents and госпаблики posts are published by the communities configured in the
# admin («Сообщества ВКонтакте»); these only say where the API is (a test fake, a proxy).
VK_API_BASE = env_str("VK_API_BASE", "https://api.vk.com/method")
VK_API_VERSION = env_str("VK_API_VERSION", "5.199")
# VK allows about three requests a second per access token; every call of this process waits its turn.
VK_REQUESTS_PER_SECOND = float(env_str("VK_REQUESTS_PER_SECOND", "3"))
# Monitoring of VK walls (sources on the staff screen «Мониторинг ВКонтакте»): a service key of a VK
# application reads public walls; without it no source is polled. Never shown on any page.
VK_SERVICE_TOKEN = env_str("VK_SERVICE_TOKEN")
VK_MONITOR_INTERVAL_S = env_int("VK_MONITOR_INTERVAL_S", 600)
# A source's first poll reads posts of this many hours back; older ones are taken as already seen.
VK_MONITOR_LOOKBACK_H = env_int("VK_MONITOR_LOOKBACK_H", 24)
# New comments are looked for under posts of this many days back (sources with comments switched on).
VK_MONITOR_COMMENT_DAYS = env_int("VK_MONITOR_COMMENT_DAYS", 2)

# The answer engine shares the machine with the web server and the worker: cap its threads.
NLP_THREADS = env_int("OTKLIK_NLP_THREADS", 1)
NLP_VECTORS = env_bool("OTKLIK_NLP_VECTORS", True)
NLP_VECTOR_CACHE = env_str("OTKLIK_NLP_VECTOR_CACHE", str(VAR_DIR / "vectors.sqlite3"))

# Worker heartbeat older than this makes /health report the worker as stale.
WORKER_HEARTBEAT_STALE_S = env_int("OTKLIK_WORKER_STALE_S", 120)

# --- Logging: JSON lines on stderr --------------------------------------------------------------
LOG_LEVEL = env_str("OTKLIK_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "otklik.lib.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "aiogram": {"level": "INFO"},
    },
}
CSRF_FAILURE_VIEW = "otklik.core.views.csrf_failure"

# Appeals whose suggested topic is at least this certain are routed without a coordinator.
APPEAL_AUTO_ROUTE_CONFIDENCE = float(env_str("OTKLIK_AUTO_ROUTE_CONFIDENCE", "0.5"))

# Personal-data retention (152-ФЗ art. 5 p. 7, art. 21 p. 4): days after which personal data of a class
# are depersonalised; None (an empty value or 0) keeps that class. Appeals are archival documents kept
# 5 years (the standard list of archival documents, art. 154): 1827 days cover five years with a leap day.
PD_RETENTION_APPEAL_DAYS = env_days("OTKLIK_PD_APPEAL_DAYS", 1827)
PD_RETENTION_CHAT_DAYS = env_days("OTKLIK_PD_CHAT_DAYS", 365)
PD_RETENTION_INCIDENT_DAYS = env_days("OTKLIK_PD_INCIDENT_DAYS", 365)

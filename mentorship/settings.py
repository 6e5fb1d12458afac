"""Settings for the mentorship application, driven by environment variables.

With no variables set the application runs in *local* mode: SQLite, a Celery broker on the file
system (no server), emails written to files under ``var/mail`` and DEBUG on. Setting
``DJANGO_ENV=production`` turns DEBUG off and refuses to start without a real ``DJANGO_SECRET_KEY``
and ``DJANGO_ALLOWED_HOSTS``. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and
Redis. Every variable is listed in the README.
"""

from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in {"local", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'local' or 'production'.")
LOCAL = DJANGO_ENV == "local"

# Where local mode keeps its database, broker folders and emails. Ignored by git.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

_INSECURE_KEY = "django-insecure-local-only-key-never-use-in-production"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_INSECURE_KEY if LOCAL else "")
DEBUG = env.bool("DJANGO_DEBUG", default=LOCAL)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]", "testserver"] if LOCAL else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

if not LOCAL:
    if not SECRET_KEY or SECRET_KEY == _INSECURE_KEY or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "Production mode needs DJANGO_SECRET_KEY: a random value of at least 40 characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production mode needs DJANGO_ALLOWED_HOSTS (comma-separated host names)."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production mode.")

SITE_NAME = env.str("SITE_NAME", default="Mentorship")
# Absolute links in emails. Unset, it follows PORT (``make run PORT=8001`` exports it to the web
# server, the worker and beat alike), so the links point at the server that is running.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

INSTALLED_APPS = [
    # django.contrib.admin with the project's site: staff only, 404 to anyone else signed in.
    "mentorship.admin_site.MentorshipAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "django_celery_results",
    # django-ninja: its Swagger UI template and assets (static/ninja/), served from here, no CDN.
    "ninja",
    # Project apps, in the direction imports point (docs/architecture.md).
    "lib",
    "notifications",
    "people",
    "programmes",
    "recruitment",
    "pairing",
    "feedback",
    "rhythm",
    "community",
    "insights",
    "api",
    "calendars",
    # The project package itself, last: its demo seeder may use every app.
    "mentorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "people.middleware.RequireMFAMiddleware",
    "people.middleware.DeniedAccessAuditMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lib.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "mentorship.urls"

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
                "mentorship.context_processors.site",
                "notifications.context_processors.undeliverable_address",
            ],
        },
    },
]

WSGI_APPLICATION = "mentorship.wsgi.application"

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the writer,
    # IMMEDIATE transactions take the write lock up front (no deadlock on upgrade) and the
    # timeout makes a busy writer wait instead of failing. synchronous=NORMAL (SQLite's advice for
    # WAL) syncs at checkpoints, not at every commit: a commit survives any crash of a process
    # (a killed worker included) and can only be lost to a power cut or an OS crash; it made
    # the worker's three small writes per email about 1.8x faster (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: 10-12 ms of
    # compiling for the dashboards' 30-70 ms queries, repaid only by queries running seconds.
    # Every query here is short, so it is off for this application's connections
    # (docs/performance.md, "JIT off"); DATABASE_JIT=true leaves the server's setting. Sent as a
    # startup option: behind PgBouncer, add "options" to its ignore_startup_parameters.
    if not env.bool("DATABASE_JIT", default=False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A cold dashboard runs its database-bound reads on a second connection beside the pairs' facts
# (lib/beside.py; PostgreSQL only, never inside a transaction). Off with
# DATABASE_CONCURRENT_READS=false, for a pooler that allows one server connection per client.
CONCURRENT_READS = env.bool("DATABASE_CONCURRENT_READS", default=True)

# --- Cache (allauth's rate limits need a shared one) --------------------------------------------
# Rate limits, used TOTP codes and the audit log's flood guard live here, so every web and worker
# process must share it: a folder under var/ in local mode; Redis (or another shared backend) in
# production, never a per-process or dummy cache.
if "CACHE_URL" in env:
    CACHES = {"default": env.cache("CACHE_URL")}
elif LOCAL:
    CACHES = {"default": env.cache_url_config(f"filecache://{VAR_DIR / 'cache'}")}
elif env.str("CELERY_BROKER_URL", default="").startswith(("redis://", "rediss://")):
    # The broker's Redis server, database number one higher (never the broker's own database:
    # clearing the cache would empty the task queues).
    _broker = urlparse(env.str("CELERY_BROKER_URL"))
    _db = int((_broker.path or "/0").lstrip("/") or 0) + 1
    CACHES = {"default": env.cache_url_config(_broker._replace(path=f"/{_db}").geturl())}
else:
    raise ImproperlyConfigured(
        "Production mode needs a shared cache for rate limits: set CACHE_URL (e.g. "
        "redis://host:6379/1), or use a Redis CELERY_BROKER_URL."
    )
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same cache, one Redis client per connection pool instead of one per call (lib/cache.py).
    CACHES["default"]["BACKEND"] = "lib.cache.RedisCache"
if not LOCAL and CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
    raise ImproperlyConfigured(
        "Production mode needs a cache shared by every process (rate limits): CACHE_URL cannot "
        "be locmem or dummy."
    )

# How long the insights dashboards keep their figures (insights/cache.py); 0 turns it off.
INSIGHTS_CACHE_SECONDS = env.int("INSIGHTS_CACHE_SECONDS", default=300)

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id with OWASP's parameters first: new passwords use it, and older hashes (PBKDF2, or
# Argon2 with other parameters) are upgraded at the person's next sign-in. The others stay so
# existing hashes can still be checked. Cost per check: docs/performance.md.
PASSWORD_HASHERS = [
    "people.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "landing"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Local mode lets the demo sign up without reading mail first; everywhere else it is mandatory.
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if LOCAL else "mandatory"
)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "people.adapter.AccountAdapter"
# Sign-up asks for a name and never reveals whether an address is registered, in any
# verification mode (people/account_forms.py).
ACCOUNT_FORMS = {"signup": "people.account_forms.AccountSignupForm"}
# The account emails' subjects name the site themselves (templates/account/email/*_subject.txt).
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Brute-force protection on the shared cache (allauth's defaults, written out): failed sign-ins
# per address and per account, password-reset requests per address and per email.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Proxies in front of the application that append to X-Forwarded-For; 0 ignores the header.
# Rate limits and the audit log's "from where" both use it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) plus recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Coordinators and staff must set up two-factor authentication before they see personal data
# (people.middleware.RequireMFAMiddleware). Off in local mode so the demo logins work as they are.
REQUIRE_MFA_FOR_COORDINATORS = env.bool("REQUIRE_MFA_FOR_COORDINATORS", default=not LOCAL)
# Optional single sign-on through OpenID Connect (Microsoft Entra ID, GOV.UK One Login, ...):
# on only when the provider's variables are set; see docs/security.md.
SOCIALACCOUNT_ADAPTER = "people.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {}
_OIDC = {
    k: env.str(f"OIDC_{k}", default="")
    for k in ("PROVIDER_ID", "NAME", "SERVER_URL", "CLIENT_ID", "CLIENT_SECRET")
}
if _OIDC["SERVER_URL"] and _OIDC["CLIENT_ID"]:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": _OIDC["PROVIDER_ID"] or "oidc",
                "name": _OIDC["NAME"] or "Single sign-on",
                "client_id": _OIDC["CLIENT_ID"],
                "secret": _OIDC["CLIENT_SECRET"],
                "settings": {
                    "server_url": _OIDC["SERVER_URL"],
                    "scope": ["openid", "email", "profile"],
                    # Only for identity providers that verify every address they assert (an
                    # organisation's own directory): lets existing accounts sign in by SSO.
                    "verified_email": env.bool("OIDC_EMAIL_VERIFIED", default=False),
                },
            }
        ],
    }
SOCIALACCOUNT_EMAIL_AUTHENTICATION = env.bool("OIDC_EMAIL_VERIFIED", default=False)
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = SOCIALACCOUNT_EMAIL_AUTHENTICATION

# --- Email --------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mentorship <mentorship@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
if "EMAIL_URL" in env:
    _email = env.email_url("EMAIL_URL")
    vars().update(_email)
else:
    # Local mode: every email is a file in var/mail/ that a person can open.
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND",
        default="django.core.mail.backends.filebased.EmailBackend"
        if LOCAL
        else "django.core.mail.backends.smtp.EmailBackend",
    )
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# GOV.UK Notify (docs/email.md, "GOV.UK Notify"): with an API key the outbox sends through Notify
# instead of EMAIL_BACKEND, every kind through one generic template whose subject is ((subject))
# and body ((body)).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_EMAIL_REPLY_TO_ID = env.str("NOTIFY_EMAIL_REPLY_TO_ID", default="")
# The bearer token Notify sends with delivery receipts (set the same value in Notify's callback
# settings). Empty: the callback endpoint answers 404.
NOTIFY_CALLBACK_TOKEN = env.str("NOTIFY_CALLBACK_TOKEN", default="")
# Notify's limit is per service and per minute: every worker counts against it in the cache.
NOTIFY_RATE_LIMIT_PER_MINUTE = env.int("NOTIFY_RATE_LIMIT_PER_MINUTE", default=3000)
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=30)
# How long the signed link that replaces an .ics attachment in Notify mode works.
NOTIFY_ICS_LINK_DAYS = env.int("NOTIFY_ICS_LINK_DAYS", default=60)
# Calendar feeds (calendars/, docs/calendar.md): fetches allowed per feed per 10 minutes.
CALENDAR_FEED_RATE = env.int("CALENDAR_FEED_RATE", default=30)
if NOTIFY_API_KEY and not NOTIFY_TEMPLATE_ID:
    raise ImproperlyConfigured("NOTIFY_API_KEY needs NOTIFY_TEMPLATE_ID (the generic template).")
if NOTIFY_CALLBACK_TOKEN and len(NOTIFY_CALLBACK_TOKEN) < 20:
    raise ImproperlyConfigured("NOTIFY_CALLBACK_TOKEN must be at least 20 characters.")

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("CELERY_BROKER_DIR", default=str(VAR_DIR / "broker")))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # kombu's file transport needs the same folder for in and out.
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Longer than any task runs or waits, so a slow task is never redelivered while it runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At-least-once delivery: a task is acknowledged after it finishes and requeued if its worker
# dies; the outbox's claim makes the sending exactly-once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- HTTP API (api/, docs/api.md) -----------------------------------------------------------------
# Requests per minute per personal API token (on the shared cache); over it: 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# Longest life a person may give a token, in days (they choose 7, 30, 90 or this).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Repeats of one request by one token within this window add to one audit row, not new rows.
API_AUDIT_WINDOW_SECONDS = env.int("API_AUDIT_WINDOW_SECONDS", default=3600)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party assets (Bootstrap, htmx) come from npm at install time: node_modules is never
# committed and nothing is loaded from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "node_modules")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if LOCAL
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------------
# Sessions are read from the shared cache and written through to the database: every signed-in
# request saves a database query (issue 19, docs/performance.md). Nothing else changes: a session
# still lives in the database (a cache flush only costs one read), sign-out deletes both copies,
# and a changed password still ends every session (the hash in it no longer matches).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline script
# or style; data: images for allauth's TOTP QR code. See docs/security.md.
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
    }
}
# Upload limits. A form body (everything but files) over DATA_UPLOAD_MAX_MEMORY_SIZE is refused
# with 400; files over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file instead of memory, and
# each upload form checks its own size and content (the CSV invite: INVITE_CSV_MAX_BYTES).
# The longest form (an application: 5,000 + 3,000 + 2,000 characters, each up to 4 bytes) is
# far below 512 KB; a bigger body is refused before any view reads it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=524_288)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Emails a person can make the application send to an address they choose (docs/privacy.md).
# Line-manager sign-off: new requests a day, per applicant and per manager address.
SIGNOFF_REQUESTS_PER_APPLICANT_PER_DAY = env.int(
    "SIGNOFF_REQUESTS_PER_APPLICANT_PER_DAY", default=3
)
SIGNOFF_REQUESTS_PER_ADDRESS_PER_DAY = env.int("SIGNOFF_REQUESTS_PER_ADDRESS_PER_DAY", default=10)
# The public register-interest form: confirmation emails a day to one address.
REGISTER_INTEREST_CONFIRMATIONS_PER_DAY = env.int(
    "REGISTER_INTEREST_CONFIRMATIONS_PER_DAY", default=3
)
if not LOCAL:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Outbox (notifications/) --------------------------------------------------------------------
# Every email is a row in notifications.Email first; see docs/email.md. Temporary failures are
# retried on the row with exponential backoff: min(BASE * 2^(attempt-1), CAP) seconds.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_CAP_SECONDS = env.int("OUTBOX_RETRY_CAP_SECONDS", default=3600)
# A row left "sending" this long belongs to a dead worker and is queued again. Longer than the
# task's hard time limit, so a live (slow) worker is never overtaken.
OUTBOX_SENDING_TIMEOUT_SECONDS = env.int(
    "OUTBOX_SENDING_TIMEOUT_SECONDS", default=CELERY_TASK_TIME_LIMIT + 120
)
# A fresh pending row whose on-commit task never arrived (broker down) is queued again after this.
OUTBOX_REQUEUE_GRACE_SECONDS = env.int("OUTBOX_REQUEUE_GRACE_SECONDS", default=60)
# The rows of one transaction (and of one sweep) go to a worker in batches of up to this many,
# delivered over one SMTP connection; a batch stops claiming after OUTBOX_BATCH_SECONDS and hands
# the rest on as a new task, well inside the task's time limit.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_BATCH_SECONDS = env.int("OUTBOX_BATCH_SECONDS", default=60)
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30.0)
OUTBOX_SWEEP_BATCH = env.int("OUTBOX_SWEEP_BATCH", default=1000)
OUTBOX_SENT_RETENTION_DAYS = env.int("OUTBOX_SENT_RETENTION_DAYS", default=90)
# Beat's DatabaseScheduler copies this into django-celery-beat's tables when beat starts.
CELERY_BEAT_SCHEDULE = {
    "notifications-email-sweep": {
        "task": "notifications.email_sweep",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
}
# Surveys (feedback/): invite everyone whose survey fell due; idempotent, so hourly is cheap.
CELERY_BEAT_SCHEDULE["feedback-survey-invitations"] = {
    "task": "feedback.survey_invitations_create",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
# Dashboards (insights/figures.py): the active cohorts' figures computed again a minute before
# their cache entry expires, so no coordinator waits for them.
if INSIGHTS_CACHE_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["insights-figures-refresh"] = {
        "task": "insights.figures_refresh",
        "schedule": float(max(60, INSIGHTS_CACHE_SECONDS - 60)),
        "options": {"expires": max(30, INSIGHTS_CACHE_SECONDS - 90)},
    }
# Programme rhythm (rhythm/): reminders, nudges, milestones, digests; idempotent, every 30 min.
CELERY_BEAT_SCHEDULE["rhythm-run-all"] = {
    "task": "rhythm.run_all",
    "schedule": 1800.0,
    "options": {"expires": 1500},
}
# Local demos only: send rhythm emails at once instead of waiting for working hours.
RHYTHM_IGNORE_SEND_WINDOWS = env.bool("RHYTHM_IGNORE_SEND_WINDOWS", default=False)
# Community (community/): reminders of tomorrow's stand-ups and events; idempotent, hourly.
CELERY_BEAT_SCHEDULE["community-event-reminders"] = {
    "task": "community.event_reminders_send",
    "schedule": 3600.0,
    "options": {"expires": 3000},
}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # How often kombu puts unacknowledged messages of dead workers back (defaults 10 s x 10);
    # the sweeper recovers the emails anyway, this only makes other tasks recover sooner.
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
            "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=1),
        }
    )
# Personal data (people/personal_data.py): once a cohort finished more than RETENTION_MONTHS
# ago, a daily, idempotent task deletes its free text and anonymises its people's links to it
# (programmes/retention.py); people with nothing more recent are anonymised whole.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
CELERY_BEAT_SCHEDULE["programmes-retention-anonymise"] = {
    "task": "programmes.retention_anonymise",
    "schedule": 86400.0,
    "options": {"expires": 82800},
}
# After the broker refuses a message, a process leaves new emails to the sweeper for this long.
OUTBOX_BROKER_PAUSE_SECONDS = env.float("OUTBOX_BROKER_PAUSE_SECONDS", default=10.0)

"""Django settings in code, the database, and the tables: call configure() once."""

from __future__ import annotations

from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command

HERE = Path(__file__).resolve().parent

# The app's embedded store is one SQLite file in WAL mode with synchronous=NORMAL
# (app/memory/store.py), its reports another one tuned the same way (app/database.py).
# The closest Django has is the database session engine on SQLite, tuned alike.
SQLITE_TUNING = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The session engines the peer can run on, by short name (PEER_SESSIONS under gunicorn,
# peer_formtools/wsgi.py): Django's engine and the cache it keeps sessions in, if any.
# "locmem" keeps sessions in the worker's own memory, the fastest, but only one worker sees
# them; "file", "redis" (Django's Redis cache) and "db" are shared by several workers.
CACHE_ENGINE = "django.contrib.sessions.backends.cache"
SESSIONS: dict[str, tuple[str, str | None]] = {
    "db": (SESSION_ENGINE, None),
    "file": ("django.contrib.sessions.backends.file", None),
    "locmem": (CACHE_ENGINE, "django.core.cache.backends.locmem.LocMemCache"),
    "redis": (CACHE_ENGINE, "django.core.cache.backends.redis.RedisCache"),
}


def configure_sessions(
    data_dir: Path, sessions: str, hosts: list[str], migrate: bool = True, redis_url: str = ""
) -> None:
    """configure() with the session engine named in SESSIONS; a Redis cache at redis_url."""
    engine, backend = SESSIONS[sessions]
    if backend is None:
        configure(data_dir, engine, hosts, migrate)
        return
    cache: dict[str, object] = {"BACKEND": backend}
    if sessions == "redis":
        cache.update(LOCATION=redis_url, KEY_PREFIX=f"peer-{data_dir.name}")
    else:
        cache["OPTIONS"] = {"MAX_ENTRIES": 1_000_000}  # locmem: never cull a live draft
    configure(data_dir, engine, hosts, migrate, {"default": cache})


def configure(
    data_dir: Path,
    session_engine: str = SESSION_ENGINE,
    hosts: list[str] | None = None,
    migrate: bool = True,
    caches: dict[str, dict[str, object]] | None = None,
) -> None:
    """Configure Django for the peer wizard, its data in data_dir, and create the tables
    (unless migrate is false: gunicorn workers find them made)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    extra = {"CACHES": caches} if caches else {}
    settings.configure(
        **extra,
        DEBUG=False,
        SECRET_KEY="peer-formtools-benchmark-only",
        ALLOWED_HOSTS=hosts or ["testserver"],
        ROOT_URLCONF="peer_formtools.urls",
        INSTALLED_APPS=["django.contrib.sessions", "peer_formtools"],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "peer_formtools.views.security_headers",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(data_dir / "peer.sqlite3"),
                "OPTIONS": {"init_command": SQLITE_TUNING},
            }
        },
        SESSION_ENGINE=session_engine,
        SESSION_FILE_PATH=str(data_dir),  # used only by the file engine
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [str(HERE / "templates")],
                "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
            }
        ],
        STATIC_URL="/static/",
        USE_I18N=False,  # the app has no translations either
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        SECURE_REFERRER_POLICY="strict-origin-when-cross-origin",
    )
    django.setup()
    if migrate:
        call_command("migrate", run_syncdb=True, verbosity=0)

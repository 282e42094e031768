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


def configure(data_dir: Path, session_engine: str = SESSION_ENGINE) -> None:
    """Configure Django for the peer wizard, its data in data_dir, and create the tables."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer-formtools-benchmark-only",
        ALLOWED_HOSTS=["testserver"],
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
    call_command("migrate", run_syncdb=True, verbosity=0)

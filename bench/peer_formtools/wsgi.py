"""The peer as a WSGI application, for gunicorn (bench/over_http.py): `peer_formtools.wsgi`
with bench/ on PYTHONPATH. Configured by the environment: PEER_DATA_DIR (its SQLite
database and session files, tables made beforehand), PEER_SESSIONS (a name of
project.SESSIONS: db, file, locmem, redis), PEER_REDIS_URL for redis.
"""

from __future__ import annotations

import os
from pathlib import Path

from peer_formtools import project

project.configure_sessions(
    Path(os.environ["PEER_DATA_DIR"]),
    os.environ.get("PEER_SESSIONS", "db"),
    hosts=["127.0.0.1", "localhost"],
    migrate=False,
    redis_url=os.environ.get("PEER_REDIS_URL", ""),
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 (needs the settings above)

application = get_wsgi_application()

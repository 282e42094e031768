"""Real Redis and PostgreSQL for the tests that make claims about them.

On this machine kind both run (Redis 127.0.0.1:6379, PostgreSQL 127.0.0.1:5432, database
`test`). Elsewhere, point TEST_REDIS_URL / TEST_POSTGRES_URL at yours. Without them these
tests skip with the command that starts the service, except in CI (CI=true), where a
missing service fails the run: nothing may skip silently there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.helpers import dispose_apps
from tests.http import die_with_parent

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
POSTGRES_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def missing(what: str, how: str) -> None:
    """Fail in CI, skip elsewhere, always saying what is needed."""
    message = f"{what} is needed for this test. Start it with: {how}"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        missing(f"Redis at {REDIS_URL}", REDIS_START)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=2).close()
    except psycopg.Error:
        missing(f"PostgreSQL at {POSTGRES_URL}", POSTGRES_START)
    return POSTGRES_URL


@pytest.fixture
def postgres_uri(postgres_server: str) -> Iterator[str]:
    """A SQLAlchemy URI on a schema of this test's own, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    base = postgres_server.replace("postgresql://", "postgresql+psycopg://", 1)
    yield f"{base}?options=-csearch_path%3D{schema}"
    dispose_apps()  # no connection may linger on a dropped schema
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnRedis:
    """A redis-server of the test's own (on a free port, AOF on), to stop, pause and restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def kill(self) -> None:
        """Stop it the hard way (SIGKILL): only what reached the AOF survives."""
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self, milliseconds: int) -> None:
        redis.Redis(port=self.port).execute_command("CLIENT", "PAUSE", milliseconds, "ALL")

    def still_paused(self) -> bool:
        """Whether a pause (CLIENT PAUSE, of every command or of writes) still holds a write
        back: a new client's write gets no answer within 0.2 s. An answer the app gave while
        the pause lasts did not wait for Redis. (A slow but unpaused Redis could pass for
        paused, never the other way round.)"""
        probe = redis.Redis(
            port=self.port,
            socket_timeout=0.2,
            socket_connect_timeout=0.2,
            retry=Retry(NoBackoff(), 0),
        )
        try:
            probe.set("pause-probe", b"1")
        except redis.TimeoutError:
            return True
        finally:
            probe.close()
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        missing("redis-server", "apt-get install -y redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.kill()

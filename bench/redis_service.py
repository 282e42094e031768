"""The machine's Redis for the benchmarks: where it is, whether it answers, and the keys of
one run (under a prefix of their own, deleted at the end; nothing else is touched).

The URL is the tests' (TEST_REDIS_URL, default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import redis
from store_scale import Maker

from app.memory.redis_store import RedisStore, redis_client

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
TIMEOUT_S = 5.0  # a benchmark may wait longer than the app's 1 s before calling Redis gone


def unreachable(url: str = REDIS_URL) -> str | None:
    """None when Redis answers at url; else why not, and how to start it."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as e:
        return (
            f"Redis at {url} did not answer ({e}). Start it with `{START}`, "
            "or point TEST_REDIS_URL at yours"
        )
    return None


def server_version(url: str = REDIS_URL) -> str:
    info = redis.Redis.from_url(url, socket_timeout=1).info("server")
    return f"Redis {info['redis_version']} at {url}"


class RunKeys:
    """Key prefixes unique to this run, under one prefix that delete() clears."""

    def __init__(self, url: str = REDIS_URL) -> None:
        self.url = url
        self.prefix = f"bench-{uuid.uuid4().hex[:10]}:"

    def under(self, name: str) -> str:
        return f"{self.prefix}{name}:"

    def store_maker(self) -> Maker:
        """A RedisStore per scratch folder; the same folder gives the same keys (a restart)."""

        def make(folder: Path) -> RedisStore:
            return RedisStore(redis_client(self.url, TIMEOUT_S), self.under(folder.name))

        return make

    def delete(self) -> int:
        """Delete every key of this run; return how many there were."""
        client = redis.Redis.from_url(self.url, socket_timeout=TIMEOUT_S)
        deleted = 0
        batch: list[bytes] = []
        for key in client.scan_iter(match=self.prefix + "*", count=5000):
            batch.append(key)
            if len(batch) == 5000:
                deleted += client.delete(*batch)
                batch.clear()
        if batch:
            deleted += client.delete(*batch)
        client.close()
        return deleted

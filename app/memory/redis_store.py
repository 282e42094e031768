"""Session memory in Redis, shared by any number of app processes."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from .store import Mutation, StoreUnavailableError

_UPDATE_ATTEMPTS = 100
_BACKOFF_SECONDS = 0.002  # jittered, so writers racing for one draft take turns


def redis_client(url: str, timeout: float) -> redis.Redis:
    """A client that fails fast (timeouts, a short retry) instead of hanging a worker."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(ExponentialBackoff(cap=timeout / 2), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )  # bytes in and out: decode_responses would break binary entries


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    try:
        yield
    except RedisError as e:
        raise StoreUnavailableError(f"The Redis session store failed: {e}") from e


class RedisStore:
    """KeyValueStore on Redis: TTLs expire entries, WATCH/MULTI makes updates atomic."""

    name = "Redis"

    def __init__(self, client: redis.Redis, prefix: str = "expense-wizard:") -> None:
        if not isinstance(client, redis.Redis):  # Flask-Session would silently swap it
            raise TypeError(f"A redis.Redis client is needed, not {type(client).__name__}.")
        self.client = client
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        """Return the live value of key, or None."""
        with _unavailable_on_error():
            return self._bytes(self.client.get(self.prefix + key))

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        """Return the value and slide its expiry, in one command (GETEX)."""
        with _unavailable_on_error():
            return self._bytes(self.client.getex(self.prefix + key, px=_ms(ttl)))

    def put(self, key: str, value: bytes, ttl: float) -> None:
        """Write value under key, to expire after ttl seconds."""
        with _unavailable_on_error():
            self.client.set(self.prefix + key, value, px=_ms(ttl))

    def delete(self, key: str) -> None:
        """Remove key; no error if it is absent."""
        with _unavailable_on_error():
            self.client.delete(self.prefix + key)

    def update(self, key: str, mutate: Mutation, ttl: float) -> bytes | None:
        """Read, change and write key atomically; retried if another writer got there first,
        for as long as one command may take. (redis-py also reports a timeout while watching
        as a WatchError: a paused Redis must end in a 503, not in retries until the worker
        is killed.)"""
        deadline = time.monotonic() + self._timeout()
        with _unavailable_on_error(), self.client.pipeline() as pipe:
            for _ in range(_UPDATE_ATTEMPTS):
                try:
                    return self._try_update(pipe, self.prefix + key, mutate, ttl)
                except WatchError:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(random.uniform(0, _BACKOFF_SECONDS))
        raise StoreUnavailableError("The session store did not complete the change in time.")

    def _timeout(self) -> float:
        configured = self.client.connection_pool.connection_kwargs.get("socket_timeout")
        return float(configured or 1.0)

    def _try_update(self, pipe: Any, full_key: str, mutate: Mutation, ttl: float) -> bytes | None:
        pipe.watch(full_key)
        new = mutate(self._bytes(pipe.get(full_key)))
        pipe.multi()
        if new is None:
            pipe.delete(full_key)
        else:
            pipe.set(full_key, new, px=_ms(ttl))
        pipe.execute()
        return new

    def delete_expired(self) -> int:
        """Nothing to do: Redis deletes expired keys by itself."""
        return 0

    def count(self) -> int:
        """Return the number of live entries under this store's prefix."""
        with _unavailable_on_error():
            return sum(1 for _ in self.client.scan_iter(match=self.prefix + "*", count=1000))

    def ping(self) -> None:
        """Raise StoreUnavailableError unless Redis answers."""
        with _unavailable_on_error():
            self.client.ping()

    def close(self) -> None:
        self.client.close()

    @staticmethod
    def _bytes(value: Any) -> bytes | None:
        return None if value is None else bytes(value)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))

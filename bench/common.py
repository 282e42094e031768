"""What the sections share: the app as configuration builds it, timing and statistics,
Markdown tables, and the machine a run was measured on.

The app is reached only through `app.create_app(config)`: a store of the bench's own is
given as the `WIZARD_STORE_FACTORY` setting, Redis as `SESSION_TYPE=redis`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Every simulated person comes from one client (a test client, or 127.0.0.1), so the
# per-person limits would answer 429 after a few drafts. Limits this high keep
# Flask-Limiter's work in every timing and are never reached.
UNLIMITED = "1000000 per minute"
LIFTED_LIMITS = {
    key: UNLIMITED
    for key in (
        "WIZARD_DRAFT_RATE",
        "WIZARD_UPLOAD_RATE",
        "WIZARD_API_WRITE_RATE",
        "WIZARD_SWITCH_RATE",
    )
}
LIFTED_LIMITS_ENV = {f"FLASK_{key}": value for key, value in LIFTED_LIMITS.items()}


def build_app(instance: Path, **config: Any) -> Flask:
    """The app as in production (not TESTING), on its own instance folder, limits lifted."""
    from app import create_app

    return create_app({"TESTING": False, **LIFTED_LIMITS, **config}, instance_path=str(instance))


class DictStore:
    """Session memory's store as a dict of the bytes the app writes: no I/O. Given to the
    app as its WIZARD_STORE_FACTORY, so the bench can also read what the app stored."""

    name = "dict"

    def __init__(self) -> None:
        self.entries: dict[str, tuple[bytes, float]] = {}

    def get(self, key: str) -> bytes | None:
        entry = self.entries.get(key)
        return entry[0] if entry and entry[1] > time.time() else None

    def get_touch(self, key: str, ttl: float) -> bytes | None:
        value = self.get(key)
        if value is not None:
            self.entries[key] = (value, time.time() + ttl)
        return value

    def put(self, key: str, value: bytes, ttl: float) -> None:
        self.entries[key] = (bytes(value), time.time() + ttl)

    def delete(self, key: str) -> None:
        self.entries.pop(key, None)

    def update(self, key: str, mutate: Callable[[bytes | None], Any], ttl: float) -> bytes | None:
        new: bytes | None = mutate(self.get(key))
        if new is None:
            self.delete(key)
        else:
            self.put(key, new, ttl)
        return new

    def delete_expired(self) -> int:
        now = time.time()
        gone = [k for k, (_, expires) in self.entries.items() if expires <= now]
        for key in gone:
            del self.entries[key]
        return len(gone)

    def count(self) -> int:
        return len(self.entries)

    def ping(self) -> None:
        pass

    def value_for(self, key_end: str) -> bytes:
        """The value stored under the one key that ends with key_end (a draft or session id)."""
        found = [v for k, (v, _) in self.entries.items() if k.endswith(key_end)]
        if len(found) != 1:
            raise RuntimeError(f"{len(found)} store entries end with {key_end!r}")
        return found[0]


def dict_app(instance: Path) -> tuple[Flask, DictStore]:
    store = DictStore()
    return build_app(instance, WIZARD_STORE_FACTORY=lambda _app: store), store


def redis_problem() -> str | None:
    """None when Redis answers at REDIS_URL; else why not, and how to start it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as e:
        return (
            f"no Redis answered at {REDIS_URL} ({e}): start one with `redis-server --daemonize "
            "yes --save '' --appendonly no`, or point TEST_REDIS_URL at yours"
        )
    return None


class RedisKeys:
    """Key prefixes of one run, under a prefix of its own that delete() clears."""

    def __init__(self) -> None:
        self.prefix = f"bench-{uuid.uuid4().hex[:10]}:"

    def app(self, instance: Path, name: str) -> Flask:
        """The app with session memory (and its rate-limit counts) in Redis, under name."""
        prefix = f"{self.prefix}{name}:"
        return build_app(
            instance, SESSION_TYPE="redis", REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix
        )

    def delete(self) -> None:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
        keys = list(client.scan_iter(match=self.prefix + "*", count=5000))
        for start in range(0, len(keys), 5000):
            client.delete(*keys[start : start + 5000])
        client.close()


# Timing and statistics ------------------------------------------------------------------


def timed_ns(call: Callable[[], Any]) -> int:
    start = time.perf_counter_ns()
    call()
    return time.perf_counter_ns() - start


def median_ms(samples_ns: Sequence[int]) -> float:
    return statistics.median(samples_ns) / 1e6


def quartiles_ms(samples_ns: Sequence[int]) -> str:
    q1, _, q3 = statistics.quantiles(samples_ns, n=4)
    return f"{q1 / 1e6:.2f}-{q3 / 1e6:.2f}"


@dataclass(frozen=True)
class Interval:
    """A median and its distribution-free 95% interval."""

    median: float
    low: float
    high: float
    unit: str  # "x" for a ratio, " ms" for a difference

    def __str__(self) -> str:
        sign = "+" if self.unit == " ms" else ""
        digits = 3 if self.unit == " ms" else 2
        low, median, high = (f"{v:{sign}.{digits}f}" for v in (self.low, self.median, self.high))
        return f"{median}{self.unit} [{low}, {high}]"

    def at_least(self, target: float) -> str:
        return _decided(self.low >= target, self.high < target, self.median >= target)

    def at_most(self, target: float) -> str:
        return _decided(self.high <= target, self.low > target, self.median <= target)


def _decided(met: bool, missed: bool, median_met: bool) -> str:
    if met:
        return "met"
    if missed:
        return "**not met**"
    return f"undecided (median {verdict(median_met)})"


def _sign_test_interval(values: Iterable[float], unit: str) -> Interval:
    """The median of values and the order statistics bounding it at 95% (the sign test's):
    no assumption about the distribution, only that rounds are independent."""
    ordered = sorted(values)
    n = len(ordered)
    k = max(0, math.floor(n / 2 - 1.96 * math.sqrt(n) / 2))
    return Interval(statistics.median(ordered), ordered[k], ordered[n - 1 - k], unit)


def paired_ratio(top_ns: Sequence[int], bottom_ns: Sequence[int]) -> Interval:
    """Median of top[i] / bottom[i], pairs taken in the same round."""
    return _sign_test_interval((a / b for a, b in zip(top_ns, bottom_ns, strict=True)), "x")


def paired_difference(samples_ns: Sequence[int], base_ns: Sequence[int]) -> Interval:
    """Median of sample[i] - base[i] in ms, pairs taken in the same round."""
    diffs = ((a - b) / 1e6 for a, b in zip(samples_ns, base_ns, strict=True))
    return _sign_test_interval(diffs, " ms")


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The machine ------------------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    models = [line.split(":", 1)[1].strip() for line in text.splitlines() if "model name" in line]
    return models[0] if models else platform.processor() or "unknown"


PACKAGES: tuple[str, ...] = ("Flask", "Werkzeug", "Flask-Limiter", "SQLAlchemy", "redis", "Django")
PACKAGES += ("django-formtools",)
PACKAGES += ("gunicorn", "locust", "playwright")


def machine() -> str:
    """The machine, software and commit a run was measured on, as a Markdown table."""
    import app

    changed = len(_git("status", "--porcelain").splitlines())
    rows = [
        ("CPUs", f"{len(os.sched_getaffinity(0))}: {_cpu_model()}"),
        ("Python, SQLite", f"{platform.python_version()}, {sqlite3.sqlite_version}"),
        ("Packages", ", ".join(f"{name} {_version(name)}" for name in PACKAGES)),
        ("Date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Load average (1 min) at start", f"{os.getloadavg()[0]:.2f}"),
        (
            "Commit",
            _git("rev-parse", "--short=12", "HEAD")
            + (f" + {changed} changed paths" if changed else ""),
        ),
        ("App code measured", str(Path(app.__file__).parent)),
    ]
    return table(("", ""), rows)


# A run and its sections ---------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How much each section measures."""

    name: str
    rounds: int  # whole drafts per wizard (drafts, strategies, --against)
    warmup: int
    step_rounds: int
    live_drafts: tuple[int, ...]  # the store sizes compared
    op_rounds: int
    users: int  # simulated people under load
    seconds: int  # of load once all have started


FULL = Plan("full", 300, 10, 1_000, (1_000, 100_000), 4_000, 50, 60)
QUICK = Plan("quick", 30, 3, 150, (1_000, 10_000), 1_000, 20, 15)


@dataclass
class Section:
    title: str
    body: str = ""
    glance: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # figure, target, measured, verdict
    missing: list[str] = field(default_factory=list)  # what was not there to measure with


@dataclass
class Bench:
    """One run: its plan, its scratch folder, and Redis (None when it does not answer)."""

    plan: Plan
    root: Path
    redis: RedisKeys | None
    redis_missing: str = ""

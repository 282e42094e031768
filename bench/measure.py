"""Timing, statistics, the machine description and Markdown tables."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sqlite3
import statistics
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from time import perf_counter_ns
from typing import Any

import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("Flask", "Flask-Session", "Werkzeug", "SQLAlchemy", "cachelib", "msgspec")


def timed_ns(call: Callable[[], Any]) -> tuple[int, Any]:
    """Run call once; return the nanoseconds it took and what it returned."""
    start = perf_counter_ns()
    result = call()
    return perf_counter_ns() - start, result


def median_ms(samples_ns: Sequence[int]) -> float:
    return statistics.median(samples_ns) / 1e6


def median_us(samples_ns: Sequence[int]) -> float:
    return statistics.median(samples_ns) / 1e3


def quartiles_ms(samples_ns: Sequence[int]) -> tuple[float, float]:
    """The 25th and 75th percentiles, in ms."""
    q1, _, q3 = statistics.quantiles(samples_ns, n=4)
    return q1 / 1e6, q3 / 1e6


@dataclass(frozen=True)
class Difference:
    """The median of paired differences (ms) and its 95% confidence interval."""

    median: float
    low: float
    high: float

    def within(self, limit: float) -> str:
        """Met, not met, or undecided when the interval straddles the limit."""
        if self.high <= limit:
            return "met"
        if self.low > limit:
            return "**not met**"
        return f"undecided (median {verdict(self.median <= limit)})"

    def __str__(self) -> str:
        return f"{self.median:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def paired_difference(samples_ns: Sequence[int], baseline_ns: Sequence[int]) -> Difference:
    """Median of sample[i] - baseline[i] (pairs taken in the same round), with the
    distribution-free 95% interval from order statistics (the sign test's)."""
    diffs = sorted(a - b for a, b in zip(samples_ns, baseline_ns, strict=True))
    n = len(diffs)
    k = max(0, math.floor(n / 2 - 1.96 * math.sqrt(n) / 2))
    return Difference(statistics.median(diffs) / 1e6, diffs[k] / 1e6, diffs[n - 1 - k] / 1e6)


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    models = [line.split(":", 1)[1].strip() for line in text.splitlines() if "model name" in line]
    return models[0] if models else "unknown"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.rstrip()  # not strip(): porcelain lines start with a space


def _commit() -> str:
    commit = _git("rev-parse", "--short=12", "HEAD")
    changed = [line[3:] for line in _git("status", "--porcelain").splitlines() if line]
    if not changed:
        return commit
    shown = ", ".join(changed[:6]) + (", ..." if len(changed) > 6 else "")
    return f"{commit} plus uncommitted changes ({len(changed)} paths: {shown})"


def load_average() -> str:
    """The 1-minute load average: other work on the machine inflates every figure."""
    return f"{os.getloadavg()[0]:.2f}"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "(not installed)"


def machine(packages: Sequence[str] = PACKAGES) -> str:
    """The machine and software every figure was measured on, as a Markdown table."""
    rows = [
        ("CPUs (nproc)", f"{len(os.sched_getaffinity(0))} (of {os.cpu_count()} on the host)"),
        ("CPU model", _cpu_model()),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("SQLite", sqlite3.sqlite_version),
        ("Packages", ", ".join(f"{name} {_version(name)}" for name in packages)),
        ("OS", platform.platform()),
        ("Date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Load average (1 min) at start", load_average()),
        ("Git commit", _commit()),
        ("App code measured", str(Path(app.__file__).parent)),
    ]
    return table(("", ""), rows)

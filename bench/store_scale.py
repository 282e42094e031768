"""Section 3: store operations with few and with many live drafts, and nothing lost."""

from __future__ import annotations

import base64
import gc
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapters import CachelibStore
from measure import median_ms, median_us, table, timed_ns, verdict
from requests_bench import STEP_REQUESTS
from variants import Variant, build_app

from app.memory.drafts import KEY_PREFIX
from app.memory.store import KeyValueStore, SQLiteStore

TTL = 3600.0  # no draft may expire during the run
RATIO_TARGET = 1.2
OPS = ("get", "get_touch", "put", "update")
Maker = Callable[[Path], KeyValueStore]
SQLITE_FILE = "memory.sqlite3"
MAKERS: dict[str, Maker] = {
    "SQLiteStore (default)": lambda d: SQLiteStore(d / SQLITE_FILE),
    "cachelib FileSystemCache (threshold=0)": lambda d: CachelibStore(d / "cache"),
}
SQLITE_KINDS = tuple(kind for kind in MAKERS if kind.startswith("SQLiteStore"))


@dataclass
class Population:
    kind: str
    size: int
    store: KeyValueStore
    keys: list[str]
    folder: Path
    fill_seconds: float
    make: Maker  # opens the store on its folder again (a restart)


def _keys(size: int, rng: random.Random) -> list[str]:
    """Draft keys shaped like the app's: 128 random bits, 22 URL-safe characters."""
    ids = (base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=") for _ in range(size))
    return [KEY_PREFIX + draft_id for draft_id in ids]


def populate(
    kind: str, size: int, value: bytes, root: Path, make: Maker | None = None
) -> Population:
    """A store of this kind (made by make, else MAKERS[kind]) holding `size` live drafts,
    each `value`."""
    make = make or MAKERS[kind]
    folder = root / f"{re.sub(r'[^A-Za-z0-9]+', '-', kind).strip('-')}-{size}"
    folder.mkdir(parents=True)
    store = make(folder)
    keys = _keys(size, random.Random(size))
    start = time.perf_counter()
    for key in keys:
        store.put(key, value, TTL)
    return Population(kind, size, store, keys, folder, time.perf_counter() - start, make)


def _operation(store: KeyValueStore, op: str, key: str, value: bytes) -> Callable[[], object]:
    calls: dict[str, Callable[[], object]] = {
        "get": lambda: store.get(key),
        "get_touch": lambda: store.get_touch(key, TTL),
        "put": lambda: store.put(key, value, TTL),
        "update": lambda: store.update(key, lambda old: old, TTL),
    }
    return calls[op]


OpSamples = dict[tuple[str, int, str], list[int]]


def measure_ops(populations: list[Population], value: bytes, reps: int) -> OpSamples:
    """Each op on a random live draft of each population, populations in random order."""
    samples: OpSamples = {(p.kind, p.size, op): [] for p in populations for op in OPS}
    rng = random.Random(3)
    order = list(populations)
    gc.collect()
    for _ in range(reps):
        rng.shuffle(order)
        for population in order:
            for op in OPS:
                call = _operation(population.store, op, rng.choice(population.keys), value)
                elapsed, result = timed_ns(call)
                if op.startswith("get") and result is None:
                    raise RuntimeError(f"{population.kind}: a live draft was not found")
                samples[population.kind, population.size, op].append(elapsed)
    return samples


def ratios(populations: list[Population], samples: OpSamples, kind: str) -> dict[str, float]:
    """Per operation: its median with the most live drafts over its median with the fewest."""
    sizes = sorted(p.size for p in populations if p.kind == kind)
    return {
        op: median_us(samples[kind, sizes[-1], op]) / median_us(samples[kind, sizes[0], op])
        for op in OPS
    }


def ops_table(populations: list[Population], samples: OpSamples) -> str:
    """Median µs per operation at each size, and the ratio largest/smallest."""
    rows = []
    for kind in dict.fromkeys(p.kind for p in populations):
        sizes = sorted(p.size for p in populations if p.kind == kind)
        for size in sizes:
            cells = [f"{median_us(samples[kind, size, op]):.1f}" for op in OPS]
            rows.append([kind, f"{size:,}", *cells, ""])
        found = ratios(populations, samples, kind)
        ok = max(found.values()) <= RATIO_TARGET
        label = f"ratio {sizes[-1]:,} / {sizes[0]:,}"
        rows.append([kind, label, *(f"{found[op]:.2f}x" for op in OPS), verdict(ok)])
    headers = ["store", "live drafts", *(f"{op} µs" for op in OPS), "≤ 1.2x"]
    return table(headers, rows)


@dataclass(frozen=True)
class Integrity:
    kind: str
    size: int
    fill_seconds: float
    live: int
    after_restart: int
    restart_read_seconds: float
    disk_bytes: int


def _disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def _close(store: KeyValueStore) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()


def check_integrity(population: Population) -> Integrity:
    """Count the live drafts, then read every one through a fresh store (a restart)."""
    live = population.store.count()
    _close(population.store)
    population.store = None  # type: ignore[assignment]  # a restart: no object survives
    gc.collect()
    fresh = population.make(population.folder)
    start = time.perf_counter()
    readable = sum(fresh.get(key) is not None for key in population.keys)
    read_seconds = time.perf_counter() - start
    _close(fresh)
    return Integrity(
        population.kind,
        population.size,
        population.fill_seconds,
        live,
        readable,
        read_seconds,
        _disk_bytes(population.folder),
    )


def integrity_table(checks: list[Integrity]) -> str:
    headers = [
        "store",
        "drafts written",
        "fill s",
        "live (count())",
        "read after restart",
        "evicted",
        "restart read-all s",
        "disk MB",
    ]
    rows = [
        [
            c.kind,
            f"{c.size:,}",
            f"{c.fill_seconds:.1f}",
            f"{c.live:,}",
            f"{c.after_restart:,}",
            f"{c.size - c.after_restart:,}" + ("" if c.after_restart == c.size else " **lost**"),
            f"{c.restart_read_seconds:.1f}",
            f"{c.disk_bytes / 1e6:.1f}",
        ]
        for c in checks
    ]
    return table(headers, rows)


def default_threshold_loss(root: Path, value: bytes, written: int = 600) -> int:
    """Drafts still readable after writing `written` to cachelib with Flask-Session's
    default threshold of 500."""
    store = CachelibStore(root / "cachelib-threshold-500", threshold=500)
    keys = _keys(written, random.Random(0))
    for key in keys:
        store.put(key, value, TTL)
    return sum(store.get(key) is not None for key in keys)


def apps_at_scale(populations: list[Population], root: Path) -> list[Variant]:
    """The real app (its own SQLiteStore, as configured) on each populated SQLite file."""
    return [
        Variant(
            f"{p.kind}|{p.size}",
            f"{p.kind}, {p.size:,} drafts",
            build_app(root / f"app-{i}", WIZARD_SQLITE_STORE=str(p.folder / SQLITE_FILE)),
        )
        for i, p in enumerate(populations)
        if p.kind in SQLITE_KINDS
    ]


ScaleSamples = dict[tuple[str, str], list[int]]


def requests_at_scale_table(populations: list[Population], samples: ScaleSamples) -> str:
    """Median ms of each step request with few and with many drafts in the store."""
    rows = []
    small, large = sorted({p.size for p in populations})
    for kind in SQLITE_KINDS:
        for request in STEP_REQUESTS:
            a = median_ms(samples[f"{kind}|{small}", request.label])
            b = median_ms(samples[f"{kind}|{large}", request.label])
            ratio = f"{b / a:.2f}x"
            rows.append(
                [kind, request.label, f"{a:.3f}", f"{b:.3f}", ratio, verdict(b / a <= RATIO_TARGET)]
            )
    sizes = [f"ms, {small:,} drafts", f"ms, {large:,} drafts"]
    headers = ["store", "request", *sizes, "ratio", "≤ 1.2x"]
    return table(headers, rows)

"""The `stores` section: store operations with few and with many live drafts, none lost.

The one place the bench holds the app's store object: raw get / put at 1,000 against
100,000 drafts cannot be timed through pages (a step request is a hundred times slower
than one operation). It is reached as `app.extensions["session_memory"].store` after
create_app, and used only through the four operations every store has.
"""

from __future__ import annotations

import base64
import gc
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common import Bench, Section, build_app, dict_app, log, table, verdict
from flask import Flask
from sizes import entry, filled

RATIO_TARGET = 1.2  # SPEC §8
TTL = 3600.0  # no draft expires during the run
OPS = ("get", "get_touch", "put", "update")


def store_of(app: Flask) -> Any:
    return app.extensions["session_memory"].store


@dataclass
class Filled:
    kind: str
    size: int
    keys: list[str]
    open_app: Callable[[str], Flask]  # the app on this store again: a restart
    store: Any = None


def fill(kind: str, size: int, value: bytes, open_app: Callable[[str], Flask]) -> Filled:
    """A store with `size` live drafts under keys shaped like draft ids (22 URL-safe
    characters), each `value`."""
    rng = random.Random(size)
    keys = [
        f"bench:{base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip('=')}"
        for _ in range(size)
    ]
    store = store_of(open_app("first"))
    for key in keys:
        store.put(key, value, TTL)
    return Filled(kind, size, keys, open_app, store)


def measure(
    stores: list[Filled], value: bytes, rounds: int
) -> dict[tuple[str, int, str], list[int]]:
    """Each operation on a random live draft of each store, stores in a new random order
    each round."""
    samples: dict[tuple[str, int, str], list[int]] = {
        (f.kind, f.size, op): [] for f in stores for op in OPS
    }
    rng, order = random.Random(3), list(stores)
    gc.collect()
    for _ in range(rounds):
        rng.shuffle(order)
        for f in order:
            key = rng.choice(f.keys)
            calls: dict[str, Callable[[], object]] = {
                "get": lambda: f.store.get(key),  # noqa: B023
                "get_touch": lambda: f.store.get_touch(key, TTL),  # noqa: B023
                "put": lambda: f.store.put(key, value, TTL),  # noqa: B023
                "update": lambda: f.store.update(key, lambda old: old, TTL),  # noqa: B023
            }
            for op, call in calls.items():
                start = time.perf_counter_ns()
                found = call()
                samples[f.kind, f.size, op].append(time.perf_counter_ns() - start)
                if op.startswith("get") and found is None:
                    raise RuntimeError(f"{f.kind}: a live draft was not found")
    return samples


def lost_after_restart(f: Filled) -> int:
    """Drafts a fresh app on the same file or key prefix cannot read."""
    fresh = store_of(f.open_app("restart"))
    return sum(fresh.get(key) is None for key in f.keys)


def section(bench: Bench) -> Section:
    result = Section("Store operations with few and with many live drafts")
    app, store = dict_app(bench.root / "stores-payload")
    value = entry(store, filled(app, 3))
    root = bench.root / "stores"
    kinds: dict[str, Callable[[int], Callable[[str], Flask]]] = {
        "embedded SQLite": lambda n: (
            lambda name: build_app(
                root / f"sqlite-{n}-{name}", WIZARD_SQLITE_STORE=str(root / f"memory-{n}.sqlite3")
            )
        ),
    }
    if bench.redis:
        redis = bench.redis
        kinds["Redis"] = lambda n: lambda name: redis.app(root / f"redis-{n}-{name}", f"scale-{n}")
    else:
        result.missing.append(bench.redis_missing)
    stores = []
    for kind, opener in kinds.items():
        for n in bench.plan.live_drafts:
            log(f"stores: filling {kind} with {n:,} drafts")
            stores.append(fill(kind, n, value, opener(n)))
    log(f"stores: {bench.plan.op_rounds} rounds")
    samples = measure(stores, value, bench.plan.op_rounds)
    rows = []
    few, many = bench.plan.live_drafts[0], bench.plan.live_drafts[-1]
    for kind in kinds:
        medians = {
            (n, op): statistics.median(samples[kind, n, op]) / 1e3
            for n in (few, many)
            for op in OPS
        }
        ratios = {op: medians[many, op] / medians[few, op] for op in OPS}
        lost = sum(lost_after_restart(f) for f in stores if f.kind == kind)
        ok = max(ratios.values()) <= RATIO_TARGET and lost == 0
        rows += [
            [kind, f"{n:,}", *(f"{medians[n, op]:.1f}" for op in OPS), ""] for n in (few, many)
        ]
        rows.append(
            [
                kind,
                f"ratio {many:,} / {few:,}",
                *(f"{ratios[op]:.2f}x" for op in OPS),
                f"{lost:,} lost; {verdict(ok)}",
            ]
        )
        measured = (
            ", ".join(f"{op} {r:.2f}x" for op, r in ratios.items())
            + f"; {lost:,} lost after a restart"
        )
        result.glance.append(
            (
                f"Store operations, {kind}: {many:,} over {few:,} live drafts",
                "≤ 1.2x; none evicted",
                measured,
                verdict(ok),
            )
        )
    result.body = f"""Each store filled through the app's own store object (see bench/stores.py)
with {few:,} and {many:,} live drafts, each value the {len(value):,}-byte entry of a real 3-receipt
draft; then each operation on a random live draft, {bench.plan.op_rounds} times per store and
size, interleaved in random order. `update` is the draft save (read-modify-write in one
transaction). Medians in µs. "Lost": drafts a new app on the same file or key prefix (a
restart) could not read.

{table(["store", "live drafts", *(f"{op} µs" for op in OPS), "≤ 1.2x, none lost"], rows)}"""
    return result

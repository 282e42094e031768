"""The `steps` section: what keeping memory in a store adds to a step request."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable

from common import (
    Bench,
    Section,
    build_app,
    dict_app,
    log,
    paired_difference,
    quartiles_ms,
    table,
    timed_ns,
)
from walk import Browser, answered_up_to
from werkzeug.test import TestResponse

TARGET_MS = 0.1  # SPEC §8
RECEIPTS = 3
Request = tuple[str, Callable[[Browser], TestResponse]]
REQUESTS: tuple[Request, ...] = (
    (f"GET Categories ({RECEIPTS} receipts)", lambda b: b.page("categories")),
    ("GET Receipts", lambda b: b.page("receipts")),
    ("POST Continue on step 1", lambda b: b.answer("employee", "")),
)


def measure(
    browsers: dict[str, Browser], rounds: int, warmup: int
) -> dict[tuple[str, str], list[int]]:
    """Each request on each app, once a round, in a new random order each round."""
    calls = [(key, label, send) for key in browsers for label, send in REQUESTS]
    samples: dict[tuple[str, str], list[int]] = {(k, label): [] for k, label, _ in calls}
    rng = random.Random(1)
    for n in range(warmup + rounds):
        if n == warmup:
            gc.collect()
        rng.shuffle(calls)
        for key, label, send in calls:
            elapsed = timed_ns(lambda: send(browsers[key]))  # noqa: B023
            if n >= warmup:
                samples[key, label].append(elapsed)
    return samples


def section(bench: Bench) -> Section:
    result = Section("A step request: what the store adds over an in-process dict")
    apps = {
        "dict": dict_app(bench.root / "steps-dict")[0],
        "sqlite": build_app(bench.root / "steps-sqlite"),
    }
    if bench.redis:
        apps["redis"] = bench.redis.app(bench.root / "steps-redis", "steps")
    else:
        result.missing.append(bench.redis_missing)
    browsers = {
        k: answered_up_to(app.test_client(), "receipts", RECEIPTS) for k, app in apps.items()
    }
    rounds = bench.plan.step_rounds
    log(f"steps: {rounds} rounds x {len(browsers)} apps x {len(REQUESTS)} requests")
    samples = measure(browsers, rounds, rounds // 10)
    rows, overs = [], []
    for label, _ in REQUESTS:
        for key in browsers:
            mine = samples[key, label]
            over = paired_difference(mine, samples["dict", label]) if key != "dict" else None
            if over and key == "sqlite":
                overs.append(f"{label.split(' (')[0]} {over}")
            rows.append(
                [
                    label,
                    key,
                    f"{sorted(mine)[len(mine) // 2] / 1e6:.3f}",
                    quartiles_ms(mine),
                    over or "",
                    over.at_most(TARGET_MS) if over else "",
                ]
            )
    headers = ["request", "store", "median ms", "p25-p75 ms", "over dict ms [95% CI]"]
    result.body = f"""A draft with {RECEIPTS} receipts whose steps 1 and 2 are answered; two step
pages and step 1's Continue, through the test client. {rounds} rounds after {rounds // 10}
warm-up rounds, every request on every app once a round in a new random order; "over dict" is
the median of per-round differences with a distribution-free 95% interval.

**What this measures**: the same app with its store given as configuration
(`WIZARD_STORE_FACTORY`: a dict of the bytes the app writes, bench/common.py DictStore),
so the difference is the store's own cost (SQLite or Redis I/O). Encoding the draft and the
browser session's logic are in both: this is a lower bound of session memory's overhead, not
SPEC §8's "over no session at all", which only code inside the app could switch off.

{table([*headers, f"≤ {TARGET_MS} ms"], rows)}"""
    result.glance.append(
        (
            "Step request, embedded SQLite over an in-process dict store (ms)",
            f"≤ {TARGET_MS} ms (SPEC: over no session)",
            "; ".join(overs),
            "lower bound only",
        )
    )
    return result

"""The `strategies` section: a whole draft per place memory can live (on the server, in a
browser cookie, passed through the form), chosen on the start page as a person does."""

from __future__ import annotations

import gc
import random
import statistics
from collections.abc import Callable, Iterator
from itertools import cycle
from pathlib import Path
from typing import Any

from common import (
    Bench,
    Section,
    build_app,
    log,
    median_ms,
    paired_ratio,
    quartiles_ms,
    table,
    timed_ns,
)
from flask import Flask
from walk import Browser, Trip, WalkError
from werkzeug.test import Client

STRATEGIES = {
    "server": "On the server",
    "cookie": "In a browser cookie",
    "form": "Passed through the form",
}


def new_walker(client: Client, strategy: str) -> Browser:
    browser = Browser(client, strategy)
    browser.choose()  # once per browser, not per draft: not timed
    return browser


def measure(app: Flask, rounds: int, warmup: int) -> dict[str, list[int]]:
    """Whole drafts, every place once a round in a new random order, each by a new person."""
    for strategy in STRATEGIES:
        for _ in range(warmup):
            new_walker(app.test_client(), strategy).walk()
    gc.collect()
    samples: dict[str, list[int]] = {s: [] for s in STRATEGIES}
    order, rng = list(STRATEGIES), random.Random(7)
    for _ in range(rounds):
        rng.shuffle(order)
        for strategy in order:
            samples[strategy].append(timed_ns(new_walker(app.test_client(), strategy).walk))
    return samples


class Alternating:
    """A load balancer without sticky sessions: each request to the next of its apps."""

    def __init__(self, apps: list[Flask]) -> None:
        self._next: Iterator[Flask] = cycle(apps)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return next(self._next)(environ, start_response)


def across_two(root: Path, shared: bool, strategy: str) -> str:
    """Does a whole draft work with requests alternating between two app instances (one
    secret key, one reports database), whose stores are one SQLite file or each its own?"""
    config = {
        "SECRET_KEY": "bench-two-processes",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'reports.sqlite3'}",
    }
    apps = [
        build_app(
            root / name,
            WIZARD_SQLITE_STORE=str(
                root / ("memory.sqlite3" if shared else f"memory-{name}.sqlite3")
            ),
            **config,
        )
        for name in ("a", "b")
    ]
    try:
        new_walker(Client(Alternating(apps)), strategy).walk()
    except WalkError as e:
        return f"no: {e.label} got {e.status}"
    return "yes"


def _mean_max(values: list[int]) -> str:
    return f"{statistics.mean(values):,.0f} / {max(values):,}"


def section(bench: Bench) -> Section:
    app = build_app(bench.root / "strategies")
    rounds, warmup = bench.plan.rounds, bench.plan.warmup
    log(f"strategies: {rounds} rounds x {len(STRATEGIES)} places")
    samples = measure(app, rounds, warmup)
    trips: dict[str, Trip] = {s: new_walker(app.test_client(), s).walk() for s in STRATEGIES}
    several = {
        (shared, s): across_two(bench.root / f"two-{shared}-{s}", shared, s)
        for shared in (False, True)
        for s in STRATEGIES
    }
    ratio = {s: paired_ratio(samples[s], samples["server"]) for s in STRATEGIES if s != "server"}
    rows: list[list[Any]] = []

    def row(label: str, cell: Callable[[str], object]) -> None:
        rows.append([label, *(cell(s) for s in STRATEGIES)])

    row("requests per draft", lambda s: trips[s].requests)
    row("whole draft, median ms", lambda s: f"{median_ms(samples[s]):.2f}")
    row("whole draft, p25-p75 ms", lambda s: quartiles_ms(samples[s]))
    row("÷ on the server, paired [95% CI]", lambda s: ratio.get(s, "1"))
    row("ms per request", lambda s: f"{median_ms(samples[s]) / trips[s].requests:.2f}")
    row("browser sends per request, B: mean / max", lambda s: _mean_max(trips[s].sent))
    row("browser receives per response, B: mean / max", lambda s: _mean_max(trips[s].received))
    row("Cookie header at the review page, B", lambda s: f"{trips[s].held_cookies:,}")
    row(
        "draft carried by the browser at review, B",
        lambda s: (
            f"{trips[s].held_draft:,}"
            + (f" ({trips[s].state_copies} copies in the page)" if trips[s].state_copies else "")
        ),
    )
    row("2 app instances, each its own store", lambda s: several[False, s])
    row("2 app instances, one shared store", lambda s: several[True, s])
    result = Section("Where session memory lives: server, cookie, form")
    result.body = f"""A whole draft (start page, start, the four steps with 3 receipts, submit,
confirmation) by a new person who first chose where memory lives on the start page ("Use
this", not timed), on the default app, through the test client (bench/walk.py). Passed
through the form, each POST sends the page's `memory_state` field and is answered with the
next page itself. {rounds} rounds after {warmup} warm-up drafts each, every place once a round
in a new random order. Bytes as a browser counts them: request body + Cookie header;
response body + Set-Cookie headers. The last two rows walk one draft with requests
alternating between two app instances.

{table(["", *STRATEGIES.values()], rows)}"""
    cells = [
        f"{STRATEGIES[s]} {median_ms(samples[s]):.1f} ms ({ratio[s].median:.2f}x)"
        if s in ratio
        else f"{STRATEGIES[s]} {median_ms(samples[s]):.1f} ms"
        for s in STRATEGIES
    ]
    result.glance.append(
        ("Whole draft by where memory lives (÷ on the server)", "context", "; ".join(cells), "—")
    )
    return result

"""A whole draft, in-process: per store against django-formtools' SessionWizardView (the
`drafts` section), and one checkout's app against another's (`drafts --against`)."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import (
    ROOT,
    Bench,
    Section,
    build_app,
    dict_app,
    log,
    median_ms,
    paired_ratio,
    quartiles_ms,
    table,
    timed_ns,
)
from walk import STEPS, Trip, forms, pages, whole_draft, whole_support_request

TARGET = 2.0  # SPEC §8: the app at least this many times faster than the peer
RECEIPTS = 3
PEER = "peer"
WORKER = Path(__file__).resolve().parent / "drafts_worker.py"


@dataclass(frozen=True)
class Wizard:
    key: str
    label: str
    walk: Callable[[], Trip]


def measure(wizards: list[Wizard], rounds: int, warmup: int) -> dict[str, list[int]]:
    """Whole drafts, every wizard once per round, in a new random order each round."""
    for wizard in wizards:
        for _ in range(warmup):
            wizard.walk()
    gc.collect()
    samples: dict[str, list[int]] = {w.key: [] for w in wizards}
    order, rng = list(wizards), random.Random(3)
    for _ in range(rounds):
        rng.shuffle(order)
        for wizard in order:
            samples[wizard.key].append(timed_ns(wizard.walk))
    return samples


# The peer: django-formtools' SessionWizardView, the same answers ---------------------------


class PeerBrowser:
    """Django's test Client (CSRF enforced), with fresh cookies for every draft."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        self.token = ""
        self.trip = Trip()

    def see(self, response: Any, status: int, texts: tuple[str, ...]) -> str:
        location: str = response.headers.get("Location", "")
        body = response.content.decode()
        missing = [t for t in texts if t not in (location if status == 302 else body)]
        if response.status_code != status or missing:
            raise RuntimeError(
                f"peer: expected {status} with {missing}, got {response.status_code}"
            )
        self.trip.sent.append(0)  # only the count of requests is used
        if found := body.partition('name="csrfmiddlewaretoken" value="')[2]:
            self.token = found.split('"', 1)[0]
        return location

    def post(self, data: dict[str, str], status: int, texts: tuple[str, ...]) -> str:
        body = urlencode({"csrfmiddlewaretoken": self.token, **data})
        response = self.client.post(
            "/report/", body, content_type="application/x-www-form-urlencoded"
        )
        return self.see(response, status, texts)

    def walk(self, step_field: str) -> Trip:
        """Start page, the wizard (a GET starts afresh), four POSTs each answered with the
        next step's page, the last one redirecting to the confirmation: 7 requests."""
        self.client.cookies, self.trip = SimpleCookie(), Trip()
        want, answers = pages(RECEIPTS), peer_forms(step_field)
        self.see(self.client.get("/"), 200, want["start"])
        self.see(self.client.get("/report/"), 200, want["employee"])
        for step, after in pairwise(STEPS):
            self.post(answers[step], 200, want[after])
        done = self.post(answers["review"], 302, ("/confirmation/",))
        self.see(self.client.get(done), 200, want["confirmation"])
        return self.trip


def peer_forms(step_field: str) -> dict[str, dict[str, str]]:
    """The app's answers in the peer's field names (formset management forms, the
    wizard's current step, the purpose inside the categories step)."""
    ours = forms(RECEIPTS)
    purpose = {"categories-business_purpose": ours["categories"].pop("business_purpose")}
    answers = {
        "employee": ours["employee"],
        "receipts": {**_management("receipts", RECEIPTS, 0, 1), **ours["receipts"]},
        "categories": {
            **_management("categories", RECEIPTS, RECEIPTS, 0),
            **purpose,
            **ours["categories"],
        },
        "review": {"review-confirm": "on"},
    }
    return {step: {**data, step_field: step} for step, data in answers.items()}


def _management(prefix: str, total: int, initial: int, minimum: int) -> dict[str, str]:
    counts = {
        "TOTAL_FORMS": total,
        "INITIAL_FORMS": initial,
        "MIN_NUM_FORMS": minimum,
        "MAX_NUM_FORMS": 20,
    }
    return {f"{prefix}-{k}": str(v) for k, v in counts.items()}


def peer(data_dir: Path) -> Wizard:
    """SPEC §8's peer on Django's database session engine (SQLite, WAL)."""
    from peer_formtools import project

    project.configure(data_dir)
    from peer_formtools.views import ExpenseSessionWizard, prefix_of

    browser, step_field = PeerBrowser(), prefix_of(ExpenseSessionWizard)
    return Wizard(
        PEER, "django-formtools SessionWizardView (the peer)", lambda: browser.walk(step_field)
    )


# The section -----------------------------------------------------------------------------


def wizards(root: Path, redis_app: Any, missing: list[str]) -> list[Wizard]:
    """The default app (embedded SQLite), the app on an in-process dict (no store I/O),
    on Redis when it answers, and the peer when Django is installed."""
    sqlite, (in_dict, _) = build_app(root / "sqlite"), dict_app(root / "dict")
    found = [
        Wizard(
            "sqlite",
            "**embedded SQLite (the default)**",
            lambda: whole_draft(sqlite.test_client(), RECEIPTS),
        ),
        Wizard(
            "dict",
            "in-process dict store (no I/O)",
            lambda: whole_draft(in_dict.test_client(), RECEIPTS),
        ),
    ]
    found.append(
        Wizard(
            "support",
            "support request (SPEC §10), embedded SQLite",
            lambda: whole_support_request(sqlite.test_client()),
        )
    )
    if redis_app is not None:
        found.append(
            Wizard("redis", "Redis", lambda: whole_draft(redis_app.test_client(), RECEIPTS))
        )
    try:
        found.append(peer(root / "peer"))
    except ImportError as e:
        missing.append(f"django-formtools ({e}): `.venv/bin/pip install -e '.[bench]'`")
    return found


def section(bench: Bench) -> Section:
    result = Section("A whole draft, in-process: each store against django-formtools")
    redis_app = bench.redis.app(bench.root / "drafts-redis", "drafts") if bench.redis else None
    if redis_app is None:
        result.missing.append(bench.redis_missing)
    players = wizards(bench.root / "drafts", redis_app, result.missing)
    rounds, warmup = bench.plan.rounds, bench.plan.warmup
    log(f"drafts: {rounds} rounds x {len(players)} wizards")
    samples = measure(players, rounds, warmup)
    rows, ratio = [], None
    for w in players:
        requests, mine = w.walk().requests, median_ms(samples[w.key])
        over = (
            paired_ratio(samples[PEER], samples[w.key])
            if PEER in samples and w.key not in (PEER, "support")  # the peer is an expense form
            else None
        )
        ratio = over if w.key == "sqlite" else ratio
        cells = [requests, f"{mine:.2f}", quartiles_ms(samples[w.key]), f"{mine / requests:.2f}"]
        rows.append(
            [w.label, *cells, over or "", over.at_least(TARGET) if over is ratio and over else ""]
        )
    headers = ["wizard", "requests", "median ms", "p25-p75 ms", "ms per request"]
    result.body = f"""One new person per draft: start page, start, each step's page and form
({RECEIPTS} receipts), the confirmation, every response checked (bench/walk.py); the peer
answers each POST with the next step's page (7 requests). {rounds} rounds after {warmup}
warm-up drafts each, every wizard once a round in a new random order; "peer ÷ this" is the median of
per-round ratios with a distribution-free 95% interval. The peer (bench/peer_formtools):
the same fields, rules and pages on Django's database session engine (SQLite, WAL), CSRF
enforced, the report written through the ORM. The dict store (no I/O) shows what the
embedded store's I/O costs a draft.

{table([*headers, "peer ÷ this [95% CI]", f"≥ {TARGET:g}x (SPEC)"], rows)}"""
    if ratio is not None:
        times = (
            f"{ratio} ({median_ms(samples['sqlite']):.1f} ms vs {median_ms(samples[PEER]):.1f} ms)"
        )
        result.glance.append(
            (
                "Whole draft, embedded store, vs SessionWizardView",
                f"≥ {TARGET:g}x faster",
                times,
                ratio.at_least(TARGET),
            )
        )
    return result


# drafts --against: the same walk on two checkouts, in two worker processes ----------------


class Worker:
    """A process with one checkout's app first on PYTHONPATH, walking whole drafts on
    request (bench/drafts_worker.py): its answer is the draft's nanoseconds."""

    def __init__(self, tree: Path, instance: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, str(WORKER), str(instance), str(RECEIPTS)]
        self.process = subprocess.Popen(
            command, cwd=tree, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.app_dir = self._read()
        if not Path(self.app_dir).is_relative_to(tree.resolve()):
            raise RuntimeError(f"the worker for {tree} imported the app from {self.app_dir}")

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"a drafts worker stopped (exit {self.process.wait()}): see stderr")
        return str(json.loads(line))

    def walk(self, drafts: int = 1) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{drafts}\n")
        self.process.stdin.flush()
        return int(self._read())

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def against(other: Path, rounds: int, warmup: int) -> str:
    """Whole drafts on this checkout and on `other`, a round at a time in random order."""
    trees = {"this": ROOT, "against": other.resolve()}
    with tempfile.TemporaryDirectory(prefix="bench-against-") as scratch:
        workers = {k: Worker(tree, Path(scratch) / k) for k, tree in trees.items()}
        try:
            log(f"drafts --against: {warmup} warm-up drafts, then {rounds} rounds")
            for worker in workers.values():
                worker.walk(warmup)
            samples: dict[str, list[int]] = {k: [] for k in workers}
            order, rng = list(workers), random.Random(5)
            for _ in range(rounds):
                rng.shuffle(order)
                for key in order:
                    samples[key].append(workers[key].walk())
        finally:
            for worker in workers.values():
                worker.stop()
    rows = [
        [k, workers[k].app_dir, f"{median_ms(s):.2f}", quartiles_ms(s)] for k, s in samples.items()
    ]
    ratio = paired_ratio(samples["this"], samples["against"])
    return f"""A whole draft ({RECEIPTS} receipts, 11 requests, embedded SQLite), in-process through
the test client, in one worker process per checkout; {rounds} rounds after {warmup} warm-up
drafts each, every round one draft on each in a new random order.

{table(["checkout", "app imported from", "median ms", "p25-p75 ms"], rows)}

**this ÷ against, median of per-round ratios [95% CI]: {ratio}**
(below 1: this checkout is faster)"""

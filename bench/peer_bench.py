"""SPEC §8's speed target: a whole draft on the app against the same four-step wizard on
django-formtools (SessionWizardView, and NamedUrlSessionWizardView for context).

Run: .venv/bin/python bench/peer_bench.py [--quick] [--receipts 3] [--session-engine db]
Prints Markdown and writes it to bench/results/peer_bench.md (peer_bench-quick.md; the
engine's name is added when it is not the default).
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from measure import PACKAGES, ROOT, load_average, machine, median_ms, quartiles_ms, table, verdict
from peer_formtools import project
from peer_walks import PeerBrowser, Tally, walk_named_wizard, walk_ours, walk_session_wizard
from rate_limits import UNLIMITED
from variants import build_app

TARGET = 5.0  # the app at least this many times faster
PEER_PACKAGES = (*PACKAGES, "Flask-WTF", "WTForms", "Jinja2", "Django", "django-formtools")
ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "cache": "django.contrib.sessions.backends.cache",
    "file": "django.contrib.sessions.backends.file",
    "signed_cookies": "django.contrib.sessions.backends.signed_cookies",
}


@dataclass(frozen=True)
class Contender:
    key: str
    label: str
    walk: Callable[[], Tally]


@dataclass(frozen=True)
class Ratio:
    """The median of per-round ratios (peer ms / app ms) and its 95% confidence interval."""

    median: float
    low: float
    high: float

    def at_least(self, target: float) -> str:
        if self.low >= target:
            return "met"
        if self.high < target:
            return "**not met**"
        return f"undecided (median {verdict(self.median >= target)})"

    def __str__(self) -> str:
        return f"{self.median:.2f}x [{self.low:.2f}, {self.high:.2f}]"


def paired_ratio(peer_ns: list[int], ours_ns: list[int]) -> Ratio:
    """Distribution-free interval from order statistics (the sign test's), as measure.py."""
    ratios = sorted(p / o for p, o in zip(peer_ns, ours_ns, strict=True))
    n = len(ratios)
    k = max(0, math.floor(n / 2 - 1.96 * math.sqrt(n) / 2))
    return Ratio(statistics.median(ratios), ratios[k], ratios[n - 1 - k])


def contenders(scratch: Path, receipts: int, engine: str) -> list[Contender]:
    """The app as it runs by default (SQLiteStore) and the peer's two wizard views."""
    app = build_app(scratch / "app")  # the rate limits lifted (bench/rate_limits.py)
    ours = Contender(
        "ours", "**Expense Wizard** (Flask, SQLiteStore)", lambda: walk_ours(app, receipts)
    )
    return [ours, *peer_contenders(scratch / "peer", receipts, engine)]


def peer_contenders(data_dir: Path, receipts: int, engine: str = "db") -> list[Contender]:
    """The peer's two wizard views ("session": SPEC §8's peer, "named"); configures Django
    (once per process) with its data in data_dir."""
    project.configure(data_dir, ENGINES[engine])
    from peer_formtools.views import ExpenseNamedUrlWizard, ExpenseSessionWizard, prefix_of

    session_peer, named_peer = PeerBrowser(), PeerBrowser()
    session_field, named_field = prefix_of(ExpenseSessionWizard), prefix_of(ExpenseNamedUrlWizard)
    return [
        Contender(
            "session",
            "django-formtools SessionWizardView (SPEC §8's peer)",
            lambda: walk_session_wizard(session_peer, receipts, session_field),
        ),
        Contender(
            "named",
            "django-formtools NamedUrlSessionWizardView",
            lambda: walk_named_wizard(named_peer, receipts, named_field),
        ),
    ]


def measure(players: list[Contender], rounds: int, warmup: int) -> dict[str, list[int]]:
    """Whole drafts, every contender once per round, in a new random order each round."""
    for player in players:
        for _ in range(warmup):
            player.walk()
    gc.collect()
    samples: dict[str, list[int]] = {p.key: [] for p in players}
    order, rng = list(players), random.Random(3)
    for _ in range(rounds):
        rng.shuffle(order)
        for player in order:
            start = time.perf_counter_ns()
            player.walk()
            samples[player.key].append(time.perf_counter_ns() - start)
    return samples


def results_table(players: list[Contender], samples: dict[str, list[int]]) -> str:
    headers = [
        "wizard",
        "requests",
        "KB of responses",
        "median ms per draft",
        "p25-p75 ms",
        "ms per request",
        "peer ÷ app [95% CI]",
        f"app ≥ {TARGET:g}x faster",
    ]
    rows = []
    for player in players:
        tally = player.walk()  # one more, for its counts (already checked in every round)
        mine, lo_hi = samples[player.key], quartiles_ms(samples[player.key])
        ratio = None if player.key == "ours" else paired_ratio(mine, samples["ours"])
        rows.append(
            [
                player.label,
                tally.requests,
                f"{tally.html_bytes / 1024:.1f}",
                f"{median_ms(mine):.2f}",
                f"{lo_hi[0]:.2f}-{lo_hi[1]:.2f}",
                f"{median_ms(mine) / tally.requests:.2f}",
                "" if ratio is None else str(ratio),
                "" if ratio is None else ratio.at_least(TARGET),
            ]
        )
    return table(headers, rows)


def report(
    players: list[Contender], samples: dict[str, list[int]], args: argparse.Namespace
) -> str:
    rounds = len(samples["ours"])
    return f"""# A whole draft: Expense Wizard against django-formtools (SPEC §8: ≥ {TARGET:g}x)

{machine(PEER_PACKAGES)}

In-process, one new person per draft (fresh cookies), {args.receipts} receipts of 12.50 EUR,
the same answers on both (bench/driver.py). {rounds} rounds after {args.warmup} warm-up drafts
each; every round walks each wizard once, in a new random order. Every response is checked
(status, and key text of its page or its redirect's Location). "peer ÷ app" is the median of
the per-round ratios with its distribution-free 95% interval; the target is met when the whole
interval is ≥ {TARGET:g}.

{results_table(players, samples)}

- **App**: start page, start (POST: a new draft), each step's page and Continue (303), the
  confirmation: 11 requests through Flask's test client, the default embedded SQLiteStore,
  CSRF checked, reports written to SQLite through SQLAlchemy. One client starts every draft,
  so the rate limits are raised to {UNLIMITED} (still counted, never reached).
- **SessionWizardView**: start page, GET of the wizard (formtools starts afresh on a GET),
  four POSTs each answered with the next step's page (no redirects), the last one running
  done() and redirecting to the confirmation: 7 requests.
- **NamedUrlSessionWizardView**: one URL per step and a redirect after every POST, like the
  app; formtools adds a redirect through its "done" step: 12 requests.
- Peer setup (bench/peer_formtools): Django's test Client with CSRF enforced; DEBUG off
  (cached template loader); session engine `{ENGINES[args.session_engine]}` on one SQLite
  file in WAL mode with synchronous=NORMAL, like the app's store; reports and line items
  written by done() through the ORM in one transaction; SecurityMiddleware, SessionMiddleware,
  CommonMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware and the app's two extra
  headers; USE_I18N off. Same fields, messages and rules as the app (no receipt files).
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 rounds, under a minute")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--receipts", type=int, default=3)
    parser.add_argument("--session-engine", choices=list(ENGINES), default="db")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.warmup = 20, 3
    return args


def output_path(args: argparse.Namespace) -> Path:
    name = "peer_bench" + ("" if args.session_engine == "db" else f"-{args.session_engine}")
    name += "" if args.receipts == 3 else f"-{args.receipts}receipts"
    return ROOT / "bench" / "results" / f"{name}{'-quick' if args.quick else ''}.md"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="peer-bench-") as scratch:
        players = contenders(Path(scratch), args.receipts, args.session_engine)
        samples = measure(players, args.rounds, args.warmup)
        text = report(players, samples, args)
    text += (
        f"\n_Run time: {time.perf_counter() - started:.0f} s. "
        f"Load average (1 min) at the end: {load_average()}._\n"
    )
    out = output_path(args)
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"written to {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

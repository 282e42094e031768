"""Every figure of SPEC §8 in one run: a Markdown summary and a chart.

Run: scripts/bench [--quick] [--allow-missing] [--only drafts,steps,...]
(or .venv/bin/python bench/run_all.py with the same options). Writes
bench/results/summary.md and bench/results/summary.png (summary-quick.* for --quick,
summary-smoke.* for --smoke). The sections are the other scripts of bench/, run with one
plan; each section's table is theirs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis_service
from driver import LONGEST, TYPICAL
from load_bench import FULL as LOAD_FULL
from load_bench import QUICK as LOAD_QUICK
from load_bench import Plan as LoadPlan
from measure import (
    PACKAGES,
    ROOT,
    Difference,
    load_average,
    machine,
    median_ms,
    median_us,
    paired_difference,
    quartiles_ms,
    table,
    verdict,
)
from memory_size import (
    SIZE_TARGET,
    TARGET_RECEIPTS,
    draft_entry,
    filled_draft,
    measure_sizes,
    sizes_table,
)
from peer_bench import TARGET as PEER_TARGET
from peer_bench import Contender, Ratio, paired_ratio
from peer_bench import measure as measure_walks
from peer_walks import walk_ours
from requests_bench import OVERHEAD_TARGET_MS, RECEIPTS, STEP_REQUESTS, measure_steps, steps_table
from store_scale import (
    MAKERS,
    OPS,
    RATIO_TARGET,
    SQLITE_KINDS,
    Population,
    check_integrity,
    integrity_table,
    measure_ops,
    ops_table,
    populate,
    ratios,
)
from variants import DEFAULT, FLOOR, REDIS, Variant, build_variants, redis_variant

RESULTS = ROOT / "bench" / "results"
SECTIONS = ("drafts", "steps", "sizes", "stores", "load", "weight", "strategies")
LOAD_SERVERS = ("sync", "gthread")  # both gunicorn with 2 workers (bench/load_server.py)
COOKIE = "cookie"
PEER = "session"  # peer_bench's key for SessionWizardView
PACKAGES_SHOWN = (
    *PACKAGES,
    "Flask-SQLAlchemy",
    "Flask-Limiter",
    "redis",
    "Django",
    "django-formtools",
    "gunicorn",
    "locust",
    "playwright",
    "matplotlib",
)


@dataclass(frozen=True)
class Plan:
    name: str
    draft_rounds: int
    draft_warmup: int
    step_rounds: int
    step_warmup: int
    live_drafts: tuple[int, ...]
    op_rounds: int
    load: LoadPlan


SMOKE = Plan("smoke", 3, 1, 10, 2, (200, 1_000), 100, LoadPlan(users=4, seconds=5, quick=True))
QUICK = Plan("quick", 30, 3, 150, 20, (1_000, 3_000, 10_000), 1_000, LOAD_QUICK)
FULL = Plan("full", 300, 10, 1_000, 100, (1_000, 10_000, 100_000), 4_000, LOAD_FULL)


@dataclass(frozen=True)
class Figure:
    """One row of the at-a-glance table."""

    figure: str
    target: str
    measured: str
    verdict: str


Panel = tuple[str, Callable[[Any], None]]  # a chart panel: its title, and what draws it


@dataclass
class Section:
    key: str
    title: str
    body: str = ""
    figures: list[Figure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # prerequisites not there
    failed: str = ""  # the error that stopped the section
    panels: list[Panel] = field(default_factory=list)

    def markdown(self) -> str:
        parts = [f"## {self.title}"]
        parts += [f"**Not measured: {reason}.**" for reason in self.missing]
        if self.failed:
            parts.append(f"**Failed:** `{self.failed}` (traceback on stderr)")
        return "\n\n".join([*parts, self.body] if self.body else parts)


class Bench:
    """What the sections share: the plan, the scratch folder, the apps, Redis."""

    def __init__(self, plan: Plan, root: Path) -> None:
        self.plan = plan
        self.root = root
        self.redis_problem = redis_service.unreachable()
        self.redis_keys = redis_service.RunKeys()
        self._variants: dict[str, Variant] = {}

    def no_redis(self) -> str:
        return f"RedisStore: no Redis answered at {redis_service.REDIS_URL} (see Redis above)"

    def variant(self, key: str) -> Variant:
        """The app for this way of keeping memory (bench/variants.py), built once."""
        if key not in self._variants:
            if key == REDIS:
                url, prefix = redis_service.REDIS_URL, self.redis_keys.under("app")
                self._variants[key] = redis_variant(self.root / "apps", url, prefix)
            else:
                self._variants[key] = build_variants(self.root / "apps", [key])[0]
        return self._variants[key]

    def with_redis(self, keys: list[str], section: Section) -> list[Variant]:
        """These variants, plus Redis when it answers (else the section says it is missing)."""
        if self.redis_problem:
            section.missing.append(self.no_redis())
        else:
            keys = [*keys, REDIS]
        return [self.variant(key) for key in keys]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _missing_module(module: str, extra: str) -> str | None:
    if importlib.util.find_spec(module) is None:
        return f"{module} is not installed (`.venv/bin/pip install -e '.[{extra}]'`)"
    return None


# 1. A whole draft -------------------------------------------------------------------------


def section_drafts(bench: Bench) -> Section:
    section = Section("drafts", "1. A whole draft, in-process, per store, against django-formtools")
    variants = bench.with_redis([FLOOR, DEFAULT], section)
    players = [Contender(v.key, v.label, _walk(v)) for v in variants]
    try:
        from peer_bench import peer_contenders

        peers = peer_contenders(bench.root / "peer", RECEIPTS)
        players += [p for p in peers if p.key == PEER]
    except ImportError as e:
        section.missing.append(f"django-formtools ({e}); `.venv/bin/pip install -e '.[bench]'`")
    rounds, warmup = bench.plan.draft_rounds, bench.plan.draft_warmup
    _log(f"1. whole drafts: {rounds} rounds x {len(players)} wizards")
    samples = measure_walks(players, rounds, warmup)
    requests = {p.key: p.walk().requests for p in players}
    section.body = _drafts_text(players, samples, requests, bench.plan)
    section.figures = _drafts_figures(players, samples)
    section.panels = [
        (
            "A whole draft: median ms (p25-p75), and how many times faster than formtools",
            _draft_panel(players, samples),
        )
    ]
    return section


def _walk(variant: Variant) -> Callable[[], Any]:
    return lambda: walk_ours(variant.app, RECEIPTS)


def _ratio(samples: dict[str, list[int]], key: str) -> Ratio | None:
    """SessionWizardView's time over this wizard's, per round (how many times faster)."""
    if PEER not in samples or key == PEER:
        return None
    return paired_ratio(samples[PEER], samples[key])


def _drafts_text(
    players: list[Contender], samples: dict[str, list[int]], requests: dict[str, int], plan: Plan
) -> str:
    rows = []
    for p in players:
        mine = samples[p.key]
        lo, hi = quartiles_ms(mine)
        ratio = _ratio(samples, p.key)
        floor = "" if p.key in (FLOOR, PEER) else str(_over(samples, p.key, FLOOR))
        target = ratio.at_least(PEER_TARGET) if ratio and p.key == DEFAULT else ""
        cells = [requests[p.key], f"{median_ms(mine):.2f}", f"{lo:.2f}-{hi:.2f}"]
        cells += [f"{median_ms(mine) / requests[p.key]:.2f}", floor, ratio or "", target]
        rows.append([p.label, *cells])
    headers = ["wizard", "requests", "median ms", "p25-p75 ms", "ms per request"]
    headers += ["over floor ms [95% CI]", "SessionWizardView ÷ this [95% CI]", "≥ 5x (SPEC)"]
    return f"""One new person per draft: start page, start, each of the four steps' page and
Continue ({RECEIPTS} receipts), the confirmation, through each framework's test client, every
response checked (bench/peer_walks.py). {plan.draft_rounds} rounds after {plan.draft_warmup}
warm-up drafts each; every round walks each wizard once, in a new random order. Ratios are
medians of per-round ratios with a distribution-free 95% interval.

{table(headers, rows)}

- **Floor**: the same app, views, forms, templates, CSRF checks and rate limiter, with the
  browser session and the draft kept as live Python objects (bench/floor.py): what a draft
  costs with session memory free. "SessionWizardView ÷ floor" bounds what any optimisation of
  session memory could reach against the peer.
- **SessionWizardView**: django-formtools on Django's database session engine (SQLite, WAL),
  the same fields and rules (bench/peer_formtools): 7 requests, as it answers each POST with
  the next step's page instead of a redirect.
- The Redis app keeps its rate-limit counters in the same Redis, as it does in production."""


def _over(samples: dict[str, list[int]], key: str, base: str) -> Difference:
    return paired_difference(samples[key], samples[base])


def _drafts_figures(players: list[Contender], samples: dict[str, list[int]]) -> list[Figure]:
    if PEER not in samples:
        return [Figure("Whole draft vs SessionWizardView", "≥ 5x", "peer not measured", "—")]
    labels = {FLOOR: "floor (no session memory)", DEFAULT: "embedded SQLite", REDIS: "Redis"}
    peer_ms = median_ms(samples[PEER])
    figures = []
    for p in players:
        ratio = _ratio(samples, p.key)
        if ratio is None:
            continue
        measured = f"{ratio} ({median_ms(samples[p.key]):.1f} ms vs {peer_ms:.1f} ms)"
        spec = p.key == DEFAULT
        figures.append(
            Figure(
                f"Whole draft, {labels[p.key]}: times faster than SessionWizardView",
                "≥ 5x" if spec else ("the bound: context" if p.key == FLOOR else "context"),
                measured,
                ratio.at_least(PEER_TARGET) if spec else "—",
            )
        )
    return figures


def _draft_panel(players: list[Contender], samples: dict[str, list[int]]) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        names = [_short(p.label) for p in players]
        medians = [median_ms(samples[p.key]) for p in players]
        spreads = [quartiles_ms(samples[p.key]) for p in players]
        errors = [[m - lo for m, (lo, _) in zip(medians, spreads, strict=True)]]
        errors += [[hi - m for m, (_, hi) in zip(medians, spreads, strict=True)]]
        colours = ["#999999" if p.key in (FLOOR, PEER) else "#1f77b4" for p in players]
        bars = ax.bar(names, medians, yerr=errors, capsize=4, color=colours)
        ratios = [_ratio(samples, p.key) for p in players]
        labels = [
            f"{m:.1f}" + (f"\n{r.median:.2f}x" if r else "")
            for m, r in zip(medians, ratios, strict=True)
        ]
        ax.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=9)
        ax.set_ylabel("ms per draft")
        ax.tick_params(axis="x", labelsize=8)

    return draw


def _short(label: str) -> str:
    """A label short enough for a chart axis."""
    text = label.replace("*", "").split(" (")[0]
    return {"SessionWizardView": "formtools\nSessionWizardView"}.get(
        text.removeprefix("django-formtools "), text.replace(", ", "\n")
    )


# 2. A step request's overhead ---------------------------------------------------------------


def section_steps(bench: Bench) -> Section:
    section = Section("steps", "2. A step request: what session memory adds")
    variants = bench.with_redis([FLOOR, COOKIE, DEFAULT], section)
    plan = bench.plan
    _log(f"2. step requests: {plan.step_rounds} rounds x {len(variants)} variants x 3 requests")
    samples = measure_steps(variants, plan.step_rounds, plan.step_warmup)
    section.body = f"""In-process through Flask's test client, on a draft with {RECEIPTS} receipts
whose steps 1 and 2 are done: two step pages and a step's Continue. {plan.step_rounds} rounds
after {plan.step_warmup} warm-up rounds, each sending every variant's three requests once in a
new random order; "over" columns are medians of per-round paired differences with a
distribution-free 95% interval ("met" when the whole interval is ≤ 0.3 ms). The floor is "no
session at all" (bench/floor.py); the signed cookie is Flask's own cookie session carrying
the draft.

{steps_table(variants, samples, also_over=COOKIE)}"""
    section.figures = [_steps_figure(variants, samples, key) for key in (DEFAULT, REDIS)]
    section.figures = [f for f in section.figures if f is not None]
    section.panels = [
        ("A step request: ms over no session (95% CI)", _steps_panel(variants, samples))
    ]
    return section


def _overheads(samples: dict[tuple[str, str], list[int]], key: str) -> list[Difference]:
    return [
        paired_difference(samples[key, r.label], samples[FLOOR, r.label]) for r in STEP_REQUESTS
    ]


def _steps_figure(
    variants: list[Variant], samples: dict[tuple[str, str], list[int]], key: str
) -> Figure | None:
    if key not in {v.key for v in variants}:
        return None
    overs = _overheads(samples, key)
    combined = _combined([o.within(OVERHEAD_TARGET_MS) for o in overs], overs)
    measured = "; ".join(f"{r.label} {o}" for r, o in zip(STEP_REQUESTS, overs, strict=True))
    spec = key == DEFAULT
    return Figure(
        f"Step request over no session, {'embedded SQLite' if spec else 'Redis'} (ms [95% CI])",
        "≤ 0.3 ms" if spec else "context",
        measured,
        combined if spec else "—",
    )


def _combined(verdicts: list[str], overs: list[Difference]) -> str:
    """Met if every request met it, not met if one did not; else undecided (an interval
    straddles the target), with the worst median's side."""
    if all(v == "met" for v in verdicts):
        return "met"
    if "**not met**" in verdicts:
        return "**not met**"
    worst = max(o.median for o in overs)
    return f"undecided (worst median {verdict(worst <= OVERHEAD_TARGET_MS)})"


def _steps_panel(
    variants: list[Variant], samples: dict[tuple[str, str], list[int]]
) -> Callable[[Any], None]:
    shown = [v for v in variants if v.key != FLOOR]

    def draw(ax: Any) -> None:
        width = 0.8 / len(shown)
        for i, variant in enumerate(shown):
            overs = _overheads(samples, variant.key)
            xs = [j + i * width for j in range(len(STEP_REQUESTS))]
            medians = [o.median for o in overs]
            errors = [[o.median - o.low for o in overs], [o.high - o.median for o in overs]]
            ax.bar(xs, medians, width, yerr=errors, capsize=3, label=_short(variant.label))
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(STEP_REQUESTS))])
        ax.set_xticklabels([r.label.replace(" (", "\n(") for r in STEP_REQUESTS], fontsize=8)
        _finish(ax, OVERHEAD_TARGET_MS, "target 0.3 ms", "ms over no session")

    return draw


# 3. Draft size -----------------------------------------------------------------------------


def section_sizes(bench: Bench) -> Section:
    section = Section("sizes", "3. The memory of one draft: bytes with 1, 10 and 20 receipts")
    _log("3. draft sizes")
    sizes = measure_sizes(bench.variant(DEFAULT).app, bench.variant(COOKIE).app)
    section.body = f"""Each draft filled through the real wizard (every step but the review's
tick), then read from the embedded store; Redis keeps the same bytes (the same encoding).
"Draft entry" is the store's value (msgpack: values, which step wrote each, times);
"total_size" is SessionState.total_size(), the values as compact JSON.

{sizes_table(sizes)}"""
    typical = [s for s in sizes if s.receipts == TARGET_RECEIPTS and s.filling.typical]
    largest = max(max(s.entry, s.values) for s in typical)
    measured = "; ".join(
        f"{s.filling.label}: entry {s.entry:,} B, values {s.values:,} B" for s in typical
    )
    section.figures = [
        Figure(
            "Session memory of a 10-receipt draft",
            "≤ 3 KB",
            measured,
            verdict(largest <= SIZE_TARGET),
        )
    ]
    section.panels = [("One draft's memory (store entry, bytes)", _sizes_panel(sizes))]
    return section


def _sizes_panel(sizes: list[Any]) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        for filling in dict.fromkeys(s.filling for s in sizes):
            mine = [s for s in sizes if s.filling == filling]
            label = {TYPICAL: "typical"}.get(filling.texts, "longest text")
            label += ", a file each" if filling.files else ""
            style = "--" if filling.texts == LONGEST else "-"
            ax.plot(
                [s.receipts for s in mine], [s.entry for s in mine], style, marker="o", label=label
            )
        ax.set_xlabel("receipts")
        ax.set_xticks(sorted({s.receipts for s in sizes}))
        _finish(ax, SIZE_TARGET, "target 3 KB (10 receipts)", "bytes")

    return draw


# 4. Store operations at scale ----------------------------------------------------------------


def section_stores(bench: Bench) -> Section:
    section = Section("stores", "4. Store operations with many live drafts")
    makers = {f"{SQLITE_KINDS[0]}, embedded": MAKERS[SQLITE_KINDS[0]]}
    if bench.redis_problem:
        section.missing.append(bench.no_redis())
    else:
        makers["RedisStore"] = bench.redis_keys.store_maker()
    app = bench.variant(DEFAULT).app
    payload = draft_entry(app, filled_draft(app, RECEIPTS))
    populations = []
    for kind, make in makers.items():
        for size in bench.plan.live_drafts:
            _log(f"4. filling {kind} with {size:,} drafts")
            populations.append(populate(kind, size, payload, bench.root / "scale", make))
    _log(f"4. store operations: {bench.plan.op_rounds} rounds")
    ops = measure_ops(populations, payload, bench.plan.op_rounds)
    checks = [check_integrity(p) for p in populations]
    sizes = ", ".join(f"{n:,}" for n in bench.plan.live_drafts)
    section.body = f"""Each store filled with {sizes} live drafts (random 22-character ids, each
value the {len(payload):,}-byte entry of a real {RECEIPTS}-receipt draft); then each operation
on a random live draft, {bench.plan.op_rounds} times per store and size, all interleaved in
random order (bench/store_scale.py). `update` is the draft save (read-modify-write in one
transaction; WATCH/MULTI on Redis). Medians in µs.

{ops_table(populations, ops)}

Nothing lost: count() afterwards, then a fresh store object on the same file or key prefix
(a restart) reads every draft by its key.

{integrity_table(checks)}"""
    section.figures = [_stores_figure(populations, ops, checks, kind) for kind in makers]
    section.panels = [
        ("Store operations (median µs) by live drafts", _stores_panel(populations, ops))
    ]
    return section


def _stores_figure(populations: list[Population], ops: Any, checks: list[Any], kind: str) -> Figure:
    found = ratios(populations, ops, kind)
    worst = max(found, key=found.__getitem__)
    lost = sum(c.size - c.after_restart for c in checks if c.kind == kind)
    sizes = sorted(p.size for p in populations if p.kind == kind)
    ok = found[worst] <= RATIO_TARGET and lost == 0
    return Figure(
        f"Store operations, {kind}: {sizes[-1]:,} over {sizes[0]:,} live drafts",
        "≤ 1.2x; none evicted",
        f"worst {worst} {found[worst]:.2f}x ("
        + ", ".join(f"{op} {found[op]:.2f}x" for op in OPS)
        + f"); evicted {lost:,}",
        verdict(ok),
    )


def _stores_panel(populations: list[Population], ops: Any) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        for n, kind in enumerate(dict.fromkeys(p.kind for p in populations)):
            sizes = sorted(p.size for p in populations if p.kind == kind)
            for i, op in enumerate(OPS):
                ys = [median_us(ops[kind, size, op]) for size in sizes]
                style = ("-", "--", ":")[n % 3]
                ax.plot(
                    sizes,
                    ys,
                    style,
                    marker="os"[n % 2],
                    color=f"C{i}",
                    label=f"{kind.split(' ')[0]} {op}",
                )
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(sizes, [f"{size:,}" for size in sizes])
        ax.set_ylim(bottom=0)
        ax.set_xlabel("live drafts in the store")
        ax.set_ylabel("µs per operation")
        ax.legend(fontsize=6, ncol=2)

    return draw


# 5. HTTP under load -------------------------------------------------------------------------


def section_load(bench: Bench) -> Section:
    import load_bench
    from load_server import CONFIGS
    from load_stats import TARGET_P99_MS, step_table, summary_table

    section = Section("load", "5. HTTP under load: gunicorn, 2 workers, simulated people")
    for module, extra in (("locust", "bench"), ("gunicorn", "prod")):
        if problem := _missing_module(module, extra):
            section.missing.append(problem)
    if section.missing:
        return section
    plan = bench.plan.load
    runs = [load_bench.measure(CONFIGS[s], plan, "paced", bench.root) for s in LOAD_SERVERS]
    parts = [load_bench.method(plan, "###"), summary_table(runs), load_bench.cpu_note(runs)]
    parts += [f"### {run.server}, {run.mode}\n\n{step_table(run)}" for run in runs]
    only_paced = "Only the paced load (the SPEC's) runs here; `bench/load_bench.py` adds flat."
    section.body = "\n\n".join([only_paced, *parts])
    section.figures = [
        Figure(
            f"HTTP, {run.server}, {run.users} users, paced, {plan.seconds} s",
            f"0 errors, step p99 ≤ {TARGET_P99_MS:g} ms",
            f"{run.overall.count / run.seconds:.0f} req/s, {run.errors_shown} errors, "
            f"p50/p95/p99 {run.overall.p50:.1f}/{run.overall.p95:.1f}/{run.overall.p99:.1f} ms, "
            f"worst step p99 {run.worst_p99.p99:.1f} ms ({run.worst_p99.name})",
            run.verdict(),
        )
        for run in runs
    ]
    section.panels = [
        (f"Under load: {run.server} (ms per request)", _load_panel(run, TARGET_P99_MS))
        for run in runs
    ]
    return section


def _load_panel(run: Any, target: float) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        names = [s.name for s in run.steps]
        width = 0.27
        for i, percentile in enumerate(("p50", "p95", "p99")):
            xs = [j + (i - 1) * width for j in range(len(names))]
            ax.bar(xs, [getattr(s, percentile) for s in run.steps], width, label=percentile)
        _finish(ax, target, f"target p99 {target:g} ms", "ms", names, rotation=60)

    return draw


# 6. Page weight -----------------------------------------------------------------------------


def section_weight(bench: Bench) -> Section:
    section = Section("weight", "6. Page weight, and requests to other hosts")
    if problem := _missing_module("playwright", "test"):
        section.missing.append(problem)
        return section
    import page_weight

    if not os.path.exists(page_weight.CHROMIUM):
        section.missing.append(
            f"no Chromium at {page_weight.CHROMIUM}: `apt-get install -y "
            "--no-install-recommends chromium fonts-liberation` (never `playwright install`)"
        )
        return section
    _log("6. page weight")
    server, pages = page_weight.measure(bench.root / "weight-instance")
    problems = [f"- {p.name}: requests to {', '.join(p.foreign)}" for p in pages if p.foreign]
    problems += [f"- {p.name}: {r.url} answered {r.status}" for p in pages for r in p.broken]
    section.body = "\n\n".join(
        [
            page_weight.method(server),
            page_weight.weight_table(pages),
            "Problems:\n\n" + ("\n".join(problems) or "- none"),
        ]
    )
    heaviest = max(pages, key=lambda p: p.size())
    foreign = sorted({u for p in pages for u in p.foreign})
    section.figures = [
        Figure(
            "Heaviest page (HTML + CSS + JS + other, uncompressed)",
            f"≤ {page_weight.TARGET_BYTES:,} B",
            f"{heaviest.size():,} B ({heaviest.name})",
            verdict(all(p.size() <= page_weight.TARGET_BYTES for p in pages)),
        ),
        Figure(
            "Requests to another host",
            "none",
            ", ".join(foreign) or f"none on {len(pages)} pages",
            verdict(not foreign),
        ),
    ]
    section.panels = [
        ("Page weight (bytes, uncompressed)", _weight_panel(pages, page_weight.TARGET_BYTES))
    ]
    return section


def _weight_panel(pages: list[Any], target: int) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        names = [p.name.replace(" (", "\n(") for p in pages]
        bottom = [0] * len(pages)
        for kind in ("HTML", "CSS", "JS", "other"):
            values = [p.size(kind) for p in pages]
            ax.bar(range(len(pages)), values, bottom=bottom, label=kind)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        _finish(ax, target, f"target {target:,} B", "bytes", names, rotation=30)

    return draw


def _finish(
    ax: Any, target: float, target_label: str, ylabel: str, names: Any = None, rotation: int = 0
) -> None:
    """A panel's target line, category labels (names, when given), axis label and legend."""
    ax.axhline(target, color="red", linestyle="--", label=target_label)
    if names is not None:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=rotation, ha="right", fontsize=7)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


# 7. Where session memory lives ---------------------------------------------------------------


def section_strategies(bench: Bench) -> Section:
    import strategy_bench as sb

    section = Section("strategies", "7. Where session memory lives: server, cookie, form")
    app = bench.variant(DEFAULT).app
    rounds, warmup = bench.plan.draft_rounds, bench.plan.draft_warmup
    _log(f"7. strategies: {rounds} rounds x {len(sb.STRATEGIES)} whole drafts")
    samples = sb.measure(app, rounds, warmup)
    trips = sb.counted_trips(app)
    several = sb.several_processes(bench.root)
    n = sb.RECEIPTS
    section.body = f"""A whole draft (start page, start, the four steps with {n} receipts, submit,
confirmation) by a new person who first chose where memory lives on the start page ("Use
this", untimed), for each place in turn, on the default app (embedded SQLiteStore),
in-process through the test client (bench/strategy_bench.py). {rounds} rounds after {warmup}
warm-up drafts each; every round walks each place once, in a new random order; "÷ on the
server" is the median of per-round ratios with a distribution-free 95% interval. Every
response is checked as in section 1, and the review page and the confirmation must show the
typed name: under "passed through the form" each POST sends the `memory_state` field of the
page it came from and is answered with the next page itself (one request per step; the app
still renders that page inside the same request). Bytes as a browser sends them: request
body (multipart for the step forms, as their enctype says) + Cookie header; response body +
Set-Cookie headers; other headers not counted. The two last rows walk one draft with
requests alternating between two app instances (one secret key, one reports database) whose
session-memory store is their own or one shared SQLite file.

{sb.strategies_table(samples, trips, several)}

{sb.reading(samples, trips, several)}"""
    section.figures = [
        Figure(
            "Whole draft by where memory lives: median ms (÷ on the server), requests, "
            "B the browser sends a request",
            "context",
            sb.at_a_glance(samples, trips),
            "—",
        )
    ]
    section.panels = [
        ("A whole draft by where memory lives: median ms (p25-p75)", sb.chart_panel(samples, trips))
    ]
    return section


# The run --------------------------------------------------------------------------------------

RUNNERS: dict[str, Callable[[Bench], Section]] = {
    "drafts": section_drafts,
    "steps": section_steps,
    "sizes": section_sizes,
    "stores": section_stores,
    "load": section_load,
    "weight": section_weight,
    "strategies": section_strategies,
}


def run_section(key: str, bench: Bench) -> Section:
    """Run one section; an error stops it, never the others."""
    try:
        return RUNNERS[key](bench)
    except Exception as e:
        traceback.print_exc()
        return Section(key, f"{key}: failed", failed=f"{type(e).__name__}: {e}")


def glance_table(sections: list[Section], skipped: list[str]) -> str:
    rows = []
    for s in sections:
        rows += [[f.figure, f.target, f.measured, f.verdict] for f in s.figures]
        rows += [
            [s.title, "", f"**not measured**: {reason}", "**not measured**"] for reason in s.missing
        ]
        if s.failed:
            rows.append([s.title, "", f"**failed**: {s.failed}", "**failed**"])
    rows += [[key, "", "not run (--only)", ""] for key in skipped]
    return table(["figure", "SPEC §8 target", "measured", "verdict"], rows)


def summary(
    bench: Bench, sections: list[Section], skipped: list[str], where: str, seconds: float
) -> str:
    if bench.redis_problem:
        redis_line = f"**not measured**: {bench.redis_problem}"
    else:
        redis_line = redis_service.server_version()
    head = f"""# Expense Wizard benchmarks ({bench.plan.name} run)

Command: `scripts/bench{"" if bench.plan is FULL else " --" + bench.plan.name}`

Every figure is a median of many runs; ratios and differences are measured within this run,
variants interleaved. On a shared machine absolute times move with its load (below): read
the ratios.

{where}

- Redis: {redis_line}
- Run time: {seconds / 60:.1f} min. Load average (1 min) at the end: {load_average()}.
- Chart: `summary{_suffix(bench.plan)}.png` next to this file.

## SPEC §8 at a glance

{glance_table(sections, skipped)}"""
    return "\n\n".join([head, *(s.markdown() for s in sections)]) + "\n"


def chart(sections: list[Section], path: Path, title: str) -> None:
    """Every section's panels in one PNG, two a row (matplotlib's Agg backend: no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [p for s in sections for p in s.panels]
    panels += [(s.title, _note(s)) for s in sections if not s.panels]
    columns = 2
    rows = max(1, -(-len(panels) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(7 * columns, 4.6 * rows), squeeze=False)
    for ax, (name, draw) in zip(axes.flat, panels, strict=False):
        ax.set_title(name, fontsize=10)
        draw(ax)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _note(section: Section) -> Callable[[Any], None]:
    text = "\n".join(
        ["not measured:", *section.missing] if section.missing else ["failed:", section.failed]
    )

    def draw(ax: Any) -> None:
        ax.axis("off")
        ax.text(0.5, 0.5, text[:300], ha="center", va="center", wrap=True, fontsize=8)

    return draw


def _suffix(plan: Plan) -> str:
    return "" if plan is FULL else f"-{plan.name}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller counts: a few minutes")
    size.add_argument("--smoke", action="store_true", help="tiny counts: checks the script")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"of {','.join(SECTIONS)}")
    parser.add_argument(
        "--allow-missing",
        action="store_true",
        help="exit 0 even if Redis, Chromium or a package is missing (the summary says so)",
    )
    args = parser.parse_args(argv)
    args.sections = [s for s in SECTIONS if s in args.only.split(",")]
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; of {', '.join(SECTIONS)}")
    args.plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    where = machine(PACKAGES_SHOWN)  # the date, load average and commit as the run starts
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-all-") as scratch:
        bench = Bench(args.plan, Path(scratch))
        try:
            sections = [run_section(key, bench) for key in args.sections]
        finally:
            if not bench.redis_problem:
                bench.redis_keys.delete()
    skipped = [key for key in SECTIONS if key not in args.sections]
    text = summary(bench, sections, skipped, where, time.perf_counter() - started)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"summary{_suffix(args.plan)}.md"
    out.write_text(text)
    chart(sections, out.with_suffix(".png"), f"Expense Wizard benchmarks ({args.plan.name} run)")
    print(text)
    _log(f"written to {out.relative_to(ROOT)} and {out.with_suffix('.png').relative_to(ROOT)}")
    return _exit_code(sections, args.allow_missing)


def _exit_code(sections: list[Section], allow_missing: bool) -> int:
    if any(s.failed for s in sections):
        _log("a section failed: see the traceback above")
        return 1
    missing = list(dict.fromkeys(m for s in sections for m in s.missing))
    if missing and not allow_missing:
        _log("not measured: " + "; ".join(missing) + " (--allow-missing accepts that)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

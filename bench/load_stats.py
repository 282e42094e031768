"""Figures and tables of bench/load_bench.py, from the samples its locustfile writes."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from measure import table, verdict

TARGET_P99_MS = 50.0
Sample = tuple[str, float, float, "str | None"]  # name, start (epoch s), ms, error


@dataclass(frozen=True)
class Samples:
    """What load_locustfile.py writes: every request, and when the test started and stopped."""

    samples: list[Sample]
    walks: dict[str, int]
    think: list[float]
    started: float = 0.0
    stopped: float = 0.0
    spawned: float | None = None  # when the last user had started


@dataclass(frozen=True)
class Cpu:
    machine_busy: float  # share of all the machine's CPU time
    app_cores: float  # CPU seconds per second of the run: gunicorn master and workers
    locust_cores: float
    cores: int  # CPUs on the machine

    @property
    def other_cores(self) -> float:
        """What everything else on the machine used meanwhile (other people's work)."""
        return max(0.0, self.machine_busy * self.cores - self.app_cores - self.locust_cores)


@dataclass(frozen=True)
class Step:
    name: str
    count: int  # in the steady window
    errors: int  # in the whole run
    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Run:
    server: str
    mode: str
    users: int
    think: tuple[float, float]
    seconds: float  # the steady window: from the last user's start to the stop
    steps: list[Step]
    overall: Step
    walks_per_s: float
    walks: dict[str, int]
    cpu: Cpu
    errors: Counter[str] = field(default_factory=Counter)
    locust_warnings: tuple[str, ...] = ()
    server_errors: tuple[str, ...] = ()  # gunicorn's log: worker timeouts, tracebacks

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def errors_shown(self) -> str:
        """The count, and how many of them got no response at all (status 0)."""
        none = sum(n for e, n in self.errors.items() if ", got 0 (" in e)
        return f"{self.error_count}" + (f" ({none} without a response)" if none else "")

    @property
    def worst_p99(self) -> Step:
        return max(self.steps, key=lambda s: s.p99)

    def meets_target(self) -> bool:
        errors = self.error_count + len(self.server_errors)
        return errors == 0 and self.worst_p99.p99 <= TARGET_P99_MS

    def verdict(self) -> str:
        text = verdict(self.meets_target())
        return text if self.think[1] else f"{text} (ceiling run, not the SPEC's load)"


def percentiles(times_ms: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (inclusive method: within the observed range)."""
    if len(times_ms) < 2:
        only = times_ms[0] if times_ms else float("nan")
        return only, only, only
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def step_of(name: str, steady: list[float], errors: int) -> Step:
    p50, p95, p99 = percentiles(steady)
    return Step(name, len(steady), errors, p50, p95, p99, max(steady, default=float("nan")))


def run_from_samples(
    server: str, mode: str, users: int, data: Samples, cpu: Cpu, warnings: Sequence[str]
) -> Run:
    """Per-step figures over the steady window (after the last user started)."""
    begin = data.spawned or data.started
    steady = [s for s in data.samples if s[1] >= begin]
    failed = [s for s in data.samples if s[3] is not None]
    names = sorted({s[0] for s in data.samples})
    steps = [
        step_of(n, [s[2] for s in steady if s[0] == n], sum(1 for s in failed if s[0] == n))
        for n in names
    ]
    seconds = max(1e-9, data.stopped - begin)
    confirmed = sum(1 for s in steady if s[0].endswith("confirmation") and s[3] is None)
    return Run(
        server=server,
        mode=mode,
        users=users,
        think=(data.think[0], data.think[1]),
        seconds=seconds,
        steps=steps,
        overall=step_of("all requests", [s[2] for s in steady], len(failed)),
        walks_per_s=confirmed / seconds,
        walks=data.walks,
        cpu=cpu,
        errors=Counter(f"{s[0]}: {s[3]}" for s in failed),
        locust_warnings=tuple(warnings),
    )


SUMMARY_HEADERS = [
    "server",
    "load",
    "users",
    "walks/s",
    "req/s",
    "requests",
    "errors",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "worst step p99 ms",
    "machine CPU",
    "app CPU",
    "locust CPU",
    "other CPU",
    "SPEC (0 errors, step p99 ≤ 50 ms)",
]


def summary_table(runs: Sequence[Run]) -> str:
    return table(SUMMARY_HEADERS, [_summary_row(run) for run in runs])


def _summary_row(run: Run) -> list[object]:
    o, worst = run.overall, run.worst_p99
    load = f"{run.mode}, pause {run.think[0]:g}-{run.think[1]:g} s" if run.think[1] else run.mode
    return [
        run.server,
        load,
        run.users,
        f"{run.walks_per_s:.1f}",
        f"{o.count / run.seconds:.0f}",
        o.count,
        run.errors_shown,
        f"{o.p50:.1f}",
        f"{o.p95:.1f}",
        f"{o.p99:.1f}",
        f"{worst.p99:.1f} ({worst.name[3:]})",
        f"{run.cpu.machine_busy:.0%}",
        f"{run.cpu.app_cores:.2f}",
        f"{run.cpu.locust_cores:.2f}",
        f"{run.cpu.other_cores:.2f}",
        run.verdict(),
    ]


def step_table(run: Run) -> str:
    rows = [
        [
            s.name,
            s.count,
            s.errors,
            f"{s.p50:.1f}",
            f"{s.p95:.1f}",
            f"{s.p99:.1f}",
            f"{s.max:.1f}",
            verdict(s.p99 <= TARGET_P99_MS and not s.errors),
        ]
        for s in [*run.steps, run.overall]
    ]
    headers = ["request", "n (steady)", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"]
    text = table([*headers, "0 errors, p99 ≤ 50 ms"], rows)
    walks = f"Walks finished: {run.walks.get('done', 0)}, stopped by an error: "
    text += f"\n\n{walks}{run.walks.get('stopped', 0)}. Steady window: {run.seconds:.1f} s."
    text += f" Error lines in gunicorn's log: {len(run.server_errors)}."
    text += "".join(f"\n    {line}" for line in run.server_errors[:5])
    if run.errors:
        text += "\n\nErrors:\n\n" + "\n".join(f"- {n} x {e}" for e, n in run.errors.most_common())
    return text

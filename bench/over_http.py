"""The `http` section (`python -m bench http`): the app, the formtools peer and a bare Flask
floor under the same gunicorn (sync workers, 1 and 2), driven over HTTP by the same
closed-loop and open-loop people (bench/http_drive.py) in this process, runs interleaved.

(Not bench/http.py: bench/ is first on sys.path, and a module named http would hide the
standard library's.)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import http_profile
from common import LIFTED_LIMITS_ENV, REDIS_URL, ROOT, Bench, Section, log, machine, table
from http_drive import (
    WIZARDS,
    Address,
    Run,
    Wizard,
    closed_loop,
    open_loop,
    percentile,
    reachable,
    warm_up,
)

BENCH = ROOT / "bench"
TARGET_P99_MS = 50.0  # SPEC §8: a click's p99 at the highest people/s counted
TARGET_RATIO = 2.0  # SPEC §8: the app ≥ 2x the peer's drafts/s and people/s (one worker)
ORDER = ("app", "peer", "floor")  # every measurement runs on each in turn
LABELS = {"app": "app", "peer": "formtools peer", "floor": "bare Flask floor"}
USERS = (8, 32)  # closed loop
WORKERS = (1, 2)
MAX_LAG_MS = 10.0  # an open-loop run whose people began later than this (p99) is not valid
# The peer's session engine per worker count (peer_formtools/project.py SESSIONS): its own
# memory for one worker, the fastest shared engine for several (see README).
PEER_SESSIONS = {1: "locmem", 2: os.environ.get("BENCH_HTTP_PEER_SESSIONS", "file")}
# gunicorn's worker class for all three servers: sync (each request a new connection), or
# gthread (connections kept alive; threads per worker in BENCH_HTTP_THREADS, default 2).
WORKER_CLASS = os.environ.get("BENCH_HTTP_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_HTTP_THREADS", "2"))
SESSION_WORDS = {
    "locmem": "Django's in-memory cache, seen by one worker only",
    "file": "session files, shared by the workers",
    "redis": "Django's Redis cache (the Redis server's CPU is not counted)",
    "db": "the database engine on SQLite",
}


@dataclass(frozen=True)
class HttpPlan:
    reps: int
    warm_s: float  # closed loop: seconds before the window
    closed_s: float  # closed loop: the window
    open_s: float  # open loop: seconds of arrivals per rate
    first: float  # open loop: the first rate, times the closed-loop drafts/s with 8 users
    factor: float  # open loop: the next rate after a pass (or before a fail)
    steps: int  # open loop: rates tried at most per server and repetition
    warm_drafts: int  # per worker, after a server starts


PLANS = {
    "full": HttpPlan(3, 1.0, 8.0, 5.0, 0.6, 1.2, 7, 10),
    "quick": HttpPlan(1, 0.5, 2.5, 3.0, 0.8, 1.25, 4, 4),
}


# Servers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pinning:
    """Cores for the servers (taskset) and for the generator (this process), or none."""

    server: int | None
    generator: int | None
    note: str


def pinning() -> Pinning:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return Pinning(None, None, f"not pinned: this process may use {len(cores)} CPU")
    if not shutil.which("taskset"):
        return Pinning(None, None, "not pinned: no taskset")
    note = f"pinned: servers on CPU {cores[0]} (taskset), the generator on CPU {cores[1]}"
    return Pinning(cores[0], cores[1], note)


@contextmanager
def generator_on(core: int | None) -> Iterator[None]:
    """This process (its threads started from now) on one core, as before afterwards."""
    before = os.sched_getaffinity(0)
    if core is not None:
        os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@dataclass(frozen=True)
class Target:
    """What gunicorn serves and how: its WSGI target, environment, and a command that
    prepares its data first (workers starting on a new folder race to create tables)."""

    wsgi: str
    env: dict[str, str]
    prepare: str = ""


def app_target(folder: Path) -> Target:
    instance = str(folder / "instance")
    env = {**LIFTED_LIMITS_ENV, "FLASK_OUTBOX_SEND_IN_BACKGROUND": "false", "PYTHONPATH": str(ROOT)}
    # Also tells whether this checkout's app has the outbox (the setting without the env).
    prepare = (
        "import json, os; from app import create_app; "
        "os.environ.pop('FLASK_OUTBOX_SEND_IN_BACKGROUND'); "
        f"a = create_app(instance_path={instance!r}); "
        "print(json.dumps('OUTBOX_SEND_IN_BACKGROUND' in a.config))"
    )
    return Target(f"app:create_app(instance_path={instance!r})", env, prepare)


def peer_target(folder: Path, sessions: str) -> Target:
    env = {
        "PYTHONPATH": str(BENCH),
        "PEER_DATA_DIR": str(folder / "peer"),
        "PEER_SESSIONS": sessions,
        "PEER_REDIS_URL": REDIS_URL,
    }
    prepare = (
        "import json, os; from pathlib import Path; from peer_formtools import project; "
        "project.configure_sessions(Path(os.environ['PEER_DATA_DIR']), "
        "os.environ['PEER_SESSIONS'], ['127.0.0.1'], redis_url=os.environ['PEER_REDIS_URL']); "
        "print(json.dumps(True))"
    )
    return Target("peer_formtools.wsgi:application", env, prepare)


def floor_target() -> Target:
    return Target("http_floor:app", {"PYTHONPATH": str(BENCH)})


@dataclass
class Server:
    key: str
    address: Address
    master: int
    prepared: object = None  # what the prepare command printed (JSON)
    pids: frozenset[int] = field(default_factory=frozenset)

    def cpu(self) -> float | None:
        """Seconds of CPU the master and its workers have used (None without /proc); a
        worker that is not the one seen before is an error."""
        pids = frozenset([self.master, *children(self.master)])
        if self.pids and pids != self.pids:
            raise RuntimeError(f"{self.key}: gunicorn's processes changed: a worker restarted")
        self.pids = pids
        spent = [process_cpu(pid) for pid in pids]
        return None if None in spent else sum(s for s in spent if s is not None)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process (/proc/<pid>/stat), None without /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextmanager
def gunicorn(
    key: str, target: Target, workers: int, folder: Path, core: int | None
) -> Iterator[Server]:
    """A target under gunicorn (WORKER_CLASS workers) on a free loopback port, on `core`."""
    env = {**os.environ, **target.env}
    prepared = None
    if target.prepare:
        done = subprocess.run(
            [sys.executable, "-c", target.prepare],
            cwd=folder,
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        )
        prepared = json.loads(done.stdout.strip().splitlines()[-1])
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--worker-class", WORKER_CLASS, "--log-level", "warning"]
    if WORKER_CLASS == "gthread":
        command += ["--threads", str(THREADS), "--keep-alive", "5"]
    if int(version("gunicorn").split(".")[0]) >= 27:
        command.append("--no-control-socket")
    command.append(target.wsgi)
    if core is not None:
        command = ["taskset", "-c", str(core), *command]
    log_file = folder / f"{key}-gunicorn.log"
    with log_file.open("wb") as out:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=out)
    try:
        wait_for(process, ("127.0.0.1", port), workers, log_file)
        yield Server(key, ("127.0.0.1", port), process.pid, prepared)
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for(process: subprocess.Popen[bytes], address: Address, workers: int, log: Path) -> None:
    """Until the port answers and every worker has started."""
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        if reachable(address) and len(children(process.pid)) >= workers:
            return
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not start in 30 s: {log.read_text()[-2000:]}")


# Measuring: every figure on app, peer and floor in turn, repeated -------------------------------


def why_not(run: Run) -> str:
    """Why an open-loop run does not count ("" when it does)."""
    if run.errors:
        return f"{sum(run.errors.values())} errors"
    if run.aborted:
        return "overloaded"
    lag = percentile(run.lags_ms, 99) if run.lags_ms else 0.0
    if lag > MAX_LAG_MS:
        return f"generator {lag:.0f} ms late"
    p99 = run.percentile(99)
    return "" if p99 <= TARGET_P99_MS else f"p99 {p99:.0f} ms"


@dataclass
class Search:
    """The highest people/s with click p99 ≤ 50 ms and 0 errors: rates up by `factor`
    from `first` while they pass (down while they fail), then once between the highest
    pass and the lowest fail, within `steps` runs."""

    first: float
    factor: float
    steps: int
    tried: list[tuple[float, Run]] = field(default_factory=list)

    def next(self) -> float | None:
        if len(self.tried) >= self.steps or self.first <= 0:
            return None
        if not self.tried:
            return self.first
        good = [rate for rate, run in self.tried if not why_not(run)]
        bad = [rate for rate, run in self.tried if why_not(run)]
        if not bad:
            return max(good) * self.factor
        if not good:
            return min(bad) / self.factor
        low, high = max(good), min(bad)
        return math.sqrt(low * high) if high / low > math.sqrt(self.factor) * 1.01 else None

    def best(self) -> tuple[float, Run | None, bool]:
        """The highest rate passed (0 if none), its run, and whether a higher one failed."""
        good = [(rate, run) for rate, run in self.tried if not why_not(run)]
        top = max(good, key=lambda found: found[0], default=(0.0, None))
        failed_above = any(why_not(run) and rate > top[0] for rate, run in self.tried)
        return top[0], top[1], failed_above

    def story(self) -> str:
        return ", ".join(
            f"{rate:.1f}: {why_not(run) or f'p99 {run.percentile(99):.0f} ms'}"
            for rate, run in sorted(self.tried, key=lambda found: found[0])
        )


@dataclass
class Measured:
    """One worker count's runs, per repetition."""

    workers: int
    closed: dict[tuple[int, str], list[Run]] = field(default_factory=dict)
    searches: dict[str, list[Search]] = field(default_factory=dict)
    prepared: dict[str, object] = field(default_factory=dict)
    profile: http_profile.Profile | None = None  # the app's one worker, after the figures
    no_profile: str = ""  # why there is none


def measure(workers: int, plan: HttpPlan, root: Path, pin: Pinning) -> Measured:
    """App, peer and floor served at once; each figure measured on each in turn (ABC ABC)."""
    found = Measured(workers)
    folder = root / f"http-{workers}w"
    folder.mkdir(parents=True, exist_ok=True)
    targets = {
        "app": app_target(folder),
        "peer": peer_target(folder, PEER_SESSIONS[workers]),
        "floor": floor_target(),
    }
    with ExitStack() as stack:
        servers = {
            key: stack.enter_context(gunicorn(key, targets[key], workers, folder, pin.server))
            for key in ORDER
        }
        found.prepared = {key: server.prepared for key, server in servers.items()}
        wizards = {key: WIZARDS[key]() for key in ORDER}
        with generator_on(pin.generator):
            for key in ORDER:
                warm_up(wizards[key], servers[key].address, plan.warm_drafts * workers)
            for rep in range(plan.reps):
                log(f"http: {workers} worker(s), repetition {rep + 1} of {plan.reps}")
                closed_runs(found, servers, wizards, plan)
                open_runs(found, servers, wizards, plan)
            if workers == 1:
                profile_app(found, servers["app"], wizards["app"])
    return found


def profile_app(found: Measured, server: Server, wizard: Wizard) -> None:
    """Where the app's worker spends its time, sampled after the figures (never during)."""
    found.no_profile = http_profile.available()
    if found.no_profile:
        return
    log("http: profiling the app's worker (py-spy)")
    worker = children(server.master)[0]
    try:  # py-spy needs to ptrace the worker: without that right, the figures still stand
        found.profile = http_profile.profile(wizard, server.address, worker, users=USERS[0])
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        found.no_profile = f"py-spy could not sample the worker: {e}"


def closed_runs(
    found: Measured, servers: dict[str, Server], wizards: dict[str, Wizard], plan: HttpPlan
) -> None:
    for users in USERS:
        for key in ORDER:
            server = servers[key]
            run = closed_loop(
                wizards[key], server.address, users, plan.closed_s, plan.warm_s, server.cpu
            )
            found.closed.setdefault((users, key), []).append(run)


def open_runs(
    found: Measured, servers: dict[str, Server], wizards: dict[str, Wizard], plan: HttpPlan
) -> None:
    """Each server's search for its highest people/s, a rate at a time on each in turn."""
    searches = {}
    for key in ORDER:
        capacity = drafts_per_s(found.closed[(USERS[0], key)][-1], WIZARDS_REQUESTS[key])
        searches[key] = Search(capacity * plan.first, plan.factor, plan.steps)
    while True:
        todo = [(key, rate) for key in ORDER if (rate := searches[key].next()) is not None]
        if not todo:
            break
        for key, rate in todo:
            server = servers[key]
            run = open_loop(wizards[key], server.address, rate, plan.open_s, server.cpu)
            searches[key].tried.append((rate, run))
    for key in ORDER:
        found.searches.setdefault(key, []).append(searches[key])


# Figures -----------------------------------------------------------------------------------------


def drafts_per_s(run: Run, requests_per_draft: int) -> float:
    """Requests answered in the window over a draft's requests: steadier than counting
    the drafts finished in it (people who started together finish together)."""
    return run.requests / requests_per_draft / run.seconds


def requests_per_s(run: Run) -> float:
    return run.requests / run.seconds


def cpu_ms_per_draft(run: Run, requests_per_draft: int) -> float:
    """Server CPU over the window per draft, counting drafts by the requests answered."""
    if run.cpu_s is None or not run.requests:
        return math.nan
    return run.cpu_s * 1000 / (run.requests / requests_per_draft)


FIGURES: dict[str, tuple[str, Callable[[Run, int], float]]] = {
    "drafts/s": ("higher", drafts_per_s),
    "requests/s": ("higher", lambda run, _: requests_per_s(run)),
    "click p50 ms": ("lower", lambda run, _: run.percentile(50)),
    "click p99 ms": ("lower", lambda run, _: run.percentile(99)),
    "server CPU ms/draft": ("lower", cpu_ms_per_draft),
}


def figure(runs: list[Run], name: str, key: str) -> list[float]:
    """A figure per repetition (nan for a run with errors: never a success)."""
    of = FIGURES[name][1]
    requests = WIZARDS_REQUESTS[key]
    return [math.nan if run.errors else of(run, requests) for run in runs]


WIZARDS_REQUESTS = {key: make().requests for key, make in WIZARDS.items()}


def people(found: Measured, key: str) -> list[float]:
    return [search.best()[0] for search in found.searches[key]]


def bounded(found: Measured, *keys: str) -> bool:
    """Whether every search of these servers found a rate that failed above its best."""
    return all(search.best()[2] for key in keys for search in found.searches[key])


def median(values: list[float]) -> float:
    return math.nan if any(math.isnan(v) for v in values) else statistics.median(values)


def spread(tops: list[float], bottoms: list[float]) -> str:
    """The median of per-repetition ratios and their range, or why there is none."""
    ratios = [t / b for t, b in zip(tops, bottoms, strict=True) if b and not math.isnan(t / b)]
    if len(ratios) < len(tops):
        return "n/a (errors or nothing passed)"
    if len(ratios) == 1:
        return f"{ratios[0]:.2f}x"
    return f"{statistics.median(ratios):.2f}x [{min(ratios):.2f}-{max(ratios):.2f}]"


def ratio_verdict(tops: list[float], bottoms: list[float], target: float) -> str:
    ratios = [t / b if b else math.nan for t, b in zip(tops, bottoms, strict=True)]
    if not ratios or any(math.isnan(r) for r in ratios):
        return "**not met** (errors or nothing passed)"
    if min(ratios) >= target:
        return "met"
    if max(ratios) < target:
        return "**not met**"
    return "undecided (the spread straddles it)"


# Output ------------------------------------------------------------------------------------------


def cell(values: list[float], digits: int = 1) -> str:
    """The median over repetitions, or "errors" when a run had any."""
    found = median(values)
    return "**errors**" if math.isnan(found) else f"{found:.{digits}f}"


def closed_table(found: Measured) -> str:
    rows = []
    for users in USERS:
        for key in ORDER:
            runs = found.closed[(users, key)]
            cells = [cell(figure(runs, name, key)) for name in FIGURES]
            errors = sum(sum(run.errors.values()) for run in runs)
            rows.append([f"{users} people", LABELS[key], *cells, errors])
    return table(["closed loop", "server", *FIGURES, "errors"], rows)


def open_table(found: Measured) -> str:
    rows = []
    for key in ORDER:
        tops, at, tried = [], [], []
        for search in found.searches[key]:
            rate, run, bounded = search.best()
            tops.append(f"{rate:.1f}" + ("" if bounded else " (none failed above)"))
            at.append(f"{run.percentile(50):.0f}/{run.percentile(99):.0f}" if run else "-")
            tried.append(search.story())
        lags = [lag for s in found.searches[key] for _, run in s.tried for lag in run.lags_ms]
        late = f"{percentile(lags, 99):.1f}" if lags else "-"
        rows.append([LABELS[key], "; ".join(tops), "; ".join(at), late, " / ".join(tried)])
    headers = [
        "server",
        f"highest people/s, click p99 ≤ {TARGET_P99_MS:g} ms, 0 errors (each repetition)",
        "click p50/p99 ms there",
        "arrivals late p99 ms",
        "people/s tried: p99 or why not",
    ]
    return table(headers, rows)


RATIO_FIGURES = (
    (USERS[0], "drafts/s"),
    (USERS[1], "drafts/s"),
    (USERS[0], "requests/s"),
    (USERS[0], "click p50 ms"),
    (USERS[0], "click p99 ms"),
    (USERS[1], "click p99 ms"),
    (USERS[0], "server CPU ms/draft"),
)


def ratio_table(measured: list[Measured]) -> str:
    headers = ["figure (better when)"]
    headers += [f"{m.workers} worker{'s' * (m.workers > 1)}: app ÷ peer" for m in measured]
    headers += [f"{m.workers} worker{'s' * (m.workers > 1)}: app ÷ floor" for m in measured]
    rows = []
    for users, name in RATIO_FIGURES:
        better = FIGURES[name][0]
        row = [f"{name}, {users} people closed loop ({better})"]
        for other in ("peer", "floor"):
            row += [
                spread(
                    figure(m.closed[(users, "app")], name, "app"),
                    figure(m.closed[(users, other)], name, other),
                )
                for m in measured
            ]
        rows.append(row)
    row = [f"highest people/s at click p99 ≤ {TARGET_P99_MS:g} ms, open loop (higher)"]
    for other in ("peer", "floor"):
        row += [
            spread(people(m, "app"), people(m, other)) + ("" if bounded(m, "app", other) else " †")
            for m in measured
        ]
    rows.append(row)
    note = """† a server's search passed every rate it tried: its figure is a lower bound, and so
is (for the app) or may be (for the other) the ratio."""
    return table(headers, rows) + ("\n\n" + note if any("†" in c for c in row) else "")


def glance(found: Measured) -> list[tuple[str, str, str, str]]:
    """SPEC §8's row: one worker on one core, against the peer on its best sessions."""
    drafts = (
        figure(found.closed[(USERS[0], "app")], "drafts/s", "app"),
        figure(found.closed[(USERS[0], "peer")], "drafts/s", "peer"),
    )
    rates = (people(found, "app"), people(found, "peer"))
    where = f"HTTP, {found.workers} worker, vs formtools peer ({PEER_SESSIONS[found.workers]})"
    target = f"≥ {TARGET_RATIO:g}x"
    return [
        (
            f"{where}: drafts/s, {USERS[0]} people",
            target,
            spread(*drafts),
            ratio_verdict(*drafts, TARGET_RATIO),
        ),
        (
            f"{where}: people/s at click p99 ≤ {TARGET_P99_MS:g} ms",
            target,
            spread(*rates),
            ratio_verdict(*rates, TARGET_RATIO),
        ),
    ]


def outbox_note(measured: list[Measured]) -> str:
    if any(m.prepared.get("app") for m in measured):
        return (
            "The app queues an email at submit (its outbox); the background sender is off "
            "(`FLASK_OUTBOX_SEND_IN_BACKGROUND=false`), so queuing it is measured, sending "
            "it is not."
        )
    return (
        "This checkout's app has no outbox (nothing is queued at submit); "
        "`FLASK_OUTBOX_SEND_IN_BACKGROUND=false` is set for when it has one (sending is "
        "never measured)."
    )


def body(measured: list[Measured], plan: HttpPlan, pin: Pinning, minutes: float) -> str:
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sessions = "; ".join(
        f"{w} worker{'s' * (w > 1)}: {PEER_SESSIONS[w]}, {SESSION_WORDS.get(PEER_SESSIONS[w], '')}"
        for w in WORKERS
    )
    profiled = next((m for m in measured if m.profile or m.no_profile), None)
    per_workers = "\n\n".join(
        f"### {m.workers} worker{'s' * (m.workers > 1)}\n\n{closed_table(m)}\n\n{open_table(m)}"
        for m in measured
    )
    return f"""Measured {date}, {len(os.sched_getaffinity(0))} CPUs, load average
{os.getloadavg()[0]:.2f} at the end; {pin.note}. {minutes:.1f} min.

Three servers under the same gunicorn ({workers_words()}, 1 then 2 workers, all on the
servers' core):
**the app** on a new instance folder (embedded SQLite store and reports database, the
per-client rate limits lifted); **the formtools peer** (bench/peer_formtools, Django's
SessionWizardView, its report written through the ORM to SQLite) on its best session
engine ({sessions}); **the floor**, a bare Flask app (bench/http_floor.py) answering a
draft's same 11 requests with no work: the physical floor of gunicorn, HTTP and Flask.
{outbox_note(measured)}

People are threads of this process (bench/http_drive.py, `http.client`, a new browser per
draft; {connections_words()}): a draft is the
start page, then 5 clicks (app and floor: 11 requests, each click a POST and its redirected
GET; the peer: 7 requests, its POSTs answered with the next page, its submit redirected);
drafts/s are requests answered ÷ a draft's requests.
Every response is checked (status, redirect, the page's texts, EXP-XXXXXXXX at the end);
a run with any error is shown as **errors**, never as a figure. **Closed loop**: {USERS[0]}
and {USERS[1]} people walking drafts back to back, measured over {plan.closed_s:g} s after
{plan.warm_s:g} s. **Open loop**: people arrive at a fixed rate for {plan.open_s:g} s, each
walks one draft with no pause; the rate starts at {plan.first:g}x the server's
{USERS[0]}-people drafts/s, goes up x{plan.factor:g} while click p99 ≤ {TARGET_P99_MS:g} ms
with 0 errors (down while not), then once between (at most {plan.steps} rates); a rate
whose arrivals ran late (p99 > {MAX_LAG_MS:g} ms: the generator could not keep up) does not
count. Server CPU: user + system time of gunicorn's master and workers (/proc) over the
window, per draft. {plan.reps} repetition(s), each running every figure on app, peer and
floor in turn; cells are medians, ratios the median of per-repetition ratios
[min-max].

{ratio_table(measured)}

{per_workers}

{profile_text(profiled)}
"""


def profile_text(found: Measured | None) -> str:
    if found is None:
        return ""
    head = "### Where the app's one worker spends its time"
    if found.profile is None:
        return f"{head}\n\nNot profiled: {found.no_profile}."
    p = found.profile
    return f"""{head}

py-spy sampling the worker 200 times a second for {p.seconds:g} s while {USERS[0]} people walk
drafts (after every figure above, so it slows none of them; the worker paused for each
sample): {p.samples} samples, each counted in the first part it passes through, in the order
of bench/http_profile.py's PARTS.

{http_profile.shares_table(p)}"""


def workers_words() -> str:
    if WORKER_CLASS == "gthread":
        return f"gthread workers of {THREADS} threads, connections kept alive"
    return f"{WORKER_CLASS} workers"


def connections_words() -> str:
    if WORKER_CLASS == "sync":
        return "sync workers close every connection, so each request opens one"
    return "each person keeps one connection while the server allows it"


def section(bench: Bench) -> Section:
    result = Section("Over HTTP: the app, the formtools peer and the floor under gunicorn")
    for module in ("gunicorn", "django", "formtools"):
        if importlib.util.find_spec(module) is None:
            result.missing.append(
                f"{module} is not installed (`.venv/bin/pip install -e '.[bench,prod]'`)"
            )
    if result.missing:
        return result
    plan, pin, started = PLANS[bench.plan.name], pinning(), time.perf_counter()
    log(f"http: {pin.note}")
    log(f"http: the machine\n{machine()}")
    measured = [measure(workers, plan, bench.root, pin) for workers in WORKERS]
    minutes = (time.perf_counter() - started) / 60
    result.body = body(measured, plan, pin, minutes)
    result.glance += glance(measured[0])
    errors = sum(
        sum(run.errors.values()) for m in measured for runs in m.closed.values() for run in runs
    )
    if errors:
        result.missing.append(f"failed: {errors} errors in closed-loop runs (see the tables)")
    return result

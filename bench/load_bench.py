"""HTTP under load (SPEC §8): 50 simulated people walking the wizard against gunicorn.

Run: .venv/bin/python bench/load_bench.py [--quick] [--servers sync,gthread] [--modes paced,flat]
Needs locust in the venv (.venv/bin/pip install locust). Prints Markdown and writes it to
bench/results/load_bench.md (load_bench-quick.md for --quick; the servers and modes are
added to the name when not all are run, e.g. load_bench-gthread-paced.md); locust's own
CSV files go to bench/results/locust/. Talks to 127.0.0.1 only, and every run stops by itself.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from driver import categories_form, employee_form, receipts_form
from http_app import HttpBrowser
from load_server import CONFIGS, MachineTicks, Server, ServerConfig, gunicorn
from load_stats import Cpu, Run, Samples, run_from_samples, step_table, summary_table
from measure import PACKAGES, ROOT, load_average, machine
from rate_limits import ENV as LIFTED_LIMITS_ENV

LOCUSTFILE = ROOT / "bench" / "load_locustfile.py"
RESULTS = ROOT / "bench" / "results"
SPAWN_RATE = 10  # users started per second
WARMUP_WALKS = 4
PACED_THINK = (0.5, 1.5)  # seconds a simulated person pauses on each page
MODES = {"paced": PACED_THINK, "flat": (0.0, 0.0)}
DEFAULT_SERVERS, DEFAULT_MODES = "sync,gthread", "paced,flat"


@dataclass(frozen=True)
class Plan:
    """What each run does: how many users, for how long once all have started."""

    users: int
    seconds: int
    quick: bool

    @property
    def ramp_seconds(self) -> int:
        return math.ceil(self.users / SPAWN_RATE)


FULL = Plan(users=50, seconds=60, quick=False)
QUICK = Plan(users=20, seconds=15, quick=True)


def warm_up(port: int) -> None:
    """A few whole walks, one at a time, so that every worker has compiled its templates."""
    for _ in range(WARMUP_WALKS):
        browser = HttpBrowser(port)
        browser.at_receipts_step(employee_form())
        for step, form in (
            ("receipts", receipts_form(2)),
            ("categories", categories_form(2)),
            ("review", {"confirm": "y"}),
        ):
            browser.send("GET", browser.url(step)).expect(200)
            browser.post_form(browser.url(step), form).expect(303)
        browser.send("GET", browser.url("confirmation")).expect(200)


def locust_command(server: Server, plan: Plan, csv_prefix: Path) -> list[str]:
    run_time = plan.seconds + plan.ramp_seconds
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        server.url,
        "-u",
        str(plan.users),
        "-r",
        str(SPAWN_RATE),
        "-t",
        f"{run_time}s",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_locust(server: Server, plan: Plan, mode: str, scratch: Path) -> Run:
    """One locust run against this server; its samples and the CPU each side used."""
    name = f"{server.config.key}-{mode}{'-quick' if plan.quick else ''}"
    samples_file, log = scratch / f"{name}-samples.json", scratch / f"{name}-locust.log"
    (RESULTS / "locust").mkdir(parents=True, exist_ok=True)
    command = locust_command(server, plan, RESULTS / "locust" / f"load_bench-{name}")
    think = MODES[mode]
    env = {"LOAD_BENCH_SAMPLES": str(samples_file), "LOAD_BENCH_THINK": f"{think[0]},{think[1]}"}
    app_cpu, locust_cpu, ticks = server.cpu_seconds(), children_cpu_seconds(), MachineTicks.now()
    started = time.monotonic()
    with log.open("wb") as out:
        subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=out,
            timeout=plan.seconds + plan.ramp_seconds + 60,
            check=True,
        )
    wall = time.monotonic() - started
    cpu = Cpu(
        machine_busy=MachineTicks.now().busy_since(ticks),
        app_cores=(server.cpu_seconds() - app_cpu) / wall,
        locust_cores=(children_cpu_seconds() - locust_cpu) / wall,
        cores=os.cpu_count() or 1,
    )
    samples = Samples(**json.loads(samples_file.read_text()))
    return run_from_samples(server.config.label, mode, plan.users, samples, cpu, _warnings(log))


def _warnings(log: Path) -> list[str]:
    """Locust's own warnings (its CPU-usage warning above all)."""
    lines = log.read_text(errors="replace").splitlines()
    return sorted({line.split("/WARNING/", 1)[-1] for line in lines if "/WARNING/" in line})


def measure(config: ServerConfig, plan: Plan, mode: str, scratch: Path) -> Run:
    _log(f"{config.label}, {mode}: {plan.users} users, {plan.seconds} s + {plan.ramp_seconds} s")
    instance = scratch / f"instance-{config.key}-{mode}"
    with gunicorn(instance, config, LIFTED_LIMITS_ENV) as server:
        warm_up(server.port)
        run = run_locust(server, plan, mode, scratch)
    return replace(run, server_errors=_server_errors(server.log))


def _server_errors(log: Path) -> tuple[str, ...]:
    """gunicorn's error lines (a worker timeout, a traceback) from its log."""
    lines = log.read_text(errors="replace").splitlines()
    return tuple(line for line in lines if "[ERROR]" in line or line.startswith("Traceback"))


def report(where: str, runs: list[Run], plan: Plan, elapsed: float) -> str:
    parts = ["# HTTP under load (SPEC §8)", where, method(plan), summary_table(runs)]
    parts += [cpu_note(runs)]
    for run in runs:
        parts.append(f"### {run.server}, {run.mode}\n\n{step_table(run)}")
    parts.append(
        f"_Run time: {elapsed:.0f} s. Load average (1 min) at the end: {load_average()}._\n"
    )
    return "\n\n".join(parts)


def method(plan: Plan, heading: str = "##") -> str:
    paced = f"{PACED_THINK[0]:g}-{PACED_THINK[1]:g} s"
    return f"""{heading} How

The app runs under gunicorn on 127.0.0.1 (a free port) in a new instance folder each run
(embedded SQLite session store and reports database). {WARMUP_WALKS} whole walks warm it up
untimed. Then locust (headless, one process, FastHttpUser) starts {plan.users} users,
{SPAWN_RATE} a second, and stops {plan.seconds} s after the last one started. Each user walks
the whole wizard in a new browser session, again and again: GET /, POST /report, then GET
and POST of Employee, Receipts (2 receipts), Categories and Review (the submit), then GET the
confirmation: 11 requests, each checked for its status and a text it must contain (a POST:
303 to the next step), with the CSRF token taken from the page before. Any other response
is an error and ends that walk.

- **paced**: after each page a person pauses {paced} (uniform) before sending its form
  or, on the confirmation, before the next walk. This is the SPEC's load; real people
  pause far longer, so it is a heavy version of it.
- **flat**: no pause at all: {plan.users} users each with one request always in flight.
  This is the ceiling of the machine, not the SPEC's load: its latency is mostly queueing
  ({plan.users} requests waiting for 2 cores).

Latencies are locust's (perf_counter, from sending the request to reading the whole
response, new connection included when there is one), over the requests started after all
users had started; errors count the whole run. "Step p99" is the worst p99 of the 11
requests; the SPEC target is 0 errors and a step p99 of at most 50 ms. An error "without a
response" (status 0) is a request sent on a kept-alive connection just as the server closed
it: gthread workers close a connection idle for 2 s (gunicorn's --keep-alive); a browser
sends such a request again, locust does not. Sync workers close every connection after its
response, so they cannot meet it."""


def cpu_note(runs: list[Run]) -> str:
    warned = sorted({w for run in runs for w in run.locust_warnings})
    lines = "\n".join(f"- {w}" for w in warned) or "- none"
    noisy = [
        f"{r.server}, {r.mode} ({r.cpu.other_cores:.2f})" for r in runs if r.cpu.other_cores > 0.2
    ]
    if noisy:
        lines += (
            "\n\n**Other work used more than 0.2 cores during: "
            + "; ".join(noisy)
            + ".** Those latencies are inflated by it: measure again on a quiet machine."
        )
    return f"""The app, locust and whatever else runs on this machine share its
{os.cpu_count()} CPUs. "machine CPU" is the busy share of all of them during the run (from
/proc/stat); "app" (gunicorn's master and workers), "locust" and "other" (the rest of the
machine: other people's work) are CPU seconds used per second of the run, so 1.00 is one
whole core. Locust's own warnings:

{lines}"""


def _suffix(servers: str, modes: str, plan: Plan) -> str:
    """ "-quick" for --quick, and the servers and modes when not all of them."""
    chosen = "" if (servers, modes) == (DEFAULT_SERVERS, DEFAULT_MODES) else f"-{servers}-{modes}"
    return ("-quick" if plan.quick else "") + chosen.replace(",", "+")


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 users for 15 s per run")
    parser.add_argument("--servers", default=DEFAULT_SERVERS, help=f"of {', '.join(CONFIGS)}")
    parser.add_argument("--modes", default=DEFAULT_MODES, help=f"of {', '.join(MODES)}")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    where = machine([*PACKAGES, "Flask-SQLAlchemy", "Flask-Limiter", "gunicorn", "locust"])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as scratch:
        runs = [
            measure(CONFIGS[server], plan, mode, Path(scratch))
            for mode in args.modes.split(",")
            for server in args.servers.split(",")
        ]
    text = report(where, runs, plan, time.perf_counter() - started)
    out = RESULTS / f"load_bench{_suffix(args.servers, args.modes, plan)}.md"
    out.write_text(text)
    print(text)
    _log(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

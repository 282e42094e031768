"""The `load` section: simulated people walking the wizard over HTTP against gunicorn
(2 sync workers, this checkout's app), driven by locust in a process of its own."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import LIFTED_LIMITS_ENV, ROOT, Bench, Section, log, table, verdict
from walk import TOKEN, forms

TARGET_P99_MS = 50.0  # SPEC §8, with 0 errors
THINK = (0.5, 1.5)  # seconds a person pauses on each page
SPAWN_RATE = 10  # users started a second


@contextmanager
def gunicorn(instance: Path, workers: int) -> Iterator[str]:
    """This checkout's app under gunicorn on a free loopback port; its base URL."""
    env = {
        **os.environ,
        **LIFTED_LIMITS_ENV,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    # One create_app first: workers starting on a new instance folder race to create tables.
    prepare = f"from app import create_app; create_app(instance_path={str(instance)!r})"
    subprocess.run([sys.executable, "-c", prepare], cwd=ROOT, env=env, check=True, timeout=60)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    factory = f"app:create_app(instance_path={str(instance)!r})"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        factory,
    ]
    log_file = instance.parent / f"{instance.name}-gunicorn.log"
    with log_file.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log_file.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def warm_up(url: str, walks: int = 4) -> None:
    """A few whole walks, one at a time, so that every worker has compiled its templates:
    a browser's way (urllib follows each 303 with a GET, cookies kept)."""
    for _ in range(walks):
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page, path = opener.open(f"{url}/").read().decode(), "/report"
        for answers in ({}, *forms(2).values()):
            token = TOKEN.search(page)
            data = urlencode({"csrf_token": token[1] if token else "", **answers}).encode()
            with opener.open(f"{url}{path}", data) as response:
                page, path = response.read().decode(), urlsplit(response.url).path
        if "EXP-" not in page:
            raise RuntimeError(f"the warm-up walk did not end on a confirmation: {page[:300]}")


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    if len(ms) < 2:
        return (ms[0],) * 3 if ms else (float("nan"),) * 3
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def run_locust(url: str, users: int, seconds: int, scratch: Path) -> dict[str, object]:
    ramp = -(-users // SPAWN_RATE)
    out = scratch / "load-samples.json"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "load_locustfile.py"),
        "--headless",
    ]
    command += ["--host", url, "-u", str(users), "-r", str(SPAWN_RATE), "-t", f"{seconds + ramp}s"]
    command += ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    env = {**os.environ, "LOAD_SAMPLES": str(out), "LOAD_THINK": ",".join(map(str, THINK))}
    subprocess.run(
        command, cwd=ROOT, env=env, check=True, timeout=seconds + ramp + 90, capture_output=True
    )
    found: dict[str, object] = json.loads(out.read_text())
    return found


def section(bench: Bench) -> Section:
    result = Section("HTTP under load: gunicorn, 2 workers, simulated people")
    for module in ("locust", "gunicorn"):
        if importlib.util.find_spec(module) is None:
            result.missing.append(
                f"{module} is not installed (`.venv/bin/pip install -e '.[bench,prod]'`)"
            )
    if result.missing:
        return result
    users, seconds = bench.plan.users, bench.plan.seconds
    log(f"load: {users} users, {seconds} s after the ramp")
    with gunicorn(bench.root / "load-instance", 2) as url:
        warm_up(url)
        data = run_locust(url, users, seconds, bench.root)
    all_samples = data["samples"]
    assert isinstance(all_samples, list)
    begin, end = float(str(data.get("spawned", 0))), float(str(data["stopped"]))
    steady = [s for s in all_samples if s[1] >= begin]
    errors = Counter(f"{s[0]}: {s[3]}" for s in all_samples if s[3] is not None)
    rows = []
    for name in sorted({s[0] for s in all_samples}):
        p50, p95, p99 = percentiles([s[2] for s in steady if s[0] == name])
        failed = sum(n for e, n in errors.items() if e.startswith(f"{name}:"))
        rows.append(
            [
                name,
                f"{p50:.1f}",
                f"{p95:.1f}",
                f"{p99:.1f}",
                failed,
                verdict(p99 <= TARGET_P99_MS and not failed),
            ]
        )
    worst = max(rows, key=lambda r: float(r[3]))
    p50, p95, p99 = percentiles([s[2] for s in steady])
    rate = len(steady) / max(1e-9, end - begin)
    ok = not errors and float(worst[3]) <= TARGET_P99_MS
    headers = [
        "request",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        f"0 errors, p99 ≤ {TARGET_P99_MS:g} ms",
    ]
    errors_total = sum(errors.values())
    result.body = f"""gunicorn with 2 sync workers on 127.0.0.1 (a new instance folder: embedded
SQLite store and reports database; the per-client rate limits lifted). Locust (headless,
FastHttpUser, its own process) starts {users} users, {SPAWN_RATE} a second; each walks the whole
wizard in a new browser session again and again (bench/load_locustfile.py: 11 requests, 2
receipts, every response checked), pausing {THINK[0]:g}-{THINK[1]:g} s on each page. Latencies
are over the {end - begin:.0f} s after the last user started; errors over the whole run.
Locust and the app share the machine's CPUs.

{table(headers, rows)}

All requests: {rate:.0f} req/s, p50/p95/p99 {p50:.1f}/{p95:.1f}/{p99:.1f} ms, {errors_total} errors.
""" + "".join(f"\n- {n} x {e}" for e, n in errors.most_common(10))
    measured = f"{rate:.0f} req/s, {errors_total} errors, p99 {p99:.1f} ms"
    measured += f", worst step p99 {worst[3]} ms ({worst[0]})"
    result.glance.append(
        (
            f"HTTP, 2 workers, {users} people, {seconds} s",
            f"0 errors, step p99 ≤ {TARGET_P99_MS:g} ms",
            measured,
            verdict(ok),
        )
    )
    return result

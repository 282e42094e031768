"""The app under gunicorn with several workers on a free loopback port, and CPU accounting.

Like http_app.py's launcher (its own instance folder, this checkout first on PYTHONPATH,
127.0.0.1 only), but with the worker settings of a load test, and the CPU time its processes
and the whole machine spend, read from /proc.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from http_app import free_port
from measure import ROOT

START_TIMEOUT_S = 30.0
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ServerConfig:
    """A gunicorn setting: a short key, how the report names it, its command-line options."""

    key: str
    label: str
    options: tuple[str, ...]


SYNC = ServerConfig("sync", "gunicorn, 2 sync workers", ("--workers", "2"))
GTHREAD = ServerConfig(
    "gthread",
    "gunicorn, 2 workers x 4 threads (gthread), --preload",
    ("--workers", "2", "--threads", "4", "--preload"),
)
CONFIGS = {c.key: c for c in (SYNC, GTHREAD)}


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    config: ServerConfig
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The master and its workers."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [pid, *map(int, children)]

    def cpu_seconds(self) -> float:
        """User + system CPU time the master and its workers have used so far."""
        return process_cpu_seconds(self.pids())


@contextmanager
def gunicorn(
    instance: Path, config: ServerConfig, app_env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """Start gunicorn on a free port, wait until it listens, stop it (SIGTERM) at the end.

    app_env: environment variables for the app on top of this process's (FLASK_* settings).
    """
    env = {**os.environ, **(app_env or {}), "PYTHONPATH": _pythonpath()}
    prepare_instance(instance, env)
    port = free_port()
    factory = f"app:create_app(instance_path={str(instance)!r})"
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += [*config.options, factory]
    log = instance.parent / f"{instance.name}-gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    server = Server(process, port, config, log)
    try:
        _wait_until_listening(server)
        yield server
    except Exception as e:
        e.add_note(f"gunicorn's log ends:\n{log.read_text(errors='replace')[-2000:]}")
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _pythonpath() -> str:
    """This checkout first, so that gunicorn imports the app measured."""
    return os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)


def prepare_instance(instance: Path, env: dict[str, str]) -> None:
    """Create the instance folder (secret key, stores, tables) in one process first.

    Workers that start on a new folder without --preload each run create_app at once, and
    race: one can fail with "table ... already exists" and gunicorn then stops.
    """
    code = "import sys; from app import create_app; create_app(instance_path=sys.argv[1])"
    command = [sys.executable, "-c", code, str(instance)]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)


def _wait_until_listening(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on port {server.port} in {START_TIMEOUT_S} s")


def process_cpu_seconds(pids: Sequence[int]) -> float:
    """utime + stime of these processes (all their threads), from /proc/<pid>/stat."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return ticks / TICKS_PER_S


@dataclass(frozen=True)
class MachineTicks:
    """The first line of /proc/stat: every CPU's busy and total time, in ticks."""

    busy: int
    total: int

    @classmethod
    def now(cls) -> MachineTicks:
        line = Path("/proc/stat").read_text().splitlines()[0]
        values = [int(v) for v in line.split()[1:9]]  # user .. steal; guest is inside user
        idle = values[3] + values[4]  # idle + iowait
        return cls(sum(values) - idle, sum(values))

    def busy_since(self, start: MachineTicks) -> float:
        """The fraction of all CPU time that was busy between start and this reading."""
        return (self.busy - start.busy) / max(1, self.total - start.total)

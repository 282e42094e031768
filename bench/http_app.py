"""A real app process on a free local port, and a browser that talks HTTP to it.

The app runs under gunicorn (one sync worker) when gunicorn is installed, else under
Werkzeug's make_server (bench/serve.py: one process, one request at a time), always on
127.0.0.1 and in an instance folder of its own, with the per-client rate limits lifted
(bench/rate_limits.py). It imports the app from this checkout (PYTHONPATH), as the in-process
benchmarks do.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from measure import ROOT
from rate_limits import ENV as LIFTED_LIMITS_ENV

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Memory:
    """A process's peak and current resident memory, from /proc/<pid>/status, in KiB."""

    peak_kib: int  # VmHWM
    resident_kib: int  # VmRSS


@dataclass
class AppProcess:
    process: subprocess.Popen[bytes]
    port: int
    server: str  # what serves the app, for the report
    log: Path

    def worker_pid(self) -> int:
        """The process that runs the app's code: gunicorn's worker, or the server itself."""
        if not self.server.startswith("gunicorn"):
            return self.process.pid
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if len(children) != 1:
            raise RuntimeError(f"gunicorn should have one worker, has {children}")
        return int(children[0])

    def memory(self) -> Memory:
        fields = _status_fields(self.worker_pid())
        return Memory(fields["VmHWM"], fields["VmRSS"])


def _status_fields(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status (VmHWM, VmRSS, ...)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith(" kB"):
            fields[name] = int(value.split()[0])
    return fields


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def gunicorn_installed() -> bool:
    return importlib.util.find_spec("gunicorn") is not None


def _command(instance: Path, port: int) -> tuple[list[str], str]:
    if gunicorn_installed():
        factory = f"app:create_app(instance_path={str(instance)!r})"
        bind = f"127.0.0.1:{port}"
        command = [sys.executable, "-m", "gunicorn", "--bind", bind, "--workers", "1", factory]
        return command, "gunicorn, 1 sync worker"
    serve = str(ROOT / "bench" / "serve.py")
    command = [sys.executable, serve, "--instance", str(instance), "--port", str(port)]
    return command, "Werkzeug's make_server through bench/serve.py: 1 process, 1 request at a time"


@contextmanager
def app_process(instance: Path) -> Iterator[AppProcess]:
    """Start the app on a free port, wait until it listens, stop it (SIGTERM) at the end."""
    port = free_port()
    command, server = _command(instance, port)
    env = {
        **os.environ,
        **LIFTED_LIMITS_ENV,  # every request comes from 127.0.0.1
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    log = instance.parent / f"{instance.name}-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    running = AppProcess(process, port, server, log)
    try:
        _wait_until_listening(running)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(running: AppProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise RuntimeError(f"The app process exited:\n{running.log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", running.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"The app did not listen on port {running.port} in {START_TIMEOUT_S} s")


@dataclass(frozen=True)
class Reply:
    method: str
    path: str
    status: int
    location: str
    text: str

    def expect(self, status: int) -> Reply:
        """This reply if it has this status, else stop the benchmark."""
        if self.status != status:
            got = f"expected {status}, got {self.status}"
            raise RuntimeError(f"{self.method} {self.path}: {got}\n{self.text[:500]}")
        return self


class HttpBrowser:
    """One person's browser over HTTP: its cookies and CSRF token, one connection a request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.draft_url = ""

    def send(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> Reply:
        """One request, its whole response read; no redirect is followed."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body or None, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(header).items()})
        location = urlsplit(response.headers.get("Location", "")).path
        return Reply(method, path, response.status, location, text)

    def post_form(self, path: str, fields: dict[str, str]) -> Reply:
        body = urlencode({"csrf_token": self.token, **fields}).encode()
        return self.send("POST", path, body, "application/x-www-form-urlencoded")

    def at_receipts_step(self, employee: dict[str, str]) -> None:
        """Open the start page, start a draft and answer step 1 (Receipts is next)."""
        page = self.send("GET", "/").expect(200)
        match = _TOKEN.search(page.text)
        if match is None:
            raise RuntimeError("The start page has no CSRF token")
        self.token = match[1]
        self.draft_url = self.post_form("/report", {}).expect(303).location.rsplit("/", 1)[0]
        self.post_form(self.url("employee"), employee).expect(303)

    def url(self, step: str) -> str:
        return f"{self.draft_url}/{step}"

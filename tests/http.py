"""A small HTTP browser for tests against real app processes: cookies, CSRF, uploads."""

from __future__ import annotations

import ctypes
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from werkzeug.test import encode_multipart

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Page:
    status: int
    url: str
    text: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One browser: a cookie jar shared by every server it talks to (one host name)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.token = ""

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict[str, object]) -> Page:
        boundary, body = encode_multipart({"csrf_token": self.token, **data})
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=10) as response:
                page = Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as e:
            location = e.headers.get("Location", "")
            page = Page(e.code, location, e.read().decode())
        if token := re.search(r'name="csrf_token" value="([^"]+)"', page.text):
            self.token = token[1]
        return page


def die_with_parent() -> None:
    """Linux: the app process gets SIGKILL if the test run itself is killed (no orphans)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class AppProcess:
    """The app in its own OS process on a free port, configured by FLASK_* variables."""

    def __init__(self, instance: Path, port: int, env: dict[str, str]) -> None:
        self.instance, self.port, self.env = instance, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def log(self) -> IO[bytes]:
        """The file the server logs to: a pipe nobody reads fills up (each request with a
        store down logs a traceback) and then the server hangs on its next write."""
        self.instance.mkdir(parents=True, exist_ok=True)
        self._log = (self.instance / f"server-{self.port}.log").open("wb")
        return self._log

    def logged(self) -> str:
        return (self.instance / f"server-{self.port}.log").read_text(errors="replace")

    def start(self) -> AppProcess:
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.serve", str(self.instance), str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log(),
        )
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except (urllib.error.URLError, ConnectionError):
                if self.process and self.process.poll() is not None:
                    raise RuntimeError(self.logged()) from None
                time.sleep(0.1)
        raise RuntimeError(f"the app on port {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL, as a crash would: no cleanup, no graceful shutdown."""
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self._log:
            self._log.close()
            self._log = None


class GunicornProcess(AppProcess):
    """The app under gunicorn as the README runs it (--preload, several sync workers)."""

    def __init__(self, instance: Path, port: int, env: dict[str, str], workers: int = 4) -> None:
        super().__init__(instance, port, env)
        self.workers = workers

    def start(self) -> GunicornProcess:
        command = [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(self.workers),
                   "--no-control-socket", "--bind", f"127.0.0.1:{self.port}",
                   f"app:create_app(instance_path={str(self.instance)!r})"]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=self.log(),
            preexec_fn=die_with_parent,
        )
        self._wait_until_up()
        return self

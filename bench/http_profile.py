"""Where one app worker's time goes under load (the `http` section's profile): py-spy samples
the worker while people walk drafts (bench/http_drive.py's closed loop), and each sample is
counted in the first part below whose frames it passes through.

py-spy (`pip install py-spy`) reads the worker's stacks from outside: the app is measured as
it runs, unpatched. It pauses the worker for each sample (without that, stacks read while the
worker runs come torn: a quarter of them, rootless, were counted as gunicorn's), and takes no
idle samples (a worker waiting for a connection).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from common import table
from http_drive import Address, Wizard, closed_loop

IN_THE_APP = "PassedStateForwarder.__call__"  # the app's outermost WSGI callable
# (part, a pattern any frame of the sample matches): the first that matches counts it.
PARTS: tuple[tuple[str, str], ...] = (
    ("Jinja: rendering pages (with the fields, links and tokens they print)", r"render_template"),
    ("WTForms: building and checking forms", r"wtforms/"),
    ("SQLAlchemy: the reports database (submit, confirmation)", r"sqlalchemy/"),
    ("the session-memory store (drafts)", r"app/memory/(store|redis_store)\.py"),
    ("CSRF: Flask-WTF's check of each POST", r"flask_wtf/|itsdangerous/"),
    ("the browser session: open and save", r"open_session|save_session"),
)
# The rest goes by its deepest frame that is the app's or the framework's.
APP_CODE = "the app's own code"
APP_FRAME = re.compile(r"\(app/")
FRAMEWORK = "Flask and Werkzeug: the request, routing, hooks and response"
FRAMEWORK_FRAME = re.compile(r"\((flask|werkzeug|flask_limiter|blinker)/")
SERVER = "gunicorn: accepting, parsing, writing, closing (outside the app)"


@dataclass(frozen=True)
class Profile:
    samples: int
    shares: dict[str, float]  # part -> share of the samples (0-1)
    seconds: float


def py_spy() -> str | None:
    """py-spy beside this Python (the bench's virtualenv), else on the PATH."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def available() -> str:
    """Why py-spy cannot run here ("" when it can)."""
    return "" if py_spy() else "py-spy is not installed (`pip install py-spy`)"


def profile(
    wizard: Wizard, address: Address, worker: int, users: int = 8, seconds: float = 8.0
) -> Profile:
    """Sample `worker` for `seconds` while `users` people walk drafts at it."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as scratch:
        out = Path(scratch) / "stacks.txt"
        command = [str(py_spy()), "record", "--pid", str(worker), "--format", "raw", "--output"]
        command += [str(out), "--duration", f"{seconds:g}", "--rate", "200"]
        spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # py-spy attaches before the load starts
        closed_loop(wizard, address, users, seconds, 0.5, lambda: None)
        _, error = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0 or not out.exists():
            raise RuntimeError(f"py-spy failed: {error.decode(errors='replace')[-500:]}")
        counted = count(out.read_text())
    total = sum(counted.values())
    shares = {part: n / total for part, n in counted.most_common()} if total else {}
    return Profile(total, shares, seconds)


def count(folded: str) -> Counter[str]:
    """Samples per part, from py-spy's raw output (one `frame;frame;... count` a line)."""
    patterns = [(part, re.compile(pattern)) for part, pattern in PARTS]
    counted: Counter[str] = Counter()
    for line in folded.splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        counted[part_of(stack, patterns)] += int(number)
    return counted


def part_of(stack: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str:
    if IN_THE_APP not in stack:
        return SERVER
    inside = stack[stack.index(IN_THE_APP) :]
    if found := next((part for part, pattern in patterns if pattern.search(inside)), None):
        return found
    for frame in reversed(inside.split(";")):
        if APP_FRAME.search(frame):
            return APP_CODE
        if FRAMEWORK_FRAME.search(frame):
            return FRAMEWORK
    return FRAMEWORK


def shares_table(found: Profile) -> str:
    rows = [[part, f"{share * 100:.0f}%"] for part, share in found.shares.items()]
    return table(["part of a worker's time", "share of samples"], rows)

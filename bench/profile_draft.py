"""Where a whole draft's time goes on the app (the walk of bench/peer_bench.py).

Two views of the same walk:
1. Phase timers: a few dozen functions (template rendering, WTForms widget rendering, form
   construction and validation, CSRF tokens, the session store, the reports database, the
   rate limiter, each view) are wrapped with perf_counter_ns timers; each phase's time
   excludes the phases it calls, and the test client's share is the walk minus the WSGI app.
   Few calls are timed (about 300 per draft), so the split is close to the real run.
2. pyinstrument (`.venv/bin/pip install pyinstrument` first; not a project dependency): the
   functions with the most self time. Its hooks slow call-heavy code several times over, so
   read it for hot spots, not for shares.

Run: .venv/bin/python bench/profile_draft.py [-n 300] [--tree]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_wtf.csrf
from flask import Flask
from flask_limiter import Limiter
from measure import ROOT, table
from peer_walks import walk_ours
from variants import build_app
from wtforms.form import BaseForm, FormMeta
from wtforms.meta import DefaultMeta

import app.memory
import app.wizard.page
import app.wizard.summary
import app.wizard.views
from app.memory.store import SQLiteStore

RECEIPTS = 3
TEMPLATES = "Jinja template rendering (render_template, minus what it calls below)"
WIDGETS = "WTForms widget rendering (field(), called from templates)"
CONSTRUCTION = "WTForms form construction (bind fields, process data)"
VALIDATION = "WTForms validation"
CSRF = "CSRF tokens (Flask-WTF: generate, validate; parses the form)"
STORE = "Session store I/O (SQLiteStore: SQL, msgspec)"
SESSION = "Session and draft code (app/memory, Flask-Session)"
REPORTS = "Reports database (SQLAlchemy: find, submit, files, teardown)"
LIMITER = "Rate limiting (Flask-Limiter)"
VIEWS = "View logic (app/wizard views, pages, answers)"
APP_HOOKS = "App hooks (security headers, housekeeping)"
FLASK = "Flask and Werkzeug (routing, contexts, request, response)"
CLIENT = "Test client (build requests, read responses) and walk checks"


class Phases:
    """Exclusive time per phase: a phase's nested phases are subtracted from it."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = defaultdict(int)
        self._stack: list[list[Any]] = []

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append([phase, time.perf_counter_ns(), 0])
            try:
                return function(*args, **kwargs)
            finally:
                self._leave()

        return timed

    def _leave(self) -> None:
        phase, start, nested = self._stack.pop()
        elapsed = time.perf_counter_ns() - start
        self.totals[phase] += elapsed - nested
        if self._stack:
            self._stack[-1][2] += elapsed

    def patch(self, phase: str, owner: Any, *names: str) -> None:
        for name in names:
            if hasattr(owner, name):  # a store without touch() still gets the rest wrapped
                setattr(owner, name, self.wrap(phase, getattr(owner, name)))


def _hook_phase(function: Any) -> str:
    module = getattr(getattr(function, "func", function), "__module__", "") or ""
    for prefix, phase in (
        ("flask_limiter", LIMITER),
        ("flask_wtf", CSRF),
        ("flask_sqlalchemy", REPORTS),
        ("flask_session", SESSION),
        ("app.", APP_HOOKS),
    ):
        if module.startswith(prefix):
            return phase
    return FLASK


def _patch_hooks(phases: Phases, flask_app: Flask) -> None:
    """Every before/after/teardown function the extensions and the app registered."""
    for registry in (
        flask_app.before_request_funcs,
        flask_app.after_request_funcs,
        flask_app.teardown_request_funcs,
    ):
        for key, functions in registry.items():
            registry[key] = [phases.wrap(_hook_phase(f), f) for f in functions]
    teardowns = flask_app.teardown_appcontext_funcs
    teardowns[:] = [phases.wrap(_hook_phase(f), f) for f in teardowns]


def instrument(flask_app: Flask) -> Phases:
    """Wrap the phases' functions (for the rest of this process)."""
    phases = Phases()
    views = app.wizard.views
    phases.patch(TEMPLATES, views, "render_template")
    phases.patch(WIDGETS, DefaultMeta, "render_field")
    phases.patch(CONSTRUCTION, FormMeta, "__call__")
    phases.patch(VALIDATION, BaseForm, "validate")
    phases.patch(CSRF, flask_wtf.csrf, "generate_csrf", "validate_csrf")
    phases.patch(CSRF, flask_wtf.csrf.CSRFProtect, "protect")
    flask_app.jinja_env.globals["csrf_token"] = flask_wtf.csrf.generate_csrf
    phases.patch(STORE, SQLiteStore, "get", "get_touch", "put", "update", "delete", "touch")
    phases.patch(SESSION, type(flask_app.session_interface), "open_session", "save_session")
    public = ("owns", "start_draft", "open_draft", "seconds_left", "save_draft", "forget_draft")
    phases.patch(SESSION, app.memory, *public, "memory_is_on", "owned_draft_ids")
    phases.patch(REPORTS, views, "find_report", "submit_report", "discard_unsubmitted")
    phases.patch(REPORTS, views, "answers_of")  # lazy-loads the report's line items
    phases.patch(REPORTS, app.wizard.page, "files_of")
    phases.patch(REPORTS, app.wizard.summary, "files_of")
    phases.patch(LIMITER, Limiter, "_check_request_limit")
    _patch_hooks(phases, flask_app)
    for endpoint, view in list(flask_app.view_functions.items()):
        flask_app.view_functions[endpoint] = phases.wrap(VIEWS, view)
    flask_app.wsgi_app = phases.wrap(FLASK, flask_app.wsgi_app)  # type: ignore[method-assign]
    return phases


def phase_split(flask_app: Flask, drafts: int) -> tuple[dict[str, float], float]:
    """ms per draft by phase, and the median draft (ms) while timed."""
    phases = instrument(flask_app)
    samples = []
    for _ in range(drafts):
        start = time.perf_counter_ns()
        walk_ours(flask_app, RECEIPTS)
        samples.append(time.perf_counter_ns() - start)
    phases.totals[CLIENT] = sum(samples) - sum(phases.totals.values())
    per_draft = {phase: ns / drafts / 1e6 for phase, ns in phases.totals.items()}
    return per_draft, statistics.median(samples) / 1e6


def phase_table(per_draft: dict[str, float]) -> str:
    total = sum(per_draft.values())
    rows = sorted(per_draft.items(), key=lambda item: -item[1])
    return table(
        ("phase (exclusive time)", "ms per draft", "share"),
        [(phase, f"{ms:.2f}", f"{ms / total:.0%}") for phase, ms in rows],
    )


def _self_times(frame: Any) -> Iterator[tuple[Any, float]]:
    yield frame, frame.total_self_time
    for child in frame.children:
        if not child.is_synthetic:
            yield from _self_times(child)


def hot_functions(root: Any, drafts: int, count: int = 25) -> str:
    """The functions with the most self time (ms per draft, under pyinstrument)."""
    by_function: dict[tuple[str, str], float] = defaultdict(float)
    for frame, seconds in _self_times(root):
        where = (frame.file_path or "").split("site-packages/")[-1]
        by_function[frame.function, where.replace(str(ROOT) + "/", "")] += seconds * 1e3 / drafts
    top = sorted(by_function.items(), key=lambda item: -item[1])[:count]
    total = sum(by_function.values())
    rows = [(function, where, f"{ms:.2f}", f"{ms / total:.1%}") for (function, where), ms in top]
    return table(("function (self time)", "file", "ms per draft", "share"), rows)


def pyinstrument_run(flask_app: Flask, drafts: int) -> Any:
    """The root frame of a pyinstrument session over `drafts` drafts (None if unavailable)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: .venv/bin/pip install pyinstrument", file=sys.stderr)
        return None
    profiler = Profiler(interval=0.0002)
    with profiler:
        for _ in range(drafts):
            walk_ours(flask_app, RECEIPTS)
    return profiler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="drafts per view")
    parser.add_argument("--tree", action="store_true", help="also print pyinstrument's tree")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="profile-draft-") as scratch:
        plain_app, timed_app = (build_app(Path(scratch) / k) for k in ("a", "b"))
        for _ in range(30):  # warm-up
            walk_ours(plain_app, RECEIPTS), walk_ours(timed_app, RECEIPTS)
        profiler = pyinstrument_run(plain_app, args.n)
        per_draft, median = phase_split(timed_app, args.n)
    print(f"# A whole draft of the app ({RECEIPTS} receipts, 11 requests)\n")
    print(f"Median with phase timers: {median:.1f} ms per draft ({args.n} drafts).\n")
    print(phase_table(per_draft))
    session = profiler.last_session if profiler else None
    if session is not None:
        print(f"\n## pyinstrument: self time ({args.n} drafts; hooks inflate call-heavy code)\n")
        print(hot_functions(session.root_frame(), args.n))
        if args.tree:
            print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

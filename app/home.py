"""The pages around the flows: the start page, the memory switch, where memory lives."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from . import memory
from .extensions import limiter
from .flows.engine.views import flows_of, moved_draft
from .memory import DraftChangedError, TooLargeForCookieError

bp = Blueprint("home", __name__)


@bp.get("/")
def start() -> str:
    deleted = request.args.get("notice") == "deleted"
    notice = "Your draft was deleted." if deleted else None
    return render_template("start.html", notice=notice, flows=flows_of(current_app))


def _switch_rate() -> str:
    return str(current_app.config["WIZARD_SWITCH_RATE"])


@bp.post("/memory")
@limiter.limit(_switch_rate)
def switch_memory() -> Response:
    memory.switch_memory(request.form.get("memory") == "on")
    return redirect(_local_path(request.form.get("next", "/")), 303)


@bp.post("/memory/strategy")
@limiter.limit(_switch_rate)
def choose_strategy() -> Response:
    """Keep memory elsewhere from now on; from the inspector, move this draft there too."""
    name = request.form.get("strategy", "")
    if name not in memory.place_labels():
        return redirect(_local_path(request.form.get("next", "/")), 303)
    memory.choose_strategy(name)
    flows = flows_of(current_app)
    flow = flows.get(request.form.get("flow", "")) or next(iter(flows.values()))
    draft_id, step_name = request.form.get("draft", ""), request.form.get("step", "")
    if not (memory.owns(draft_id) and flow.step_named(step_name)):
        return redirect(_local_path(request.form.get("next", "/")), 303)
    notice = None
    try:
        moved = moved_draft(draft_id, name)
    except TooLargeForCookieError:
        moved, notice = draft_id, "full"
    except DraftChangedError:  # another tab wrote the cookie at that moment: not moved
        moved, notice = draft_id, "not-moved"
    url = url_for(f"{flow.name}.step", draft_id=moved, step_name=step_name, notice=notice)
    return redirect(url, 303)


# Segments end in "/" but the last: unambiguous, so no catastrophic backtracking.
_LOCAL_PATH = re.compile(r"/(?:[A-Za-z0-9_.~-]+/)*[A-Za-z0-9_.~-]*", re.ASCII)


def _local_path(target: str) -> str:
    """Only ever redirect to a plain path of this site. Browsers drop tabs and newlines from
    URLs (a tab between two slashes makes "//evil.example"), so anything unusual goes to "/"."""
    return target if _LOCAL_PATH.fullmatch(target) else "/"

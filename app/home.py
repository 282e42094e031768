"""The pages around the flows: the start page, the memory switch, where memory lives."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from . import memory
from .extensions import limiter
from .flows.engine import memory_off
from .flows.engine.registry import flows_of
from .flows.engine.views import moved_saying_why
from .security import local_path

bp = Blueprint("home", __name__)


NOTICES = {
    "deleted": "Your draft was deleted.",
    "discarded": "Your earlier answers were discarded when you turned session memory off.",
}


@bp.get("/")
def start() -> str:
    notice = NOTICES.get(request.args.get("notice", ""))
    return render_template("start.html", notice=notice, flows=flows_of(current_app))


@bp.get("/how-it-works")
def how_it_works() -> str:
    """For developers: where memory can live (chosen with Start), and the parts of the app."""
    if not current_app.config["WIZARD_DEMO"]:
        abort(404)
    return render_template("demo/how.html", flows=flows_of(current_app))


def _switch_rate() -> str:
    return str(current_app.config["WIZARD_SWITCH_RATE"])


@bp.post("/memory")
@limiter.limit(_switch_rate)
def switch_memory() -> ResponseReturnValue:
    """Turn memory on, or off; off asks first when it would discard answers, and then
    says on the page it returns to that it did."""
    on, back = request.form.get("memory") == "on", local_path(request.form.get("next", "/"))
    at_risk = [] if on else memory_off.at_risk()
    if request.args.get("ask") == "only" and not at_risk:  # the script's question: nothing
        return "", 204  # to ask, so its form is sent as it is
    if at_risk and request.form.get("confirmed") != "yes":
        fields = {"memory": "off", "next": back}
        carried = request.form.get("memory_state", "")  # memory in the page: handed on as sent
        return memory_off.question_before_off(at_risk, request.path, fields, back, carried)
    memory.switch_memory(on)
    return redirect(back + ("?notice=discarded" if at_risk else ""), 303)


@bp.post("/memory/strategy")
@limiter.limit(_switch_rate)
def choose_strategy() -> Response:
    """Keep memory elsewhere from now on; from the inspector, move this draft there too."""
    name = request.form.get("strategy", "")
    if name not in memory.place_labels():
        return redirect(local_path(request.form.get("next", "/")), 303)
    memory.choose_strategy(name)
    flows = flows_of(current_app)
    flow = flows.get(request.form.get("flow", "")) or next(iter(flows.values()))
    draft_id, step_name = request.form.get("draft", ""), request.form.get("step", "")
    if not (memory.owns(draft_id) and flow.step_named(step_name)):
        return redirect(local_path(request.form.get("next", "/")), 303)
    moved, notice = moved_saying_why(draft_id, name)
    url = url_for(f"{flow.name}.step", draft_id=moved, step_name=step_name, notice=notice)
    return redirect(url, 303)

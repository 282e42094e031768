"""The flows this app serves, each a folder of declarations run by the engine."""

from __future__ import annotations

from flask import Flask

from .. import memory
from .engine import Flow


def init_app(app: Flask) -> None:
    """Register the pages around the flows, each flow's pages, and what templates need."""
    from .. import home
    from .engine import context
    from .engine.views import flow_blueprint, flows_of
    from .expenses.flow import EXPENSES

    app.register_blueprint(home.bp)
    for flow in (EXPENSES,):
        app.register_blueprint(flow_blueprint(flow))
        app.jinja_env.globals.update(flow.template_globals)
    flows = tuple(flows_of(app).values())
    memory.pass_state_to(app, lambda draft_id, path: _takes_passed_state(flows, draft_id, path))
    app.context_processor(context.request_globals)
    app.jinja_env.globals.update(context.template_helpers(app))


def _takes_passed_state(flows: tuple[Flow, ...], draft_id: str, path: str) -> bool:
    """A draft's step pages take its passed-through memory; its confirmation has none."""
    in_a_draft = any(path.startswith(f"{flow.prefix}/{draft_id}/") for flow in flows)
    return in_a_draft and not path.endswith("/confirmation")

"""The flows this app serves, each a folder of declarations run by the engine."""

from __future__ import annotations

from flask import Flask

from .. import memory
from .engine import Flow


def init_app(app: Flask) -> None:
    """Register the pages around the flows, each flow's pages, and what templates need."""
    from .. import home
    from .engine import context
    from .expenses.approval import views as approval_views
    from .expenses.flow import EXPENSES
    from .support.flow import SUPPORT

    app.register_blueprint(home.bp)
    memory.pass_state_to(app, lambda draft_id, path: _takes_passed_state(app, draft_id, path))
    app.context_processor(context.request_globals)
    app.jinja_env.globals.update(context.template_helpers(app))
    context.share_macros(app, *context.MACRO_LIBRARIES)
    serve(app, EXPENSES)
    serve(app, SUPPORT)
    app.register_blueprint(approval_views.bp)


def serve(app: Flask, flow: Flow, template_folder: str | None = None) -> None:
    """Serve a flow's pages (its templates looked for in template_folder too, if given)."""
    from .engine.context import share_macros
    from .engine.views import flow_blueprint

    app.register_blueprint(flow_blueprint(flow, template_folder))
    app.jinja_env.globals.update(flow.template_globals)
    share_macros(app, *flow.macros)


def _takes_passed_state(app: Flask, draft_id: str, path: str) -> bool:
    """A draft's step pages take its passed-through memory; its confirmation has none."""
    from .engine.registry import flows_of

    flows = flows_of(app).values()
    in_a_draft = any(path.startswith(f"{flow.prefix}/{draft_id}/") for flow in flows)
    return in_a_draft and not path.endswith("/confirmation")

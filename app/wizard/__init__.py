"""The four-step wizard: step declarations, forms, views."""

from __future__ import annotations

from flask import Flask

from .. import memory


def init_app(app: Flask) -> None:
    """Register the wizard's pages and what every template needs."""
    from . import context, views

    app.register_blueprint(views.bp)
    memory.pass_state_to(app, _takes_passed_state)
    app.context_processor(context.request_globals)
    app.jinja_env.globals.update(context.template_helpers(app))


def _takes_passed_state(draft_id: str, path: str) -> bool:
    """The draft's step pages take its passed-through memory; its confirmation has none."""
    return path.startswith(f"/report/{draft_id}/") and not path.endswith("/confirmation")

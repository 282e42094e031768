"""The four-step wizard: step declarations, forms, views."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the wizard's pages and what every template needs."""
    from . import context, views

    app.register_blueprint(views.bp)
    app.context_processor(context.request_globals)
    app.jinja_env.globals.update(context.template_helpers(app))

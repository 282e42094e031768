"""The four-step wizard: step declarations, forms, views."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the wizard's pages and what every template needs."""
    from . import api, compare, context, guide, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(guide.bp)
    app.context_processor(context.request_globals)
    app.jinja_env.globals.update(context.template_helpers(app))

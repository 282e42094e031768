"""The demonstration layer: the memory inspector, memory on vs off, the guide, the diagram
and SessionState over HTTP. The engine never calls it: it listens to the engine's signals
and Flask's before_render_template, and fills what pages leave room for. Without it
(WIZARD_DEMO = False) the app is a plain expense service."""

from __future__ import annotations

from typing import Any

from flask import Flask, before_render_template
from jinja2 import Template

from .. import memory
from ..flows.engine import Flow
from ..flows.engine.signals import submitted
from ..memory import Draft
from .compare import Submitted


def init_app(app: Flask) -> None:
    """Register the demonstration's pages and connect it to what the engine tells."""
    from . import api, compare, guide

    app.register_blueprint(api.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(guide.bp)
    before_render_template.connect(_fill_page, app)
    submitted.connect(_remember_result, app)


def _fill_page(sender: Flask, template: Template, context: dict[str, Any], **extra: Any) -> None:
    """Give a step page its memory inspector, and a confirmation the inspector after submit."""
    from .inspector import inspector_after_submit, inspector_for

    page = context.get("page")
    if page is not None and "expires_in" in context:  # a step page of a live draft
        context["inspector"] = inspector_for(page.draft)
    elif (report := context.get("report")) is not None and "summary" in context:
        context["after_submit"] = inspector_after_submit(report.draft_id)


def _remember_result(
    sender: Flask, flow: Flow, record: Submitted, draft: Draft, **extra: Any
) -> None:
    """Keep what the submission cost, for the flow's comparison page."""
    from .compare import result_of

    memory.remember_result(flow.name, result_of(record, draft))

"""The flows an app serves, by name: what pages outside a flow (the start page, the memory
switch, the demo) read to name a draft's flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask.sansio.app import App

if TYPE_CHECKING:
    from .flow import Flow

FLOWS_KEY = "flows"  # app.extensions[FLOWS_KEY]: flow name (its blueprint's) -> Flow


def flows_of(app: App) -> dict[str, Flow]:
    """The flows this app serves, by name."""
    flows: dict[str, Flow] = app.extensions.setdefault(FLOWS_KEY, {})
    return flows

"""SessionState over HTTP (JSON) for the browser that owns the draft (SPEC §6)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort

from .. import memory

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/drafts/<draft_id>/state")
def memory_json(draft_id: str) -> dict[str, Any]:
    """The draft's memory as the inspector sees it: keys, types, sizes, writers; no values."""
    draft = memory.open_draft(draft_id, "inspector") if memory.owns(draft_id) else None
    if draft is None:
        abort(404)
    return {
        "draft": draft.id,
        "memory_on": draft.memory.carries_forward,
        "budget": memory.drafts().budget,
        "total_size": draft.memory.total_size(),
        "keys": [asdict(info) for info in draft.memory.list_keys()],
    }

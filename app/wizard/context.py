"""What every template may use."""

from __future__ import annotations

from typing import Any

from .. import memory
from .forms import MAX_RECEIPTS
from .steps import STEPS, number_of, previous_step
from .summary import receipt_legend


def request_globals() -> dict[str, Any]:
    """What templates show about this browser's session (None: the session is unavailable)."""
    try:
        return {"memory_on": memory.memory_is_on()}
    except (AssertionError, memory.StoreUnavailableError):
        return {"memory_on": None}  # the error page for a failed store must still render


def template_helpers() -> dict[str, Any]:
    """Helpers for templates and their macros (display only, no logic)."""
    return {
        "step_count": len(STEPS),
        "number_of": number_of,
        "previous_step": previous_step,
        "receipt_legend": receipt_legend,
        "max_receipts": MAX_RECEIPTS,
        "input_attrs": input_attrs,
    }


def input_attrs(field: Any, hint: str | None, classes: str) -> dict[str, str]:
    """HTML attributes of an input: its classes, and the GOV.UK error wiring."""
    described = ([f"{field.id}-hint"] if hint else []) + (
        [f"{field.id}-error"] if field.errors else []
    )
    attrs = {"class": classes + (" input-error" if field.errors else "")}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs

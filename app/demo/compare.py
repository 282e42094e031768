"""Memory on vs memory off, side by side: what the last submission of a flow in each mode
cost this browser."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Blueprint, abort, current_app, render_template

from .. import memory
from ..flows.engine.registry import flows_of
from ..memory import Draft

bp = Blueprint("compare", __name__)


@dataclass(frozen=True)
class Measure:
    """One compared quantity: its label, its key in a result, how to show a value."""

    label: str
    key: str
    unit: str  # "" for a count; "s" for seconds

    def show(self, value: float) -> str:
        return duration(value) if self.unit == "s" else f"{value:,.0f}"

    def shown(self, value: float) -> int:
        """The value as show() gives it, in whole units (a bar is as long as its label says)."""
        return round(value)


MEASURES = (
    Measure("Fields typed", "typed", ""),
    Measure("Fields typed again", "typed_again", ""),
    Measure("Pages sent", "pages", ""),
    Measure("Time from start to submit", "seconds", "s"),
)


class Submitted(Protocol):
    """A stored submission of any flow, as the comparison reads it."""

    reference: str
    memory_use: str
    fields_typed: int
    fields_repeated: int


def result_of(report: Submitted, draft: Draft) -> dict[str, Any]:
    """What this submission cost, as the browser session keeps it."""
    return {
        "reference": report.reference,
        "memory_on": report.memory_use == "on",  # a report off for any part is memory off
        "memory": report.memory_use,
        "typed": report.fields_typed,
        "typed_again": report.fields_repeated,
        "pages": draft.pages_sent,
        "seconds": round(time.time() - draft.created, 1),
    }


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: its mode, value, its label, and its length as a percentage of
    the chart's width (the larger value of the pair fills it)."""

    mode: str
    value: float
    percent: float
    text: str


def bars_of(measure: Measure, results: dict[str, dict[str, Any]]) -> list[Bar]:
    """The on and off bars of one measure, scaled to the larger of the two: lengths in
    proportion to the values as their labels show them (whole seconds), with no minimum: a 0
    draws no bar, only its label."""
    values = {mode: max(measure.shown(results[mode][measure.key]), 0) for mode in ("on", "off")}
    longest = max(values.values())
    return [
        Bar(mode, value, round(100 * value / longest, 1) if longest else 0.0, measure.show(value))
        for mode, value in values.items()
    ]


def verdict(on: dict[str, Any], off: dict[str, Any], thing: str = "report") -> str:
    """The comparison in one plain sentence or two, about a report (or another thing)."""
    again = off["typed_again"]
    fields = f"{again} {'field' if again == 1 else 'fields'} you had already given"
    off_for = f"off for part of the {thing}" if off.get("memory") == "part" else "off"
    slower = off["seconds"] - on["seconds"]
    timing = (
        f", and the {thing} took {duration(slower)} longer"
        if slower >= 1
        else "; it was not slower this time, but every repeated field was a chance to mistype"
    )
    n = on["typed_again"]
    spared = "nothing" if n == 0 else f"only {n} {'field' if n == 1 else 'fields'}"
    return (
        f"With session memory {off_for} you typed {fields}{timing}. "
        f"With memory on you typed {spared} twice."
    )


def duration(seconds: float) -> str:
    """65 -> '1 min 5 s'; 38 -> '38 s'."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


@bp.get("/compare", defaults={"flow_name": "expenses"})
@bp.get("/compare/<flow_name>")
def compare(flow_name: str) -> str:
    flow = flows_of(current_app).get(flow_name) or abort(404)
    thing = flow.noun.rsplit(" ", 1)[-1]  # "report", "request"
    results = memory.submitted_results(flow.name)
    both = "on" in results and "off" in results
    return render_template(
        "demo/compare.html",
        flow=flow,
        thing=thing,
        results=results,
        measures=MEASURES,
        chart={m.key: bars_of(m, results) for m in MEASURES} if both else {},
        verdict=verdict(results["on"], results["off"], thing) if both else None,
    )

"""Sections 1 and 4: step requests and whole drafts, every variant interleaved."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from dataclasses import dataclass

from driver import Browser, employee_form, expect, full_draft, prepare_draft
from measure import median_ms, paired_difference, quartiles_ms, table, timed_ns
from variants import FLOOR, Variant
from werkzeug.test import TestResponse

OVERHEAD_TARGET_MS = 0.3
RECEIPTS = 3


@dataclass(frozen=True)
class StepRequest:
    label: str
    send: Callable[[Browser], TestResponse]
    status: int
    marker: str  # in the body of the right page (a GET) or of the right redirect (the POST)

    def check(self, response: TestResponse) -> None:
        """Stop unless this is the page or redirect the request should give."""
        expect(response, self.status)
        if self.marker not in response.text:
            raise RuntimeError(f"{self.label}: the response lacks {self.marker!r}")


def _continue_step_1(browser: Browser) -> TestResponse:
    form = {"csrf_token": browser.token, **employee_form()}
    return browser.client.post(browser.url("employee"), data=form)


LAST = RECEIPTS - 1  # every remembered receipt must be on the page
STEP_REQUESTS = (
    StepRequest(
        f"GET Categories ({RECEIPTS} receipts)",
        lambda b: b.client.get(b.url("categories")),
        200,
        f'name="categories-{LAST}-category"',
    ),
    StepRequest(
        "GET Receipts",
        lambda b: b.client.get(b.url("receipts")),
        200,
        f'value="Merchant {RECEIPTS}"',  # the last receipt, as remembered
    ),
    StepRequest("POST Continue on step 1", _continue_step_1, 303, "/categories"),
)

Samples = dict[tuple[str, str], list[int]]


def _run_round(
    calls: list[tuple[Variant, StepRequest]], browsers: dict[str, Browser], samples: Samples
) -> None:
    for variant, request in calls:
        browser = browsers[variant.key]
        elapsed, response = timed_ns(lambda: request.send(browser))  # noqa: B023
        request.check(response)
        samples[variant.key, request.label].append(elapsed)


def measure_steps(variants: list[Variant], reps: int, warmup: int, seed: int = 1) -> Samples:
    """Time each step request on each variant, `reps` times, in a new random order each round."""
    browsers = {v.key: prepare_draft(v.app, RECEIPTS) for v in variants}
    calls = [(v, r) for v in variants for r in STEP_REQUESTS]
    samples: Samples = {(v.key, r.label): [] for v, r in calls}
    for _ in range(warmup):
        _run_round(calls, browsers, {key: [] for key in samples})
    gc.collect()
    rng = random.Random(seed)
    for _ in range(reps):
        rng.shuffle(calls)
        _run_round(calls, browsers, samples)
    return samples


def steps_table(variants: list[Variant], samples: Samples, also_over: str | None = None) -> str:
    """Per request and variant: the median, its spread, and the paired overhead over the
    floor (and over the variant also_over, when given)."""
    headers = [
        "request",
        "session memory",
        "median ms",
        "p25-p75 ms",
        "over floor ms [95% CI]",
        "≤ 0.3 ms over floor",
    ]
    other = next((v for v in variants if v.key == also_over), None)
    if other is not None:
        headers.append(f"over {other.label} ms [95% CI]")
    rows = []
    for request in STEP_REQUESTS:
        floor = samples[FLOOR, request.label]
        for variant in variants:
            mine = samples[variant.key, request.label]
            lo, hi = quartiles_ms(mine)
            over = paired_difference(mine, floor)
            is_floor = variant.key == FLOOR
            row = [
                request.label,
                variant.label,
                f"{median_ms(mine):.3f}",
                f"{lo:.3f}-{hi:.3f}",
                "" if is_floor else str(over),
                "" if is_floor else over.within(OVERHEAD_TARGET_MS),
            ]
            if other is not None:
                base = samples[other.key, request.label]
                row.append("" if variant.key == other.key else str(paired_difference(mine, base)))
            rows.append(row)
    return table(headers, rows)


def measure_full_drafts(variants: list[Variant], reps: int, warmup: int) -> dict[str, list[int]]:
    """Time whole drafts (a new browser each), variants interleaved in random order."""
    for variant in variants:
        for _ in range(warmup):
            full_draft(variant.app, RECEIPTS)
    gc.collect()
    samples: dict[str, list[int]] = {v.key: [] for v in variants}
    order = list(variants)
    rng = random.Random(2)
    for _ in range(reps):
        rng.shuffle(order)
        for variant in order:
            elapsed, _ = timed_ns(lambda: full_draft(variant.app, RECEIPTS))  # noqa: B023
            samples[variant.key].append(elapsed)
    return samples


def full_draft_table(variants: list[Variant], samples: dict[str, list[int]]) -> str:
    headers = ["session memory", "median ms", "p25-p75 ms", "over floor ms [95% CI]", "ms/request"]
    rows = []
    for variant in variants:
        mine = samples[variant.key]
        median = median_ms(mine)
        lo, hi = quartiles_ms(mine)
        over = "" if variant.key == FLOOR else str(paired_difference(mine, samples[FLOOR]))
        rows.append(
            [variant.label, f"{median:.2f}", f"{lo:.2f}-{hi:.2f}", over, f"{median / 11:.2f}"]
        )
    return table(headers, rows)

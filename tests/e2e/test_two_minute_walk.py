"""The demonstration lands for a first-time visitor (issue 19, point 4): from the start page,
using only visible buttons and links, a whole draft with memory on, the same draft again with
memory off (Try the same … with session memory off, on the confirmation), and /compare — in
each flow, at 1280 and 390 px. Every click is counted and the walk is timed; the numbers go
to the test's output (pytest -s) and to test-results/screenshots/walk-*.txt. A person reads
as they go, so the seconds here are the machine's part of the two minutes, not a person's."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.flows import BrowserFlow, expect_step

pytestmark = pytest.mark.e2e

EXAMPLES = "Use example answers"
# Start, 3 times (examples, Continue), confirm, submit, try again, 3 times (examples,
# Continue), review's examples (it asks everything again), confirm, submit, compare: 20.
MOST_CLICKS = 20


class Walk:
    """Clicks that a person makes, counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.clicks, self.started = page, 0, time.monotonic()

    def click(self, target: Locator) -> None:
        target.click()
        self.clicks += 1

    def button(self, name: str) -> None:
        self.click(self.page.get_by_role("button", name=name, exact=True))

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def through_the_steps(walk: Walk, flow: BrowserFlow, memory_on: bool) -> None:
    """Steps 1 to 3 with example answers; with memory off, what later steps ask again is
    marked with the step that asked it first."""
    for number in (1, 2, 3):
        expect_step(walk.page, number, flow.titles[number - 1])
        if not memory_on and number == 3:
            mark = walk.page.get_by_text("You already gave this on step 2")
            expect(mark.first).to_be_visible()
        walk.button(EXAMPLES)
        expect(walk.page.get_by_role("status")).to_contain_text("Example answers fill")
        walk.button("Continue")
    expect_step(walk.page, 4, flow.titles[3])


def send(walk: Walk, flow: BrowserFlow) -> None:
    walk.click(walk.page.get_by_label(flow.confirm_label))
    walk.button(flow.submit_label)
    expect(walk.page.get_by_role("heading", level=1)).to_have_text(flow.sent_title)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_first_visit_sees_what_memory_spares_within_two_minutes(
    page: Page,
    flow: BrowserFlow,
    width: int,
    screenshot: Callable[[Page, str], Path],
    screenshot_dir: Path,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    walk = Walk(page)
    walk.button(flow.start_label)
    through_the_steps(walk, flow, memory_on=True)
    send(walk, flow)
    on_reference = flow.reference.search(page.get_by_role("main").inner_text())
    thing = flow.noun.rsplit(" ", 1)[-1]

    walk.button(f"Try the same {thing} with session memory off")
    through_the_steps(walk, flow, memory_on=False)
    expect(page.get_by_text("You already gave this on step 1").first).to_be_visible()
    walk.button(EXAMPLES)  # review asks everything again
    screenshot(page, f"w01-{flow.name}-review-asks-again-{width}")
    assert_no_axe_violations(page, f"review asking again, {flow.name}, {width}")
    send(walk, flow)
    typed_again = page.get_by_role("main").get_by_text(re.compile(r"^Fields typed again"))
    expect(typed_again.locator("xpath=..")).not_to_contain_text("Fields typed again 0")

    walk.click(page.get_by_role("link", name="See memory on vs memory off side by side"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Memory on vs memory off")
    assert on_reference is not None
    expect(page.get_by_role("main")).to_contain_text(on_reference[0])
    expect(page.get_by_text("Not yet tried")).to_have_count(0)  # both ways, side by side
    screenshot(page, f"w02-{flow.name}-compare-after-the-walk-{width}")
    assert_no_axe_violations(page, f"compare after the walk, {flow.name}, {width}")

    said = f"two-minute walk, {flow.name}, {width} px: {walk.clicks} clicks, {walk.seconds:.1f} s"
    print(said)
    (screenshot_dir / f"walk-{flow.name}-{width}.txt").write_text(said + "\n")
    assert walk.clicks <= MOST_CLICKS

"""The demonstration's pictures on a phone (issue 19, point 10), at 1280 and 390 px: the
diagram of the parts (/how-it-works, /guide) and the comparison (/compare) fit the window
without sideways scrolling, their text keeps a readable size, each bar is as long as its value
says, memory off is not drawn in an error colour, and an empty comparison leads with one
thing to do."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_no_axe_violations
from tests.e2e.flows import EXPENSES, BrowserFlow, expect_step, press, turn_memory_off

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 390]
EXAMPLES = "Use example answers"
ERROR_RED = (212, 53, 28)  # --error, #d4351c
SMALLEST_DIAGRAM_TEXT = {1280: 13, 390: 14}  # px as drawn; 1280 keeps the drawing it had
SMALLEST_CHART_TEXT = 14  # px

SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"
# Every text of the drawing shown, its font size times the drawing's scale on screen
DIAGRAM_TEXT = """() => [...document.querySelectorAll(".diagram-svg")]
  .filter(svg => svg.getClientRects().length > 0)
  .flatMap(svg => [...svg.querySelectorAll("text")].map(text => ({
    text: text.textContent.trim(),
    px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    right: text.getBoundingClientRect().right,
  })))"""
# The chart's bars: value, drawn width, and the width of the track they are drawn in
BARS = """() => [...document.querySelectorAll(".chart-group")].map(group =>
  [...group.querySelectorAll(".bar")].map(bar => ({
    value: parseFloat(bar.dataset.value),
    width: bar.getBoundingClientRect().width,
    track: bar.ownerSVGElement.clientWidth,  // inside its left border (the axis)
    fill: getComputedStyle(bar).fill,
    label: bar.closest(".chart-row").querySelector(".chart-value").innerText,
  })))"""
CHART_TEXT = """() => [...document.querySelectorAll(
    ".chart-label, .chart-mode, .chart-value, .compare-table th, .compare-table td")]
  .map(el => ({text: el.innerText.trim(), px: parseFloat(getComputedStyle(el).fontSize)}))"""
# Each piece of a column header that must stay on one line: how many lines it takes
HEADER_PIECES = """() => [...document.querySelectorAll(
    ".compare-table thead .compare-mode, .compare-table thead .compare-reference")]
  .map(el => ({text: el.innerText, lines: el.getClientRects().length,
               height: el.getBoundingClientRect().height,
               line: parseFloat(getComputedStyle(el).lineHeight)}))"""


def no_sideways_scroll(page: Page, name: str) -> None:
    extra = page.evaluate(SIDEWAYS)
    assert extra <= 0, f"{name}: the page scrolls sideways by {extra}px"


def rgb(css: str) -> tuple[int, int, int]:
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", css)
    assert found, css
    red, green, blue = (int(part) for part in found.groups())
    return red, green, blue


def contrast_with_white(colour: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of a colour against white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def expect_diagram_readable(page: Page, width: int, name: str) -> None:
    """One drawing shown, wholly inside the window, no text smaller than it should be, each
    part a link described by its entry in the list below."""
    drawing = page.get_by_role("group", name=re.compile(r"^Diagram of the parts"))
    expect(drawing).to_have_count(1)
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name}: {box}"
    texts: list[dict[str, Any]] = page.evaluate(DIAGRAM_TEXT)
    assert len(texts) >= 15
    small = [t for t in texts if t["px"] < SMALLEST_DIAGRAM_TEXT[width] - 0.05]
    assert not small, f"{name}: text drawn too small: {small}"
    cut = [t for t in texts if t["right"] > width]
    assert not cut, f"{name}: text beyond the window: {cut}"
    for part in ("Browser", "Cookie", "App processes", "Session store", "Receipt files"):
        link = drawing.get_by_role("link", name=re.compile(rf"^{part}"))
        expect(link).to_have_count(1)
        expect(link).to_be_visible()
        expect(link).to_have_accessible_description(re.compile(r"^\w.{40,}"))
    store = drawing.get_by_role("link", name="Session store, on the highlighted path")
    store.focus()
    expect(page.locator(".diagram-note-store")).to_be_visible()
    expect(page.locator(".diagram-note-default")).to_be_hidden()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/how-it-works", "/guide"])
def test_the_diagram_reads_without_sideways_scrolling(
    page: Page, path: str, width: int, screenshot: Callable[[Page, str], Path]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    name = f"m01-diagram{path.replace('/', '-')}-{width}"
    no_sideways_scroll(page, name)
    expect_diagram_readable(page, width, name)
    page.locator(".diagram").scroll_into_view_if_needed()
    screenshot(page, name)
    assert_no_axe_violations(page, name)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_diagram_with_memory_off_fits_too(
    page: Page, width: int, screenshot: Callable[[Page, str], Path]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/how-it-works")
    turn_memory_off(page)
    expect(page.get_by_role("figure")).to_contain_text("Memory off: nothing carried.")
    label = page.locator(".broken-label-text, .broken-label-narrow").locator("visible=true")
    expect(label).to_have_text("memory off: nothing carried")
    label_box, drawing_box = label.bounding_box(), page.locator(".broken-label-bg:visible")
    bg = drawing_box.bounding_box()
    assert label_box and bg and label_box["width"] < bg["width"]  # the words inside their box
    no_sideways_scroll(page, f"diagram memory off {width}")
    screenshot(page, f"m02-diagram-memory-off-{width}")
    assert_no_axe_violations(page, f"diagram memory off {width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["/compare", "/compare/support"])
def test_an_empty_comparison_leads_with_one_thing_to_do(
    page: Page, path: str, width: int, screenshot: Callable[[Page, str], Path]
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    thing = "request" if path.endswith("support") else "report"
    main = page.get_by_role("main")
    expect(main.get_by_role("button")).to_have_count(1)
    first = main.get_by_role("button", name=f"Turn memory on and start a {thing}")
    expect(first).to_be_in_viewport()  # no scrolling to find it
    expect(main.get_by_role("heading", level=2).first).to_have_text("Start with memory on")
    expect(page.get_by_text("Not yet tried")).to_have_count(0)  # no table of blanks
    expect(page.get_by_role("table")).to_have_count(0)
    no_sideways_scroll(page, f"empty {path} {width}")
    name = f"m03-compare-empty{path.replace('/', '-')}-{width}"
    screenshot(page, name)
    assert_no_axe_violations(page, name)
    first.click()
    expect_step(page, 1, "Employee details" if thing == "report" else "Contact details")
    expect(page.get_by_role("banner")).to_contain_text("Session memory: On")


def walk(page: Page, flow: BrowserFlow, memory_on: bool) -> None:
    """Steps 1 to 3 with example answers (and review's too, which memory off asks again)."""
    for number in (1, 2, 3):
        expect_step(page, number, flow.titles[number - 1])
        press(page, EXAMPLES)
        press(page, "Continue")
    expect_step(page, 4, flow.titles[3])
    if not memory_on:
        press(page, EXAMPLES)
    page.get_by_label(flow.confirm_label).check()
    press(page, flow.submit_label)
    expect(page.get_by_role("heading", level=1)).to_have_text(flow.sent_title)


def value_of(label: str) -> float:
    """'26' -> 26; '1 min 5 s' -> 65; '38 s' -> 38."""
    timed = re.fullmatch(r"(?:(\d+) min )?(\d+) s", label)
    if timed:
        return int(timed[1] or 0) * 60 + int(timed[2])
    return float(label.replace(",", ""))


def expect_bars_as_long_as_their_values(page: Page, name: str) -> None:
    """Each bar's length, as a share of its track, is its label's value over the larger
    label's of the pair (within 2 %); a 0 draws nothing."""
    groups: list[list[dict[str, Any]]] = page.evaluate(BARS)
    assert len(groups) == 4
    for bars in groups:
        for bar in bars:
            assert bar["value"] == value_of(bar["label"]), f"{name}: {bar} drawn as another value"
        longest = max(bar["value"] for bar in bars)
        for bar in bars:
            share = bar["value"] / longest if longest else 0
            drawn = bar["width"] / bar["track"]
            assert abs(drawn - share) <= 0.02, (
                f"{name}: bar {bar} drawn at {drawn:.3f}, not {share}"
            )
            colour = rgb(bar["fill"])
            assert colour != ERROR_RED, f"{name}: a bar in the error colour"
            assert contrast_with_white(colour) >= 3, f"{name}: {bar['fill']} under 3:1 on white"
    on, off = groups[1]  # Fields typed again: 0 with memory on
    assert on["value"] == 0 and on["width"] == 0, f"{name}: a 0 drawn as a bar: {on}"
    assert off["width"] == pytest.approx(off["track"], abs=1)  # the larger fills the track
    assert rgb(on["fill"]) != rgb(off["fill"])


def expect_compare_readable(page: Page, width: int, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    expect(page.get_by_role("img", name="Bar chart: memory on vs memory off")).to_be_visible()
    no_sideways_scroll(page, name)
    texts: list[dict[str, Any]] = page.evaluate(CHART_TEXT)
    assert len(texts) > 20
    small = [t for t in texts if t["px"] < SMALLEST_CHART_TEXT]
    assert not small, f"{name}: text too small: {small}"
    expect_bars_as_long_as_their_values(page, name)
    labels = page.locator(".chart-mode")
    expect(labels).to_have_text(["Memory on", "Memory off"] * 4)  # colour is not the only cue
    pieces: list[dict[str, Any]] = page.evaluate(HEADER_PIECES)
    assert len(pieces) == 4
    broken = [p for p in pieces if p["lines"] != 1 or p["height"] > 1.5 * p["line"]]
    assert not broken, f"{name}: a column header broken across lines: {broken}"
    table = page.locator(".table-scroll")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), f"{name}: table scrolls"
    verdict = page.locator(".verdict")
    assert rgb(verdict.evaluate("el => getComputedStyle(el).borderLeftColor")) != ERROR_RED


def test_the_comparison_reads_on_a_phone_and_a_wide_screen(
    page: Page, screenshot: Callable[[Page, str], Path]
) -> None:
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/compare")
    press(page, "Turn memory on and start a report")
    walk(page, EXPENSES, memory_on=True)
    page.get_by_role("link", name="See memory on vs memory off side by side").click()
    # One mode only: the other is the thing to do next, before the numbers
    next_step = page.get_by_role("button", name="Turn memory off and start a report")
    expect(next_step).to_be_in_viewport()
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(1)
    dot = page.locator(".memory-status")
    no_sideways_scroll(page, "compare, memory on only, 390")
    screenshot(page, "m04-compare-on-only-390")
    assert_no_axe_violations(page, "compare, memory on only, 390")

    next_step.click()
    expect(dot).to_have_text("Session memory: Off")
    off = dot.evaluate("el => getComputedStyle(el, '::before').backgroundColor")
    assert off == "rgba(0, 0, 0, 0)" or rgb(off) != (244, 168, 150)  # no red dot for off
    walk(page, EXPENSES, memory_on=False)
    page.get_by_role("link", name="See memory on vs memory off side by side").click()
    expect(page.get_by_text("Not yet tried")).to_have_count(0)
    for width in WIDTHS:
        name = f"m05-compare-both-{width}"
        expect_compare_readable(page, width, name)
        screenshot(page, name)
        assert_no_axe_violations(page, name)

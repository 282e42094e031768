"""The memory switch's return address: whatever `next` a form posts, the switch answers
303 to a page of this site (SPEC §3: "it returns to the page it was pressed on"), never a
5xx and never a redirect to another site, as a browser would read the Location header."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers import DRIVERS, Wizard
from tests.property import BASE, assert_no_server_error, fresh_app

# Pieces browsers treat specially in a URL: slashes and backslashes, tab and newlines
# (removed), leading spaces and controls (stripped), schemes, user info, encodings.
URL_PIECES = (
    "/",
    "//",
    "\\",
    "\t",
    "\n",
    "\r",
    " ",
    "\x00",
    "\x0c",
    "%2F",
    "%5C",
    "%09",
    "@",
    ":",
    ".",
    "..",
    "?",
    "#",
    "evil.example",
    "http:",
    "https:",
    "javascript:alert(1)",
    "report",
)
next_values = st.one_of(
    st.lists(st.sampled_from(URL_PIECES), max_size=6).map("".join),
    st.text(max_size=20),
    st.text(max_size=20).map(lambda text: "/" + text),
)
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def as_a_browser_reads(location: str) -> str:
    """The Location value as a browser's URL parser sees it (WHATWG URL): leading and
    trailing C0 controls and spaces stripped, tabs and newlines removed, backslashes
    read as slashes (for http and https)."""
    cleaned = location.strip(C0_AND_SPACE)
    return re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")


@pytest.fixture(scope="module")
def switch_app() -> Iterator[Flask]:
    with fresh_app() as app:
        yield app


@pytest.mark.parametrize("driver", DRIVERS, ids=[d.flow_name for d in DRIVERS])
@settings(BASE, max_examples=75)
@given(next_path=next_values)
@example(next_path="/\t/evil.example")  # was Location "//evil.example" (fixed in 11f610c)
@example(next_path="/\n")  # was a 500: a newline in the Location header (fixed in 11f610c)
def test_the_switch_returns_only_to_a_page_of_this_site_and_memory_off_discards_the_draft(
    switch_app: Flask, driver: type[Wizard], next_path: str
) -> None:
    """POST /memory with any `next`: a 303 whose Location a browser reads as a path on
    this site (starts with one slash, not two), and the switch still takes effect: the
    draft's memory is gone (SPEC §4: on again, memory starts empty and the journey guard
    sends the person back to the first step, which is empty). On each flow."""
    browser = driver(switch_app.test_client())
    browser.start()
    draft = browser.draft_id
    first, second = driver.steps[:2]
    name = "Sentinel Q. Tester"  # a value no page shows unless memory kept it
    assert browser.fill(first, full_name=name).status_code == 303
    response = browser.switch_memory(False, next_path)
    assert_no_server_error(response)
    assert response.status_code == 303
    seen = as_a_browser_reads(response.headers["Location"])
    assert seen.startswith("/") and not seen.startswith("//"), f"redirects to {seen!r}"
    assert "Session memory: Off" in browser.client.get("/").text
    assert browser.switch_memory(True).status_code == 303
    guarded = browser.get(second, draft=draft)
    assert guarded.status_code == 303, "memory still held the first step's answers"
    assert guarded.location == f"{driver.prefix}/{draft}/{first}?notice=incomplete"
    assert name not in browser.get(first, draft=draft).text

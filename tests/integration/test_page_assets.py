"""What a page loads: the scripts and styles of what it has, and no others (SPEC §8's page
weight; `python -m bench weight` weighs them in a browser), at the address the app is served
under."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.helpers import SupportWizard, Wizard

SCRIPT = re.compile(r'<script src="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def scripts(page: TestResponse) -> list[str]:
    return SCRIPT.findall(page.text)


def names(page: TestResponse) -> set[str]:
    """The page's scripts by name: app for /static/js/app.js."""
    return {src.rsplit("/", 1)[1].removesuffix(".js") for src in scripts(page)}


def test_each_step_page_loads_the_scripts_of_what_it_has(wizard: Wizard) -> None:
    wizard.start()
    assert names(wizard.get("employee")) == {"app", "expiry"}  # and its expiry dialog
    wizard.fill_employee()
    receipts = wizard.get("receipts")
    assert names(receipts) == {"app", "expiry", "files"}  # a file input
    assert len(scripts(receipts)) == 3  # each once, though every receipt has a file input
    assert names(wizard.client.get("/")) == {"ended"}  # nothing there for app.js to enhance


def test_the_support_requests_problem_page_loads_its_character_count(app: Flask) -> None:
    support = SupportWizard(app.test_client())
    support.start()
    support.post("contact", support.page_data("contact"))
    support.post("order", support.page_data("order"))
    assert names(support.get("problem")) == {"app", "expiry", "files", "count"}


def test_only_a_page_that_carries_its_memory_loads_what_keeps_it(app: Flask) -> None:
    carried = Wizard(app.test_client(), "form")
    carried.start()
    assert "passed" in names(carried.fill_employee())  # the next page, memory in its form
    kept = Wizard(app.test_client())
    kept.start()
    assert "passed" not in names(kept.get("employee"))


@pytest.mark.demo  # the comparison is the demonstration's
def test_the_comparisons_styles_load_on_the_comparison_only(app: Flask) -> None:
    browser = app.test_client()
    assert "/static/css/compare.css" in STYLESHEET.findall(browser.get("/compare").text)
    assert STYLESHEET.findall(browser.get("/").text) == ["/static/css/app.css"]


def test_links_follow_the_address_the_app_is_served_under(app: Flask) -> None:
    """A URL built once is built once per script root: the same process serving the app
    under /wizard and under / links each to its own."""
    browser = app.test_client()
    mounted = browser.get("/", environ_overrides={"SCRIPT_NAME": "/wizard"})
    plain = browser.get("/")
    assert STYLESHEET.findall(mounted.text) == ["/wizard/static/css/app.css"]
    assert STYLESHEET.findall(plain.text) == ["/static/css/app.css"]
    assert 'href="/wizard/"' in mounted.text and 'href="/wizard/"' not in plain.text

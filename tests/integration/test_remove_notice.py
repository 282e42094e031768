"""After Remove, the page says what went (issue 19, point 9), in every flow, with memory on
(kept in memory, the page again by redirect) and off (the page again at once)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.helpers import Wizard


@pytest.mark.parametrize("memory_on", [True, False], ids=["memory-on", "memory-off"])
def test_remove_says_which_item_went_and_keeps_the_rest(
    app: Flask, driver: type[Wizard], memory_on: bool
) -> None:
    wizard = driver(app.test_client(), memory_on=memory_on, follow=True)
    wizard.start()
    for step in wizard.steps[: wizard.steps.index(wizard.items_step)]:
        wizard.fill(step)
    heading = wizard.items[:-1].capitalize()  # "Receipt", "Attachment"
    data = wizard.items_page([{}, {}])
    page = wizard.post(wizard.items_step, {**data, "action": "remove-1"})
    assert page.status_code == 200
    assert f"{heading} 2 was removed. Everything else you typed is kept." in page.text
    assert f"{wizard.items}-1-id" not in page.text  # one item left
    again = wizard.post(wizard.items_step, {**data, "action": "remove-7"})  # no such item
    assert "was removed" not in again.text


def test_a_crafted_notice_names_no_item_the_page_could_not_have_lost(
    app: Flask, driver: type[Wizard]
) -> None:
    wizard = driver(app.test_client(), memory_on=True, follow=True)
    wizard.start()
    for step in wizard.steps[: wizard.steps.index(wizard.items_step)]:
        wizard.fill(step)
    wizard.post(wizard.items_step, {**wizard.items_page([{}]), "action": "add"})  # 2 shown
    heading = wizard.items[:-1].capitalize()
    for crafted, says in (("removed-3", True), ("removed-4", False), ("removed-99", False)):
        page = wizard.client.get(wizard.url(wizard.items_step) + f"?notice={crafted}")
        assert (f"{heading} {crafted[8:]} was removed" in page.text) is says, crafted
    for crafted, says in (("file-removed-2", True), ("file-removed-3", False)):
        page = wizard.client.get(wizard.url(wizard.items_step) + f"?notice={crafted}")
        assert (f"The file of {heading.lower()} {crafted[13:]}" in page.text) is says, crafted

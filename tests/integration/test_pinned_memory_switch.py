"""The memory switch (SPEC §4): off discards the memory of every draft of this browser at
once, wherever it lives (on the server, in a cookie, passed through the form); later steps
ask again; on again, memory starts empty and the journey guard sends the person to the first
step; the counter counts what memory had forgotten."""

from __future__ import annotations

from flask import Flask

from tests.helpers import Wizard, legends_of
from tests.integration.test_cookie_memory import use_cookie
from tests.integration.test_counter import numbers, submitted
from tests.integration.test_form_memory import heading

NOTICE = "Session memory is off, so this step doesn't know what you entered before."


def sharing(wizard: Wizard, strategy: str = "server") -> Wizard:
    """Another tab of the same browser (its drafts' memory kept where `strategy` says)."""
    tab = Wizard(wizard.client, strategy)
    tab._token = wizard.token()
    return tab


def test_memory_off_discards_the_memory_of_every_draft_of_the_browser_wherever_it_lives(
    app: Flask,
) -> None:
    on_server = Wizard(app.test_client())
    on_server.start()
    assert on_server.fill_employee(full_name="Server Draft").status_code == 303
    use_cookie(on_server)
    in_cookie = sharing(on_server)
    in_cookie.start()
    assert in_cookie.draft_id.startswith("c.")
    assert in_cookie.fill_employee(full_name="Cookie Draft").status_code == 303
    in_form = sharing(on_server, "form")
    in_form.start()
    assert heading(in_form.fill_employee(full_name="Form Draft")) == "Receipts"

    assert on_server.switch_memory(on=False).status_code == 303  # once, from any page
    assert on_server.switch_memory(on=True).status_code == 303

    for tab, name in ((on_server, "Server Draft"), (in_cookie, "Cookie Draft")):
        guarded = tab.get("receipts")
        assert guarded.status_code == 303, f"{name}: memory still had step 1"
        assert guarded.location == tab.url("employee") + "?notice=incomplete"
        assert name not in tab.get("employee").text
    page = in_form.post("receipts", {"goto": "1"})  # the form draft's page as it is now
    assert heading(page) == "Employee details" and "Form Draft" not in page.text


def test_memory_off_discards_a_cookie_draft_mid_draft_and_later_steps_ask_again(
    wizard: Wizard,
) -> None:
    use_cookie(wizard)
    wizard.start()
    assert wizard.fill_employee().status_code == 303
    assert wizard.fill_receipts(1).location == wizard.url("categories")

    wizard.switch_memory(on=False)
    categories = wizard.get("categories")
    assert NOTICE in categories.text and legends_of(categories) == ["Receipt 1"]
    assert 'value="Merchant 1"' not in categories.text
    review = wizard.get("review")
    assert NOTICE in review.text and 'value="Ada Lovelace"' not in review.text

    wizard.switch_memory(on=True)
    guarded = wizard.get("categories")
    assert guarded.location == wizard.url("employee") + "?notice=incomplete"


def test_memory_off_and_on_again_counts_what_a_cookie_draft_forgot(wizard: Wizard) -> None:
    """The counter works the same for memory the browser carries: one mechanism."""
    use_cookie(wizard)
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.switch_memory(on=False)
    wizard.switch_memory(on=True)
    assert wizard.fill_employee().location == wizard.url("receipts")
    assert wizard.fill_receipts(1).location == wizard.url("categories")
    assert wizard.fill_categories(["Meals"]).location == wizard.url("review")
    page = submitted(wizard)
    assert numbers(page) == (5 + 4 + 5 + 4 + 2, 9)  # employee and receipt typed twice

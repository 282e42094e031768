"""Approval in Chromium (issue 20): the employee submits, opens the Mailbox, plays the
manager through the emailed link (reject without a reason first: the GOV.UK error
pattern), and the confirmation shows the decision and the report's history; at 1280 and
390 px, axe 0 violations on every page state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import EXPENSES, press, send, walk_to

pytestmark = [pytest.mark.e2e, pytest.mark.demo]  # the Mailbox is a demonstration

Check = Callable[[Page, str], None]


def open_the_managers_email(page: Page, reference: str, check: Callable[[Page], None]) -> None:
    page.get_by_role("link", name="Open the Mailbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailbox")
    subject = f"Expense report {reference} from Grace Hopper to approve"
    for _ in range(20):  # the app's background sender writes it within a moment
        if page.get_by_role("link", name=subject).count():
            break
        page.wait_for_timeout(250)
        page.reload()
    check(page)
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)


@pytest.mark.parametrize("width", [1280, 390])
def test_submit_mailbox_reject_and_the_status_the_employee_sees(
    page: Page, width: int, check_page: Check
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    walk_to(page, EXPENSES, 4)
    reference = send(page, EXPENSES)
    confirmation = page.url
    expect(page.get_by_role("heading", name="Status: Awaiting approval")).to_be_visible()
    check_page(page, f"a01-confirmation-awaiting-{width}")

    open_the_managers_email(page, reference, lambda p: check_page(p, f"a02-mailbox-{width}"))
    check_page(page, f"a02-mailbox-message-{width}")  # the manager's email
    page.get_by_role("link", name="/approve/").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve expense report")
    main = page.get_by_role("main")
    expect(main).to_contain_text(reference)
    expect(main).to_contain_text("Cafe Einstein")
    check_page(page, f"a03-approve-{width}")

    press(page, "Reject")  # without a reason
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(["Enter the reason for rejecting"])
    check_page(page, f"a04-approve-error-{width}")
    page.get_by_label("Reason for rejecting").fill("The taxi was a personal trip")
    press(page, "Reject")
    expect(page.get_by_role("heading", name="Status: Rejected")).to_be_visible()
    expect(main).to_contain_text("Reason: The taxi was a personal trip")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    check_page(page, f"a05-approve-decided-{width}")

    page.goto(confirmation)
    expect(page.get_by_role("heading", name="Status: Rejected")).to_be_visible()
    history = page.get_by_role("list").filter(has_text="Submitted by Grace Hopper")
    expect(history).to_contain_text("Opened by the approver")
    expect(history).to_contain_text("Rejected: The taxi was a personal trip")
    check_page(page, f"a06-confirmation-rejected-{width}")


def test_approve_without_javascript_and_a_second_tab_changes_nothing(
    page: Page, check_page: Check
) -> None:
    page.route("**/static/js/*.js", lambda route: route.abort())  # JavaScript's part gone
    walk_to(page, EXPENSES, 4)
    reference = send(page, EXPENSES)
    open_the_managers_email(page, reference, lambda p: None)
    page.get_by_role("link", name="/approve/").click()
    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    press(page, "Approve")
    expect(page.get_by_role("heading", name="Status: Approved")).to_be_visible()
    press(second_tab, "Reject")  # the page it had said nothing was decided yet
    expect(second_tab.get_by_role("status")).to_contain_text("already been decided")
    expect(second_tab.get_by_role("heading", name="Status: Approved")).to_be_visible()
    check_page(second_tab, "a07-second-tab-already-decided")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_unusable_link_and_an_empty_mailbox_say_what_to_do(
    page: Page, width: int, check_page: Check
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    answer = page.goto("/approve/" + "A" * 43)
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This approval link cannot be used")
    check_page(page, f"a08-link-unusable-{width}")
    page.goto("/mailbox")
    expect(page.get_by_role("main")).to_contain_text("There are no messages yet.")
    check_page(page, f"a09-mailbox-empty-{width}")
    page.get_by_role("link", name="Submit an expense report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an expense report")

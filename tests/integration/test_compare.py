"""/compare: the last report in each memory mode side by side, or an invitation to try one."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app.demo.compare import MEASURES, bars_of
from tests.helpers import SupportWizard, Wizard, employee_form, receipt_form

pytestmark = pytest.mark.demo  # the demonstration layer's own pages

# One receipt: 5 employee fields + date, merchant, amount, currency + category + purpose
TYPED_WITH_MEMORY_ON = 11


def table_row(page: str, label: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{label}</th>(.*?)</tr>", page, re.S)
    assert row, f"no row {label!r}"
    return [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row[1], re.S)]


def submit_with_memory_off(wizard: Wizard) -> None:
    """Memory off: Categories asks again for the receipt, review for everything."""
    wizard.switch_memory(on=False)
    wizard.start()
    wizard.fill_employee()
    wizard.post("receipts", receipt_form(0))
    both = {**receipt_form(0), "receipts-0-category": "Meals", "business_purpose": "Visit"}
    assert wizard.post("categories", both).status_code == 303
    assert wizard.submit(**employee_form(), **both).status_code == 303


def test_with_no_report_yet_it_leads_with_one_thing_to_do(wizard: Wizard) -> None:
    """No table of blanks: one invitation, to start with memory on (whose confirmation
    offers the same report with memory off)."""
    page = wizard.client.get("/compare").text
    assert "<h1>Memory on vs memory off</h1>" in page
    assert "<table" not in page and "Not yet tried" not in page
    assert "Start with memory on" in page
    assert page.count('class="button button-start"') == 1
    assert "Turn memory on and start a report" in page
    assert "Turn memory off and start a report" not in page
    assert 'role="img"' not in page


def test_after_a_report_with_memory_on_it_shows_its_numbers_and_invites_memory_off(
    wizard: Wizard,
) -> None:
    assert wizard.complete_draft().status_code == 303
    page = wizard.client.get("/compare").text
    assert table_row(page, "Fields typed") == [str(TYPED_WITH_MEMORY_ON), "Not yet tried"]
    assert table_row(page, "Fields typed again") == ["0", "Not yet tried"]
    assert table_row(page, "Pages sent") == ["4", "Not yet tried"]
    assert re.fullmatch(r"\d+ s", table_row(page, "Time from start to submit")[0])
    assert "Turn memory off and start a report" in page
    assert "Turn memory on and start a report" not in page
    assert page.index("Turn memory off and start a report") < page.index("<table")  # first
    assert "3.3.7" in page and "Redundant Entry" in page


def test_the_invitation_switches_memory_and_starts_a_report(wizard: Wizard) -> None:
    response = wizard.client.post("/report", data={"csrf_token": wizard.token(), "memory": "off"})
    assert response.status_code == 303 and response.location.endswith("/employee")
    step = wizard.client.get(response.location).text
    assert "Session memory: Off" in step


def test_with_a_report_in_each_mode_it_compares_them_in_a_table_a_chart_and_words(
    wizard: Wizard,
) -> None:
    assert wizard.complete_draft().status_code == 303
    submit_with_memory_off(wizard)
    page = wizard.client.get("/compare").text
    # Memory off: 11 on the first two steps and step 3's own, then the receipt again (4),
    # then everything again on review (11)
    assert table_row(page, "Fields typed") == [str(TYPED_WITH_MEMORY_ON), "26"]
    assert table_row(page, "Fields typed again") == ["0", "15"]
    assert table_row(page, "Pages sent") == ["4", "4"]
    assert "With session memory off you typed 15 fields you had already given" in page
    assert "With memory on you typed nothing twice." in page
    assert 'role="img"' in page and "Fields typed again: memory on 0, memory off 15." in page
    assert "Try it with memory" not in page


def test_an_error_shown_again_counts_as_a_page_sent(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.fill_employee(full_name="").status_code == 200
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    assert wizard.submit().status_code == 303
    page = wizard.client.get("/compare").text
    assert table_row(page, "Pages sent")[0] == "5"


def test_a_correction_is_no_repeat_and_a_report_off_for_part_is_shown_as_such(
    wizard: Wizard,
) -> None:
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    assert wizard.fill_employee(full_name="Ada King").location == wizard.url("review")  # Change
    assert wizard.submit().status_code == 303
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(1)
    wizard.fill_categories(["Meals"])
    wizard.switch_memory(on=False)  # for the review only: it asks for all 11 again
    whole = {**employee_form(), **receipt_form(0), "receipts-0-category": "Meals"}
    assert wizard.submit(**whole, business_purpose="Visit").status_code == 303
    page = wizard.client.get("/compare").text
    assert table_row(page, "Fields typed") == [str(TYPED_WITH_MEMORY_ON + 1), "22"]
    assert table_row(page, "Fields typed again") == ["0", "11"]
    assert '<br><span class="caption">off for part of it</span>' in page
    assert "With session memory off for part of the report you typed 11 fields" in page
    assert "With memory on you typed nothing twice." in page


def test_each_flow_has_its_own_comparison(client: FlaskClient) -> None:
    """/compare/support compares support requests; an expense report does not show there,
    nor a support request on /compare."""
    support = SupportWizard(client)
    assert support.complete_draft().status_code == 303
    support.switch_memory(on=False)
    support.start()
    support.fill("contact")
    support.fill("order")
    support.post("problem", {**support.page_data("order"), **support.page_data("problem")})
    assert support.post("review", {**support.fill_everything(), "confirm": "y"}).status_code == 303
    page = client.get("/compare/support").text
    assert "The last support request this browser submitted" in page
    assert table_row(page, "Fields typed") == ["9", "21"]
    assert table_row(page, "Fields typed again") == ["0", "12"]
    assert "With session memory off you typed 12 fields you had already given" in page
    expenses = client.get("/compare").text
    assert "Not yet tried" not in expenses and "<table" not in expenses
    assert "Turn memory on and start a report" in expenses
    assert client.get("/compare/nothing").status_code == 404


def test_a_flow_with_no_run_yet_invites_to_start_one_of_its_own(client: FlaskClient) -> None:
    page = client.get("/compare/support").text
    assert "Turn memory on and start a request" in page
    assert 'action="/support"' in page


def bars(key: str, on: float, off: float) -> list[tuple[str, float, float, str]]:
    measure = next(m for m in MEASURES if m.key == key)
    drawn = bars_of(measure, {"on": {key: on}, "off": {key: off}})
    return [(bar.mode, bar.value, bar.percent, bar.text) for bar in drawn]


def test_each_bar_is_as_long_as_its_label_says_with_no_minimum() -> None:
    assert bars("typed", 11, 26) == [("on", 11, 42.3, "11"), ("off", 26, 100.0, "26")]
    assert bars("typed_again", 0, 15) == [("on", 0, 0.0, "0"), ("off", 15, 100.0, "15")]
    assert bars("pages", 0, 0) == [("on", 0, 0.0, "0"), ("off", 0, 0.0, "0")]
    assert bars("pages", 4, 4) == [("on", 4, 100.0, "4"), ("off", 4, 100.0, "4")]
    assert bars("pages", 1, 400) == [("on", 1, 0.2, "1"), ("off", 400, 100.0, "400")]
    # Seconds as the labels show them: 1.4 s and 1.1 s both read "1 s", so equal bars
    assert bars("seconds", 1.4, 1.1) == [("on", 1, 100.0, "1 s"), ("off", 1, 100.0, "1 s")]
    assert bars("seconds", 65.2, 38.4) == [
        ("on", 65, 100.0, "1 min 5 s"),
        ("off", 38, 58.5, "38 s"),
    ]


def test_the_chart_draws_html_labels_and_bars_in_percent(wizard: Wizard) -> None:
    assert wizard.complete_draft().status_code == 303
    submit_with_memory_off(wizard)
    page = wizard.client.get("/compare").text
    widths = re.findall(r'class="bar bar-(on|off)"[^>]* width="([\d.]+)%"', page)
    assert widths[2:4] == [("on", "0.0"), ("off", "100.0")]  # Fields typed again: 0 and 15
    assert '<span class="chart-mode">Memory off</span>' in page
    assert "bar-off" in page and "#d4351c" not in page

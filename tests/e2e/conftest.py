"""Browser tests: a live Expense Wizard on 127.0.0.1, driven by Debian's Chromium.

pytest-playwright gives every test a fresh browser context (its `page` fixture), so no
browser session (cookie) leaks from one test into another. Tests that need a second
browser session, or JavaScript switched off, ask the `new_context` fixture for one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from tests.e2e.flows import FLOWS, BrowserFlow, expect_step, field, press, summary_value

__all__ = ["expect_step", "field", "press", "summary_value"]  # shared with flows.py

# Debian's package puts a launcher script at /usr/bin/chromium (never `playwright install`).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
INSTALL_HINT = (
    "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
    "--no-install-recommends chromium fonts-liberation"
)
# Playwright already passes most of these; --host-resolver-rules is the one that keeps
# Chromium off the network. Never add --disable-features (it replaces Playwright's list).
EXTRA_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
HOW_IT_WORKS = "/how-it-works"  # where the place memory lives is chosen (with Start)
HOST = "127.0.0.1"  # one host name throughout: localhost would have other cookies
REPORT_REFERENCE = re.compile(r"\bEXP-[0-9A-Z]{8}\b")


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str
) -> dict[str, Any]:
    """Extend pytest-playwright's own launch args (so --headed and --slowmo still work)."""
    if browser_name != "chromium":
        return browser_type_launch_args
    if not os.path.exists(CHROMIUM):
        # fail loudly rather than skip: a skipped browser suite hides a missing install
        pytest.fail(f"no Chromium at {CHROMIUM}: {INSTALL_HINT}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *EXTRA_ARGS],
    }


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: failures should show the test's own output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free loopback port, served by threads in a daemon thread."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    # Rate limits off: the suite starts many drafts from one address within a minute.
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False}, instance_path=str(instance))
    # port 0: any free port
    server = make_server(HOST, 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright gives every new context this base URL, so page.goto("/") works."""
    return live_server


@pytest.fixture(params=FLOWS, ids=[flow.name for flow in FLOWS])
def flow(request: pytest.FixtureRequest) -> BrowserFlow:
    """Each flow in turn (tests/e2e/flows.py): a test that takes it runs on the expense
    report and on the support request."""
    chosen: BrowserFlow = request.param
    return chosen


PLACES = {  # where a draft's memory lives: the start page's choice
    "server": "On the server",
    "cookie": "In a browser cookie",
    "form": "Passed through the form",
}


def choose_place(page: Page, place: str) -> None:
    """On How this demo works, choose where new drafts keep their memory."""
    page.goto(HOW_IT_WORKS)
    strategy = page.get_by_role("group", name="Where session memory lives")
    strategy.get_by_label(PLACES[place], exact=True).check()
    press(page, "Use this")
    expect(strategy.get_by_label(PLACES[place], exact=True)).to_be_checked()


# --- accessibility and screenshots --------------------------------------------------------

_AXE = Axe()


def format_violations(response: dict[str, Any]) -> str:
    """Each axe violation with its rule id, impact, help and the offending HTML."""
    lines = []
    for violation in response["violations"]:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html']}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, name: str) -> None:
    """Run axe-core on the page as it is now: 0 violations, or print them and fail."""
    results = _AXE.run(page)
    report = format_violations(results.response) if results.violations_count else ""
    if report:
        print(f"axe violations on {name} ({page.url}):\n{report}")
    assert results.violations_count == 0, f"axe violations on {name} ({page.url}):\n{report}"


MIN_GAP = 15  # px between the header's bottom edge and the first thing in <main>
# The visible boxes in <main> that no other may cover: text a person reads, things they press.
# (Nested ones, say a button inside a fieldset's legend row, are compared only with siblings'.)
LAYOUT_BOXES = """() => {
  const seen = [...document.querySelectorAll(
    "main h1, main h2, main p, main label, main legend, main dt, main dd, main a, " +
    "main input:not([type=hidden]), main select, main textarea, main button")]
    .filter(el => !el.closest("dialog:not([open]), .visually-hidden"))
    .filter(el => el.getClientRects().length > 0)
    .filter(el => getComputedStyle(el).visibility !== "hidden");
  const boxes = seen.map(el => ({el, r: el.getBoundingClientRect()}))
    .filter(b => b.r.width > 1 && b.r.height > 1);
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    " '" + (el.innerText || el.value || "").trim().slice(0, 40) + "'";
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) overlaps.push(name(a.el) + " overlaps " + name(b.el));
    }
  }
  const width = document.documentElement.clientWidth;
  const outside = boxes.filter(b => b.r.left < -1 || b.r.right > width + 1)
    .map(b => name(b.el) + " reaches " + Math.round(b.r.left) + ".." + Math.round(b.r.right));
  return {overlaps, outside, scroll: document.documentElement.scrollWidth - width};
}"""


def assert_layout(page: Page, name: str) -> None:
    """What a person sees at once on a narrow or wide screen: content with room below the
    header, nothing wider than the window, and no text or control drawn over another."""
    header = page.get_by_role("banner").bounding_box()
    first = page.get_by_role("main").locator("> *:visible").first.bounding_box()
    assert header and first
    gap = first["y"] - (header["y"] + header["height"])
    assert gap >= MIN_GAP, f"{name}: content starts {gap:.0f}px below the header"
    found = page.evaluate(LAYOUT_BOXES)
    assert found["scroll"] <= 0, f"{name}: the page scrolls sideways by {found['scroll']}px"
    assert not found["outside"], f"{name}: beyond the window's edge: {found['outside']}"
    assert not found["overlaps"], f"{name}: drawn over each other: {found['overlaps']}"


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    """test-results/screenshots at the project root (git-ignored)."""
    return Path(pytestconfig.rootpath) / "test-results" / "screenshots"


# Screenshots the README shows, kept in docs/screenshots/ (refreshed with
# UPDATE_README_SCREENSHOTS=1 ./scripts/test -k "inspector or compare or memory_off").
README_SCREENSHOTS = {
    "i02-inspector-on-review": "inspector.png",
    "b03-step3-memory-off": "memory-off-asks-again.png",
    "c02-compare-both-modes": "compare.png",
}


@pytest.fixture
def screenshot(screenshot_dir: Path, pytestconfig: pytest.Config) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot as test-results/screenshots/<name>.png."""
    docs = Path(pytestconfig.rootpath) / "docs" / "screenshots"

    def save(page: Page, name: str) -> Path:
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if name in README_SCREENSHOTS and os.environ.get("UPDATE_README_SCREENSHOTS"):
            docs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, docs / README_SCREENSHOTS[name])
        return path

    return save


@pytest.fixture
def check_page(screenshot: Callable[[Page, str], Path]) -> Callable[[Page, str], None]:
    """What every page on a journey gets: a screenshot, then axe with 0 violations."""

    def check(page: Page, name: str) -> None:
        screenshot(page, name)
        assert_no_axe_violations(page, name)

    return check


# --- reading pages --------------------------------------------------------------------------


def reference_of(page: Page) -> str:
    """The report reference shown on the confirmation page."""
    text = page.get_by_role("main").inner_text()
    match = REPORT_REFERENCE.search(text)
    assert match, f"no reference like EXP-XXXXXXXX on {page.url}:\n{text}"
    return match[0]


def expect_memory_status(page: Page, on: bool) -> None:
    header = page.get_by_role("banner")
    expect(header).to_contain_text(f"Session memory: {'On' if on else 'Off'}")
    label = f"Turn session memory {'off' if on else 'on'}"
    expect(header.get_by_role("button", name=label, exact=True)).to_be_visible()


# --- driving the wizard the way a person does -------------------------------------------------

EMPLOYEE_LABELS = {
    "full_name": "Full name",
    "work_email": "Work email",
    "employee_id": "Employee ID",
    "department": "Department",
    "manager_email": "Manager's email",
}


def receipt_group(page: Page, number: int) -> Locator:
    """The fieldset whose legend is exactly "Receipt N"."""
    return page.get_by_role("group", name=f"Receipt {number}", exact=True)


def fill_employee(page: Page, employee: dict[str, str]) -> None:
    """Type the employee details (keys as in tests.helpers.EMPLOYEE)."""
    for key, label in EMPLOYEE_LABELS.items():
        if key == "department":
            field(page, label).select_option(employee[key])
        else:
            field(page, label).fill(employee[key])


def expect_employee(page: Page, employee: dict[str, str]) -> None:
    """The employee fields show these values."""
    for key, label in EMPLOYEE_LABELS.items():
        expect(field(page, label)).to_have_value(employee[key])


def fill_receipt(group: Locator, receipt: dict[str, str]) -> None:
    """Type one receipt (date, merchant, amount, currency, description) into its group."""
    field(group, "Date").fill(receipt["date"])
    field(group, "Merchant").fill(receipt["merchant"])
    field(group, "Amount").fill(receipt["amount"])
    field(group, "Currency").select_option(receipt["currency"])
    field(group, "Description").fill(receipt.get("description", ""))


def expect_receipt(group: Locator, receipt: dict[str, str]) -> None:
    expect(field(group, "Date")).to_have_value(receipt["date"])
    expect(field(group, "Merchant")).to_have_value(receipt["merchant"])
    expect(field(group, "Amount")).to_have_value(receipt["amount"])
    expect(field(group, "Currency")).to_have_value(receipt["currency"])
    expect(field(group, "Description")).to_have_value(receipt.get("description", ""))


def fill_category(group: Locator, category: str, details: str = "") -> None:
    field(group, "Category").select_option(category)
    details_field = field(group, "Details")  # revealed for Other only
    if category == "Other":
        expect(details_field).to_be_visible()
        details_field.fill(details)
    else:
        expect(details_field).to_be_hidden()


def start_report(page: Page) -> str:
    """From the start page, start a draft; return the draft's base URL."""
    page.goto("/")
    press(page, "Start a new expense report")
    expect(page).to_have_url(re.compile(r"/report/[^/]+/employee$"))
    return page.url.rsplit("/", 1)[0]


def walk_to_review(
    page: Page,
    employee: dict[str, str],
    receipt: dict[str, str],
    category: str = "Meals",
    purpose: str = "Client visit",
    start: Callable[[Page], str] = start_report,
) -> str:
    """Start a report (memory on the server unless `start` chooses otherwise) and fill steps
    1-3 (one receipt); return the draft URL."""
    draft = start(page)
    fill_employee(page, employee)
    press(page, "Continue")
    expect_step(page, 2, "Receipts")
    fill_receipt(receipt_group(page, 1), receipt)
    press(page, "Continue")
    expect_step(page, 3, "Categories")
    fill_category(page.get_by_role("group").first, category)
    field(page, "Business purpose").fill(purpose)
    press(page, "Continue")
    expect_step(page, 4, "Review and submit")
    return draft


def submit_report(page: Page) -> str:
    """On review: tick the confirmation, submit; return the reference shown."""
    page.get_by_label(
        "I confirm these expenses are accurate and for business purposes", exact=True
    ).check()
    press(page, "Submit expense report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Expense report submitted")
    expect(page).to_have_url(re.compile(r"/report/[^/]+/confirmation(\?notice=already)?$"))
    return reference_of(page)

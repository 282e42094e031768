"""What the browser carries after many Add/Remove clicks, in each place memory can live
(issue 15.5 and 15.6): the largest receipts page, the memory_state field a form-memory page
carries, and the Cookie header the browser sends.

Run: .venv/bin/python bench/click_growth.py [clicks]   (default 20)
A draft with step 1 done and one receipt typed; then clicks alternate Add another receipt
and Remove receipt 2, each sending the page as it came back (its fields and memory).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from driver import employee_form, expect, receipts_form
from measure import table
from variants import build_app
from werkzeug.test import Client, TestResponse

STATE = re.compile(r'name="memory_state" value="([^"]+)"')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
DRAFT = re.compile(r'action="(/report/[^/"]+)/')
PLACES = ("server", "cookie", "form")


def cookie_header(client: Client) -> int:
    return len("; ".join(f"{c.key}={c.value}" for c in client._cookies.values()))


def shown(client: Client, response: TestResponse) -> TestResponse:
    """The page a response leads to (a form-memory POST is already the page)."""
    if response.status_code == 303:
        return expect(client.get(response.location), 200)
    return expect(response, 200)


def walk(place: str, clicks: int) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder) / "instance", SECRET_KEY="bench")
        client = app.test_client()
        token = TOKEN.search(client.get("/").text)[1]  # type: ignore[index]
        client.post("/memory/strategy", data={"csrf_token": token, "strategy": place})
        page = shown(client, client.post("/report", data={"csrf_token": token}))
        draft = DRAFT.search(page.text)[1]  # type: ignore[index]

        def send(step: str, data: dict[str, str]) -> TestResponse:
            state = STATE.search(page.text)
            carried = {"memory_state": state[1]} if state else {}
            form = {"csrf_token": token, **carried, **data}
            return shown(client, client.post(f"{draft}/{step}", data=form))

        page = send("employee", employee_form())
        largest_page = largest_state = largest_cookie = 0
        receipts = receipts_form(1)
        for click in range(clicks):
            action = "add" if click % 2 == 0 else "remove-1"
            page = send("receipts", {**receipts, "action": action})
            state = STATE.search(page.text)
            largest_page = max(largest_page, len(page.data))
            largest_state = max(largest_state, len(state[1]) if state else 0)
            largest_cookie = max(largest_cookie, cookie_header(client))
        return [place, f"{largest_page:,}", f"{largest_state:,}", f"{largest_cookie:,}"]


def main() -> None:
    clicks = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rows = [walk(place, clicks) for place in PLACES]
    head = ["memory lives", "largest page (B)", "memory_state (B)", "Cookie header (B)"]
    print(f"After {clicks} Add/Remove clicks on a one-receipt draft:\n")
    print(table(head, rows))


if __name__ == "__main__":
    main()

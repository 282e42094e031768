"""The `weight` section: each page's HTML + CSS + JS, uncompressed, in headless Chromium,
and any request to another host."""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import shutil
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from common import Bench, Section, log, table, verdict
from load import gunicorn
from walk import (
    SUPPORT_NAME,
    TOKEN,
    categories_form,
    employee_form,
    receipts_form,
    support_forms,
)

HOST = "127.0.0.1"
TARGET_BYTES = 30_000  # SPEC §8's "30 KB", read strictly
RECEIPTS = 2
# As tests/e2e/conftest.py: Debian's Chromium, kept off the network by its resolver rules.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
CHROMIUM_ARGS += [
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class References(HTMLParser):
    """The URLs a page's HTML makes the browser load: stylesheets, scripts, images, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        source = {"script": "src", "img": "src", "source": "src", "iframe": "src"}.get(tag)
        if source and a.get(source):
            self.urls.append(str(a[source]))
        rel = (a.get("rel") or "").lower()
        if (
            tag == "link"
            and a.get("href")
            and any(r in rel for r in ("stylesheet", "icon", "preload"))
        ):
            self.urls.append(str(a["href"]))


def fetch(url: str) -> tuple[int, bytes]:
    """GET a 127.0.0.1 URL without Accept-Encoding (so uncompressed)."""
    parts = urlsplit(url)
    if parts.hostname != HOST:
        raise ValueError(f"the weight section fetches {HOST} only, not {url}")
    conn = http.client.HTTPConnection(HOST, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class Weight:
    name: str
    sizes: dict[str, int] = field(default_factory=dict)  # HTML, CSS, JS, other
    foreign: set[str] = field(default_factory=set)  # URLs on other hosts
    broken: list[str] = field(default_factory=list)

    def total(self) -> int:
        return sum(self.sizes.values())


def weigh(name: str, html: str, base: str, requested: list[str]) -> Weight:
    """The page's HTML plus each resource it references (in HTML or CSS) or the browser
    asked for, each once."""
    weight = Weight(name, {"HTML": len(html.encode())})
    parser = References()
    parser.feed(html)
    queue = [urljoin(base, u) for u in parser.urls if not u.startswith("data:")]
    queue += [u for u in requested if u != base]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        host = urlsplit(url).hostname
        if urlsplit(url).scheme not in ("data", "blob", "about") and host != HOST:
            weight.foreign.add(url)
        if url in seen or host != HOST:
            continue
        seen.add(url)
        status, body = fetch(url)
        if status != 200:
            weight.broken.append(f"{url} answered {status}")
        kind = {".css": "CSS", ".js": "JS", ".mjs": "JS"}.get(
            Path(urlsplit(url).path).suffix, "other"
        )
        weight.sizes[kind] = weight.sizes.get(kind, 0) + len(body)
        if kind == "CSS":
            found = (m[1] or m[2] for m in _CSS_URL.finditer(body.decode(errors="replace")))
            queue += [urljoin(url, u) for u in found if not u.startswith(("data:", "#"))]
    return weight


def walk_pages(page: Any, base: str) -> list[Weight]:
    """Each page of one expense report with 2 receipts, then of a support request, loaded by
    the browser and weighed; the forms in between sent through the browser context (its
    cookies)."""
    requested: list[str] = []
    page.context.on("request", lambda r: requested.append(r.url))
    weights, token = [], ""

    def load(name: str, path: str, must_show: str) -> None:
        nonlocal token
        requested.clear()
        response = page.goto(urljoin(base, path))
        page.wait_for_load_state("networkidle")
        html = response.body().decode(errors="replace")
        if response.status != 200 or must_show not in html:
            raise RuntimeError(f"{name}: {path} answered {response.status} without {must_show!r}")
        token = (m[1] if (m := TOKEN.search(html)) else "") or token
        weights.append(weigh(name, html, response.url, list(requested)))

    def post(path: str, form: dict[str, Any]) -> str:
        response = page.request.post(
            urljoin(base, path), form={"csrf_token": token, **form}, max_redirects=0
        )
        if response.status != 303:
            raise RuntimeError(f"POST {path}: expected 303, got {response.status}")
        return str(urlsplit(response.headers["location"]).path)

    load("Start", "/", "Submit an expense report")
    employee = post("/report", {})
    load("1 Employee details", employee, "Step 1 of 4")
    receipts = post(employee, employee_form())
    load("2 Receipts (1 empty receipt)", receipts, "Step 2 of 4")
    categories = post(receipts, receipts_form(RECEIPTS))
    load(f"2 Receipts ({RECEIPTS} receipts, shown again)", receipts, f"Merchant {RECEIPTS}")
    load("3 Categories", categories, f"Merchant {RECEIPTS}")
    review = post(categories, categories_form(RECEIPTS))
    load("4 Review and submit", review, f"Merchant {RECEIPTS}")
    load("Confirmation", post(review, {"confirm": "y"}), "Expense report submitted")
    support = support_forms()
    contact = post("/support", {})
    load("Support request: 1 Contact details", contact, "Step 1 of 4")
    order = post(contact, support["contact"])
    load("Support request: 2 Product and order", order, "Step 2 of 4")
    problem = post(order, support["order"])
    load("Support request: 3 The problem", problem, "Step 3 of 4")
    sending = post(problem, support["problem"])
    load("Support request: 4 Review and send", sending, SUPPORT_NAME)
    load("Support request: confirmation", post(sending, support["review"]), "Support request sent")
    return weights


def section(bench: Bench) -> Section:
    result = Section("Page weight, and requests to other hosts")
    if importlib.util.find_spec("playwright") is None:
        result.missing.append("playwright is not installed (`.venv/bin/pip install -e '.[test]'`)")
    if not os.path.exists(CHROMIUM):
        result.missing.append(
            f"no Chromium at {CHROMIUM}: `apt-get install chromium` (never `playwright install`)"
        )
    if result.missing:
        return result
    from playwright.sync_api import sync_playwright

    log("weight")
    with gunicorn(bench.root / "weight-instance", 1) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            weights = walk_pages(browser.new_context().new_page(), base)
        finally:
            browser.close()
    kinds = ("HTML", "CSS", "JS", "other")
    rows = [
        [
            w.name,
            *(f"{w.sizes.get(k, 0):,}" for k in kinds),
            f"{w.total():,}",
            len(w.foreign),
            verdict(w.total() <= TARGET_BYTES and not w.foreign and not w.broken),
        ]
        for w in weights
    ]
    problems = [f"- {w.name}: {p}" for w in weights for p in [*sorted(w.foreign), *w.broken]]
    headers = ["page", *(f"{k} B" for k in kinds), "total B", "other hosts"]
    result.body = f"""gunicorn (1 worker) on {HOST}; headless Chromium (Debian's) loads each page of
an expense report with {RECEIPTS} receipts, then of a support request; every request it
makes is recorded, and any host but {HOST} fails the page. A page's weight: its HTML plus
every stylesheet, script, image, icon or font it references (in HTML or CSS) or the browser
asked for, each fetched again without Accept-Encoding, so uncompressed.

{table([*headers, f"≤ {TARGET_BYTES:,} B, none"], rows)}

Problems: {chr(10).join(problems) or "none"}"""
    heaviest = max(weights, key=Weight.total)
    foreign = sorted({u for w in weights for u in w.foreign})
    ok = all(w.total() <= TARGET_BYTES for w in weights)
    result.glance.append(
        (
            "Heaviest page (HTML + CSS + JS, uncompressed)",
            f"≤ {TARGET_BYTES:,} B",
            f"{heaviest.total():,} B ({heaviest.name})",
            verdict(ok),
        )
    )
    result.glance.append(
        (
            "Requests to another host",
            "none",
            ", ".join(foreign) or f"none on {len(weights)} pages",
            verdict(not foreign),
        )
    )
    return result

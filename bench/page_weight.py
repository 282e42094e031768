"""Page weight (SPEC §8): each page's HTML + CSS + JS, uncompressed, and the hosts it calls.

Run: .venv/bin/python bench/page_weight.py
Needs Debian's Chromium (apt-get install chromium; never `playwright install`) and the
playwright package of the test extra. Prints Markdown and writes it to
bench/results/page_weight.md.

How it measures: method() below, printed at the head of the report.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from driver import categories_form, employee_form, receipts_form
from http_app import app_process, gunicorn_installed
from measure import PACKAGES, ROOT, load_average, machine, table, verdict
from playwright.sync_api import Browser, Page, Request, sync_playwright

HOST = "127.0.0.1"
TARGET_BYTES = 30_000  # "30 KB", read strictly (30 KiB would be 30,720)
RECEIPTS = 2
# As tests/e2e/conftest.py: Debian's Chromium, kept off the network by its resolver rules.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
_KINDS = {".css": "CSS", ".js": "JS", ".mjs": "JS"}


class References(HTMLParser):
    """The URLs a page's HTML makes the browser load: stylesheets, scripts, images, icons."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        wanted = {"script": "src", "img": "src", "source": "src", "iframe": "src"}
        if tag in wanted and a.get(wanted[tag]):
            self.urls.append(str(a[wanted[tag]]))
        rel = (a.get("rel") or "").lower()
        if (
            tag == "link"
            and a.get("href")
            and any(r in rel for r in ("stylesheet", "icon", "preload"))
        ):
            self.urls.append(str(a["href"]))
        for candidate in (a.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])


def html_references(html: str, base: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return [urljoin(base, u) for u in parser.urls if not u.startswith("data:")]


def css_references(css: str, base: str) -> list[str]:
    found = (m[1] or m[2] for m in _CSS_URL.finditer(css))
    return [urljoin(base, u) for u in found if not u.startswith(("data:", "#"))]


@dataclass(frozen=True)
class Resource:
    url: str
    kind: str  # HTML, CSS, JS, other
    status: int
    size: int


def kind_of(url: str, content_type: str) -> str:
    suffix = Path(urlsplit(url).path).suffix
    if suffix in _KINDS:
        return _KINDS[suffix]
    return "HTML" if "html" in content_type else "other"


def fetch(url: str) -> tuple[int, str, bytes]:
    """GET a 127.0.0.1 URL without Accept-Encoding: status, content type, body."""
    parts = urlsplit(url)
    if parts.hostname != HOST:
        raise ValueError(f"page_weight fetches {HOST} only, not {url}")
    conn = http.client.HTTPConnection(HOST, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        conn.close()


def subresources(urls: list[str], elsewhere: list[str]) -> list[Resource]:
    """Fetch each URL once (following what CSS references); URLs on another host are not
    fetched but added to elsewhere."""
    seen: dict[str, Resource] = {}
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if on_another_host(url):
            elsewhere.append(url)
        if url in seen or urlsplit(url).hostname != HOST:
            continue
        status, content_type, body = fetch(url)
        seen[url] = Resource(url, kind_of(url, content_type), status, len(body))
        if seen[url].kind == "CSS":
            queue += css_references(body.decode(errors="replace"), url)
    return list(seen.values())


def on_another_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname != HOST


@dataclass
class PageWeight:
    name: str
    url: str
    resources: list[Resource]
    requested: list[str] = field(default_factory=list)  # every URL the browser asked for
    elsewhere: list[str] = field(default_factory=list)  # URLs it names on other hosts

    def size(self, kind: str | None = None) -> int:
        return sum(r.size for r in self.resources if kind is None or r.kind == kind)

    @property
    def foreign(self) -> list[str]:
        """URLs on another host that the browser asked for or the page references."""
        requested = [u for u in self.requested if on_another_host(u)]
        return sorted({*requested, *self.elsewhere})

    @property
    def broken(self) -> list[Resource]:
        return [r for r in self.resources if r.status != 200]

    def ok(self) -> bool:
        return self.size() <= TARGET_BYTES and not self.foreign and not self.broken


class Visit:
    """One browser session through the wizard; each page loaded and weighed."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.token = ""
        self.requested: list[str] = []
        page.context.on("request", self._record)

    def _record(self, request: Request) -> None:
        self.requested.append(request.url)

    def load(self, name: str, path: str, must_show: str) -> PageWeight:
        """Navigate to the page, wait until the network is quiet, check it shows a text,
        weigh it."""
        self.requested.clear()
        response = self.page.goto(urljoin(self.base, path))
        if response is None or response.status != 200:
            raise RuntimeError(f"{name}: {path} answered {response and response.status}")
        self.page.wait_for_load_state("networkidle")
        body = response.body()
        html = body.decode(errors="replace")
        if must_show not in html:
            raise RuntimeError(f"{name}: {path} does not show {must_show!r}:\n{html[:1000]}")
        self.token = (m[1] if (m := _TOKEN.search(html)) else "") or self.token
        references = html_references(html, response.url)
        extra = [u for u in self.requested if u != response.url and u not in references]
        document = Resource(response.url, "HTML", response.status, len(body))
        elsewhere: list[str] = []
        resources = [document, *subresources(references + extra, elsewhere)]
        return PageWeight(name, path, resources, list(self.requested), elsewhere)

    def post(self, path: str, form: dict[str, str]) -> str:
        """Send a form as the page would (the browser session's cookies); return the 303's path."""
        response = self.page.request.post(
            urljoin(self.base, path), form={"csrf_token": self.token, **form}, max_redirects=0
        )
        if response.status != 303:
            raise RuntimeError(f"POST {path}: expected 303, got {response.status}")
        return urlsplit(response.headers["location"]).path


def walk(visit: Visit) -> list[PageWeight]:
    """Start, the four steps (2 receipts), review, confirmation: each page weighed."""
    merchant = f"Merchant {RECEIPTS}"
    pages = [visit.load("Start", "/", "Submit an expense report")]
    employee = visit.post("/report", {})
    pages.append(visit.load("1 Employee details (new draft)", employee, "Step 1 of 4"))
    receipts = visit.post(employee, employee_form())
    pages.append(visit.load("2 Receipts (first visit: 1 empty receipt)", receipts, "Step 2 of 4"))
    categories = visit.post(receipts, receipts_form(RECEIPTS))
    pages.append(visit.load(f"2 Receipts ({RECEIPTS} receipts, shown again)", receipts, merchant))
    pages.append(visit.load(f"3 Categories ({RECEIPTS} receipts)", categories, merchant))
    review = visit.post(categories, categories_form(RECEIPTS))
    pages.append(visit.load(f"4 Review and submit ({RECEIPTS} receipts)", review, merchant))
    confirmation = visit.post(review, {"confirm": "y"})
    pages.append(visit.load("Confirmation", confirmation, "Expense report submitted"))
    return pages


@contextmanager
def chromium() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        raise SystemExit(
            f"No Chromium at {CHROMIUM}: apt-get install -y --no-install-recommends "
            "chromium fonts-liberation (never `playwright install`)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def measure(instance: Path) -> tuple[str, list[PageWeight]]:
    with app_process(instance) as running, chromium() as browser:
        context = browser.new_context()
        visit = Visit(context.new_page(), f"http://{HOST}:{running.port}")
        pages = walk(visit)
        context.close()
        return running.server, pages


def weight_table(pages: list[PageWeight]) -> str:
    rows = []
    for p in pages:
        hosts = ", ".join(sorted({urlsplit(u).hostname or "?" for u in p.requested}))
        sizes = [f"{p.size(k):,}" for k in ("HTML", "CSS", "JS", "other")]
        total = f"{p.size():,} ({p.size() / 1000:.1f} KB)"
        rows.append([p.name, *sizes, total, len(p.requested), hosts, len(p.foreign)])
        rows[-1].append(verdict(p.ok()))
    headers = ["page", "HTML B", "CSS B", "JS B", "other B", "total", "browser requests"]
    headers += ["hosts requested", "other hosts", f"≤ {TARGET_BYTES:,} B, no other host"]
    return table(headers, rows)


def resource_table(pages: list[PageWeight]) -> str:
    """Each subresource once, with the pages that load it."""
    users: dict[tuple[str, str, int, int], list[str]] = {}
    for p in pages:
        for r in p.resources[1:]:
            users.setdefault((urlsplit(r.url).path, r.kind, r.status, r.size), []).append(p.name)
    rows = [
        [path, kind, status, f"{size:,}", len(names)]
        for (path, kind, status, size), names in users.items()
    ]
    return table(["subresource", "kind", "status", "bytes", "pages loading it"], rows)


def method(server: str) -> str:
    return f"""The app runs under {server} on {HOST} in a new instance folder (bench/http_app.py).
Headless Chromium (Debian's, launched as tests/e2e/conftest.py does) loads each page of one
draft with {RECEIPTS} receipts, memory on; the forms in between are sent through the browser
context's request API (its cookies), so every page is a GET the browser loads with all its
subresources. Every request the browser makes is recorded (context.on("request")): any host
other than {HOST} is a failure. A page's weight is its HTML as the browser received it plus
every stylesheet, script, image, icon or font it references (in its HTML, or in its CSS) or
that the browser requested while loading it (until the network was idle), each fetched
once more without Accept-Encoding, so uncompressed; only {HOST} is ever fetched. Target:
{TARGET_BYTES:,} bytes (30 KB read strictly; 30 KiB would be 30,720)."""


def report(server: str, pages: list[PageWeight], elapsed: float) -> str:
    extra = ["gunicorn"] if gunicorn_installed() else []
    where = machine([*PACKAGES, "Flask-SQLAlchemy", "playwright", *extra])
    problems = [f"- {p.name}: requests to {', '.join(p.foreign)}" for p in pages if p.foreign]
    problems += [f"- {p.name}: {r.url} answered {r.status}" for p in pages for r in p.broken]
    return "\n\n".join(
        [
            "# Page weight (SPEC §8)",
            where,
            method(server),
            weight_table(pages),
            "Problems:\n\n" + ("\n".join(problems) or "- none"),
            resource_table(pages),
            f"_Run time: {elapsed:.0f} s. Load average (1 min) at the end: {load_average()}._\n",
        ]
    )


def main() -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="page-weight-") as scratch:
        server, pages = measure(Path(scratch) / "instance")
    text = report(server, pages, time.perf_counter() - started)
    out = ROOT / "bench" / "results" / "page_weight.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"written to {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

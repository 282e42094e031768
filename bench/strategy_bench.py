"""Section 7: a whole draft for each place session memory can live (app/memory PLACES).

On the server (the default: the browser holds a random id, the draft is in the store), in a
browser cookie (CookieStore: a signed, compressed cookie per draft) and passed through the
form (FormStore: a signed hidden field `memory_state` in every form; a step's POST is
answered with the next page itself, so a step is one request instead of POST + GET).

The walk is the `drafts` section's (bench/peer_walks.py: the same answers, the same
expected pages), as a browser does it under each strategy: the form strategy sends back the
`memory_state` field of the page it is on with every form. Every response is checked
(status, key text of the page or of the redirect's Location), the review page and the
confirmation must show the typed name, the draft id must carry the strategy's prefix, and
under the form strategy every page must hand on a state: a walk that lost its memory ends on
an error page and stops the benchmark instead of being timed.

Bytes are counted as a browser sends them (the step forms are multipart/form-data, as their
enctype says; the start button's form is urlencoded): a request is its body (Content-Length)
plus its Cookie header's value; a response is its body plus its Set-Cookie headers' values.
Other headers (the same under every strategy) are not counted.
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

from driver import EMPLOYEE
from flask import Flask
from measure import median_ms, quartiles_ms, table, timed_ns
from peer_bench import Ratio, paired_ratio
from peer_walks import FORM, STEPS, Expect, our_forms, pages, redirect_to
from variants import build_app
from werkzeug.http import parse_cookie
from werkzeug.test import Client, TestResponse

from app.memory import PLACES
from app.memory.client_store import FORM_FIELD
from app.memory.drafts import KEY_PREFIX

STRATEGIES = tuple(name for name, _, _ in PLACES)
DEFAULT_PLACE = STRATEGIES[0]

RECEIPTS = 3
MULTIPART = "multipart/form-data"  # the step forms' enctype (templates/step.html)
NAME = EMPLOYEE["full_name"]
ID_PREFIX = {"server": "", "cookie": "c.", "form": "f."}  # app/memory init_app
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_STATE = re.compile(rf'name="{FORM_FIELD}" value="([^"]+)"')
_ACTION = re.compile(r'action="(/report/[^/"]+)/employee"')

# What each place means, as the app's README says (fixed text).
LIVES = {
    "server": "the server's store (embedded SQLite; Redis with SESSION_TYPE=redis)",
    "cookie": "the browser: one signed, compressed cookie per draft (Set-Cookie ≤ 4,093 B)",
    "form": "the page: a signed hidden field in every form (nothing on the server)",
}
SURVIVES_TAB = {
    "server": "yes",
    "cookie": "yes (until the idle timeout)",
    "form": "no (the state is only in the open page)",
}


class WalkError(RuntimeError):
    """A response that was not the page or redirect the walk expected."""

    def __init__(self, label: str, status: int, detail: str) -> None:
        super().__init__(f"{label}: got {status}: {detail}")
        self.label, self.status = label, status


@dataclass(frozen=True)
class Exchange:
    label: str
    sent: int  # request body (Content-Length) + Cookie header
    received: int  # response body + Set-Cookie headers


@dataclass(frozen=True)
class Held:
    """What the browser holds at the review page, before it submits."""

    cookies: int  # the whole Cookie header it sends
    carrier: str  # the cookie or field that carries the draft ("" on the server)
    draft: int  # that carrier's bytes (a cookie's name=value, a field's value)
    copies: int  # how many times the page holds the field (form strategy)


@dataclass
class Trip:
    """One walk's requests, in order, and what the browser held at the review page."""

    strategy: str
    exchanges: list[Exchange] = field(default_factory=list)
    held: Held | None = None
    draft_id: str = ""

    @property
    def requests(self) -> int:
        return len(self.exchanges)

    def sent(self) -> list[int]:
        return [e.sent for e in self.exchanges]

    def received(self) -> list[int]:
        return [e.received for e in self.exchanges]


def _bytes_sent(response: TestResponse) -> int:
    headers = response.request.headers
    return int(headers.get("Content-Length") or 0) + len(headers.get("Cookie", ""))


def _bytes_received(response: TestResponse) -> int:
    cookies = response.headers.getlist("Set-Cookie")
    return len(response.get_data()) + sum(len(c) for c in cookies)


def _heading(text: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", text)
    return found[1] if found else text[:200].replace("\n", " ")


def _pages() -> dict[str, Expect]:
    """The drafts section's expected pages; the review and the confirmation also show the
    name typed on step 1 (only memory can bring it there)."""
    found = pages(RECEIPTS)
    for name in ("review", "confirmation"):
        found[name] = Expect(200, (*found[name].texts, NAME))
    return found


class StrategyBrowser:
    """One new person's browser, keeping its draft's memory where `strategy` says."""

    def __init__(self, client: Client, strategy: str, check_store: Flask | None = None) -> None:
        self.client = client
        self.strategy = strategy
        self.passes_state = strategy == "form"
        self.want = _pages()
        self.forms = our_forms(RECEIPTS)
        self.check_store = check_store  # the app whose store must (not) hold the draft
        self.token = self.state = self.draft_url = ""
        self.state_copies = 0
        self.trip = Trip(strategy)

    def choose(self) -> None:
        """Open the start page and choose where memory lives ("Use this"): once per browser,
        not per draft, so it is not part of the timed walk."""
        page = self.client.get("/")
        self._see("choose: GET /", page, self.want["start"], count=False)
        token = _TOKEN.search(page.text)
        if token is None:
            raise WalkError("choose: GET /", page.status_code, "no CSRF token")
        self.token = token[1]
        data = {"csrf_token": self.token, "strategy": self.strategy, "next": "/"}
        answer = self.client.post("/memory/strategy", data=data)
        self._see("choose: POST /memory/strategy", answer, redirect_to("/", 303), count=False)

    def walk(self) -> Trip:
        """The start page (the choice's redirect), start, the four steps, the confirmation."""
        self._see("GET /", self.client.get("/"), self.want["start"])
        response = self._post("/report", {}, "employee", "POST /report")
        for step, after in zip(STEPS, (*STEPS[1:], "confirmation"), strict=True):
            if not self.passes_state:
                response = self.client.get(response.location)
                self._see(f"GET {step}", response, self.want[step])
            if step == "review" and self.check_store is not None:
                self._check_store(self.check_store)
            response = self._post(self._url(step), self.forms[step], after, f"POST {step}")
        self._hold(response)
        confirmation = self.client.get(response.location)
        self._see("GET confirmation", confirmation, self.want["confirmation"])
        return self.trip

    def _url(self, step: str) -> str:
        return f"{self.draft_url}/{step}"

    def _post(self, path: str, data: dict[str, Any], after: str, label: str) -> TestResponse:
        form = {"csrf_token": self.token, **data}
        if self.state:
            form[FORM_FIELD] = self.state
        enctype = FORM if path == "/report" else MULTIPART  # the start button's form is plain
        response = self.client.post(path, data=form, content_type=enctype)
        if self.passes_state and after != "confirmation":  # the next page, in the answer
            self._see(label, response, self.want[after])
            self._take_state(label, response)
        else:
            self._see(label, response, redirect_to(f"/{after}", 303))
        if not self.draft_url:
            self._find_draft(response)
        return response

    def _take_state(self, label: str, page: TestResponse) -> None:
        found = _STATE.search(page.text)
        if found is None:
            raise WalkError(label, page.status_code, f"no {FORM_FIELD} field on the page")
        self.state = found[1]
        self.state_copies = page.text.count(self.state)  # the step form's and the inspector's

    def _find_draft(self, response: TestResponse) -> None:
        found = _ACTION.search(response.text) if self.passes_state else None
        self.draft_url = found[1] if found else response.location.rsplit("/", 1)[0]
        self.trip.draft_id = self.draft_url.rsplit("/", 1)[1]
        prefixes = {s: p for s, p in ID_PREFIX.items() if p}  # no prefix: on the server
        kept = next((s for s, p in prefixes.items() if self.trip.draft_id.startswith(p)), "server")
        if kept != self.strategy:
            raise WalkError("POST /report", response.status_code, f"a {kept} draft was started")

    def _hold(self, submit: TestResponse) -> None:
        """What the browser held on the review page: the cookies it sent with the submit,
        and the draft's carrier among them (cookie) or in the page's forms (form)."""
        cookies = submit.request.headers.get("Cookie", "")
        carrier, size, copies = "", 0, 0
        if self.strategy == "cookie":
            jar = parse_cookie(cookies)
            carrier = next((k for k in jar if k.endswith(self.trip.draft_id)), "")
            if not carrier:
                raise WalkError("POST review", submit.status_code, "sent no draft cookie")
            size = len(carrier) + 1 + len(jar[carrier])
        elif self.passes_state:
            carrier, size, copies = FORM_FIELD, len(self.state), self.state_copies
        self.trip.held = Held(len(cookies), carrier, size, copies)

    def _check_store(self, app: Flask) -> None:
        """The server's store holds the draft only under the server strategy."""
        store = app.extensions["session_memory"].store
        on_server = store.get(KEY_PREFIX + self.trip.draft_id) is not None
        if on_server != (self.strategy == DEFAULT_PLACE):
            raise WalkError("GET review", 200, f"draft on the server: {on_server}")

    def _see(self, label: str, response: TestResponse, want: Expect, count: bool = True) -> None:
        body = response.get_data(as_text=True)
        text = (response.location or "") if 300 <= want.status < 400 else body
        missing = [t for t in want.texts if t not in text]
        if response.status_code != want.status or missing:
            shown = response.location or _heading(body)
            raise WalkError(label, response.status_code, f"{shown!r} lacks {missing}")
        if count:
            self.trip.exchanges.append(
                Exchange(label, _bytes_sent(response), _bytes_received(response))
            )


def new_browser(app: Flask, strategy: str, check_store: bool = False) -> StrategyBrowser:
    browser = StrategyBrowser(app.test_client(), strategy, app if check_store else None)
    browser.choose()
    return browser


Samples = dict[str, list[int]]


def measure(app: Flask, rounds: int, warmup: int, seed: int = 7) -> Samples:
    """Whole drafts, every strategy once per round in a new random order, each by a new
    person who chose it (untimed) on the start page."""
    for strategy in STRATEGIES:
        for _ in range(warmup):
            new_browser(app, strategy).walk()
    gc.collect()
    samples: Samples = {s: [] for s in STRATEGIES}
    order, rng = list(STRATEGIES), random.Random(seed)
    for _ in range(rounds):
        rng.shuffle(order)
        for strategy in order:
            browser = new_browser(app, strategy)
            elapsed, _ = timed_ns(browser.walk)
            samples[strategy].append(elapsed)
    return samples


def counted_trips(app: Flask) -> dict[str, Trip]:
    """One more walk per strategy, for its bytes, also checking where the draft lives."""
    return {s: new_browser(app, s, check_store=True).walk() for s in STRATEGIES}


# Several app processes: two apps, requests alternating between them ---------------------


class Alternating:
    """A WSGI app that sends each request to the next of its apps: a load balancer without
    sticky sessions in front of several app processes."""

    def __init__(self, apps: list[Flask]) -> None:
        self._next: Iterator[Flask] = cycle(apps)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return next(self._next)(environ, start_response)


def _pair(root: Path, shared_store: bool) -> list[Flask]:
    """Two apps with one secret key and one reports database; their session-memory store
    is one SQLite file (shared) or each its own (as two machines with embedded stores)."""
    config = {
        "SECRET_KEY": "bench-two-processes",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'reports.sqlite3'}",
    }
    apps = []
    for name in ("a", "b"):
        store = root / ("memory.sqlite3" if shared_store else f"memory-{name}.sqlite3")
        apps.append(build_app(root / name, WIZARD_SQLITE_STORE=str(store), **config))
    return apps


def _across(apps: list[Flask], strategy: str) -> str:
    browser = StrategyBrowser(Client(Alternating(apps)), strategy)
    try:
        browser.choose()
        browser.walk()
    except WalkError as e:
        return f"no: {e.label.removeprefix('choose: ')} got {e.status}"
    return "yes"


def several_processes(root: Path) -> dict[str, dict[str, str]]:
    """Per strategy: does a whole draft work with requests alternating between two app
    processes, each with its own store, and sharing one store?"""
    found: dict[str, dict[str, str]] = {}
    for shared in (False, True):
        folder = Path(tempfile.mkdtemp(prefix="shared-" if shared else "own-", dir=root))
        apps = _pair(folder, shared)
        found["shared" if shared else "own"] = {s: _across(apps, s) for s in STRATEGIES}
    return found


# The report --------------------------------------------------------------------------------


def _mean_max(values: list[int]) -> str:
    return f"{statistics.mean(values):,.0f} / {max(values):,}"


def _held(held: Held | None) -> str:
    if held is None:
        return "?"
    cookies = f"Cookie header {held.cookies:,} B"
    if not held.carrier:
        return f"{cookies} (the session id only)"
    if held.copies:
        copies = f"{held.copies} copies in the page"
        return f"{cookies}; field `{held.carrier}` {held.draft:,} B ({copies})"
    return f"{cookies}, of which draft cookie {held.draft:,} B"


def ratios(samples: Samples) -> dict[str, Ratio]:
    """Each strategy's draft time over the server's, per round (paired)."""
    base = samples[DEFAULT_PLACE]
    return {s: paired_ratio(samples[s], base) for s in STRATEGIES if s != DEFAULT_PLACE}


def strategies_table(samples: Samples, trips: dict[str, Trip], several: Any) -> str:
    found = ratios(samples)
    rows: list[list[str]] = []

    def row(label: str, cell: Callable[[str], str]) -> None:
        rows.append([label, *(cell(s) for s in STRATEGIES)])

    row("HTTP requests per draft", lambda s: str(trips[s].requests))
    row("whole draft, median ms", lambda s: f"{median_ms(samples[s]):.2f}")
    row("whole draft, p25-p75 ms", lambda s: "{:.2f}-{:.2f}".format(*quartiles_ms(samples[s])))
    row("÷ on the server, paired [95% CI]", lambda s: str(found.get(s, "1")))
    row("ms per request (median ÷ requests)", lambda s: _per_request(samples, trips, s))
    row("browser sends per request, B: mean / max", lambda s: _mean_max(trips[s].sent()))
    row("browser receives per response, B: mean / max", lambda s: _mean_max(trips[s].received()))
    row("sent + received per draft, KB", lambda s: _total_kb(trips[s]))
    row("the browser holds at the review page", lambda s: _held(trips[s].held))
    row("where the draft lives", LIVES.__getitem__)
    row("survives closing the tab", SURVIVES_TAB.__getitem__)
    row("2 app processes, each its own store (checked)", several["own"].__getitem__)
    row("2 app processes, one shared store (checked)", several["shared"].__getitem__)
    return table(["", *STRATEGIES.values()], rows)


def _per_request(samples: Samples, trips: dict[str, Trip], strategy: str) -> str:
    return f"{median_ms(samples[strategy]) / trips[strategy].requests:.2f}"


def _total_kb(trip: Trip) -> str:
    return f"{sum(trip.sent()) / 1024:.1f} + {sum(trip.received()) / 1024:.1f}"


def reading(samples: Samples, trips: dict[str, Trip], several: Any) -> str:
    """The table in one line."""
    found, server, form = ratios(samples), trips["server"], trips["form"]
    mean_sent = {s: statistics.mean(t.sent()) for s, t in trips.items()}
    cookie = trips["cookie"].held
    fails = [s for s in STRATEGIES if several["own"][s] != "yes"]
    alone = (
        "none works across processes without a shared store (the browser session, with its "
        "CSRF secret and its list of drafts, stays on the server)"
        if len(fails) == len(STRATEGIES)
        else f"without a shared store {', '.join(fails) or 'none'} fail(s) across processes"
    )
    return (
        f"Reading: passing memory through the form takes {form.requests} requests instead of "
        f"{server.requests} and {found['form'].median:.2f}x the server's draft time, the cookie "
        f"{found['cookie'].median:.2f}x; the browser sends {mean_sent['server']:,.0f} B a "
        f"request on average with memory on the server, {mean_sent['cookie']:,.0f} B with the "
        f"cookie ({cookie.draft if cookie else 0:,} B draft cookie by the review) and "
        f"{mean_sent['form']:,.0f} B through the form; {alone}."
    )


def at_a_glance(samples: Samples, trips: dict[str, Trip]) -> str:
    found = ratios(samples)
    cells = []
    for s, label in STRATEGIES.items():
        ratio = f" ({found[s].median:.2f}x)" if s in found else ""
        sent = statistics.mean(trips[s].sent())
        cells.append(
            f"{label} {median_ms(samples[s]):.1f} ms{ratio}, {trips[s].requests}, {sent:,.0f} B"
        )
    return "; ".join(cells)


def chart_panel(samples: Samples, trips: dict[str, Trip]) -> Callable[[Any], None]:
    def draw(ax: Any) -> None:
        names = [label.replace(" ", "\n", 1) for label in STRATEGIES.values()]
        medians = [median_ms(samples[s]) for s in STRATEGIES]
        spreads = [quartiles_ms(samples[s]) for s in STRATEGIES]
        errors = [[m - lo for m, (lo, _) in zip(medians, spreads, strict=True)]]
        errors += [[hi - m for m, (_, hi) in zip(medians, spreads, strict=True)]]
        bars = ax.bar(names, medians, yerr=errors, capsize=4, color=["C0", "C1", "C2"])
        sent = [statistics.mean(trips[s].sent()) for s in STRATEGIES]
        labels = [
            f"{m:.1f} ms\n{trips[s].requests} requests\n{b:,.0f} B sent/request"
            for m, s, b in zip(medians, STRATEGIES, sent, strict=True)
        ]
        ax.bar_label(bars, labels=labels, label_type="center", color="white", fontsize=8)
        ax.set_ylabel("ms per draft")
        ax.tick_params(axis="x", labelsize=8)

    return draw

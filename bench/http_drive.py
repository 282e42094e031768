"""The `http` section's load generators (bench/over_http.py): people walking whole drafts
over HTTP with `http.client`, closed-loop and open-loop, every response checked.

A person is one browser: a cookie jar and one `http.client` connection (kept alive when the
server allows; gunicorn's sync workers close it after each response, so every request opens
a new TCP connection, for the app, the peer and the floor alike). A click is a form sent
and the page it leads to, timed together: the POST and its redirected GET for the app, the
floor and the peer's submit; the POST answered with the next page for the peer's other
steps (SessionWizardView), and the GET of its first step for its start button.

Each wizard checks every response: status, where a redirect leads, the page's key texts
(bench/walk.py's `pages`), and a reference EXP-XXXXXXXX on the last page. Anything else is
an error; a run with errors is never reported as a success.
"""

from __future__ import annotations

import http.client
import re
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import quote, urlencode, urlsplit

from walk import STEPS, TOKEN, forms, pages

RECEIPTS = 3
REFERENCE = re.compile(r"EXP-[0-9A-Z]{8}")
PEER_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PEER_STEP_FIELD = re.compile(r'name="([^"]*current_step)"')
WANT = pages(RECEIPTS)
TIMEOUT = 30.0  # seconds a request may take before it is an error
Address = tuple[str, int]


class CheckError(Exception):
    """A response that was not the one a person expects."""


@dataclass
class Tally:
    """What one run's people did: end times (perf_counter seconds) of each request, click
    and draft, click durations, errors by kind, and how late each open-loop person began."""

    requests: list[float] = field(default_factory=list)
    clicks: list[tuple[float, float]] = field(default_factory=list)  # (end, ms)
    drafts: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lags_ms: list[float] = field(default_factory=list)


class Person:
    """One browser walking one draft: its cookies and its connection."""

    def __init__(self, address: Address, tally: Tally) -> None:
        self.connection = http.client.HTTPConnection(*address, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.tally = tally
        self.at = ""  # the path the last redirect led to

    def send(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        """One request; its status, the path its Location names, and its text."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body, headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, value = cookie.split(";", 1)[0].strip().partition("=")
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        self.tally.requests.append(time.perf_counter())
        return response.status, urlsplit(response.getheader("Location") or "").path, text

    def page(self, path: str, want: tuple[str, ...]) -> str:
        """GET a page that must answer 200 with the texts in want."""
        status, _, text = self.send("GET", path)
        return _checked(f"GET {path}", status, 200, text, want)

    def post(self, path: str, body: str, want: tuple[str, ...]) -> str:
        """POST a form answered with a page (200) that must show the texts in want."""
        status, _, text = self.send("POST", path, body)
        return _checked(f"POST {path}", status, 200, text, want)

    def redirected(self, path: str, body: str, ends: str, want: tuple[str, ...]) -> str:
        """POST a form that must answer 303 (or 302) to a path ending with `ends`, then GET
        that page, which must show the texts in want."""
        status, location, _ = self.send("POST", path, body)
        if status not in (302, 303) or not location.endswith(ends):
            raise CheckError(f"POST {path}: expected a redirect to *{ends}, got {status}")
        self.at = location
        return self.page(location, want)

    @contextmanager
    def click(self) -> Iterator[None]:
        """Time what the block sends as one click (recorded only if it succeeds)."""
        start = time.perf_counter()
        yield
        end = time.perf_counter()
        self.tally.clicks.append((end, (end - start) * 1000))

    def close(self) -> None:
        self.connection.close()


def _checked(label: str, status: int, expected: int, text: str, want: tuple[str, ...]) -> str:
    missing = [t for t in want if t not in text]
    if status != expected or missing:
        raise CheckError(f"{label}: expected {expected} with {missing}, got {status}")
    return text


def _token(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return quote(found[1], safe="") if found else ""


def _reference(text: str) -> None:
    if not REFERENCE.search(text):
        raise CheckError("the last page shows no reference EXP-XXXXXXXX")


# The three wizards ---------------------------------------------------------------------------


class Wizard:
    """A whole draft on one server, as a person walks it."""

    key = ""
    requests = 0  # per draft

    def walk(self, person: Person) -> None:
        raise NotImplementedError


class AppWizard(Wizard):
    """The app: start page, start (POST /report, 303), each step's page and form (303 to
    the next), the confirmation: 11 requests, 5 clicks."""

    key, requests = "app", 11

    def __init__(self) -> None:
        self.bodies = {step: urlencode(data) for step, data in forms(RECEIPTS).items()}

    def walk(self, person: Person) -> None:
        token = _token(TOKEN, person.page("/", WANT["start"]))
        with person.click():
            text = person.redirected(
                "/report", f"csrf_token={token}", "/employee", WANT["employee"]
            )
        draft = person.at.rsplit("/", 1)[0]
        for step, after in zip(STEPS, (*STEPS[1:], "confirmation"), strict=True):
            body = f"csrf_token={_token(TOKEN, text)}&{self.bodies[step]}"
            with person.click():
                text = person.redirected(f"{draft}/{step}", body, f"/{after}", WANT[after])
        _reference(text)


class PeerWizard(Wizard):
    """django-formtools' SessionWizardView: start page, its first step (GET /report/),
    four POSTs to /report/, each answered with the next step's page but the last (302 to
    the confirmation): 7 requests, 5 clicks."""

    key, requests = "peer", 7

    def __init__(self) -> None:
        self.step_field = ""
        self.bodies: dict[str, str] = {}

    def body(self, step: str, step_field: str, token: str) -> str:
        """The app's answers in the peer's field names (bench/drafts.py's peer_forms)."""
        if step_field != self.step_field:
            from drafts import peer_forms

            self.bodies = {k: urlencode(v) for k, v in peer_forms(step_field).items()}
            self.step_field = step_field
        return f"csrfmiddlewaretoken={token}&{self.bodies[step]}"

    def walk(self, person: Person) -> None:
        person.page("/", WANT["start"])
        with person.click():
            text = person.page("/report/", WANT["employee"])
        found = PEER_STEP_FIELD.search(text)
        if not found:
            raise CheckError("GET /report/: no current_step field")
        step_field = found[1]
        for step, after in pairwise(STEPS):
            body = self.body(step, step_field, _token(PEER_TOKEN, text))
            with person.click():
                text = person.post("/report/", body, WANT[after])
        body = self.body("review", step_field, _token(PEER_TOKEN, text))
        with person.click():
            text = person.redirected("/report/", body, "/confirmation/", WANT["confirmation"])
        _reference(text)


class FloorWizard(Wizard):
    """The bare Flask app (bench/http_floor.py): GET /, then five clicks of POST /page/<n>
    (the app's form bodies, unread) and the GET of /page/<n+1>: 11 requests."""

    key, requests = "floor", 11

    def __init__(self) -> None:
        bodies = AppWizard().bodies
        self.bodies = ["csrf_token=x", *(f"csrf_token=x&{bodies[step]}" for step in STEPS)]

    def walk(self, person: Person) -> None:
        person.page("/", ("Floor page 0",))
        for n, body in enumerate(self.bodies):
            with person.click():
                person.redirected(f"/page/{n}", body, f"/page/{n + 1}", (f"Floor page {n + 1}",))


WIZARDS: dict[str, Callable[[], Wizard]] = {
    "app": AppWizard,
    "peer": PeerWizard,
    "floor": FloorWizard,
}


def one_draft(wizard: Wizard, address: Address, tally: Tally) -> None:
    """A new person walks one whole draft; an error is counted, never raised."""
    person = Person(address, tally)
    try:
        wizard.walk(person)
        tally.drafts.append(time.perf_counter())
    except CheckError as e:
        tally.errors[str(e)[:160]] += 1
    except (OSError, http.client.HTTPException) as e:
        tally.errors[f"{type(e).__name__}: {e}"[:160]] += 1
    finally:
        person.close()


def warm_up(wizard: Wizard, address: Address, drafts: int) -> None:
    """Whole drafts one at a time (every worker compiles its templates); any error raises."""
    tally = Tally()
    for _ in range(drafts):
        one_draft(wizard, address, tally)
    if tally.errors:
        raise RuntimeError(f"{wizard.key}: the warm-up failed: {dict(tally.errors)}")


# Generators -----------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured run: what happened in its window, and the server CPU it took."""

    seconds: float
    drafts: int
    requests: int
    clicks_ms: list[float]
    errors: Counter[str]
    cpu_s: float | None
    lags_ms: list[float] = field(default_factory=list)
    aborted: str = ""

    def percentile(self, p: int) -> float:
        return percentile(self.clicks_ms, p)


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@contextmanager
def fast_switching() -> Iterator[None]:
    """A shorter GIL switch interval while people run: a thread whose answer has come
    waits less for another that is parsing a page."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def closed_loop(
    wizard: Wizard,
    address: Address,
    users: int,
    seconds: float,
    warm: float,
    cpu: Callable[[], float | None],
) -> Run:
    """`users` people each walking whole drafts back to back, no pause; measured over
    `seconds` after `warm` seconds (all people busy throughout the window)."""
    tally, stop = Tally(), threading.Event()

    def person() -> None:
        while not stop.is_set():
            one_draft(wizard, address, tally)

    with fast_switching():
        threads = [threading.Thread(target=person, daemon=True) for _ in range(users)]
        for thread in threads:
            thread.start()
        time.sleep(warm)
        begin, cpu_begin = time.perf_counter(), cpu()
        time.sleep(seconds)
        end, cpu_end = time.perf_counter(), cpu()
        stop.set()
        for thread in threads:
            thread.join(TIMEOUT + 5)
    requests = sum(1 for t in tally.requests if begin <= t < end)
    return Run(
        seconds=end - begin,
        drafts=sum(1 for t in tally.drafts if begin <= t < end),
        requests=requests,
        clicks_ms=[ms for t, ms in tally.clicks if begin <= t < end],
        errors=tally.errors,
        cpu_s=_spent(cpu_begin, cpu_end),
    )


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def open_loop(
    wizard: Wizard,
    address: Address,
    rate: float,
    seconds: float,
    cpu: Callable[[], float | None],
) -> Run:
    """People arrive every 1/rate seconds for `seconds`, each walking one whole draft with
    no pause, each in a thread of its own (arrivals never wait for answers). Given up when
    more people are waiting than could finish a draft in a second (the server is past its
    rate: p99 could not stay low)."""
    tally, people = Tally(), []
    backlog = int(rate) + 20
    aborted = ""

    def person(due: float) -> None:
        tally.lags_ms.append((time.perf_counter() - due) * 1000)
        one_draft(wizard, address, tally)

    with fast_switching():
        cpu_begin, begin = cpu(), time.perf_counter() + 0.01
        for n in range(max(1, round(rate * seconds))):
            due = begin + n / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            if n - len(tally.drafts) - sum(tally.errors.values()) > backlog:
                aborted = f"more than {backlog} people in flight after {due - begin:.1f} s"
                break
            people.append(threading.Thread(target=person, args=(due,), daemon=True))
            people[-1].start()
        for thread in people:
            thread.join(max(0.1, begin + seconds + TIMEOUT - time.perf_counter()))
        end, cpu_end = time.perf_counter(), cpu()
    unfinished = len(people) - len(tally.drafts) - sum(tally.errors.values())
    if unfinished > 0:
        tally.errors["unfinished when the run ended"] += unfinished
    return Run(
        seconds=end - begin,
        drafts=len(tally.drafts),
        requests=len(tally.requests),
        clicks_ms=[ms for _, ms in tally.clicks],
        errors=tally.errors,
        cpu_s=_spent(cpu_begin, cpu_end),
        lags_ms=tally.lags_ms,
        aborted=aborted,
    )


def reachable(address: Address) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True

"""Locust users for the `load` section (bench/load.py), never run on its own.

Each user walks the whole wizard in a new browser session, again and again: GET /, POST
/report, then each step's page and form (2 receipts), then the confirmation: 11 requests,
each checked for its status and a text it must contain (a POST: a 303 to the next step).
Anything else is a failure and ends the walk. A person pauses LOAD_THINK ("min,max"
seconds) on each page before sending its form. Every request's timing is written as JSON
to LOAD_SAMPLES when locust quits.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task
from walk import STEPS, TOKEN, forms, pages

RECEIPTS = 2
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "0,0").split(","))
samples: list[tuple[str, float, float, str | None]] = []  # name, start (epoch s), ms, error
marks: dict[str, float] = {}


@events.request.add_listener
def _record(name: str, start_time: float, response_time: float, exception: Any, **_: Any) -> None:
    samples.append((name, start_time, response_time, None if exception is None else str(exception)))


@events.spawning_complete.add_listener
def _spawned(**_: Any) -> None:
    marks.setdefault("spawned", time.time())


@events.test_stop.add_listener
def _stopped(**_: Any) -> None:
    marks["stopped"] = time.time()


@events.quitting.add_listener
def _write(**_: Any) -> None:
    with open(os.environ["LOAD_SAMPLES"], "w") as out:
        json.dump({**marks, "samples": samples}, out)


class StepFailedError(Exception):
    pass


class WizardUser(FastHttpUser):
    wait_time = between(*THINK)
    want = pages(RECEIPTS)
    answers = forms(RECEIPTS)

    @task
    def walk(self) -> None:
        self.client.cookiejar.clear()
        try:
            token = self.open("01 GET /", "/", "start")
            self.wait()
            draft = self.send("02 POST /report", "/report", token, {}, "employee")
            for n, (step, after) in enumerate(
                zip(STEPS, (*STEPS[1:], "confirmation"), strict=True)
            ):
                token = self.open(f"{3 + 2 * n:02d} GET {step}", f"{draft}/{step}", step)
                self.wait()  # the person reads and types
                self.send(
                    f"{4 + 2 * n:02d} POST {step}",
                    f"{draft}/{step}",
                    token,
                    self.answers[step],
                    after,
                )
            self.open("11 GET confirmation", f"{draft}/confirmation", "confirmation")
        except StepFailedError:
            return

    def open(self, name: str, path: str, page: str) -> str:
        """GET a page and check it; its CSRF token."""
        with self.client.get(path, name=name, catch_response=True) as response:
            text = response.text or ""
            missing = [t for t in self.want[page] if t not in text]
            self.check(response, response.status_code == 200 and not missing, f"200 with {missing}")
            found = TOKEN.search(text)
            return found[1] if found else ""

    def send(self, name: str, path: str, token: str, data: dict[str, Any], after: str) -> str:
        """POST a form; the draft's URL its 303 names."""
        body = urlencode({"csrf_token": token, **data})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.post(
            path, body, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            location = urlsplit(str((response.headers or {}).get("Location") or "")).path
            self.check(
                response,
                response.status_code == 303 and location.endswith(f"/{after}"),
                f"303 to /{after}",
            )
            return location.rsplit("/", 1)[0]

    def check(self, response: Any, ok: bool, expected: str) -> None:
        if ok:
            response.success()
            return
        response.failure(f"expected {expected}, got {response.status_code}")
        raise StepFailedError(expected)

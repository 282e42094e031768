"""Section 2: the bytes a draft's memory takes, filled through the real wizard."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from driver import LONGEST, TYPICAL, Browser, Texts, categories_form, prepare_draft
from flask import Flask
from measure import table, verdict

from app.memory.drafts import KEY_PREFIX

SIZE_TARGET = 3 * 1024
TARGET_RECEIPTS = 10
COOKIE_LIMIT = 4093  # what Werkzeug (and browsers, roughly) accept for one cookie
RECEIPT_COUNTS = (1, 10, 20)


@dataclass(frozen=True)
class Filling:
    """What a person put on the receipts step: the text typed, and a file on each receipt."""

    label: str
    texts: Texts
    files: bool
    typical: bool  # what the 3 KB target is about


FILLINGS = (
    Filling("typical", TYPICAL, files=False, typical=True),
    Filling("typical, a file on every receipt", TYPICAL, files=True, typical=True),
    Filling("every text field at its max length, a file on every receipt", LONGEST, True, False),
)


@dataclass(frozen=True)
class DraftSize:
    receipts: int
    filling: Filling
    entry: int  # the encoded draft entry (msgpack) in the store
    values: int  # SessionState.total_size(): the values as compact JSON
    browser_session: int  # the browser session's own store entry
    cookie: int  # the signed cookie when Flask's cookie session carries the draft


def filled_draft(app: Flask, receipts: int, texts: Texts = TYPICAL, files: bool = False) -> Browser:
    """A draft with every step answered (only the review's tick left)."""
    browser = prepare_draft(app, receipts, texts, files)
    browser.post("categories", categories_form(receipts))
    return browser


def _cookie(browser: Browser, app: Flask) -> str:
    cookie = browser.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        raise RuntimeError("The browser has no session cookie")
    return cookie.value


def draft_entry(app: Flask, browser: Browser) -> bytes:
    entry = app.extensions["session_memory"].drafts.store.get(KEY_PREFIX + browser.draft_id())
    if entry is None:
        raise RuntimeError("The draft has no store entry")
    return bytes(entry)


def _measure(store_app: Flask, cookie_app: Flask, receipts: int, filling: Filling) -> DraftSize:
    browser = filled_draft(store_app, receipts, filling.texts, filling.files)
    drafts = store_app.extensions["session_memory"].drafts
    memory = drafts.load(browser.draft_id(), memory_on=True, writer="bench").memory
    session_key = store_app.config["SESSION_KEY_PREFIX"] + _cookie(browser, store_app)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Werkzeug warns about cookies over 4093 bytes
        cookie_browser = filled_draft(cookie_app, receipts, filling.texts, filling.files)
    return DraftSize(
        receipts=receipts,
        filling=filling,
        entry=len(draft_entry(store_app, browser)),
        values=memory.total_size(),
        browser_session=len(drafts.store.get(session_key) or b""),
        cookie=len(_cookie(cookie_browser, cookie_app)),
    )


def measure_sizes(store_app: Flask, cookie_app: Flask) -> list[DraftSize]:
    return [_measure(store_app, cookie_app, n, f) for f in FILLINGS for n in RECEIPT_COUNTS]


def _cookie_cell(size: int) -> str:
    return f"{size:,}" + (" (too large: over 4,093)" if size > COOKIE_LIMIT else "")


def _target_cell(size: DraftSize) -> str:
    if size.receipts != TARGET_RECEIPTS:
        return ""
    if not size.filling.typical:
        return "n/a: its typed text alone is about 3,000 B"
    return verdict(max(size.entry, size.values) <= SIZE_TARGET)


def sizes_table(sizes: list[DraftSize]) -> str:
    headers = [
        "receipts",
        "what was entered",
        "draft entry in store (msgpack) B",
        "SessionState total_size (JSON of values) B",
        "browser session entry B",
        "signed cookie carrying the draft B",
        "≤ 3 KB (10 receipts)",
    ]
    rows = []
    for s in sizes:
        target = _target_cell(s)
        cells = [f"{c:,}" for c in (s.entry, s.values, s.browser_session)]
        rows.append([s.receipts, s.filling.label, *cells, _cookie_cell(s.cookie), target])
    return table(headers, rows)

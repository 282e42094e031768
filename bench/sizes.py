"""The `sizes` section: the bytes of one draft's memory, filled through the real wizard."""

from __future__ import annotations

import warnings

from common import Bench, DictStore, Section, dict_app, log, table, verdict
from flask import Flask
from walk import Browser, WalkError, answered_up_to, draft_cookie

TARGET_BYTES = 3 * 1024  # SPEC §8: "3 KB", with 10 receipts
TARGET_RECEIPTS = 10
RECEIPT_COUNTS = (1, 10, 20)
FILLINGS = (  # label, every text at its longest, a file on every receipt
    ("typical", False, False),
    ("typical, a file on every receipt", False, True),
    ("every text at its max length, a file on every receipt", True, True),
)


def entry(store: DictStore, browser: Browser) -> bytes:
    """The store's value for this browser's draft (its key ends with the draft id)."""
    return store.value_for(browser.draft_id())


def filled(app: Flask, receipts: int, longest: bool = False, files: bool = False) -> Browser:
    """A new person's draft with every step answered but the review's tick."""
    return answered_up_to(app.test_client(), "categories", receipts, longest, files)


def cookie_bytes(app: Flask, receipts: int, longest: bool, files: bool) -> int:
    """The draft's cookie (name=value) when memory lives in a browser cookie; 0 if none."""
    try:
        browser = answered_up_to(
            app.test_client(), "categories", receipts, longest, files, "cookie"
        )
    except WalkError:  # the app refused a draft too large for a cookie
        return 0
    return draft_cookie(browser)


def section(bench: Bench) -> Section:
    log("sizes")
    app, store = dict_app(bench.root / "sizes")
    rows, typical = [], []
    for label, longest, files in FILLINGS:
        for n in RECEIPT_COUNTS:
            size = len(entry(store, filled(app, n, longest, files)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Werkzeug warns of cookies over 4,093 bytes
                cookie = cookie_bytes(app, n, longest, files)
            target = ""
            if n == TARGET_RECEIPTS:
                target = (
                    verdict(size <= TARGET_BYTES)
                    if not longest
                    else "n/a: its text alone is about 3,000 B"
                )
                if not longest:
                    typical.append((label, size))
            rows.append([n, label, f"{size:,}", f"{cookie:,}" if cookie else "did not fit", target])
    result = Section("The memory of one draft: bytes with 1, 10 and 20 receipts")
    headers = ["receipts", "what was entered", "store entry B", "cookie B", f"≤ {TARGET_BYTES:,} B"]
    result.body = f"""Each draft answered through the wizard (every step but the review's tick).
"Store entry" is the value the app wrote for the draft, as seen by the bench's own store (given as
`WIZARD_STORE_FACTORY`; SQLite and Redis keep the same bytes). "Cookie" is the draft's
cookie (name=value) when memory lives in a browser cookie (chosen on the start page).

{table(headers, rows)}"""
    measured = "; ".join(f"{label}: {size:,} B" for label, size in typical)
    ok = all(size <= TARGET_BYTES for _, size in typical)
    result.glance.append(
        ("Session memory of a 10-receipt draft (store entry)", "≤ 3 KB", measured, verdict(ok))
    )
    return result

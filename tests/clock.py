"""A clock the tests move on instead of waiting for it.

What times out in the app reads the time in two places: time.time() (the stores, the
drafts' lifetimes, the grace period of a retired session id, the ledger, itsdangerous's
signatures, the tests' own Browser) and the receipt files' datetimes
(app.attachments.service._now). The clock holds both still and moves them on together, so a
test that says "31 minutes later" takes no time and cannot be late: nothing expires
between two lines of a test unless the test moves the clock.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from app.attachments import service as receipts


class MovableClock:
    """The time the whole process reads (the app, its signer, a test's browser), held still
    and moved on by the tests. It starts on a whole second: signatures count whole seconds,
    so an entry signed now is exactly as old as the clock has been moved since."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = float(int(time.time()))
        monkeypatch.setattr(time, "time", lambda: self.now)
        monkeypatch.setattr(receipts, "_now", self.utc)

    def utc(self) -> dt.datetime:
        """The clock's time as the receipt files keep it (UTC, naive)."""
        return dt.datetime.fromtimestamp(self.now, dt.UTC).replace(tzinfo=None)

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


# The lifetimes of SPEC §5, as it writes them (the app's defaults; tests/integration/
# test_config.py checks they are).
MINUTE = 60
IDLE_TIMEOUT = 30 * MINUTE
ABSOLUTE_LIFETIME = 8 * 60 * MINUTE

"""Step latency on Redis against the embedded SQLite store, in one interleaved run.

Run: .venv/bin/python bench/store_ratio.py  (needs Redis at TEST_REDIS_URL or 127.0.0.1:6379)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from tests.helpers import Wizard

ROUNDS = 400
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUESTS: dict[str, Callable[[Wizard], object]] = {
    "GET Categories (3 receipts)": lambda w: w.get("categories"),
    "POST Continue on step 1": lambda w: w.fill_employee(),
}


def wizard_on(**config: object) -> Wizard:
    app = create_app({"TESTING": True, **config}, instance_path=tempfile.mkdtemp())
    wizard = Wizard(app.test_client())
    wizard.start()
    wizard.fill_employee()
    wizard.fill_receipts(3)
    return wizard


def main() -> None:
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    stores = {
        "embedded SQLite": wizard_on(),
        "Redis": wizard_on(SESSION_TYPE="redis", REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix),
    }
    times: dict[tuple[str, str], list[float]] = {(s, r): [] for s in stores for r in REQUESTS}
    for _ in range(ROUNDS):
        for request, send in REQUESTS.items():
            for store, wizard in stores.items():
                started = time.perf_counter()
                send(wizard)
                times[(store, request)].append(time.perf_counter() - started)
    print("| request | embedded SQLite ms | Redis ms | Redis / embedded |")
    print("|---|---|---|---|")
    for request in REQUESTS:
        local, shared = (statistics.median(times[(s, request)]) * 1000 for s in stores)
        print(f"| {request} | {local:.3f} | {shared:.3f} | {shared / local:.2f}x |")


if __name__ == "__main__":
    main()

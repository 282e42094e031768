"""One side of `python -m bench drafts --against`: run with a checkout first on PYTHONPATH,
it builds that checkout's app and walks whole drafts when asked.

Usage (by bench/drafts.py only): drafts_worker.py INSTANCE_DIR RECEIPTS. It prints the
folder the app was imported from (JSON), then for each line N on stdin walks N whole drafts
and prints the nanoseconds they took. The walk is this bench's (bench/walk.py, beside this
file), so both checkouts are walked by the same code.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

from common import build_app, timed_ns
from walk import whole_draft


def main() -> None:
    import app

    instance, receipts = Path(sys.argv[1]), int(sys.argv[2])
    flask_app = build_app(instance)
    print(json.dumps(str(Path(app.__file__).resolve().parent)), flush=True)
    for line in sys.stdin:
        count = int(line)

        def drafts(n: int = count) -> None:
            for _ in range(n):
                whole_draft(flask_app.test_client(), receipts)

        elapsed = timed_ns(drafts)
        if count > 1:
            gc.collect()  # after a warm-up, as the in-process sections do
        print(elapsed, flush=True)


if __name__ == "__main__":
    main()

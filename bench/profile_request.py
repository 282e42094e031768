"""Profile one step request on one variant with pyinstrument.

pyinstrument is not a project dependency: `.venv/bin/pip install pyinstrument` first.
Run: .venv/bin/python bench/profile_request.py [--variant sqlite] [--request post] [-n 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from driver import prepare_draft
from requests_bench import RECEIPTS, STEP_REQUESTS
from variants import BUILDERS, DEFAULT

REQUESTS = dict(zip(("categories", "receipts", "post"), STEP_REQUESTS, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=list(BUILDERS), default=DEFAULT)
    parser.add_argument("--request", choices=list(REQUESTS), default="post")
    parser.add_argument("-n", type=int, default=500, help="requests to profile")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("Install pyinstrument first: .venv/bin/pip install pyinstrument", file=sys.stderr)
        return 2
    request = REQUESTS[args.request]
    with tempfile.TemporaryDirectory(prefix="profile-") as scratch:
        browser = prepare_draft(BUILDERS[args.variant][1](Path(scratch)), RECEIPTS)
        for _ in range(50):
            request.check(request.send(browser))
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.n):
                request.send(browser)
    print(profiler.output_text(unicode=True, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

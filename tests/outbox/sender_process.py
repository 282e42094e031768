"""A sender in an OS process of its own, as a second worker or a cron job would be.

python -m tests.outbox.sender_process INSTANCE CONFIG_JSON [START_DIR]

With START_DIR it says it is ready (a file named after its pid), waits for START_DIR/go so
that every sender starts at once, then sends one message per deliver_due until none is due,
and prints what it did as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from app import create_app, outbox


def wait_for_go(start: Path) -> None:
    (start / f"ready-{os.getpid()}").touch()
    while not (start / "go").exists():
        time.sleep(0.005)


if __name__ == "__main__":
    instance, config = sys.argv[1], json.loads(sys.argv[2])
    app = create_app({"TESTING": True, **config}, instance_path=instance)
    if len(sys.argv) > 3:
        wait_for_go(Path(sys.argv[3]))
    delivered = outbox.Delivered()
    with app.app_context():
        while (run := outbox.deliver_due(limit=1)).total:  # one claim at a time: interleaved
            delivered += run
    print(json.dumps(dataclasses.asdict(delivered)))

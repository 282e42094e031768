"""Senders in OS processes of their own: each message claimed by one, a killed one replaced,
and `flask outbox send` from the command line."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from app import outbox
from app.outbox import Delivered
from tests.http import ROOT, die_with_parent
from tests.outbox.conftest import QUIET, make_app, queue, rows
from tests.smtp_server import REFUSED_DOMAIN, SmtpServer

SENDERS = 3
MESSAGES = 30


def sender(instance: Path, config: dict[str, Any], *start: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.outbox.sender_process", str(instance), json.dumps(config)]
        + [str(s) for s in start],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,
    )


def start_together(start: Path, count: int) -> None:
    deadline = time.monotonic() + 20
    while len(list(start.glob("ready-*"))) < count:
        assert time.monotonic() < deadline, "the senders did not get ready"
        time.sleep(0.02)
    (start / "go").touch()


def test_senders_in_several_processes_send_each_message_exactly_once(
    tmp_path: Path, instance: Path, database: str, smtp: SmtpServer
) -> None:
    config = {**QUIET, **smtp.config(), "SQLALCHEMY_DATABASE_URI": database}
    message_ids = queue(make_app(instance, **config), MESSAGES)
    start = tmp_path / "start"
    start.mkdir()
    senders = [sender(instance, config, start) for _ in range(SENDERS)]
    start_together(start, SENDERS)
    runs = [Delivered(**json.loads(s.communicate(timeout=60)[0])) for s in senders]
    received = Counter(m["Message-ID"] for m in smtp.received())
    assert received == Counter(message_ids)  # every message, each exactly once
    assert sum(r.sent for r in runs) == MESSAGES
    assert sum(1 for r in runs if r.sent) >= 2, f"the senders did not run together: {runs}"
    assert {r.status for r in rows(make_app(instance, **config))} == {"sent"}


def test_a_message_whose_sender_was_killed_mid_send_is_sent_again_with_its_message_id(
    instance: Path, database: str, smtp: SmtpServer
) -> None:
    config = {**QUIET, **smtp.config(), "SQLALCHEMY_DATABASE_URI": database}
    app = make_app(instance, **config)
    [message_id] = queue(app)
    smtp.hang_next()  # the server takes the message and never answers
    doomed = sender(instance, config)
    assert len(smtp.wait_for(1)) == 1, "the sender did not reach the server"
    doomed.kill()  # SIGKILL, mid-send: it never hears whether the message arrived
    doomed.communicate()
    [held] = rows(app)
    assert held.status == "sending" and held.claimed_until is not None
    with app.app_context():
        assert outbox.deliver_due(now=held.claimed_until) == Delivered()  # its lease holds
        after_lease = held.claimed_until + dt.timedelta(seconds=1)
        assert outbox.deliver_due(now=after_lease) == Delivered(sent=1)
    # At least once, recognisably: the copy sent again has the same Message-ID.
    received = [m["Message-ID"] for m in smtp.received()]
    assert received in ([message_id], [message_id, message_id])
    assert rows(app)[0].status == "sent"


def test_flask_outbox_send_delivers_and_says_what_it_did(instance: Path, smtp: SmtpServer) -> None:
    app = make_app(instance, **QUIET, **smtp.config())
    queue(app, 1, to=f"nobody@{REFUSED_DOMAIN}")
    message_ids = queue(app, 2)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FLASK_MAIL_BACKEND": "smtp",
        "FLASK_MAIL_SERVER": "127.0.0.1",
        "FLASK_MAIL_PORT": str(smtp.port),
        "FLASK_OUTBOX_SEND_IN_BACKGROUND": "false",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        f"app:create_app(instance_path={str(instance)!r})",
    ]
    done = subprocess.run(
        [*command, "outbox", "send"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Sent 2 messages; 1 will be tried again; 0 failed.\n"
    assert sorted(m["Message-ID"] for m in smtp.received()) == sorted(message_ids)

"""A real SMTP server (aiosmtpd) in a process of its own, for the outbox tests.

Run as `python -m tests.smtp_server DIRECTORY PORT`: each message received is written whole
to DIRECTORY/received/ as one .eml file, before the server answers. A file
DIRECTORY/hang-next makes it take the next message (written, as a server that has it) and
then never answer, so that the sender stays mid-send. Recipients at refused.example are
refused (550). The tests stop and start it to make an outage.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REFUSED_DOMAIN = "refused.example"


class SmtpServer:
    """The server process, to start, stop (SIGKILL: an outage) and start again on its port."""

    def __init__(self, directory: Path) -> None:
        from tests.services import free_port  # here: the server process needs none of it

        self.directory = directory
        self.inbox = directory / "received"
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> dict[str, Any]:
        """The app's configuration for sending here."""
        return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}

    def start(self) -> None:
        from tests.http import die_with_parent

        with (self.directory / "server.log").open("ab") as log:  # the child keeps its copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.smtp_server", str(self.directory), str(self.port)],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=log,
                preexec_fn=die_with_parent,
            )
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"The SMTP server did not start: {self.logged()}")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                return sock.recv(3) == b"220"
        except OSError:
            return False

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None

    def hang_next(self) -> None:
        """Take the next message, then never answer."""
        (self.directory / "hang-next").touch()

    def logged(self) -> str:
        return (self.directory / "server.log").read_text(errors="replace")

    def received(self) -> list[EmailMessage]:
        """Every message received so far, in the order received."""
        return [_parse(f.read_bytes()) for f in sorted(self.inbox.glob("*.eml"))]

    def wait_for(self, count: int, seconds: float = 10) -> list[EmailMessage]:
        """The messages received once there are `count` (or more), polling until a deadline."""
        deadline = time.monotonic() + seconds
        while len(got := self.received()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return got


def _parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage, subtype: str) -> str | None:
    """The message's text/<subtype> part, None if it has none."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


class _Keeper:
    """aiosmtpd's handler: write each message down, then answer (or hang, when asked)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd calls it by this name)
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.lower().endswith("@" + REFUSED_DOMAIN):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        # Numbered by arrival; written aside and renamed so that a reader sees whole files.
        name = f"{time.time_ns()}{next(self.numbers):06d}"
        aside = self.directory / "received" / f".{name}"
        aside.write_bytes(envelope.original_content or envelope.content)
        aside.rename(aside.with_name(f"{name}.eml"))
        try:
            (self.directory / "hang-next").unlink()
        except FileNotFoundError:
            return "250 Message accepted for delivery"
        await asyncio.sleep(3600)
        return "250 Too late"


def serve(directory: Path, port: int) -> None:
    from aiosmtpd.controller import Controller

    Controller(_Keeper(directory), hostname="127.0.0.1", port=port).start()
    threading.Event().wait()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))

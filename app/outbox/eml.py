"""The embedded default mail backend: each message one .eml file in MAIL_FILE_PATH.

Flask-Mailman's own "file" backend appends every message of a connection to one .log file,
separated by lines of dashes: neither a mail client nor the Mailbox page can read one
message out of that. This one writes each message whole, as RFC 5322 bytes, to a file of
its own.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from email.message import Message
from pathlib import Path
from typing import Any

from flask_mailman.backends import file

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EmailBackend(file.EmailBackend):  # type: ignore[misc]
    """Write each message to <MAIL_FILE_PATH>/<UTC time>-<Message-ID>.eml."""

    def open(self) -> bool:
        return False  # no stream to open: each message gets its own file

    def close(self) -> None:
        pass

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            self._write(message.message())
        return len(email_messages)

    def _write(self, message: Message) -> None:
        # Written aside, then renamed: a reader never sees half a message.
        directory = Path(self.file_path)
        fd, aside = tempfile.mkstemp(dir=directory, prefix=".writing-")
        with os.fdopen(fd, "wb") as out:
            out.write(message.as_bytes())
        os.replace(aside, directory / _file_name(str(message["Message-ID"] or "")))


def _file_name(message_id: str) -> str:
    """The time (sortable) and the Message-ID, in safe characters only."""
    safe = _UNSAFE.sub("_", message_id.strip().strip("<>")) or "message"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    return f"{stamp}-{safe[:100]}.eml"

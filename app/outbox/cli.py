"""`flask outbox send`: deliver the outbox from a cron job or a worker of its own."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .sender import Delivered, deliver_all_due

outbox_cli = AppGroup("outbox", help="The outbox of mail messages.")


@outbox_cli.command("send")
def send_command() -> None:
    """Send the messages that are due now, once."""
    click.echo(describe(deliver_all_due()))


def describe(delivered: Delivered) -> str:
    """'Sent 2 messages; 1 will be tried again; 0 failed.'"""
    plural = "" if delivered.sent == 1 else "s"
    return (
        f"Sent {delivered.sent} message{plural}; {delivered.retried} will be tried again; "
        f"{delivered.failed} failed."
    )

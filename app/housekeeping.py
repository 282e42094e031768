"""Housekeeping: expired drafts and the files of abandoned drafts leave the server."""

from __future__ import annotations

import time
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import memory
from .attachments.service import remove_abandoned

RUN_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Removed:
    entries: int
    files: int


def clean_up() -> Removed:
    """Delete expired session-memory entries, then files whose draft has gone."""
    entries = memory.delete_expired()
    idle = float(current_app.config["WIZARD_IDLE_TIMEOUT"])
    absolute = float(current_app.config["WIZARD_ABSOLUTE_LIFETIME"])
    return Removed(entries, remove_abandoned(memory.lives_on, idle, absolute))


def init_app(app: Flask) -> None:
    """Clean up at most once a minute while serving, and offer `flask cleanup`."""
    last_run = [0.0]

    def maybe_clean_up() -> None:
        now = time.monotonic()
        if now - last_run[0] >= RUN_EVERY_SECONDS:
            last_run[0] = now
            clean_up()

    app.before_request(maybe_clean_up)
    app.cli.add_command(cleanup_command)


@click.command("cleanup")
@with_appcontext
def cleanup_command() -> None:
    """Delete expired drafts and the files of abandoned drafts now."""
    removed = clean_up()
    click.echo(
        f"Removed {removed.entries} expired entries from session memory "
        f"and {removed.files} files of expired drafts."
    )

"""Each process sends its own outbox: a daemon thread, started lazily, woken after a commit."""

from __future__ import annotations

import logging
import os
import threading
import weakref

from flask import Flask
from sqlalchemy.exc import DBAPIError, OperationalError

from ..extensions import db
from .sender import deliver_all_due
from .service import has_pending

log = logging.getLogger(__name__)


class BackgroundSender:
    """One app's sender thread in this process. Started by the first wake (a commit that
    queued mail), or by the first request if an earlier run left mail to send; never at
    import or in create_app: a gunicorn master (--preload) forks no threads into its
    workers, and each worker starts its own. An app whose outbox stays empty has no thread
    (nor a connection kept busy by one)."""

    def __init__(self, app: Flask) -> None:
        # Weak: an app nobody uses any more (tests make hundreds) stops its thread.
        self._app = weakref.ref(app)
        self._woken = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._looked = 0  # the process that looked for mail left waiting

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and self._pid == os.getpid() and thread.is_alive()

    def start(self) -> None:
        """Start the thread unless it runs in this process already."""
        if self.running:
            return
        with self._lock:
            if not self.running:
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
                self._thread.start()

    def start_if_pending(self) -> None:
        """On this process's first request: start if mail is waiting to be sent."""
        if self._looked == os.getpid():
            return
        try:
            pending = has_pending()
        except DBAPIError:
            db.session.rollback()  # the database is away: look again on the next request
            return
        self._looked = os.getpid()
        if pending:
            self.start()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self.start()
        self._woken.set()

    def _run(self) -> None:
        while (app := self._app()) is not None:
            poll = float(app.config["OUTBOX_POLL_SECONDS"])
            _deliver(app)
            del app  # hold no app while waiting
            # Cleared before delivering: a wake that comes during a run brings another run.
            self._woken.wait(poll)
            self._woken.clear()


def _deliver(app: Flask) -> None:
    """Deliver what is due; log every failure and carry on: the thread must never die."""
    try:
        with app.app_context():
            deliver_all_due()
    except OperationalError as e:  # the database is away: said once per poll, briefly
        log.warning("The outbox cannot be read now; trying again later: %s", e)
    except Exception:
        log.exception("Sending the outbox failed; trying again later.")

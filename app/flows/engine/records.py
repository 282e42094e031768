"""What every flow's stored record has: its reference, the draft it was sent from, when,
and how session memory was used on the way (the confirmation and /compare read them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class SubmittedRecord:
    """Columns shared by every flow's record (a mixin of its model)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    draft_id: Mapped[str] = mapped_column(String(64), unique=True)  # the id it was sent from
    submitted_at: Mapped[dt.datetime]
    memory_on: Mapped[bool]  # at submit
    fields_typed: Mapped[int]
    fields_repeated: Mapped[int]
    # Whether session memory was on for every page accepted ("on"), off ("off") or on for
    # some and off for others ("part"): the confirmation says which.
    memory_use: Mapped[str] = mapped_column(String(4), default="on", server_default="on")

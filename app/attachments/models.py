"""A stored file (a receipt, an attachment): owned by one draft, then by its submission."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db


class StoredFile(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "receipt_files"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never the name
    draft_id: Mapped[str] = mapped_column(String(64), index=True)  # the id it was uploaded under
    # Whose file it is: the draft's lineage, which a move to another place keeps (its id
    # changes), so a move never has to hand files over, nor can half do it.
    lineage: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))  # display only, sanitised
    content_type: Mapped[str] = mapped_column(String(40))  # from the bytes, not the browser
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    submitted: Mapped[bool] = mapped_column(default=False)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))  # loaded only to download

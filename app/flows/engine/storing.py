"""What every flow's submit does: one transaction that writes the record and its items,
marks the draft's files part of it and deletes its other files; once per draft lineage."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from ...attachments.service import discard_unsubmitted, mark_submitted
from ...extensions import db
from ...rows import insert_now
from .submission import SubmitRefusedError

_REFERENCE_ALPHABET = string.digits + string.ascii_uppercase
_ATTEMPTS = 3  # a clashing reference is drawn again
Written = TypeVar("Written")


def new_reference(prefix: str) -> str:
    """The prefix ("EXP-") and 8 random characters from 0-9A-Z."""
    return prefix + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def store_once(
    write: Callable[[], Written],
    find: Callable[[], Written | None],
) -> Written:
    """Run write (build a record with a fresh reference, mark its files, insert it) and
    commit it with the deletion of the draft's other files; a record of the lineage stored
    already (a second click, another tab, an older page) is returned instead. A refusal
    (SubmitRefusedError) writes nothing."""
    for _ in range(_ATTEMPTS):
        try:
            record = write()
            db.session.commit()
        except (IntegrityError, SubmitRefusedError) as e:
            db.session.rollback()  # submitted already (or by another request)? Else a file
            if existing := find():  # was no file of the draft, or the reference clashed:
                return existing  # then try another
            if isinstance(e, SubmitRefusedError):
                raise
            continue
        return record
    raise RuntimeError("Could not store the submission; please submit it again.")


def claim_files(
    lineage: str,
    items: Sequence[dict[str, Any]],
    refused: Callable[[list[int]], SubmitRefusedError],
) -> None:
    """Mark the items' files part of the record being written and delete the lineage's
    other files (replaced, or left on pages asked again); raise refused(positions) if an
    item names a file that is not the draft's."""
    wanted = {item["file_id"] for item in items if item.get("file_id")}
    if missing := wanted - mark_submitted(lineage, wanted):
        raise refused([n for n, item in enumerate(items, 1) if item.get("file_id") in missing])
    discard_unsubmitted(lineage, commit=False)


def insert_with_items(record: Any, items: Sequence[Any], parent_key: str) -> None:
    """Write a record and its items in two statements (rows.insert_now), so reading
    the record afterwards needs no query."""
    record.id = insert_now(record)
    if not items:
        return
    item_table = type(items[0]).__table__
    for item in items:
        setattr(item, parent_key, record.id)
    columns = [c.name for c in item_table.columns if c.name != "id"]
    rows = [{name: getattr(item, name) for name in columns} for item in items]
    db.session.execute(insert(item_table), rows)

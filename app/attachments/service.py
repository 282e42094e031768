"""Storing, finding, serving and cleaning up uploaded files (one writer: this module)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import undefer
from werkzeug.datastructures import FileStorage

from ..extensions import db
from .checks import check_upload, display_name
from .models import StoredFile

# What save_upload names a file. Nothing else names one, so nothing else is looked up (a NUL
# in it would even make PostgreSQL refuse the query).
FILE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}", re.ASCII)


def _real(file_ids: Iterable[str | None]) -> list[str]:
    """The ids among these that could name a stored file."""
    return [file_id for file_id in file_ids if file_id and FILE_ID.fullmatch(file_id)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def save_upload(draft_id: str, lineage: str, upload: FileStorage, max_bytes: int) -> StoredFile:
    """Check an uploaded file by its bytes and store it for this draft at once."""
    data = upload.stream.read(max_bytes + 1)  # one byte more tells "too large"
    filename = upload.filename or ""
    kind = check_upload(data, filename, max_bytes)
    stored = StoredFile(
        id=secrets.token_urlsafe(16),
        draft_id=draft_id,
        lineage=lineage,
        name=display_name(filename, kind),
        content_type=kind.content_type,
        size=len(data),
        created_at=_now(),
        data=data,
    )
    db.session.add(stored)
    db.session.commit()
    return stored


def files_of(lineage: str, file_ids: Iterable[str]) -> dict[str, StoredFile]:
    """The draft's files with these ids (names and sizes; not their bytes)."""
    wanted = _real(file_ids)
    if not wanted:
        return {}
    query = select(StoredFile).where(StoredFile.lineage == lineage, StoredFile.id.in_(wanted))
    return {f.id: f for f in db.session.scalars(query)}


def delete_files(lineage: str, file_ids: Iterable[str]) -> None:
    """Delete these files of the draft, unless they already belong to a submitted report."""
    wanted = _real(file_ids)
    if wanted:
        db.session.execute(
            delete(StoredFile).where(
                StoredFile.lineage == lineage,
                StoredFile.id.in_(wanted),
                StoredFile.submitted.is_(False),
            )
        )
        db.session.commit()


def unsubmitted_count(lineage: str) -> int:
    """How many files the draft holds that no report has taken yet."""
    query = select(func.count()).where(
        StoredFile.lineage == lineage, StoredFile.submitted.is_(False)
    )
    return int(db.session.scalar(query) or 0)


def delete_all_but(lineage: str, keep: Iterable[str]) -> None:
    """Delete the draft's unsubmitted files except these (the ones it still refers to)."""
    db.session.execute(
        delete(StoredFile).where(
            StoredFile.lineage == lineage,
            StoredFile.submitted.is_(False),
            StoredFile.id.not_in(_real(keep)),
        )
    )
    db.session.commit()


def file_for_download(lineage: str, file_id: str) -> StoredFile | None:
    """The file with its bytes, if it belongs to this draft (or its report)."""
    if not _real([file_id]):
        return None
    query = (
        select(StoredFile)
        .where(StoredFile.lineage == lineage, StoredFile.id == file_id)
        .options(undefer(StoredFile.data))
    )
    found: StoredFile | None = db.session.scalar(query)
    return found


def mark_submitted(lineage: str, file_ids: Iterable[str]) -> set[str]:
    """Make the draft's files with these ids part of the report being written (same
    transaction, no commit here); return the ids marked: an id missing is no file of its."""
    wanted = _real(file_ids)
    if not wanted:
        return set()  # nothing to mark: no statement at all
    marked = db.session.scalars(
        update(StoredFile)
        .where(StoredFile.lineage == lineage, StoredFile.id.in_(wanted))
        .values(submitted=True)
        .returning(StoredFile.id)
        .execution_options(synchronize_session=False)  # the commit expires loaded files
    )
    return set(marked)


def discard_unsubmitted(lineage: str, commit: bool = True) -> None:
    """Delete the draft's files that did not become part of its report (commit=False: in
    the caller's transaction)."""
    files = StoredFile.__table__  # a Core statement: nothing reads them afterwards, so the
    db.session.execute(  # ORM's bulk delete had nothing to keep in step (bench http profile)
        delete(files).where(files.c.lineage == lineage, files.c.submitted.is_(False))
    )
    if commit:
        db.session.commit()


def remove_abandoned(
    draft_is_live: Callable[[str], bool], idle_seconds: float, absolute_seconds: float
) -> int:
    """Delete unsubmitted files whose draft has expired; return how many went. A file
    older than a draft's absolute lifetime has outlived its draft wherever memory lived.
    `draft_is_live` is asked about the id a file was uploaded under: the draft may have
    moved on to another id since (its files are its lineage's, whatever its id)."""
    now = _now()
    idle_cutoff = now - dt.timedelta(seconds=idle_seconds)
    candidates = db.session.scalars(
        select(StoredFile.draft_id)
        .where(StoredFile.submitted.is_(False), StoredFile.created_at < idle_cutoff)
        .distinct()
    ).all()
    expired = [draft_id for draft_id in candidates if not draft_is_live(draft_id)]
    unsubmitted = StoredFile.submitted.is_(False)
    outlived = StoredFile.created_at < now - dt.timedelta(seconds=absolute_seconds)
    result = db.session.execute(
        delete(StoredFile).where(unsubmitted, StoredFile.draft_id.in_(expired) | outlived)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

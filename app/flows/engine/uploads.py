"""The files of a collection's items on a step page: stored the moment they arrive,
referred to by id; and Add and Remove of items."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.datastructures import FileStorage, MultiDict

from ... import memory
from ...attachments.checks import FileRejectedError
from ...attachments.service import (
    delete_all_but,
    delete_files,
    files_of,
    save_upload,
    unsubmitted_count,
)
from .sections import Collection, FileSlot, group_index, groups, new_item_id, with_groups


@dataclass
class Received:
    """A page's form data after its files were stored, with any file errors by field id."""

    formdata: MultiDict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def receive_files(
    draft_id: str,
    collection: Collection,
    formdata: MultiDict[str, str],
    files: MultiDict[str, FileStorage],
    kept: Iterable[str] = (),
) -> Received:
    """Store every file chosen on the page (within the draft's room for files); keep only
    file ids that belong to this draft. `kept`: the files memory still refers to."""
    items = groups(formdata, collection.name)
    lineage = memory.lineage_of(draft_id)
    owned = files_of(lineage, [group.get("file_id", "") for group in items])
    assert collection.file_slot is not None
    room = _Room(draft_id, lineage, {*kept, *owned}, collection.file_slot)
    errors: dict[str, str] = {}
    for index, group in enumerate(items[: collection.max_items]):  # a page has no more
        named = group.get("file_id", "")
        if named not in owned:
            group["file_id"] = ""  # a made-up or foreign id is dropped, never served
        upload = files.get(f"{collection.name}-{index}-file")
        if upload and upload.filename:
            error = room.store(group, upload)
        else:  # said, not in silence: no report loses its file
            error = collection.file_slot.unknown_file if named and named not in owned else None
        if error:
            errors[f"{collection.name}-{index}-file"] = error
    return Received(with_groups(formdata, collection.name, items), errors)


class _Room:
    """How many more files a draft may hold (WIZARD_FILES_PER_DRAFT): when it is full, the
    files nothing refers to any more (left on pages asked again, or by another tab) go."""

    def __init__(self, draft_id: str, lineage: str, referred: set[str], slot: FileSlot) -> None:
        self.draft_id, self.lineage, self.referred = draft_id, lineage, referred
        self.slot = slot
        self.limit = int(current_app.config["WIZARD_FILES_PER_DRAFT"])
        self.used = -1  # counted with the first file: a page without one costs no query

    def take(self) -> None:
        if self.used < 0:
            self.used = unsubmitted_count(self.lineage)
        if self.used >= self.limit:
            delete_all_but(self.lineage, self.referred)
            self.used = unsubmitted_count(self.lineage)
        if self.used >= self.limit:
            raise FileRejectedError(self.slot.full.format(limit=self.limit))
        self.used += 1

    def store(self, item: dict[str, str], upload: FileStorage) -> str | None:
        """Store the item's new file in its place (the one it replaces goes at once);
        the reason if it was refused."""
        try:
            self.take()
            max_bytes = current_app.config[self.slot.max_bytes_setting]
            stored = save_upload(self.draft_id, self.lineage, upload, max_bytes)
        except FileRejectedError as e:
            return str(e)
        delete_files(self.lineage, [item["file_id"]])
        self.used -= bool(item["file_id"])
        item["file_id"] = stored.id
        self.referred.add(stored.id)
        return None


def change_items(
    draft_id: str, collection: Collection, formdata: MultiDict[str, str], action: str
) -> tuple[MultiDict[str, str], str]:
    """Apply Add, Remove (item N) or Remove file (of item N); return data and an anchor."""
    items = groups(formdata, collection.name)
    verb, _, number = action.rpartition("-")
    index = group_index(number)
    anchor = "main-content"
    if action == "add" and len(items) < collection.max_items:
        items.append({"id": new_item_id()})
        anchor = f"{collection.item_anchor}-{len(items)}"
    elif index is None or index >= len(items):
        pass  # no such item (a button of an older page, or made up): nothing changes
    elif verb == "remove" and len(items) > 1:
        delete_files(memory.lineage_of(draft_id), [items.pop(index).get("file_id", "")])
    elif verb == "remove-file":
        delete_files(memory.lineage_of(draft_id), [items[index].pop("file_id", "")])
        anchor = f"{collection.item_anchor}-{index + 1}"
    return with_groups(formdata, collection.name, items), anchor

"""Moving a draft's memory (where memory lives) when another tab deletes the draft in the
same instant: the delete wins, the person is told the draft was deleted, and the copy the
move had begun to write is not left behind (in the store, or as a cookie in the browser)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask, request

from app import memory
from app.memory.drafts import DraftRepository
from tests.helpers import Wizard

DELETED = "Your draft was deleted."


def draft_entries(instance: Path) -> int:
    with sqlite3.connect(instance / "memory.sqlite3") as conn:
        row = conn.execute("SELECT count(*) FROM entries WHERE key LIKE 'draft:%'").fetchone()
    return int(row[0])


def use(wizard: Wizard, place: str) -> None:
    data = {"csrf_token": wizard.token(), "strategy": place, "next": "/"}
    assert wizard.client.post("/memory/strategy", data=data).status_code == 303


@pytest.mark.parametrize(("start", "to"), [("server", "cookie"), ("cookie", "server")])
def test_a_move_that_loses_to_a_delete_in_another_tab_leaves_no_copy_behind(
    app: Flask,
    wizard: Wizard,
    instance: Path,
    monkeypatch: pytest.MonkeyPatch,
    start: str,
    to: str,
) -> None:
    use(wizard, start)
    wizard.start()
    assert wizard.fill_employee().location == wizard.url("receipts")
    adopt, begun = DraftRepository.adopt, []

    def adopt_while_another_tab_deletes(self: DraftRepository, entry: bytes, lineage: str) -> str:
        new_id = adopt(self, entry, lineage)
        begun.append(new_id)
        assert memory.forget_draft(request.form["draft"], deleted=True)  # the other tab
        return new_id

    monkeypatch.setattr(DraftRepository, "adopt", adopt_while_another_tab_deletes)
    fields = {"csrf_token": wizard.token(), "strategy": to, "draft": wizard.draft_id}
    moved = wizard.client.post("/memory/strategy", data={**fields, "step": "receipts"})
    assert moved.status_code == 303
    landed = wizard.client.get(moved.location, follow_redirects=True)
    assert DELETED in landed.text
    assert len(begun) == 1 and draft_entries(instance) == 0
    assert wizard.client.get_cookie(f"expense_wizard_draft_{begun[0]}") is None
    assert wizard.client.get_cookie(f"expense_wizard_draft_{wizard.draft_id}") is None


def test_a_draft_deleted_in_two_tabs_is_still_said_to_be_deleted(wizard: Wizard) -> None:
    wizard.start()
    assert wizard.fill_employee().location == wizard.url("receipts")
    delete = {"csrf_token": wizard.token()}
    for _ in range(2):  # the second tab's Delete comes after the first's
        deleted = wizard.client.post(f"{wizard.draft_url}/delete", data=delete)
        assert deleted.location == "/?notice=deleted"
    page = wizard.get("receipts", follow_redirects=True).text
    assert DELETED in page and "This expense report draft has expired" not in page

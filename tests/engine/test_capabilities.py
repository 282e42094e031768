"""Engine capabilities the support request needed, each general and tested on its own: an
optional collection, a textarea whose line breaks count once, a date that parses in its
label's words, a group that keeps a date as its ISO text."""

from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.flows.engine.fields import DateField, HiddenField, paragraph, text
from app.flows.engine.sections import (
    Collection,
    Group,
    Row,
    Rows,
    Shown,
    answers_from,
    page_form_class,
)
from app.memory.state import SessionState


class NoteForm(Form):
    id = HiddenField()
    note = text("Note", None, 20)


def notes(optional: bool) -> Collection:
    return Collection(
        "notes",
        NoteForm,
        to_value=lambda entry: {"id": entry["id"].data, "note": entry["note"].data},
        to_formdata=lambda item: dict(item),
        max_items=3,
        item_anchor="note",
        item_rows=lambda item, shown: (Row("Note", item["note"]),),
        item_heading="Note",
        heading="Notes",
        optional=optional,
    )


def memory(**values: object) -> SessionState:
    return SessionState(dict(values), {}, 16 * 1024)


def posted(section: Collection | Group, data: dict[str, str]) -> dict[str, object]:
    form = page_form_class((section,))(formdata=MultiDict(data))
    assert form.validate(), form.errors
    return answers_from(form, (section,))


BLANK_AND_ONE = {
    "notes-0-id": "aaaaaaaaaaaa",
    "notes-0-note": "",
    "notes-1-id": "bbbbbbbbbbbb",
    "notes-1-note": "Kept",
}


def test_an_optional_collection_drops_an_item_left_blank() -> None:
    assert posted(notes(optional=True), BLANK_AND_ONE) == {
        "notes": [{"id": "bbbbbbbbbbbb", "note": "Kept"}]
    }


def test_a_required_collection_keeps_every_item_it_was_sent() -> None:
    kept = posted(notes(optional=False), BLANK_AND_ONE)["notes"]
    assert [item["note"] for item in kept] == ["", "Kept"]  # type: ignore[attr-defined]


def test_no_item_is_a_whole_answer_only_for_an_optional_collection() -> None:
    assert notes(optional=True).complete(memory(notes=[]))
    assert not notes(optional=True).complete(memory())  # never answered: not complete
    assert not notes(optional=False).complete(memory(notes=[]))


def test_an_optional_collection_with_no_item_says_so_on_review() -> None:
    shown = Shown({"notes": []}, {}, lambda file_id: "")
    assert notes(optional=True).rows(shown) == [Rows(None, (Row("Notes", ""),))]
    assert notes(optional=False).rows(shown) == []


class LetterForm(Form):
    body = paragraph("Letter", "Write the letter", 10)
    sent_on = DateField("Sent on")


LETTER = Group("letter", LetterForm)


def test_a_line_break_sent_as_cr_lf_counts_once_and_is_kept_as_one() -> None:
    answers = posted(LETTER, {"letter-body": "12345\r\n789", "letter-sent_on": "2026-01-31"})
    assert answers == {"letter": {"body": "12345\n789", "sent_on": "2026-01-31"}}


def test_a_paragraph_over_its_limit_says_so_in_its_label_s_words() -> None:
    form = page_form_class((LETTER,))(formdata=MultiDict({"letter-body": "12345\r\n78901"}))
    assert not form.validate()
    assert form.letter.form.body.errors == ["Letter must be 10 characters or fewer"]


def test_a_date_that_is_no_date_says_so_in_its_label_s_words() -> None:
    form = page_form_class((LETTER,))(
        formdata=MultiDict({"letter-body": "Hi", "letter-sent_on": "2026-02-30"})
    )
    assert not form.validate()
    assert form.letter.form.sent_on.errors == ["Sent on must be a real date, like 2026-11-02"]


def test_a_group_keeps_a_date_as_text_so_every_place_memory_lives_gives_it_back_equal() -> None:
    answers = posted(LETTER, {"letter-body": "Hi", "letter-sent_on": "2026-01-31"})
    kept = answers["letter"]["sent_on"]  # type: ignore[index]
    assert kept == "2026-01-31" and not isinstance(kept, dt.date)

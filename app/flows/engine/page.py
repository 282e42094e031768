"""One step page for one draft: which sections it asks, binding its form, accepting it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask import current_app, url_for
from werkzeug.datastructures import MultiDict
from wtforms import Form

from ... import memory
from ...attachments.models import StoredFile
from ...attachments.service import files_of
from ...memory import Draft, Memory
from .flow import Flow, Step
from .sections import (
    Answers,
    Collection,
    Item,
    PerItem,
    Section,
    answers_from,
    field_names,
    formdata_from_memory,
    items_in,
    mapping_in,
    name_items,
    page_form_class,
)

ITEM_NUMBER = re.compile(r"-\d+-")  # items-0-date -> items-date, as examples name fields


@dataclass
class StepPage:
    flow: Flow
    step: Step
    draft: Draft

    @property
    def memory(self) -> Memory:
        return self.draft.memory

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return self.flow.sections_to_ask(self.step, self.memory)

    @cached_property
    def shown_sections(self) -> tuple[Section, ...]:
        """The sections the page shows (a per-item one asked with its items joins them)."""
        return tuple(s for s in self.sections if s.shown(self.sections))

    @cached_property
    def collection(self) -> Collection | None:
        """The repeatable items this page asks for (Add and Remove act on them), if any."""
        return next((s for s in self.sections if isinstance(s, Collection)), None)

    @property
    def enctype(self) -> str:
        """How its form is sent: multipart only with a file to send, since every multipart
        body costs the server a pattern made for its boundary (`python -m bench http`)."""
        files = self.collection is not None and self.collection.file_slot is not None
        return "multipart/form-data" if files else "application/x-www-form-urlencoded"

    @cached_property
    def per_item_alone(self) -> tuple[PerItem, ...]:
        """Per-item sections asked on their own, bound to the items memory holds."""
        return tuple(s for s in self.shown_sections if isinstance(s, PerItem))

    @property
    def asks_again(self) -> bool:
        """Whether this page asks for answers an earlier step collected."""
        return any(section not in self.step.asks for section in self.sections)

    def made_with_memory_on(self, posted: MultiDict[str, str]) -> bool:
        """Whether a page sent to this step was made before memory went off: this page asks
        again for answers of earlier steps, and the page sent had none of their fields."""
        asked_again = [s for s in self.sections if s not in self.step.asks]
        return bool(asked_again) and not any(s.owns(key) for s in asked_again for key in posted)

    def name_items(self, form: Form) -> Form:
        """The form with each item field's messages naming its item (an answer asked apart
        from its item: with the item's label, "receipt 1 (Hotel Adlon)")."""
        name_items(form, self.sections, self._item_label)
        return form

    def _item_label(self, section: Section, entry: Form) -> str:
        if not isinstance(section, PerItem) or not section.of.label_field:
            return ""
        item_id = entry[section.item_id_field].data
        item = next((i for i in self.items(section.of) if i.get("id") == item_id), None)
        return str(item.get(section.of.label_field, "")) if item else ""

    @property
    def back_step(self) -> Step | None:
        """Where Back leads: the step before; once the draft has reached review (a Change),
        review, as Continue does (step 1 has no Back)."""
        previous = self.flow.previous(self.step)
        if previous is None or self.is_final or not self.memory.carries_forward:
            return previous
        reached = self.flow.first_incomplete_before(self.flow.final, self.memory) is None
        return self.flow.final if reached else previous

    def gave_on(self, section: Section) -> int:
        """The number of the step that asks for this section (where it was given first)."""
        return self.flow.number_of(self.flow.owner_of(section))

    @property
    def offers_examples(self) -> bool:
        """Whether the page has fields Use example answers can fill."""
        demo = bool(current_app.config["WIZARD_DEMO"])
        return demo and bool(self.flow.examples) and (not self.is_final or self.asks_again)

    def with_examples(self, formdata: MultiDict[str, str]) -> MultiDict[str, str]:
        """The page's input with every empty field the flow has an example for filled in."""
        filled = MultiDict(formdata)
        for name in sorted(field_names(self.form(formdata))):
            example = self._example_for(ITEM_NUMBER.sub("-", name))
            if example is not None and not filled.get(name):
                filled[name] = example() if callable(example) else example
        return filled

    def _example_for(self, key: str) -> str | Callable[[], str] | None:
        """The flow's example for a field ("receipts-merchant"); a per-item answer asked
        with its item ("receipts-category") has the example of its own page's field
        ("categories-category")."""
        if key in self.flow.examples:
            return self.flow.examples[key]
        items, _, field = key.partition("-")
        for section in self.flow.sections:
            if isinstance(section, PerItem) and section.of.name == items:
                return self.flow.examples.get(f"{section.name}-{field}")
        return None

    @property
    def number(self) -> int:
        """The step's position, as "Step N of M" shows it."""
        return self.flow.number_of(self.step)

    @property
    def is_final(self) -> bool:
        return self.step is self.flow.final

    def change_links(self) -> dict[str, str]:
        """Each earlier step's Change link on review: its page."""
        return {
            s.name: url_for(f"{self.flow.name}.step", draft_id=self.draft.id, step_name=s.name)
            for s in self.flow.steps
            if s is not self.flow.final
        }

    @property
    def unsaved_key(self) -> str:
        return f"unsaved:{self.step.name}"

    def form(self, formdata: MultiDict[str, str] | None) -> Form:
        """The page's form, bound to formdata (None: empty, with its defaults)."""
        return page_form_class(self.sections)(formdata=formdata or None)

    def remembered_formdata(self) -> MultiDict[str, str]:
        """What memory holds for this page, or the input kept in its place (by Add or
        Remove, a refused page, Move memory), bound to the items memory holds now."""
        unsaved = mapping_in(self.memory, self.unsaved_key)
        if unsaved:
            return self.aligned(MultiDict(unsaved))
        return formdata_from_memory(self.memory, self.sections)

    def aligned(self, formdata: MultiDict[str, str]) -> MultiDict[str, str]:
        """Posted per-item answers bound to the items memory holds, by item id."""
        for section in self.per_item_alone:
            if self.memory.has(section.of.name):
                formdata = section.aligned(formdata, self.items(section.of))
        return formdata

    def items(self, collection: Collection, answers: Answers | None = None) -> list[Item]:
        """A collection's items: as posted, else as remembered."""
        posted: list[Item] = (answers or {}).get(collection.name) or []
        return posted or items_in(self.memory, collection.name)

    def stored_files(self, form: Form) -> dict[str, StoredFile]:
        """Name and size of the files the page's items refer to."""
        held = self.collection if self.collection and self.collection.file_slot else None
        ids = [entry.form["file_id"].data for entry in form[held.name]] if held else []
        return files_of(memory.lineage_of(self.draft.id), ids)

    def own_keys(self) -> tuple[str, ...] | None:
        """The memory keys this page writes (None for review: everything it shows)."""
        if self.is_final:
            return None
        return (*(section.key for section in self.sections if section.key), self.unsaved_key)

    def holds(self, answers: Answers) -> bool:
        """Whether memory already holds exactly these answers (the page was sent twice)."""
        return bool(answers) and all(self.memory.get(k) == v for k, v in answers.items())

    def files_in_memory(self) -> set[str]:
        """Ids of the files memory refers to: its items', and any kept by Add or Remove."""
        assert self.collection is not None
        remembered = self.collection.file_ids(self.items(self.collection))
        unsaved = mapping_in(self.memory, self.unsaved_key)
        return remembered | {v for k, v in unsaved.items() if k.endswith("-file_id")}

    def accept(self, answers: Answers) -> None:
        """Count what was typed, then remember the answers (memory off drops them)."""
        self.count_typed(answers)
        for section in self.flow.sections:  # per-item answers of removed items go
            if isinstance(section, PerItem) and section.of.name in answers:
                items = answers[section.of.name]
                if self.memory.has(section.name):
                    answers.setdefault(section.name, section.kept_for(self.memory, items))
        if self.memory.has(self.unsaved_key):
            self.memory.delete(self.unsaved_key)  # first: the answers replace it in the budget
        for key, value in answers.items():
            # Answers are already typed: "true" typed as a purpose stays text.
            self.memory.set(key, value, detect_types=False)

    def count_typed(self, answers: Answers) -> None:
        """Note the fields typed on this accepted page: every non-empty one memory did not
        supply as it is. One memory lacked (the page asked for it) may be a repeat; one it
        had and the person changed (Change, Back, a fix) is a correction."""
        supplied = self.typed_fields(self.supplied(answers), answers)
        now = self.typed_fields(answers, answers)
        typings = [(k, k not in supplied) for k, v in now.items() if supplied.get(k) != v]
        self.draft.note_accepted(typings, memory_on=self.memory.carries_forward)

    def typed_fields(self, answers: Answers, posted: Answers) -> dict[str, str]:
        """Every answered field, named, with its value (items numbered as posted)."""
        numbering = _Numbering(self, posted)
        flat: dict[str, str] = {}
        for section in self.flow.sections:
            if section.key in answers:
                flat.update(section.typed(answers, numbering))
        return {name: value for name, value in flat.items() if value not in ("", None)}

    def supplied(self, answers: Answers) -> Answers:
        """What memory held for these answers; a collection's items by id."""
        held = {key: self.memory.get(key) for key in answers}
        for section in self.flow.sections:
            if isinstance(section, Collection) and section.name in answers:
                remembered = items_in(self.memory, section.name)
                held[section.name] = section.held(remembered, answers[section.name])
        return held

    def own_answers(self, answers: Answers) -> Answers:
        """Only the answers this page asked for (the rest came from memory)."""
        keys = {section.key for section in self.sections}
        return {key: value for key, value in answers.items() if key in keys}

    def remembered_answers(self) -> Answers:
        """Every answer of the flow memory holds."""
        return {s.key: self.memory.get(s.key) for s in self.flow.sections if s.key}

    def whole_flow_form(self, formdata: MultiDict[str, str]) -> Form:
        """The whole flow bound to memory's answers, overlaid by what the page posted."""
        combined = formdata_from_memory(self.memory, self.flow.sections)
        for key in formdata:
            combined.setlist(key, formdata.getlist(key))
        return page_form_class(self.flow.sections)(formdata=combined)

    def answers_of(self, form: Form, whole: bool = False) -> Answers:
        """The memory values of a validated form of this page (or of the whole flow)."""
        return answers_from(form, self.flow.sections if whole else self.sections)

    def keep_unsaved(self, formdata: MultiDict[str, str]) -> None:
        """Remember raw input (not yet validated) so Add and Remove lose nothing: only the
        fields the page's form declares, never what else came with them (the memory_state
        field would put the old state inside the new one, click after click)."""
        declared = field_names(self.form(formdata))
        unsaved = {k: v for k, v in formdata.items() if k in declared}
        self.memory.set(self.unsaved_key, unsaved)


@dataclass
class _Numbering:
    """Items numbered as the page posted them, else as memory holds them."""

    page: StepPage
    posted: Answers

    def items(self, collection: Collection, answers: Answers | None = None) -> list[Item]:
        return self.page.items(collection, self.posted)


def with_file_errors(form: Form, collection: Collection | None, errors: dict[str, str]) -> Form:
    """Put file errors (found when the files arrived) on their fields, in page order."""
    for entry in form[collection.name] if errors and collection else ():
        field = entry.form["file"]
        if field.id in errors:
            field.errors = [*field.errors, errors[field.id]]
    return form

"""One step page for one draft: which sections it asks, binding its form, accepting it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField

from .. import memory
from ..flows.engine import Section, Step
from ..flows.expenses.flow import CATEGORIES, EMPLOYEE, EXPENSES, PURPOSE, RECEIPTS
from ..flows.expenses.values import Categories, Receipts, Unsaved, remembered
from ..memory import Draft, Memory
from ..receipts.models import ReceiptFile
from ..receipts.service import files_of
from .answers import Answers, formdata_from_memory, typed_fields
from .forms import page_form_class


@dataclass
class StepPage:
    step: Step
    draft: Draft

    @property
    def memory(self) -> Memory:
        return self.draft.memory

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        return EXPENSES.sections_to_ask(self.step, self.memory)

    @cached_property
    def section_names(self) -> tuple[str, ...]:
        return tuple(section.name for section in self.sections)

    @property
    def asks_again(self) -> bool:
        """Whether this page asks for answers an earlier step collected."""
        return any(section not in self.step.asks for section in self.sections)

    @property
    def unsaved_key(self) -> str:
        return f"unsaved:{self.step.name}"

    def form(self, formdata: MultiDict[str, str] | None) -> Form:
        """The page's form, bound to formdata (None: empty, with its defaults)."""
        return page_form_class(self.section_names)(formdata=formdata or None)

    def remembered_formdata(self) -> MultiDict[str, str]:
        """What memory holds for this page, including input kept by Add or Remove."""
        unsaved = remembered(self.memory, self.unsaved_key, Unsaved, {})
        if unsaved:
            return MultiDict(unsaved)
        return formdata_from_memory(self.memory, self.section_names)

    def receipts(self, answers: Answers | None = None) -> Receipts:
        """The receipts this page is about: as posted, else as remembered."""
        posted: Receipts = (answers or {}).get("receipts") or []
        return posted or remembered(self.memory, "receipts", Receipts, [])

    def stored_files(self, form: Form) -> dict[str, ReceiptFile]:
        """Name and size of the files the page's receipts refer to."""
        ids = [entry.form.file_id.data for entry in form["receipts"]] if "receipts" in form else []
        return files_of(memory.lineage_of(self.draft.id), ids)

    def own_keys(self) -> tuple[str, ...] | None:
        """The memory keys this page writes (None for review: everything it shows)."""
        if self.step is EXPENSES.final:
            return None
        return (*(section.key for section in self.sections if section.key), self.unsaved_key)

    def holds(self, answers: Answers) -> bool:
        """Whether memory already holds exactly these answers (the page was sent twice)."""
        return bool(answers) and all(self.memory.get(k) == v for k, v in answers.items())

    def files_in_memory(self) -> set[str]:
        """Ids of the files memory refers to: its receipts', and any kept by Add or Remove."""
        receipts = remembered(self.memory, "receipts", Receipts, [])
        unsaved = remembered(self.memory, self.unsaved_key, Unsaved, {})
        kept = [v for k, v in unsaved.items() if k.endswith("-file_id")]
        return {r["file_id"] for r in receipts if r.get("file_id")} | set(kept)

    def accept(self, answers: Answers) -> None:
        """Count what was typed, then remember the answers (memory off drops them)."""
        self.count_typed(answers)
        if "receipts" in answers and self.memory.has("categories"):
            kept = {r["id"] for r in answers["receipts"]}
            categories = remembered(self.memory, "categories", Categories, {})
            answers.setdefault("categories", {k: v for k, v in categories.items() if k in kept})
        if self.memory.has(self.unsaved_key):
            self.memory.delete(self.unsaved_key)  # first: the answers replace it in the budget
        for key, value in answers.items():
            # Answers are already typed: "true" typed as a purpose stays text.
            self.memory.set(key, value, detect_types=False)

    def count_typed(self, answers: Answers) -> None:
        """Note the fields typed on this accepted page: every non-empty one memory did not
        supply as it is. One memory lacked (the page asked for it) may be a repeat; one it
        had and the person changed (Change, Back, a fix) is a correction."""
        receipts = self.receipts(answers)
        supplied = typed_fields(self.supplied(answers), receipts)
        now = typed_fields(answers, receipts)
        typings = [(k, k not in supplied) for k, v in now.items() if supplied.get(k) != v]
        self.draft.note_accepted(typings, memory_on=self.memory.carries_forward)

    def supplied(self, answers: Answers) -> Answers:
        """What memory held for these answers; receipts by id, so a receipt that moved up
        (one before it removed) is still the one memory had."""
        held = {key: self.memory.get(key) for key in answers}
        if "receipts" in answers:
            by_id = {r["id"]: r for r in remembered(self.memory, "receipts", Receipts, [])}
            held["receipts"] = [by_id.get(r["id"], {}) for r in answers["receipts"]]
        return held

    def own_answers(self, answers: Answers) -> Answers:
        """Only the answers this page asked for (the rest came from memory)."""
        keys = {section.key for section in self.sections}
        return {key: value for key, value in answers.items() if key in keys}

    def remembered_answers(self) -> Answers:
        """Every report answer memory holds."""
        return {s.key: self.memory.get(s.key) for s in EXPENSES.sections if s.key}

    def whole_report_form(self, formdata: MultiDict[str, str]) -> Form:
        """The whole report bound to memory's answers, overlaid by what the page posted."""
        names = tuple(section.name for section in EXPENSES.sections)
        combined = formdata_from_memory(self.memory, names)
        for key in formdata:
            combined.setlist(key, formdata.getlist(key))
        return page_form_class(names)(formdata=combined)

    def step_to_fix(self, form: Any) -> Step:
        """The step that asks for the first invalid answer of a whole-report form."""
        field_id = error_list(form)[0][0]
        return EXPENSES.owner_of(section_of_field(field_id))

    def keep_unsaved(self, formdata: MultiDict[str, str]) -> None:
        """Remember raw input (not yet validated) so Add and Remove lose nothing: only the
        fields the page's form declares, never what else came with them (the memory_state
        field would put the old state inside the new one, click after click)."""
        declared = field_names(self.form(formdata))
        unsaved = {k: v for k, v in formdata.items() if k in declared}
        self.memory.set(self.unsaved_key, unsaved)


def with_file_errors(form: Form, errors: dict[str, str]) -> Form:
    """Put file errors (found when the files arrived) on their fields, in page order."""
    for entry in form["receipts"] if errors else ():
        field = entry.form.file
        if field.id in errors:
            field.errors = [*field.errors, errors[field.id]]
    return form


def section_of_field(field_id: str) -> Section:
    """The section a form field belongs to, from its id (receipts-0-category: categories)."""
    if field_id.startswith("employee-"):
        return EMPLOYEE
    if field_id.startswith("categories-") or field_id.endswith(("-category", "-details")):
        return CATEGORIES
    return RECEIPTS if field_id.startswith("receipts-") else PURPOSE


def field_names(form: Any) -> set[str]:
    """The names of every input a form declares, in its groups too (receipts-0-merchant)."""
    names: set[str] = set()
    for field in form:
        if isinstance(field, FormField):
            names |= field_names(field.form)
        elif isinstance(field, FieldList):
            for entry in field:
                names |= field_names(entry.form)
        else:
            names.add(field.name)
    return names


def error_list(form: Any) -> list[tuple[str, str]]:
    """(field id, first message) for every invalid field, in page order."""
    return list(_errors(form))


def _errors(form: Any) -> Iterator[tuple[str, str]]:
    for field in form:
        if isinstance(field, FormField):
            yield from _errors(field.form)
        elif isinstance(field, FieldList):
            for entry in field:
                yield from _errors(entry.form)
        elif field.errors:
            yield field.id, field.errors[0]

"""Sections: the parts of a flow's answers, each declared once.

A section says everything about its part: the form fields a page asks it with, the value
memory keeps, how one turns into the other (dump) and back (load), what the typed-again
counter counts in it, which form fields are its own, and the template that shows it. The
step page only iterates sections; it never names one.

Four shapes cover a flow: a Group of fields kept as one mapping, a Single answer, a
Collection of repeatable items (Add and Remove, stable item ids, an optional file slot), and
a PerItem section (an answer for each item of a collection, asked with the items when a page
asks both). Models: django-formtools' form_list, hmpo-form-wizard's field declarations.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any, NamedTuple, Protocol

from werkzeug.datastructures import MultiDict
from wtforms import DateField as WTFormsDateField
from wtforms import Field, FieldList, Form, FormField
from wtforms.fields.core import UnboundField

from ...attachments.checks import human_size
from ...memory import Memory
from .fields import HiddenField

Answers = dict[str, Any]  # memory key -> value, as the sections keep them
Pairs = Iterable[tuple[str, str]]  # form data as a page would post it
Item = dict[str, Any]  # one item of a collection, as memory keeps it
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{8,32}$")


class Items(Protocol):
    """Where a section finds a collection's items: as posted, else as remembered."""

    def items(self, collection: Collection, answers: Answers | None = None) -> list[Item]: ...


class Row(NamedTuple):  # a tuple: made by the dozen on every review page
    """One answer as summaries show it: its name and value ("" shows "Not provided"); a
    value may be a link (to a stored file) with a note after it (its size)."""

    key: str
    value: str
    link: str = ""
    note: str = ""


class Rows(NamedTuple):
    """Rows under an optional subheading (an item of a collection)."""

    heading: str | None
    rows: tuple[Row, ...]


@dataclass
class Shown:
    """What a section's summary may use: every answer, and the stored files its items name
    (with their download addresses)."""

    answers: Answers
    files: dict[str, Any]  # file id -> StoredFile
    file_url: Callable[[str], str]

    def file_row(self, key: str, item: Item) -> Row:
        """An item's file as a row: a download link and its size, or "Not provided"."""
        stored = self.files.get(item.get("file_id", ""))
        if stored is None:
            return Row(key, "")
        return Row(key, stored.name, self.file_url(stored.id), f"({human_size(stored.size)})")


class Section:
    """A part of a flow's answers; subclasses say how a page asks for it."""

    def __init__(
        self, name: str, key: str | None, heading: str | None, template: str | None
    ) -> None:
        self.name = name  # the prefix of its form fields, and its name on a page
        self.key = key  # its memory key (None: asked on its page, never remembered)
        self.heading = heading  # shown when a page asks several sections
        self.template = template  # the partial that renders its fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def complete(self, memory: Memory) -> bool:
        """Whether memory holds this section's whole answer."""
        return self.key is not None and memory.has(self.key)

    def fields(self, asked: tuple[Section, ...]) -> dict[str, UnboundField]:
        """The form fields a page asking these sections gets from this one."""
        raise NotImplementedError

    def load(self, memory: Memory, asked: tuple[Section, ...]) -> Pairs:
        """What memory holds for this section, as the form data its page would post."""
        raise NotImplementedError

    def dump(self, form: Form, asked: tuple[Section, ...]) -> Answers:
        """This section's memory values, read from a validated page form."""
        raise NotImplementedError

    def typed(self, answers: Answers, items: Items) -> dict[str, str]:
        """Every field of this section in answers, named, with its value (for the counter)."""
        raise NotImplementedError

    def owns(self, field_id: str) -> bool:
        """Whether a form field (by its id) is one of this section's."""
        return field_id.startswith(f"{self.name}-")

    def rows(self, shown: Shown) -> list[Rows]:
        """This section's answers as summaries show them."""
        return []

    def shown(self, asked: tuple[Section, ...]) -> bool:
        """Whether a page asking these sections shows this one (not merged into another)."""
        return True


class Group(Section):
    """Fields kept together as one mapping under the section's name (a person's details)."""

    def __init__(
        self, name: str, form: type[Form], heading: str | None = None, template: str | None = None
    ) -> None:
        super().__init__(name, name, heading, template)
        self.form = form

    def fields(self, asked: tuple[Section, ...]) -> dict[str, UnboundField]:
        return {self.name: FormField(self.form)}

    def load(self, memory: Memory, asked: tuple[Section, ...]) -> Pairs:
        value = mapping_in(memory, self.name)
        return [(f"{self.name}-{k}", "" if v is None else str(v)) for k, v in value.items()]

    def dump(self, form: Form, asked: tuple[Section, ...]) -> Answers:
        fields = form[self.name].form
        return {self.name: {f.short_name: _kept(f.data) for f in fields}}

    def typed(self, answers: Answers, items: Items) -> dict[str, str]:
        value = answers.get(self.name) or {}
        return {f"{self.name}.{k}": v for k, v in value.items()}

    def rows(self, shown: Shown) -> list[Rows]:
        value = shown.answers.get(self.name) or {}
        labels, dates = _labels_of(self.form), _dates_of(self.form)
        as_shown = {k: shown_date(v) if k in dates else str(v) for k, v in value.items()}
        return [Rows(None, tuple(Row(labels[k], as_shown.get(k, "")) for k in labels))]


class Single(Section):
    """One answer, kept as it is under its field's name (None: asked, never remembered)."""

    def __init__(
        self,
        name: str,
        field: UnboundField,
        field_name: str | None = None,
        remembered: bool = True,
        template: str | None = None,
        heading: str | None = None,
    ) -> None:
        self.field_name = field_name or name
        super().__init__(name, self.field_name if remembered else None, heading, template)
        self.field = field

    def fields(self, asked: tuple[Section, ...]) -> dict[str, UnboundField]:
        # A fresh copy: WTForms orders a form's fields by when they were made.
        made = self.field
        return {self.field_name: UnboundField(made.field_class, *made.args, **made.kwargs)}

    def load(self, memory: Memory, asked: tuple[Section, ...]) -> Pairs:
        if self.key is None or not memory.has(self.key):
            return []
        return [(self.field_name, str(memory.get(self.key)))]

    def dump(self, form: Form, asked: tuple[Section, ...]) -> Answers:
        return {self.key: form[self.field_name].data} if self.key else {}

    def typed(self, answers: Answers, items: Items) -> dict[str, str]:
        value = answers.get(self.key) if self.key else None
        return {self.key: value} if self.key and value else {}

    def owns(self, field_id: str) -> bool:
        return field_id == self.field_name

    def rows(self, shown: Shown) -> list[Rows]:
        if self.key is None:
            return []
        label = _labels_of(_single_form(self))[self.field_name]
        return [Rows(None, (Row(label, str(shown.answers.get(self.key) or "")),))]


@dataclass(frozen=True)
class FileSlot:
    """A file for each item of a collection: `file_id` holds a stored file's id, `file`
    takes a new one. Its messages are in the flow's words."""

    max_bytes_setting: str  # the config key of the largest file accepted
    unknown_file: str  # an item names a file its draft did not store
    full: str  # the draft holds its most files; formatted with limit=


class Collection(Section):
    """Repeatable items (Add, Remove), each with a stable id its per-item answers follow,
    and an optional file slot. An optional collection may hold no item: one left blank
    (nothing typed, no file) is no item, and none at all is a whole answer."""

    def __init__(
        self,
        name: str,
        item_form: type[Form],
        to_value: Callable[[Form], Item],
        to_formdata: Callable[[Item], dict[str, str]],
        max_items: int,
        item_anchor: str,
        item_rows: Callable[[Item, Shown], tuple[Row, ...]],
        item_heading: str,
        file_slot: FileSlot | None = None,
        heading: str | None = None,
        template: str | None = None,
        optional: bool = False,
        label_field: str | None = None,
    ) -> None:
        super().__init__(name, name, heading, template)
        self.optional = optional
        # The item field that names an item in messages asked apart from it ("merchant")
        self.label_field = label_field
        self.item_rows, self.item_heading = item_rows, item_heading
        self.item_form, self.max_items, self.file_slot = item_form, max_items, file_slot
        self.to_value, self.to_formdata = to_value, to_formdata
        self.item_anchor = item_anchor  # the id of item N's legend is f"{item_anchor}-{N}"

    def complete(self, memory: Memory) -> bool:
        if self.optional:
            return memory.has(self.name)
        return bool(items_in(memory, self.name))

    def per_item(self, asked: tuple[Section, ...]) -> tuple[PerItem, ...]:
        """The per-item sections asked with the items, on the same page."""
        return tuple(s for s in asked if isinstance(s, PerItem) and s.of is self)

    def fields(self, asked: tuple[Section, ...]) -> dict[str, UnboundField]:
        entry = _merged_form(self.item_form, tuple(s.form for s in self.per_item(asked)))
        return {self.name: FieldList(FormField(entry), min_entries=1, max_entries=self.max_items)}

    def load(self, memory: Memory, asked: tuple[Section, ...]) -> Pairs:
        per_item = [mapping_in(memory, s.name) for s in self.per_item(asked)]
        for i, item in enumerate(items_in(memory, self.name)):
            yield from _prefixed(f"{self.name}-{i}-", self.to_formdata(item))
            for values in per_item:
                yield from _prefixed(f"{self.name}-{i}-", values.get(item["id"], {}))

    def dump(self, form: Form, asked: tuple[Section, ...]) -> Answers:
        entries = [entry.form for entry in form[self.name]]
        _give_unique_ids(entries)
        items = [self.to_value(entry) for entry in entries]
        if self.optional:
            items = [item for item in items if not _blank(item)]
        answers: Answers = {self.name: items}
        for section in self.per_item(asked):
            answers[section.name] = {e["id"].data: section.value_of(e) for e in entries}
        return answers

    def typed(self, answers: Answers, items: Items) -> dict[str, str]:
        named = (
            (f"{self.name}.{n}.{k}", str(v))
            for n, item in enumerate(answers.get(self.name) or [], start=1)
            for k, v in item.items()
            if k != "id"
        )
        return dict(named)

    def rows(self, shown: Shown) -> list[Rows]:
        items = shown.answers.get(self.name) or []
        if self.optional and not items:  # said, so none is not mistaken for lost
            return [Rows(None, (Row(self.heading or self.item_heading, ""),))]
        return [
            Rows(f"{self.item_heading} {n}", self.item_rows(item, shown))
            for n, item in enumerate(items, start=1)
        ]

    def held(self, remembered: list[Item], posted: list[Item]) -> list[Item]:
        """What memory held for each posted item, by id: an item that moved up (one before
        it removed) is still the one memory had."""
        by_id = {item["id"]: item for item in remembered}
        return [by_id.get(item["id"], {}) for item in posted]

    def file_ids(self, items: list[Item]) -> set[str]:
        """The stored files these items refer to."""
        return {item["file_id"] for item in items if item.get("file_id")}


class PerItem(Section):
    """An answer for each item of a collection, kept as item id -> answer. Asked on a page
    of its own, each answer is bound to its item by id; asked with the items, its fields
    join each item's."""

    def __init__(
        self,
        name: str,
        of: Collection,
        form: type[Form],
        item_id_field: str,
        template: str | None = None,
    ) -> None:
        super().__init__(name, name, None, template)
        self.of, self.form, self.item_id_field = of, form, item_id_field

    def complete(self, memory: Memory) -> bool:
        items, values = items_in(memory, self.of.name), mapping_in(memory, self.name)
        return bool(items) and all(item["id"] in values for item in items)

    def shown(self, asked: tuple[Section, ...]) -> bool:
        return self.of not in asked

    def fields(self, asked: tuple[Section, ...]) -> dict[str, UnboundField]:
        if not self.shown(asked):
            return {}
        entry = _with_item_id(self.form, self.item_id_field)
        return {self.name: FieldList(FormField(entry), max_entries=self.of.max_items)}

    def load(self, memory: Memory, asked: tuple[Section, ...]) -> Pairs:
        if not self.shown(asked):
            return  # the collection loads it with each item
        values = mapping_in(memory, self.name)
        for i, item in enumerate(items_in(memory, self.of.name)):
            yield f"{self.name}-{i}-{self.item_id_field}", item["id"]
            yield from _prefixed(f"{self.name}-{i}-", values.get(item["id"], {}))

    def dump(self, form: Form, asked: tuple[Section, ...]) -> Answers:
        if not self.shown(asked):
            return {}  # the collection dumps it with each item
        entries = [entry.form for entry in form[self.name]]
        return {self.name: {e[self.item_id_field].data: self.value_of(e) for e in entries}}

    def value_of(self, entry: Form) -> dict[str, str]:
        """One item's answer, from the item's part of the form."""
        return {name: entry[name].data or "" for name in _field_names_of(self.form)}

    def typed(self, answers: Answers, items: Items) -> dict[str, str]:
        position = {item["id"]: n for n, item in enumerate(items.items(self.of, answers), 1)}
        return {
            f"{self.name}.{position.get(item_id, 0)}.{k}": v
            for item_id, value in (answers.get(self.name) or {}).items()
            for k, v in value.items()
        }

    def owns(self, field_id: str) -> bool:
        in_item = field_id.startswith(f"{self.of.name}-")
        return super().owns(field_id) or (
            in_item and field_id.rsplit("-", 1)[-1] in _field_names_of(self.form)
        )

    def aligned(self, formdata: MultiDict[str, str], items: list[Item]) -> MultiDict[str, str]:
        """Posted answers re-ordered to match the items in memory, by item id: a page opened
        before the items changed (another tab, Back) still binds each answer to its item,
        and new items come without one."""
        posted = {g.get(self.item_id_field, ""): g for g in groups(formdata, self.name)}
        aligned = [{**posted.get(i["id"], {}), self.item_id_field: i["id"]} for i in items]
        return with_groups(formdata, self.name, aligned)

    def rows(self, shown: Shown) -> list[Rows]:
        return []  # each answer is read with its item, in the collection's item_rows

    def kept_for(self, memory: Memory, items: list[Item]) -> dict[str, Any]:
        """Memory's answers for these items only (those of removed items go)."""
        kept = {item["id"] for item in items}
        return {k: v for k, v in mapping_in(memory, self.name).items() if k in kept}


def _kept(value: Any) -> Any:
    """A field's value as memory keeps it: a date as its ISO text (every place memory lives
    gives it back so), a field not sent at all (an optional one a page left out) as ""."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else value


def _blank(item: Item) -> bool:
    """Whether nothing was given for an item (its id aside)."""
    return not any(value for key, value in item.items() if key != "id")


def new_item_id() -> str:
    """A stable id for an item, so its per-item answers follow it wherever it moves."""
    return secrets.token_urlsafe(8)


def _give_unique_ids(entries: list[Form]) -> None:
    seen: set[str] = set()
    for entry in entries:
        if not ITEM_ID.match(entry["id"].data or "") or entry["id"].data in seen:
            entry["id"].data = new_item_id()  # a tampered or copied id gets a fresh one
        seen.add(entry["id"].data)


def mapping_in(memory: Memory, key: str) -> dict[str, Any]:
    """A mapping memory holds under key (written by a section), else an empty one."""
    value = memory.get(key)
    return value if isinstance(value, dict) else {}


def items_in(memory: Memory, key: str) -> list[Item]:
    """A collection's items as memory holds them, else none."""
    value = memory.get(key)
    return value if isinstance(value, list) else []


_FORMS: dict[tuple[object, ...], type[Form]] = {}  # form classes are built once each


def _merged_form(item_form: type[Form], extra: tuple[type[Form], ...]) -> type[Form]:
    """An item's form with per-item sections' fields after its own."""
    if not extra:
        return item_form
    key = ("merged", item_form, *extra)
    if key not in _FORMS:
        _FORMS[key] = type(item_form.__name__ + "With", (item_form, *extra), {})
    return _FORMS[key]


def _with_item_id(form: type[Form], item_id_field: str) -> type[Form]:
    """A per-item form with the hidden field that names its item."""
    key = ("for-item", form, item_id_field)
    if key not in _FORMS:
        _FORMS[key] = type(form.__name__ + "ForItem", (form,), {item_id_field: HiddenField()})
    return _FORMS[key]


_FIELD_NAMES: dict[type[Form], tuple[str, ...]] = {}
_LABELS: dict[type[Form], dict[str, str]] = {}


def _labels_of(form: type[Form]) -> dict[str, str]:
    """Each field's label text, by name, in the form's order (made once)."""
    if form not in _LABELS:
        _LABELS[form] = {name: f.label.text for name, f in form()._fields.items()}
    return _LABELS[form]


def _single_form(section: Single) -> type[Form]:
    key = ("single", section)
    if key not in _FORMS:
        _FORMS[key] = type("SingleForm", (Form,), section.fields(()))
    return _FORMS[key]


def _field_names_of(form: type[Form]) -> tuple[str, ...]:
    """The names of a form class's fields (made once: a form is costly to make)."""
    if form not in _FIELD_NAMES:
        _FIELD_NAMES[form] = tuple(form()._fields)
    return _FIELD_NAMES[form]


@cache
def page_form_class(asked: tuple[Section, ...]) -> type[Form]:
    """Build (once) the form class for a page that asks for these sections.

    A plain WTForms form, not Flask-WTF's: CSRFProtect checks every POST's token before the
    view runs and the templates print csrf_token(), so a form-level CSRF field would only
    check the same token again (measured: 0.3 ms less a POST)."""
    fields = dict(chain.from_iterable(s.fields(asked).items() for s in asked))
    return type("PageForm_" + "_".join(s.name for s in asked), (Form,), fields)


def formdata_from_memory(memory: Memory, asked: tuple[Section, ...]) -> MultiDict[str, str]:
    """What memory holds for these sections, as the form data a page would post."""
    return MultiDict(list(chain.from_iterable(s.load(memory, asked) for s in asked)))


def answers_from(form: Form, asked: tuple[Section, ...]) -> Answers:
    """Read the memory values of every section on a validated page form."""
    answers: Answers = {}
    for section in asked:
        answers.update(section.dump(form, asked))
    return answers


# Repeated groups in form data ("items-0-label") ----------------------------------------
# A group's (or a Remove button's) number: ASCII digits only, and few of them. str.isdigit()
# accepts "²" and "①", which int() refuses, and int() refuses over 4,300 digits.
_INDEX = re.compile(r"[0-9]{1,4}", re.ASCII)


def group_index(text: str) -> int | None:
    """The number text gives a group or a button (remove-3), if it is a plain one."""
    return int(text) if _INDEX.fullmatch(text) else None


def well_numbered(formdata: MultiDict[str, str], names: Iterable[str]) -> MultiDict[str, str]:
    """The posted fields less those of a group (of these names) with no plain number: no
    browser sends them, and WTForms would read "items-²-amount" as group int("²")."""
    prefixes = tuple(names)
    kept = [(k, v) for k, v in formdata.items(multi=True) if not _odd_group_key(k, prefixes)]
    return MultiDict(kept)


def _odd_group_key(key: str, names: tuple[str, ...]) -> bool:
    group = next((name for name in names if key.startswith(name)), None)
    if group is None:
        return False
    sep, number = key[len(group) : len(group) + 1], key[len(group) + 1 :].split("-", 1)[0]
    return sep != "-" or group_index(number) is None


def groups(formdata: MultiDict[str, str], prefix: str) -> list[dict[str, str]]:
    """The repeated groups a page posted under prefix, in order, as field -> raw text."""
    pattern = _group_pattern(prefix)
    found: dict[int, dict[str, str]] = {}
    for key, value in formdata.items():
        if match := pattern.match(key):
            found.setdefault(int(match[1]), {})[match[2]] = value
    return [found[i] for i in sorted(found)]


def with_groups(
    formdata: MultiDict[str, str], prefix: str, new_groups: list[dict[str, str]]
) -> MultiDict[str, str]:
    """Form data with its groups under prefix replaced by these, numbered from 0."""
    pattern = _group_pattern(prefix)
    data: MultiDict[str, str] = MultiDict(
        [(k, v) for k, v in formdata.items(multi=True) if not pattern.match(k)]
    )
    for i, group in enumerate(new_groups):
        data.update(_prefixed(f"{prefix}-{i}-", group))
    return data


def _group_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}-({_INDEX.pattern})-(\w+)$", re.ASCII)


def _prefixed(prefix: str, values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    return ((prefix + k, str(v)) for k, v in values.items())


def field_names(form: Any) -> set[str]:
    """The names of every input a form declares, in its groups too (items-0-name)."""
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


def shown_date(iso: Any) -> str:
    """A date as review and confirmation show it, the GOV.UK way: '14 November 2026'."""
    try:
        day = dt.date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return f"{day.day} {day:%B %Y}"


def shown_time(moment: dt.datetime) -> str:
    """A time kept in UTC, the GOV.UK way: '6 December 2026 at 8:15am (UTC)'."""
    hour, half = moment.hour % 12 or 12, "am" if moment.hour < 12 else "pm"
    return f"{moment.day} {moment:%B %Y} at {hour}:{moment:%M}{half} (UTC)"


def _dates_of(form: type[Form]) -> frozenset[str]:
    """The names of a form's date fields."""
    fields = vars(form).items()
    return frozenset(
        name
        for name, field in fields
        if isinstance(field, UnboundField) and issubclass(field.field_class, WTFormsDateField)
    )


ITEM = "{item}"  # in an item field's message: the item it is about ("receipt 2")
# File checks speak of "the selected file": on an item, the file selected for that item.
SELECTED = ("The selected file", "The selected image")


def name_items(
    form: Any, sections: tuple[Section, ...], label_of: Callable[[Section, Form], str]
) -> None:
    """Name the item in the messages of every item field ("Enter the date of {item}" ->
    "Enter the date of receipt 2"), so no two lines of an error summary are the same."""
    by_name = {section.name: section for section in sections}
    for field in form:
        section = by_name.get(field.name)
        if not isinstance(field, FieldList) or section is None:
            continue
        collection = section.of if isinstance(section, PerItem) else section
        if not isinstance(collection, Collection):
            continue
        for number, entry in enumerate(field, start=1):
            label = label_of(section, entry.form)
            name = f"{collection.item_heading.lower()} {number}" + (f" ({label})" if label else "")
            for item_field in entry.form:
                if item_field.errors:
                    label = item_field.label.text
                    item_field.errors = [_named(m, name, label) for m in item_field.errors]


def _named(message: str, name: str, label: str) -> str:
    for selected in SELECTED:
        if message.startswith(selected):
            kind = selected.rsplit(" ", 1)[1]
            return f"The {kind} selected for {name}{message.removeprefix(selected)}"
    if ITEM in message:
        return message.replace(ITEM, name)
    if message.startswith(f"{label} "):  # the engine's own: a length, a date, a character
        # as a flow's own messages say it: "The date of receipt 2 must be a real date"
        return f"The {label[:1].lower()}{label[1:]} of {name}{message.removeprefix(label)}"
    return f"{message} ({name})"  # a flow's message that forgot {item}


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
        elif isinstance(field, Field) and field.errors:
            yield field.id, field.errors[0]

"""Form fields for every flow: WTForms' own, rendering the same HTML faster, and the field
shapes flows share (a stripped, length-limited text; a select of listed options only)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache
from typing import Any

import wtforms
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Regexp,
    StopValidation,
)
from wtforms.widgets.core import clean_key

# Widgets -----------------------------------------------------------------------------------
# WTForms' own widgets, rendering the same HTML faster: its html_params formats every
# attribute through Markup.format, its inputs list dir(field.flags) and its select inspects
# a signature on every call; rendering was most of a step page's time.


def _html_params(**kwargs: Any) -> str:
    """wtforms.widgets.html_params, the same output, without Markup.format per attribute."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(clean_key(key))
        elif value is not False:
            params.append(f'{clean_key(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(params)


class _Input(widgets.Input):
    """widgets.Input.__call__, reading only the flags it may render."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("type", self.input_type)
        if "value" not in kwargs:
            kwargs["value"] = field._value()
        datalist = getattr(field, "_datalist", None)
        if datalist is not None and "list" not in kwargs:
            kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                value = flags[key]
                kwargs[key] = value() if callable(value) else value
        return Markup(f"<input {_html_params(name=field.name, **kwargs)}>")


class _TextInput(widgets.TextInput, _Input):
    pass


class _HiddenInput(widgets.HiddenInput, _Input):
    pass


class _DateInput(widgets.DateInput, _Input):
    pass


class _FileInput(widgets.FileInput, _Input):
    pass


class _CheckboxInput(widgets.CheckboxInput, _Input):
    pass


@cache
def _option(value: str, label: str, selected: bool) -> str:
    params = _html_params(value=value, selected=True) if selected else _html_params(value=value)
    return f"<option {params}>{escape(label)}</option>"


class _Select(widgets.Select):
    """widgets.Select for flat choices without render_kw; each option's HTML made once."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        if self.multiple or field.has_groups():
            return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
        options = []
        for choice in field._iter_choices_normalized():
            if choice.render_kw or not isinstance(choice.value, str):
                return super().__call__(field, **kwargs)  # type: ignore[no-any-return]
            options.append(_option(choice.value, choice.label or choice.value, choice.selected))
        kwargs.setdefault("id", field.id)
        flags = vars(field.flags)
        for key in self.validation_attrs:
            if key in flags and key not in kwargs:
                kwargs[key] = flags[key]
        params = _html_params(name=field.name, **kwargs)
        return Markup(f"<select {params}>{''.join(options)}</select>")


class StringField(wtforms.StringField):
    widget = _TextInput()


class HiddenField(wtforms.HiddenField):
    widget = _HiddenInput()


class DateField(wtforms.DateField):
    """A date input whose parse error speaks plainly, in its label's words."""

    widget = _DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError(f"{self.label.text} must be a real date, like 2026-11-02") from e


class FileField(wtforms.FileField):
    widget = _FileInput()


class BooleanField(wtforms.BooleanField):
    widget = _CheckboxInput()


class SelectField(wtforms.SelectField):
    widget = _Select()


class TextAreaField(wtforms.TextAreaField):
    pass


class RadioField(wtforms.RadioField):
    """Radios; templates render them (macros.html's radios), so no widget of WTForms'."""


# Text fields refuse control characters: they cannot be typed, only injected.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def strip(value: Any) -> Any:
    """A field filter: leading and trailing spaces never count."""
    return value.strip() if isinstance(value, str) else value


class RequiredWhen:
    """A validator: required (with this message) when another field of the form has this
    value (a phone number when Phone is the chosen way to reach you); else optional, and the
    checks after it run only on what was typed."""

    def __init__(self, other: str, value: str, message: str) -> None:
        self.other, self.value, self.message = other, value, message
        self.field_flags: dict[str, bool] = {}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data:
            return
        if form[self.other].data == self.value:
            raise StopValidation(self.message)
        raise StopValidation()  # empty and not needed: nothing more to check


def one_line_break(value: Any) -> Any:
    """A filter: a line break counts once, as a character count shows it (browsers send
    each as CR LF)."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def text(
    label: str,
    required: str | None,
    max_length: int,
    checks: tuple[Any, ...] = (),
    **kwargs: Any,
) -> StringField:
    """A stripped text field: required (with this message), optional, or required when
    (a RequiredWhen among checks, which goes first); length-limited; then the other checks."""
    checked = _text_checks(label, required, max_length, checks)
    return StringField(label, checked, filters=[strip], **kwargs)


def paragraph(label: str, required: str | None, max_length: int) -> TextAreaField:
    """text() on several lines (a textarea, with its line breaks counted once each)."""
    checks = _text_checks(label, required, max_length, ())
    return TextAreaField(label, checks, filters=[strip, one_line_break])


def _text_checks(
    label: str, required: str | None, max_length: int, checks: tuple[Any, ...]
) -> list[Any]:
    too_long = Length(max=max_length, message=f"{label} must be {max_length:,} characters or fewer")
    when = [c for c in checks if isinstance(c, RequiredWhen)]
    others = [c for c in checks if not isinstance(c, RequiredWhen)]
    # The engine's own messages begin with the label: on an item, the item is named after
    # it ("Description of receipt 2 must be ...", sections.name_items).
    no_control = Regexp(NO_CONTROL, message=f"{label} must not include special characters")
    own = [*when, too_long, no_control, *others]
    # No Optional() for optional fields: it would stop inline validate_<field> checks.
    return [DataRequired(required), *own] if required else own


def email_address(label: str, required: str, malformed: str, **render: str) -> StringField:
    """A required, stripped email address field (type="email"), with the flow's messages."""
    checks = [DataRequired(required), Email(malformed)]
    return StringField(label, checks, filters=[strip], render_kw={**render, "type": "email"})


def radios(label: str, options: tuple[str, ...], message: str) -> RadioField:
    """Radios for these options; only they are accepted, and one must be chosen."""
    return RadioField(
        label,
        choices=[SelectChoice(o) for o in options],
        validate_choice=False,
        validators=[InputRequired(message), AnyOf(options, message=message)],
    )


def select(label: str, options: tuple[str, ...], message: str) -> SelectField:
    """A select with an empty first choice; only the listed options are accepted."""
    choices = [SelectChoice("", f"Select {label.lower()}"), *(SelectChoice(o) for o in options)]
    return SelectField(
        label,
        choices=choices,
        validate_choice=False,
        validators=[DataRequired(message), AnyOf(options, message=message)],
    )


def days_ago(days: int) -> Callable[[], str]:
    """An example date (ISO, as a date input sends it), `days` before the day it is asked."""
    return lambda: (datetime.date.today() - datetime.timedelta(days=days)).isoformat()

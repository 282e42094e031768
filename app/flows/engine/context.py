"""What every template may use."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from jinja2.runtime import Macro

from ... import memory
from ...attachments.checks import human_size
from .registry import flows_of
from .sections import shown_time


def request_globals() -> dict[str, Any]:
    """What templates show about this browser's session (None: the session is unavailable)."""
    try:
        return {
            "memory_on": memory.memory_is_on(),
            "strategy": memory.strategy(),
            "flows": flows_of(current_app),
        }
    except (AssertionError, memory.StoreUnavailableError):
        # the error page for a failed store must still render
        return {
            "memory_on": None,
            "strategy": memory.default_place(),
            "flows": flows_of(current_app),
        }


# Their macros are globals, made once: each {% from ... import %} costs a template a
# module lookup on every render (about 12 µs; a page had seven).
MACRO_LIBRARIES = ("macros.html", "_links.html")  # a flow adds its own (Flow.macros)


def share_macros(app: Flask, *names: str) -> None:
    """Make every macro these templates define a global, in order: a template's module
    sees the globals of when it is made, so a library may use the ones before it."""
    for name in names:
        module = app.jinja_env.get_template(name).module
        macros = {k: v for k, v in vars(module).items() if isinstance(v, Macro)}
        app.jinja_env.globals.update(macros)


def template_helpers(app: Flask) -> dict[str, Any]:
    """Helpers for templates and their macros (display only, no logic)."""
    return {
        "input_attrs": input_attrs,
        "human_size": human_size,
        "in_words": in_words,
        "shown_time": shown_time,
        "strategies": app.extensions[memory.EXTENSION_KEY].places.labels(),
        "url_for": fixed_urls(app),
        "needs": needs,
        "needed_scripts": needed_scripts,
    }


# Scripts a page loads only when it has what they enhance (static/js/<name>.js), in the order
# they run; static/js/app.js, on every page, is not among them.
PAGE_SCRIPTS = ("files", "expiry", "count", "passed")


def needs(script: str) -> str:
    """A template's (or macro's) note that its page needs static/js/<script>.js; prints
    nothing. base.html loads each noted script once, at the end of the page: a step page
    carried every script of the app before, a third of its weight (bench weight)."""
    if script not in PAGE_SCRIPTS:
        raise ValueError(f"no page script {script!r}")
    g.setdefault("page_scripts", set()).add(script)
    return ""


def needed_scripts() -> list[str]:
    """The scripts this page's templates noted, in the order they run."""
    noted = g.get("page_scripts", set())
    return [script for script in PAGE_SCRIPTS if script in noted]


def fixed_urls(app: Flask) -> Any:
    """Flask's url_for for templates, each URL that names no draft (the stylesheet, the
    header's and footer's links: seven of a page's ten) built once per script root: url_for
    was 4% of a draft's time (a profile under `python -m bench http`'s load)."""
    built: dict[tuple[Any, ...], str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        fixed = (endpoint == "static" or not values) and not endpoint.startswith(".")
        if not fixed or any(k.startswith("_") for k in values) or not has_request_context():
            return app.url_for(endpoint, **values)
        key = (request.environ.get("SCRIPT_NAME", ""), endpoint, *sorted(values.items()))
        if key not in built:
            built[key] = app.url_for(endpoint, **values)
        return built[key]

    return url_for


def in_words(seconds: float) -> str:
    """120 -> '2 minutes', 60 -> '1 minute', 45 -> '45 seconds'."""
    amount, unit = (round(seconds / 60), "minute") if seconds >= 60 else (round(seconds), "second")
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def input_attrs(
    field: Any, hint: str | None, classes: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """HTML attributes of an input: its classes, and the GOV.UK error wiring."""
    described = ([f"{field.id}-hint"] if hint else []) + (
        [f"{field.id}-error"] if field.errors else []
    )
    # No maxlength (WTForms adds it from Length): a browser would cut a longer paste off
    # unseen; the server's message says so and keeps all of it (GOV.UK: do not use it).
    attrs = {"maxlength": False, **(extra or {})}
    attrs["class"] = classes + (" input-error" if field.errors else "")
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs

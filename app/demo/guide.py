"""Which kind of session memory fits you? Four questions, then a recommendation with reasons.

The questions are a plain GET form and the answer is rendered by the server, so the guide works
without JavaScript. `recommend` is a pure function of the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from .. import memory

bp = Blueprint("guide", __name__)

SERVER, COOKIE, FORM = "server", "cookie", "form"  # the places' names (app/memory/places.py)
# Ids of the common mistakes on /guide (anchors "mistake-<id>"), in the order shown there.
MISTAKES = {
    "too-much": "Storing too much",
    "never-expiring": "Never expiring",
    "database": "Treating session memory as the database",
}


@dataclass(frozen=True)
class Question:
    """One question of the guide: a radio group whose values the form sends as `name`."""

    name: str
    legend: str
    hint: str
    options: tuple[tuple[str, str], ...]  # (value, label)
    error: str

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)


QUESTIONS = (
    Question(
        "sensitive",
        "Does the session hold sensitive data, such as payments or personal data?",
        "For example card or bank details, a home address, or health information.",
        (("yes", "Yes"), ("no", "No")),
        "Select whether the session holds sensitive data",
    ),
    Question(
        "size",
        "How much data does one session hold at most?",
        "Count what is kept between pages, not uploaded files: memory can keep their ids.",
        (("small", "Under 1 KB"), ("medium", "From 1 KB up to 4 KB"), ("large", "More than 4 KB")),
        "Select how much data one session holds",
    ),
    Question(
        "servers",
        "Does the app run on several servers?",
        "Several app processes or machines behind a load balancer count as several.",
        (("one", "No, on one server"), ("several", "Yes, on several servers")),
        "Select whether the app runs on several servers",
    ),
    Question(
        "survive",
        "Must the session survive closing the tab?",
        "For example, someone closes the tab and comes back later to finish.",
        (("yes", "Yes"), ("no", "No, it may end with the tab")),
        "Select whether the session must survive closing the tab",
    ),
)


@dataclass(frozen=True)
class Answers:
    """What a person told the guide about their app."""

    sensitive: bool
    size: str  # "small" (under 1 KB), "medium" (1-4 KB) or "large" (over 4 KB)
    several_servers: bool
    survive_tab: bool

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Answers:
        """Answers from form values that are all valid (see `read_answers`)."""
        return cls(
            sensitive=values["sensitive"] == "yes",
            size=values["size"],
            several_servers=values["servers"] == "several",
            survive_tab=values["survive"] == "yes",
        )


@dataclass(frozen=True)
class Reading:
    """The form as sent: the valid choices to show again, errors, and the answers if complete."""

    chosen: dict[str, str]
    errors: list[tuple[str, str]]  # (field id, message), in the order of the questions
    answers: Answers | None


def read_answers(args: Mapping[str, str]) -> Reading:
    """Read the questions' values from a query; a missing or unknown value is an error."""
    chosen = {q.name: args[q.name] for q in QUESTIONS if args.get(q.name) in q.values}
    errors = [(q.name, q.error) for q in QUESTIONS if q.name not in chosen]
    return Reading(chosen, errors, None if errors else Answers.from_values(chosen))


@dataclass(frozen=True)
class Caveat:
    """Something to watch out for, and the common mistake on /guide it belongs to, if any."""

    text: str
    mistake: str | None = None


@dataclass(frozen=True)
class Alternative:
    """A strategy that was not recommended: whether it could work at all, and why not chosen."""

    strategy: str
    possible: bool
    why: str


@dataclass(frozen=True)
class Recommendation:
    """Where session memory should live, why, and what to watch out for."""

    strategy: str
    reasons: tuple[str, ...]
    warnings: tuple[Caveat, ...]
    alternatives: tuple[Alternative, ...]

    @property
    def ruled_out(self) -> frozenset[str]:
        return frozenset(a.strategy for a in self.alternatives if not a.possible)


READABLE = "signed is not encrypted"


def ruled_out(answers: Answers) -> dict[str, str]:
    """Why a strategy cannot serve these answers, for each strategy that cannot."""
    why: dict[str, list[str]] = {}
    if answers.sensitive:
        why.setdefault(COOKIE, []).append(
            f"sensitive data in a cookie can be read by anyone with the browser ({READABLE})"
        )
        why.setdefault(FORM, []).append(
            f"sensitive data in a hidden field can be read in the page's source ({READABLE})"
        )
    if answers.size == "large":
        why.setdefault(COOKIE, []).append("browsers keep at most about 4 KB in one cookie")
    if answers.survive_tab:
        why.setdefault(FORM, []).append("state carried in the page is lost when the tab closes")
    return {strategy: _sentence("; ".join(parts)) for strategy, parts in why.items()}


def preference(answers: Answers) -> tuple[str, str, str]:
    """The three strategies, best first, before ruling any out."""
    if answers.several_servers and answers.size != "large":
        # Several servers: a client-side strategy needs no shared store to run.
        return (COOKIE, FORM, SERVER) if answers.survive_tab else (FORM, COOKIE, SERVER)
    return (SERVER, COOKIE, FORM)


def recommend(answers: Answers) -> Recommendation:
    """Recommend where session memory should live for these answers."""
    excluded = ruled_out(answers)
    order = preference(answers)
    chosen = next(s for s in order if s not in excluded)  # server is never ruled out
    alternatives = tuple(
        Alternative(s, s not in excluded, excluded.get(s) or _not_chosen(s, chosen))
        for s in order
        if s != chosen
    )
    reasons = tuple(REASONS[chosen](answers))
    return Recommendation(chosen, reasons, _warnings(chosen, answers), alternatives)


def _server_reasons(answers: Answers) -> list[str]:
    reasons = []
    if answers.sensitive:
        reasons.append(
            "The data is sensitive: on the server it never leaves your machines, and the "
            "browser holds only a random id that means nothing by itself."
        )
    if answers.size == "large":
        reasons.append(
            "More than 4 KB fits on the server, where no browser limit applies, and pages stay "
            "light: each request carries only the id."
        )
    if answers.several_servers:
        reasons.append(
            "With several servers, every app process must reach the same memory: use one shared "
            "store such as Redis (SESSION_TYPE=redis), not a store per server."
        )
    else:
        reasons.append(
            "On one server, an embedded store next to the app (SQLite in instance/) is enough: "
            "there is no other service to run."
        )
    if answers.survive_tab:
        reasons.append(
            "It survives closing the tab: the browser keeps the cookie with the id, and the "
            "server keeps the memory until it expires."
        )
    return reasons


def _cookie_reasons(answers: Answers) -> list[str]:
    size = (
        "Under 1 KB fits easily in one cookie: browsers allow about 4 KB."
        if answers.size == "small"
        else "Up to 4 KB just fits in one cookie when it is compressed, as this app does."
    )
    reasons = [
        "Nothing of the draft is stored on the server: every app process reads it from the "
        "request, so several servers need no shared store.",
        size,
    ]
    if answers.survive_tab:
        reasons.append("It survives closing the tab: the browser keeps the cookie till it expires.")
    return reasons


def _form_reasons(answers: Answers) -> list[str]:
    reasons = [
        "Any app process can serve the next page: no shared store is needed.",
        "Each tab carries its own state, so two drafts in two tabs never mix.",
    ]
    if answers.size == "medium":
        reasons.append("There is no 4 KB cookie limit: the field grows with the data.")
    reasons.append("It ends with the tab, which you said is fine.")
    return reasons


REASONS = {SERVER: _server_reasons, COOKIE: _cookie_reasons, FORM: _form_reasons}


def _not_chosen(strategy: str, chosen: str) -> str:
    """Why a strategy that could work was not the first choice."""
    if strategy == SERVER:
        return "But it needs a store that every app process shares."
    if chosen == SERVER and strategy == COOKIE:
        return (
            "But all of the data would travel in the cookie with every request, both ways, and "
            "an old copy cannot be revoked."
        )
    if chosen == SERVER:  # the form
        return "But every form would carry the whole draft, and it would end with the tab."
    if strategy == COOKIE:
        return "But one cookie is shared by all tabs and limited to about 4 KB."
    return "But the state would end with the tab."


def _warnings(chosen: str, answers: Answers) -> tuple[Caveat, ...]:
    warnings = []
    if answers.size == "large":
        warnings.append(
            Caveat(
                "More than 4 KB often means storing too much: keep the ids of files and database "
                "rows, not copies of them.",
                "too-much",
            )
        )
    if chosen == COOKIE and answers.size == "medium":
        warnings.append(
            Caveat(
                "Close to the 4 KB limit: measure the compressed size, and refuse a write over "
                "the limit with a clear error rather than let the browser drop the cookie.",
                "too-much",
            )
        )
    warnings.extend(_lifetime_warnings(chosen, answers))
    return tuple(warnings)


def _lifetime_warnings(chosen: str, answers: Answers) -> list[Caveat]:
    warnings = []
    if answers.survive_tab:
        warnings.append(Caveat(SURVIVE_IS_NOT_FOREVER, "never-expiring"))
    elif answers.sensitive:
        warnings.append(Caveat(SENSITIVE_EXPIRES, "never-expiring"))
    elif chosen == SERVER:
        warnings.append(Caveat(ABANDONED_PILE_UP, "never-expiring"))
    if chosen != SERVER:  # one link to a common mistake is enough on one result
        warnings.append(Caveat(OLD_COPIES, None if warnings else "never-expiring"))
    return warnings


SURVIVE_IS_NOT_FOREVER = (
    "Surviving the tab is not living forever: give memory an idle timeout and an absolute "
    "lifetime, and delete it when it expires."
)
SENSITIVE_EXPIRES = (
    "Sensitive data should not outlive its use: expire it after a short idle time, and delete "
    "it as soon as the report is submitted."
)
ABANDONED_PILE_UP = (
    "The memory of abandoned drafts piles up on the server: give it an idle timeout, and "
    "delete it when it expires."
)
OLD_COPIES = (
    "Treat what comes back from the browser as input: the signature stops changes, but an old "
    "copy stays validly signed, so put an expiry time inside the signed value and validate "
    "everything again at submit."
)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def duration(seconds: float) -> str:
    """28800 -> '8 hours', 1800 -> '30 minutes', 90 -> '90 seconds'."""
    units = (("hour", 3600), ("minute", 60))
    whole = ((u, n) for u, n in units if seconds >= n and seconds % n == 0)
    unit, size = next(whole, ("second", 1))
    amount = round(seconds / size)
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def lifetimes() -> dict[str, str]:
    """This app's own limits, as the guide's common mistakes quote them."""
    config = current_app.config
    return {
        "budget": f"{config['WIZARD_MEMORY_BUDGET'] / 1024:g} KB",
        "idle": duration(config["WIZARD_IDLE_TIMEOUT"]),
        "absolute": duration(config["WIZARD_ABSOLUTE_LIFETIME"]),
        "warning": duration(config["WIZARD_EXPIRY_WARNING"]),
    }


@bp.get("/guide")
def guide() -> str:
    # The form was sent when any of its names is in the query; a bare /guide just asks.
    asked = "show" in request.args or any(q.name in request.args for q in QUESTIONS)
    reading = read_answers(request.args) if asked else Reading({}, [], None)
    return render_template(
        "demo/guide.html",
        questions=QUESTIONS,
        chosen=reading.chosen,
        errors=reading.errors,
        messages=dict(reading.errors),
        recommendation=recommend(reading.answers) if reading.answers else None,
        mistakes=MISTAKES,
        labels=memory.place_labels(),
        limits=lifetimes(),
    )

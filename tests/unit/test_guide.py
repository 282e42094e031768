"""The guide's recommendation (/guide, "Which kind of session memory fits you?"), case by case.

SPEC.md has no section of its own for the guide, so each expected answer is derived from what
SPEC.md and the README's comparison of the three places say about them, and written out here:

- the server keeps the memory and the browser holds only a random id (SPEC §1); with several
  app processes that needs one shared store, Redis with SESSION_TYPE=redis (SPEC §7); on one
  server an embedded store in instance/ is enough (SPEC §7);
- a cookie or a form field carries the data itself, signed, not encrypted, so sensitive data
  never goes there (README); a cookie holds about 4 KB at most; the form's state is lost when the
  tab closes, and each tab carries its own (README); neither needs a shared store for drafts;
- memory expires after an idle timeout and an absolute lifetime (SPEC §5), holds ids, not files
  (SPEC §6), and is a draft: the finished report goes to the database (SPEC §1);
- everything works without JavaScript (SPEC §3), so the guide does not ask about it.

Each case names the rule it pins and writes out the whole answer a person sees: the strategy,
every reason (one phrase per reason, in order), the other two strategies ("would work too" or
"ruled out", and why), and every warning with the common mistake it links to.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from app.demo.guide import Answers, Recommendation, duration, read_answers, recommend

# The three places, as the guide names them in its answer (strategy ids of the form's values).
SERVER, COOKIE, FORM = "server", "cookie", "form"
WOULD_WORK, RULED_OUT = "would work too", "ruled out"

# Phrases of the answer, each the fact a rule stands for.
READABLE = "(signed is not encrypted)"
COOKIE_LIMIT = "about 4 KB in one cookie"
TAB_CLOSES = "lost when the tab closes"
SURVIVES = "survives closing the tab"
SHARED_STORE = "a store that every app process shares"
TRAVELS = "would travel in the cookie with every request, both ways, and an old copy cannot be"
CARRIES = "every form would carry the whole draft, and it would end with the tab"
IDLE_AND_ABSOLUTE = "give memory an idle timeout and an absolute lifetime"
OLD_COPY = "an old copy stays validly signed"


@dataclass(frozen=True)
class Case:
    rule: str  # what the case pins, as its test id
    answers: str  # the form's values, as the query sends them
    strategy: str
    reasons: tuple[str, ...]  # one phrase per reason, in the order shown
    others: tuple[tuple[str, str, tuple[str, ...]], ...]  # (strategy, verdict, phrases of why)
    warnings: tuple[tuple[str | None, str], ...]  # (common mistake it links to, phrase)


CASES = [
    Case(
        "sensitive data stays on the server although several servers prefer the client",
        "sensitive=yes size=small servers=several survive=no",
        SERVER,
        ("never leaves your machines", "SESSION_TYPE=redis"),
        (
            (FORM, RULED_OUT, ("hidden field can be read in the page's source", READABLE)),
            (COOKIE, RULED_OUT, ("cookie can be read by anyone with the browser", READABLE)),
        ),
        (("never-expiring", "delete it as soon as the report is submitted"),),
    ),
    Case(
        "sensitive data that must survive the tab stays on the server",
        "sensitive=yes size=small servers=several survive=yes",
        SERVER,
        ("never leaves your machines", "SESSION_TYPE=redis", SURVIVES),
        (
            (COOKIE, RULED_OUT, ("cookie can be read by anyone with the browser", READABLE)),
            (FORM, RULED_OUT, ("page's source", f"{READABLE}; state carried in the page is lost")),
        ),
        (("never-expiring", IDLE_AND_ABSOLUTE),),
    ),
    Case(
        "sensitive data on one server uses the embedded store",
        "sensitive=yes size=medium servers=one survive=no",
        SERVER,
        ("never leaves your machines", "embedded store next to the app"),
        (
            (COOKIE, RULED_OUT, ("cookie can be read by anyone with the browser", READABLE)),
            (FORM, RULED_OUT, ("hidden field can be read in the page's source", READABLE)),
        ),
        (("never-expiring", "delete it as soon as the report is submitted"),),
    ),
    Case(
        "sensitive data over 4 KB that survives the tab: every reason against the client",
        "sensitive=yes size=large servers=one survive=yes",
        SERVER,
        (
            "never leaves your machines",
            "no browser limit applies",
            "embedded store next to the app",
            SURVIVES,
        ),
        (
            (COOKIE, RULED_OUT, (f"{READABLE}; browsers keep at most {COOKIE_LIMIT}",)),
            (FORM, RULED_OUT, ("page's source", f"{READABLE}; state carried in the page is lost")),
        ),
        (
            ("too-much", "keep the ids of files and database rows"),
            ("never-expiring", IDLE_AND_ABSOLUTE),
        ),
    ),
    Case(
        "over 4 KB on several servers goes to a shared store although the form could carry it",
        "sensitive=no size=large servers=several survive=no",
        SERVER,
        ("no browser limit applies", "SESSION_TYPE=redis"),
        (
            (COOKIE, RULED_OUT, (f"Browsers keep at most {COOKIE_LIMIT}.",)),
            (FORM, WOULD_WORK, (CARRIES,)),
        ),
        (
            ("too-much", "keep the ids of files and database rows"),
            ("never-expiring", "memory of abandoned drafts piles up on the server"),
        ),
    ),
    Case(
        "over 4 KB that must survive the tab rules out both the cookie and the form",
        "sensitive=no size=large servers=several survive=yes",
        SERVER,
        ("no browser limit applies", "SESSION_TYPE=redis", SURVIVES),
        (
            (COOKIE, RULED_OUT, (f"Browsers keep at most {COOKIE_LIMIT}.",)),
            (FORM, RULED_OUT, (f"State carried in the page is {TAB_CLOSES}.",)),
        ),
        (
            ("too-much", "keep the ids of files and database rows"),
            ("never-expiring", IDLE_AND_ABSOLUTE),
        ),
    ),
    Case(
        "one server: the embedded store, and both client-side places would work",
        "sensitive=no size=small servers=one survive=no",
        SERVER,
        ("embedded store next to the app (SQLite in instance/)",),
        ((COOKIE, WOULD_WORK, (TRAVELS,)), (FORM, WOULD_WORK, (CARRIES,))),
        (("never-expiring", "memory of abandoned drafts piles up on the server"),),
    ),
    Case(
        "one server and surviving the tab: the server, and the form ruled out",
        "sensitive=no size=medium servers=one survive=yes",
        SERVER,
        ("embedded store next to the app", SURVIVES),
        (
            (COOKIE, WOULD_WORK, (TRAVELS,)),
            (FORM, RULED_OUT, (f"State carried in the page is {TAB_CLOSES}.",)),
        ),
        (("never-expiring", IDLE_AND_ABSOLUTE),),
    ),
    Case(
        "several servers, under 1 KB, surviving the tab: a cookie",
        "sensitive=no size=small servers=several survive=yes",
        COOKIE,
        (
            "several servers need no shared store",
            "Under 1 KB fits easily in one cookie",
            "It survives closing the tab",
        ),
        (
            (FORM, RULED_OUT, (f"State carried in the page is {TAB_CLOSES}.",)),
            (SERVER, WOULD_WORK, (SHARED_STORE,)),
        ),
        (
            ("never-expiring", IDLE_AND_ABSOLUTE),
            (None, OLD_COPY),  # one link to a mistake is enough
        ),
    ),
    Case(
        "several servers, 1 to 4 KB, surviving the tab: a compressed cookie, measured",
        "sensitive=no size=medium servers=several survive=yes",
        COOKIE,
        (
            "several servers need no shared store",
            "Up to 4 KB just fits in one cookie when it is compressed",
            "It survives closing the tab",
        ),
        (
            (FORM, RULED_OUT, (f"State carried in the page is {TAB_CLOSES}.",)),
            (SERVER, WOULD_WORK, (SHARED_STORE,)),
        ),
        (
            ("too-much", "Close to the 4 KB limit: measure the compressed size"),
            ("never-expiring", IDLE_AND_ABSOLUTE),
            (None, OLD_COPY),  # one link to a mistake is enough
        ),
    ),
    Case(
        "several servers, under 1 KB, may end with the tab: the form, each tab its own",
        "sensitive=no size=small servers=several survive=no",
        FORM,
        (
            "Any app process can serve the next page",
            "two drafts in two tabs never mix",
            "It ends with the tab",
        ),
        (
            (COOKIE, WOULD_WORK, ("one cookie is shared by all tabs",)),
            (SERVER, WOULD_WORK, (SHARED_STORE,)),
        ),
        (("never-expiring", OLD_COPY),),
    ),
    Case(
        "several servers, 1 to 4 KB, may end with the tab: the form, with no cookie limit",
        "sensitive=no size=medium servers=several survive=no",
        FORM,
        (
            "Any app process can serve the next page",
            "two drafts in two tabs never mix",
            "There is no 4 KB cookie limit",
            "It ends with the tab",
        ),
        (
            (COOKIE, WOULD_WORK, ("one cookie is shared by all tabs",)),
            (SERVER, WOULD_WORK, (SHARED_STORE,)),
        ),
        (("never-expiring", OLD_COPY),),
    ),
]


def answers_of(query: str) -> Answers:
    """Answers from "name=value ..." as the guide's form sends them."""
    reading = read_answers(dict(pair.split("=") for pair in query.split()))
    assert reading.errors == [] and reading.answers is not None
    return reading.answers


def verdict(possible: bool) -> str:
    return WOULD_WORK if possible else RULED_OUT


@pytest.mark.parametrize("case", CASES, ids=[case.rule for case in CASES])
def test_the_recommendation_for(case: Case) -> None:
    advice: Recommendation = recommend(answers_of(case.answers))
    assert advice.strategy == case.strategy
    assert len(advice.reasons) == len(case.reasons), advice.reasons
    for reason, phrase in zip(advice.reasons, case.reasons, strict=True):
        assert phrase in reason
    others = [(a.strategy, verdict(a.possible), a.why) for a in advice.alternatives]
    assert [(s, v) for s, v, _ in others] == [(s, v) for s, v, _ in case.others]
    for (_, _, why), (_, _, phrases) in zip(others, case.others, strict=True):
        assert all(phrase in why for phrase in phrases), why
    assert [w.mistake for w in advice.warnings] == [m for m, _ in case.warnings]
    for warning, (_, phrase) in zip(advice.warnings, case.warnings, strict=True):
        assert phrase in warning.text


# The rules that rule a place out hold whatever else is answered: each test walks every
# combination of the other three answers (one item each, every assertion unconditional).
SIZES, SERVERS, YES_NO = ("small", "medium", "large"), ("one", "several"), ("yes", "no")


def test_sensitive_data_never_leaves_the_server_whatever_else_is_answered() -> None:
    for size, servers, survive in itertools.product(SIZES, SERVERS, YES_NO):
        query = f"sensitive=yes size={size} servers={servers} survive={survive}"
        advice = recommend(answers_of(query))
        assert (advice.strategy, advice.ruled_out) == (SERVER, {COOKIE, FORM}), query


def test_more_than_4_kb_never_goes_in_a_cookie_whatever_else_is_answered() -> None:
    for sensitive, servers, survive in itertools.product(YES_NO, SERVERS, YES_NO):
        query = f"sensitive={sensitive} size=large servers={servers} survive={survive}"
        advice = recommend(answers_of(query))
        assert COOKIE in advice.ruled_out, query
        assert advice.warnings[0].mistake == "too-much", query


def test_surviving_the_tab_never_goes_in_the_form_whatever_else_is_answered() -> None:
    for sensitive, size, servers in itertools.product(YES_NO, SIZES, SERVERS):
        query = f"sensitive={sensitive} size={size} servers={servers} survive=yes"
        advice = recommend(answers_of(query))
        assert FORM in advice.ruled_out, query
        assert any(IDLE_AND_ABSOLUTE in w.text for w in advice.warnings), query


COMPLETE = {
    "sensitive": "no",
    "size": "small",
    "servers": "one",
    "survive": "no",
}
EVERY_QUESTION = ["sensitive", "size", "servers", "survive"]


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        ({}, EVERY_QUESTION),
        ({"show": "yes"}, EVERY_QUESTION),
        ({**COMPLETE, "size": "huge"}, ["size"]),
        ({**COMPLETE, "sensitive": ""}, ["sensitive"]),
        ({**COMPLETE, "servers": "Several"}, ["servers"]),
        ({k: v for k, v in COMPLETE.items() if k != "survive"}, ["survive"]),
    ],
    ids=["nothing", "only-show", "unknown-size", "empty", "wrong-case", "one-missing"],
)
def test_missing_or_unknown_values_are_errors_and_the_rest_is_kept(
    args: dict[str, str], errors: list[str]
) -> None:
    reading = read_answers(args)
    assert [field for field, _ in reading.errors] == errors
    assert all(message.startswith("Select ") for _, message in reading.errors)
    assert reading.answers is None
    assert reading.chosen == {k: v for k, v in args.items() if k not in errors and k != "show"}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (8 * 3600, "8 hours"),  # SPEC §5: absolute lifetime
        (30 * 60, "30 minutes"),  # idle timeout
        (120, "2 minutes"),  # warning before expiry
        (3600, "1 hour"),
        (90, "90 seconds"),
    ],
)
def test_durations_in_words(seconds: int, words: str) -> None:
    assert duration(seconds) == words

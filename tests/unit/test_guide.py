"""The guide's recommendation for every combination of answers (issue 8, item 4)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from app.wizard.guide import (
    MISTAKES,
    QUESTIONS,
    Answers,
    Recommendation,
    duration,
    read_answers,
    recommend,
)

STRATEGIES = {"server", "cookie", "form"}

# Every combination of the values the form can send: 2 x 3 x 2 x 2 x 2 = 48.
COMBINATIONS = [
    dict(zip([q.name for q in QUESTIONS], values, strict=True))
    for values in itertools.product(*(q.values for q in QUESTIONS))
]
ALL_ANSWERS = [read_answers(values).answers for values in COMBINATIONS]


def ids(values: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in values.items())


@pytest.fixture(params=COMBINATIONS, ids=ids)
def answers(request: pytest.FixtureRequest) -> Answers:
    reading = read_answers(request.param)
    assert reading.errors == [] and reading.answers is not None
    return reading.answers


def test_every_combination_is_covered_once() -> None:
    assert len(COMBINATIONS) == 48
    assert len(set(ALL_ANSWERS)) == 48


def test_the_recommendation_is_well_formed(answers: Answers) -> None:
    advice = recommend(answers)
    assert advice.strategy in STRATEGIES
    assert advice.strategy not in advice.ruled_out
    assert {a.strategy for a in advice.alternatives} == STRATEGIES - {advice.strategy}
    assert advice.reasons and all(r.endswith(".") for r in advice.reasons)
    assert all(a.why.endswith(".") for a in advice.alternatives)
    assert all(w.mistake in (*MISTAKES, None) for w in advice.warnings)
    assert any(w.mistake == "database" for w in advice.warnings)  # always worth saying


def test_memory_on_the_server_is_never_ruled_out(answers: Answers) -> None:
    assert "server" not in recommend(answers).ruled_out


def test_sensitive_data_stays_on_the_server(answers: Answers) -> None:
    advice = recommend(answers)
    if answers.sensitive:
        # a signed cookie or form field is readable by the client: signed is not encrypted
        assert advice.strategy == "server"
        assert advice.ruled_out == {"cookie", "form"}
        assert all("signed is not encrypted" in a.why for a in advice.alternatives)
        assert any("sensitive" in r for r in advice.reasons)


def test_more_than_4_kb_never_goes_in_a_cookie(answers: Answers) -> None:
    advice = recommend(answers)
    if answers.size == "large":
        assert advice.strategy != "cookie"
        assert "cookie" in advice.ruled_out
        assert any(w.mistake == "too-much" for w in advice.warnings)


def test_several_servers_need_a_shared_store_or_none(answers: Answers) -> None:
    advice = recommend(answers)
    text = " ".join(advice.reasons)
    if answers.several_servers and advice.strategy == "server":
        assert "Redis" in text and "shared" in text
    elif answers.several_servers:
        assert advice.strategy in ("cookie", "form")
        assert "no shared store" in text
    else:
        assert "Redis" not in text


def test_surviving_the_tab_rules_out_the_form(answers: Answers) -> None:
    advice = recommend(answers)
    if answers.survive_tab:
        assert advice.strategy != "form"
        assert "form" in advice.ruled_out
        assert any(w.mistake == "never-expiring" for w in advice.warnings)


def test_javascript_excludes_nothing(answers: Answers) -> None:
    with_js = recommend(replace(answers, javascript=True))
    without_js = recommend(replace(answers, javascript=False))
    assert with_js.strategy == without_js.strategy
    assert with_js.ruled_out == without_js.ruled_out
    assert any("without JavaScript" in r for r in without_js.reasons)


def test_client_side_memory_warns_about_old_copies(answers: Answers) -> None:
    advice = recommend(answers)
    old_copies = any("old copy" in w.text for w in advice.warnings)
    assert old_copies == (advice.strategy != "server")


def test_every_strategy_is_recommended_for_some_answers() -> None:
    assert {recommend(a).strategy for a in ALL_ANSWERS if a} == STRATEGIES


def answers_of(sensitive: str, size: str, servers: str, survive: str, javascript: str) -> Answers:
    values = {
        "sensitive": sensitive,
        "size": size,
        "servers": servers,
        "survive": survive,
        "javascript": javascript,
    }
    reading = read_answers(values)
    assert reading.answers is not None
    return reading.answers


# (sensitive, size, servers, survive, javascript) -> strategy, words a reason must contain
TYPICAL = [
    (("yes", "small", "one", "no", "yes"), "server", "never leaves your machines"),
    (("yes", "large", "several", "yes", "no"), "server", "Redis"),
    (("no", "small", "one", "no", "yes"), "server", "embedded store"),
    (("no", "medium", "one", "yes", "no"), "server", "survives closing the tab"),
    (("no", "large", "several", "no", "yes"), "server", "no browser limit"),
    (("no", "small", "several", "yes", "yes"), "cookie", "no shared store"),
    (("no", "medium", "several", "yes", "no"), "cookie", "compressed"),
    (("no", "small", "several", "no", "no"), "form", "two tabs never mix"),
    (("no", "medium", "several", "no", "yes"), "form", "no 4 KB cookie limit"),
]


@pytest.mark.parametrize(("values", "strategy", "words"), TYPICAL, ids=str)
def test_typical_cases(values: tuple[str, ...], strategy: str, words: str) -> None:
    advice: Recommendation = recommend(answers_of(*values))
    assert advice.strategy == strategy
    assert any(words in reason for reason in advice.reasons), advice.reasons


def test_a_cookie_close_to_its_limit_is_measured() -> None:
    advice = recommend(answers_of("no", "medium", "several", "yes", "yes"))
    assert any("4 KB limit" in w.text and w.mistake == "too-much" for w in advice.warnings)


@pytest.mark.parametrize(
    ("args", "errors"),
    [
        ({}, ["sensitive", "size", "servers", "survive", "javascript"]),
        ({"show": "yes"}, ["sensitive", "size", "servers", "survive", "javascript"]),
        ({**COMBINATIONS[0], "size": "huge"}, ["size"]),
        ({**COMBINATIONS[0], "sensitive": ""}, ["sensitive"]),
        ({**COMBINATIONS[0], "servers": "Several"}, ["servers"]),
        ({k: v for k, v in COMBINATIONS[0].items() if k != "javascript"}, ["javascript"]),
    ],
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
    [(8 * 3600, "8 hours"), (30 * 60, "30 minutes"), (120, "2 minutes"), (90, "90 seconds")],
)
def test_durations_in_words(seconds: int, words: str) -> None:
    assert duration(seconds) == words

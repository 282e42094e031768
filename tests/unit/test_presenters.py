"""What the inspector and the comparison page say, for values a person would see."""

from __future__ import annotations

import pytest

from app.demo.compare import duration, verdict
from app.demo.inspector import ago, mask, preview


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ada Lovelace", "A•• L•••••••"),
        ("ada@example.com", "a••@e••••••.c••"),
        ("00123", "0••••"),
        ("Zoë Ñúñez", "Z•• Ñ••••"),
        ("", ""),
    ],
)
def test_masking_keeps_the_first_character_of_each_word(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_a_masked_preview_keeps_what_is_not_personal_readable() -> None:
    receipt = {"id": "r1", "date": "2026-11-20", "merchant": "Berlin Taxi", "amount_minor": 2340}
    assert preview([receipt], masked=True) == (
        '[{"id":"r1","date":"2026-11-20","merchant":"B••••• T•••","amount_minor":2340}]'
    )
    assert "Berlin Taxi" in preview([receipt], masked=False)


def test_a_long_value_is_cut_with_an_ellipsis() -> None:
    assert preview("x" * 1000, masked=False) == '"' + "x" * 158 + "…"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "just now"),
        (4.9, "just now"),
        (5, "5 seconds ago"),
        (61, "1 minute ago"),
        (7200, "2 hours ago"),
    ],
)
def test_how_long_ago(seconds: float, said: str) -> None:
    assert ago(seconds) == said


@pytest.mark.parametrize(
    ("seconds", "said"), [(38, "38 s"), (65, "1 min 5 s"), (600, "10 min 0 s")]
)
def test_durations(seconds: float, said: str) -> None:
    assert duration(seconds) == said


def test_the_verdict_names_the_repeats_and_the_time_lost() -> None:
    on = {"typed": 11, "typed_again": 0, "seconds": 60.0}
    off = {"typed": 26, "typed_again": 15, "seconds": 145.0}
    assert verdict(on, off) == (
        "With session memory off you typed 15 fields you had already given, and the report "
        "took 1 min 25 s longer. With memory on you typed nothing twice."
    )


def test_the_verdict_is_honest_when_memory_off_was_not_slower() -> None:
    on = {"typed": 11, "typed_again": 0, "seconds": 90.0}
    off = {"typed": 12, "typed_again": 1, "seconds": 80.0}
    said = verdict(on, off)
    assert "1 field you had already given; it was not slower this time" in said

"""The contradicting versions the judge's synthetic accounts are made of."""

from __future__ import annotations

import random

import pytest

from compare.training.perturbations import change_date, change_number, contradicting_versions, negate


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The protesting activists have blocked the Lachin road.", "The protesting activists have not blocked the Lachin road."),
    ("Azerbaijan has not blocked the road.", "Azerbaijan has blocked the road."),
    ("The road isn't open.", "The road is open."),
    ("A man is playing a guitar.", "A man is not playing a guitar."),
    ("Protesters blocked the road near the bridge.", "Protesters never blocked the road near the bridge."),
    ("The minister never said that.", "The minister said that."),
])
def test_negate_flips_the_polarity_of_the_first_clause(sentence, expected):
    assert negate(sentence) == expected


def test_negate_leaves_what_it_cannot_negate_alone():
    assert negate("He has a car.") is None  # possession: "has not a car" reads badly
    assert negate("Sunshine in the valley.") is None


def test_numbers_and_dates_change_to_a_clearly_different_value():
    rng = random.Random(0)
    for _ in range(20):
        changed = change_number("Police arrested 12 people in 2019.", rng)
        assert changed != "Police arrested 12 people in 2019."
        assert changed.startswith("Police arrested ") and changed.endswith(".")
    assert change_number("The toll rose to 1,200.", random.Random(1)).count(",") == 1
    assert change_number("No numbers here.", rng) is None
    moved = change_date("The bridge closed on Monday in March.", random.Random(2))
    assert moved != "The bridge closed on Monday in March." and "Monday" in moved  # the month changed first
    assert change_date("Nothing dated.", rng) is None


def test_contradicting_versions_name_their_kind():
    kinds = [k for k, _ in contradicting_versions("Police arrested 12 people on Monday.", random.Random(0))]
    assert kinds == ["negation", "number", "date"]

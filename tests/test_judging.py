"""The rule judge, rule by rule, on hand-built signals (thresholds read from the defaults)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from compare.judge import Judge, PairSignals, RuleJudge, Thresholds
from compare.judge.rules import DISCREPANCY_WEIGHT
from compare.records import Discrepancy, Passage

T = Thresholds()
JUDGE = RuleJudge()

LEFT = Passage(id="blue:3", source_id="blue", index=3, start=120, end=160, text="The van stopped at the line.")
RIGHT = Passage(id="red:6", source_id="red", index=6, start=200, end=221, text="The van did not stop.")


def disc(kind: str) -> Discrepancy:
    return Discrepancy(
        kind=kind, description=f"a {kind} difference", left="x", right="y",
        left_passage=LEFT.id, right_passage=RIGHT.id,
        left_start=120, left_end=121, right_start=200, right_end=201,
    )


def signals(similarity: float, *kinds: str, checks_ran: bool = True) -> PairSignals:
    return PairSignals(
        left=LEFT, right=RIGHT, similarity=similarity,
        left_vector=np.array([1.0, 0.0], dtype=np.float32),
        right_vector=np.array([similarity, np.sqrt(max(0.0, 1 - similarity**2))], dtype=np.float32),
        discrepancies=tuple(disc(k) for k in kinds), checks_ran=checks_ran,
    )


def swapped(s: PairSignals) -> PairSignals:
    flipped = tuple(
        replace(d, left=d.right, right=d.left, left_passage=d.right_passage, right_passage=d.left_passage,
                left_start=d.right_start, left_end=d.right_end, right_start=d.left_start, right_end=d.left_end)
        for d in s.discrepancies
    )
    return replace(s, left=s.right, right=s.left, left_vector=s.right_vector, right_vector=s.left_vector,
                   discrepancies=flipped)


ABOVE_AGREE = min(1.0, T.agree + 0.05)
BETWEEN = (T.evidence + T.agree) / 2
BELOW_EVIDENCE = T.evidence - 0.05


def test_the_rule_judge_is_a_judge():
    assert isinstance(JUDGE, Judge)
    assert JUDGE.name


@pytest.mark.parametrize("kind", ["polarity", "date", "quantity", "role"])
@pytest.mark.parametrize("similarity", [T.evidence, BETWEEN, ABOVE_AGREE])
def test_rule_1_a_hard_discrepancy_on_the_same_thing_diverges(kind, similarity):
    verdict = JUDGE.judge(signals(similarity, kind))
    assert verdict.label == "diverge"
    assert verdict.contradiction == pytest.approx(DISCREPANCY_WEIGHT[kind])
    assert kind in verdict.rationale


@pytest.mark.parametrize("kind", ["polarity", "date", "quantity", "role"])
def test_rule_1_does_not_count_discrepancies_between_unrelated_passages(kind):
    verdict = JUDGE.judge(signals(BELOW_EVIDENCE, kind))
    assert verdict.label == "related"
    assert verdict.contradiction == 0.0
    assert verdict.agreement == 0.0


def test_rule_2_naming_diverges_only_on_a_shared_claim():
    assert JUDGE.judge(signals(ABOVE_AGREE, "naming")).label == "diverge"
    assert JUDGE.judge(signals(T.agree, "naming")).label == "diverge"
    between = JUDGE.judge(signals(BETWEEN, "naming"))
    assert between.label == "related"
    assert between.contradiction == 0.0


def test_rule_3_agree_at_the_agree_threshold_related_below():
    assert JUDGE.judge(signals(T.agree)).label == "agree"
    assert JUDGE.judge(signals(ABOVE_AGREE)).label == "agree"
    assert JUDGE.judge(signals(BETWEEN)).label == "related"
    assert JUDGE.judge(signals(BELOW_EVIDENCE)).label == "related"


def test_the_strongest_discrepancy_sets_the_contradiction():
    verdict = JUDGE.judge(signals(ABOVE_AGREE, "naming", "quantity", "polarity"))
    assert verdict.label == "diverge"
    assert verdict.contradiction == pytest.approx(max(DISCREPANCY_WEIGHT.values()))
    assert verdict.rationale.startswith("naming, quantity, polarity discrepancy")


def test_scores():
    agree = JUDGE.judge(signals(1.0))
    assert agree.agreement == pytest.approx(1.0) and agree.contradiction == 0.0
    half = JUDGE.judge(signals(BETWEEN))
    assert half.agreement == pytest.approx(0.5, abs=1e-6)
    diverge = JUDGE.judge(signals(1.0, "date"))
    assert diverge.agreement == pytest.approx(1.0 - DISCREPANCY_WEIGHT["date"])
    for sim in (0.0, BELOW_EVIDENCE, BETWEEN, 1.0):
        for kinds in ((), ("naming",), ("polarity", "date")):
            v = JUDGE.judge(signals(sim, *kinds))
            assert 0.0 <= v.agreement <= 1.0 and 0.0 <= v.contradiction <= 1.0


@pytest.mark.parametrize("similarity", [0.2, BELOW_EVIDENCE, T.evidence, BETWEEN, T.agree, ABOVE_AGREE, 1.0])
@pytest.mark.parametrize("kinds", [(), ("polarity",), ("naming",), ("date", "quantity"), ("naming", "polarity")])
def test_swapping_the_sides_changes_nothing(similarity, kinds):
    s = signals(similarity, *kinds)
    assert JUDGE.judge(s) == JUDGE.judge(swapped(s))


def test_custom_thresholds_are_used():
    strict = RuleJudge(Thresholds(link=0.6, agree=0.95, evidence=0.8))
    assert strict.judge(signals(0.9)).label == "related"
    assert strict.judge(signals(0.7, "date")).label == "related"
    assert strict.judge(signals(0.85, "date")).label == "diverge"
    assert strict.judge(signals(0.96)).label == "agree"


def test_checks_not_run_does_not_change_the_rules():
    """A pair whose checks were skipped is judged on similarity alone (it has no discrepancies)."""
    assert JUDGE.judge(signals(ABOVE_AGREE, checks_ran=False)).label == "agree"
    assert JUDGE.judge(signals(BETWEEN, checks_ran=False)).label == "related"

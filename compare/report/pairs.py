"""Which pairs of sources a report writes, and the one rule that rebuilds the others from the cells.

A point's pair labels mostly follow from its cells: a pair with a silent side
is ``silent``, and on a claim the label of two speaking sources follows from
their two stances (:func:`stance_label`). With many sources those pairs are
nearly all of a report (in a 100 x 100 event, 700,000 of 720,000 pair entries),
so report-3 writes only the pairs that say something the cells do not, and
:func:`all_pairs` rebuilds the full list, exactly as report-2 wrote it. The
engine (:mod:`compare.claims`) words its pair labels with the functions here,
so the writer and the rebuilder cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compare.records import Label, PairLabel, Position


def stance_label(a: str, b: str) -> Label:
    """The label two stances give on their own: a report on either side ``related``, opposite sides ``diverge``,
    the same stance ``agree`` (two sources that both deny a claim agree)."""
    if "reports" in (a, b):
        return "related"
    return "diverge" if a != b else "agree"


def stance_sentence(a: str, stance_a: str, b: str, stance_b: str) -> str:
    """The first words of a claim pair's rationale: who takes which stance."""
    return f"{a} {stance_a} the claim, {b} {stance_b} it"


def stance_rationale(a: str, stance_a: str, b: str, stance_b: str) -> str:
    """The rationale of a pair whose label :func:`stance_label` gives, before the two readings."""
    sentence = stance_sentence(a, stance_a, b, stance_b)
    return f"{sentence}: a report takes no side" if stance_label(stance_a, stance_b) == "related" else sentence


def readings(a: str, reason_a: str, b: str, reason_b: str) -> str:
    """The end of a claim pair's rationale: each side's own reading (its cell's reason), so that it stands alone."""
    return f". {a}: {reason_a}. {b}: {reason_b}"


def is_implied(label: PairLabel, position_a: Position | None, position_b: Position | None, judge: str) -> bool:
    """Whether :func:`all_pairs` rebuilds this pair of two speaking sources exactly from their cells.

    It does when the label is the stances' own, the evidence holds nothing but the
    two cells' passages, their readings and the judge's name (no discrepancy, no
    judge scores, no skipped check), and the similarity (written in the point's
    ``similarities``). Anything else, a value that differs or a note from a
    check, keeps the pair in the report.
    """
    if position_a is None or position_b is None:
        return False
    ev = label.evidence
    return (
        label.label == stance_label(position_a.stance, position_b.stance)
        and not ev.discrepancies and not ev.checks_skipped and not ev.silent
        and ev.agreement is None and ev.contradiction is None and ev.probabilities is None
        and ev.judge == judge
        and ev.best_pair == (position_a.passage, position_b.passage)
        and ev.rationale == stance_rationale(label.a, position_a.stance, label.b, position_b.stance)
        + readings(label.a, position_a.reason, label.b, position_b.reason)
    )


def silent_pair(a: str, b: str, silent: str) -> dict[str, Any]:
    """A pair with one silent side, as report-2 wrote it (its evidence is only the silent source)."""
    return {"a": a, "b": b, "label": "silent", "divergence": [], "evidence": {"silent": [silent]}}


def _implied_pair(a: str, ca: Mapping[str, Any], b: str, cb: Mapping[str, Any], similarity: float | None,
                  judge: str) -> dict[str, Any]:
    return {
        "a": a,
        "b": b,
        "label": stance_label(ca["stance"], cb["stance"]),
        "divergence": [],
        "evidence": {
            "similarity": similarity,
            "best_pair": [ca["passage"], cb["passage"]],
            "agreement": None,
            "contradiction": None,
            "discrepancies": [],
            "rationale": stance_rationale(a, ca["stance"], b, cb["stance"]) + readings(a, ca["reason"], b, cb["reason"]),
            "judge": judge,
            "checks_skipped": [],
            "silent": [],
            "probabilities": None,
        },
    }


def all_pairs(point: Mapping[str, Any], judge: str) -> list[dict[str, Any]]:
    """Every pair of a report point with at least one speaker, in source order, as report-2 listed them.

    ``point`` is one of a report's ``points`` (a report-3 dict, or :func:`compare.report.to_dict`'s), and
    ``judge`` the report's ``judge``. The pairs the report lists are returned as they are; the others are
    rebuilt from the cells by the rule in docs/json-schema.md: a pair with one silent side is ``silent``;
    two speaking sources get :func:`stance_label` of their stances, with the point's ``similarities``.
    """
    order = list(point["cells"])  # the cells are in source order
    cells = point["cells"]
    listed = {(p["a"], p["b"]): p for p in point["pairs"]}
    similarities = iter(point["similarities"])
    speaks = [bool(cells[sid]["passages"]) for sid in order]
    out: list[dict[str, Any]] = []
    for i, a in enumerate(order):
        for j in range(i + 1, len(order)):
            b = order[j]
            if speaks[i] and speaks[j]:
                similarity = next(similarities)
                out.append(listed.get((a, b)) or listed.get((b, a))
                           or _implied_pair(a, cells[a], b, cells[b], similarity, judge))
            elif speaks[i] or speaks[j]:
                out.append(listed.get((a, b)) or listed.get((b, a)) or silent_pair(a, b, b if speaks[i] else a))
    return out


def speaking_pairs(members: Sequence[str], speaks: Sequence[bool]) -> list[tuple[str, str]]:
    """The pairs of speaking sources among ``members`` (in source order), ``a`` before ``b``: the order of a
    point's ``similarities`` and ``pairs``."""
    speaking = [sid for sid, s in zip(members, speaks) if s]
    return [(a, b) for i, a in enumerate(speaking) for b in speaking[i + 1:]]


__all__ = ["all_pairs", "is_implied", "readings", "silent_pair", "speaking_pairs", "stance_label", "stance_rationale",
           "stance_sentence"]

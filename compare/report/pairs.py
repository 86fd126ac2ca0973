"""Which pairs of sources a report writes, the one rule that rebuilds the others from the cells,
and the fields a report leaves out of its cells and pairs, with the functions that put them back.

A point's pair labels mostly follow from its cells: a pair with a silent side
is ``silent``, and on a claim the label of two speaking sources follows from
their two stances (:func:`~compare.records.stance_label`). With many sources
those pairs are nearly all of a report (in a 100 x 100 event, 1.4 million
pairs of speaking sources on 891 claims), so the engine does not even hold
them (:class:`~compare.records.Point`), report-5 writes only the pairs that
say something the cells do not, and :func:`all_pairs` rebuilds the full list.
The engine words its pair labels with the functions of :mod:`compare.records`
that this module uses, so the writer and the rebuilder cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compare.records import (PairLabel, Position, readings, silence_reason, stance_label, stance_rationale,
                             stance_sentence, values_rationale)

#: What each cell field holds when a report leaves it out (report-6 writes only the others; ``status``,
#: ``stance`` and, but for a silence that :func:`~compare.records.silence_reason` words, ``reason`` always).
CELL_DEFAULTS: dict[str, Any] = {"passage": None, "similarity": None, "nearest": None, "nearest_to": None,
                                 "placed": False, "passages": [], "values": {}}
#: The cell fields in the schema's order.
CELL_FIELDS = ("status", "stance", "passage", "reason", "similarity", "nearest", "nearest_to", "placed", "passages",
               "values")


def cell_dict(status: str, position: Position, passages: Sequence[str], read: float | None) -> dict[str, Any]:
    """One source's cell on one point as a report writes it: the fields that differ from :data:`CELL_DEFAULTS`,
    and the reason unless it is the silence that :func:`~compare.records.silence_reason` words (``read``: the
    report's read threshold; ``None``, a report without one, keeps every reason). :func:`full_cell` puts the
    rest back."""
    data: dict[str, Any] = {"status": status, "stance": position.stance}
    if position.passage is not None:
        data["passage"] = position.passage
    if read is None or not (position.stance == "silent" and position.reason == silence_reason(
            position.nearest, position.similarity, position.nearest_to, read)):
        data["reason"] = position.reason
    for key, value in (("similarity", position.similarity), ("nearest", position.nearest),
                       ("nearest_to", position.nearest_to), ("placed", position.placed)):
        if value != CELL_DEFAULTS[key]:
            data[key] = value
    if passages:
        data["passages"] = list(passages)
    return data


def full_cell(cell: Mapping[str, Any], read: float | None) -> dict[str, Any]:
    """A report cell with every field, in the schema's order: those the report left out put back
    (``read`` is the report's ``settings["read"]``, which words a silence's reason)."""
    out = {key: cell.get(key, CELL_DEFAULTS.get(key)) for key in CELL_FIELDS}
    if "reason" not in cell:
        if read is None:
            raise ValueError("a cell without its reason needs the report's read threshold (settings.read)")
        out["reason"] = silence_reason(out["nearest"], out["similarity"], out["nearest_to"], read)
    out["passages"] = list(out["passages"])
    out["values"] = dict(out["values"])
    return out


class Differences:
    """One point's differences, each written once, and where each cell's passage gives its values.

    With many sources, one count or date given two or three ways is thousands of pairs, each
    with a discrepancy that repeats the same two values and sentence; a report writes each
    difference once in the point's ``differences`` and each value's offsets once in its cell's
    ``values``, and a pair names its differences by their place in the list. :func:`listed_pair`
    rebuilds the discrepancies word for word.
    """

    def __init__(self) -> None:
        #: the point's ``differences``: {kind, description, left, right}, in the order first met
        self.rows: list[dict[str, Any]] = []
        self._index: dict[tuple[str, str, str, str], int] = {}
        #: each source's ``values``: {the words of a value: [start, end] in its source's text}
        self.values: dict[str, dict[str, list[int]]] = {}

    def written(self, pair: dict[str, Any], a: Position | None, b: Position | None) -> dict[str, Any]:
        """``pair`` as a report writes it (its evidence without defaults) with its discrepancies as places in
        :attr:`rows`, where every one of them is between the two cells' passages (``best_pair``, left out
        too) and each value has one place in its passage; else ``pair`` unchanged. Its rationale is left out
        when it is :func:`~compare.records.values_rationale`'s."""
        ev = pair["evidence"]
        found = ev.get("discrepancies")
        if not found or a is None or b is None or ev.get("best_pair") != [a.passage, b.passage]:
            return pair
        if any(d["left_passage"] != a.passage or d["right_passage"] != b.passage for d in found):
            return pair
        offsets = {pair["a"]: dict(self.values.get(pair["a"], {})), pair["b"]: dict(self.values.get(pair["b"], {}))}
        for d in found:
            for sid, side in ((pair["a"], "left"), (pair["b"], "right")):
                at = [d[f"{side}_start"], d[f"{side}_end"]]
                if offsets[sid].setdefault(d[side], at) != at:
                    return pair  # the same words at two places in one passage: written whole
        self.values.update(offsets)
        places = []
        for d in found:
            key = (d["kind"], d["description"], d["left"], d["right"])
            if key not in self._index:
                self._index[key] = len(self.rows)
                self.rows.append({"kind": d["kind"], "description": d["description"], "left": d["left"],
                                  "right": d["right"]})
            places.append(self._index[key])
        evidence = {k: v for k, v in ev.items() if k not in ("best_pair", "discrepancies", "rationale")}
        evidence["differences"] = places
        if ev.get("rationale", "") != values_rationale(pair["a"], a.stance, pair["b"], b.stance):
            evidence["rationale"] = ev.get("rationale", "")
        return {**pair, "evidence": evidence}


def _discrepancies_from(point: Mapping[str, Any], a: str, b: str, places: Sequence[int]) -> list[dict[str, Any]]:
    """The discrepancies that a pair names by their places in the point's ``differences`` (see :class:`Differences`)."""
    ca, cb = point["cells"][a], point["cells"][b]
    out = []
    for k in places:
        row = point["differences"][k]
        (ls, le), (rs, re_) = ca["values"][row["left"]], cb["values"][row["right"]]
        out.append({**row, "left_passage": ca["passage"], "right_passage": cb["passage"],
                    "left_start": ls, "left_end": le, "right_start": rs, "right_end": re_})
    return out


def is_implied(label: PairLabel, position_a: Position | None, position_b: Position | None, judge: str) -> bool:
    """Whether :func:`all_pairs` rebuilds this pair of two speaking sources exactly from their cells.

    It does when the label is the stances' own and the evidence holds nothing but
    the two cells' passages, the stances in words and the judge's name: no similarity, no
    discrepancy, no judge scores, no skipped check (what
    :meth:`Point.pair <compare.records.Point.pair>` makes for a pair it does not hold).
    Anything else, a value that differs or a note from a check, keeps the pair in the report.
    """
    if position_a is None or position_b is None:
        return False
    ev = label.evidence
    return (
        label.label == stance_label(position_a.stance, position_b.stance)
        and ev.similarity is None and not ev.discrepancies and not ev.checks_skipped and not ev.silent
        and ev.agreement is None and ev.contradiction is None and ev.probabilities is None
        and ev.judge == judge
        and ev.best_pair == (position_a.passage, position_b.passage)
        and ev.rationale == stance_rationale(label.a, position_a.stance, label.b, position_b.stance)
    )


def silent_pair(a: str, b: str, silent: str) -> dict[str, Any]:
    """A pair with one silent side, as report-2 wrote it (its evidence is only the silent source)."""
    return {"a": a, "b": b, "label": "silent", "divergence": [], "evidence": {"silent": [silent]}}


def evidence_defaults(judge: str) -> dict[str, Any]:
    """What each evidence field holds when a report leaves it out: report-5 writes only the fields of
    a pair's evidence that differ from these (``judge`` is the report's judge)."""
    return {
        "similarity": None,
        "best_pair": None,
        "agreement": None,
        "contradiction": None,
        "discrepancies": [],
        "rationale": "",
        "judge": judge,
        "checks_skipped": [],
        "silent": [],
        "probabilities": None,
    }


def full_evidence(evidence: Mapping[str, Any], judge: str) -> dict[str, Any]:
    """A written pair's evidence with the fields the report left out put back, in the schema's order."""
    return {key: evidence.get(key, default) for key, default in evidence_defaults(judge).items()}


def _implied_pair(a: str, ca: Mapping[str, Any], b: str, cb: Mapping[str, Any], judge: str) -> dict[str, Any]:
    evidence = {"best_pair": [ca["passage"], cb["passage"]],
                "rationale": stance_rationale(a, ca["stance"], b, cb["stance"])}
    return {"a": a, "b": b, "label": stance_label(ca["stance"], cb["stance"]), "divergence": [],
            "evidence": full_evidence(evidence, judge)}


def listed_pair(pair: Mapping[str, Any], judge: str, point: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A pair the report lists, with its evidence whole (a silent pair's is just its silent source).

    ``point`` is the report point the pair is listed on: a pair that names its discrepancies by
    their places in the point's ``differences`` needs it to put them back.
    """
    evidence = pair["evidence"]
    if pair["label"] == "silent" and set(evidence) == {"silent"}:
        return dict(pair)
    if "differences" in evidence:
        if point is None:
            raise ValueError("a pair that names the point's differences needs its point to be read")
        a, b = pair["a"], pair["b"]
        ca, cb = point["cells"][a], point["cells"][b]
        evidence = {k: v for k, v in evidence.items() if k != "differences"}
        evidence["best_pair"] = [ca["passage"], cb["passage"]]
        evidence["discrepancies"] = _discrepancies_from(point, a, b, pair["evidence"]["differences"])
        evidence.setdefault("rationale", values_rationale(a, ca["stance"], b, cb["stance"]))
    return {**pair, "evidence": full_evidence(evidence, judge)}


def all_pairs(point: Mapping[str, Any], judge: str) -> list[dict[str, Any]]:
    """Every pair of a report point with at least one speaker, in source order.

    ``point`` is one of a report's ``points`` (a report-5 dict, or :func:`compare.report.to_dict`'s), and
    ``judge`` the report's ``judge``. The pairs the report lists are returned with the evidence fields
    it left out put back (:func:`full_evidence`); the others are rebuilt from the cells by the rule in
    docs/json-schema.md: a pair with one silent side is ``silent``; two speaking sources get
    :func:`~compare.records.stance_label` of their stances.
    """
    order = list(point["cells"])  # the cells are in source order
    cells = point["cells"]
    listed = {(p["a"], p["b"]): p for p in point["pairs"]}
    speaks = [bool(cells[sid].get("passages")) for sid in order]  # a silent cell leaves out its empty list
    out: list[dict[str, Any]] = []
    for i, a in enumerate(order):
        for j in range(i + 1, len(order)):
            b = order[j]
            written = listed.get((a, b)) or listed.get((b, a))
            if written is not None and (speaks[i] or speaks[j]):
                out.append(listed_pair(written, judge, point))
            elif speaks[i] and speaks[j]:
                out.append(_implied_pair(a, cells[a], b, cells[b], judge))
            elif speaks[i] or speaks[j]:
                out.append(silent_pair(a, b, b if speaks[i] else a))
    return out


def speaking_pairs(members: Sequence[str], speaks: Sequence[bool]) -> list[tuple[str, str]]:
    """The pairs of speaking sources among ``members`` (in source order), ``a`` before ``b``."""
    speaking = [sid for sid, s in zip(members, speaks) if s]
    return [(a, b) for i, a in enumerate(speaking) for b in speaking[i + 1:]]


__all__ = ["CELL_DEFAULTS", "CELL_FIELDS", "Differences", "all_pairs", "cell_dict", "evidence_defaults", "full_cell", "full_evidence", "is_implied", "listed_pair", "readings", "silent_pair",
           "speaking_pairs", "stance_label", "stance_rationale", "stance_sentence"]

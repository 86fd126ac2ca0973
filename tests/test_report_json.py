"""The JSON report holds exactly to_dict, and to_dict exactly what a plain reimplementation (the oracle) gives."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace

import pytest

from compare import report
from compare.judge import RuleJudge
from compare.records import Comparison, Evidence, PairLabel, Point, Position
from compare.pipeline import compare_prepared


def test_a_large_report_writes_each_point_on_one_line(teaching_prepared):
    """The head is indented for reading; each point is one line (json's C encoder, and greppable)."""
    comparison = compare_prepared(teaching_prepared, judge=RuleJudge())
    assert report.json_style_for(comparison) == "readable"
    text = report.render(comparison, "json")
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1].startswith(' "schema": ') and lines[-1] == "}"
    point_lines = [line for line in lines if line.startswith('  {"id": ')]
    assert len(point_lines) == len(comparison.points) > 10
    assert json.loads(point_lines[0].rstrip(",")) == report.to_dict(comparison)["points"][0]


def test_compact_json_has_no_spaces_outside_strings_and_a_point_per_line(teaching_prepared):
    comparison = compare_prepared(teaching_prepared, judge=RuleJudge())
    compact = report.render(comparison, "json", "compact")
    readable = report.render(comparison, "json", "readable")
    assert json.loads(compact) == json.loads(readable) and len(compact) < len(readable)
    lines = compact.splitlines()
    assert lines[0].startswith('{"schema":"narrative-compare/') and lines[0].endswith('"points":[')
    point_lines = [line for line in lines if line.startswith('{"id":')]
    assert len(point_lines) == len(comparison.points) == len(lines) - 2
    # Outside strings there is no space and no indentation.
    assert not re.search(r'[,:\[{] ', re.sub(r'"(?:[^"\\]|\\.)*"', '""', compact))
    with pytest.raises(ValueError, match="JSON style"):
        report.render(comparison, "json", "pretty")


def test_a_large_event_gets_compact_json_by_default(teaching_prepared, monkeypatch):
    comparison = compare_prepared(teaching_prepared, judge=RuleJudge())
    cells = len(comparison.points) * len(comparison.sources)
    monkeypatch.setattr(report, "COMPACT_FROM_CELLS", cells)
    assert report.json_style_for(comparison) == "compact"
    assert report.render(comparison, "json").startswith('{"schema":')
    assert report.render(comparison, "json", "readable").startswith('{\n "schema": ')
    monkeypatch.setattr(report, "COMPACT_FROM_CELLS", cells + 1)
    assert report.render(comparison, "json").startswith('{\n "schema": ')


# --- the report ----------------------------------------------------------------


def old_to_dict(comparison: Comparison) -> dict:
    """to_dict written plainly: Point.all_pairs and dataclasses.asdict, positions read field by field (the oracle)."""
    order = comparison.source_ids
    event = comparison.event

    def pair_dict(lab: PairLabel) -> dict:
        if lab.label == "silent" and lab.evidence.silent:
            return {"a": lab.a, "b": lab.b, "label": "silent", "divergence": [],
                    "evidence": {"silent": list(lab.evidence.silent)}}
        ev = asdict(lab.evidence)
        ev["best_pair"] = list(lab.evidence.best_pair) if lab.evidence.best_pair else None
        ev["discrepancies"] = list(ev["discrepancies"])
        ev["silent"] = list(lab.evidence.silent)
        ev["checks_skipped"] = list(lab.evidence.checks_skipped)
        return {"a": lab.a, "b": lab.b, "label": lab.label, "divergence": list(lab.divergence_kinds), "evidence": ev}

    ps = comparison.passages

    def stance(point: Point, sid: str) -> str:
        return point.positions[sid].stance if sid in point.positions else ("reports" if point.passages[sid] else "silent")

    def cell_dict(point: Point, sid: str, status: str) -> dict:
        pos = point.positions.get(sid) or Position(stance(point, sid))
        return {
            "status": status, "stance": pos.stance, "passage": pos.passage, "reason": pos.reason,
            "similarity": pos.similarity, "nearest": pos.nearest, "nearest_to": pos.nearest_to, "placed": pos.placed,
            "passages": list(point.passages[sid]),
        }

    def point_dict(point: Point) -> dict:
        cells = point.cells()
        claim = ps[point.claim] if point.claim else None
        return {
            "id": point.id, "summary": point.summary,
            "claim": {"passage": claim.id, "source": claim.source_id, "text": claim.text} if claim else None,
            "contestedness": round(point.contestedness, 4),
            "cells": {sid: cell_dict(point, sid, cells[sid]) for sid in order},
            "pairs": [pair_dict(lab) for lab in point.all_pairs(order)],
        }

    # Disputes: points with a diverging pair; most sources taking a side first, then the most contested.
    contested = [(k, p) for k, p in enumerate(comparison.points) if any(x.label == "diverge" for x in p.all_pairs(order))]
    contested.sort(key=lambda kp: (-sum(stance(kp[1], s) in ("affirms", "denies") for s in kp[1].passages),
                                   -round(kp[1].contestedness, 6), kp[0]))
    sole: dict[str, list[str]] = {sid: [] for sid in order}
    stances = dict.fromkeys(("affirms", "denies", "reports", "silent"), 0)
    for p in comparison.points:
        speaking = [sid for sid in p.passages if stance(p, sid) != "silent"]
        if len(speaking) == 1:
            sole[speaking[0]].append(p.id)
        for sid in p.passages:
            stances[stance(p, sid)] += 1

    return {
        "schema": report.SCHEMA,
        "tool": {"name": "narrative-compare", "version": comparison.version},
        "model": comparison.model, "judge": comparison.judge, "settings": comparison.settings,
        "notices": comparison.notices,
        "event": {"title": event.title, "date": event.date, "summary": event.summary, "path": event.path},
        "sources": [{k: getattr(s, k) for k in ("id", "party", "title", "speaker", "date", "url", "language",
                                                 "provenance", "path", "format", "text")} for s in comparison.sources],
        "passages": {pid: {"source": p.source_id, "start": p.start, "end": p.end, "text": p.text, "language": p.language,
                           "window": list(p.window) if p.window else None} for pid, p in ps.items()},
        "disputes": [p.id for _, p in contested],
        "sole_claims": sole,
        "points": [point_dict(p) for p in comparison.points],
        "framing": {sid: [asdict(t) for t in terms] for sid, terms in comparison.framing.items()},
        "names": report.naming_variants(comparison),
        "counts": {**comparison.label_counts(), "stances": stances},
        "timings": {k: round(v, 4) for k, v in comparison.timings.items()},
    }


def full_form(data: dict) -> dict:
    """A report dict with every pair rebuilt by report.all_pairs (every pair with its whole evidence, its
    discrepancies put back from the point's differences) and every cell by report.pairs.full_cell."""
    read = data["settings"]["read"]

    def cell(c: dict) -> dict:  # its values only say where the point's differences are: the pairs hold them
        return {k: v for k, v in report.pairs.full_cell(c, read).items() if k != "values"}

    points = [{**{k: v for k, v in p.items() if k != "differences"},
               "cells": {sid: cell(c) for sid, c in p["cells"].items()},
               "pairs": report.all_pairs(p, data["judge"])} for p in data["points"]]
    return {**data, "points": points}


def check_same(comparison: Comparison) -> None:
    """The report lists fewer pairs, and all_pairs rebuilds exactly what the full listing gave, in either JSON style."""
    expected = old_to_dict(comparison)
    data = report.to_dict(comparison)
    assert full_form(data) == expected
    for style in report.JSON_STYLES:
        assert json.loads(report.render(comparison, "json", style)) == data
    for point, full in zip(data["points"], expected["points"]):
        # Only pairs of two speaking sources that say more than their cells are written.
        assert all(p["label"] != "silent" or set(p["evidence"]) != {"silent"} for p in point["pairs"])
        # A written evidence leaves out every field at its default (the report's judge, nulls, empty lists).
        defaults = report.pairs.evidence_defaults(data["judge"])
        # (A pair that names the point's differences writes an empty rationale, since its default is the values'.)
        assert all(value != defaults.get(key) or (key == "rationale" and "differences" in p["evidence"])
                   for p in point["pairs"] for key, value in p["evidence"].items())
        # So does a written cell, and a silence below the read threshold leaves its reason to the rule.
        cell_defaults = report.pairs.CELL_DEFAULTS
        assert all(value != cell_defaults.get(key) for c in point["cells"].values() for key, value in c.items())
        assert all("reason" in c or (c["stance"] == "silent" and full["cells"][sid]["reason"].startswith(
            ("its passage nearest the point", "it has no passage"))) for sid, c in point["cells"].items())
        assert len(point["pairs"]) <= len(full["pairs"])


@pytest.mark.parametrize("judge", ["rules", "default"])
def test_teaching_report_is_unchanged(teaching_prepared, judge):
    check_same(compare_prepared(teaching_prepared, judge=RuleJudge() if judge == "rules" else None))


def test_lachin_report_is_unchanged(lachin_prepared):
    comparison = compare_prepared(lachin_prepared, judge=RuleJudge())
    check_same(comparison)
    # Most of its cells are silences below the read threshold, written without the reason that their
    # fields give (the nearest passage, its similarity, and the passage on the point it is nearest to).
    cells = [c for p in report.to_dict(comparison)["points"] for c in p["cells"].values()]
    unworded = [c for c in cells if "reason" not in c]
    assert len(unworded) > len(cells) / 2 and all({"nearest", "similarity", "nearest_to"} <= set(c) for c in unworded)


def test_a_difference_is_written_once_per_point_and_its_values_once_per_cell(teaching_prepared):
    """The van's and the car's accounts give other times and speeds: each difference is in the point's
    differences once, its values' offsets in the cells, and a pair names it by its place."""
    comparison = compare_prepared(teaching_prepared)
    data = report.to_dict(comparison)
    texts = {s["id"]: s["text"] for s in data["sources"]}
    named = [(p, pair) for p in data["points"] for pair in p["pairs"] if "differences" in pair["evidence"]]
    assert named
    for point, pair in named:
        assert "discrepancies" not in pair["evidence"] and "best_pair" not in pair["evidence"]
        for k in pair["evidence"]["differences"]:
            row = point["differences"][k]
            for sid, side in ((pair["a"], "left"), (pair["b"], "right")):
                start, end = point["cells"][sid]["values"][row[side]]
                assert texts[sid][start:end] == row[side]
        whole = report.pairs.listed_pair(pair, data["judge"], point)
        assert whole["evidence"]["best_pair"] == [point["cells"][pair["a"]]["passage"], point["cells"][pair["b"]]["passage"]]
        assert "different values for the same thing" in whole["evidence"]["rationale"] or pair["evidence"].get("rationale")
    for point in data["points"]:  # each difference once
        rows = [tuple(sorted(r.items())) for r in point["differences"]]
        assert len(rows) == len(set(rows))
    with pytest.raises(ValueError, match="needs its point"):
        report.pairs.listed_pair(named[0][1], data["judge"])


def test_odd_labels_are_written_as_before(teaching_prepared):
    """A judge's silent label on a speaking pair, a label on a pair with one silent
    side, probabilities, a point without positions, and an event without points."""
    comparison = compare_prepared(teaching_prepared, judge=RuleJudge())
    point = next(p for p in comparison.points if len(p.speakers) >= 3 and p.silent_sources)
    a, b, c = point.speakers[:3]
    lab = point.pair(a, b)
    point.pairs[(a, b)] = replace(lab, label="silent", evidence=replace(
        lab.evidence, probabilities={"agree": 0.1, "diverge": 0.2, "related": 0.3, "unrelated": 0.4}))
    # A speaking pair on a claim worded by another engine is written as it is.
    point.pairs[(a, c)] = replace(point.pair(a, c), evidence=Evidence(similarity=0.7, rationale="another engine's words"))
    quiet = point.silent_sources[0]
    point.pairs[(quiet, a)] = PairLabel(quiet, a, "related", Evidence(similarity=0.5, rationale="a judge's own"))
    older = comparison.points[-1]  # a point from an engine without claims: every speaking pair held, no positions
    older.pairs = {(x.a, x.b): x for x in older.all_pairs(comparison.source_ids)
                   if older.passages[x.a] and older.passages[x.b]}
    older.positions, older.claim = {}, None
    check_same(comparison)
    check_same(replace(comparison, points=[]))

"""Claims: each source's stance on a point's claim, from the passages behind it (compare.claims)."""

from __future__ import annotations

import pytest

from compare.pipeline import compare_event

UNION = """---
party: Bakers Union
---
Bakers at the Northfield plant stopped work on Monday morning over unpaid overtime.
The company owes our members six weeks of overtime pay.
"""
PAPER = """---
party: Northfield Gazette
---
Bakers at the Northfield plant reportedly stopped work on Monday morning over unpaid overtime.
The plant supplies bread to most shops in the county.
"""
COMPANY = """---
party: Northfield Bakeries
---
Every baker at the Northfield plant was at work as usual on Monday morning.
All overtime has been paid in full and on time.
"""


def test_a_source_that_passes_a_claim_on_reports_it(write_files, cache_dir):
    folder = write_files({"union.md": UNION, "paper.md": PAPER, "company.md": COMPANY})
    comparison = compare_event(folder, cache_dir=cache_dir, progress=False)
    party = {s.id: s.party for s in comparison.sources}
    [point] = [p for p in comparison.points
               if "stopped work" in comparison.passages[p.claim].text]  # type: ignore[index]
    stances = {party[sid]: pos for sid, pos in point.positions.items()}
    paper = stances["Northfield Gazette"]
    assert paper.stance == "reports"
    assert '"reportedly"' in paper.reason  # the evidence quotes the words that pass the claim on
    assert "reportedly" in comparison.passages[paper.passage].text  # type: ignore[index]
    # A report takes no side: against the union it is related, never agree or diverge.
    union = next(sid for sid, name in party.items() if name == "Bakers Union")
    gazette = next(sid for sid, name in party.items() if name == "Northfield Gazette")
    label = point.pair(union, gazette)
    assert label is not None and label.label == "related"
    assert "a report takes no side" in label.evidence.rationale


def test_a_report_and_a_stance_that_differ_in_a_value_are_related_and_nothing_more(write_files, cache_dir):
    # The paper passes the strike on with another day: the pair is related whatever the day, so it
    # is not held as a pair with evidence of its own (its cells say it all).
    paper = PAPER.replace("reportedly stopped work on Monday", "reportedly stopped work on Tuesday")
    folder = write_files({"union.md": UNION, "paper.md": paper, "company.md": COMPANY})
    comparison = compare_event(folder, cache_dir=cache_dir, progress=False)
    party = {s.party: s.id for s in comparison.sources}
    union, gazette = party["Bakers Union"], party["Northfield Gazette"]
    [point] = [p for p in comparison.points if p.positions[gazette].passage is not None
               and "Tuesday" in comparison.passages[p.positions[gazette].passage].text]  # type: ignore[index]
    assert point.positions[gazette].stance == "reports" and point.positions[union].stance != "silent"
    assert (union, gazette) not in point.pairs and (gazette, union) not in point.pairs
    label = point.pair(union, gazette)
    assert label is not None and label.label == "related" and not label.evidence.discrepancies
    assert "not counted" not in label.evidence.rationale


@pytest.mark.parametrize("block", [256, 2])  # the points' passages in one product, and in several
def test_the_silence_check_finds_each_sources_nearest_passage_as_one_source_at_a_time_would(block, monkeypatch):
    import numpy as np

    from compare.claims import _Reader
    from compare.records import Passage, Thresholds

    rng = np.random.default_rng(7)
    sizes = {"a": 3, "b": 1, "c": 5}
    documents = {sid: tuple(Passage(f"{sid}:{k}", sid, k, k * 10, k * 10 + 9, f"text {k}") for k in range(n))
                 for sid, n in sizes.items()}
    vectors = {p.id: v / np.linalg.norm(v) for ps in documents.values() for p in ps
               for v in [rng.normal(size=8).astype(np.float32)]}
    vectors["c:3"] = vectors["c:1"].copy()  # a line repeated word for word: the first one is named
    passages = {p.id: p for ps in documents.values() for p in ps}
    monkeypatch.setattr("compare.claims.BLOCK", block)
    reader = _Reader(passages, vectors, list(sizes), None, Thresholds(), {}, documents, None)  # type: ignore[arg-type]
    points = [["a:0"], ["a:1", "b:0"], ["c:1"], ["c:1", "c:3"]]
    for point_ids, (rows, near, best) in zip(points, reader.nearest(points), strict=True):
        point = np.stack([vectors[i] for i in point_ids])
        for sid, at in reader.block.items():
            sims = np.stack([vectors[p.id] for p in documents[sid]]) @ point.T
            row, col = np.unravel_index(int(np.argmax(np.round(sims, 6))), sims.shape)
            assert (rows[at], near[at]) == (row, col), (sid, point_ids)
            assert abs(best[at] - sims[row, col]) < 1e-6

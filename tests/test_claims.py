"""Claims: each source's stance on a point's claim, from the passages behind it (compare.claims)."""

from __future__ import annotations

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

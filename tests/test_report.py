"""End to end: `narrative-compare report` on the teaching event, in HTML, Markdown and JSON."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from itertools import combinations
from pathlib import Path

import pytest

import compare
from compare import report
from compare.cli import main
from compare.records import LABELS, STANCES, Thresholds
from compare.records import Discrepancy
from compare.report.contested import TAKING_SIDES, differing_values, group_sides, sides
from compare.pipeline import compare_prepared

from conftest import TEACHING

TOP_LEVEL = {"schema", "tool", "model", "judge", "settings", "event", "sources", "passages", "disputes", "sole_claims", "points",
             "framing", "names", "counts", "timings", "notices"}
CELL_STATUSES = {"agree", "diverge", "related", "silent", "sole"}
CELL_KEYS = {"status", "stance", "passage", "reason", "similarity", "nearest", "nearest_to", "placed", "passages",
             "values"}


def whole(data: dict) -> dict:
    """The report with every cell and listed pair whole: the fields it leaves out put back (report.pairs.full_cell),
    and each listed pair's discrepancies and evidence (report.pairs.listed_pair)."""
    read = data["settings"].get("read")  # a hand-made comparison may have none: its report keeps every reason
    return {**data, "points": [{**p, "cells": {sid: report.pairs.full_cell(c, read) for sid, c in p["cells"].items()},
                                "pairs": [report.pairs.listed_pair(x, data["judge"], p) for x in p["pairs"]]}
                               for p in data["points"]]}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, cache_dir) -> dict[str, Path]:
    """The teaching event's report in each format, written by the command."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {fmt: folder / f"teaching.{fmt}" for fmt in ("html", "md", "json")}
    for fmt, path in paths.items():
        assert main(["report", str(TEACHING), "--out", str(path), "--cache-dir", str(cache_dir)]) == 0
    return paths


@pytest.fixture(scope="module")
def data(reports) -> dict:
    return json.loads(reports["json"].read_text(encoding="utf-8"))


def test_json_has_the_documented_shape(data):
    assert set(data) == TOP_LEVEL
    assert data["schema"] == report.SCHEMA
    assert data["tool"] == {"name": "narrative-compare", "version": compare.__version__}
    assert data["model"] == "all-MiniLM-L6-v2"
    assert isinstance(data["judge"], str) and data["judge"]
    assert set(data["settings"]) == {f.name for f in fields(Thresholds)}  # link, agree, evidence, read
    assert data["event"]["title"] == "Collision between a blue van and a red car (teaching example)"
    assert data["event"]["date"] == "2026-03-14"
    assert {"passages", "embeddings", "alignment", "judging", "framing"} <= set(data["timings"])
    assert set(data["framing"]) == {s["id"] for s in data["sources"]}


def test_sources_carry_text_and_metadata(data):
    parties = [s["party"] for s in data["sources"]]
    assert parties == ["Cyclist witness", "Driver of the blue van", "Driver of the red car", "Pedestrian witness"]
    for s in data["sources"]:
        assert s["date"] == "2026-03-14" and s["language"] == "en" and s["provenance"] == "original"
        assert s["title"].startswith("Account of")
        assert s["format"] == "markdown" and s["path"].endswith(".md")
        body = Path(s["path"]).read_text(encoding="utf-8").split("---\n", 2)[2]
        assert s["text"] == body


def test_every_offset_indexes_the_source_text(data):
    # A cell writes its status and stance, and of the other fields those that differ from their default.
    for point in data["points"]:
        for cell in point["cells"].values():
            assert {"status", "stance"} <= set(cell) <= CELL_KEYS
            assert all(value != report.pairs.CELL_DEFAULTS.get(key) for key, value in cell.items())
    data = whole(data)
    text = {s["id"]: s["text"] for s in data["sources"]}
    for pid, p in data["passages"].items():
        assert set(p) == {"source", "start", "end", "text", "language", "window"}
        assert pid.startswith(p["source"]) and text[p["source"]][p["start"] : p["end"]] == p["text"]
    seen = set()
    for point in data["points"]:
        assert list(point["cells"]) == [s["id"] for s in data["sources"]]
        claim = point["claim"]
        assert text[claim["source"]].count(claim["text"]) and claim["passage"].startswith(claim["source"])
        assert point["cells"][claim["source"]]["stance"] == "affirms"
        for sid, cell in point["cells"].items():
            assert set(cell) == CELL_KEYS
            assert cell["status"] in CELL_STATUSES and cell["stance"] in STANCES
            assert (cell["status"] == "silent") == (cell["passages"] == []) == (cell["stance"] == "silent")
            assert cell["reason"] and isinstance(cell["placed"], bool)
            if cell["stance"] != "silent":
                assert cell["passage"] in cell["passages"] and cell["nearest"] is None
            for pid in cell["passages"]:  # ids of the report's passages, each of this source
                assert data["passages"][pid]["source"] == sid
                seen.add(pid)
        for pair in point["pairs"]:
            for d in pair["evidence"].get("discrepancies", []):
                assert text[pair["a"]][d["left_start"] : d["left_end"]] == d["left"]
                assert text[pair["b"]][d["right_start"] : d["right_end"]] == d["right"]
    # Each passage is on one point, and also on those the silence check placed it on.
    assert len(seen) == sum(len(c["passages"]) for p in data["points"] for c in p["cells"].values() if not c["placed"])


def test_every_pair_appears_unless_both_are_silent(data):
    ids = [s["id"] for s in data["sources"]]
    counts = dict.fromkeys(LABELS, 0)
    for point in data["points"]:
        speaking = {sid for sid, cell in point["cells"].items() if cell.get("passages")}
        every = report.all_pairs(point, data["judge"])  # the written pairs, and those the cells imply
        pairs = [(pair["a"], pair["b"]) for pair in every]
        expected = [(a, b) for a, b in combinations(ids, 2) if a in speaking or b in speaking]
        assert pairs == expected
        written = [(pair["a"], pair["b"]) for pair in point["pairs"]]
        assert set(written) <= set(combinations(sorted(speaking, key=ids.index), 2))
        for pair in every:
            assert pair["label"] in LABELS
            one_side_silent = len({pair["a"], pair["b"]} & speaking) == 1
            assert pair["label"] == "silent" or not one_side_silent
            ev = pair["evidence"]
            if one_side_silent:  # kept small: just the silent source
                assert ev == {"silent": [sid for sid in (pair["a"], pair["b"]) if sid not in speaking]}
                counts["silent"] += 1
                continue
            assert {"similarity", "agreement", "contradiction", "discrepancies", "rationale"} <= set(ev)
            # A label that follows from the stances carries no judge scores of its own (the positions do).
            assert all(ev[k] is None or 0.0 <= ev[k] <= 1.0 for k in ("agreement", "contradiction"))
            assert ev["rationale"]
            if pair["label"] == "diverge":
                assert pair["divergence"] == list(dict.fromkeys(d["kind"] for d in ev["discrepancies"]))
            counts[pair["label"]] += 1
    assert {**counts, "stances": data["counts"]["stances"]} == data["counts"]
    stances = dict.fromkeys(STANCES, 0)
    for point in data["points"]:
        for cell in point["cells"].values():
            stances[cell["stance"]] += 1
    assert data["counts"]["stances"] == stances


def test_the_checks_find_each_kind_of_discrepancy_in_the_teaching_event(data):
    data = whole(data)
    found = {
        d["kind"]
        for point in data["points"]
        for pair in point["pairs"]
        for d in pair["evidence"].get("discrepancies", [])
    }
    # A negation now shows as a source's stance (denies) more often than as a polarity check on a pair.
    assert {"quantity", "date", "naming"} <= found <= {"quantity", "date", "polarity", "naming", "role"}


def test_the_teaching_event_shows_each_kind_of_divergence(data):
    kinds = {
        kind
        for point in data["points"]
        for pair in point["pairs"]
        if pair["label"] == "diverge"
        for kind in pair["divergence"]
    }
    assert {"quantity", "date", "naming"} <= kinds
    # A contradiction: a polarity difference between two passages, or a source that denies a claim another affirms.
    assert "polarity" in kinds or any(
        {"affirms", "denies"} <= {c["stance"] for c in point["cells"].values()} for point in data["points"])
    named = {(n["name"], n["other_name"]) for n in data["names"]}
    assert ("Mill Street junction", "Mill Road crossing") in named or ("Mill Road crossing", "Mill Street junction") in named


def test_html_is_one_self_contained_page(reports, data):
    html = reports["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert not re.search(r"<link\b", html, re.I)
    assert "@import" not in html
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html, re.I)
    for s in data["sources"]:
        assert f'id="original-{s["id"]}"' in html
    for point in data["points"]:
        assert f'id="{point["id"]}"' in html
    assert "Mill Road crossing" in html


def test_markdown_report(reports, data):
    md = reports["md"].read_text(encoding="utf-8")
    assert md.startswith("# Collision between a blue van and a red car \\(teaching example\\)\n")
    headings = ["## Where they disagree", "## Claims by source", "## Said by one source only", "## Sources",
                "## Points", "## Framing: distinctive terms"]
    for heading in headings:
        assert f"\n{heading}\n" in md
    assert [md.index(f"\n{h}\n") for h in headings] == sorted(md.index(f"\n{h}\n") for h in headings)
    for point in data["points"]:
        assert f"\n### {point['id']}: " in md


# --- disputes, sides and silence ------------------------------------------


def _taking_sides(point: dict) -> int:
    return sum(c["stance"] in TAKING_SIDES for c in point["cells"].values())


def test_disputes_and_their_sides_follow_the_positions(teaching_prepared):
    """The disputes are exactly the points with a diverging pair, in order; each one's sides are its stances."""
    from compare.pipeline import compare_prepared

    comparison = compare_prepared(teaching_prepared)
    data = whole(report.to_dict(comparison))
    points = {p["id"]: p for p in data["points"]}
    contested = [p["id"] for p in data["points"]
                 if any(x["label"] == "diverge" for x in report.all_pairs(p, data["judge"]))]
    assert contested and sorted(data["disputes"]) == sorted(contested)
    keys = [(-_taking_sides(points[pid]), -points[pid]["contestedness"]) for pid in data["disputes"]]
    assert keys == sorted(keys)
    parties = {s["id"]: s["party"] for s in data["sources"]}
    records = {p.id: p for p in comparison.points}
    for pid in data["disputes"]:
        point = records[pid]
        for sid, cell in points[pid]["cells"].items():
            assert cell["stance"] == point.positions[sid].stance
            assert cell["passage"] == point.positions[sid].passage
        grouped = group_sides({sid: c["stance"] for sid, c in points[pid]["cells"].items()}, parties)
        assert grouped == sides(comparison, point)
        assert sum(len(v) for v in grouped.values()) == len(data["sources"])
        # A dispute has sources on opposite sides, or two giving different values for one thing.
        assert ("affirms" in grouped and "denies" in grouped) or any(
            x["evidence"].get("discrepancies") for x in points[pid]["pairs"] if x["label"] == "diverge")
    sole = [p["id"] for p in data["points"] if sum(c["stance"] != "silent" for c in p["cells"].values()) == 1]
    assert sorted(pid for pids in data["sole_claims"].values() for pid in pids) == sorted(sole)
    assert list(data["sole_claims"]) == [s["id"] for s in data["sources"]]
    for sid, pids in data["sole_claims"].items():
        assert all(points[pid]["cells"][sid]["stance"] != "silent" for pid in pids)


ROAD = {"am": "Armenia MFA", "az": "Azerbaijan MFA", "eu": "European Union", "ie": "Ireland"}


def _naming(left: str, right: str, left_passage: str, right_passage: str) -> Discrepancy:
    return Discrepancy("naming", f"different name for the same referent: {left!r} vs {right!r}", left, right,
                       left_passage, right_passage, 0, len(left), 0, len(right))


def test_values_that_differ_are_a_line_per_pair_of_values_not_per_pair_of_sources():
    """Three sources call the road a corridor (one with a capital C) against one that calls it a road: one line."""
    diverging = [("am", "az", _naming("Lachin Corridor", "Lachin road", "am:3", "az:4")),
                 ("az", "eu", _naming("Lachin road", "Lachin corridor", "az:4", "eu:1")),
                 ("az", "ie", _naming("Lachin road", "Lachin corridor", "az:9", "ie:0")),
                 ("az", "ie", _naming("Lachin road", "Lachin corridor", "az:12", "ie:2"))]
    [line] = differing_values(diverging, ROAD)
    corridor, road = line.sides
    assert line.kind == "naming" and not line.description
    assert corridor.value == "Lachin corridor"  # as most of its sources write it
    assert corridor.sources == (("am", "am:3"), ("eu", "eu:1"), ("ie", "ie:0"))  # by party; each source's first passage
    assert road.value == "Lachin road" and road.sources == (("az", "az:4"),)  # az:4 comes before az:12 in the text


def test_values_that_differ_do_not_depend_on_the_order_of_the_sources():
    dates = [("am", "ie", Discrepancy("date", "different date", "12 December", "3 December", "am:1", "ie:2", 0, 0, 0, 0)),
             ("eu", "ie", Discrepancy("date", "different date", "12 December", "3 December", "eu:5", "ie:2", 0, 0, 0, 0)),
             ("am", "az", _naming("Lachin Corridor", "Lachin road", "am:3", "az:4"))]
    swapped = [(b, a, Discrepancy(d.kind, d.description, d.right, d.left, d.right_passage, d.left_passage,
                                  d.right_start, d.right_end, d.left_start, d.left_end)) for a, b, d in reversed(dates)]
    renamed = {sid: party for sid, party in reversed(ROAD.items())}
    assert differing_values(dates, ROAD) == differing_values(swapped, renamed)
    first, second = differing_values(dates, ROAD)
    assert first.kind == "date" and [len(s.sources) for s in first.sides] == [2, 1]  # the line with most sources first
    assert second.kind == "naming"
    # the report's dicts read the same as the records
    as_dicts = [(a, b, {f: getattr(d, f) for f in ("kind", "description", "left", "right", "left_passage",
                                                   "right_passage")}) for a, b, d in dates]
    assert differing_values(as_dicts, ROAD) == differing_values(dates, ROAD)


def test_a_negation_of_the_same_words_keeps_its_own_line_with_the_checks_account():
    said = "negated on one side only: 'blocked' vs 'have not blocked'"
    diverging = [("am", "az", Discrepancy("polarity", said, "blocked", "blocked", "am:3", "az:5", 0, 0, 0, 0)),
                 ("az", "ie", Discrepancy("polarity", "negated on one side only: 'have not blocked' vs 'blocked'",
                                          "blocked", "blocked", "az:5", "ie:0", 0, 0, 0, 0))]
    lines = differing_values(diverging, ROAD)
    assert [ln.description for ln in lines] == [said, "negated on one side only: 'have not blocked' vs 'blocked'"]
    assert [[s.sources for s in ln.sides] for ln in lines] == [[(("am", "am:3"),), (("az", "az:5"),)],
                                                               [(("az", "az:5"),), (("ie", "ie:0"),)]]


def test_the_reports_show_each_difference_once_with_the_sources_on_each_side(reports, data):
    """The teaching event: the Markdown and the HTML list the values that differ as the grouping gives them."""
    parties = {s["id"]: s["party"] for s in data["sources"]}
    points = {p["id"]: whole({**data, "points": [p]})["points"][0] for p in data["points"]}
    lines = {pid: differing_values(((x["a"], x["b"], d) for x in points[pid]["pairs"] if x["label"] == "diverge"
                                    for d in x["evidence"].get("discrepancies", ())), parties)
             for pid in data["disputes"]}
    assert any(len(s.sources) > 1 for ls in lines.values() for ln in ls for s in ln.sides)  # grouping shows here
    md = reports["md"].read_text(encoding="utf-8")
    html = reports["html"].read_text(encoding="utf-8")
    shown = md.count("\n- Values that differ (")
    assert shown == sum(len(ls) for ls in lines.values())
    for ls in lines.values():
        for ln in ls:
            if ln.description:
                continue
            first, second = ln.sides
            assert (f"\u201c{first.value}\u201d from " + ", ".join(f"{parties[sid]} ({pid})" for sid, pid in first.sources)
                    + f" vs \u201c{second.value}\u201d from ") in md
            assert all(f'<a href="#{pid}">{parties[sid]}</a>' in html for s in ln.sides for sid, pid in s.sources)


def test_reports_lead_with_the_disputes(reports, data):
    html = reports["html"].read_text(encoding="utf-8")
    order = [html.index(f'<h2 id="{h}">') for h in ("disputes", "matrix", "sole", "points", "framing", "originals")]
    assert order == sorted(order)
    assert html.index("<h2") == order[0]  # the first section of the page
    disputes = html[order[0] : order[1]]
    assert "Where they disagree" in disputes
    first = next(p for p in data["points"] if p["id"] == data["disputes"][0])
    assert disputes.index(f'id="dispute-{first["id"]}"') < min(
        disputes.index(f'id="dispute-{pid}"') for pid in data["disputes"][1:]) if len(data["disputes"]) > 1 else True
    parties = {s["id"]: s["party"] for s in data["sources"]}
    titles = {"affirms": "Affirm:", "denies": "Deny:", "reports": "Report without taking a side:", "silent": "Silent:"}
    section = disputes[disputes.index(f'id="dispute-{first["id"]}"'):]
    for stance, sids in group_sides({sid: c["stance"] for sid, c in first["cells"].items()}, parties).items():
        assert titles[stance] in section
    md = reports["md"].read_text(encoding="utf-8")
    assert md.index("\n## Where they disagree\n") < md.index("\n## Claims by source\n") < md.index("\n## Points\n")
    assert md.index("\n## ") == md.index("\n## Where they disagree\n")
    assert f"\n### {first['id']}: " in md[: md.index("\n## Claims by source\n")]


def test_a_silent_cell_names_its_nearest_passage_and_why(data):
    data = whole(data)
    text = {s["id"]: s["text"] for s in data["sources"]}
    silent = [(sid, c) for p in data["points"] for sid, c in p["cells"].items() if c["stance"] == "silent"]
    named = [(sid, c) for sid, c in silent if c["nearest"]]
    assert named
    for sid, cell in named:
        near = {"id": cell["nearest"], **data["passages"][cell["nearest"]]}
        assert near["source"] == sid and text[sid][near["start"] : near["end"]] == near["text"]
        assert cell["reason"] and cell["passages"] == [] and cell["passage"] is None
        assert cell["similarity"] is not None
        if "is below" in cell["reason"]:  # not read: the reason names the passage and the point's passage it is nearest
            assert near["id"] in cell["reason"] and f"similarity {cell['similarity']:.2f} to {cell['nearest_to']})" in cell["reason"]
            assert data["passages"][cell["nearest_to"]]["source"] != sid


def test_the_order_of_the_sources_changes_no_dispute_and_no_side(teaching_prepared):
    """Neutrality: sources given in another order give the same disputes, in the same order, with the same sides."""
    from dataclasses import replace

    from compare.judge import RuleJudge
    from compare.pipeline import compare_prepared

    event = teaching_prepared.event
    given = compare_prepared(replace(teaching_prepared, memo={}), judge=RuleJudge())
    turned = compare_prepared(replace(teaching_prepared, memo={}, event=replace(
        event, sources=tuple(reversed(event.sources)))), judge=RuleJudge())
    for other in (turned, replace(given, sources=list(reversed(given.sources)))):
        a, b = report.to_dict(given), report.to_dict(other)
        assert a["disputes"] and a["disputes"] == b["disputes"]
        assert {k: sorted(v) for k, v in a["sole_claims"].items()} == {k: sorted(v) for k, v in b["sole_claims"].items()}
        by_id = {p.id: p for p in other.points}
        for point in given.points:
            if point.id in a["disputes"]:
                assert sides(given, point) == sides(other, by_id[point.id])
        html = report.render(other, "html")
        assert [m for m in re.findall(r'id="dispute-([^"]+)"', html)] == a["disputes"]


def test_a_quote_in_the_disputes_is_escaped(teaching_prepared):
    from dataclasses import replace

    from compare.pipeline import compare_prepared

    comparison = compare_prepared(teaching_prepared)
    point = next(p for p in comparison.points if p.id == report.to_dict(comparison)["disputes"][0])
    hostile = "The van <script>alert(1)</script> did <b onmouseover=x>not</b> stop"
    passages = dict(comparison.passages)
    for pid in {point.claim, *(pos.passage for pos in point.positions.values() if pos.passage)}:
        passages[pid] = replace(passages[pid], text=hostile)
    comparison = replace(comparison, passages=passages)
    html = report.render(comparison, "html")
    disputes = html[html.index('<h2 id="disputes">') : html.index('<h2 id="matrix">')]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in disputes and "&lt;b onmouseover=x&gt;" in disputes
    assert "<script" not in html.lower() and "<b onmouseover" not in html
    md = report.render(comparison, "md")
    section = md[md.index("\n## Where they disagree\n") : md.index("\n## Claims by source\n")]
    assert r"\<script\>alert\(1\)\</script\>" in section
    assert not re.search(r"(?<!\\)<(?:script|b )", md)


# --- escaping -------------------------------------------------------------

HOSTILE = {
    "mallory.md": (
        "---\n"
        'party: Mallory "<img src=x onerror=alert(2)>"\n'
        "url: https://example.org/statement\n"
        "---\n\n"
        "The van stopped at the line <script>alert(1)</script> before it pulled out.\n\n"
        "The driver was <b onmouseover=x>very</b> careful at the junction that day.\n"
    ),
    "trent.md": "---\nparty: Trent\n---\n\nThe van did not stop at the line before it pulled out.\n",
}


@pytest.fixture
def hostile(write_files, cache_dir, tmp_path):
    folder = write_files(HOSTILE)

    def render(fmt: str) -> str:
        out = tmp_path / f"hostile.{fmt}"
        assert main(["report", str(folder), "--out", str(out), "--cache-dir", str(cache_dir)]) == 0
        return out.read_text(encoding="utf-8")

    return render


def test_html_escapes_document_text(hostile):
    html = hostile("html")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=x&gt;very&lt;/b&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "https://example.org/statement" in html  # shown as text ...
    assert not re.search(r"""href\s*=\s*["']?https?:""", html)  # ... never as a link


def test_markdown_escapes_document_text(hostile):
    md = hostile("md")
    assert not re.search(r"(?<!\\)<(?:script|b |/b|img)", md)  # no unescaped tag anywhere
    assert r"\<script\>alert\(1\)\</script\>" in md
    assert r"\<b onmouseover=x\>very\</b\>" in md
    assert r"\<img src=x onerror=alert\(2\)\>" in md


def test_escape_markdown_keeps_text_on_one_line():
    assert report.escape_markdown("a | b\n\n# not a heading *x* [y](z)") == (
        r"a \| b \# not a heading \*x\* \[y\]\(z\)"
    )


# --- output ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "check"),
    [
        ("html", lambda t: t.startswith("<!DOCTYPE html>")),
        ("htm", lambda t: t.startswith("<!DOCTYPE html>")),
        ("md", lambda t: t.startswith("# ")),
        ("markdown", lambda t: t.startswith("# ")),
        ("json", lambda t: json.loads(t)["schema"] == report.SCHEMA),
        ("2022", lambda t: t.startswith("<!DOCTYPE html>")),  # no kind of file ("teaching.2022"): the default, html
    ],
)
def test_format_follows_the_out_suffix(run_cli, cache_dir, tmp_path, suffix, check):
    out = tmp_path / f"teaching.{suffix}"
    code, stdout, stderr = run_cli("report", TEACHING, "--out", out, "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert stdout == ""
    assert check(out.read_text(encoding="utf-8"))
    assert f"wrote {out}" in stderr


def test_format_option_beats_the_suffix(run_cli, cache_dir, tmp_path):
    out = tmp_path / "teaching.html"
    code, _, _ = run_cli("report", TEACHING, "--format", "json", "--out", out, "--cache-dir", cache_dir)
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == report.SCHEMA


def test_without_out_the_report_goes_to_stdout(run_cli, cache_dir, tmp_path):
    code, stdout, stderr = run_cli("report", TEACHING, "--cache-dir", cache_dir)
    assert code == 0
    assert stdout.startswith("<!DOCTYPE html>") and stdout.rstrip().endswith("</html>")
    assert "wrote" not in stderr and "4 sources" in stderr
    code, stdout, _ = run_cli("report", TEACHING, "--format", "json", "--cache-dir", cache_dir, "--timings")
    assert code == 0
    assert json.loads(stdout)["schema"] == report.SCHEMA
    assert list(tmp_path.iterdir()) == []


def test_out_into_a_missing_folder(run_cli, cache_dir, tmp_path):
    out = tmp_path / "missing" / "teaching.html"
    code, stdout, stderr = run_cli("report", TEACHING, "--out", out, "--cache-dir", cache_dir)
    assert code == 2 and stdout == ""
    assert stderr.splitlines() == [
        f"narrative-compare: error: {out}: cannot write the report: folder {str(out.parent)!r} does not exist"
    ]
    assert not out.parent.exists()


def test_out_naming_a_folder(run_cli, cache_dir, tmp_path):
    code, _, stderr = run_cli("report", TEACHING, "--out", tmp_path, "--cache-dir", cache_dir)
    assert code == 2
    assert len(stderr.splitlines()) == 1 and "is a folder" in stderr


# --- atomic writing -------------------------------------------------------


@pytest.fixture
def existing(tmp_path) -> Path:
    out = tmp_path / "teaching.html"
    out.write_text("the previous report\n", encoding="utf-8")
    return out


def test_a_render_failing_midway_leaves_the_old_report(monkeypatch, teaching_prepared, existing):
    comparison = compare_prepared(teaching_prepared)
    calls = {"n": 0}
    real = report._highlight

    def highlight_then_fail(passage, point):
        calls["n"] += 1
        if calls["n"] > 5:
            raise RuntimeError("template failed halfway")
        return real(passage, point)

    monkeypatch.setattr(report, "_highlight", highlight_then_fail)
    with pytest.raises(RuntimeError, match="halfway"):
        report.write_report(comparison, "html", existing)

    assert calls["n"] == 6  # it really failed in the middle of the page
    assert existing.read_text(encoding="utf-8") == "the previous report\n"
    assert list(existing.parent.iterdir()) == [existing]


def test_a_write_failing_midway_leaves_no_partial_file(monkeypatch, teaching_prepared, existing):
    comparison = compare_prepared(teaching_prepared)
    real_fdopen = report.os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(report.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(OSError, match="No space left"):
        report.write_report(comparison, "md", existing)

    assert existing.read_text(encoding="utf-8") == "the previous report\n"
    assert list(existing.parent.iterdir()) == [existing]
    # And a successful write replaces the old report whole.
    monkeypatch.undo()
    report.write_report(comparison, "md", existing)
    assert existing.read_text(encoding="utf-8") == report.render(comparison, "md")


def test_a_long_unpunctuated_source_is_read_in_windows_and_the_report_says_so(run_cli, write_files, cache_dir,
                                                                            tmp_path):
    from test_passages import TRANSCRIPT

    folder = write_files({
        "transcript.txt": TRANSCRIPT + "\n",
        "gate.md": "---\nparty: Gatekeeper\n---\nThe gate at Mill Street closed for good on Monday.\n",
    })
    out = tmp_path / "r.json"
    code, _, stderr = run_cli("report", folder, "--out", out, "--judge", "rules", "--cache-dir", cache_dir)
    assert code == 0, stderr
    data = whole(json.loads(out.read_text(encoding="utf-8")))
    texts = {s["id"]: s["text"] for s in data["sources"]}
    named = {pid for point in data["points"] for cell in point["cells"].values() for pid in cell["passages"]}
    windows = [p for pid, p in data["passages"].items() if p["window"] and pid in named]
    assert windows, "the transcript's passage was not cut"
    n = windows[0]["window"][1]
    assert n >= 3 and sorted(p["window"][0] for p in windows) == list(range(1, n + 1))
    assert all(texts["transcript"][p["start"] : p["end"]] == p["text"] for p in windows)
    assert any(p["text"].endswith("Mill Street closed for good") for p in windows)
    notice = (f"1 passage was longer than the embedding model reads (254 word pieces) and cut into {n} "
              "overlapping windows, so that every word is read (in transcript)")
    assert data["notices"] == [notice]
    assert f"narrative-compare: {notice}" in stderr.splitlines()
    md = tmp_path / "r.md"
    assert run_cli("report", folder, "--out", md, "--judge", "rules", "--cache-dir", cache_dir)[0] == 0
    assert f"Note: {report.escape_markdown(notice)}." in md.read_text(encoding="utf-8")
    html = tmp_path / "r.html"
    assert run_cli("report", folder, "--out", html, "--judge", "rules", "--cache-dir", cache_dir)[0] == 0
    page = html.read_text(encoding="utf-8")
    assert f"Note: {notice}." in page
    # the windows overlap, yet the original text shows each word once, linked to its windows
    original = re.sub(r"<[^>]+>", "", page.split('id="originals"')[1])
    assert original.count(" from the quarry before the gate at Mill Street closed for good") == 1
    assert original.count("and then the trucks came up the road from the quarry") == 54


def large_comparison(sources: int = 30, points: int = 400) -> compare.records.Comparison:
    """A made-up event of many sources and claims, built without the model: each claim's speakers affirm or deny it."""
    from compare.records import Comparison, Event, Passage, Point, Position, Source

    ids = [f"s{k:02d}" for k in range(sources)]
    texts = {sid: [] for sid in ids}
    passages: dict[str, Passage] = {}
    made = []
    for n in range(points):
        speakers = [sid for k, sid in enumerate(ids) if (n + k) % 7 < 3 or k == n % sources]
        by_source, positions = {}, {}
        for sid in ids:
            if sid in speakers:
                words = f"Claim {n}: the bridge had {n} arches." if (n + ids.index(sid)) % 5 else f"Claim {n} is false."
                start = sum(len(t) + 1 for t in texts[sid])
                pid = f"{sid}:{len(texts[sid])}"
                passages[pid] = Passage(pid, sid, len(texts[sid]), start, start + len(words), words)
                texts[sid].append(words)
                by_source[sid] = (pid,)
                positions[sid] = Position("denies" if "false" in words else "affirms", pid, 0.9, "read")
            else:
                by_source[sid] = ()
                positions[sid] = Position("silent", None, 0.2, "nothing near")
        # Every pair's label is the one the stances give, so the point holds none (as the engine makes it).
        made.append(Point(f"p{n}", f"claim {n}", by_source, {}, claim=by_source[speakers[0]][0], positions=positions,
                          judge="fake"))
    srcs = [Source(sid, f"Party {sid}", " ".join(texts[sid])) for sid in ids]
    return Comparison(Event(tuple(srcs), title="Large"), srcs, passages, made, {sid: [] for sid in ids}, "fake", "fake",
                      {}, "0")


def test_a_large_html_report_folds_long_lists_and_keeps_every_claim():
    from html.parser import HTMLParser

    comparison = large_comparison()
    html = report.render(comparison, "html")
    data = whole(report.to_dict(comparison))

    class Checker(HTMLParser):
        """Every opened element (but the void ones) is closed in order: the page parses as written."""

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in {"meta", "br", "link", "img", "input", "hr"}:
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack and self.stack.pop() == tag, f"</{tag}> does not close what is open"

        def handle_data(self, data):
            self.text.append(data)

    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [] and "<script" not in html
    text = "".join(checker.text)
    for point in data["points"]:
        assert point["claim"]["text"] in text and f'id="{point["id"]}"' in html
    # The claims-by-sources table shows the first rows and folds the rest; silent cells carry no reason.
    matrix = html[html.index('<h2 id="matrix">'):html.index('<h2 id="sole">')]
    shown, folded = matrix.split('<details class="more">')
    multi = [p for p in data["points"] if sum(bool(c["passages"]) for c in p["cells"].values()) > 1]
    assert shown.count("<tr><td class=\"summary\">") == report.SHOWN_ROWS < len(multi)
    assert folded.count("<tr><td class=\"summary\">") == len(multi) - report.SHOWN_ROWS
    assert "nothing near" not in matrix and '<td class="cell silent">' in matrix
    # The pairs that follow from the stances are counted, not listed.
    assert '<table class="pairs">' not in html and "pairs of speaking sources: agree" in html

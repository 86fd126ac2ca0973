"""End to end: `narrative-compare report` on the teaching event, in HTML, Markdown and JSON."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest

import compare
from compare import report
from compare.cli import main
from compare.records import LABELS
from compare.pipeline import compare_prepared

from conftest import TEACHING

TOP_LEVEL = {"schema", "tool", "model", "judge", "settings", "event", "sources", "points", "framing", "names",
             "counts", "timings"}
CELL_STATUSES = {"agree", "diverge", "related", "silent", "sole"}


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
    assert set(data["settings"]) == {"link", "agree", "evidence"}
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
    text = {s["id"]: s["text"] for s in data["sources"]}
    seen = set()
    for point in data["points"]:
        assert list(point["cells"]) == [s["id"] for s in data["sources"]]
        for sid, cell in point["cells"].items():
            assert cell["status"] in CELL_STATUSES
            assert (cell["status"] == "silent") == (cell["passages"] == [])
            for p in cell["passages"]:
                assert text[sid][p["start"] : p["end"]] == p["text"]
                seen.add(p["id"])
        for pair in point["pairs"]:
            for d in pair["evidence"].get("discrepancies", []):
                assert text[pair["a"]][d["left_start"] : d["left_end"]] == d["left"]
                assert text[pair["b"]][d["right_start"] : d["right_end"]] == d["right"]
    assert len(seen) == sum(len(c["passages"]) for p in data["points"] for c in p["cells"].values())


def test_every_pair_appears_unless_both_are_silent(data):
    ids = [s["id"] for s in data["sources"]]
    counts = dict.fromkeys(LABELS, 0)
    for point in data["points"]:
        speaking = {sid for sid, cell in point["cells"].items() if cell["passages"]}
        pairs = [(pair["a"], pair["b"]) for pair in point["pairs"]]
        expected = [(a, b) for a, b in combinations(ids, 2) if a in speaking or b in speaking]
        assert pairs == expected
        for pair in point["pairs"]:
            assert pair["label"] in LABELS
            one_side_silent = len({pair["a"], pair["b"]} & speaking) == 1
            assert pair["label"] == "silent" or not one_side_silent
            ev = pair["evidence"]
            if one_side_silent:  # kept small: just the silent source
                assert ev == {"silent": [sid for sid in (pair["a"], pair["b"]) if sid not in speaking]}
                counts["silent"] += 1
                continue
            assert {"similarity", "agreement", "contradiction", "discrepancies", "rationale"} <= set(ev)
            assert 0.0 <= ev["agreement"] <= 1.0 and 0.0 <= ev["contradiction"] <= 1.0
            assert ev["rationale"]
            if pair["label"] == "diverge":
                assert pair["divergence"] == list(dict.fromkeys(d["kind"] for d in ev["discrepancies"]))
            counts[pair["label"]] += 1
    assert counts == data["counts"]


def test_the_checks_find_each_kind_of_discrepancy_in_the_teaching_event(data):
    found = {
        d["kind"]
        for point in data["points"]
        for pair in point["pairs"]
        for d in pair["evidence"].get("discrepancies", [])
    }
    assert found == {"quantity", "date", "polarity", "naming"}


def test_the_teaching_event_shows_each_kind_of_divergence(data):
    kinds = {
        kind
        for point in data["points"]
        for pair in point["pairs"]
        if pair["label"] == "diverge"
        for kind in pair["divergence"]
    }
    assert {"quantity", "date", "polarity", "naming"} <= kinds
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
    for heading in ("## Sources", "## Coverage matrix", "## Points", "## Framing: distinctive terms"):
        assert f"\n{heading}\n" in md
    for point in data["points"]:
        assert f"\n### {point['id']}: " in md


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
        ("txt", lambda t: t.startswith("<!DOCTYPE html>")),  # unknown suffix: the default, html
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

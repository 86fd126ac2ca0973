"""compare.explore: the app's non-drawing logic (inputs, matrix, evidence, teaching, export)."""

from __future__ import annotations

import dataclasses

import html
import json
import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from compare import explore
from compare.errors import InputError
from compare.report.contested import differing_values
from compare.judge import RuleJudge, Thresholds
from compare.records import STANCES, PairLabel, Point
from compare.pipeline import compare_prepared

from conftest import CORPUS, TEACHING

NASTY = (
    "<script>alert('x')</script> **bold** [link](javascript:alert(1)) $x^2$ :red[red] "
    "# heading\n\n| a | b |\n\n<img src=x onerror=alert(1)> &amp; `code`"
)


@pytest.fixture(scope="module")
def teaching(teaching_prepared):
    """The teaching event under the rule judge, whose labels the answer key was written for."""
    return compare_prepared(teaching_prepared, Thresholds(), RuleJudge(Thresholds()))


@pytest.fixture(scope="module")
def nasty(embedder):
    """A two-source comparison whose texts and party names try to inject HTML and Markdown."""
    from compare.pipeline import prepare

    event = explore.event_from_inputs([
        explore.TextInput("Pasted text 1", party="<b>Evil</b> **party**",
                          text=NASTY + "\n\nThe van stopped at the red light on Mill Street."),
        explore.TextInput("Pasted text 2", party="Witness [x](javascript:1)",
                          text="The van did not stop at the red light on Mill Street.\n\n" + NASTY),
    ])
    return compare_prepared(prepare(event, embedder, progress=False), Thresholds())


def assert_inert(fragment: str) -> None:
    """No tag but our own, and no Markdown or directive syntax left in the text."""
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", fragment))
    assert tags <= {"div", "table", "thead", "tbody", "tr", "th", "td", "span", "mark", "br", "b", "p", "ul", "li"}, tags
    text = re.sub(r"<[^>]*>", "", fragment)
    for token in ("**", "](", "$", ":red[", "`", "# "):
        assert token not in text, token
    assert "onerror=" not in fragment


# --- escaping -------------------------------------------------------------


def test_esc_round_trips_and_leaves_no_markup() -> None:
    out = explore.esc(NASTY)
    assert html.unescape(out) == NASTY
    assert not re.search(r"[<>*\[\]$`#:|]", re.sub(r"&#\d+;", "", out))


def test_esc_md_escapes_markup_in_labels() -> None:
    assert explore.esc_md("**a** [b](c)") == r"\*\*a\*\* \[b\]\(c\)"
    assert "\n" not in explore.esc_md("a\n\nb")


def test_mark_spans_escapes_marks_merges_and_keeps_lines_on_one_line() -> None:
    text = "<b>one</b>\n\ntwo three"
    out = explore.mark_spans(text, [(12, 15), (13, 17), (100, 120)])
    assert out.count("<mark>") == 1 and "<mark>two t</mark>hree" in out
    assert "&#60;b&#62;one" in out and "\n" not in out and "<br><br>" in out
    assert explore.mark_spans("abc", []) == "abc"


# --- inputs ---------------------------------------------------------------


def test_pasted_text_becomes_a_source_with_party_and_date() -> None:
    source = explore.source_from_input(explore.TextInput("Pasted text 1", party="  Ann  B ", date="2024-05-01",
                                                         text="It rained all day."))
    assert (source.party, source.date, source.text, source.path) == ("Ann B", "2024-05-01", "It rained all day.", None)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (explore.TextInput("Pasted text 1", party="A", text="   \n"), "is empty"),
        (explore.TextInput("Pasted text 1", party="", text="Some words here."), "no party name"),
        (explore.TextInput("Pasted text 1", party="A", date="21/12/2022", text="Words."), "ISO 8601"),
        (explore.TextInput("statement.txt", data=b"\x00\x01\x02binary"), "binary file"),
        (explore.TextInput("statement.txt", data=b"caf\xe9"), "not valid UTF-8"),
        (explore.TextInput("statement.pdf", data=b"%PDF-1.4"), "not a text, Markdown or HTML file"),
        (explore.TextInput("empty.md", data=b"  \n"), "is empty"),
        (explore.TextInput("big.txt", data=b"a " * (explore.MAX_TEXT_BYTES // 2 + 1)),
         "over the limit of 1,000,000 bytes for a source: raise it with --max-source-bytes"),
        (explore.TextInput("Pasted text 2", party="A", text="é" * explore.MAX_TEXT_BYTES),
         "is 2,000,000 bytes, over the limit of 1,000,000 bytes for a source"),
    ],
)
def test_bad_inputs_give_clear_messages(item, message) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as err:
        explore.source_from_input(item)
    assert str(err.value).startswith(item.label)


def test_uploaded_markdown_keeps_front_matter_unless_party_is_given() -> None:
    data = b"---\nparty: Red car\nprovenance: original\n---\nThe light was green.\n"
    source = explore.source_from_input(explore.TextInput("red.md", data=data))
    assert (source.party, source.provenance, source.format) == ("Red car", "original", "markdown")
    renamed = explore.source_from_input(explore.TextInput("red.md", party="Driver", date="2026-03-14", data=data))
    assert (renamed.party, renamed.date) == ("Driver", "2026-03-14")
    plain = explore.source_from_input(explore.TextInput("cyclist.txt", data=b"I saw it."))
    assert plain.party == "cyclist"


def test_uploaded_html_is_extracted() -> None:
    page = (b"<html><head><title>Statement</title></head><body><nav>Home | About</nav><article>"
            + b"<p>The ministry said that the road was open to all traffic during the whole week.</p>" * 3
            + b"</article></body></html>")
    source = explore.source_from_input(explore.TextInput("ministry.html", party="Ministry", date="2022-12-21",
                                                         data=page))
    assert source.party == "Ministry" and source.date == "2022-12-21" and source.format == "html"
    assert "road was open" in source.text and "<p>" not in source.text


def test_event_from_inputs_needs_two_statements_and_skips_blank_entries() -> None:
    blank = explore.TextInput("Pasted text 2")
    one = explore.TextInput("Pasted text 1", party="A", text="It rained.")
    with pytest.raises(InputError, match="only one statement"):
        explore.event_from_inputs([one, blank])
    with pytest.raises(InputError, match="no statement"):
        explore.event_from_inputs([blank])
    with pytest.raises(InputError, match="two sources have the party"):
        explore.event_from_inputs([one, replace(one, label="Pasted text 2")])
    with pytest.raises(InputError, match=f"over the limit of {explore.MAX_SOURCES} sources: raise it with --max-sources"):
        explore.event_from_inputs([replace(one, party=f"P{i}") for i in range(explore.MAX_SOURCES + 1)])
    event = explore.event_from_inputs([one, blank, explore.TextInput("b.md", data=b"It was dry.")])
    assert [s.party for s in event.sources] == ["A", "b"] and event.title == "Your statements"


def test_event_key_depends_on_content_only() -> None:
    a = explore.TextInput("Pasted text 1", party="A", text="It rained.")
    b = explore.TextInput("Pasted text 2", party="B", text="It was dry.")
    key = explore.event_key(explore.event_from_inputs([a, b]))
    assert key == explore.event_key(explore.event_from_inputs([b, a]))
    assert key != explore.event_key(explore.event_from_inputs([a, replace(b, text="It was wet.")]))
    hash(key)


def test_corpus_events_lists_the_demo_events() -> None:
    names = {e.name: e for e in explore.corpus_events(CORPUS)}
    assert {"lachin-road-2022", "teaching-junction"} <= set(names)
    assert names["teaching-junction"].title.startswith("Collision")
    assert explore.corpus_events(CORPUS / "missing") == []


def test_thresholds_from_ignores_unknown_names() -> None:
    assert explore.thresholds_from({"agree": 0.9, "bogus": 1}) == Thresholds(agree=0.9)


def test_prepare_with_progress_reports_and_then_reads_the_cache(embedder, tmp_path) -> None:
    from compare.documents import load_event
    from compare.embeddings import Embedder

    fresh = Embedder(None, tmp_path)
    fresh._model = embedder.model  # share the loaded model, not the cache
    event = load_event([TEACHING])
    seen: list[tuple[str, float]] = []
    prepared = explore.prepare_with_progress(event, fresh, lambda m, f: seen.append((m, f)), batch=16)
    assert prepared.embedded == len(prepared.passages) and prepared.cached == 0
    assert seen[-1][1] == 1.0 and len(seen) >= 3 and "embeddings (new)" in prepared.timings
    again = explore.prepare_with_progress(event, fresh)
    assert again.embedded == 0 and again.cached == len(again.passages)
    assert (again.vectors == prepared.vectors).all()


def test_prepare_with_progress_embeds_the_windows_that_prepare_reads(embedder, tmp_path) -> None:
    """The app embeds before prepare, with progress: it must split as prepare does, windows and all."""
    from compare.embeddings import Embedder
    from test_passages import TRANSCRIPT

    fresh = Embedder(None, tmp_path)
    fresh._model = embedder.model
    event = explore.event_from_inputs([explore.TextInput("Pasted text 1", party="Transcript", text=TRANSCRIPT),
                                       explore.TextInput("Pasted text 2", party="Gate", text="The gate closed.")])
    prepared = explore.prepare_with_progress(event, fresh)
    assert any(p.window for p in prepared.passages) and prepared.notices
    assert prepared.embedded == len(prepared.passages) and fresh.stats["embedded"] == 0  # prepare embedded none


# --- overview -------------------------------------------------------------


def test_select_points_filters_by_status_and_source_and_sorts(teaching) -> None:
    every = explore.select_points(teaching)
    assert [p.id for p in every] == [p.id for p in teaching.points]
    diverging = explore.select_points(teaching, ["diverge"])
    assert diverging and all(any(p.cell(s) == "diverge" for s in teaching.source_ids) for p in diverging)
    cyclist = [s.id for s in teaching.sources if s.party == "Cyclist witness"]
    sole = explore.select_points(teaching, ["sole"], cyclist)
    assert sole and all(p.speakers == cyclist for p in sole)
    contested = explore.select_points(teaching, sort="contested")
    scores = [p.contestedness for p in contested]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    with pytest.raises(ValueError):
        explore.select_points(teaching, sort="alphabet")


def test_matrix_frame_counts_and_html(teaching) -> None:
    frame = explore.matrix_frame(teaching)
    parties = [s.party for s in teaching.sources]
    assert list(frame.columns) == ["summary", "contested", *parties]
    assert len(frame) == len(teaching.points)
    counts = explore.status_counts(teaching)
    assert (counts.sum(axis=1) == len(teaching.points)).all()
    assert explore.pair_label_counts(teaching, teaching.points) == teaching.label_counts()
    page = explore.matrix_html(teaching, teaching.points, selected=teaching.points[0].id)
    assert page.count('class="nc-cell') == len(teaching.points) * len(parties)
    assert "nc-selected" in page and 'id="nc-matrix"' in page
    assert "No point matches" in explore.matrix_html(teaching, [])
    legend = explore.legend_html()
    assert all(f"<b>{s}</b>" in legend for s in explore.STATUSES)
    # By default the matrix shows stances on the claims, the reason in each cell's tooltip.
    stances = explore.matrix_html(teaching, teaching.points)
    assert stances.count('class="nc-cell') == len(teaching.points) * len(parties)
    for st in ("affirms", "silent"):
        assert f"nc-cell nc-{st}" in stances
    assert "nc-agree" not in stances and "nc-agree" in explore.matrix_html(teaching, teaching.points, by="status")
    assert all(f"<b>{s}</b>" in explore.stance_legend_html() for s in STANCES)
    with pytest.raises(ValueError):
        explore.matrix_html(teaching, teaching.points, by="colour")


# --- disputes -------------------------------------------------------------


def test_disputes_come_in_the_reports_order_with_their_sides(teaching) -> None:
    from compare import report

    found = explore.dispute_points(teaching)
    assert found and [p.id for p in found] == report.to_dict(teaching)["disputes"]
    names = explore.parties(teaching)
    for point in found:
        page = html.unescape(explore.dispute_html(teaching, point))
        text, party = explore.claim_text(teaching, point)
        assert f"\u201c{text}\u201d" in page.replace("<br>", "\n") and party in page
        for sid, pos in point.positions.items():
            if pos.stance != "silent":  # each speaking source is quoted with the passage behind its stance
                assert f"<b>{names[sid]}</b>" in page and teaching.passages[pos.passage].text in page.replace("<br>", "\n")
        titles = [t for t in ("Affirm:", "Deny:", "Report without taking a side:", "Silent:") if t in page]
        assert titles == sorted(titles, key=page.index) and titles
        # the values that differ: a line per pair of values, each with the sources that give it
        lines = differing_values(((lab.a, lab.b, d) for lab in point.all_pairs(teaching.source_ids)
                                  if lab.label == "diverge" for d in lab.evidence.discrepancies), names)
        assert page.count("</li>") >= len(lines)
        for line in (ln for ln in lines if not ln.description):
            assert " vs ".join(f"\u201c{s.value}\u201d from " + ", ".join(names[sid] for sid, _ in s.sources)
                               for s in line.sides) in page
    groups = explore.sole_claim_groups(teaching)
    assert all(len(p.speakers) == 1 and names[p.speakers[0]] == party for party, ps in groups.items() for p in ps)
    sole = html.unescape(explore.sole_claims_html(teaching))
    assert all(f"Only {party} says:" in sole for party in groups)


def test_positions_name_the_passage_or_the_nearest_one(teaching) -> None:
    point = next(p for p in teaching.points if p.silent_sources and any(
        pos.nearest for pos in p.positions.values()))
    rows = explore.position_rows(teaching, point)
    assert [r["source"] for r in rows] == [s.party for s in teaching.sources]
    for row, sid in zip(rows, teaching.source_ids):
        pos = point.positions[sid]
        assert row["stance"] == pos.stance and row["why"] == pos.reason and row["placed"] == pos.placed
        if pos.stance == "silent":
            assert row["passage"] == "" and row["nearest passage"] == (
                teaching.passages[pos.nearest].text if pos.nearest else "")
        else:
            assert row["passage"] == teaching.passages[pos.passage].text and row["nearest passage"] == ""


# --- drill-down -----------------------------------------------------------


def _point_with(comparison, label: str) -> Point:
    return next(p for p in comparison.points if any(lab.label == label for lab in p.pairs.values()))


def test_pair_rows_show_the_evidence(teaching) -> None:
    point = _point_with(teaching, "diverge")
    rows = explore.pair_rows(teaching, point)
    assert len(rows) == len(point.all_pairs(teaching.source_ids))
    diverging = [r for r in rows if r["label"] == "diverge"]
    assert diverging and all(r["similarity"] is not None and r["why"] for r in diverging)
    assert any(r["differences"] for r in diverging)
    spoken = explore.pair_rows(teaching, point, include_silent=False)
    assert all(r["label"] != "silent" for r in spoken)


def test_pair_rows_read_evidence_of_other_engine_versions(teaching) -> None:
    """A trained judge may add ``probabilities``; an older one may lack fields: both must show."""
    a, b = teaching.source_ids[:2]
    evidence = SimpleNamespace(similarity=0.9, probabilities={"agree": 0.7, "diverge": 0.3}, rationale="model")
    point = Point("px", "x", {a: ("p:1",), b: ("p:2",)}, {(a, b): PairLabel(a, b, "agree", evidence)})
    (row,) = explore.pair_rows(teaching, point)
    assert row["probabilities"] == "agree 0.70, diverge 0.30"
    assert row["agreement"] is None and row["differences"] == ""


def test_passages_and_documents_are_marked_in_context(teaching) -> None:
    point = _point_with(teaching, "diverge")
    sid = point.speakers[0]
    doc = explore.document_html(teaching, point, sid)
    marked = re.findall(r"<mark>(.*?)</mark>", doc)
    assert len(marked) == len(point.passages[sid])
    for pid, shown in zip(point.passages[sid], marked):
        assert html.unescape(shown.replace("<br>", "\n")) == teaching.passages[pid].text
    assert html.unescape(re.sub(r"<[^>]+>", "", doc.replace("<br>", "\n"))) == teaching.source(sid).text
    with_diff = [pid for s in point.speakers for pid in point.passages[s] if explore.discrepancy_spans(point, pid)]
    assert with_diff and "<mark>" in explore.passage_html(teaching, point, with_diff[0])


def test_metadata_shows_provenance() -> None:
    from compare.documents import load_event

    event = load_event([CORPUS / "lachin-road-2022"])
    meta = {s.party: explore.source_metadata(s) for s in event.sources}
    assert meta["Azerbaijan MFA"]["provenance"].startswith("original")
    assert "not the party's own words" in meta["France"]["provenance"]
    assert "<td><b>provenance</b></td>" in explore.metadata_html(event.sources[0])


def test_document_text_cannot_inject_html_or_markdown(nasty) -> None:
    point = nasty.points[0]
    parts = [explore.matrix_html(nasty, nasty.points), explore.legend_html()]
    for p in nasty.points:
        for sid in p.speakers:
            parts.append(explore.document_html(nasty, p, sid))
            parts.extend(explore.passage_html(nasty, p, pid) for pid in p.passages[sid])
    parts += [explore.metadata_html(s) for s in nasty.sources]
    parts += [explore.dispute_html(nasty, p) for p in nasty.points]  # contested or not, it must be inert
    parts += [explore.sole_claims_html(nasty), explore.matrix_html(nasty, nasty.points, by="status")]
    parts.append(explore.badge(point.cell(nasty.source_ids[0])))
    for fragment in parts:
        assert_inert(fragment)
    assert "&#60;script&#62;" in "".join(parts)


# --- framing and export ---------------------------------------------------


def test_framing_and_names_frames(teaching, lachin_prepared) -> None:
    lachin = compare_prepared(lachin_prepared, Thresholds())
    frame = explore.framing_frame(lachin)
    assert list(frame.columns) == ["party", "term", "z", "count", "others_count"]
    assert len(frame) == sum(len(t) for t in lachin.framing.values()) > 0
    spec = explore.framing_chart_spec(frame, ["France", "Russia"])
    assert {r["party"] for r in spec["data"]["values"]} == {"France", "Russia"}
    json.dumps(spec)
    columns = ["party", "term", "z", "count", "others_count"]
    assert list(explore.framing_frame(teaching).columns) == columns
    no_terms = explore.framing_frame(dataclasses.replace(teaching, framing={}))
    assert no_terms.empty and list(no_terms.columns) == columns  # the chart still finds its columns
    names = explore.names_frame(teaching)
    assert list(names.columns) == ["party", "says", "other party", "other says", "points"]
    says = set(names["says"]) | set(names["other says"])
    assert any("Mill Road" in s for s in says) and any("Mill Street" in s for s in says)


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_export_files(teaching, fmt) -> None:
    data, name, mime = explore.export_file(teaching, fmt, "teaching junction")
    assert name == f"teaching-junction.{fmt}" and data
    text = data.decode("utf-8")
    if fmt == "json":
        assert json.loads(text)["schema"].startswith("narrative-compare/") and mime == "application/json"
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html") and mime == "text/html"
    else:
        assert text.startswith("#") and mime == "text/markdown"
    with pytest.raises(ValueError):
        explore.export_file(teaching, "pdf")


# --- teaching -------------------------------------------------------------


def test_teaching_steps_follow_the_lesson_then_lachin() -> None:
    steps = explore.teaching_steps(TEACHING)
    lesson = explore.read_lesson(TEACHING)
    assert [s.title for s in steps[: len(lesson)]] == [t for t, _ in lesson]
    assert len(lesson) == 8 and lesson[0][0] == "The incident"
    assert all(s.show for s in steps) and all(s.text for s in steps)
    assert steps[-1].event == "lachin-road-2022" and steps[0].event == "teaching-junction"
    # The Lachin steps come from that event's own lesson.md, in its order, after the teaching lesson.
    lachin = explore.read_lesson(CORPUS / "lachin-road-2022")
    assert len(lachin) == 3 and [s.title for s in steps[len(lesson):]] == [t for t, _ in lachin]
    assert [s.show for s in steps[len(lesson):]] == ["lachin-matrix", "lachin-framing", "lachin-contested"]


def test_keyed_pairs_and_the_exercise(teaching) -> None:
    answers = explore.load_answers(TEACHING)
    pairs = explore.keyed_pairs(teaching, answers)
    assert len(pairs) == sum(len(a.expected) for a in answers) == 45
    assert all(p.point is not None and p.got is not None for p in pairs)
    assert sum(p.correct for p in pairs) >= len(pairs) // 2  # the tool is right on most of the key
    exercise = explore.exercise_pairs(pairs)
    assert len(exercise) == 6 and len({p.answer.id for p in exercise}) == 6
    assert len({p.answer.kind for p in exercise}) == 6
    assert sum(p.expected != "silent" for p in exercise) >= 5

"""The Streamlit app, driven by streamlit.testing.v1.AppTest with the real default model.

The app shares one embedding cache for the run (``NARRATIVE_COMPARE_CACHE``),
and most tests use the small teaching event (``?event=teaching-junction``).
"""

from __future__ import annotations

import html
import json
import os
import re

import pytest

from conftest import ROOT

APP = str(ROOT / "app.py")
TIMEOUT = 180


@pytest.fixture(scope="session", autouse=True)
def app_cache(cache_dir):
    """Point the app's embedder at the run's shared cache (read when the app first builds it)."""
    old = os.environ.get("NARRATIVE_COMPARE_CACHE")
    os.environ["NARRATIVE_COMPARE_CACHE"] = str(cache_dir)
    yield cache_dir
    if old is None:
        os.environ.pop("NARRATIVE_COMPARE_CACHE", None)
    else:
        os.environ["NARRATIVE_COMPARE_CACHE"] = old


def new_app(judge: str | None = None, **params):
    """The app with query parameters; ``judge="rules"`` for tests that need known labels."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(params)
    if judge is not None:
        at.session_state["judge"] = judge
    return at


def run(at):
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def page_html(at) -> str:
    return "\n".join(h.proto.body for h in at.html)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def teaching_app():
    """The teaching event with the rule judge, whose labels the answer key describes."""
    return run(new_app(judge="rules", event="teaching-junction"))


def test_opens_on_the_demo_event_with_the_matrix() -> None:
    at = run(new_app())
    assert at.selectbox(key="event").value == "lachin-road-2022"
    assert at.header[0].value.startswith("Lachin road")
    body = page_html(at)
    assert 'class="nc-matrix"' in body and body.count('class="nc-cell') >= 12 * 50
    assert "Azerbaijan MFA" in body and "<b>denies</b>" in body
    assert not at.error
    assert [t.label for t in at.tabs] == ["Compare", "Framing", "Export"]


def test_explore_leads_with_the_disputes(teaching_app) -> None:
    """Where they disagree, then the claims by source, then the single-source claims, then the drill-down."""
    from compare import explore

    at = teaching_app
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headings[:2] == ["#### Where they disagree", "#### Claims by source"]
    body = page_html(at)
    shown = re.findall(r'data-dispute="([^"]+)"', body)
    assert shown and body.index("nc-dispute") < body.index('class="nc-matrix"')
    assert "Affirm:" in html.unescape(body)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Why: the evidence on") for label in labels)
    assert any(label.startswith("Said by one source only") for label in labels)
    assert labels.index(next(lab for lab in labels if lab.startswith("Why"))) < labels.index(
        next(lab for lab in labels if lab.startswith("Said by one source")))
    why = next(e for e in at.expander if e.label == f"Why: the evidence on {shown[0]}")
    positions = next(d.value for d in why.dataframe if "stance" in d.value.columns)
    assert set(positions["stance"]) <= set(explore.STANCE_COLOURS) and positions["why"].str.len().min() > 0


def test_selecting_a_point_shows_passages_evidence_and_context(teaching_app) -> None:
    at = teaching_app
    points = at.selectbox(key="ov_point").options
    target = next(o for o in points if "Mill Street" in o or "Mill Road" in o)
    at.selectbox(key="ov_point").set_value(target.split(" · ")[0])
    run(at)
    assert at.subheader[0].value.startswith(target.split(" · ")[0])
    body = page_html(at)
    assert "<mark>" in body and "nc-doc" in body and "provenance" in body
    tables = [d.value for d in at.dataframe]
    pairs = [t for t in tables if "label" in t.columns and "similarity" in t.columns][-1]  # the drill-down's, after the disputes'
    positions = [t for t in tables if "stance" in t.columns][-1]
    assert len(positions) == 4 and positions["why"].str.len().min() > 0
    assert "diverge" in set(pairs["label"]) and pairs["why"].str.len().min() > 0
    assert any("naming" in d for d in pairs["differences"])
    # The selected row is outlined in the matrix.
    assert 'class="nc-selected"' in body


def test_a_threshold_change_relabels_without_re_embedding(teaching_app, monkeypatch) -> None:
    from compare import explore

    at = teaching_app
    before = metrics(at)
    calls = []
    monkeypatch.setattr(explore, "prepare_with_progress", lambda *a, **k: calls.append(a))
    at.slider(key="th_agree").set_value(0.99)
    run(at)
    after = metrics(at)
    assert int(after["agree pairs"]) < int(before["agree pairs"])
    assert calls == []  # read and embedded once: only aligned and labelled again
    at.button[[b.label for b in at.button].index("Reset thresholds")].click()
    run(at)
    assert metrics(at) == before


def test_filters_and_sort(teaching_app) -> None:
    at = teaching_app
    total = int(metrics(at)["points shown"].split(" of ")[1])
    at.button_group(key="ov_status").set_value(["diverge"])
    run(at)
    shown = int(metrics(at)["points shown"].split(" of ")[0])
    assert 0 < shown < total
    at.radio(key="ov_sort").set_value("contested")
    run(at)
    rows = re.findall(r'data-point="([^"]+)"', page_html(at))
    assert len(rows) == shown
    assert [o.split(" · ")[0] for o in at.selectbox(key="ov_point").options] == rows
    assert at.selectbox(key="ov_point").value in rows  # the open point stays open while it is shown


def _own(at):
    at.selectbox(key="event").set_value("Your own statements")
    return run(at)


def _paste(at, i, party, text, date=""):
    at.text_input(key=f"paste_party_{i}").set_value(party)
    at.text_input(key=f"paste_date_{i}").set_value(date)
    at.text_area(key=f"paste_text_{i}").set_value(text)


def _compare(at):
    at.button(key="compare_own").click()
    return run(at)


def test_pasted_texts_are_compared() -> None:
    at = _own(run(new_app(event="teaching-junction")))
    assert "Add two or more statements" in at.info[0].value
    _paste(at, 0, "Neighbour", "The van stopped at the line. It was raining at the time.", "2026-03-14")
    _paste(at, 1, "Passer-by", "The van did not stop at the line. It was raining heavily.")
    _compare(at)
    assert not at.error
    assert at.header[0].value == "Your statements"
    body = html.unescape(page_html(at))
    assert 'class="nc-matrix"' in body and "Neighbour" in body and "Passer-by" in body


def test_uploaded_files_are_compared() -> None:
    at = _own(run(new_app(event="teaching-junction")))
    at.file_uploader(key="uploads").set_value([
        ("red.md", b"---\nparty: Red car\n---\nThe light was green for me.\n", "text/markdown"),
        ("van.txt", b"The red car went through a red light.\n", "text/plain"),
    ])
    run(at)
    _compare(at)
    assert not at.error
    body = html.unescape(page_html(at))
    assert "Red car" in body and "van" in body


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda at: _paste(at, 0, "Only one", "It rained at the junction all morning."), "only one statement"),
        (lambda at: (_paste(at, 0, "A", "   "), _paste(at, 1, "B", "It rained.")), "Pasted text 1: is empty"),
        (lambda at: (_paste(at, 0, "A", "It rained.", "14/03/2026"), _paste(at, 1, "B", "It did.")), "ISO 8601"),
        (lambda at: at.file_uploader(key="uploads").set_value(("photo.txt", b"\x89PNG\x00\x00\x01", "text/plain")),
         "binary file"),
        (lambda at: at.file_uploader(key="uploads").set_value(("huge.txt", b"word " * 250_000, "text/plain")),
         "over the limit of 1,000,000 bytes for a source: raise it with --max-source-bytes"),
    ],
    ids=["one-source", "empty-text", "bad-date", "binary-file", "too-large"],
)
def test_input_errors_show_as_messages(setup, message) -> None:
    at = _own(run(new_app(event="teaching-junction")))
    setup(at)
    run(at)
    _compare(at)
    assert at.error, "no error message shown"
    assert message in at.error[0].value
    assert at.error[0].value.startswith("Cannot compare these statements.")
    assert 'class="nc-matrix"' not in page_html(at)


def test_script_and_markdown_in_a_text_show_as_text() -> None:
    at = _own(run(new_app(event="teaching-junction")))
    _paste(at, 0, "<script>alert(1)</script>", "The van stopped <script>alert('x')</script> at the line.")
    _paste(at, 1, "**Bold** [x](javascript:alert(1))", "The van did not stop at the line. $x$ :red[red] # no")
    _compare(at)
    assert not at.error
    body = page_html(at)
    assert "<script" not in body and "](javascript" not in body and ":red[" not in body
    assert "&#60;script&#62;" in body
    for element in [*at.markdown, *at.subheader, *at.header, *at.caption]:
        # Markdown contexts get the text with every markup character backslash-escaped.
        assert not re.search(r"(?<!\\)<script", element.value) and "**Bold**" not in element.value


def test_framing_tab_shows_names_and_a_chart(teaching_app) -> None:
    at = teaching_app
    tables = [d.value for d in at.tabs[1].dataframe]
    names = next(t for t in tables if "other says" in t.columns)
    said = names["says"].tolist() + names["other says"].tolist()
    assert "Mill Road crossing" in said and "Mill Street junction" in said
    at.selectbox(key="event").set_value("lachin-road-2022")
    run(at)
    charts = [e for e in at.tabs[1].children.values() if getattr(e, "type", "") == "vega_lite_chart"]
    chosen = at.multiselect(key="fr_parties").value
    assert chosen and charts
    import pyarrow as pa

    spec = json.loads(charts[0].proto.spec)
    assert spec["facet"]["row"]["sort"] == chosen
    values = pa.ipc.open_stream(charts[0].proto.data.data).read_all().to_pandas()
    assert set(values["party"]) == set(chosen) and (values["z"] > 1.96).all()


def test_exports_produce_files_of_the_right_type(teaching_app, monkeypatch) -> None:
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured = {}
    real = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        captured[file_name] = (data_callable, mimetype)
        return real(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    run(teaching_app)
    assert set(captured) == {f"teaching-junction.{f}" for f in ("html", "md", "json")}
    for name, (make, mime) in captured.items():
        data = make()
        assert isinstance(data, bytes) and len(data) > 1000
        text = data.decode("utf-8")
        if name.endswith(".json"):
            data = json.loads(text)
            assert mime == "application/json" and data["event"]["title"].startswith("Collision")
            assert data["judge"] == "rules-v1" and set(data["settings"]) >= {"link", "agree", "evidence"}
        elif name.endswith(".html"):
            assert mime == "text/html" and text.lstrip().lower().startswith("<!doctype html")
        else:
            assert mime == "text/markdown" and text.startswith("#")


def test_the_judge_with_the_builtin_nli_model_can_be_chosen() -> None:
    at = run(new_app(judge="trained+nli", event="teaching-junction"))
    assert at.selectbox(key="judge").options == ["trained", "trained+nli", "rules"]
    caption = " ".join(c.value for c in at.caption).replace("\\", "")  # the caption escapes Markdown
    assert "+nli:builtin-minilm-nli" in caption
    assert "<b>denies</b>" in page_html(at) and not at.error


def test_teaching_steps_advance_to_the_end() -> None:
    at = run(new_app(mode="teach"))
    assert at.radio(key="mode").value == "Teach"
    titles = [at.header[0].value]
    assert titles[0] == "The incident"
    while not at.button(key="teach_next").disabled:
        at.button(key="teach_next").click()
        run(at)
        assert not at.error
        titles.append(at.header[0].value)
    assert len(titles) == 11 and len(set(titles)) == 11
    assert "Lachin" in titles[-3]
    at.button(key="teach_back").click()
    run(at)
    assert at.header[0].value == titles[-2]


def test_you_decide_exercise_shows_the_tool_and_the_key() -> None:
    at = run(new_app(mode="teach"))
    at.session_state["teach_step"] = 5
    run(at)
    assert at.header[0].value == "You decide"
    radios = [r for r in at.radio if r.key and r.key.startswith("ex_")]
    assert len(radios) == 6 and all(r.value is None for r in radios)
    for r in radios:
        r.set_value("diverge")
    at.button(key="FormSubmitter:exercise-Check my answers").click()
    run(at)
    assert re.match(r"You matched the answer key on \d of 6 pairs; the tool on \d of 6", at.success[0].value)
    body = page_html(at)
    assert body.count("answer key:") == 6 and "Why (tool)" in body and "Why (answer key)" in body


def test_embedding_step_measures_similarity() -> None:
    at = run(new_app(mode="teach"))
    at.session_state["teach_step"] = 1
    run(at)
    sims = at.dataframe[0].value
    close, far = sims["similarity"][0], sims["similarity"][1]
    assert 0.5 < close <= 1.0 and far < close

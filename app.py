"""narrative-compare, the app: `streamlit run app.py` (or `make app`).

A thin shell: everything that is not drawing lives in :mod:`compare.explore`.
Reading and embedding an event is cached per process (``st.cache_resource``);
each threshold change only re-aligns and re-labels (``compare_prepared``,
results in ``st.cache_data``), so it never re-embeds.

Every piece of document text that reaches HTML goes through ``explore.esc``
(and into ``st.html``, which sanitises again); text in Markdown contexts
(labels, captions) goes through ``explore.esc_md``.
"""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path

import streamlit as st

from compare import explore
from compare.errors import InputError
from compare.judge import Thresholds

ROOT = Path(__file__).resolve().parent
CORPUS = ROOT / "corpus"
DEMO_EVENT = "lachin-road-2022"
TEACHING_EVENT = "teaching-junction"
OWN = "Your own statements"
OTHER_MODEL = "Other (a sentence-transformers name or local path)"
THRESHOLD_HELP = {
    "link": "Mean similarity at which passages of different sources join one point. "
    "Higher: more, smaller points.",
    "agree": "Similarity at which two passages on the same point agree (when no difference is found).",
    "evidence": "Similarity above which a difference in numbers, dates, polarity or roles makes a pair diverge.",
}
PREPARED_KEEP = 12

st.set_page_config(page_title="narrative-compare", page_icon="⚖", layout="wide")


# --- caches ---------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def get_embedder(model: str):
    """One embedder (and so one loaded model) per model name, shared by all sessions."""
    from compare.embeddings import Embedder

    return Embedder(model)


@st.cache_resource(show_spinner=False)
def prepared_store() -> dict:
    """Events read, split and embedded, by (event key, model): the slow part, done once."""
    return {}


@st.cache_resource(show_spinner=False, max_entries=64)
def comparison_for(key: tuple, model: str, thresholds: tuple, judge: str, _prepared):
    """Align and label a prepared event (fast), per thresholds and judge.

    A resource cache rather than st.cache_data: the page only reads a
    comparison, and unpickling a 12-source one on every rerun would cost more
    than a threshold change is allowed to take.
    """
    from compare.pipeline import compare_prepared

    values = explore.thresholds_from(dict(thresholds))
    return compare_prepared(_prepared, values, explore.make_judge(judge, values, model))


@st.cache_data(show_spinner=False, ttl=60)
def corpus_listing() -> list:
    return explore.corpus_events(CORPUS)


@st.cache_data(show_spinner=False)
def corpus_event(name: str):
    from compare.documents import load_event

    return load_event([CORPUS / name])


def prepared_for(event, model: str):
    """The prepared event, embedding what the cache lacks with a progress bar."""
    store = prepared_store()
    key = (explore.event_key(event), model)
    if key in store:
        return key, store[key]
    bar = st.progress(0.0, text="Reading the statements")
    started = time.perf_counter()
    prepared = explore.prepare_with_progress(
        event, get_embedder(model), lambda message, fraction: bar.progress(min(fraction, 1.0), text=message)
    )
    bar.empty()
    prepared.timings["first load (total)"] = time.perf_counter() - started
    while len(store) >= PREPARED_KEEP:
        store.pop(next(iter(store)))
    store[key] = prepared
    return key, prepared


# --- sidebar --------------------------------------------------------------


def sidebar() -> dict:
    """The controls that come before the statements: mode, event, model and judge."""
    params = st.query_params
    side = st.sidebar
    side.title("narrative-compare")
    side.caption("Where several accounts of one event agree, diverge, or stay silent.")
    if "mode" not in st.session_state:
        st.session_state["mode"] = "Teach" if params.get("mode") == "teach" else "Explore"
    mode = side.radio("Mode", ["Explore", "Teach"], key="mode", horizontal=True,
                      help="Teach walks a class through the teaching event and the Lachin event.")
    choice = {"mode": mode}
    if mode == "Explore":
        events = corpus_listing()
        names = [e.name for e in events]
        titles = {e.name: e.title for e in events}
        if "event" not in st.session_state:
            wanted = params.get("event", DEMO_EVENT)
            st.session_state["event"] = wanted if wanted in names else (DEMO_EVENT if DEMO_EVENT in names else OWN)
        choice["event"] = side.selectbox(
            "Statements", [*names, OWN], key="event",
            format_func=lambda n: titles.get(n, n),
            help="An event from corpus/, or your own statements (upload files or paste texts).",
        )
    side.subheader("Model and judge")
    options = [*explore.model_choices(), OTHER_MODEL]
    model = side.selectbox("Embedding model", options, key="model_choice",
                           format_func=lambda m: "auto (by the sources' languages)" if m == explore.AUTO_MODEL else m,
                           help="The packaged models work offline. Another model must be on this machine.")
    if model == OTHER_MODEL:
        model = side.text_input("Model name or path", key="model_other").strip() or explore.AUTO_MODEL
    choice["model"] = model
    judges = explore.judge_choices()
    choice["judge"] = side.selectbox("Judge", judges, key="judge",
                                     help="trained: the shipped learned judge (two one-sentence sources are also "
                                          "read by the built-in NLI model, a one-sentence claim against a "
                                          "document by the built-in stance model); trained+nli: the same with the built-in "
                                          "NLI model reading every pair together (more accurate on contradictions, "
                                          "a few seconds more per hundred pairs); rules: the documented rule set "
                                          "(the agree and evidence thresholds apply to it).")
    return choice


@st.cache_resource(show_spinner=False)
def judge_reads_thresholds(judge: str, model: str) -> bool:
    """Whether a judge reads the agree and evidence thresholds (the rule judge does, a trained one not)."""
    return hasattr(explore.make_judge(judge, Thresholds(), model), "thresholds")


def thresholds_sidebar(model: str, judge: str) -> tuple:
    """The threshold sliders, set to the model's defaults whenever the model changes.

    Returns the settings the result depends on: all of them for a judge that
    reads them, else only ``link`` (alignment), so that moving a slider the
    judge ignores recomputes nothing.
    """
    side = st.sidebar
    side.subheader("Thresholds")
    if st.session_state.get("th_model") != model:
        st.session_state["th_model"] = model
        _reset_thresholds()
    reads = judge_reads_thresholds(judge, model)
    values = {}
    for f in fields(Thresholds):
        values[f.name] = side.slider(f"{f.name} threshold", 0.0, 1.0, step=0.01, key=f"th_{f.name}",
                                     help=THRESHOLD_HELP.get(f.name), disabled=f.name != "link" and not reads)
    side.button("Reset thresholds", on_click=_reset_thresholds)
    side.caption("Changing a threshold re-labels at once; nothing is embedded again."
                 + ("" if reads else f" The {judge} judge decides labels itself: only the link threshold applies"
                                     " (its checks guard between accounts uses the rule judge's default floors)."))
    if not reads:
        values = {k: v for k, v in values.items() if k == "link"}
    return tuple(sorted(values.items()))


def _reset_thresholds() -> None:
    defaults = explore.default_thresholds(st.session_state.get("th_model") or explore.default_model())
    for f in fields(Thresholds):
        st.session_state[f"th_{f.name}"] = float(getattr(defaults, f.name))


# --- your own statements --------------------------------------------------


def own_statements():
    """Uploads and pastes; returns the event last compared, or None (errors shown in the page)."""
    with st.expander("Your statements", expanded="own_event" not in st.session_state):
        if explore.LIMITS_PROBLEM:
            st.warning(explore.LIMITS_PROBLEM)
        st.caption(
            f"Upload files (txt, md, html; up to {explore.MAX_TEXT_BYTES // 1_000_000} MB each) or paste texts. "
            "Give each a party name (required for pasted texts; for files it defaults to the front matter "
            "or the file name) and, if you like, a date (YYYY-MM-DD)."
        )
        files = st.file_uploader("Upload statements", type=list(explore.UPLOAD_TYPES),
                                 accept_multiple_files=True, key="uploads", max_upload_size=5) or []
        items: list[explore.TextInput] = []
        for f in files:
            a, b = st.columns([3, 1])
            party = a.text_input(f"Party for {explore.esc_md(f.name)}", key=f"up_party_{f.file_id}",
                                 placeholder="from the file's front matter, else its name")
            date = b.text_input("Date", key=f"up_date_{f.file_id}", placeholder="YYYY-MM-DD")
            items.append(explore.TextInput(label=f.name, party=party, date=date, data=f.getvalue()))
        st.session_state.setdefault("n_pastes", 2)
        for i in range(st.session_state["n_pastes"]):
            a, b = st.columns([3, 1])
            party = a.text_input(f"Party of pasted text {i + 1}", key=f"paste_party_{i}")
            date = b.text_input("Date", key=f"paste_date_{i}", placeholder="YYYY-MM-DD")
            text = st.text_area(f"Pasted text {i + 1}", key=f"paste_text_{i}", height=120)
            items.append(explore.TextInput(label=f"Pasted text {i + 1}", party=party, date=date, text=text))
        left, right = st.columns(2)
        left.button("Add another text", on_click=lambda: st.session_state.update(
            n_pastes=min(st.session_state["n_pastes"] + 1, explore.MAX_SOURCES)))
        if right.button("Compare these statements", type="primary", key="compare_own"):
            try:
                st.session_state["own_event"] = explore.event_from_inputs(items)
                st.session_state.pop("own_error", None)
            except InputError as err:
                st.session_state["own_error"] = str(err)
    if "own_error" in st.session_state:
        st.error(f"Cannot compare these statements. {st.session_state['own_error']}")
        return None
    return st.session_state.get("own_event")


# --- drawing --------------------------------------------------------------


def show_header(comparison) -> None:
    event = comparison.event
    st.header(explore.esc_md(event.title or "Comparison"))
    bits = [f"{len(comparison.sources)} sources", f"{len(comparison.passages)} passages",
            f"{len(comparison.points)} points", f"model {comparison.model}", f"judge {comparison.judge}"]
    if event.date:
        bits.insert(0, f"event date {event.date}")
    st.caption(explore.esc_md(" · ".join(bits)))
    if event.summary:
        with st.expander("About this event"):
            st.html(f"<p>{explore.esc(event.summary)}</p>")


#: Disputes shown before "show all".
DISPUTES_SHOWN = 8


def show_disputes(comparison, key: str = "dp") -> None:
    """Where they disagree: each contested claim, the sides and their quotes, expandable to the evidence.

    The order and the sides are the report's (``compare.report.contested``).
    """
    st.markdown("#### Where they disagree")
    found = explore.dispute_points(comparison)
    if not found:
        st.caption("No two sources take opposite sides on any claim, or give different values for the same thing.")
        return
    st.caption(f"{len(found)} claims on which two sources take opposite sides, or give different values for the "
               "same thing; the claims on which the most sources take a side come first.")
    shown = found
    if len(found) > DISPUTES_SHOWN and not st.toggle(f"Show all {len(found)} disputes", key=f"{key}_all"):
        shown = found[:DISPUTES_SHOWN]
    for point in shown:
        st.html(explore.dispute_html(comparison, point))
        with st.expander(f"Why: the evidence on {explore.esc_md(point.id)}"):
            st.dataframe(explore.position_rows(comparison, point), hide_index=True, column_config=POSITION_COLUMNS)
            rows = [r for r in explore.pair_rows(comparison, point, include_silent=False) if r["label"] == "diverge"]
            st.dataframe(rows, hide_index=True)


POSITION_COLUMNS = {
    "similarity": st.column_config.NumberColumn(format="%.2f", help="cosine similarity of the passage to the claim"),
    "nearest passage": st.column_config.TextColumn(help="when silent: the passage nearest the claim, which was read "
                                                        "and does not count"),
    "placed": st.column_config.CheckboxColumn(help="placed on this claim by the silence check"),
    "why": st.column_config.TextColumn(help="the reading behind the stance, in words", width="large"),
}


def show_sole_claims(comparison) -> None:
    groups = explore.sole_claim_groups(comparison)
    n = sum(len(points) for points in groups.values())
    with st.expander(f"Said by one source only ({n} claims)"):
        st.html(explore.sole_claims_html(comparison))


def show_overview(comparison, key: str = "ov") -> str | None:
    """Filters, counts and the matrix of claims by sources (stances); returns the selected point id."""
    names = explore.parties(comparison)
    a, b, c = st.columns([2, 3, 1.3])
    statuses = a.pills("Show points where a chosen source is", list(explore.STATUSES), selection_mode="multi",
                       default=list(explore.STATUSES), key=f"{key}_status")
    chosen = b.multiselect("Sources (none chosen = all)", comparison.source_ids, format_func=names.get,
                           key=f"{key}_sources")
    sort = c.radio("Sort points", ["position", "contested"], key=f"{key}_sort",
                   format_func={"position": "text order", "contested": "most contested"}.get)
    sources = chosen or comparison.source_ids
    points = explore.select_points(comparison, statuses, sources, sort)
    counts = explore.pair_label_counts(comparison, points)
    cols = st.columns(5)
    cols[0].metric("points shown", f"{len(points)} of {len(comparison.points)}")
    for col, label in zip(cols[1:], counts):
        col.metric(f"{label} pairs", counts[label])
    st.markdown("#### Claims by source")
    st.html(explore.stance_legend_html())
    ids = [p.id for p in points]
    selected = st.session_state.get(f"{key}_point")
    st.html(explore.matrix_html(comparison, points, sources, selected if selected in ids else None))
    with st.expander("Counts per source (cells of each status, over the points shown)"):
        st.dataframe(explore.status_counts(comparison, points))
    if not ids:
        return None
    summary = {p.id: p.summary for p in points}
    if st.session_state.get(f"{key}_point") not in ids:
        st.session_state[f"{key}_point"] = ids[0]
    return st.selectbox("Open a point", ids, key=f"{key}_point",
                        format_func=lambda i: f"{i} · {summary[i]}",
                        help="Shows each source's passages, the evidence for every pair, and the passages "
                             "in their original documents.")


def show_point(comparison, point_id: str, key: str = "pt", documents: bool = True) -> None:
    """Drill-down: passages side by side, pair labels with their evidence, passages in context."""
    point = next(p for p in comparison.points if p.id == point_id)
    names = explore.parties(comparison)
    st.subheader(f"{point.id} · {explore.esc_md(point.summary)}")
    st.caption(f"contested {point.contestedness:.2f} (share of speaking pairs that diverge; related counts half)")
    text, party = explore.claim_text(comparison, point)
    if party:
        st.html(f"<p>Claim, in the words of <b>{explore.esc(party)}</b>: &#8220;{explore.esc(text)}&#8221;</p>")
    speakers = point.speakers
    for row in range(0, len(speakers), 3):
        cols = st.columns(3)
        for col, sid in zip(cols, speakers[row : row + 3]):
            source = comparison.source(sid)
            with col:
                st.html(
                    f"<div><b>{explore.esc(source.party)}</b> {explore.stance_badge(explore.stance_of(point, sid))} "
                    f"{explore.badge(point.cell(sid))} "
                    f'<span class="nc-meta">{explore.esc(source.provenance or "provenance not stated")}</span></div>'
                    + "".join(explore.passage_html(comparison, point, pid) for pid in point.passages[sid])
                )
    if point.silent_sources:
        st.html("<p><b>Silent</b> (no passage on this point): "
                + ", ".join(explore.esc(names[s]) for s in point.silent_sources) + "</p>")
    st.markdown("**Each source's position on the claim**")
    st.dataframe(explore.position_rows(comparison, point), hide_index=True, column_config=POSITION_COLUMNS)
    st.markdown("**Pair labels and their evidence**")
    show_silent = st.toggle("Show silent pairs too", value=len(comparison.sources) <= 4, key=f"{key}_silent")
    rows = explore.pair_rows(comparison, point, include_silent=show_silent)
    if rows:
        st.dataframe(rows, hide_index=True, column_config={
            "similarity": st.column_config.NumberColumn(format="%.2f", help="cosine similarity of the best-matching passages"),
            "agreement": st.column_config.NumberColumn(format="%.2f", help="judge's agreement score"),
            "contradiction": st.column_config.NumberColumn(format="%.2f", help="judge's contradiction score"),
            "differences": st.column_config.TextColumn(help="numbers, dates, names or negations that differ (marked in the passages)"),
            "why": st.column_config.TextColumn(help="the judge's reason, in words", width="large"),
        })
    else:
        st.caption("Only one source speaks on this point: there is no pair to label.")
    if documents:
        st.markdown("**The passages in their original documents**")
        for sid in speakers:
            source = comparison.source(sid)
            with st.expander(f"{explore.esc_md(source.party)} — full text ({explore.esc_md(source.provenance or 'provenance not stated')})"):
                st.html(explore.metadata_html(source) + explore.document_html(comparison, point, sid))


def show_framing(comparison, key: str = "fr", default: tuple[str, ...] = ()) -> None:
    frame = explore.framing_frame(comparison)
    st.markdown("**Distinctive terms**: words each source uses far more than the others "
                "(weighted log-odds z-score; above 1.96 is unlikely to be chance).")
    if frame.empty:
        st.info("No term is distinctive of any source here.")
    else:
        parties = list(dict.fromkeys(frame["party"]))
        start = [p for p in default if p in parties] or parties[: min(4, len(parties))]
        chosen = st.multiselect("Sources", parties, default=start, key=f"{key}_parties")
        st.vega_lite_chart(spec=explore.framing_chart_spec(frame, chosen or parties))
        with st.expander("All distinctive terms as a table"):
            st.dataframe(frame, hide_index=True)
    st.markdown("**Different names for the same referent**")
    variants = explore.names_frame(comparison)
    if variants.empty:
        st.caption("No source names a shared referent differently.")
    else:
        st.dataframe(variants, hide_index=True)


def show_export(comparison, stem: str) -> None:
    st.markdown("The batch report, built from the result on screen (same thresholds and model).")
    cols = st.columns(len(explore.EXPORTS))
    for col, (fmt, (label, mime)) in zip(cols, explore.EXPORTS.items()):
        col.download_button(
            f"Download {label}",
            data=lambda fmt=fmt: explore.export_file(comparison, fmt, stem)[0],
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"export_{fmt}",
            on_click="ignore",
        )


def show_timings(prepared, comparison) -> None:
    with st.expander("Timings"):
        st.dataframe(
            [{"stage": k, "seconds": round(v, 3)} for k, v in {**prepared.timings, **comparison.timings}.items()],
            hide_index=True,
        )
        st.caption(f"{prepared.embedded} passages embedded, {prepared.cached} read from the embedding cache "
                   "when this event was first prepared.")


def compare_or_stop(event, choice):
    """The comparison for ``event`` with the sidebar's model, judge and thresholds; errors stop the page."""
    model, note = explore.choose_model(choice["model"], [s.language for s in event.sources])
    thresholds = thresholds_sidebar(model, choice["judge"])
    if note:
        st.info(note)
    try:
        key, prepared = prepared_for(event, model)
        comparison = comparison_for(key, model, thresholds, choice["judge"], prepared)
    except InputError as err:
        st.error(f"Cannot compare: {err}")
        st.stop()
    except Exception as err:  # a model that cannot be loaded: say so, never a traceback
        st.error(f"Could not load or run the model {model!r}: {type(err).__name__}: {err}")
        st.stop()
    for notice in comparison.notices:  # passages cut into windows, as the report says
        st.info(f"Note: {notice}.")
    return prepared, comparison


# --- explore mode ---------------------------------------------------------


def explore_mode(choice) -> None:
    if choice["event"] == OWN:
        event = own_statements()
        if event is None:
            st.info("Add two or more statements above and press “Compare these statements”.")
            return
        stem = "your-statements"
    else:
        try:
            event = corpus_event(choice["event"])
        except InputError as err:
            st.error(f"Cannot read this event. {err}")
            return
        stem = choice["event"]
    prepared, comparison = compare_or_stop(event, choice)
    show_header(comparison)
    st.html(explore.STYLE)
    tab_compare, tab_framing, tab_export = st.tabs(["Compare", "Framing", "Export"])
    with tab_compare:
        show_disputes(comparison)
        point_id = show_overview(comparison)
        show_sole_claims(comparison)
        if point_id:
            show_point(comparison, point_id)
    with tab_framing:
        show_framing(comparison)
    with tab_export:
        show_export(comparison, stem)
    show_timings(prepared, comparison)


# --- teaching mode --------------------------------------------------------


def teach_mode(choice) -> None:
    steps = explore.teaching_steps(CORPUS / TEACHING_EVENT)
    n = len(steps)
    st.session_state.setdefault("teach_step", 0)
    i = max(0, min(st.session_state["teach_step"], n - 1))
    step = steps[i]
    st.html(explore.STYLE)
    st.progress((i + 1) / n, text=f"Step {i + 1} of {n}")
    st.header(explore.esc_md(step.title))
    st.markdown(step.text)
    event = corpus_event(step.event)
    _, comparison = compare_or_stop(event, choice)
    SHOWS.get(step.show, lambda c, s: None)(comparison, choice)
    back, _, forward = st.columns([1, 4, 1])
    back.button("← Back", key="teach_back", disabled=i == 0,
                on_click=lambda: st.session_state.update(teach_step=i - 1))
    forward.button("Next step →", key="teach_next", disabled=i == n - 1, type="primary",
                   on_click=lambda: st.session_state.update(teach_step=i + 1))


def _teach_accounts(comparison, choice) -> None:
    cols = st.columns(min(len(comparison.sources), 4))
    for k, source in enumerate(comparison.sources):
        with cols[k % len(cols)]:
            st.html(f"<b>{explore.esc(source.party)}</b>" + explore.metadata_html(source)
                    + f'<div class="nc-doc">{explore.mark_spans(source.text, [])}</div>')


def _teach_embedding(comparison, choice) -> None:
    import numpy as np

    a = st.text_input("Sentence A", "It was raining at the time.", key="emb_a")
    b = st.text_input("Sentence B", "Rain was falling the whole time.", key="emb_b")
    c = st.text_input("Sentence C", "The van did not stop.", key="emb_c")
    texts = [t for t in (a, b, c)]
    if not all(t.strip() for t in texts):
        st.warning("Write a sentence in each box.")
        return
    vectors = get_embedder(comparison.model if comparison.model else explore.default_model()).embed(texts, progress=False)
    sims = vectors @ vectors.T
    st.dataframe(
        [
            {"pair": "A and B", "similarity": float(sims[0, 1])},
            {"pair": "A and C", "similarity": float(sims[0, 2])},
            {"pair": "B and C", "similarity": float(sims[1, 2])},
        ],
        hide_index=True,
        column_config={"similarity": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")},
    )
    st.caption(f"Each sentence becomes {vectors.shape[1]} numbers. The first eight of sentence A: "
               + ", ".join(f"{x:.3f}" for x in np.asarray(vectors[0][:8])))


def _teach_matrix(comparison, choice) -> None:
    points = explore.select_points(comparison)
    st.html(explore.legend_html() + explore.matrix_html(comparison, points, by="status"))


def _teach_labels(comparison, choice) -> None:
    st.html(explore.legend_html())
    counts = comparison.label_counts()
    for col, label in zip(st.columns(len(counts)), counts):
        col.metric(f"{label} pairs", counts[label])
    st.dataframe(explore.status_counts(comparison))


def _keyed(comparison):
    return explore.keyed_pairs(comparison, explore.load_answers(CORPUS / TEACHING_EVENT))


def _teach_evidence(comparison, choice) -> None:
    pairs = [p for p in _keyed(comparison) if p.point is not None and p.answer.kind in ("quantity", "date")]
    if not pairs:
        return
    point_ids = list(dict.fromkeys(p.point.id for p in pairs))
    point_id = st.selectbox("A point with a difference in numbers or times", point_ids, key="teach_ev_point",
                            format_func=lambda i: f"{i} · {next(p for p in comparison.points if p.id == i).summary}")
    show_point(comparison, point_id, key="teach_ev", documents=False)


def _teach_exercise(comparison, choice) -> None:
    items = explore.exercise_pairs(_keyed(comparison))
    ids = {s.party: s.id for s in comparison.sources}
    with st.form("exercise"):
        for k, item in enumerate(items):
            st.markdown(f"**Pair {k + 1}.** {explore.esc_md(item.answer.source)} says:")
            st.html(f'<div class="nc-passage">{explore.esc(item.answer.quote)}</div>')
            other = comparison.source(ids[item.other]) if item.other in ids else None
            st.markdown(f"What does **{explore.esc_md(item.other)}** say about this?")
            if other is not None:
                with st.expander(f"Read the account of {explore.esc_md(item.other)}"):
                    st.html(f'<div class="nc-doc">{explore.mark_spans(other.text, [])}</div>')
            st.radio("Your label", list(explore.STATUSES[:4]), index=None, horizontal=True, key=f"ex_{k}")
        submitted = st.form_submit_button("Check my answers", type="primary")
    if submitted:
        st.session_state["exercise_checked"] = True
    if not st.session_state.get("exercise_checked"):
        st.caption("Label every pair, then press “Check my answers” to see the tool's label, its evidence "
                   "and the answer key.")
        return
    mine = [st.session_state.get(f"ex_{k}") for k in range(len(items))]
    you = sum(m == item.expected for m, item in zip(mine, items))
    tool = sum(item.correct for item in items)
    st.success(f"You matched the answer key on {you} of {len(items)} pairs; the tool on {tool} of {len(items)}.")
    for k, (item, m) in enumerate(zip(items, mine)):
        with st.container(border=True):
            st.html(
                f"<p><b>Pair {k + 1}</b>: {explore.esc(item.answer.source)} and {explore.esc(item.other)}</p>"
                f"<p>You: {explore.badge(m) if m else 'no answer'} · tool: "
                f"{explore.badge(item.got) if item.got else 'not found'} · answer key: {explore.badge(item.expected)}</p>"
                f"<p><i>Why (answer key)</i>: {explore.esc(item.answer.why)}</p>"
            )
            if item.label is not None:
                ev = item.label.evidence
                st.html(f"<p><i>Why (tool)</i>: {explore.esc(explore.evidence_value(ev, 'rationale', ''))}"
                        + (f"; differences: {explore.esc(explore.describe_discrepancies(item.label))}"
                           if explore.describe_discrepancies(item.label) else "") + "</p>")
                other_id = ids.get(item.other)
                if other_id and item.point is not None and item.point.passages.get(other_id):
                    st.html(f"<p>{explore.esc(item.other)} on this point:</p>" + "".join(
                        explore.passage_html(comparison, item.point, pid) for pid in item.point.passages[other_id]))
    if st.button("Try again", key="exercise_reset"):
        for k in range(len(items)):
            st.session_state.pop(f"ex_{k}", None)
        st.session_state["exercise_checked"] = False
        st.rerun()


def _teach_mistakes(comparison, choice) -> None:
    pairs = _keyed(comparison)
    right = sum(p.correct for p in pairs)
    st.metric("tool agrees with the answer key", f"{right} of {len(pairs)} pairs")
    rows = [
        {"answer": p.answer.id, "kind": p.answer.kind, "source": p.answer.source, "other source": p.other,
         "answer key": p.expected, "tool": p.got or "not found", "right": "✓" if p.correct else "✗",
         "why (key)": p.answer.why}
        for p in sorted(pairs, key=lambda p: p.correct)
    ]
    st.dataframe(rows, hide_index=True)


def _teach_context(comparison, choice) -> None:
    pairs = [p for p in _keyed(comparison) if p.point is not None]
    if pairs:
        show_point(comparison, pairs[0].point.id, key="teach_ctx")


def _teach_lachin_matrix(comparison, choice) -> None:
    st.dataframe(
        [{"party": s.party, "provenance": s.provenance or "not stated", "date": s.date or "", "title": s.title or ""}
         for s in comparison.sources],
        hide_index=True,
    )
    _teach_matrix(comparison, choice)


def _teach_lachin_framing(comparison, choice) -> None:
    show_framing(comparison, key="teach_fr",
                 default=("Azerbaijan MFA", "Armenia MFA", "Nagorno-Karabakh authorities", "Russia at the UNSC"))


def _teach_lachin_contested(comparison, choice) -> None:
    points = explore.select_points(comparison, sort="contested")[:5]
    point_id = st.selectbox("The most contested points", [p.id for p in points], key="teach_contested",
                            format_func=lambda i: f"{i} · {next(p for p in points if p.id == i).summary}")
    show_point(comparison, point_id, key="teach_lc")


SHOWS = {
    "accounts": _teach_accounts,
    "embedding": _teach_embedding,
    "matrix": _teach_matrix,
    "labels": _teach_labels,
    "evidence": _teach_evidence,
    "exercise": _teach_exercise,
    "mistakes": _teach_mistakes,
    "context": _teach_context,
    "lachin-matrix": _teach_lachin_matrix,
    "lachin-framing": _teach_lachin_framing,
    "lachin-contested": _teach_lachin_contested,
}


def main() -> None:
    started = time.perf_counter()
    choice = sidebar()
    if choice["mode"] == "Teach":
        teach_mode(choice)
    else:
        explore_mode(choice)
    # Read by benchmarks/app_speed.py: the script's own time, without the test harness.
    st.session_state["script_seconds"] = time.perf_counter() - started


main()

"""What the Streamlit app needs that is not drawing: the app (``app.py``) is a thin shell over this.

* **inputs**: corpus events, and events built from uploaded files or pasted
  texts, with size limits; every problem is an :class:`InputError` whose
  message the app shows in the page;
* **preparation** with a progress callback, and hash-safe cache keys;
* **overview**: the coverage matrix (as a data frame and as an escaped HTML
  table), counts, filters and sorting;
* **drill-down**: pair evidence rows and passages highlighted in their
  original documents (escaped HTML, only ``<mark>`` added);
* **teaching**: the lesson steps, the answer key checked against the tool, and
  the "you decide" exercise;
* **export**: the batch report files.

Everything that puts document text into HTML goes through :func:`esc`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from compare.bench.answer_key import Answer, load_answer_key, locate
from compare.documents import (
    HTML_SUFFIXES,
    RESERVED_NAMES,
    TEXT_SUFFIXES,
    build_event,
    check_fields,
    decode_text,
    load_event,
    source_from_html,
    source_from_text,
)
from compare.errors import InputError
from compare.judge import Thresholds
from compare.records import Comparison, Event, PairLabel, Point, Source
from compare.report import CELL_MEANINGS, CELL_SYMBOLS

#: Largest file or pasted text the app accepts, in bytes (the statements of an
#: event are a few pages; a larger file is almost certainly the wrong file).
MAX_TEXT_BYTES = 1_000_000
#: Most sources one comparison in the app may hold.
MAX_SOURCES = 30
#: Suffixes the uploader accepts.
UPLOAD_TYPES = ("txt", "md", "markdown", "html", "htm")
#: Cell statuses in the order of the legend.
STATUSES = ("agree", "diverge", "related", "silent", "sole")
COLOURS = {
    "agree": "#2e7d32",
    "diverge": "#c62828",
    "related": "#f9a825",
    "silent": "#e0e0e0",
    "sole": "#5c6bc0",
}
TEXT_COLOURS = {"agree": "#fff", "diverge": "#fff", "related": "#222", "silent": "#555", "sole": "#fff"}
SYMBOLS = CELL_SYMBOLS
MEANINGS = CELL_MEANINGS
SORTS = ("position", "contested")


# --- escaping -------------------------------------------------------------


_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "<>&\"'\\`*_{}[]()#+!|~$:=^-"}


def esc(text: Any) -> str:
    """HTML-escape a piece of text, and defuse what Streamlit's Markdown would read.

    Besides ``< > & " '`` the characters that Markdown, LaTeX (``$``) and
    Streamlit's directives (``:red[...]``, ``:material/...:``) use become
    numeric entities, so a document reads as the same characters and nothing
    else, whichever renderer the HTML ends up in.
    """
    return str(text).translate(_ENTITIES)


def esc_md(text: Any) -> str:
    """Escape text for a Markdown context (a widget label, a caption): backslashes before markup."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~$:.=^-])", r"\\\1", text)


def _lines(text: str) -> str:
    """Escaped text with its line breaks kept, on one line of HTML (no blank line ends the block)."""
    return esc(text).replace("\r\n", "\n").replace("\n", "<br>")


# --- inputs ---------------------------------------------------------------


@dataclass(frozen=True)
class CorpusEvent:
    name: str
    path: Path
    title: str


def corpus_events(root: str | Path) -> list[CorpusEvent]:
    """The event folders under ``root`` (those with at least two source files)."""
    import yaml

    out = []
    root = Path(root)
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        sources = [
            f
            for f in folder.iterdir()
            if f.is_file()
            and f.name.lower() not in RESERVED_NAMES
            and f.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES
        ]
        if len(sources) < 2:
            continue
        title = folder.name
        meta = folder / "event.yaml"
        if meta.exists():
            try:
                data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
                title = str(data.get("title") or title) if isinstance(data, dict) else title
            except (yaml.YAMLError, UnicodeDecodeError):
                pass
        out.append(CorpusEvent(folder.name, folder, title))
    return out


@dataclass(frozen=True)
class TextInput:
    """One statement the user gave: an uploaded file (``data``) or a pasted text (``text``)."""

    label: str
    party: str = ""
    date: str = ""
    data: bytes | None = None
    text: str | None = None

    @property
    def is_file(self) -> bool:
        return self.data is not None


def source_from_input(item: TextInput) -> Source:
    """One :class:`Source` from an upload or a paste, or a clear :class:`InputError`."""
    size = len(item.data) if item.is_file else len((item.text or "").encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise InputError(
            item.label,
            f"is {size / 1e6:.1f} MB; the app takes texts of up to {MAX_TEXT_BYTES / 1e6:.0f} MB each",
        )
    party = " ".join(item.party.split())
    metadata = check_fields({"date": item.date.strip() or None}, ("date",), item.label)
    if not item.is_file:
        if not (item.text or "").strip():
            raise InputError(item.label, "is empty: paste the statement's text, or remove this entry")
        if not party:
            raise InputError(item.label, "has no party name: say whose statement this is")
        return source_from_text(item.text or "", default_party=party, metadata={"party": party, **metadata})
    suffix = Path(item.label).suffix.lower()
    if suffix.lstrip(".") not in UPLOAD_TYPES:
        raise InputError(item.label, f"is not a text, Markdown or HTML file (accepted: {', '.join(UPLOAD_TYPES)})")
    text = decode_text(item.data or b"", item.label)
    if not text.strip():
        raise InputError(item.label, "is empty")
    if suffix in HTML_SUFFIXES:
        source = source_from_html(text, item.label, party=party or None)
        return replace(source, **metadata)
    meta = {"party": party, **metadata} if party else metadata
    return source_from_text(text, path=item.label, default_party=Path(item.label).stem, metadata=meta)


def event_from_inputs(items: Sequence[TextInput], title: str = "Your statements") -> Event:
    """An event from the user's uploads and pastes (entries left wholly blank are skipped)."""
    items = [i for i in items if i.is_file or (i.text or "").strip() or i.party.strip()]
    if len(items) > MAX_SOURCES:
        raise InputError(None, f"{len(items)} statements: the app compares at most {MAX_SOURCES} at once")
    sources = [source_from_input(i) for i in items]
    if len(sources) < 2:
        found = "no statement" if not sources else "only one statement"
        raise InputError(None, f"{found}: add at least two (upload files or paste texts) to compare")
    return build_event(sources, title=title)


def event_key(event: Event) -> tuple:
    """A hashable, content-only key for an event: equal keys, equal comparisons."""
    return (
        event.title,
        event.date,
        tuple(tuple(getattr(s, f.name) for f in fields(s)) for s in event.sources),
    )


def default_model() -> str:
    from compare.embeddings import DEFAULT_MODEL

    return DEFAULT_MODEL


AUTO_MODEL = "auto"


def model_choices() -> list[str]:
    """Model options: ``auto`` (by the sources' languages), then the named models."""
    return [AUTO_MODEL, default_model(), "multilingual"]


def choose_model(requested: str, languages: Iterable[str]) -> tuple[str, str | None]:
    """The model to embed with, and a note when it was picked for the sources' languages."""
    from compare.embeddings import multilingual

    requested_or_none = None if requested in (AUTO_MODEL, "") else requested
    model, note = multilingual.choose_model(requested_or_none, list(languages))
    return model or default_model(), note


def default_thresholds(model: str) -> Thresholds:
    """The engine's default thresholds for a model (they differ for a multilingual one)."""
    from compare.embeddings.multilingual import thresholds_for

    return thresholds_for(model)


def judge_choices() -> list[str]:
    """The judges this engine offers: ``trained`` where its shipped model is installed (and
    ``trained+nli`` with the built-in NLI model), and ``rules``."""
    from compare.judge import trained
    from compare.judge.nli import builtin_available

    if not trained.shipped_available():
        return ["rules"]
    return ["trained", *([trained.WITH_NLI] if builtin_available() else []), "rules"]


def make_judge(kind: str, thresholds: Thresholds, model: str) -> Any:
    """The judge named ``kind`` (as the command line's ``--judge``)."""
    from compare.judge import RuleJudge, trained

    if kind == "rules":
        return RuleJudge(thresholds)
    return trained.make_judge(kind, thresholds, model)


def thresholds_from(values: Mapping[str, float]) -> Thresholds:
    """:class:`Thresholds` from a mapping, ignoring names it does not have."""
    names = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: float(v) for k, v in values.items() if k in names})


def prepare_with_progress(
    event: Event,
    embedder: Any,
    on_progress: Callable[[str, float], None] | None = None,
    *,
    batch: int = 32,
) -> Any:
    """:func:`compare.pipeline.prepare` with progress reports and time per stage.

    The passages not yet in the embedding cache are embedded in batches first
    (calling ``on_progress(message, fraction)`` after each), so that
    ``prepare`` then reads every vector from the cache. ``timings`` gains
    ``model`` (loading the model, when it was not loaded yet).
    """
    from compare.embeddings import EmbeddingCache
    from compare.passages import split_passages
    from compare.pipeline import prepare

    def say(message: str, fraction: float) -> None:
        if on_progress is not None:
            on_progress(message, fraction)

    texts = [p.text for s in event.sources for p in split_passages(s)]
    cached = embedder.cache.get(embedder.cache_key, texts) if embedder.cache is not None else {}
    todo = list(dict.fromkeys(t for t in texts if EmbeddingCache.key(t) not in cached))
    timings: dict[str, float] = {}
    if todo:
        if getattr(embedder, "_model", None) is None:
            say(f"Loading the model {embedder.name}", 0.0)
            t0 = time.perf_counter()
            embedder.model  # noqa: B018 - loads it
            timings["model"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(0, len(todo), batch):
            say(f"Embedding passages: {i} of {len(todo)}", i / len(todo))
            embedder.embed(todo[i : i + batch], progress=False)
        timings["embeddings (new)"] = time.perf_counter() - t0
    say("Embedding passages: done", 1.0)
    prepared = prepare(event, embedder, progress=False)
    prepared.timings = {**timings, **prepared.timings}
    prepared.embedded = len(todo)
    prepared.cached = len(texts) - len(todo) if embedder.cache is not None else 0
    return prepared


# --- overview -------------------------------------------------------------


def parties(comparison: Comparison) -> dict[str, str]:
    return {s.id: s.party for s in comparison.sources}


def select_points(
    comparison: Comparison,
    statuses: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
    sort: str = "position",
) -> list[Point]:
    """The points to show: a point stays if any chosen source's cell has a chosen status.

    ``sort="contested"`` puts the most contested points first (ties in text order).
    """
    statuses = set(STATUSES if statuses is None else statuses)
    chosen = list(comparison.source_ids if sources is None else sources)
    points = [p for p in comparison.points if any(p.cell(s) in statuses for s in chosen)]
    if sort == "contested":
        points = sorted(points, key=lambda p: -p.contestedness)  # stable: text order among ties
    elif sort != "position":
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
    return points


def matrix_frame(comparison: Comparison, points: Sequence[Point] | None = None, sources: Sequence[str] | None = None):
    """Points by sources, each cell a status; index ``point``, plus ``summary`` and ``contested``."""
    import pandas as pd

    points = comparison.points if points is None else points
    sources = comparison.source_ids if sources is None else list(sources)
    names = parties(comparison)
    rows = [
        {
            "point": p.id,
            "summary": p.summary,
            "contested": round(p.contestedness, 2),
            **{names[s]: p.cell(s) for s in sources},
        }
        for p in points
    ]
    columns = ["point", "summary", "contested", *(names[s] for s in sources)]
    return pd.DataFrame(rows, columns=columns).set_index("point")


def status_counts(comparison: Comparison, points: Sequence[Point] | None = None):
    """Cells of each status per source (rows: parties), over the given points."""
    import pandas as pd

    points = comparison.points if points is None else points
    names = parties(comparison)
    rows = []
    for sid in comparison.source_ids:
        counts = dict.fromkeys(STATUSES, 0)
        for p in points:
            counts[p.cell(sid)] += 1
        rows.append({"party": names[sid], **counts})
    return pd.DataFrame(rows, columns=["party", *STATUSES]).set_index("party")


def pair_label_counts(comparison: Comparison, points: Sequence[Point]) -> dict[str, int]:
    """Pair labels over the given points, silent pairs included (as :meth:`Comparison.label_counts`)."""
    return replace(comparison, points=list(points)).label_counts()


def legend_html() -> str:
    items = "".join(
        f'<span class="nc-key"><span class="nc-swatch" style="background:{COLOURS[s]};color:{TEXT_COLOURS[s]}">'
        f"{SYMBOLS[s]}</span> <b>{s}</b>: {esc(MEANINGS[s])}</span>"
        for s in STATUSES
    )
    return f'<div class="nc-legend">{items}</div>'


STYLE = """<style>
.nc-legend{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:.3rem 0 .6rem;font-size:.85rem}
.nc-swatch{display:inline-block;min-width:1.4em;text-align:center;border-radius:3px;font-weight:bold}
.nc-scroll{max-height:70vh;overflow:auto;border:1px solid #ddd;border-radius:4px}
table.nc-matrix{border-collapse:collapse;font-size:.8rem;width:100%}
table.nc-matrix th{position:sticky;top:0;background:#fafafa;z-index:1;vertical-align:bottom;
  padding:.25rem;border-bottom:1px solid #ccc;font-weight:600}
table.nc-matrix th.nc-src{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
  max-height:11rem;text-align:left;width:1.8rem}
table.nc-matrix td{padding:.15rem .3rem;border-bottom:1px solid #eee}
table.nc-matrix td.nc-cell{text-align:center;width:1.8rem;font-weight:bold}
table.nc-matrix td.nc-id{color:#666;white-space:nowrap}
table.nc-matrix tr.nc-selected td{outline:2px solid #1565c0}
.nc-bar{display:inline-block;height:.5rem;background:#c62828;border-radius:2px;vertical-align:middle}
.nc-passage{border-left:4px solid #999;padding:.3rem .6rem;margin:.2rem 0 .6rem;background:#fafafa;
  white-space:normal;font-size:.92rem}
.nc-doc{max-height:24rem;overflow:auto;border:1px solid #ddd;border-radius:4px;padding:.5rem .8rem;
  font-size:.9rem;line-height:1.45;background:#fff}
.nc-doc mark{background:#ffe082;padding:0 .1rem}
.nc-passage mark{background:#ffcdd2}
.nc-badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.8rem;font-weight:600}
.nc-meta{font-size:.8rem;color:#444}
.nc-meta td{padding:0 .6rem 0 0;vertical-align:top}
</style>"""


def badge(status: str) -> str:
    s = status if status in COLOURS else "silent"
    return (
        f'<span class="nc-badge" style="background:{COLOURS[s]};color:{TEXT_COLOURS[s]}">'
        f"{SYMBOLS[s]} {esc(status)}</span>"
    )


def matrix_html(
    comparison: Comparison,
    points: Sequence[Point],
    sources: Sequence[str] | None = None,
    selected: str | None = None,
) -> str:
    """The coverage matrix as one escaped HTML table (``table.nc-matrix``)."""
    sources = comparison.source_ids if sources is None else list(sources)
    names = parties(comparison)
    head = "".join(f'<th class="nc-src" title="{esc(names[s])}">{esc(names[s])}</th>' for s in sources)
    rows = []
    for p in points:
        cells = "".join(
            f'<td class="nc-cell nc-{st}" title="{esc(names[s])}: {st}" '
            f'style="background:{COLOURS[st]};color:{TEXT_COLOURS[st]}">{SYMBOLS[st]}</td>'
            for s in sources
            for st in (p.cell(s),)
        )
        width = round(p.contestedness * 3, 2)
        cls = ' class="nc-selected"' if p.id == selected else ""
        rows.append(
            f'<tr{cls} data-point="{esc(p.id)}"><td class="nc-id">{esc(p.id)}</td>'
            f"<td>{esc(p.summary)}</td>"
            f'<td title="contested {p.contestedness:.2f}"><span class="nc-bar" style="width:{width}rem"></span></td>'
            f"{cells}</tr>"
        )
    body = "".join(rows) or f'<tr><td colspan="{len(sources) + 3}">No point matches these filters.</td></tr>'
    return (
        f'<div class="nc-scroll"><table class="nc-matrix" id="nc-matrix"><thead><tr><th>point</th><th>summary</th>'
        f"<th>contested</th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


# --- drill-down -----------------------------------------------------------


def evidence_value(evidence: Any, name: str, default: Any = None) -> Any:
    """A field of :class:`Evidence`, or ``default`` when this engine version lacks it."""
    return getattr(evidence, name, default)


def describe_discrepancies(label: PairLabel) -> str:
    found = evidence_value(label.evidence, "discrepancies", ()) or ()
    return "; ".join(f"{d.kind}: {d.left!r} vs {d.right!r}" for d in found)


def pair_rows(comparison: Comparison, point: Point, include_silent: bool = True) -> list[dict[str, Any]]:
    """One row of evidence per pair of sources on ``point``."""
    names = parties(comparison)
    rows = []
    for lab in point.all_pairs(comparison.source_ids):
        if lab.label == "silent" and not include_silent:
            continue
        ev = lab.evidence
        probs = evidence_value(ev, "probabilities")
        row = {
            "source": names[lab.a],
            "other source": names[lab.b],
            "label": lab.label,
            "similarity": evidence_value(ev, "similarity"),
            "agreement": evidence_value(ev, "agreement"),
            "contradiction": evidence_value(ev, "contradiction"),
            "differences": describe_discrepancies(lab),
            "why": evidence_value(ev, "rationale", ""),
            "judge": evidence_value(ev, "judge", ""),
        }
        if probs:
            row["probabilities"] = ", ".join(f"{k} {float(v):.2f}" for k, v in dict(probs).items())
        skipped = evidence_value(ev, "checks_skipped", ()) or ()
        if skipped:
            row["checks skipped"] = "; ".join(skipped)
        rows.append(row)
    return rows


def discrepancy_spans(point: Point, passage_id: str) -> list[tuple[int, int]]:
    """Offsets (into the source text) of the discrepancies found in one passage on ``point``."""
    spans = set()
    for lab in point.pairs.values():
        for d in evidence_value(lab.evidence, "discrepancies", ()) or ():
            if d.left_passage == passage_id:
                spans.add((d.left_start, d.left_end))
            if d.right_passage == passage_id:
                spans.add((d.right_start, d.right_end))
    return sorted(spans)


def mark_spans(text: str, spans: Iterable[tuple[int, int]], offset: int = 0) -> str:
    """``text`` escaped, with each span (offsets minus ``offset``) wrapped in ``<mark>``.

    Overlapping spans are merged; spans outside the text are clipped.
    """
    merged: list[list[int]] = []
    for s, e in sorted((max(s - offset, 0), min(e - offset, len(text))) for s, e in spans):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, cursor = [], 0
    for s, e in merged:
        out.append(_lines(text[cursor:s]))
        out.append(f"<mark>{_lines(text[s:e])}</mark>")
        cursor = e
    out.append(_lines(text[cursor:]))
    return "".join(out)


def passage_html(comparison: Comparison, point: Point, passage_id: str) -> str:
    """One passage, escaped, with its discrepancies marked."""
    p = comparison.passages[passage_id]
    return f'<div class="nc-passage">{mark_spans(p.text, discrepancy_spans(point, passage_id), p.start)}</div>'


def document_html(comparison: Comparison, point: Point, source_id: str) -> str:
    """The source's whole text, escaped, with its passages on ``point`` in ``<mark>``."""
    source = comparison.source(source_id)
    spans = [(comparison.passages[pid].start, comparison.passages[pid].end) for pid in point.passages[source_id]]
    return f'<div class="nc-doc">{mark_spans(source.text, spans)}</div>'


def source_metadata(source: Source) -> dict[str, str]:
    """The metadata and provenance to show beside a document."""
    provenance = source.provenance or "not stated"
    if source.provenance == "paraphrase":
        provenance += " (written by this project from the party's statements; not the party's own words)"
    elif source.provenance == "original":
        provenance += " (the party's own words)"
    data = {
        "party": source.party,
        "title": source.title,
        "speaker": source.speaker,
        "date": source.date,
        "provenance": provenance,
        "url": source.url,
        "language": source.language,
        "file": source.path,
        "format": source.format,
    }
    return {k: str(v) for k, v in data.items() if v not in (None, "")}


def metadata_html(source: Source) -> str:
    rows = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in source_metadata(source).items())
    return f'<table class="nc-meta">{rows}</table>'


# --- framing --------------------------------------------------------------


def framing_frame(comparison: Comparison):
    """Every source's distinctive terms: party, term, z, count, others_count."""
    import pandas as pd

    names = parties(comparison)
    rows = [
        {"party": names[sid], "term": t.term, "z": t.z, "count": t.count, "others_count": t.others_count}
        for sid, terms in comparison.framing.items()
        for t in terms
    ]
    return pd.DataFrame(rows, columns=["party", "term", "z", "count", "others_count"])


def framing_chart_spec(frame, parties: Sequence[str]) -> dict[str, Any]:
    """A Vega-Lite spec: one bar chart of z-scores per party (built by hand: no validation cost on rerun)."""
    rows = [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame[frame["party"].isin(list(parties))].to_dict("records")
    ]
    return {
        "data": {"values": rows},
        "facet": {
            "row": {"field": "party", "type": "nominal", "title": None, "sort": list(parties),
                    "header": {"labelAngle": 0, "labelAlign": "left", "labelFontWeight": "bold"}}
        },
        "spec": {
            "mark": {"type": "bar"},
            "height": {"step": 16},
            "encoding": {
                "x": {"field": "z", "type": "quantitative", "title": "z-score (distinctiveness)"},
                "y": {"field": "term", "type": "nominal", "sort": "-x", "title": None},
                "color": {"field": "party", "type": "nominal", "legend": None},
                "tooltip": [{"field": f} for f in ("party", "term", "z", "count", "others_count")],
            },
        },
        "resolve": {"scale": {"y": "independent"}},
    }


def names_frame(comparison: Comparison):
    """The different names the sources use for the same referent, with party names."""
    import pandas as pd

    from compare.report import naming_variants

    names = parties(comparison)
    rows = [
        {
            "party": names[v["source"]],
            "says": v["name"],
            "other party": names[v["other_source"]],
            "other says": v["other_name"],
            "points": ", ".join(v["points"]),
        }
        for v in naming_variants(comparison)
    ]
    return pd.DataFrame(rows, columns=["party", "says", "other party", "other says", "points"])


# --- export ---------------------------------------------------------------

EXPORTS = {
    "html": ("HTML report", "text/html"),
    "md": ("Markdown report", "text/markdown"),
    "json": ("JSON data", "application/json"),
}


def export_file(comparison: Comparison, fmt: str, stem: str = "comparison") -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of the batch report in ``fmt``."""
    from compare.report import render

    if fmt not in EXPORTS:
        raise ValueError(f"unknown export format {fmt!r}")
    stem = re.sub(r"[^\w.-]+", "-", stem).strip("-") or "comparison"
    return render(comparison, fmt).encode("utf-8"), f"{stem}.{fmt}", EXPORTS[fmt][1]


# --- teaching -------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the guided walk: a title, a short text and what to show beside it."""

    title: str
    text: str
    show: str = ""
    event: str = "teaching-junction"


def read_lesson(folder: str | Path) -> list[tuple[str, str]]:
    """The ``## `` sections of ``lesson.md``: (heading without its number, body)."""
    path = Path(folder) / "lesson.md"
    if not path.exists():
        return []
    text = decode_text(path.read_bytes(), path)
    out = []
    for block in re.split(r"^## +", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        out.append((re.sub(r"^\d+[.)]\s*", "", heading.strip()), body.strip()))
    return out


#: What each lesson step shows, by a word of its heading.
_LESSON_SHOWS = (
    ("incident", "accounts"),
    ("embedding", "embedding"),
    ("points", "matrix"),
    ("labels", "labels"),
    ("evidence", "evidence"),
    ("decide", "exercise"),
    ("wrong", "mistakes"),
    ("original", "context"),
)

LACHIN_STEPS = (
    Step(
        "A real event: the Lachin road, December 2022",
        "Now the same tool on a real, contested event. One text is an original (the Azerbaijani foreign "
        "ministry's press release of 21 December 2022); the other eleven are paraphrases this project wrote "
        "from public statements. A paraphrase restates a party's position: it is not the party's words, so "
        "quote the original statements, never the paraphrase. The matrix shows which parties address which "
        "points.",
        "lachin-matrix",
        "lachin-road-2022",
    ),
    Step(
        "Names are framing",
        "The same road is the \u201cLachin road\u201d to one party and the \u201cLachin corridor\u201d to most "
        "others; one speaks of a \u201cblockade\u201d, another of \u201cprotests\u201d, a third of "
        "\u201cArtsakh\u201d. The chart shows the words each source uses far more than the others (a z-score "
        "above 1.96 means the difference is unlikely to be chance), and the table below lists the different "
        "names the tool found for the same thing on a shared point. Choosing a name is already taking a position.",
        "lachin-framing",
        "lachin-road-2022",
    ),
    Step(
        "Where the accounts clash, and where the tool can be wrong",
        "These are the most contested points. Open the evidence before you believe a label: a \u201cdiverge\u201d "
        "may rest on one negation or a date that refers to something else, and a \u201csilent\u201d only means "
        "the tool found no matching sentence. On a real event there is no answer key: your reading of the "
        "original words decides.",
        "lachin-contested",
        "lachin-road-2022",
    ),
)


def teaching_steps(teaching_folder: str | Path) -> list[Step]:
    """The guided walk: the teaching event's lesson, then the Lachin event."""
    steps = []
    for title, body in read_lesson(teaching_folder):
        show = next((s for word, s in _LESSON_SHOWS if word in title.lower()), "")
        steps.append(Step(title, body, show, Path(teaching_folder).name))
    return steps + list(LACHIN_STEPS)


@dataclass
class KeyedPair:
    """One pair from the answer key: the key's label beside the tool's, with the evidence."""

    answer: Answer
    other: str
    expected: str
    point: Point | None = None
    passage_id: str | None = None
    label: PairLabel | None = None

    @property
    def got(self) -> str | None:
        return self.label.label if self.label is not None else None

    @property
    def correct(self) -> bool:
        return self.got == self.expected


def keyed_pairs(comparison: Comparison, answers: Sequence[Answer]) -> list[KeyedPair]:
    """Every (answer, other party) of the key with the tool's label and its evidence."""
    ids = {s.party: s.id for s in comparison.sources}
    out = []
    for answer in answers:
        found = locate(comparison, answer.source, answer.quote)
        for other, expected in answer.expected.items():
            item = KeyedPair(answer, other, expected)
            if found is not None and other in ids and answer.source in ids:
                passage, point = found
                item.point, item.passage_id = point, passage.id
                item.label = point.pair(ids[answer.source], ids[other])
            out.append(item)
    return out


def exercise_pairs(pairs: Sequence[KeyedPair], n: int = 6) -> list[KeyedPair]:
    """A few pairs for the student to label: one per kind of answer in turn, non-silent first."""
    by_kind: dict[str, list[KeyedPair]] = {}
    for p in sorted(pairs, key=lambda p: p.expected == "silent"):  # stable: key order otherwise
        group = by_kind.setdefault(p.answer.kind, [])
        if all(q.answer.id != p.answer.id for q in group):  # one pair per answer
            group.append(p)
    out: list[KeyedPair] = []
    while len(out) < n and any(by_kind.values()):
        for group in by_kind.values():
            if group and len(out) < n:
                out.append(group.pop(0))
    return out


def load_answers(folder: str | Path) -> list[Answer]:
    return load_answer_key(folder)


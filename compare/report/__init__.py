"""Stage 7: the batch report, as JSON, Markdown or one self-contained HTML file.

All three are rendered from :func:`to_dict`, the documented JSON form of a
:class:`Comparison`, so they always say the same thing. HTML and Markdown go
through Jinja2 templates; HTML autoescapes every piece of document text, and
Markdown escapes the characters that would otherwise become markup.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, BinaryIO

import jinja2

from compare.records import LABELS, Comparison, Discrepancy, Evidence, PairLabel, Point, Position

from .contested import (
    PLACED_MARK,
    SIDE_TITLES,
    STANCE_MEANINGS,
    STANCE_SYMBOLS,
    differing_values,
    disputes,
    group_sides,
    quote,
    sole_claims,
    stance_counts,
    stance_of,
)
from .output import IN_PLACE, STDOUT, check_output, resolve_output, temporary_beside
from .pairs import (Differences, all_pairs, cell_dict, evidence_defaults, full_cell, is_implied, listed_pair,
                    speaking_pairs, stance_label)

SCHEMA = "narrative-compare/report-6"
FORMATS = ("html", "md", "json")
#: How the JSON is laid out: ``readable`` (indented head) or ``compact`` (no spaces); see :func:`render_chunks`.
JSON_STYLES = ("compact", "readable")
#: From this many cells (points x sources: 20 sources on 1,000 claims) the JSON is compact unless asked otherwise;
#: below it the spaces cost little (a few percent) and the head stays easy to read.
COMPACT_FROM_CELLS = 20_000
#: The HTML shows this many rows of a long list (the claims by sources, a source's sole claims) and folds the rest.
SHOWN_ROWS = 100
CELL_SYMBOLS = {"agree": "✓", "diverge": "✗", "related": "~", "silent": "·", "sole": "●"}
CELL_MEANINGS = {
    "agree": "agrees with every other source that speaks",
    "diverge": "diverges from at least one other source",
    "related": "addresses the point, without clear agreement or divergence",
    "sole": "the only source on this point",
    "silent": "says nothing on this point",
}


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The whole result as plain JSON-ready data (the schema is in the README)."""
    data = _head(comparison)
    data["points"] = list(_point_dicts(comparison))
    return data


def _head(comparison: Comparison) -> dict[str, Any]:
    """Everything in :func:`to_dict`, with ``points`` left as ``None`` (it is by far the largest part)."""
    event = comparison.event
    return {
        "schema": SCHEMA,
        "tool": {"name": "narrative-compare", "version": comparison.version},
        "model": comparison.model,
        "judge": comparison.judge,
        "settings": comparison.settings,
        "notices": list(comparison.notices),
        "event": {"title": event.title, "date": event.date, "summary": event.summary, "path": event.path},
        "sources": [
            {
                "id": s.id,
                "party": s.party,
                "title": s.title,
                "speaker": s.speaker,
                "date": s.date,
                "url": s.url,
                "language": s.language,
                "provenance": s.provenance,
                "path": s.path,
                "format": s.format,
                "text": s.text,
            }
            for s in comparison.sources
        ],
        "passages": passage_table(comparison),
        "disputes": [p.id for p in disputes(comparison)],
        "sole_claims": sole_claims(comparison),
        "points": None,
        "framing": {sid: [asdict(t) for t in terms] for sid, terms in comparison.framing.items()},
        "names": naming_variants(comparison),
        "counts": {**comparison.label_counts(), "stances": stance_counts(comparison)},
        "timings": {k: round(v, 4) for k, v in comparison.timings.items()},
    }


def _point_dicts(comparison: Comparison) -> Iterator[dict[str, Any]]:
    """Each point's dict in turn, so that a JSON report can write one and drop it."""
    order = comparison.source_ids
    for point in comparison.points:
        yield _point_dict(comparison, point, order)


def _point_dict(comparison: Comparison, point: Point, order: list[str]) -> dict[str, Any]:
    passages = comparison.passages
    cells = point.cells()
    claim = passages.get(point.claim) if point.claim else None
    differences = Differences()
    pairs = [differences.written(pair, point.positions.get(pair["a"]), point.positions.get(pair["b"]))
             for pair in _pair_dicts(point, order, comparison.judge)]
    read = comparison.settings.get("read")
    written = {sid: _cell_dict(point, sid, cells[sid], read) for sid in order}
    for sid, values in differences.values.items():
        written[sid]["values"] = values
    return {
        "id": point.id,
        "summary": point.summary,
        "claim": {"passage": claim.id, "source": claim.source_id, "text": claim.text} if claim else None,
        "contestedness": round(point.contestedness, 4),
        "cells": written,
        "differences": differences.rows,
        "pairs": pairs,
    }


def passage_table(comparison: Comparison) -> dict[str, dict[str, Any]]:
    """Every passage of the event once, by id: the points' cells and claims name passages by id.

    Listing a passage once rather than in every cell that names it keeps a large report
    small: in a 100 x 100 event a passage is named by a dozen cells on average.
    """
    return {
        p.id: {
            "source": p.source_id,
            "start": p.start,
            "end": p.end,
            "text": p.text,
            "language": p.language,
            "window": list(p.window) if p.window else None,
        }
        for p in comparison.passages.values()
    }


def _cell_dict(point: Point, sid: str, status: str, read: float | None) -> dict[str, Any]:
    """One source on one point: its matrix status, its stance on the claim and why, and its passages' ids
    (the fields at their default left out: :func:`compare.report.pairs.cell_dict`)."""
    position = point.positions.get(sid) or Position(stance_of(point, sid))  # type: ignore[arg-type]
    return cell_dict(status, position, point.passages[sid], read)


def _pair_dicts(point: Point, order: list[str], judge: str) -> list[dict[str, Any]]:
    """The pairs a report writes for ``point``: those of ``point.pairs`` that the cells do not give.

    A pair that :func:`compare.report.pairs.is_implied` rebuilds is left out, as are the pairs the
    point does not hold (a silent side, or the stances' own label with nothing more to show).
    """
    members = [sid for sid in order if sid in point.passages]
    rank = {sid: i for i, sid in enumerate(members)}
    positions = point.positions
    written = [lab for lab in point.pairs.values()
               if not (point.passages[lab.a] and point.passages[lab.b])
               or not is_implied(lab, positions.get(lab.a), positions.get(lab.b), judge)]
    written.sort(key=lambda lab: sorted((rank[lab.a], rank[lab.b])))
    return [_pair_dict(lab, judge) for lab in written]


def _pair_dict(lab: PairLabel, judge: str) -> dict[str, Any]:
    if lab.label == "silent" and lab.evidence.silent:
        # Kept small: with many sources, most pairs on most points are silent.
        # (A judge may also call a pair in which both speak silent; that keeps its evidence.)
        return {"a": lab.a, "b": lab.b, "label": "silent", "divergence": [], "evidence": {"silent": list(lab.evidence.silent)}}
    return {
        "a": lab.a,
        "b": lab.b,
        "label": lab.label,
        "divergence": list(lab.divergence_kinds),
        "evidence": _evidence_dict(lab.evidence, judge),
    }


_EVIDENCE_FIELDS = tuple(f.name for f in fields(Evidence))
#: A discrepancy's fields are strings and integers, so a dict of them is what ``asdict`` gives.
_DISCREPANCY_FIELDS = tuple(f.name for f in fields(Discrepancy))


def _evidence_dict(ev: Evidence, judge: str) -> dict[str, Any]:
    """The evidence's fields that differ from :func:`~compare.report.pairs.evidence_defaults` (the report's
    judge, no scores, nothing skipped), the tuples as lists.

    Built field by field rather than by ``asdict``, whose deep copy of every
    value costs more than the rest of a large report's JSON (one evidence per
    labelled pair); the values are strings, numbers and flat dataclasses.
    """
    data = {name: getattr(ev, name) for name in _EVIDENCE_FIELDS}
    data["best_pair"] = list(ev.best_pair) if ev.best_pair else None
    data["discrepancies"] = [{name: getattr(d, name) for name in _DISCREPANCY_FIELDS} for d in ev.discrepancies]
    data["silent"] = list(ev.silent)
    data["checks_skipped"] = list(ev.checks_skipped)
    data["probabilities"] = dict(ev.probabilities) if ev.probabilities is not None else None
    defaults = evidence_defaults(judge)
    return {key: value for key, value in data.items() if value != defaults[key]}


def naming_variants(comparison: Comparison) -> list[dict[str, Any]]:
    """The different names sources use for the same referent, gathered over all points."""
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for point in comparison.points:
        for lab in point.pairs.values():
            for d in lab.evidence.discrepancies:
                if d.kind != "naming":
                    continue
                key = (lab.a, _norm(d.left), lab.b, _norm(d.right))
                found.setdefault(key, [])
                if point.id not in found[key]:
                    found[key].append(point.id)
    return [
        {"source": a, "name": na, "other_source": b, "other_name": nb, "points": pts}
        for (a, na, b, nb), pts in sorted(found.items())
    ]


def _norm(name: str) -> str:
    return " ".join(name.split())


# --- rendering ------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compare.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = escape_markdown
    env.filters["pct"] = lambda x: "–" if x is None else f"{x:.2f}"
    return env


def escape_markdown(text: Any) -> str:
    """Backslash-escape what Markdown would read as markup; keep text on one line."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", text)


def render(comparison: Comparison, fmt: str, json_style: str | None = None) -> str:
    """The report in one of :data:`FORMATS`, as one string (``json_style``: see :func:`render_chunks`)."""
    return "".join(render_chunks(comparison, fmt, json_style))


def json_style_for(comparison: Comparison) -> str:
    """``compact`` when the event has :data:`COMPACT_FROM_CELLS` cells (points x sources) or more, else ``readable``."""
    return "compact" if len(comparison.points) * len(comparison.sources) >= COMPACT_FROM_CELLS else "readable"


def render_chunks(comparison: Comparison, fmt: str, json_style: str | None = None) -> Iterator[str]:
    """The report in pieces, so that a large one is written without being held whole.

    ``json_style`` is ``readable`` (the head indented, a point per line), ``compact`` (no
    indentation and no spaces; still a point per line) or ``None``: :func:`json_style_for`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if json_style not in (None, *JSON_STYLES):
        raise ValueError(f"unknown JSON style {json_style!r}; choose one of {', '.join(JSON_STYLES)}")
    if fmt == "json":
        yield from _json_chunks(comparison, json_style or json_style_for(comparison))
        return
    data = to_dict(comparison)
    read = comparison.settings.get("read")
    for point in data["points"]:  # the templates read every field of a cell and every evidence field of a listed pair
        point["pairs"] = [listed_pair(pair, comparison.judge, point) for pair in point["pairs"]]
        point["cells"] = {sid: full_cell(cell, read) for sid, cell in point["cells"].items()}
    context = _context(comparison, data)
    template = _environment().get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    yield from template.generate(**context)


def _json_chunks(comparison: Comparison, style: str) -> Iterator[str]:
    """The JSON report: the head, then the points one per line, each made, written and dropped in turn.

    A point per line keeps a large report greppable and lets json's C encoder
    write it (with an indent it falls back to Python, 40 s for a 100 x 100
    event); the points are never held whole, neither as data nor as text.
    Readable indents the head and puts a space after each ``:`` and ``,``;
    compact leaves out every space that is not in a string.
    """
    compact = style == "compact"
    separators = (",", ":") if compact else (", ", ": ")
    # "between keys", "after a key", "before a point", "after the last point", "the end"
    comma, colon, first, last, end = (",", ":", "\n", "\n", "}\n") if compact else (",\n ", ": ", "\n  ", "\n ", "\n}\n")
    head = _head(comparison)
    sep = "{" if compact else "{\n "
    for key, value in head.items():
        yield f"{sep}{json.dumps(key)}{colon}"
        sep = comma
        if key != "points":
            if compact:
                yield json.dumps(value, ensure_ascii=False, separators=separators)
            else:
                yield json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n ")
        elif not comparison.points:
            yield "[]"
        else:
            between = "[" + first
            for point in _point_dicts(comparison):
                yield between + json.dumps(point, ensure_ascii=False, separators=separators)
                between = "," + first
            yield last + "]"
    yield end


def _context(comparison: Comparison, data: dict[str, Any]) -> dict[str, Any]:
    parties = {s["id"]: s["party"] for s in data["sources"]}
    contested = set(data["disputes"])
    return {
        "data": data,
        "sources": {s["id"]: s for s in data["sources"]},
        "labels": LABELS,
        "symbols": CELL_SYMBOLS,
        "meanings": CELL_MEANINGS,
        "stance_symbols": STANCE_SYMBOLS,
        "stance_meanings": STANCE_MEANINGS,
        "side_titles": SIDE_TITLES,
        "placed_mark": PLACED_MARK,
        "point_by_id": {p["id"]: p for p in data["points"]},
        # The sides of each dispute, grouped as compare.report.contested groups them for the app too.
        "sides": {
            p["id"]: group_sides({sid: c["stance"] for sid, c in p["cells"].items()}, parties)
            for p in data["points"]
            if p["id"] in contested
        },
        # The values that differ on each dispute, a line per pair of values (not per pair of sources).
        "differing": {
            p["id"]: differing_values(
                ((pair["a"], pair["b"], d) for pair in p["pairs"] if pair["label"] == "diverge"
                 for d in pair["evidence"].get("discrepancies", ())), parties)
            for p in data["points"]
            if p["id"] in contested
        },
        "quote": lambda cell: quote(cell, data["passages"]),
        "passage": lambda pid: {"id": pid, **data["passages"][pid]},
        "originals": {s.id: list(_segments(comparison, s.id)) for s in comparison.sources},
        "point_of": {
            pid: point.id for point in comparison.points for ps in point.passages.values() for pid in ps
        },
        "highlight": _highlight,
        "implied": {p["id"]: _implied_counts(p) for p in data["points"]},
        "shown_rows": SHOWN_ROWS,
    }


def _implied_counts(point: dict[str, Any]) -> dict[str, int]:
    """How many pairs of speaking sources the report leaves to the cells (not in ``pairs``), by label."""
    cells = point["cells"]
    listed = {(p["a"], p["b"]) for p in point["pairs"]} | {(p["b"], p["a"]) for p in point["pairs"]}
    counts: dict[str, int] = {}
    for a, b in speaking_pairs(list(cells), [bool(c["passages"]) for c in cells.values()]):
        if (a, b) not in listed:
            label = stance_label(cells[a]["stance"], cells[b]["stance"])
            counts[label] = counts.get(label, 0) + 1
    return {label: counts[label] for label in LABELS if label in counts}


def _segments(comparison: Comparison, source_id: str) -> Iterator[tuple[str, str | None]]:
    """A source's text cut into (text, passage id or None) runs, for anchors in HTML.

    Windows of a long passage overlap: each run starts where the one before ended, so
    that no text shows twice.
    """
    text = comparison.source(source_id).text
    cursor = 0
    for p in sorted(
        (p for p in comparison.passages.values() if p.source_id == source_id), key=lambda p: p.start
    ):
        if p.start > cursor:
            yield text[cursor : p.start], None
        if p.end > cursor:
            yield text[max(p.start, cursor) : p.end], p.id
            cursor = p.end
    if cursor < len(text):
        yield text[cursor:], None


def _highlight(passage: dict[str, Any], point: dict[str, Any]) -> list[tuple[str, bool]]:
    """Cut a passage into runs, marking the spans that the point's discrepancies point at."""
    marks = _marks(point).get(passage["id"], ())
    text = passage["text"]
    runs: list[tuple[str, bool]] = []
    cursor = 0
    for s, e in sorted(set(marks)):
        s = max(s - passage["start"], cursor)
        e -= passage["start"]
        if s >= e:
            continue
        if s > cursor:
            runs.append((text[cursor:s], False))
        runs.append((text[s:e], True))
        cursor = e
    if cursor < len(text):
        runs.append((text[cursor:], False))
    return runs


def _marks(point: dict[str, Any]) -> dict[str, list[tuple[int, int]]]:
    """Discrepancy spans by passage id, worked out once per point (kept on the point's dict)."""
    if "_marks" not in point:
        marks: dict[str, list[tuple[int, int]]] = {}
        # A silent pair's evidence is only {"silent": [...]}: it has no discrepancies key.
        for pair in point["pairs"]:
            for d in pair["evidence"].get("discrepancies", ()):
                for side in ("left", "right"):
                    marks.setdefault(d[f"{side}_passage"], []).append((d[f"{side}_start"], d[f"{side}_end"]))
        point["_marks"] = marks
    return point["_marks"]


#: gzip's level for a report named ``*.gz``: the ``gzip`` command's default, not Python's 9 (a 52 MB JSON
#: report becomes 3.59 MB in 0.4 s at 6, 3.35 MB in 0.9 s at 9).
GZIP_LEVEL = 6


def is_compressed(out: str | Path) -> bool:
    """Whether a report written to ``out`` is gzip-compressed: its name ends in ``.gz`` (``lachin.json.gz``)."""
    return str(out).lower().endswith(".gz")


def write_report(comparison: Comparison, fmt: str, out: str | Path | None, json_style: str | None = None) -> str | None:
    """Write the report to ``out`` without damaging what is there.

    With ``out=None`` the report is returned as a string instead; ``"-"`` writes it to
    standard output (``json_style``: see :func:`render_chunks`). A regular file is replaced atomically (a temporary file beside it,
    renamed into place), so a failure while rendering or writing leaves no partial file and
    any old report intact; a symbolic link is followed and its target written so; a device
    or FIFO is written in place (see :mod:`compare.report.output`). A name that ends in
    ``.gz`` is written gzip-compressed (:func:`is_compressed`). Errors are raised as
    they come (an OSError for a failed write); the command line turns them into one line.
    """
    if out is None:
        return render(comparison, fmt, json_style)
    where = resolve_output(out)
    if where.kind == STDOUT:
        for chunk in render_chunks(comparison, fmt, json_style):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return None
    assert where.target is not None and where.path is not None
    compressed = is_compressed(where.path)
    if where.kind == IN_PLACE:
        # Opened without O_CREAT or O_TRUNC: a device or FIFO is written, never replaced.
        with open(os.open(where.target, os.O_WRONLY), "wb") as fh:
            _write_chunks(fh, render_chunks(comparison, fmt, json_style), compressed, where.path.name)
        return None
    # A new file beside the target, created with the usual mode (the system applies the
    # umask, as for any new file; tempfile.mkstemp would make it private, 0600).
    tmp = temporary_beside(where.target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_chunks(fh, render_chunks(comparison, fmt, json_style), compressed, where.path.name)
        os.replace(tmp, where.target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return None


def _write_chunks(fh: BinaryIO, chunks: Iterable[str], compressed: bool, name: str) -> None:
    """Write the chunks as UTF-8 to ``fh``, through gzip at :data:`GZIP_LEVEL` when ``compressed``.

    The gzip header records the report's own name (without ``.gz``, as gzip does) and no
    time, so the same report compresses to the same bytes.
    """
    if not compressed:
        for chunk in chunks:
            fh.write(chunk.encode("utf-8"))
        return
    with gzip.GzipFile(filename=name, mode="wb", fileobj=fh, compresslevel=GZIP_LEVEL, mtime=0) as gz:
        for chunk in chunks:
            gz.write(chunk.encode("utf-8"))


__all__ = [
    "COMPACT_FROM_CELLS", "FORMATS", "GZIP_LEVEL", "JSON_STYLES", "SCHEMA", "all_pairs", "check_output", "is_compressed",
    "json_style_for",
    "naming_variants", "render", "render_chunks", "resolve_output", "to_dict", "write_report",
]

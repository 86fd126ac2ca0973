"""Stage 7: the batch report, as JSON, Markdown or one self-contained HTML file.

All three are rendered from :func:`to_dict`, the documented JSON form of a
:class:`Comparison`, so they always say the same thing. HTML and Markdown go
through Jinja2 templates; HTML autoescapes every piece of document text, and
Markdown escapes the characters that would otherwise become markup.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import jinja2

from .errors import InputError
from .model import Comparison, PairLabel, Point

SCHEMA = "narrative-compare/report-1"
FORMATS = ("html", "md", "json")
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
    order = comparison.source_ids
    event = comparison.event
    return {
        "schema": SCHEMA,
        "tool": {"name": "narrative-compare", "version": comparison.version},
        "model": comparison.model,
        "judge": comparison.judge,
        "settings": comparison.settings,
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
        "points": [_point_dict(comparison, p, order) for p in comparison.points],
        "framing": {
            sid: [asdict(t) for t in terms] for sid, terms in comparison.framing.items()
        },
        "names": naming_variants(comparison),
        "counts": comparison.label_counts(),
        "timings": {k: round(v, 4) for k, v in comparison.timings.items()},
    }


def _point_dict(comparison: Comparison, point: Point, order: list[str]) -> dict[str, Any]:
    passages = comparison.passages
    cells = point.cells()
    return {
        "id": point.id,
        "summary": point.summary,
        "contestedness": round(point.contestedness, 4),
        "cells": {
            sid: {
                "status": cells[sid],
                "passages": [
                    {
                        "id": pid,
                        "start": passages[pid].start,
                        "end": passages[pid].end,
                        "text": passages[pid].text,
                        "language": passages[pid].language,
                    }
                    for pid in point.passages[sid]
                ],
            }
            for sid in order
        },
        "pairs": [_pair_dict(lab) for lab in point.all_pairs(order)],
    }


def _pair_dict(lab: PairLabel) -> dict[str, Any]:
    if lab.label == "silent" and lab.evidence.silent:
        # Kept small: with many sources, most pairs on most points are silent.
        # (A judge may also call a pair in which both speak silent; that keeps its evidence.)
        return {"a": lab.a, "b": lab.b, "label": "silent", "divergence": [], "evidence": {"silent": list(lab.evidence.silent)}}
    return {
        "a": lab.a,
        "b": lab.b,
        "label": lab.label,
        "divergence": list(lab.divergence_kinds),
        "evidence": _evidence_dict(lab.evidence),
    }


def _evidence_dict(ev) -> dict[str, Any]:
    data = asdict(ev)
    data["best_pair"] = list(ev.best_pair) if ev.best_pair else None
    data["discrepancies"] = list(data["discrepancies"])
    data["silent"] = list(ev.silent)
    data["checks_skipped"] = list(ev.checks_skipped)
    return data


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
        loader=jinja2.PackageLoader("compare", "templates"),
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


def render(comparison: Comparison, fmt: str) -> str:
    """The report in one of :data:`FORMATS`, as one string."""
    return "".join(render_chunks(comparison, fmt))


def render_chunks(comparison: Comparison, fmt: str) -> Iterator[str]:
    """The report in pieces, so that a large one is written without being held whole."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = to_dict(comparison)
    if fmt == "json":
        # iterencode streams: json.dumps of a 100-source event built a
        # 200-million-character string on top of the data (+1.8 GB).
        yield from json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(data)
        yield "\n"
        return
    context = _context(comparison, data)
    template = _environment().get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    yield from template.generate(**context)


def _context(comparison: Comparison, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": data,
        "sources": {s["id"]: s for s in data["sources"]},
        "symbols": CELL_SYMBOLS,
        "meanings": CELL_MEANINGS,
        "originals": {s.id: list(_segments(comparison, s.id)) for s in comparison.sources},
        "point_of": {
            pid: point.id for point in comparison.points for ps in point.passages.values() for pid in ps
        },
        "highlight": _highlight,
    }


def _segments(comparison: Comparison, source_id: str) -> Iterator[tuple[str, str | None]]:
    """A source's text cut into (text, passage id or None) runs, for anchors in HTML."""
    text = comparison.source(source_id).text
    cursor = 0
    for p in sorted(
        (p for p in comparison.passages.values() if p.source_id == source_id), key=lambda p: p.start
    ):
        if p.start > cursor:
            yield text[cursor : p.start], None
        yield text[p.start : p.end], p.id
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


def write_report(comparison: Comparison, fmt: str, out: str | Path | None) -> str | None:
    """Write the report to ``out`` atomically (a temporary file renamed into place).

    With ``out=None`` the report is returned as a string instead. A failure
    while rendering or writing leaves no partial file and any old report intact.
    """
    if out is None:
        return render(comparison, fmt)
    out = Path(out)
    if not out.parent.exists():
        raise InputError(out, f"cannot write the report: folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise InputError(out, "cannot write the report: this is a folder; name a file")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for chunk in render_chunks(comparison, fmt):
                fh.write(chunk)
        # mkstemp creates the file private (0600); a report gets the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return None


__all__ = ["FORMATS", "SCHEMA", "naming_variants", "render", "render_chunks", "to_dict", "write_report"]

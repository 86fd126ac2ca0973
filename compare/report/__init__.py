"""Stage 7: the batch report, as JSON, Markdown or one self-contained HTML file.

All three are rendered from :func:`to_dict`, the documented JSON form of a
:class:`Comparison`, so they always say the same thing. HTML and Markdown go
through Jinja2 templates; HTML autoescapes every piece of document text, and
Markdown escapes the characters that would otherwise become markup.
"""

from __future__ import annotations

import bisect
import copy
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, fields, is_dataclass
from functools import lru_cache
from json.encoder import encode_basestring as _encode_str  # json's C escaper where available
from pathlib import Path
from typing import Any

import jinja2

from compare.errors import InputError
from compare.records import Comparison, Evidence, PairLabel, Point

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
        "points": None,
        "framing": {sid: [_plain_dataclass(t) for t in terms] for sid, terms in comparison.framing.items()},
        "names": naming_variants(comparison),
        "counts": comparison.label_counts(),
        "timings": {k: round(v, 4) for k, v in comparison.timings.items()},
    }


def _silent_dict(a: str, b: str, silent: str) -> dict[str, Any]:
    """What ``_pair_dict`` writes for the pair that ``Point.pair`` makes when one side is silent."""
    return {"a": a, "b": b, "label": "silent", "divergence": [], "evidence": {"silent": [silent]}}


def _point_dicts(comparison: Comparison, silent: Callable[[str, str, str], Any] = _silent_dict) -> Iterator[dict[str, Any]]:
    """Each point's dict in turn, so that a JSON report can write one and drop it."""
    order = comparison.source_ids
    rank = {sid: i for i, sid in enumerate(order)}
    for point in comparison.points:
        yield _point_dict(comparison, point, order, rank, silent)


def _point_dict(
    comparison: Comparison, point: Point, order: list[str], rank: dict[str, int],
    silent: Callable[[str, str, str], Any] = _silent_dict,
) -> dict[str, Any]:
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
        "pairs": list(_pair_dicts(point, rank, silent)),
    }


def _pair_dicts(point: Point, rank: dict[str, int], silent: Callable[[str, str, str], Any]) -> Iterator[Any]:
    """``_pair_dict`` of each of ``point.all_pairs(order)``, in its order.

    Walks the pairs directly: ``all_pairs`` builds and sorts a set of keys and
    makes a ``PairLabel`` for every silent pair (hundreds of thousands of them
    in a large event), only for this function to turn each into a small dict.
    A pair with one silent side comes from ``silent(a, b, the silent one)``.
    """
    members = sorted(point.passages, key=rank.__getitem__)
    speaks = [bool(point.passages[sid]) for sid in members]
    speaking = [i for i, s in enumerate(speaks) if s]
    labelled = point.pairs
    n = len(members)
    for i, a in enumerate(members):
        # Pairs with a before b; pairs where neither speaks are left out.
        partners = range(i + 1, n) if speaks[i] else speaking[bisect.bisect_right(speaking, i):]
        for j in partners:
            b = members[j]
            lab = labelled.get((a, b)) or labelled.get((b, a))
            if lab is None and speaks[i] != speaks[j]:
                yield silent(a, b, b if speaks[i] else a)
            else:
                yield _pair_dict(lab if lab is not None else point.pair(a, b))  # type: ignore[arg-type]


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


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    """``dataclasses.asdict(ev)`` with the tuples as lists, built without asdict's deep copies."""
    data = {}
    for name in _field_names(type(ev)):
        value = getattr(ev, name)
        special = _EVIDENCE_FIELDS.get(name)
        if special is not None:
            data[name] = special(value)
        else:
            data[name] = value if type(value) in _ATOMS else _asdict_value(value)
    return data


_ATOMS = (str, int, float, bool, type(None))


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


#: Evidence fields written otherwise than asdict would (lists rather than tuples).
_EVIDENCE_FIELDS: dict[str, Any] = {
    "best_pair": lambda pair: list(pair) if pair else None,
    "discrepancies": lambda found: [_plain_dataclass(d) for d in found],
    "silent": list,
    "checks_skipped": list,
    # str -> float: a shallow copy is asdict's deep one
    "probabilities": lambda probs: dict(probs) if probs is not None else None,
}


def _plain_dataclass(obj: Any) -> dict[str, Any]:
    """What ``dataclasses.asdict`` gives for a flat dataclass, fast.

    Strings and numbers are taken as they are (asdict's deep copy of them is a
    no-op); anything else still goes through asdict's own conversion.
    """
    out = {}
    for name in _field_names(type(obj)):
        value = getattr(obj, name)
        out[name] = value if type(value) in _ATOMS else _asdict_value(value)
    return out


def _asdict_value(value: Any) -> Any:
    """One field value as ``dataclasses.asdict`` converts it (containers copied, dataclasses as dicts)."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_asdict_value(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_asdict_value(k), _asdict_value(v)) for k, v in value.items())
    return copy.deepcopy(value)


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


def render(comparison: Comparison, fmt: str) -> str:
    """The report in one of :data:`FORMATS`, as one string."""
    return "".join(render_chunks(comparison, fmt))


def render_chunks(comparison: Comparison, fmt: str) -> Iterator[str]:
    """The report in pieces, so that a large one is written without being held whole."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        yield from _json_chunks(comparison)
        return
    data = to_dict(comparison)
    context = _context(comparison, data)
    template = _environment().get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    yield from template.generate(**context)


def _json_chunks(comparison: Comparison) -> Iterator[str]:
    """``json.dumps(to_dict(comparison), ensure_ascii=False, indent=1)`` and a newline, one point at a time.

    The points are made, encoded and dropped one by one, so the report of a
    100-source event (200 million characters, most of it silent pairs) is never
    held whole, neither as data nor as text.
    """
    head = _head(comparison)
    sep = "{\n "
    for key, value in head.items():
        yield f"{sep}{_encode_str(key)}: "
        sep = ",\n "
        if key != "points":
            yield json_text(value, 1)
        elif not comparison.points:
            yield "[]"
        else:
            between = "[\n  "
            for point in _point_dicts(comparison, _SilentPair):
                yield between + json_text(point, 2)
                between = ",\n  "
            yield "\n ]"
    yield "\n}\n"


# --- JSON text -------------------------------------------------------------
#
# json.JSONEncoder with an indent cannot use its C accelerator in Python < 3.13:
# it falls back to nested Python generators, one yield per token through every
# level, which took 40 s for the report of a 100 x 100 event. These functions
# write the same text (indent 1, ensure_ascii=False, the default separators and
# float formatting) by appending to a list, with the strings escaped by the
# same C function json uses. tests/test_report_json.py holds them to json.dumps.

_NEWLINES = ["\n" + " " * level for level in range(200)]
_SPECIAL_FLOATS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


class _SilentPair:
    """A pair with one silent side, for the JSON writer: ``_silent_dict``'s text
    without the dicts (four pairs in five of a large event are such pairs)."""

    __slots__ = ("a", "b", "silent")

    def __init__(self, a: str, b: str, silent: str) -> None:
        self.a, self.b, self.silent = a, b, silent

    def json(self, level: int) -> str:
        """``json_text(_silent_dict(a, b, silent), level)``."""
        n1, n2, n3 = _newline(level + 1), _newline(level + 2), _newline(level + 3)
        return (
            f'{{{n1}"a": {_encode_str(self.a)},{n1}"b": {_encode_str(self.b)},{n1}"label": "silent",'
            f'{n1}"divergence": [],{n1}"evidence": {{{n2}"silent": [{n3}{_encode_str(self.silent)}{n2}]{n1}}}'
            f"{_newline(level)}}}"
        )


def json_text(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, as if nested ``level`` deep."""
    out: list[str] = []
    _encode(value, level, out)
    return "".join(out)


def _newline(level: int) -> str:
    try:
        return _NEWLINES[level]
    except IndexError:
        return "\n" + " " * level


def _float_text(value: float) -> str:
    text = float.__repr__(value)
    return _SPECIAL_FLOATS.get(text, text)


def _scalar_text(value: Any) -> str | None:
    """The JSON of a string, number, bool or None (json's own order of tests); ``None`` for anything else."""
    if isinstance(value, str):
        return _encode_str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_text(value)
    return None


def _encode(value: Any, level: int, out: list[str]) -> None:
    t = type(value)
    if t is str:
        out.append(_encode_str(value))
    elif t is dict:
        _encode_dict(value, level, out)
    elif t is list or t is tuple:
        _encode_list(value, level, out)
    elif t is _SilentPair:
        out.append(value.json(level))
    else:
        text = _scalar_text(value)
        if text is not None:
            out.append(text)
        elif isinstance(value, (list, tuple)):
            _encode_list(value, level, out)
        elif isinstance(value, dict):
            _encode_dict(value, level, out)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _encode_list(values: list[Any] | tuple[Any, ...], level: int, out: list[str]) -> None:
    if not values:
        out.append("[]")
        return
    inner = _newline(level + 1)
    sep, between = "[" + inner, "," + inner
    for value in values:
        t = type(value)
        if t is str:
            out.append(sep + _encode_str(value))
        elif t is float:
            out.append(sep + _float_text(value))
        elif t is int:
            out.append(sep + int.__repr__(value))
        else:
            out.append(sep)
            _encode(value, level + 1, out)
        sep = between
    out.append(_newline(level) + "]")


def _encode_dict(values: dict[Any, Any], level: int, out: list[str]) -> None:
    if not values:
        out.append("{}")
        return
    inner = _newline(level + 1)
    sep, between = "{" + inner, "," + inner
    for key, value in values.items():
        if type(key) is not str:
            key = _key_text(key)
        t = type(value)
        if t is str:
            out.append(f"{sep}{_encode_str(key)}: {_encode_str(value)}")
        elif t is float:
            out.append(f"{sep}{_encode_str(key)}: {_float_text(value)}")
        elif t is int:
            out.append(f"{sep}{_encode_str(key)}: {int.__repr__(value)}")
        elif value is None:
            out.append(f"{sep}{_encode_str(key)}: null")
        else:
            out.append(f"{sep}{_encode_str(key)}: ")
            _encode(value, level + 1, out)
        sep = between
    out.append(_newline(level) + "}")


def _key_text(key: Any) -> str:
    """A dict key as json turns it into a string (floats, ints, bools and None are allowed)."""
    if isinstance(key, str):
        return key
    text = _scalar_text(key)
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
    return text


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

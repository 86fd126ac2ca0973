"""What the app shows, as data frames and escaped HTML: the disputes (who takes which side on
each contested claim), the matrix of claims by sources (stances, or the coverage statuses), its
legend and badges, the claims only one source makes, each source's position and the pair
evidence, passages highlighted in their documents, metadata, framing and names, and the report
files to download.

Which claims are disputed, in which order, and how the sides are grouped come from
:mod:`compare.report.contested`, the same functions the report uses.

Everything that puts document text into HTML goes through :func:`esc`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from compare.records import STANCES, Comparison, PairLabel, Point, Source, readings
from compare.report import CELL_MEANINGS, CELL_SYMBOLS
from compare.report.contested import (
    PLACED_MARK,
    SIDE_TITLES,
    STANCE_MEANINGS,
    STANCE_SYMBOLS,
    DifferingValues,
    differing_values,
    disputes,
    sides,
    sole_claims,
    stance_of,
)

if TYPE_CHECKING:  # pandas is imported when a frame is built, to keep importing the app quick
    import pandas as pd


#: Cell statuses in the order of the legend.
STATUSES = ("agree", "diverge", "related", "silent", "sole")
#: Each status's cell colour, and the text colour readable on it.
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
#: Each stance's cell colour, and the text colour readable on it (the symbol is the first cue).
STANCE_COLOURS = {"affirms": "#1565c0", "denies": "#c62828", "reports": "#f9a825", "silent": "#e0e0e0"}
STANCE_TEXT_COLOURS = {"affirms": "#fff", "denies": "#fff", "reports": "#222", "silent": "#555"}
#: The orders :func:`select_points` knows.
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


# --- overview -------------------------------------------------------------


def parties(comparison: Comparison) -> dict[str, str]:
    """Each source's party, by source id."""
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


def matrix_frame(
    comparison: Comparison, points: Sequence[Point] | None = None, sources: Sequence[str] | None = None
) -> pd.DataFrame:
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


def status_counts(comparison: Comparison, points: Sequence[Point] | None = None) -> pd.DataFrame:
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
    """The legend of the matrix: each status's swatch, name and meaning."""
    items = "".join(
        f'<span class="nc-key"><span class="nc-swatch" style="background:{COLOURS[s]};color:{TEXT_COLOURS[s]}">'
        f"{SYMBOLS[s]}</span> <b>{s}</b>: {esc(MEANINGS[s])}</span>"
        for s in STATUSES
    )
    return f'<div class="nc-legend">{items}</div>'


def stance_legend_html() -> str:
    """The legend of the matrix of claims by sources: each stance's swatch, name and meaning."""
    items = "".join(
        f'<span class="nc-key"><span class="nc-swatch" style="background:{STANCE_COLOURS[s]};'
        f'color:{STANCE_TEXT_COLOURS[s]}">{STANCE_SYMBOLS[s]}</span> <b>{s}</b>: {esc(STANCE_MEANINGS[s])}</span>'
        for s in STANCES
    )
    items += (f'<span class="nc-key"><span class="nc-swatch nc-placed">{esc(PLACED_MARK)}</span> placed on the claim '
              "by the silence check (alignment had grouped the passage elsewhere)</span>")
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
.nc-placed{outline:2px dashed #222;outline-offset:-3px}
.nc-dispute{border:1px solid #ddd;border-left:5px solid #c62828;border-radius:4px;padding:.4rem .8rem;margin:.2rem 0 .3rem}
.nc-dispute .nc-claim{font-weight:600;margin:.1rem 0 .3rem}
.nc-dispute ul{margin:.1rem 0 .3rem;padding-left:1.4rem;font-size:.9rem}
.nc-side{margin:.2rem 0}
</style>"""


def stance_badge(stance: str) -> str:
    """A coloured label for one stance (an unknown one is drawn as silent)."""
    s = stance if stance in STANCE_COLOURS else "silent"
    return (
        f'<span class="nc-badge" style="background:{STANCE_COLOURS[s]};color:{STANCE_TEXT_COLOURS[s]}">'
        f"{STANCE_SYMBOLS[s]} {esc(stance)}</span>"
    )


def badge(status: str) -> str:
    """A coloured label for one status (an unknown one is drawn as silent)."""
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
    by: str = "stance",
) -> str:
    """The matrix of points by sources as one escaped HTML table (``table.nc-matrix``).

    ``by="stance"`` shows each source's stance on the point's claim (the reason in the
    tooltip, placed cells marked); ``by="status"`` the coverage status (the pair labels
    summarised per source).
    """
    if by not in ("stance", "status"):
        raise ValueError(f"unknown matrix {by!r}; choose stance or status")
    sources = comparison.source_ids if sources is None else list(sources)
    names = parties(comparison)
    head = "".join(f'<th class="nc-src" title="{esc(names[s])}">{esc(names[s])}</th>' for s in sources)
    rows = []
    for p in points:
        cells = "".join(_stance_cell(p, s, names[s]) if by == "stance" else _status_cell(p.cell(s), names[s])
                        for s in sources)
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


def _status_cell(status: str, party: str) -> str:
    return (f'<td class="nc-cell nc-{status}" title="{esc(party)}: {status}" '
            f'style="background:{COLOURS[status]};color:{TEXT_COLOURS[status]}">{SYMBOLS[status]}</td>')


def _stance_cell(point: Point, source_id: str, party: str) -> str:
    position = point.positions.get(source_id)
    st = stance_of(point, source_id)
    placed = bool(position and position.placed)
    reason = f": {position.reason}" if position and position.reason else ""
    tip = f"{party} {st}{' (placed by the silence check)' if placed else ''}{reason}"
    cls = " nc-placed" if placed else ""
    return (f'<td class="nc-cell nc-{st}{cls}" title="{esc(tip)}" style="background:{STANCE_COLOURS[st]};'
            f'color:{STANCE_TEXT_COLOURS[st]}">{STANCE_SYMBOLS[st]}{esc(PLACED_MARK) if placed else ""}</td>')


# --- disputes and single-source claims ------------------------------------


def claim_text(comparison: Comparison, point: Point) -> tuple[str, str | None]:
    """The words of a point's claim and the party whose words they are (the summary, no party, without a claim)."""
    passage = comparison.passages.get(point.claim) if point.claim else None
    if passage is None:
        return point.summary, None
    return passage.text, parties(comparison)[passage.source_id]


def dispute_points(comparison: Comparison) -> list[Point]:
    """The contested points, most important first (the report's order: :func:`compare.report.contested.disputes`)."""
    return disputes(comparison)


def dispute_html(comparison: Comparison, point: Point) -> str:
    """One dispute, escaped: the claim quoted with its source, the sides by stance with each
    speaking source's quote, and the values that differ between diverging sources."""
    names = parties(comparison)
    text, party = claim_text(comparison, point)
    out = [f'<div class="nc-dispute" data-dispute="{esc(point.id)}"><div class="nc-claim">{esc(point.id)} · '
           f"&#8220;{_lines(text)}&#8221;" + (f' <span class="nc-meta">— {esc(party)}</span>' if party else "") + "</div>"]
    for stance, sids in sides(comparison, point).items():
        out.append(f'<div class="nc-side">{stance_badge(stance)} <b>{esc(SIDE_TITLES[stance])}:</b> '
                   + ", ".join(esc(names[s]) for s in sids) + "</div>")
        if stance == "silent":
            continue
        items = []
        for sid in sids:
            pid = _quote_id(point, sid)
            if pid is None:
                continue
            placed = point.positions.get(sid)
            note = ' <span class="nc-meta">(placed by the silence check)</span>' if placed and placed.placed else ""
            items.append(f"<li><b>{esc(names[sid])}</b>{note}: &#8220;{_lines(comparison.passages[pid].text)}&#8221; "
                         f'<span class="nc-meta">{esc(pid)}</span></li>')
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
    diverging = ((lab.a, lab.b, d) for lab in point.all_pairs(comparison.source_ids) if lab.label == "diverge"
                 for d in evidence_value(lab.evidence, "discrepancies", ()) or ())
    values = [f"<li>{esc(line.kind)}: {_differing_html(line, names)}</li>" for line in differing_values(diverging, names)]
    if values:
        out.append("<div><b>Values that differ:</b><ul>" + "".join(values) + "</ul></div>")
    out.append("</div>")
    return "".join(out)


def _differing_html(line: DifferingValues, names: dict[str, str]) -> str:
    """One line of values that differ: each value with the sources that give it (or, for a negation,
    the check's own account of the two passages)."""
    if line.description:
        return esc(line.description) + ", " + " vs ".join(esc(names[sid]) for s in line.sides for sid, _ in s.sources)
    return " vs ".join(f"&#8220;{esc(s.value)}&#8221; from " + ", ".join(esc(names[sid]) for sid, _ in s.sources)
                       for s in line.sides)


def _quote_id(point: Point, source_id: str) -> str | None:
    """The passage behind a source's stance: the one its position names, else its first on the point."""
    position = point.positions.get(source_id)
    if position is not None and position.passage and position.passage in point.passages.get(source_id, ()):
        return position.passage
    own = point.passages.get(source_id, ())
    return own[0] if own else None


def sole_claim_groups(comparison: Comparison) -> dict[str, list[Point]]:
    """The points only one source speaks on, by that source's party (sources without any left out)."""
    names = parties(comparison)
    by_id = {p.id: p for p in comparison.points}
    return {names[sid]: [by_id[pid] for pid in pids] for sid, pids in sole_claims(comparison).items() if pids}


def sole_claims_html(comparison: Comparison) -> str:
    """The single-source claims grouped per source ("Only Azerbaijan MFA says: ..."), escaped."""
    groups = sole_claim_groups(comparison)
    if not groups:
        return "<p>Every claim is addressed by at least two sources.</p>"
    parts = []
    for party, points in groups.items():
        items = "".join(f"<li>{esc(p.id)} · &#8220;{_lines(claim_text(comparison, p)[0])}&#8221;</li>" for p in points)
        parts.append(f"<p><b>Only {esc(party)} says:</b></p><ul>{items}</ul>")
    return "".join(parts)


# --- drill-down -----------------------------------------------------------


def position_rows(comparison: Comparison, point: Point) -> list[dict[str, Any]]:
    """Each source's position on the point's claim: stance, the passage behind it (or, when
    silent, the nearest passage, which was read and does not count), placement and the reason."""
    names = parties(comparison)
    rows = []
    for sid in comparison.source_ids:
        if sid not in point.passages:
            continue
        position = point.positions.get(sid)
        stance = stance_of(point, sid)
        pid = _quote_id(point, sid) if stance != "silent" else (position.nearest if position else None)
        rows.append({
            "source": names[sid],
            "stance": stance,
            "similarity": position.similarity if position else None,
            "passage": comparison.passages[pid].text if pid and stance != "silent" else "",
            "nearest passage": comparison.passages[pid].text if pid and stance == "silent" else "",
            "placed": bool(position and position.placed),
            "why": position.reason if position else "",
        })
    return rows



def evidence_value(evidence: Any, name: str, default: Any = None) -> Any:
    """A field of :class:`Evidence`, or ``default`` when this engine version lacks it."""
    return getattr(evidence, name, default)


def describe_discrepancies(label: PairLabel) -> str:
    """The differences the checks found between a pair's passages, in one line."""
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
            "why": evidence_value(ev, "rationale", "") + _readings(point, lab, names),
            "judge": evidence_value(ev, "judge", ""),
        }
        if probs:
            row["probabilities"] = ", ".join(f"{k} {float(v):.2f}" for k, v in dict(probs).items())
        skipped = evidence_value(ev, "checks_skipped", ()) or ()
        if skipped:
            row["checks skipped"] = "; ".join(skipped)
        rows.append(row)
    return rows


def _readings(point: Point, lab: PairLabel, names: dict[str, str]) -> str:
    """Each side's reading of the claim (its cell's reason), after a pair's rationale: a row of the pair
    table is read alone, away from the cells."""
    pa, pb = point.positions.get(lab.a), point.positions.get(lab.b)
    if lab.label == "silent" or pa is None or pb is None or "silent" in (pa.stance, pb.stance):
        return ""
    return readings(names[lab.a], pa.reason, names[lab.b], pb.reason)


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
    """:func:`source_metadata` as an escaped HTML table."""
    rows = "".join(f"<tr><td><b>{esc(k)}</b></td><td>{esc(v)}</td></tr>" for k, v in source_metadata(source).items())
    return f'<table class="nc-meta">{rows}</table>'


# --- framing --------------------------------------------------------------


def framing_frame(comparison: Comparison) -> pd.DataFrame:
    """Every source's distinctive terms: party, term, z, count, others_count."""
    import pandas as pd

    names = parties(comparison)
    rows = [
        {"party": names[sid], "term": t.term, "z": t.z, "count": t.count, "others_count": t.others_count}
        for sid, terms in comparison.framing.items()
        for t in terms
    ]
    return pd.DataFrame(rows, columns=["party", "term", "z", "count", "others_count"])


def framing_chart_spec(frame: pd.DataFrame, parties: Sequence[str]) -> dict[str, Any]:
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


def names_frame(comparison: Comparison) -> pd.DataFrame:
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

#: The report formats to download: (button label, MIME type) by file suffix.
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

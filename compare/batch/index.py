"""The index of a batch: one row per event and one row per party across all events.

Each event's figures are worked out where the event is compared (:func:`event_summary`), kept beside
its reports, and gathered here (:func:`party_rows`), so that a resumed batch builds the same index
without reading any report again. The index is written as Parquet (``index.parquet`` for the
events, ``index-parties.parquet`` for the parties), as JSON (``index.json``, both) and as one
self-contained HTML page (``index.html``) with sortable tables linking to each event's report.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compare.records import Comparison
from compare.report.contested import disputes, stances
from compare.report.output import temporary_beside

#: How many distinctive terms a party's row lists, and how many parties it diverges from.
TOP_TERMS = 8
TOP_OPPONENTS = 5
#: The columns of an event's row, in order.
EVENT_COLUMNS = ("event", "status", "reason", "report", "sources", "parties", "passages", "claims", "contested",
                 "most_contested", "seconds")


def event_summary(comparison: Comparison, name: str, report: str, seconds: float) -> tuple[dict, dict]:
    """An event's row of the index and its figures per party (by party name)."""
    party = {s.id: s.party for s in comparison.sources}
    n = len(comparison.sources)
    per: dict[str, dict[str, Any]] = {
        p: {"claims": 0, "sole": 0, "silent_on_majority": 0, "diverges": 0, "diverges_from": {}, "terms": []}
        for p in party.values()
    }
    for point in comparison.points:
        said = stances(point)
        speaking = [sid for sid, st in said.items() if st != "silent"]
        for sid in speaking:
            per[party[sid]]["claims"] += 1
        if len(speaking) == 1:
            per[party[speaking[0]]]["sole"] += 1
        # Silent on a claim that most of the others address (two at least: one source is no majority).
        if len(speaking) >= 2 and 2 * len(speaking) > n - 1:
            for sid in said:
                if said[sid] == "silent":
                    per[party[sid]]["silent_on_majority"] += 1
        diverging: set[str] = set()
        for a, b, label in point.speaking_labels():
            if label == "diverge":
                diverging.update((a, b))
                for me, other in ((a, b), (b, a)):
                    mine = per[party[me]]["diverges_from"]
                    mine[party[other]] = mine.get(party[other], 0) + 1
        for sid in diverging:
            per[party[sid]]["diverges"] += 1
    for sid, terms in comparison.framing.items():
        per[party[sid]]["terms"] = [[t.term, round(t.z, 3)] for t in terms[:TOP_TERMS]]
    contested = disputes(comparison)
    top = contested[0] if contested else None
    claim = comparison.passages.get(top.claim) if top is not None and top.claim else None
    row = {
        "event": name,
        "status": "ok",
        "reason": None,
        "report": report,
        "sources": n,
        "parties": [s.party for s in comparison.sources],
        "passages": len(comparison.passages),
        "claims": len(comparison.points),
        "contested": len(contested),
        "most_contested": (claim.text if claim else top.summary) if top is not None else None,
        "seconds": round(seconds, 3),
    }
    return row, per


def failed_row(name: str, reason: str, sources: int = 0) -> dict[str, Any]:
    """The row of an event that could not be compared, with the reason."""
    row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    row.update(event=name, status="failed", reason=reason, sources=sources, parties=[])
    return row


def party_rows(per_event: Iterable[dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per party over all events: events covered, claims it addresses, claims it alone makes,
    claims most others address and it does not, claims it diverges on and from whom, its most distinctive terms."""
    total: dict[str, dict[str, Any]] = {}
    for parties in per_event:
        for name, f in parties.items():
            t = total.setdefault(name, {"events": 0, "claims": 0, "sole": 0, "silent_on_majority": 0, "diverges": 0,
                                        "from": Counter(), "terms": Counter()})
            t["events"] += 1
            for k in ("claims", "sole", "silent_on_majority", "diverges"):
                t[k] += f[k]
            t["from"].update(f["diverges_from"])
            for term, z in f["terms"]:
                t["terms"][term] += z
    return [
        {
            "party": name,
            "events": t["events"],
            "claims": t["claims"],
            "sole_claims": t["sole"],
            "silent_on_majority": t["silent_on_majority"],
            "diverges": t["diverges"],
            "diverges_from": [{"party": p, "times": c} for p, c in t["from"].most_common(TOP_OPPONENTS)],
            "terms": [term for term, _ in t["terms"].most_common(TOP_TERMS)],
        }
        for name, t in sorted(total.items(), key=lambda kv: (kv[0].casefold(), kv[0]))
    ]


def write_index(out: Path, events: list[dict[str, Any]], parties: list[dict[str, Any]]) -> list[Path]:
    """Write index.parquet, index-parties.parquet, index.json and index.html into ``out``, each atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    events = sorted(events, key=lambda r: r["event"])
    written = []
    for name, rows, columns in (("index.parquet", events, EVENT_COLUMNS), ("index-parties.parquet", parties, None)):
        table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in (columns or ("party",))})
        written.append(_atomic(out / name, lambda tmp, table=table: pq.write_table(table, tmp)))
    data = {"events": events, "parties": parties}
    written.append(_atomic(out / "index.json", lambda tmp: tmp.write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")))
    html = _render_html(events, parties)
    written.append(_atomic(out / "index.html", lambda tmp: tmp.write_text(html, encoding="utf-8")))
    return written


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically (a temporary file beside it, renamed into place)."""
    _atomic(path, lambda tmp: tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8"))


def _atomic(path: Path, write: Any) -> Path:
    tmp = temporary_beside(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _render_html(events: list[dict[str, Any]], parties: list[dict[str, Any]]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compare.batch", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    ok = sum(1 for e in events if e["status"] == "ok")
    return env.get_template("index.html.j2").render(events=events, parties=parties, ok=ok,
                                                   failed=len(events) - ok)

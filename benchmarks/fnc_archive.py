"""Build an archive-shaped table of real news from the FNC-1 training data, for ``narrative-compare batch``.

Each FNC-1 headline is a story; every body whose stance to that headline is agree, disagree or
discuss becomes a source of that story's event, its party the body id. Stories with fewer than two
such bodies are left out. The table (one row per document: event, party, text, title) is written
where the command line says, as Parquet, JSON Lines or CSV by its suffix; it is never committed.

    python benchmarks/fnc_archive.py /tmp/fnc-archive.parquet              # every story (1,461 events)
    python benchmarks/fnc_archive.py /tmp/fnc-slice.parquet --events 30    # the first 30 stories
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FNC = ROOT.parent / "shared" / "data" / "fnc1"
RELATED = ("agree", "disagree", "discuss")


def fnc_rows(folder: Path = FNC, events: int | None = None, max_sources: int | None = None) -> list[dict]:
    """The archive's rows, story by story in the order the stances file first names them."""
    csv.field_size_limit(2**31 - 1)
    with open(folder / "train_bodies.csv", encoding="utf-8", newline="") as fh:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(fh)}
    stories: dict[str, list[str]] = {}
    with open(folder / "train_stances.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Stance"] in RELATED:
                ids = stories.setdefault(row["Headline"], [])
                if row["Body ID"] not in ids:
                    ids.append(row["Body ID"])
    rows = []
    kept = 0
    for headline, ids in stories.items():
        ids = [i for i in ids if bodies.get(i, "").strip()][:max_sources]
        if len(ids) < 2:
            continue
        kept += 1
        rows += [{"event": headline, "party": f"body {i}", "text": bodies[i], "title": headline} for i in ids]
        if events is not None and kept >= events:
            break
    return rows


def write_table(rows: list[dict], out: Path) -> None:
    """Write rows as Parquet, JSON Lines or CSV, by the file's suffix."""
    suffix = out.suffix.lower()
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), out, row_group_size=1000)
    elif suffix == ".jsonl":
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif suffix == ".csv":
        with open(out, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        sys.exit(f"fnc_archive.py: {out}: name a .parquet, .jsonl or .csv file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the table to write (.parquet, .jsonl or .csv)")
    parser.add_argument("--events", type=int, help="only the first N stories")
    parser.add_argument("--max-sources", type=int, help="at most N bodies per story")
    args = parser.parse_args()
    if not (FNC / "train_bodies.csv").is_file():
        sys.exit(f"fnc_archive.py: the FNC-1 data is not in {FNC}")
    rows = fnc_rows(events=args.events, max_sources=args.max_sources)
    write_table(rows, args.out)
    print(f"{len({r['event'] for r in rows})} events, {len(rows)} documents -> {args.out}")


if __name__ == "__main__":
    main()

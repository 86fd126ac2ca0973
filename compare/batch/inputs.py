"""The events of a batch, read one at a time: a folder of event folders, or a table of documents.

A table (Parquet, JSON Lines or CSV) has one row per document with the columns ``event``,
``party`` and ``text``, and optionally the source metadata ``title``, ``speaker``, ``date``,
``url`` and ``language``. It is read twice, in chunks, never whole: a first pass counts the rows
of each event (only the ``event`` column), the second gathers each event's rows and hands the
event on as soon as its last row is read, so memory holds only the events whose rows are still
coming, whatever the order of the rows.

A bad row (no party, an empty text, a bad date) does not stop the batch: its event is handed on as
an :class:`Entry` whose ``failed`` reason names the file and the row number (counting data rows from 1).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compare.documents import SOURCE_KEYS, build_event, check_fields, check_size, load_event, slugify
from compare.errors import InputError
from compare.languages import detect_language
from compare.records import Event, Limits, Source

REQUIRED = ("event", "party", "text")
#: The optional columns a table may have (the metadata of a source file's front matter).
OPTIONAL = ("title", "speaker", "date", "url", "language")
TABLE_SUFFIXES = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
#: Rows read at a time from a Parquet file.
CHUNK_ROWS = 4096


@dataclass(frozen=True)
class Entry:
    """One event of the batch, ready to compare (``event``) or not (``failed``)."""

    name: str
    event: Event | None = None
    failed: str | None = None


def input_kind(path: str | Path) -> str:
    """``folder``, ``parquet``, ``jsonl`` or ``csv``; an InputError for anything else."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        return "folder"
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(path, f"is neither a folder of event folders nor a table ({', '.join(TABLE_SUFFIXES)})")
    return kind


def count_events(path: str | Path) -> int:
    """How many events the input holds (a cheap pass: folder names, or the ``event`` column)."""
    kind = input_kind(path)
    if kind == "folder":
        return len(_event_folders(Path(path)))
    return len(_rows_per_event(Path(path), kind))


def read_entries(path: str | Path, limits: Limits | None = None) -> Iterator[Entry]:
    """Every event of the input in turn (folders in name order; a table's events as their last row is read).

    ``limits`` (default :class:`Limits`) bounds each event as it bounds one ``report``: the number
    of sources and the size of each; an event over a limit is a failed entry that says which.
    """
    path = Path(path)
    limits = limits or Limits()
    kind = input_kind(path)
    if kind == "folder":
        for folder in _event_folders(path):
            try:
                yield Entry(folder.name, event=load_event(folder, limits))
            except InputError as err:
                yield Entry(folder.name, failed=str(err))
        return
    expected = _rows_per_event(path, kind)
    pending: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, row in _rows(path, kind):
        name = _event_name(row)
        if name is None:  # a row of no event: an entry of its own, so that the index shows it
            yield Entry(f"row {number}", failed=str(InputError(f"{path}, row {number}", "has no 'event'")))
            continue
        rows = pending.setdefault(name, [])
        rows.append((number, row))
        if len(rows) == expected[name]:
            yield _entry(path, name, pending.pop(name), limits)
    for name, rows in pending.items():  # only if the file changed between the passes
        yield _entry(path, name, rows, limits)


def event_key(event: Event, engine: str) -> str:
    """A content hash of the event's sources (text and metadata) and of the engine that compares them.

    ``engine`` is the engine's version and settings; a report written under the same key is the
    report of this input, so a re-run can skip it.
    """
    data = {
        "engine": engine,
        "event": [event.title, event.date, event.summary],
        "sources": [[s.party, s.text, s.title, s.speaker, s.date, s.url, s.language, s.provenance] for s in event.sources],
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def report_name(name: str) -> str:
    """The file name (without suffix) of an event's reports: the name itself when it is a plain slug,
    else its slug and a short hash of the name, so that two names never share a file."""
    slug = slugify(name)[:60]
    return slug if slug == name else f"{slug}-{hashlib.sha1(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


# --- folders ----------------------------------------------------------------


def _event_folders(root: Path) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if not folders:
        raise InputError(root, "holds no event folders (one folder per event, with its source files)")
    return folders


# --- tables -----------------------------------------------------------------


def _rows_per_event(path: Path, kind: str) -> dict[str, int]:
    """The first pass: rows per event name; a missing required column is an InputError for the whole table."""
    counts: dict[str, int] = {}
    for number, row in _rows(path, kind, columns=("event",)):
        # A row of no event is an entry of its own (see read_entries); "\0" keeps it from any event's name.
        key = _event_name(row) or f"\0row {number}"
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        raise InputError(path, "holds no rows")
    return counts


def _event_name(row: dict[str, Any]) -> str | None:
    value = row.get("event")
    if value is None or not str(value).strip():
        return None
    return str(value).strip()


def _rows(path: Path, kind: str, columns: tuple[str, ...] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number from 1, row) in file order, read in chunks; ``columns`` limits what Parquet reads."""
    if kind == "parquet":
        yield from _parquet_rows(path, columns)
    elif kind == "jsonl":
        yield from _jsonl_rows(path)
    else:
        yield from _csv_rows(path)


def _check_columns(path: Path, names: list[str] | tuple[str, ...]) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(path, f"has no column {', '.join(repr(c) for c in missing)} "
                               f"(a table needs {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)})")


def _parquet_rows(path: Path, columns: tuple[str, ...] | None) -> Iterator[tuple[int, dict[str, Any]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises its own ArrowInvalid for a file that is not Parquet
        raise InputError(path, f"is not a readable Parquet file: {err}") from None
    names = table.schema_arrow.names
    _check_columns(path, names)
    wanted = list(columns) if columns else [c for c in names if c in REQUIRED + OPTIONAL]
    number = 0
    for batch in table.iter_batches(batch_size=CHUNK_ROWS, columns=wanted):
        for row in batch.to_pylist():
            number += 1
            yield number, row


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        number = 0
        for line in fh:
            if not line.strip():
                continue
            number += 1
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                row = {"_error": f"is not valid JSON ({err.msg})"}
            if not isinstance(row, dict):
                row = {"_error": "is not a JSON object"}
            if number == 1 and "_error" not in row:
                _check_columns(path, tuple(row))
            yield number, row


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    # A news article is longer than csv's default field limit of 128 KB allows for.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh)
        _check_columns(path, reader.fieldnames or ())
        for number, row in enumerate(reader, start=1):
            yield number, {k: (v if v != "" else None) for k, v in row.items() if k is not None}


def _entry(path: Path, name: str, rows: list[tuple[int, dict[str, Any]]], limits: Limits) -> Entry:
    """The event made of its rows, or the first problem with them (naming the row)."""
    try:
        sources = [_source(path, number, row, limits) for number, row in rows]
        return Entry(name, event=build_event(sources, where=f"{path} (event {name!r})", title=name, limits=limits))
    except InputError as err:
        return Entry(name, failed=str(err))


def _source(path: Path, number: int, row: dict[str, Any], limits: Limits) -> Source:
    label = f"{path}, row {number}"
    if "_error" in row:
        raise InputError(label, row["_error"])
    party, text = row.get("party"), row.get("text")
    if party is None or not str(party).strip():
        raise InputError(label, "has no 'party'")
    if text is None or not isinstance(text, str) or not text.strip():
        raise InputError(label, "has no text (it is empty or only whitespace)")
    check_size(label, len(text.encode("utf-8", "surrogatepass")), limits)
    fields = check_fields({k: row.get(k) for k in OPTIONAL if row.get(k) not in (None, "")}, SOURCE_KEYS, label)
    if "language" not in fields:
        fields["language"] = detect_language(text)[0]
    return Source(id="", party=str(party).strip(), text=text, path=label, **fields)

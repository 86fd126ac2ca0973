"""Stage 1: read an event folder or a list of files into :class:`Source` objects.

A source file is UTF-8 Markdown or plain text, optionally with YAML front
matter, or an HTML page whose main text is extracted with trafilatura. Every
problem with the input is raised as :class:`InputError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from compare.errors import InputError
from compare.languages import detect_language
from compare.records import Event, Source

SOURCE_KEYS = ("party", "title", "speaker", "date", "url", "language", "provenance")
EVENT_KEYS = ("title", "date", "summary")
PROVENANCES = ("original", "paraphrase")
TEXT_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
EVENT_FILE = "event.yaml"
#: Files an event folder may hold beside its sources (teaching material, notes).
RESERVED_NAMES = frozenset({"readme.md", "lesson.md", "answers.yaml", EVENT_FILE})

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


def load_event(paths: str | Path | Iterable[str | Path]) -> Event:
    """Load an event from one folder (a path) or from a list of source files.

    Sources come back sorted by party (case-insensitively), so that nothing
    downstream depends on the order in which the user listed them.
    """
    # One path is one folder or file, not a string to iterate letter by letter.
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise InputError(None, "no input given: name an event folder or two or more source files")
    for path in paths:
        if not path.exists():
            raise InputError(path, "no such file or folder")
    meta: dict[str, Any] = {}
    if len(paths) == 1 and paths[0].is_dir():
        folder = paths[0]
        meta = _read_event_yaml(folder / EVENT_FILE)
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file()
            and not p.name.startswith((".", "_"))
            and p.name.lower() not in RESERVED_NAMES
            and p.suffix.lower() in TEXT_SUFFIXES + HTML_SUFFIXES
        )
        where: Path | None = folder
    else:
        for path in paths:
            if path.is_dir():
                raise InputError(path, "is a folder: give one event folder, or a list of source files")
        files = paths
        where = None
    sources = [read_source(f) for f in files]
    return build_event(sources, where=where, **meta)


def build_event(
    sources: list[Source],
    *,
    where: str | Path | None = None,
    title: str | None = None,
    date: str | None = None,
    summary: str | None = None,
) -> Event:
    """Check a list of sources as one event and give each a unique, stable id."""
    if len(sources) < 2:
        found = "no source" if not sources else f"only one source ({sources[0].party!r})"
        raise InputError(where or (sources[0].path if sources else None),
                         f"{found}: a comparison needs at least two sources")
    seen: dict[str, Source] = {}
    for src in sources:
        key = src.party.casefold().strip()
        if key in seen:
            raise InputError(
                src.path,
                f"two sources have the party {src.party!r}: {seen[key].path} and {src.path}",
            )
        seen[key] = src
    ordered = sorted(sources, key=lambda s: (s.party.casefold(), s.party))
    ids = _unique_ids([s.party for s in ordered])
    ordered = [replace(s, id=i) for s, i in zip(ordered, ids)]
    return Event(
        sources=tuple(ordered),
        title=title,
        date=date,
        summary=summary,
        path=str(where) if where is not None else None,
    )


def read_source(path: str | Path) -> Source:
    """Read one source file (Markdown, text or HTML)."""
    path = Path(path)
    raw = path.read_bytes()
    text = decode_text(raw, path)
    if path.suffix.lower() in HTML_SUFFIXES:
        return source_from_html(text, path)
    return source_from_text(text, path=path, default_party=path.stem)


def decode_text(raw: bytes, path: str | Path) -> str:
    """Decode UTF-8 bytes, refusing binary files and undecodable bytes with a clear message."""
    if b"\x00" in raw[:8192]:
        raise InputError(path, "is a binary file, not UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1].hex()
        raise InputError(
            path, f"is not valid UTF-8 (byte 0x{bad} at position {err.start}); save it as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def source_from_text(
    text: str,
    *,
    path: str | Path | None = None,
    default_party: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Source:
    """Build a source from Markdown or plain text with optional YAML front matter.

    ``metadata`` (from the app, say) is checked like front matter and wins over it.
    """
    label = path if path is not None else (default_party or "<text>")
    fields, body = split_front_matter(text, label)
    if metadata:
        fields.update({k: v for k, v in metadata.items() if v not in (None, "")})
    fields = check_fields(fields, SOURCE_KEYS, label)
    if "language" not in fields:  # not stated: guess offline, 'en' when unsure
        fields["language"] = detect_language(body)[0]
    # The file name stands in for the party only when there is no front matter:
    # front matter without 'party' is a mistake, not a request for the default.
    has_front_matter = len(body) != len(text)
    party = fields.pop("party", None) or (None if has_front_matter else default_party)
    if not party or not str(party).strip():
        raise InputError(label, "has no 'party': add 'party: <name>' to its front matter")
    if not body.strip():
        raise InputError(label, "has no text (it is empty or only whitespace)")
    suffix = Path(path).suffix.lower() if path is not None else ""
    return Source(
        id="",
        party=str(party).strip(),
        text=body,
        path=str(path) if path is not None else None,
        format="markdown" if suffix in (".md", ".markdown") else "text",
        **fields,
    )


def source_from_html(html: str, path: str | Path, party: str | None = None) -> Source:
    """Extract the main text of an HTML page.

    trafilatura is used because it is maintained and removes navigation,
    footers and other boilerplate that a tag-stripping regex would keep.
    """
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise InputError(path, "no main text could be extracted from this HTML page")
    meta = trafilatura.extract_metadata(html)
    title = getattr(meta, "title", None) if meta is not None else None
    date = getattr(meta, "date", None) if meta is not None else None
    fields = check_fields({"title": title, "date": date}, SOURCE_KEYS, path)
    fields["language"] = detect_language(text)[0]
    return Source(
        id="",
        party=party or Path(path).stem,
        text=text,
        path=str(path),
        format="html",
        **{k: v for k, v in fields.items() if v},
    )


def split_front_matter(text: str, label: str | Path) -> tuple[dict[str, Any], str]:
    """Split ``---`` YAML front matter from the body, leaving the body untouched.

    Written here rather than with python-frontmatter because that library strips
    the body, and passage offsets must index the body exactly as written.
    """
    if not re.match(r"---[ \t]*\r?\n", text):
        return {}, text
    first_newline = text.index("\n") + 1
    closing = _FENCE.search(text, first_newline)
    if closing is None:
        raise InputError(label, "front matter starts with '---' but is never closed by a '---' line")
    block = text[first_newline : closing.start()]
    body_start = closing.end()
    if text[body_start : body_start + 2] == "\r\n":
        body_start += 2
    elif text[body_start : body_start + 1] == "\n":
        body_start += 1
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(label, f"front matter is not valid YAML: {problem}{where}") from None
    except ValueError as err:  # YAML reads 2022-02-30 as a date and fails on it
        raise InputError(label, f"front matter holds an impossible date: {err}") from None
    if not isinstance(data, dict):
        raise InputError(label, "front matter must be a set of 'key: value' lines")
    return data, text[body_start:]


def check_fields(
    fields: Mapping[Any, Any], known: tuple[str, ...], label: str | Path | None
) -> dict[str, Any]:
    """Validate metadata keys and values; suggest the closest key for a typo."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        key = str(key)
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
            raise InputError(label, f"unknown key {key!r}{hint}")
        if value is None:
            continue
        if key == "date":
            value = _iso_date(value, label)
        elif key == "language":
            value = str(value).strip()
            if not _BCP47.match(value):
                raise InputError(label, f"language {value!r} is not a BCP 47 tag such as 'en' or 'ru'")
        elif key == "provenance":
            value = str(value).strip().lower()
            if value not in PROVENANCES:
                raise InputError(label, f"provenance {value!r} must be 'original' or 'paraphrase'")
        elif isinstance(value, (dict, list)):
            raise InputError(label, f"{key!r} must be a single value, not a list or mapping")
        else:
            value = str(value).strip()
        out[key] = value
    return out


def _iso_date(value: Any, label: str | Path | None) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).strip()
    try:
        return (dt.datetime if "T" in text else dt.date).fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(label, f"date {text!r} is not an ISO 8601 date such as 2022-12-21") from None


def _read_event_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    text = decode_text(path.read_bytes(), path)
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise InputError(path, f"is not valid YAML: {getattr(err, 'problem', err)}{where}") from None
    except ValueError as err:  # YAML reads 2022-02-30 as a date and fails on it
        raise InputError(path, f"holds an impossible date: {err}") from None
    if not isinstance(data, dict):
        raise InputError(path, "must be a set of 'key: value' lines (title, date, summary)")
    return check_fields(data, EVENT_KEYS, path)


def slugify(name: str) -> str:
    slug = re.sub(r"[^\w]+", "-", name.casefold(), flags=re.UNICODE).strip("-")
    return slug or "source"


def _unique_ids(parties: list[str]) -> list[str]:
    slugs = [slugify(p) for p in parties]
    counts = {s: slugs.count(s) for s in slugs}
    # A clash gets a hash of the party name, not a running number, so that the
    # id does not depend on which of the clashing sources came first.
    return [
        s if counts[s] == 1 else f"{s}-{hashlib.sha1(p.encode()).hexdigest()[:6]}"
        for s, p in zip(slugs, parties)
    ]


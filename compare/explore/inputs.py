"""The app's inputs: the corpus events on offer, and events built from uploaded files or pasted texts.

Every problem with what the user gave is an :class:`InputError` whose message
the app shows in the page; the size limits are here so that one oversized or
wrong file cannot stall the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from compare.documents import (
    HTML_SUFFIXES,
    RESERVED_NAMES,
    TEXT_SUFFIXES,
    build_event,
    check_fields,
    check_size,
    check_source_count,
    decode_text,
    limits_from_environment,
    source_from_html,
    source_from_text,
)
from compare.errors import InputError
from compare.records import Event, Limits, Source

#: The app takes what the command line takes by default (:class:`compare.records.Limits`), or
#: what the environment it was started in sets (``NARRATIVE_COMPARE_MAX_SOURCES`` and the like).
#: A bad value there leaves the defaults, and LIMITS_PROBLEM says why (the page shows it).
LIMITS_PROBLEM: str | None = None
try:
    LIMITS = limits_from_environment()
except InputError as _err:
    LIMITS, LIMITS_PROBLEM = Limits(), f"{_err}; the default limits hold"
#: Largest file or pasted text the app accepts, in bytes (an HTML page may be larger: ``LIMITS.page_bytes``).
MAX_TEXT_BYTES = LIMITS.source_bytes
#: Most sources one comparison in the app may hold.
MAX_SOURCES = LIMITS.sources
#: Suffixes the uploader accepts.
UPLOAD_TYPES = ("txt", "md", "markdown", "html", "htm")


@dataclass(frozen=True)
class CorpusEvent:
    """An event folder of the corpus: its name, where it is, and the title to show."""

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
        """Whether this is an upload (rather than a paste)."""
        return self.data is not None


def source_from_input(item: TextInput) -> Source:
    """One :class:`Source` from an upload or a paste, or a clear :class:`InputError`."""
    size = len(item.data) if item.is_file else len((item.text or "").encode("utf-8"))
    check_size(item.label, size, LIMITS, html=item.is_file and Path(item.label).suffix.lower() in HTML_SUFFIXES)
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
    check_source_count(len(items), None, LIMITS)
    sources = [source_from_input(i) for i in items]
    if len(sources) < 2:
        found = "no statement" if not sources else "only one statement"
        raise InputError(None, f"{found}: add at least two (upload files or paste texts) to compare")
    return build_event(sources, title=title, limits=LIMITS)

"""Stage 1: read an event folder or a list of files into :class:`Source` objects.

A source file is UTF-8 Markdown or plain text, optionally with YAML front
matter, or an HTML page whose main text is extracted with trafilatura. Every
problem with the input is raised as :class:`InputError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from compare.errors import InputError
from compare.languages import detect_language
from compare.records import LIMIT_OPTIONS, LIMIT_VARIABLES, Event, Limits, Source, parse_size

SOURCE_KEYS = ("party", "title", "speaker", "date", "url", "language", "provenance")
EVENT_KEYS = ("title", "date", "summary")
PROVENANCES = ("original", "paraphrase")
TEXT_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
EVENT_FILE = "event.yaml"
#: Files an event folder may hold beside its sources (teaching material, notes).
RESERVED_NAMES = frozenset({"readme.md", "lesson.md", "answers.yaml", EVENT_FILE})

_LONE_CR = re.compile(r"\r(?!\n)")
#: A lone surrogate (from a YAML escape such as "\ud800", or a file name that is not UTF-8) is no
#: character: it cannot be written out, and the report would fail only at the very end.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Bidirectional embeddings, overrides and isolates: in a party name they make it display as
#: another ("Red \u202eder" shows as "Red red"), so a party may not hold them.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
#: Front matter (and event.yaml) over this size is refused before YAML reads it: a statement's
#: metadata is a few lines, and YAML's cost grows with what it is given.
FRONT_MATTER_MAX = 64 * 1024
#: How deep YAML may nest. Values are single scalars, so 2 would do; a little room lets a list or
#: mapping be refused by name, while 5,000 brackets never reach Python's recursion limit.
YAML_DEPTH_MAX = 20
#: The value types a metadata key may hold, checked before any is turned into text
#: (``!!binary`` gives bytes, ``!!set`` a set: neither is a title or a date).
_SCALARS = (str, bool, int, float, dt.date)


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that metadata does not allow; ``problem`` is said of the text ("has a duplicate key ...")."""


class _MetadataLoader(yaml.SafeLoader):
    """YAML for a statement's metadata: safe tags, no anchors or aliases, bounded depth, unique keys.

    An alias chain ("billion laughs") takes a few lines and expands to gigabytes once a value
    is turned into text, and metadata has no use for anchors, so both are refused outright.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(problem="uses a YAML anchor or alias (&name, *name), which metadata may not use",
                           problem_mark=event.start_mark)
        if self._depth >= YAML_DEPTH_MAX:
            raise _Refused(problem=f"is nested more than {YAML_DEPTH_MAX} deep", problem_mark=event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # PyYAML keeps the last of two equal keys silently; a second 'party' or 'date' is a mistake.
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str) and key in seen:
                raise _Refused(problem=f"has a duplicate key {key!r}", problem_mark=key_node.start_mark)
            if isinstance(key, str):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_metadata(text: str, label: str | Path, *, first_line: int, subject: str = "front matter ") -> Any:
    """Read metadata YAML with :class:`_MetadataLoader`; a problem is one :class:`InputError`.

    ``first_line`` is the file's line number of the text's first line, and ``subject`` what the
    message calls the text ("front matter ", or "" for a whole file such as event.yaml).
    """
    if len(text.encode("utf-8", "surrogatepass")) > FRONT_MATTER_MAX:
        raise InputError(label, f"{subject}is over {FRONT_MATTER_MAX // 1024} KB: metadata is a few lines")
    if not text.strip():
        return {}
    try:
        return yaml.load(text, Loader=_MetadataLoader)  # a SafeLoader subclass: safe tags only
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + first_line})" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        said = problem if isinstance(err, _Refused) else f"is not valid YAML: {problem}"
        raise InputError(label, f"{subject}{said}{where}") from None
    except ValueError as err:  # YAML reads 2022-02-30 as a date and fails on it
        raise InputError(label, f"{subject}holds an impossible date: {err}") from None
    except RecursionError:  # the depth limit keeps this from happening; still never a traceback
        raise InputError(label, f"{subject}is nested too deep") from None


def load_event(paths: str | Path | Iterable[str | Path], limits: Limits | None = None) -> Event:
    """Load an event from one folder (a path) or from a list of source files.

    Sources come back sorted by party (case-insensitively), so that nothing
    downstream depends on the order in which the user listed them. ``limits``
    (default :class:`Limits`) bounds the number of sources and the size of each,
    checked before any is read.
    """
    limits = limits or Limits()
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
    check_source_count(len(files), where, limits)
    sources = [read_source(f, limits) for f in files]
    return build_event(sources, where=where, limits=limits, **meta)


def limits_from_environment(environ: Mapping[str, str] | None = None) -> Limits:
    """The default :class:`Limits`, each replaced by its environment variable (:data:`LIMIT_VARIABLES`)
    where set: the way the app, which has no command line, is given other limits. A value that is
    not a size is an :class:`InputError` naming the variable."""
    environ = os.environ if environ is None else environ
    given: dict[str, int] = {}
    for name, variable in LIMIT_VARIABLES.items():
        text = environ.get(variable, "").strip()
        if text:
            try:
                given[name] = parse_size(text)
            except ValueError as err:
                raise InputError(None, f"${variable}: {err}") from None
    return Limits(**given)


def check_source_count(count: int, where: str | Path | None, limits: Limits) -> None:
    """Refuse more sources than ``limits.sources``, naming the limit and the option that raises it."""
    if count > limits.sources:
        found = f"holds {count} sources" if where is not None else f"{count} sources given"
        raise InputError(where, f"{found}, over the limit of {limits.sources} sources: "
                                f"raise it with {LIMIT_OPTIONS['sources']} (or ${LIMIT_VARIABLES['sources']})")


def check_size(label: str | Path | None, size: int, limits: Limits, *, html: bool = False) -> None:
    """Refuse a source of more than ``limits.source_bytes`` bytes (``limits.page_bytes`` for an HTML page)."""
    name = "page_bytes" if html else "source_bytes"
    limit = getattr(limits, name)
    if size > limit:
        what = "an HTML page" if html else "a source"
        raise InputError(label, f"is {size:,} bytes, over the limit of {limit:,} bytes for {what}: "
                                f"raise it with {LIMIT_OPTIONS[name]} (or ${LIMIT_VARIABLES[name]})")


def build_event(
    sources: list[Source],
    *,
    where: str | Path | None = None,
    title: str | None = None,
    date: str | None = None,
    summary: str | None = None,
    limits: Limits | None = None,
) -> Event:
    """Check a list of sources as one event and give each a unique, stable id."""
    check_source_count(len(sources), where, limits or Limits())
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


def read_source(path: str | Path, limits: Limits | None = None) -> Source:
    """Read one source file (Markdown, text or HTML), refusing one larger than ``limits`` allow."""
    path = Path(path)
    limits = limits or Limits()
    html = path.suffix.lower() in HTML_SUFFIXES
    limit = limits.page_bytes if html else limits.source_bytes
    raw = read_regular_file(path, limit)
    if len(raw) > limit:
        check_size(path, max(len(raw), _size_on_disk(path)), limits, html=html)
    text = decode_text(raw, path)
    if html:
        return source_from_html(text, path)
    return source_from_text(text, path=path, default_party=path.stem)


def read_regular_file(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file; anything else, or an error from the system, is an :class:`InputError`.

    The file is opened without blocking and checked before it is read: a FIFO or a device
    named as a source would otherwise wait for a writer, or never end. With ``max_bytes``, a
    larger file is not read whole: ``max_bytes + 1`` bytes come back, and the caller says
    which limit that is over.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputError(path, f"cannot be read: {err.strerror or err}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise InputError(path, "is not a regular file")
    with open(fd, "rb") as file:
        try:
            if max_bytes is None:
                return file.read()
            # Read only one byte past the limit, whatever the size says (a file may grow, and
            # files such as those under /proc say 0).
            return file.read(max_bytes + 1)
        except OSError as err:
            raise InputError(path, f"cannot be read: {err.strerror or err}") from None


def decode_text(raw: bytes, path: str | Path) -> str:
    """Decode UTF-8 bytes, refusing binary files and undecodable bytes with a clear message."""
    # A NUL anywhere, not only near the start: it is no text character, and would reach the report.
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputError(path, f"is a binary file, not UTF-8 text (a NUL byte at position {nul})")
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
    # Old Mac files end lines with a lone CR, which hides the front matter and every paragraph
    # break. Each becomes a LF, one character for one, so offsets into the text stay where they
    # were; CRLF is left as written (the body is kept as it is, and the rest of the code reads it).
    text = _LONE_CR.sub("\n", text)
    _check_no_surrogate(text, "the text", label)  # a text given as a string (a file's bytes are decoded)
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
    _check_party(str(party), label)
    if not body.strip():
        raise InputError(label, "has no text (it is empty or only whitespace)")
    _check_no_surrogate(body, "the text", label)
    nul = body.find("\x00")
    if nul >= 0:  # a file's NUL is refused as binary when decoded; a pasted text's is refused here
        raise InputError(label, f"the text holds a NUL character (at position {nul}), which is no text character")
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

    page = _html_tree(html)
    text = trafilatura.extract(page, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        if _html_depth(page) > HTML_DEPTH_MAX:  # lxml stops one level past its limit
            raise InputError(path, f"its elements nest more than {HTML_DEPTH_MAX:,} deep, deeper than the HTML "
                                   "reader follows, so no main text could be extracted")
        raise InputError(path, "no main text could be extracted from this HTML page")
    meta = trafilatura.extract_metadata(page)
    title = getattr(meta, "title", None) if meta is not None else None
    date = getattr(meta, "date", None) if meta is not None else None
    fields = check_fields({"title": title, "date": date}, SOURCE_KEYS, path)
    fields["language"] = detect_language(text)[0]
    party = party or Path(path).stem
    _check_party(party, path)
    return Source(
        id="",
        party=party,
        text=text,
        path=str(path),
        format="html",
        **{k: v for k, v in fields.items() if v},
    )


#: How deep libxml2 follows nested elements with ``huge_tree`` (without it, 256: pages generated
#: with a wrapper per component nest deeper than that, and came out as "no main text").
HTML_DEPTH_MAX = 2047


def _html_tree(html: str) -> Any:
    """The page parsed by lxml with libxml2's depth limit raised (see :data:`HTML_DEPTH_MAX`);
    the text itself where lxml cannot parse it (trafilatura then tries on its own)."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (lxml.etree.ParserError, ValueError):
        return html


def _html_depth(page: Any) -> int:
    """How deep the parsed page's elements nest (0 for a page lxml could not parse)."""
    import lxml.etree

    if isinstance(page, str):
        return 0
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(page, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


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
    data = _load_metadata(block, label, first_line=2)
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
        # The type first, before anything is turned into text: str() of a list, a set or bytes
        # reads as a value ("b'hello'") and can be any size.
        if not isinstance(value, _SCALARS):
            kind = {list: "a list", tuple: "a list", dict: "a mapping", set: "a set", bytes: "binary data"}.get(
                type(value), type(value).__name__)
            raise InputError(label, f"{key!r} must be a single value (text, a number or a date), not {kind}")
        if isinstance(value, str):
            _check_no_surrogate(value, repr(key), label)
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
        else:
            value = str(value).strip()
        out[key] = value
    return out


def _check_no_surrogate(text: str, what: str, label: str | Path | None) -> None:
    found = _SURROGATE.search(text)
    if found:
        raise InputError(label, f"{what} holds a lone surrogate (U+{ord(found.group()):04X}), which is not a "
                                "character: save the file as UTF-8, or rename it")


def _check_party(party: str, label: str | Path | None) -> None:
    """Refuse a party name that cannot be written out or would display as something else."""
    _check_no_surrogate(party, "the party name", label)
    found = _BIDI_CONTROLS.search(party)
    if found:
        raise InputError(label, f"the party name {party!a} holds the bidirectional control "
                                f"U+{ord(found.group()):04X}, which makes it display as another name: remove it")


def _iso_date(value: Any, label: str | Path | None) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value).strip()
    try:
        return (dt.datetime if "T" in text else dt.date).fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(label, f"date {text!r} is not an ISO 8601 date such as 2022-12-21") from None


def _size_on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_event_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    raw = read_regular_file(path, FRONT_MATTER_MAX)
    if len(raw) > FRONT_MATTER_MAX:  # said before decoding: the cut may fall inside a character
        raise InputError(path, f"is over {FRONT_MATTER_MAX // 1024} KB: metadata is a few lines")
    text = decode_text(raw, path)
    data = _load_metadata(text, path, first_line=1, subject="")
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


"""Stage 2: cut each source into passages that keep their exact offsets.

Sentences come from sentencex (Wikimedia's maintained segmenter, about 300
languages, abbreviation-aware, and it reports character offsets, so nothing
has to be re-found in the text). Paragraphs and list items are split first, so
that a sentence never runs across them; fragments too short to carry a claim
("Press release", "No:596/22") are merged into their neighbour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

from compare.records import Passage, Source

#: A passage with fewer words than this is merged into its neighbour.
MIN_WORDS = 4

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def split_passages(source: Source, min_words: int = MIN_WORDS) -> list[Passage]:
    """Split a source's text into passages; ``source.text[p.start:p.end] == p.text``."""
    language = source.language.split("-")[0].lower() or "en"
    spans = [s for block in _blocks(source.text) for s in _sentences(source.text, block, language)]
    spans = _merge_short(source.text, spans, min_words)
    return [
        Passage(
            id=f"{source.id}:{i}",
            source_id=source.id,
            index=i,
            start=start,
            end=end,
            text=source.text[start:end],
            language=source.language,
        )
        for i, (start, end) in enumerate(spans)
    ]


def passage_texts(text: str, party: str = "text") -> list[str]:
    """The texts of the passages a source with this text is split into (to embed them before a comparison)."""
    return [p.text for p in split_passages(Source(id=party, party=party, text=text))]


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Paragraphs, then list items within them, as (start, end) spans."""
    cursor = 0
    for brk in [*_BLOCK_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        yield from _list_items(text, cursor, end)
        cursor = brk.end() if brk else len(text)


def _list_items(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    markers = list(_LIST_ITEM.finditer(text, start, end))
    if not markers:
        yield _strip_marker(text, start, end)
        return
    if text[start : markers[0].start()].strip():
        yield start, markers[0].start()
    for m, nxt in zip(markers, [*markers[1:], None]):
        yield m.end(), nxt.start() if nxt else end


def _strip_marker(text: str, start: int, end: int) -> tuple[int, int]:
    m = _HEADING.match(text, start, end)
    return (m.end(), end) if m else (start, end)


def _sentences(text: str, block: tuple[int, int], language: str) -> Iterator[tuple[int, int]]:
    start, end = block
    chunk = text[start:end]
    if not chunk.strip():
        return
    try:
        bounds = sentencex.get_sentence_boundaries(language, chunk)
    except Exception:  # an unknown language code: English rules are the best fallback
        bounds = sentencex.get_sentence_boundaries("en", chunk)
    for b in bounds:
        s, e = start + b["start_index"], start + b["end_index"]
        s, e = _trim(text, s, e)
        if s < e:
            yield s, e


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merge_short(text: str, spans: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    """Merge spans of fewer than ``min_words`` words into the following span
    (or into the previous one when nothing follows)."""
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of short fragments waiting for a home
    for start, end in spans:
        if pending is not None:
            start, pending = pending, None
        if len(_WORD.findall(text[start:end])) < min_words:
            pending = start
            continue
        merged.append((start, end))
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], spans[-1][1])
        else:
            merged.append((pending, spans[-1][1]))
    return merged

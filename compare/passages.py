"""Stage 2: cut each source into passages that keep their exact offsets.

Sentences come from sentencex (Wikimedia's maintained segmenter, about 300
languages, abbreviation-aware, and it reports character offsets, so nothing
has to be re-found in the text). Paragraphs and list items are split first, so
that a sentence never runs across them; fragments too short to carry a claim
("Press release", "No:596/22") are merged into their neighbour.

A passage longer than the embedding model reads (its ``max_seq_length`` in word
pieces: 256 for all-MiniLM-L6-v2, less the special tokens) would be cut short
without a word: a transcript, text pulled out of a PDF or a long legal sentence
has no sentence end for a whole page. Given the model's limit, such a passage is
cut into overlapping windows instead (:func:`split_passages`'s ``max_pieces``),
each ending at a clause or word boundary and each a passage with exact offsets,
so that every word is read and a claim cut by one window's end is read whole at
the start of the next.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence

import sentencex

from compare.records import Passage, Source

#: A passage with fewer words than this is merged into its neighbour.
MIN_WORDS = 4

_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+")
_WORD = re.compile(r"\w+", re.UNICODE)

#: The share of a window that the next one reads again: a quarter of 254 pieces is some 45
#: words, longer than most claims, so a claim that one window's end cuts is whole in the next.
OVERLAP = 0.25
#: A piece ending in one of these (or a dash starting the next) closes a clause: a window
#: ends there, and the next starts there, when it can.
_CLAUSE_END = frozenset(",;:)]}\u2013\u2014")
_CLAUSE_START = frozenset("([{\u2013\u2014")
#: Pieces for the estimate: a CJK character, three letters or digits, or a punctuation mark each.
_ESTIMATE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]{1,3}|[^\w\s]|_", re.UNICODE)

#: Character spans (start, end) of the word pieces a model reads each text as, in order.
PieceSpans = Callable[[Sequence[str]], list[list[tuple[int, int]]]]


def estimate_pieces(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Word pieces as an over-estimate, for a model without a tokenizer to ask.

    WordPiece and SentencePiece read a common word as one piece, a rare one as a few; three
    letters a piece over-counts nearly every English word, so windows cut by it fit the model.
    """
    return [[m.span() for m in _ESTIMATE.finditer(text)] for text in texts]


def split_passages(
    source: Source,
    min_words: int = MIN_WORDS,
    *,
    max_pieces: int | None = None,
    pieces: PieceSpans | None = None,
) -> list[Passage]:
    """Split a source's text into passages; ``source.text[p.start:p.end] == p.text``.

    With ``max_pieces`` (the word pieces of its own text an embedding model reads), a
    passage longer than that is cut into overlapping windows that the model reads whole,
    counted by ``pieces`` (the model's tokenizer; :func:`estimate_pieces` when not given).
    A window's :attr:`Passage.window` says which of how many it is.
    """
    language = source.language.split("-")[0].lower() or "en"
    spans = [s for block in _blocks(source.text) for s in _sentences(source.text, block, language)]
    spans = _merge_short(source.text, spans, min_words)
    windows: list[tuple[int, int] | None] = [None] * len(spans)
    if max_pieces is not None:
        spans, windows = _windowed(source.text, spans, max_pieces, pieces or estimate_pieces)
    return [
        Passage(
            id=f"{source.id}:{i}",
            source_id=source.id,
            index=i,
            start=start,
            end=end,
            text=source.text[start:end],
            language=source.language,
            window=window,
        )
        for i, ((start, end), window) in enumerate(zip(spans, windows))
    ]


def _windowed(
    text: str, spans: list[tuple[int, int]], max_pieces: int, pieces: PieceSpans
) -> tuple[list[tuple[int, int]], list[tuple[int, int] | None]]:
    """Each span that is over ``max_pieces`` replaced by its windows; (spans, (k, n) of each window or None)."""
    max_pieces = max(max_pieces, 1)
    # A piece covers at least one character, at most four pieces make one (byte-level pieces):
    # a span this short fits without asking the tokenizer.
    long = [i for i, (s, e) in enumerate(spans) if 4 * (e - s) > max_pieces]
    counted = dict(zip(long, pieces([text[spans[i][0] : spans[i][1]] for i in long])))
    out: list[tuple[int, int]] = []
    parts: list[tuple[int, int] | None] = []
    for i, (start, end) in enumerate(spans):
        # Into the source's text, without the white space a SentencePiece piece starts with (" мир").
        offsets = [(a, b) for a, b in (_trim(text, start + a, start + b) for a, b in counted.get(i, ())) if b > a]
        if len(offsets) <= max_pieces:
            out.append((start, end))
            parts.append(None)
            continue
        cuts = _window_pieces(text, offsets, max_pieces)
        for k, (a, c) in enumerate(cuts, 1):
            out.append((offsets[a][0], offsets[c - 1][1]))
            parts.append((k, len(cuts)))
    return out, parts


def _window_pieces(text: str, offsets: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """Windows of at most ``budget`` pieces, as (first piece, past the last piece), overlapping.

    A window ends at the last clause boundary in its second half, else at the last word
    boundary there, else (one word longer than half a window) after ``budget`` pieces. The
    next starts at the first clause boundary in the last :data:`OVERLAP` of the window, else
    at the first word boundary there; so each window moves on by at least a quarter of
    ``budget`` pieces, and the number of windows stays linear in the length.
    """
    n = len(offsets)
    words = [i for i in range(1, n) if offsets[i][0] > offsets[i - 1][1]]
    clauses = [i for i in words
               if text[offsets[i - 1][1] - 1] in _CLAUSE_END or text[offsets[i][0]] in _CLAUSE_START]
    overlap = max(int(budget * OVERLAP), 1)
    out: list[tuple[int, int]] = []
    a = 0
    while a + budget < n:
        lo, hi = a + max(budget // 2, 1), a + budget
        c = _last_in(clauses, lo, hi) or _last_in(words, lo, hi) or hi
        out.append((a, c))
        lo = max(a + 1, c - overlap)
        a = _first_in(clauses, lo, c) or _first_in(words, lo, c) or lo
    out.append((a, n))
    return out


def _last_in(sorted_: list[int], lo: int, hi: int) -> int | None:
    """The largest item in ``[lo, hi]``, or None."""
    i = bisect.bisect_right(sorted_, hi)
    return sorted_[i - 1] if i and sorted_[i - 1] >= lo else None


def _first_in(sorted_: list[int], lo: int, hi: int) -> int | None:
    """The smallest item in ``[lo, hi)``, or None."""
    i = bisect.bisect_left(sorted_, lo)
    return sorted_[i] if i < len(sorted_) and sorted_[i] < hi else None


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

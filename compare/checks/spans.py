"""What the extraction finds in a passage: spans (dates, times, counts) and tokens.

The leaf of the package: the English and the per-language extraction build
these, and the facts, the index and the comparisons read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Span:
    """Something a check found in a passage, with offsets inside the passage text."""

    text: str
    start: int
    end: int
    value: object
    unit: str = ""
    #: for a count, the hedge written before it (or after it: "60-dan çox"), which makes it a range
    #: rather than a figure:
    #: "about" ("about 60"), "over" ("more than 1,000"), "nearly" ("almost 300") or "under"
    #: ("up to 50"); empty for a count given as it is
    bound: str = ""
    #: for a count written as a range ("between 3 and 6 micrograms", "1 to 3 percent",
    #: "3-6 micrograms"), its top; ``value`` is its bottom
    upper: float | None = None


@dataclass(frozen=True)
class Token:
    """A word of a passage with its stem and what the negation rules made of it."""

    text: str
    stem: str
    start: int
    end: int
    negated: bool
    capitalised: bool
    sentence_initial: bool
    negator: int = -1  # start offset of the negating word, when negated
    #: a negator comes earlier in the same clause, too far back to cover this word but within
    #: :data:`NEGATION_SCOPE` more words: the word is then neither clearly negated nor clearly
    #: asserted ("will not even begin to carry heavy trucks from the quarry" against "won't
    #: begin to carry heavy trucks from the quarry")
    after_negator: bool = False
    #: punctuation stands between this word and the one before it ("Northern Shipping, Baltic")
    after_punctuation: bool = False


class Found(NamedTuple):
    """Everything one language's extraction finds in a text, in text order."""

    dates: tuple[Span, ...]
    times: tuple[Span, ...]
    weekdays: tuple[Span, ...]
    quantities: tuple[Span, ...]
    tokens: tuple[Token, ...]

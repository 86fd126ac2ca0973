"""What the checks know of one passage: :func:`analyse` and the per-passage index.

A passage is analysed once and then met by many others (on every point, and
in the alignment's link bonus), so what the pairwise comparisons look up is
built here, once per passage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from compare.checks import english, languages
from compare.checks.english import _STOP, OPPOSITES, _content, _name_phrases
from compare.checks.languages import _content_for, _name_phrases_i18n, _rules
from compare.checks.spans import Span, Token
from compare.records import Passage

SUPPORTED_LANGUAGES = frozenset({"en", "ru", "hy", "az"})


@dataclass(frozen=True)
class PassageFacts:
    """What the checks need from one passage, computed once."""

    supported: bool
    language: str
    dates: tuple[Span, ...] = ()
    times: tuple[Span, ...] = ()
    weekdays: tuple[Span, ...] = ()
    quantities: tuple[Span, ...] = ()
    tokens: tuple[Token, ...] = ()
    #: what a reader of these facts works out from them once (the judge's word summary),
    #: kept with them so that it lives exactly as long as they do
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def index(self) -> _Index:
        """The per-passage lookups that :func:`find_discrepancies` compares.

        Built once per passage on first use: a passage meets many others on a
        point (and in the alignment's link bonus), and with these a pair
        comparison is a few set intersections instead of walks over both token lists.
        """
        return _Index.of(self)


@dataclass(frozen=True, eq=False)
class _Index:
    """One passage's tokens sorted into what the pairwise checks look up."""

    #: quantity spans by unit, in text order
    units: dict[str, tuple[Span, ...]]
    #: content stems whose every occurrence is negated -> the first such token
    only_negated: dict[str, Token]
    #: content stems never negated -> their first token
    only_asserted: dict[str, Token]
    #: each negating word's start offset -> the content stems it covers
    negations: dict[int, frozenset[str]]
    #: opposite-word groups this passage asserts a side of, by group number:
    #: (the token of the alphabetically first stem of each side, or None)
    opposites: dict[int, tuple[Token | None, Token | None]]
    #: proper-name anchor -> (the heads it takes, start and end of its first phrase)
    names: dict[str, tuple[frozenset[str], int, int]]
    #: every word as the naming check compares it (lower-case text, or stem)
    words: frozenset[str]
    #: token start offset -> its position, for the context of a negated word
    position: dict[int, int]
    #: English only: stems that occur exactly once -> their token's position (the role check)
    once: dict[str, int] = field(default_factory=dict)
    #: English only: the once-only stems written as a name (capitalised, not a function word)
    capitals: frozenset[str] = frozenset()
    #: English only: stems written capitalised somewhere other than at a sentence start
    proper: frozenset[str] = frozenset()

    @classmethod
    def of(cls, facts: PassageFacts) -> _Index:
        tokens = facts.tokens
        english = facts.language == "en"
        if english:
            content, opposites = _content, OPPOSITES
            phrases = _name_phrases(tokens)
            words = frozenset(t.text.lower() for t in tokens)
        else:
            rules = _rules(facts.language)
            content, opposites = _content_for(rules), rules.opposites
            phrases = _name_phrases_i18n(tokens, rules.language)
            words = frozenset(t.stem for t in tokens)
        units: dict[str, list[Span]] = {}
        for q in facts.quantities:
            if q.unit:
                units.setdefault(q.unit, []).append(q)
        negated: dict[str, Token] = {}
        asserted: dict[str, Token] = {}
        covered: dict[int, set[str]] = {}
        for tok in tokens:
            if content(tok) and not tok.after_negator:
                (negated if tok.negated else asserted).setdefault(tok.stem, tok)
                if tok.negated:
                    covered.setdefault(tok.negator, set()).add(tok.stem)
        # The old rule, per stem: negated on this side only if no occurrence is asserted.
        only_negated = {s: t for s, t in negated.items() if s not in asserted}
        only_asserted = {s: t for s, t in asserted.items() if s not in negated}
        # Opposite words count every asserted word, content or not; the last
        # occurrence of a stem stands for it (as a dict built over the tokens).
        last = {t.stem: t for t in tokens if not t.negated}
        groups: dict[int, tuple[Token | None, Token | None]] = {}
        for g, (group_a, group_b) in enumerate(opposites):
            hit_a, hit_b = group_a & last.keys(), group_b & last.keys()
            if hit_a or hit_b:
                groups[g] = (last[min(hit_a)] if hit_a else None, last[min(hit_b)] if hit_b else None)
        names = {
            anchor: (frozenset(h for _, _, h in found), tokens[found[0][0]].start, tokens[found[0][1]].end)
            for anchor, found in phrases.items()
        }
        return cls(
            units={u: tuple(qs) for u, qs in units.items()},
            only_negated=only_negated,
            only_asserted=only_asserted,
            negations={at: frozenset(stems) for at, stems in covered.items()},
            opposites=groups,
            names=names,
            words=words,
            position={t.start: i for i, t in enumerate(tokens)},
            **(_role_lookups(tokens) if english else {}),
        )


def _role_lookups(tokens: tuple[Token, ...]) -> dict[str, Any]:
    """The role check's lookups for one English passage (see :func:`_swapped_roles`)."""
    seen: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        seen.setdefault(tok.stem, []).append(i)
    once = {stem: at[0] for stem, at in seen.items() if len(at) == 1}
    # Possessives reorder without a change of roles ("Castro's death" / "the death of
    # Castro"), so a name written with 's is not read.
    capitals = frozenset(stem for stem, i in once.items()
                         if tokens[i].capitalised and tokens[i].text.lower() not in _STOP and len(stem) > 1
                         and not tokens[i].text.lower().replace("\u2019", "'").endswith("'s"))
    proper = frozenset(t.stem for t in tokens if t.capitalised and not t.sentence_initial)
    return {"once": once, "capitals": capitals, "proper": proper}


def _base_language(passage: Passage) -> str:
    """A passage's language without its region ("en-GB": "en"), in lower case."""
    return passage.language.split("-")[0].lower()


def analyse(passage: Passage) -> PassageFacts:
    """Extract dates, times, counts and tokens with their negation from a passage."""
    language = _base_language(passage)
    if language not in SUPPORTED_LANGUAGES:
        return PassageFacts(supported=False, language=language)
    found = english.extract(passage.text) if language == "en" else languages.extract(passage.text, language)
    return PassageFacts(supported=True, language=language, **found._asdict())


def analysed(passage: Passage, facts: dict[str, PassageFacts] | None) -> PassageFacts:
    """:func:`analyse`, once per passage id: ``facts`` is the comparison's shared memo (``None``: none kept)."""
    if facts is None:
        return analyse(passage)
    found = facts.get(passage.id)
    if found is None:
        found = facts[passage.id] = analyse(passage)
    return found


def attribution(passage: Passage) -> Span | None:
    """Where a passage reports or hedges what it says rather than asserting it ("reports of",
    "reportedly", "the company says"), or ``None``. English only: other languages are never read as reports."""
    if _base_language(passage) != "en":
        return None
    return english.attribution(passage.text)


def another_occurrence(passage: Passage) -> Span | None:
    """Where a passage speaks of another occurrence of the event than the one at hand ("The first time
    was on 3 December"), or ``None``. English only: in other languages every value counts as the event's."""
    if _base_language(passage) != "en":
        return None
    return english.another_occurrence(passage.text)


def statement_date(passage: Passage, date: Span) -> Span | None:
    """Where a date of a passage (a span of its ``dates``, ``times`` or ``weekdays``) dates a statement
    the passage tells of ("On 13 December, the Department of State said ..."), or ``None``. English
    only: in other languages every date counts as the event's."""
    if _base_language(passage) != "en":
        return None
    return english.statement_date(passage.text, date)


def speaks_of_a_statement(passage: Passage) -> bool:
    """Whether an English passage tells of something said (a verb of saying), so that the date of a
    statement can be its own value ("We warned management in writing on 14 April")."""
    return _base_language(passage) == "en" and english.speech_verb(passage.text) is not None

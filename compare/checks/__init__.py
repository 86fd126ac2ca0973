"""Discrepancy checks: concrete, quotable differences between two aligned passages.

Five checks, each a small documented rule so a reader can see why it fired:

* **quantity**: both passages count the same thing (the same unit word after
  the number, e.g. "276 persons" / "300 persons") with different values, and
  share no equal count of it. Two unrelated numbers never clash, and a whole
  number matches a figure within a tenth of it that rounds to it ("9%" /
  "8.76 per cent"): outlets round.
* **date**: both give a calendar date (or a clock time, or a weekday) and share
  none: "9 November 2020" / "10 November 2020". A date without a year matches
  the same day and month with one. Two dates count as rivals only when they
  could date one event: the same month with another day, or the same day in
  another year ("9 November 2020" / "13 December" is two events).
* **polarity**: a word both use is negated in one and asserted in the other
  ("have not blocked" / "blocked"), or one asserts a word of an opposing group
  that the other does not use ("blocked" / "unimpeded"). A negation covers the
  eight words after it within its clause; a word further on in a clause that
  has a negation counts as neither, so two sentences that both negate do not
  clash because one puts the shared word further from its "not".
* **naming**: the same proper-name anchor with a different head: "Lachin road"
  / "Lachin corridor", "Mill Street junction" / "Mill Road crossing". Two
  spellings of one word are not a different name: a possessive ("Lopez's"),
  an abbreviation ("Corp" / "Corporation") or a transliteration a letter or
  two apart ("Kyongsang" / "Kyeongsang"). Words of a list ("Northern Shipping,
  Baltic Freight") are not read as one name.
* **role** (English): the same two names on either side of the same word, in
  swapped places: "Armenian forces shelled Azerbaijani positions" / "Azerbaijani
  forces shelled Armenian positions". Who did what to whom is what accounts of
  a clash most often dispute, and the two sentences embed as near-paraphrases.

Passages are analysed once (:func:`analyse`) and compared pairwise
(:func:`find_discrepancies`), so pairwise work stays cheap. The rules are for
English, Russian, Armenian and Azerbaijani (the rules for the last three, and
what they cover, are at the end of this module); for other languages the
checks are skipped and the evidence says so. Across two languages only values
are compared (dates, times, weekdays, and counts of units in a shared table):
:func:`skipped_notes` says so in the evidence.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from compare.records import Discrepancy, Passage

SUPPORTED_LANGUAGES = frozenset({"en", "ru", "hy", "az"})
CHECK_KINDS = ("polarity", "quantity", "date", "naming", "role")

# --- vocabulary -----------------------------------------------------------

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}
_MAGNITUDES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "hundred": 100}
#: Unit words that name the same thing counted.
_UNIT_SYNONYMS = {"people": "person", "persons": "person", "individuals": "person", "individual": "person"}
_NEGATORS = frozenset(
    {"not", "no", "never", "neither", "nor", "none", "nobody", "nothing", "nowhere", "without", "cannot"}
)
#: Contractions written without their apostrophe ("I dont know"), as wire copy and typed
#: statements often have them. Each is read as its "n't" form.
_BARE_NEGATIONS = frozenset(
    """dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt couldnt wouldnt shouldnt mustnt
    neednt wont cant aint""".split()
)
#: How many words after a negation it covers (within its clause). The next as many words of the
#: clause count as neither negated nor asserted (:attr:`Token.after_negator`); words past them
#: are asserted ("Nobody was hurt when the bus overturned near the bridge early on Monday and
#: the driver was arrested": "arrested" is asserted).
NEGATION_SCOPE = 8
_CLAUSE_BREAKS = frozenset({"but", "while", "although", "though", "whereas", "however", "yet"})
#: Groups of word stems that assert opposite states of the same thing.
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split()))
    for a, b in [
        ("block blockad close closur obstruct shut cut halt imped hinder", "open unblock unimped unhind unobstruct reopen"),
        ("agre accept confirm support", "disagre reject deni oppos"),
        ("increas rise grow", "decreas fall declin"),
        ("legal legitim lawful", "illeg illegitim unlaw"),
        ("true", "fals"),
        ("allow permit", "forbid prohibit ban"),
        ("safe", "unsaf danger"),
        ("arriv", "depart"),
    ]
)
#: Lower-case head nouns that can follow a proper-name anchor in a name
#: ("Lachin road", "Trilateral statement"); a verb after a name never counts.
NAME_HEADS = frozenset(
    """road corridor highway route street avenue lane junction crossing bridge square roundabout
    region republic territory area province district city town village border zone
    authorities government ministry administration forces army troops contingent mission
    council committee statement declaration agreement accord protesters activists
    demonstrators movement group party people community residents population""".split()
)
_STOP = ENGLISH_STOP_WORDS | {"s", "t"}
#: Words that cannot anchor a name. Smaller than ``_STOP``, which also holds
#: words such as "mill" and "bill" that do start names.
_FUNCTION_WORDS = frozenset(
    """a an the this that these those it its our their his her we they he she i you
    in on at of to for from by with and or but as if""".split()
)

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\d[\d,.]*\d|\d|[.,;:!?()\"\u201c\u201d]")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = [
    # 10 November 2020, 10th of November, 10 Nov. 2020
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH_RE})\.?(?:,?\s+(?P<y>\d{{4}}))?\b", re.I),
    # November 10, 2020
    re.compile(rf"\b(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>\d{{4}}))?", re.I),
    # 2020-11-10
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    # 10.11.2020 or 10/11/2020 (day first, as in most of the world's official texts)
    re.compile(r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})\b"),
]
_TIME = re.compile(r"\b(?P<h>\d{1,2})(?::(?P<min>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)(?![a-z])|\b(?P<h2>\d{1,2}):(?P<min2>\d{2})\b", re.I)
_HOUR_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_WORD_TIME = re.compile(
    rf"\b(?:(?P<minutes>quarter|half|ten|five|twenty|twenty-five)\s+(?P<dir>past|to)\s+)?"
    rf"(?P<hour>{_HOUR_WORDS}|\d{{1,2}})(?(minutes)|\s+o['\u2019]clock)\b",
    re.I,
)
_WEEKDAY = re.compile(rf"\b(?P<w>{'|'.join(_WEEKDAYS)})\b", re.I)
_QUANTITY = re.compile(
    rf"(?<![\w:/.,-])(?P<num>{_NUM}|{'|'.join(_NUMBER_WORDS)})"
    rf"(?:\s+(?P<mag>thousand|million|billion|hundred))?"
    rf"(?P<pct>\s*%|\s+per\s*cent|\s+percent)?"
    rf"(?![\w/-])",
    re.I,
)
_UNIT = re.compile(r"\s+(?:more\s+|of\s+)?(?P<unit>[^\W\d_]+(?:/[^\W\d_]+)?)", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """Something a check found in a passage, with offsets inside the passage text."""

    text: str
    start: int
    end: int
    value: object
    unit: str = ""


@dataclass(frozen=True)
class Token:
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
        for tok in tokens:
            if content(tok) and not tok.after_negator:
                (negated if tok.negated else asserted).setdefault(tok.stem, tok)
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


@lru_cache(maxsize=None)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def analyse(passage: Passage) -> PassageFacts:
    """Extract dates, times, counts and tokens with their negation from a passage."""
    language = passage.language.split("-")[0].lower()
    if language not in SUPPORTED_LANGUAGES:
        return PassageFacts(supported=False, language=language)
    if language != "en":
        return _analyse_i18n(passage.text, language)
    text = passage.text
    dates, taken = _find_dates(text)
    times = tuple(_find_times(text, taken))
    taken |= {i for t in times for i in range(t.start, t.end)}
    weekdays = tuple(
        Span(m.group(0), m.start(), m.end(), m.group("w").lower()) for m in _WEEKDAY.finditer(text)
    )
    quantities = tuple(_find_quantities(text, taken))
    return PassageFacts(
        supported=True,
        language=language,
        dates=tuple(dates),
        times=times,
        weekdays=weekdays,
        quantities=quantities,
        tokens=tuple(_tokens(text)),
    )


def find_discrepancies(
    left: Passage, left_facts: PassageFacts, right: Passage, right_facts: PassageFacts
) -> list[Discrepancy]:
    """Every discrepancy between two passages, left side first in each."""
    if not (left_facts.supported and right_facts.supported):
        return []
    found: list[Discrepancy] = []

    def add(kind: str, description: str, a: Span | Token, b: Span | Token) -> None:
        found.append(
            Discrepancy(
                kind=kind,  # type: ignore[arg-type]
                description=description,
                left=a.text,
                right=b.text,
                left_passage=left.id,
                right_passage=right.id,
                left_start=left.start + a.start,
                left_end=left.start + a.end,
                right_start=right.start + b.start,
                right_end=right.start + b.end,
            )
        )

    # Each check is skipped outright when a side has nothing for it: most pairs
    # share no dates, counts, negations or names, and this runs for every pair
    # of passages on every point.
    for spans_l, spans_r, what, same in (
        (left_facts.dates, right_facts.dates, "date", _same_date),
        (left_facts.times, right_facts.times, "time", _same_time),
        (left_facts.weekdays, right_facts.weekdays, "day", _equal),
    ):
        if not (spans_l and spans_r):
            continue
        pair = _unmatched_pair(spans_l, spans_r, same)
        if pair and what == "date":
            pair = next(((x, y) for x in spans_l for y in spans_r if _rival_dates(x, y)), None)
        if pair:
            add("date", f"different {what}: {pair[0].text!r} vs {pair[1].text!r}", *pair)

    li, ri = left_facts.index, right_facts.index
    if li.units and ri.units:
        for unit in sorted(li.units.keys() & ri.units.keys()):
            pair = _unmatched_pair(li.units[unit], ri.units[unit], _same_number)
            if pair:
                add("quantity", f"different count of {unit!r}: {pair[0].text!r} vs {pair[1].text!r}", *pair)

    if left_facts.language != right_facts.language:
        return found  # words are not compared across languages (see skipped_notes)
    if (li.only_negated and ri.only_asserted) or (ri.only_negated and li.only_asserted) or (li.opposites and ri.opposites):
        for a, b, why in _polarity_clashes(left_facts.tokens, li, right_facts.tokens, ri):
            add("polarity", why, a, b)
    if li.names and ri.names:
        for a, b in _naming_differences(left, li, right, ri):
            add("naming", f"different name for the same referent: {a.text!r} vs {b.text!r}", a, b)
    if len(li.capitals) > 1 and len(ri.capitals) > 1:
        swap = _swapped_roles(left.text, left_facts.tokens, li, right.text, right_facts.tokens, ri)
        if swap:
            add("role", *swap)
    return found


def unsupported_note(*languages: str) -> str:
    langs = sorted({lang for lang in languages if lang not in SUPPORTED_LANGUAGES})
    return (
        f"the {', '.join(CHECK_KINDS)} checks did not run: no rules for language "
        + ", ".join(repr(lang) for lang in langs)
    )


# --- extraction -----------------------------------------------------------


def _find_dates(text: str) -> tuple[list[Span], set[int]]:
    spans: list[Span] = []
    taken: set[int] = set()
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(i in taken for i in range(m.start(), m.end())):
                continue
            month_raw = m.group("m")
            month = int(month_raw) if month_raw.isdigit() else _MONTHS[month_raw.lower()]
            day = int(m.group("d"))
            year = int(m.group("y")) if m.group("y") else None
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            spans.append(Span(m.group(0), m.start(), m.end(), (year, month, day)))
            taken.update(range(m.start(), m.end()))
    spans.sort(key=lambda s: s.start)
    return spans, taken


def _find_times(text: str, taken: set[int]) -> list[Span]:
    out = []
    for m in _TIME.finditer(text):
        if any(i in taken for i in range(m.start(), m.end())):
            continue
        hour = int(m.group("h") or m.group("h2"))
        minute = int(m.group("min") or m.group("min2") or 0)
        ampm = (m.group("ampm") or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        if ampm == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            out.append(Span(m.group(0), m.start(), m.end(), hour * 60 + minute))
            taken.update(range(m.start(), m.end()))
    # "quarter past eight", "ten o'clock": without am/pm, compared on a 12-hour dial.
    for m in _WORD_TIME.finditer(text):
        if any(i in taken for i in range(m.start(), m.end())):
            continue
        raw_hour = m.group("hour").lower()
        hour = int(raw_hour) if raw_hour.isdigit() else _NUMBER_WORDS[raw_hour]
        minutes = {"quarter": 15, "half": 30, "ten": 10, "five": 5, "twenty": 20, "twenty-five": 25}.get(
            (m.group("minutes") or "").lower(), 0
        )
        if (m.group("dir") or "").lower() == "to":
            hour, minutes = hour - 1, 60 - minutes
        out.append(Span(m.group(0), m.start(), m.end(), (hour % 12) * 60 + minutes))
    return out


def _find_quantities(text: str, taken: set[int]) -> list[Span]:
    out = []
    for m in _QUANTITY.finditer(text):
        if any(i in taken for i in range(m.start(), m.end())):
            continue
        raw = m.group("num")
        word = raw.lower()
        if word in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[word])
            if word in ("one",) and not m.group("mag"):
                continue  # "one of the", "no one": rarely a count worth comparing
        else:
            value = float(raw.replace(",", ""))
            if raw.isdigit() and len(raw) == 4 and 1800 <= value <= 2100 and not m.group("mag"):
                continue  # a year, not a count
        if m.group("mag"):
            value *= _MAGNITUDES[m.group("mag").lower()]
        end = m.end()
        if m.group("pct"):
            unit = "percent"
        else:
            u = _UNIT.match(text, end)
            if not u:
                continue
            unit_word = u.group("unit").lower()
            if unit_word in _STOP or unit_word in _MONTHS:
                continue
            unit = _UNIT_SYNONYMS.get(unit_word) or _stem(unit_word)
            end = u.end()
        out.append(Span(text[m.start() : end], m.start(), end, value, unit))
    return out


def _stem(word: str) -> str:
    return _stemmer().stemWord(word.lower().replace("\u2019", "'"))


def _tokens(text: str) -> list[Token]:
    raw = list(_TOKEN.finditer(text))
    out: list[Token] = []
    scope = 0  # how many more words the last negator covers
    negator_at = -1
    in_negated_clause = False  # a negator came earlier in this clause
    since_negator = 0  # words since it
    punctuation = False
    sentence_start = True
    for m in raw:
        word = m.group(0)
        lower = word.lower().replace("\u2019", "'")
        if not word[0].isalnum():
            if word in ".!?;:":
                sentence_start = word in ".!?"
            scope = 0
            in_negated_clause = False
            punctuation = True
            continue
        if lower in _CLAUSE_BREAKS:
            scope = 0
            in_negated_clause = False
        contracted = lower.endswith("n't") or lower in _BARE_NEGATIONS
        is_negator = lower in _NEGATORS or contracted
        base = lower.removesuffix("n't") if lower.endswith("n't") else lower[:-2] if contracted else lower
        out.append(
            Token(
                text=word,
                stem=_stem(base),
                start=m.start(),
                end=m.end(),
                negated=scope > 0 and not is_negator,
                capitalised=word[0].isupper(),
                sentence_initial=sentence_start,
                negator=negator_at if scope > 0 and not is_negator else -1,
                after_negator=(in_negated_clause and scope == 0 and not is_negator
                               and since_negator < 2 * NEGATION_SCOPE),
                after_punctuation=punctuation,
            )
        )
        sentence_start = False
        punctuation = False
        since_negator += 1
        if is_negator:
            scope = NEGATION_SCOPE
            negator_at = m.start()
            in_negated_clause = True
            since_negator = 0
        elif scope:
            scope -= 1
    return out


# --- comparison -----------------------------------------------------------


def _equal(a: Span, b: Span) -> bool:
    return a.value == b.value


def _same_date(a: Span, b: Span) -> bool:
    ya, ma, da = a.value  # type: ignore[misc]
    yb, mb, db = b.value  # type: ignore[misc]
    return ma == mb and da == db and (ya is None or yb is None or ya == yb)


def _same_time(a: Span, b: Span) -> bool:
    """Equal clock times; 8:15 and 20:15 count as equal, since a text rarely says which."""
    return int(a.value) % 720 == int(b.value) % 720  # type: ignore[call-overload]


def _rival_dates(a: Span, b: Span) -> bool:
    """Two dates that plausibly date the same event differently: the same month
    (and year) with another day, or the same day and month in another year.
    "9 November 2020" and "13 December" are more likely two events."""
    ya, ma, da = a.value  # type: ignore[misc]
    yb, mb, db = b.value  # type: ignore[misc]
    same_year = ya is None or yb is None or ya == yb
    return (ma == mb and same_year and da != db) or (ma == mb and da == db and not same_year)


def _same_number(a: Span, b: Span) -> bool:
    """Equal counts, or a whole number and a figure that rounds to it ("9%" / "8.76 per cent")."""
    x, y = float(a.value), float(b.value)  # type: ignore[arg-type]
    if abs(x - y) <= 0.005 * max(abs(x), abs(y), 1e-9):
        return True
    wa, wb = _written(a), _written(b)
    if wa is None or wb is None or wa[2] != wb[2] or wa[1] == wb[1]:
        return False  # a number word, another magnitude, or both written to the same precision
    whole, exact = (wa[0], wb[0]) if wa[1] else (wb[0], wa[0])
    # Within a tenth, too: "1 billion" is not a rounding of "1.4 billion".
    return math.floor(exact + 0.5) == whole and abs(whole - exact) <= 0.1 * whole + 1e-9


_WRITTEN = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s+(?P<mag>thousand|million|billion))?",
                      re.I)


def _written(span: Span) -> tuple[float, bool, str] | None:
    """A count as written: (its number before any magnitude word, whether it is a whole number,
    the magnitude word), so that rounding is read at the precision the text chose; ``None``
    for a number word ("two percent")."""
    m = _WRITTEN.match(span.text)
    if not m:
        return None
    raw = m.group("num").replace(",", "")
    return float(raw), "." not in raw, (m.group("mag") or "").lower()


def _unmatched_pair(left, right, same) -> tuple[Span, Span] | None:
    """The closest pair of differing values, when the two sides share no value."""
    if not left or not right:
        return None
    if any(same(a, b) for a in left for b in right):
        return None
    return left[0], right[0]


def _content(tok: Token) -> bool:
    """A word whose negation can clash: not a function word, not a name."""
    if (tok.capitalised and not tok.sentence_initial) or tok.text[0].isdigit():
        return False  # numbers are the count and date checks' to compare
    return tok.stem not in _STOP and tok.text.lower() not in _STOP and len(tok.stem) > 2


def _content_for(rules: _Rules) -> Callable[[Token], bool]:
    """:func:`_content` with another language's stop words."""

    def content(tok: Token) -> bool:
        if tok.capitalised and not tok.sentence_initial:
            return False
        return tok.stem not in rules.stop and tok.text.lower() not in rules.stop and len(tok.stem) > 2

    return content


def _polarity_clashes(
    left: tuple[Token, ...], li: _Index, right: tuple[Token, ...], ri: _Index
) -> Iterator[tuple[Token, Token, str]]:
    """Yield (left token, right token, description) for each polarity clash."""
    # A stem negated (every time) on one side and asserted (every time) on the other.
    candidates = [("l", li.only_negated[s], ri.only_asserted[s], s) for s in li.only_negated.keys() & ri.only_asserted.keys()]
    candidates += [("r", ri.only_negated[s], li.only_asserted[s], s) for s in ri.only_negated.keys() & li.only_asserted.keys()]
    reported: set[str] = set()
    if candidates:
        # One clash per negating word, the first word it covers that clashes:
        # "does not guarantee secure movement" is one clash on "guarantee".
        negators_used: set[tuple[str, int]] = set()
        for side, negated, other, stem in sorted(candidates, key=lambda c: (c[0], c[1].start)):
            if (side, negated.negator) in negators_used:
                continue
            negators_used.add((side, negated.negator))
            reported.add(stem)
            if side == "l":
                yield negated, other, f"negated on one side only: {_context(left, li, negated)!r} vs {other.text!r}"
            else:
                yield other, negated, f"negated on one side only: {other.text!r} vs {_context(right, ri, negated)!r}"
    for g, (left_a, left_b) in li.opposites.items():
        if g not in ri.opposites:
            continue
        right_a, right_b = ri.opposites[g]
        # Only when each side takes one side cleanly: "blocked ... unhindered
        # movement" uses both groups and is no clash with "unimpeded".
        for hit_l, hit_r, other_l, other_r in ((left_a, right_b, left_b, right_a), (left_b, right_a, left_a, right_b)):
            if hit_l and hit_r and not other_l and not other_r:
                if hit_l.stem in reported or hit_r.stem in reported:
                    continue
                yield hit_l, hit_r, f"opposite terms: {hit_l.text!r} vs {hit_r.text!r}"


def _context(tokens: tuple[Token, ...], index: _Index, tok: Token) -> str:
    """The negated word with the words before it, for a readable description."""
    i = index.position[tok.start]
    return " ".join(t.text for t in tokens[max(0, i - 3) : i + 1])


def _name_phrases(tokens: tuple[Token, ...]) -> dict[str, list[tuple[int, int, str]]]:
    """Map each proper-name anchor to the (start index, end index, head) of its phrases."""
    phrases: dict[str, list[tuple[int, int, str]]] = {}
    for i, tok in enumerate(tokens[:-1]):
        if not tok.capitalised or tok.sentence_initial or tok.text.lower() in _FUNCTION_WORDS:
            continue
        nxt = tokens[i + 1]
        if nxt.after_punctuation or nxt.start - tok.end > 2:  # "Northern Shipping, Baltic Freight": a list
            continue
        head = _name_key(nxt.text)
        if nxt.capitalised and head not in _FUNCTION_WORDS:
            end = i + 1
            if end + 1 < len(tokens) and tokens[end + 1].text.lower() in NAME_HEADS:
                end += 1
        elif head in NAME_HEADS:
            end = i + 1
        else:
            continue
        phrases.setdefault(tok.text, []).append((i, end, head))
    return phrases


def _naming_differences(left: Passage, li: _Index, right: Passage, ri: _Index) -> Iterator[tuple[Span, Span]]:
    """The same anchor with no head in common, and neither side using the other's head elsewhere."""
    for anchor in sorted(li.names.keys() & ri.names.keys()):
        heads_l, ls, le = li.names[anchor]
        heads_r, rs, re_ = ri.names[anchor]
        if heads_l & heads_r or any(_same_name(a, b) for a in heads_l for b in heads_r):
            continue
        if heads_l & ri.words or heads_r & li.words:
            continue  # the other side uses the same word elsewhere: not a naming choice
        yield Span(left.text[ls:le], ls, le, None), Span(right.text[rs:re_], rs, re_, None)


def _name_key(word: str) -> str:
    """A name word as the naming check compares it: lower case, without a possessive or apostrophes."""
    word = word.lower().replace("\u2019", "'")
    return word.removesuffix("'s").strip("'").replace("'", "")


def _same_name(a: str, b: str) -> bool:
    """Two spellings of one name word: an abbreviation of three or four letters ("Corp" /
    "Corporation", "Insp" / "Inspector"), a plural or an apostrophe-less possessive ("Brontes" /
    "Bronte's"), or a transliteration a letter or two apart ("Kyongsang" / "Kyeongsang")."""
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) and (3 <= len(short) <= 4 or long_[len(short):] in ("s", "es")):
        return True
    return (len(short) >= 6 and a[0] == b[0]
            and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85)


#: Be-forms that, just before a verb with a "by" after it, mark the passive:
#: "Azerbaijani positions were shelled by Armenian forces" names the same
#: shooter as "Armenian forces shelled Azerbaijani positions" (so does a
#: headline's "positions shelled by Armenian forces").
_BE_FORMS = frozenset("is are was were be been being am get gets got".split())
#: Stems of predicates whose two parties share one role ("Armenia met
#: Azerbaijan", "talks ... with"): their order says nothing about who did what.
_SYMMETRIC = frozenset(
    "meet met talk negoti discuss agre agreement sign clash exchang border neighbour neighbor trade cooper identifi"
    .split()
)
#: Words before the later name that join the two as equals ("Armenia and Azerbaijan",
#: "with Baku") or as a possession ("the wife of Baghdadi" / "Baghdadi's wife", "the
#: head of the Islamic State" / "Islamic State head Baghdadi"): no act either way.
_JOINERS = frozenset({"and", "with", "between", "together", "&", "of"})
#: Words before a name that make it a place, not a party ("killed in Yemen").
_PLACE_WORDS = frozenset({"in", "at", "near", "inside", "outside"})
#: The role check reads a name, a word and a name within this many words, with no
#: punctuation between them (one clause: "Jess Smith, a student at Canterbury" is
#: an apposition, not an act).
ROLE_SPAN = 8
_CLAUSE_MARKS = re.compile(r"[,;:()\[\]\"\u201c\u201d\u2018\u2014\u2013]|--|(?:^|\s)'|'(?:\s|$)")
#: The evidence note for a pair the role check cannot read: it knows English word order only
#: (Russian and Azerbaijani mark roles by case endings, and their word order is freer).
ROLE_SKIPPED = "the role check did not run: it reads English word order only"


def _swapped_roles(
    left_text: str, left: tuple[Token, ...], li: _Index, right_text: str, right: tuple[Token, ...], ri: _Index
) -> tuple[str, Span, Span] | None:
    """The first pair of names that swap places around a shared word: (description, left span, right span).

    Deliberately narrow, so that what it reports is worth a reader's look: the
    two names (words capitalised on both sides, one at least written so away
    from a sentence start) and the word between them (a content word) each occur exactly once
    on each side, within :data:`ROLE_SPAN` words of one clause, the word
    written the same on both sides; a passive ("were shelled by") counts as its
    active, one without its agent names no actor (:func:`_voice`); symmetric
    predicates ("met", "talks with", "Armenia and Azerbaijan"), possessions
    ("the wife of Karimov", "Karimov's wife") and places ("near Sotk") are left alone. Names of common
    nouns ("the police arrested the protesters" / "the protesters arrested the
    police") are not read: without a parser their roles are too easy to misread.
    """
    names = sorted(li.capitals & ri.capitals, key=li.once.__getitem__)
    proper = li.proper | ri.proper
    if len(names) < 2 or not proper.intersection(names):
        return None
    # The candidate words between the names, in left order (sorted once, read for every pair of names).
    words = sorted((s for s in li.once.keys() & ri.once.keys()
                    if s not in names and s not in _SYMMETRIC and _content(left[li.once[s]])
                    and _content(right[ri.once[s]])), key=li.once.__getitem__)
    for k, x in enumerate(names):
        for y in names[k + 1:]:
            lx, ly, rx, ry = li.once[x], li.once[y], ri.once[x], ri.once[y]
            if not (x in proper or y in proper) or not (
                    _one_clause(left_text, left, lx, ly) and _one_clause(right_text, right, rx, ry)):
                continue
            if _joined(left, lx, ly) or _joined(right, rx, ry) or _place(left, lx, ly) or _place(right, rx, ry):
                continue
            for v in words:
                lv, rv = li.once[v], ri.once[v]
                if not lx < lv < ly or not min(rx, ry) < rv < max(rx, ry):
                    continue
                if left[lv].text.lower() != right[rv].text.lower():
                    continue  # "captured" / "Rosenberg's capture": another construction, roles unread
                # +1: x acts on y ("x shelled y"); a passive reverses what the order says.
                said_left = _voice(left, lv, ly)
                said_right = (1 if rx < ry else -1) * _voice(right, rv, max(rx, ry))
                if said_left * said_right != -1:
                    continue
                a = Span(left_text[left[lx].start: left[ly].end], left[lx].start, left[ly].end, None)
                lo, hi = sorted((rx, ry))
                b = Span(right_text[right[lo].start: right[hi].end], right[lo].start, right[hi].end, None)
                why = (f"the same names in swapped roles around {left[lv].text!r}: "
                       f"{left[lx].text} ... {left[ly].text} vs {right[lo].text} ... {right[hi].text}")
                return why, a, b
    return None


def _one_clause(text: str, tokens: tuple[Token, ...], i: int, j: int) -> bool:
    """Whether tokens ``i`` and ``j`` are close together in one clause (no punctuation between them)."""
    lo, hi = sorted((i, j))
    return hi - lo <= ROLE_SPAN and not _CLAUSE_MARKS.search(text, tokens[lo].end, tokens[hi].start)


def _voice(tokens: tuple[Token, ...], verb: int, end: int) -> int:
    """What the order of the names says, read at the word between them (``end``: the later name).

    1: the name before the word acts ("forces shelled"); -1: a passive with its
    agent ("were shelled by", a headline's "kidnapped by"); 0: unknown, so not
    read: a passive without its agent ("was killed during an air strike"), or a
    "by" further on that may belong to another verb ("woman reportedly
    kidnapped by": at "woman" the order says nothing).
    """
    after = [t.text.lower() for t in tokens[verb + 1: end]]
    if "by" in after:
        return -1 if after.index("by") == 0 else 0
    word = tokens[verb].text.lower()
    if word.endswith("ing") or not any(t.text.lower() in _BE_FORMS for t in tokens[max(0, verb - 2): verb]):
        return 1  # active, or progressive ("are shelling")
    return 0


def _place(tokens: tuple[Token, ...], i: int, j: int) -> bool:
    """Whether either name is a place ("in Yemen", "near Sotk") rather than a party."""
    return any(k > 0 and tokens[k - 1].text.lower() in _PLACE_WORDS for k in (i, j))


def _joined(tokens: tuple[Token, ...], i: int, j: int) -> bool:
    """Whether the later name is joined to the earlier as an equal or a possession (:data:`_JOINERS`, up to 3 words before it)."""
    later = max(i, j)
    return any(t.text.lower() in _JOINERS for t in tokens[max(min(i, j) + 1, later - 3): later])


# --- Russian, Armenian and Azerbaijani -------------------------------------
#
# The same checks but the role check, with each language's own words. What is covered:
#
# * numbers in digits with the local separators ("120 000", "120.000" and
#   "1,5" as well as "120,000" and "1.5"), a case suffix after the digits
#   ("2022-ci", "20-ին", "20-го"), number words up to the hundreds with
#   "thousand", "million" ("две тысячи", "երկու հազար", "iki min") and the
#   abbreviations тыс., млн, մլն, mln;
# * dates with month names in the forms used after a day or a year ("20
#   декабря 2022 года", "2022 թվականի դեկտեմբերի 20-ին", "20 dekabr 2022-ci il",
#   "2022-ci il dekabrın 20-də"), numeric "20.12.2022" and "2022-12-20", clock
#   times "6:30", and weekdays;
# * negation: ru не, нет, ни, никто, ничего, никогда, нигде, без, нельзя
#   before the words they negate; hy ոչ, ոչինչ, երբեք, առանց, the negative
#   auxiliaries չի, չեն, չէ, չէր ... (negating the participle after them, or the
#   predicate before them, as in "փակ չէ") and verbs with the prefix չ-
#   ("չփակվեց"); az heç before a word, deyil, yox, yoxdur after it, and the
#   verb suffixes -ma/-mə before a tense ("bağlanmadı", "artmayacaq",
#   "açılmamış") and the present -mır/-mir/-mur/-mür ("işləmir"). Not covered:
#   Azerbaijani negation in other moods and participles, double negatives,
#   and negation that spans clauses;
# * words are compared through Snowball stems: Russian and Armenian have
#   their own stemmers; Azerbaijani uses the Turkish one, a fair approximation
#   for a closely related language with the same suffixes, after writing ə as e
#   (the Turkish stemmer does not know ə);
# * across two languages only values are compared: dates, times and weekdays
#   always, and counts when their units are in the small table of common units
#   below (people, days, weeks, hours, minutes, years, months, metres,
#   kilometres, euros, dollars, cents, percent, children, cars, buses).

_I18N_LANGUAGES = ("ru", "hy", "az")
_STEMMER_NAMES = {"ru": "russian", "hy": "armenian", "az": "turkish"}


@lru_cache(maxsize=None)
def _stemmer_for(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


def _stem_in(language: str, word: str) -> str:
    word = word.lower()
    if language == "en":
        return _stem(word)
    if language == "az":
        word = word.replace("ə", "e")
    return _stemmer_for(language).stemWord(word)


def _words(text: str) -> list[str]:
    return text.split()


@dataclass(frozen=True)
class _Rules:
    """One language's vocabulary for the checks (all words lower-case)."""

    language: str
    months: dict[str, int]
    weekdays: dict[str, str]
    number_words: dict[str, float]
    magnitudes: dict[str, float]
    lone_skipped: frozenset[str]  # "one": a word that alone is rarely a count
    negators: frozenset[str]  # negate the words after them
    post_negators: frozenset[str]  # negate the word before them
    clause_breaks: frozenset[str]
    stop: frozenset[str]
    name_heads: frozenset[str]  # stems
    opposites: tuple[tuple[frozenset[str], frozenset[str]], ...]  # stems
    year_words: str  # regex for "year" after a year number ("года", "թվականի", "il")


def _month_table(forms: list[str]) -> dict[str, int]:
    """``forms[i]`` holds the space-separated forms of month i + 1."""
    return {word: i + 1 for i, words in enumerate(forms) for word in words.split()}


def _stems(language: str, groups: list[tuple[str, str]]) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    return tuple(
        (frozenset(_stem_in(language, w) for w in a.split()), frozenset(_stem_in(language, w) for w in b.split()))
        for a, b in groups
    )


@lru_cache(maxsize=None)
def _rules(language: str) -> _Rules:
    if language == "ru":
        return _Rules(
            language="ru",
            months=_month_table([
                "январь января январе янв", "февраль февраля феврале фев февр", "март марта марте мар",
                "апрель апреля апреле апр", "май мая мае", "июнь июня июне июн", "июль июля июле июл",
                "август августа августе авг", "сентябрь сентября сентябре сен сент",
                "октябрь октября октябре окт", "ноябрь ноября ноябре ноя нояб", "декабрь декабря декабре дек",
            ]),
            weekdays={
                **dict.fromkeys("понедельник понедельника понедельнику понедельником".split(), "monday"),
                **dict.fromkeys("вторник вторника вторнику".split(), "tuesday"),
                **dict.fromkeys("среда среду среды".split(), "wednesday"),
                **dict.fromkeys("четверг четверга".split(), "thursday"),
                **dict.fromkeys("пятница пятницу пятницы".split(), "friday"),
                **dict.fromkeys("суббота субботу субботы".split(), "saturday"),
                **dict.fromkeys("воскресенье воскресенья".split(), "sunday"),
            },
            number_words={
                **dict.fromkeys("один одна одно одного одной".split(), 1.0),
                **dict.fromkeys("два две двух двум".split(), 2.0), **dict.fromkeys("три трёх трех".split(), 3.0),
                **dict.fromkeys("четыре четырёх четырех".split(), 4.0), **dict.fromkeys("пять пяти".split(), 5.0),
                **dict.fromkeys("шесть шести".split(), 6.0), **dict.fromkeys("семь семи".split(), 7.0),
                **dict.fromkeys("восемь восьми".split(), 8.0), **dict.fromkeys("девять девяти".split(), 9.0),
                **dict.fromkeys("десять десяти".split(), 10.0), "одиннадцать": 11.0,
                **dict.fromkeys("двенадцать двенадцати".split(), 12.0), "пятнадцать": 15.0,
                **dict.fromkeys("двадцать двадцати".split(), 20.0), **dict.fromkeys("тридцать тридцати".split(), 30.0),
                **dict.fromkeys("сорок сорока".split(), 40.0), "пятьдесят": 50.0, "шестьдесят": 60.0,
                "семьдесят": 70.0, "восемьдесят": 80.0, "девяносто": 90.0, **dict.fromkeys("сто ста".split(), 100.0),
                "двести": 200.0, "триста": 300.0, "пятьсот": 500.0, "полтора": 1.5, "полторы": 1.5,
            },
            magnitudes={
                **dict.fromkeys("тысяча тысячи тысяч тысячу тыс".split(), 1e3),
                **dict.fromkeys("миллион миллиона миллионов млн".split(), 1e6),
                **dict.fromkeys("миллиард миллиарда миллиардов млрд".split(), 1e9),
            },
            lone_skipped=frozenset("один одна одно одного одной".split()),
            negators=frozenset("не нет ни никто ничего никогда нигде без нельзя".split()),
            post_negators=frozenset(),
            clause_breaks=frozenset("но а однако хотя зато тогда".split()),
            stop=frozenset(
                """и в во на с со к ко по за из от до у о об при для что как это этот эта эти тот та те
                он она оно они мы вы я его её ее их был была было были будет будут быть же ли бы то
                уже ещё еще также так все всё весь вся около через после перед над под между года году год""".split()
            ),
            name_heads=frozenset(_stem_in("ru", w) for w in
                                 "дорога дороги дорогу улица улицы проспект шоссе коридор коридора мост моста мостом "
                                 "площадь район города город село граница область".split()),
            opposites=_stems("ru", [
                ("закрыт закрыта закрыли закроют закрыть перекрыт перекрыли перекрыта заблокирован блокирован",
                 "открыт открыта открыли откроют открыть разблокирован"),
                ("вырос выросла выросли вырастут увеличился увеличилась увеличились",
                 "снизился снизилась снизились упал упала упали сократился сократилась"),
                ("разрешено разрешён разрешен", "запрещено запрещён запрещен"),
                ("безопасно безопасный", "опасно опасный"),
            ]),
            year_words=r"года|году|год|г\.?",
        )
    if language == "hy":
        return _Rules(
            language="hy",
            months=_month_table([
                "հունվար հունվարի", "փետրվար փետրվարի", "մարտ մարտի", "ապրիլ ապրիլի", "մայիս մայիսի",
                "հունիս հունիսի", "հուլիս հուլիսի", "օգոստոս օգոստոսի", "սեպտեմբեր սեպտեմբերի",
                "հոկտեմբեր հոկտեմբերի", "նոյեմբեր նոյեմբերի", "դեկտեմբեր դեկտեմբերի",
            ]),
            weekdays={
                "երկուշաբթի": "monday", "երեքշաբթի": "tuesday", "չորեքշաբթի": "wednesday",
                "հինգշաբթի": "thursday", "ուրբաթ": "friday", "շաբաթ օրը": "saturday", "կիրակի": "sunday",
            },
            number_words={
                "մեկ": 1.0, "երկու": 2.0, "երեք": 3.0, "չորս": 4.0, "հինգ": 5.0, "վեց": 6.0, "յոթ": 7.0,
                "յոթը": 7.0, "ութ": 8.0, "ութը": 8.0, "ինը": 9.0, "ինն": 9.0, "տաս": 10.0, "տասը": 10.0,
                "տասն": 10.0, "տասնմեկ": 11.0, "տասներկու": 12.0, "տասնհինգ": 15.0, "քսան": 20.0,
                "երեսուն": 30.0, "քառասուն": 40.0, "հիսուն": 50.0, "վաթսուն": 60.0, "յոթանասուն": 70.0,
                "ութսուն": 80.0, "իննսուն": 90.0, "հարյուր": 100.0,
            },
            magnitudes={"հազար": 1e3, "հազ": 1e3, "միլիոն": 1e6, "մլն": 1e6, "միլիարդ": 1e9, "մլրդ": 1e9},
            lone_skipped=frozenset({"մեկ"}),
            negators=frozenset("ոչ ոչինչ երբեք առանց".split()),
            post_negators=frozenset(),  # the negative auxiliaries are handled in _tokens_i18n
            clause_breaks=frozenset("բայց սակայն իսկ մինչդեռ թեև".split()),
            stop=frozenset(
                """և ու է են էր էին եմ ենք ես եք այս այդ այն որ որը ով ինչ համար հետ մեջ վրա մասին
                դեպի մինչև նաև էլ թե կամ իր նրա նրանք մենք դուք ես թ թվականի թվական""".split()
            ),
            name_heads=frozenset(_stem_in("hy", w) for w in
                                 "ճանապարհ ճանապարհը փողոց պողոտա մայրուղի միջանցք կամուրջ կամուրջը կամրջով "
                                 "հրապարակ շրջան քաղաք գյուղ սահման".split()),
            opposites=_stems("hy", [
                ("փակ փակվել փակվեց փակեց փակված փակվի կփակվի արգելափակված",
                 "բաց բացվել բացվեց բացեց բացված կբացվի վերաբացվեց"),
                ("աճեց աճել բարձրացավ բարձրացել", "նվազեց նվազել իջավ իջել"),
                ("թույլատրված թույլատրվում", "արգելված արգելվում"),
            ]),
            year_words=r"թվականի|թվական|թ\.?",
        )
    if language == "az":
        return _Rules(
            language="az",
            months=_month_table([
                "yanvar yanvarın yanvarda", "fevral fevralın fevralda", "mart martın martda",
                "aprel aprelin apreldə", "may mayın mayda", "iyun iyunun iyunda", "iyul iyulun iyulda",
                "avqust avqustun avqustda", "sentyabr sentyabrın sentyabrda", "oktyabr oktyabrın oktyabrda",
                "noyabr noyabrın noyabrda", "dekabr dekabrın dekabrda",
            ]),
            weekdays={
                "bazar ertəsi": "monday", "çərşənbə axşamı": "tuesday", "çərşənbə": "wednesday",
                "cümə axşamı": "thursday", "cümə": "friday", "şənbə": "saturday", "bazar günü": "sunday",
            },
            number_words={
                "bir": 1.0, "iki": 2.0, "üç": 3.0, "dörd": 4.0, "beş": 5.0, "altı": 6.0, "yeddi": 7.0,
                "səkkiz": 8.0, "doqquz": 9.0, "on": 10.0, "iyirmi": 20.0, "otuz": 30.0, "qırx": 40.0,
                "əlli": 50.0, "altmış": 60.0, "yetmiş": 70.0, "səksən": 80.0, "doxsan": 90.0, "yüz": 100.0,
            },
            magnitudes={"min": 1e3, "milyon": 1e6, "mln": 1e6, "milyard": 1e9, "mlrd": 1e9},
            lone_skipped=frozenset({"bir"}),
            negators=frozenset("heç".split()),
            post_negators=frozenset("deyil deyildir deyilmiş deyildi yox yoxdur".split()),
            clause_breaks=frozenset("amma lakin ancaq halbuki".split()),
            stop=frozenset(
                """və ilə üçün bu o bir da də ki isə olan olaraq sonra görə kimi həm artıq ən çox daha
                onun onlar biz siz mən sən öz hər il ildə ili tarixində tarixindən""".split()
            ),
            name_heads=frozenset(_stem_in("az", w) for w in
                                 "yol yolu küçə küçəsi prospekt şosse dəhliz dəhlizi körpü körpüsü meydan meydanı "
                                 "rayon şəhər kənd sərhəd".split()),
            opposites=_stems("az", [
                ("bağlı bağlıdır bağlandı bağlanacaq bağladı bağlanıb", "açıq açıqdır açıldı açılacaq açdı açılıb"),
                ("artdı artacaq artıb", "azaldı azalacaq azalıb"),
                ("icazəli", "qadağan"),
            ]),
            year_words=r"il(?:in|də|dən)?",
        )
    raise KeyError(language)


#: Unit words that several languages share, so that counts compare across
#: languages; the key is the English stem that English passages already use.
_UNITS = {
    "person": ("people persons person", "человек человека людей", "մարդ մարդու", "nəfər adam şəxs"),
    "day": ("days day", "день дня дней суток сутки", "օր օրով", "gün günlük"),
    "week": ("weeks week", "неделя недели недель неделю", "շաբաթ շաբաթով", "həftə həftəlik"),
    "hour": ("hours hour", "час часа часов", "ժամ ժամով", "saat saatlıq"),
    "minut": ("minutes minute", "минута минуты минут", "րոպե րոպեով", "dəqiqə dəqiqəlik"),
    "year": ("years year", "год года лет", "տարի տարով", "il illik"),
    "month": ("months month", "месяц месяца месяцев", "ամիս ամսով", "ay aylıq"),
    "metr": ("metres metre meters meter", "метр метра метров", "մետր", "metr metrlik"),
    "kilometr": ("kilometres kilometre kilometers kilometer km", "километр километра километров км",
                 "կիլոմետր կմ", "kilometr km"),
    "euro": ("euros euro", "евро", "եվրո", "avro"),
    "dollar": ("dollars dollar", "доллар доллара долларов", "դոլար", "dollar"),
    "cent": ("cents cent", "цент цента центов", "ցենտ ցենտով", "sent"),
    "percent": ("percent", "процент процента процентов", "տոկոս տոկոսով", "faiz"),
    "child": ("children child", "ребёнок ребенок детей дети", "երեխա երեխայի երեխաներ", "uşaq uşağı"),
    "car": ("cars car vehicles vehicle", "автомобиль автомобиля автомобилей машина машины машин",
            "մեքենա մեքենաներ", "avtomobil maşın"),
    "bus": ("buses bus", "автобус автобуса автобусов", "ավտոբուս", "avtobus"),
}


@lru_cache(maxsize=None)
def _unit_table(language: str) -> dict[str, str]:
    """Stem of a unit word in ``language`` -> the unit an English passage gives its first form."""
    column = ("en", "ru", "hy", "az").index(language)
    table = {}
    for forms in _UNITS.values():
        first = forms[0].split()[0]
        key = _UNIT_SYNONYMS.get(first) or _stem(first)
        table.update({_stem_in(language, w): key for w in forms[column].split()})
    return table


def _unit_key(language: str, word: str) -> str:
    """The shared key of a unit word, or ``'<language>:<stem>'`` when it has none."""
    stem = _stem_in(language, word)
    return _unit_table(language).get(stem) or f"{language}:{stem}"


_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d{1,3}(?:\.\d{3})+(?![\d.,])(?:,\d+)?|\d+(?:[.,]\d+)?"
_LETTERS = r"[^\W\d_]"


def _parse_number(raw: str) -> float:
    """'120 000', '120.000', '1,5', '1.5' and '120,000' as values (the local conventions)."""
    s = re.sub(r"[ \u00a0\u202f]", "", raw)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):
        s = s.replace(".", "")  # dots between groups of three: thousands
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", s):
        s = s.replace(",", "")  # English-style thousands, as in "1,200"
    return float(s.replace(",", "."))


@lru_cache(maxsize=None)
def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    r = _rules(language)
    month = "|".join(sorted(map(re.escape, r.months), key=len, reverse=True))
    end = rf"(?!{_LETTERS})"
    suffix = rf"(?:-?{_LETTERS}{{1,4}})?"  # "-го", "-ին", "-də", "-ci"
    year = rf"(?P<y>\d{{4}}){suffix}(?:\s+(?:{r.year_words}){end})?"
    numbers = "|".join(sorted(map(re.escape, r.number_words), key=len, reverse=True))
    mags = "|".join(sorted(map(re.escape, r.magnitudes), key=len, reverse=True))
    weekdays = "|".join(sorted(map(re.escape, r.weekdays), key=len, reverse=True))
    day = rf"(?P<d>\d{{1,2}}){suffix}"
    return {
        # 20 декабря 2022 года, 20 dekabr 2022-ci il, 20 դեկտեմբերի 2022 թ.
        "day_month": re.compile(rf"(?<![\w.])(?:{day})\s+(?P<m>{month}){end}\.?(?:,?\s+{year})?", re.I),
        # 2022 թվականի դեկտեմբերի 20-ին, 2022-ci il dekabrın 20-də, дек. 20
        "month_day": re.compile(rf"(?<![\w.])(?:{year}\s+)?(?P<m>{month}){end}\.?\s+{day}(?![\d:])", re.I),
        "numeric": re.compile(
            r"(?<![\w.])(?:(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2}))"
            rf"(?!\d){suffix}"
        ),
        "time": re.compile(rf"(?<![\d.:])(?P<h>\d{{1,2}}):(?P<min>\d{{2}})(?!\d){suffix}"),
        "weekday": re.compile(rf"(?<!{_LETTERS})(?P<w>{weekdays}){_LETTERS}*", re.I),
        "quantity": re.compile(
            rf"(?<![\w:/.,-])(?P<num>{_DIGITS}|(?:{numbers}){end}(?:\s+(?:{numbers}){end})*)(?P<suf>-{_LETTERS}{{1,4}})?"
            rf"(?:\s*(?P<mag>{mags}){end}\.?)?(?P<pct>\s*%)?(?![\d])",
            re.I,
        ),
        "unit": re.compile(rf"\s+(?P<unit>{_LETTERS}+)"),
        "token": re.compile(rf"{_LETTERS}+(?:[-\u2010]{_LETTERS}+)*|\d[\d,.]*\d|\d|[.,;:!?()\"\u00ab\u00bb\u201c\u201d\u0589\u055d]"),
    }


def _analyse_i18n(text: str, language: str) -> PassageFacts:
    r, pats = _rules(language), _patterns(language)
    # Armenian writes its question, exclamation and stress marks inside words.
    text = re.sub("[\u055b\u055c\u055e]", "\u200b", text) if language == "hy" else text
    taken: set[int] = set()

    def free(m: re.Match[str]) -> bool:
        return not any(i in taken for i in range(m.start(), m.end()))

    dates = []
    for key in ("numeric", "month_day", "day_month"):
        for m in pats[key].finditer(text):
            if not free(m):
                continue
            g = m.groupdict()
            d, mo, y = (g.get("d") or g.get("d2"), g.get("m") or g.get("m2"), g.get("y") or g.get("y2"))
            month = int(mo) if mo.isdigit() else r.months[mo.lower()]
            if not (1 <= month <= 12 and 1 <= int(d) <= 31):
                continue
            dates.append(Span(m.group(0), m.start(), m.end(), (int(y) if y else None, month, int(d))))
            taken.update(range(m.start(), m.end()))
    dates.sort(key=lambda s: s.start)
    times = []
    for m in pats["time"].finditer(text):
        hour, minute = int(m.group("h")), int(m.group("min"))
        if free(m) and hour < 24 and minute < 60:
            times.append(Span(m.group(0), m.start(), m.end(), hour * 60 + minute))
            taken.update(range(m.start(), m.end()))
    weekdays = tuple(
        Span(m.group(0), m.start(), m.end(), r.weekdays[m.group("w").lower()]) for m in pats["weekday"].finditer(text)
    )
    quantities = []
    for m in pats["quantity"].finditer(text):
        if not free(m):
            continue
        raw = m.group("num").strip()
        if raw[0].isdigit():
            value = _parse_number(raw)
            if re.fullmatch(r"\d{4}", raw) and 1800 <= value <= 2100 and not m.group("mag"):
                continue  # a year
        else:
            words = raw.lower().split()
            if len(words) == 1 and words[0] in r.lone_skipped and not m.group("mag"):
                continue
            value = sum(r.number_words[w] for w in words)
        if m.group("mag"):
            value *= r.magnitudes[m.group("mag").lower().rstrip(".")]
        end = m.end()
        if m.group("pct"):
            unit = "percent"
        else:
            u = pats["unit"].match(text, end)
            if not u:
                continue
            word = u.group("unit").lower()
            if word in r.stop or word in r.months or word in r.magnitudes:
                continue
            unit = _unit_key(language, word)
            end = u.end()
        quantities.append(Span(text[m.start() : end].rstrip(), m.start(), m.start() + len(text[m.start() : end].rstrip()), value, unit))
    return PassageFacts(
        supported=True,
        language=language,
        dates=tuple(dates),
        times=tuple(times),
        weekdays=weekdays,
        quantities=tuple(quantities),
        tokens=tuple(_tokens_i18n(text, language)),
    )


_HY_NEG_AUX = frozenset("չեմ չես չի չենք չեք չեն չէի չէիր չէր չէինք չէիք չէին չէ".split())
#: Words that begin with չ without being negated.
_HY_NOT_NEGATED = ("չափ", "չորս", "չորր", "չորեք", "չէզոք", "չին", "չար", "չոր", "չմշկ", "չուխ", "չարչ")
_HY_PARTICIPLE = re.compile(r"(?:ել|ալ|ում|ած|ա|ի|ու)$")
_AZ_NEG = re.compile(
    r"^(?P<stem>\w{2,}?)(?P<neg>ma|mə)(?P<rest>(?:dı|di|du|dü|yacaq|yəcək|mış|miş|mamış|yıb|yib|yub|yüb|z|sa|sə)\w*)$"
)
_AZ_NEG_PRESENT = re.compile(r"^(?P<stem>\w{3,}?)m(?P<rest>(?:ır|ir|ur|ür)\w*)$")
_AZ_NOT_NEGATED = ("təmir", "dəmir", "əmir", "zəmir", "yağmur")


def _denegate(word: str, language: str) -> str | None:
    """The affirmative form of a word negated by its own morphology, else ``None``."""
    if language == "hy":
        if (word.startswith("չ") and len(word) > 3 and word not in _HY_NEG_AUX
                and not word.startswith(_HY_NOT_NEGATED)):
            return word[1:]
    elif language == "az":
        if word.startswith(_AZ_NOT_NEGATED):
            return None
        m = _AZ_NEG.match(word) or _AZ_NEG_PRESENT.match(word)
        if m:
            return m.group("stem") + m.group("rest")
    return None


def _tokens_i18n(text: str, language: str) -> list[Token]:
    r = _rules(language)
    out: list[Token] = []
    scope = 0
    negator_at = -1
    sentence_start = True
    pending_aux: int | None = None  # hy: a negative auxiliary waiting for the next word

    def negate_previous(at: int) -> None:
        """Negate the last content word: "bağlı deyil", "փակ չէ"."""
        for k in range(len(out) - 1, -1, -1):
            if out[k].stem not in r.stop and out[k].text.lower() not in r.stop:
                out[k] = Token(out[k].text, out[k].stem, out[k].start, out[k].end, True,
                               out[k].capitalised, out[k].sentence_initial, at)
                return

    for m in _patterns(language)["token"].finditer(text):
        word = m.group(0)
        lower = word.lower()
        if not word[0].isalnum():
            if word in ".!?;:\u0589":
                sentence_start = word in ".!?\u0589"
            if pending_aux is not None:
                negate_previous(pending_aux)
            scope, pending_aux = 0, None
            continue
        if lower in r.clause_breaks:
            scope = 0
        if language == "hy" and lower in _HY_NEG_AUX:
            pending_aux = m.start()
            continue
        if lower in r.post_negators or (pending_aux is not None and not _HY_PARTICIPLE.search(lower)):
            negate_previous(m.start() if lower in r.post_negators else pending_aux)  # type: ignore[arg-type]
            pending_aux = None
            if lower in r.post_negators:
                continue
        denegated = _denegate(lower, language)
        is_negator = lower in r.negators
        negated = (scope > 0 and not is_negator) or denegated is not None or pending_aux is not None
        at = pending_aux if pending_aux is not None else (m.start() if denegated is not None else negator_at)
        out.append(Token(
            text=word,
            stem=_stem_in(language, denegated or lower),
            start=m.start(),
            end=m.end(),
            negated=negated and not is_negator,
            capitalised=word[0].isupper(),
            sentence_initial=sentence_start,
            negator=at if negated and not is_negator else -1,
        ))
        pending_aux = None
        sentence_start = False
        if is_negator:
            scope = 8
            negator_at = m.start()
        elif scope:
            scope -= 1
    if pending_aux is not None:
        negate_previous(pending_aux)
    return out


def _name_phrases_i18n(tokens: tuple[Token, ...], language: str) -> dict[str, list[tuple[int, int, str]]]:
    """Like :func:`_name_phrases`, by stems: "Каменный мост" / "Каменным мостом" share an anchor."""
    r = _rules(language)
    phrases: dict[str, list[tuple[int, int, str]]] = {}
    for i, tok in enumerate(tokens[:-1]):
        if not tok.capitalised or tok.sentence_initial or tok.text.lower() in r.stop:
            continue
        nxt = tokens[i + 1]
        if nxt.start - tok.end > 2 or nxt.stem not in r.name_heads:
            continue
        phrases.setdefault(tok.stem, []).append((i, i + 1, nxt.stem))
    return phrases


def skipped_notes(left: PassageFacts, right: PassageFacts) -> tuple[str, ...]:
    """What a reader must know about checks that did not run on this pair of passages."""
    if not (left.supported and right.supported):
        return (unsupported_note(left.language, right.language),)
    if left.language != right.language:
        return (
            f"the polarity, naming and role checks did not run: the passages are in different languages "
            f"({left.language}, {right.language}) and these checks compare words; numbers, dates and "
            "times were compared as values",
        )
    if left.language != "en":
        return (ROLE_SKIPPED,)
    return ()

"""Discrepancy checks: concrete, quotable differences between two aligned passages.

Four checks, each a small documented rule so a reader can see why it fired:

* **quantity**: both passages count the same thing (the same unit word after
  the number, e.g. "276 persons" / "300 persons") with different values, and
  share no equal count of it. Two unrelated numbers never clash.
* **date**: both give a calendar date (or a clock time, or a weekday) and share
  none: "9 November 2020" / "10 November 2020". A date without a year matches
  the same day and month with one. Two dates count as rivals only when they
  could date one event: the same month with another day, or the same day in
  another year ("9 November 2020" / "13 December" is two events).
* **polarity**: a word both use is negated in one and asserted in the other
  ("have not blocked" / "blocked"), or one asserts a word of an opposing group
  that the other does not use ("blocked" / "unimpeded").
* **naming**: the same proper-name anchor with a different head: "Lachin road"
  / "Lachin corridor", "Mill Street junction" / "Mill Road crossing".

Passages are analysed once (:func:`analyse`) and compared pairwise
(:func:`find_discrepancies`), so pairwise work stays cheap. The rules are for
English; for other languages the checks are skipped and the evidence says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .model import Discrepancy, Passage

SUPPORTED_LANGUAGES = frozenset({"en"})
CHECK_KINDS = ("polarity", "quantity", "date", "naming")

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


@lru_cache(maxsize=None)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def analyse(passage: Passage) -> PassageFacts:
    """Extract dates, times, counts and tokens with their negation from a passage."""
    language = passage.language.split("-")[0].lower()
    if language not in SUPPORTED_LANGUAGES:
        return PassageFacts(supported=False, language=language)
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

    for kind, spans_l, spans_r, what in (
        ("date", left_facts.dates, right_facts.dates, "date"),
        ("date", left_facts.times, right_facts.times, "time"),
        ("date", left_facts.weekdays, right_facts.weekdays, "day"),
    ):
        same = {"date": _same_date, "time": _same_time}.get(what, _equal)
        pair = _unmatched_pair(spans_l, spans_r, same)
        if pair and what == "date":
            pair = next(((x, y) for x in spans_l for y in spans_r if _rival_dates(x, y)), None)
        if pair:
            add(kind, f"different {what}: {pair[0].text!r} vs {pair[1].text!r}", *pair)

    units_l = {q.unit for q in left_facts.quantities if q.unit}
    for unit in sorted(units_l & {q.unit for q in right_facts.quantities if q.unit}):
        ql = [q for q in left_facts.quantities if q.unit == unit]
        qr = [q for q in right_facts.quantities if q.unit == unit]
        pair = _unmatched_pair(ql, qr, _same_number)
        if pair:
            add("quantity", f"different count of {unit!r}: {pair[0].text!r} vs {pair[1].text!r}", *pair)

    for a, b, why in _polarity_clashes(left_facts.tokens, right_facts.tokens):
        add("polarity", why, a, b)
    for a, b in _naming_differences(left, left_facts.tokens, right, right_facts.tokens):
        add("naming", f"different name for the same referent: {a.text!r} vs {b.text!r}", a, b)
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
    sentence_start = True
    for m in raw:
        word = m.group(0)
        lower = word.lower().replace("\u2019", "'")
        if not word[0].isalnum():
            if word in ".!?;:":
                sentence_start = word in ".!?"
            scope = 0
            continue
        if lower in _CLAUSE_BREAKS:
            scope = 0
        is_negator = lower in _NEGATORS or lower.endswith("n't")
        out.append(
            Token(
                text=word,
                stem=_stem(lower.removesuffix("n't") if lower.endswith("n't") else lower),
                start=m.start(),
                end=m.end(),
                negated=scope > 0 and not is_negator,
                capitalised=word[0].isupper(),
                sentence_initial=sentence_start,
                negator=negator_at if scope > 0 and not is_negator else -1,
            )
        )
        sentence_start = False
        if is_negator:
            scope = 8
            negator_at = m.start()
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
    x, y = float(a.value), float(b.value)  # type: ignore[arg-type]
    return abs(x - y) <= 0.005 * max(abs(x), abs(y), 1e-9)


def _unmatched_pair(left, right, same) -> tuple[Span, Span] | None:
    """The closest pair of differing values, when the two sides share no value."""
    if not left or not right:
        return None
    if any(same(a, b) for a in left for b in right):
        return None
    return left[0], right[0]


def _content(tok: Token) -> bool:
    """A word whose negation can clash: not a function word, not a name."""
    if tok.capitalised and not tok.sentence_initial:
        return False
    return tok.stem not in _STOP and tok.text.lower() not in _STOP and len(tok.stem) > 2


def _polarity_clashes(left: tuple[Token, ...], right: tuple[Token, ...]):
    """Yield (left token, right token, description) for each polarity clash."""
    by_stem_l: dict[str, list[Token]] = {}
    by_stem_r: dict[str, list[Token]] = {}
    for tokens, index in ((left, by_stem_l), (right, by_stem_r)):
        for tok in tokens:
            if _content(tok):
                index.setdefault(tok.stem, []).append(tok)
    reported: set[str] = set()
    # One clash per negating word, the first word it covers that clashes:
    # "does not guarantee secure movement" is one clash on "guarantee".
    negators_used: set[tuple[str, int]] = set()
    candidates = []
    for stem in by_stem_l.keys() & by_stem_r.keys():
        neg_l = [t for t in by_stem_l[stem] if t.negated]
        neg_r = [t for t in by_stem_r[stem] if t.negated]
        pos_l = [t for t in by_stem_l[stem] if not t.negated]
        pos_r = [t for t in by_stem_r[stem] if not t.negated]
        if neg_l and not neg_r and pos_r and not pos_l:
            candidates.append(("l", neg_l[0], pos_r[0], stem))
        elif neg_r and not neg_l and pos_l and not pos_r:
            candidates.append(("r", neg_r[0], pos_l[0], stem))
    for side, negated, other, stem in sorted(candidates, key=lambda c: (c[0], c[1].start)):
        if (side, negated.negator) in negators_used:
            continue
        negators_used.add((side, negated.negator))
        reported.add(stem)
        if side == "l":
            yield negated, other, f"negated on one side only: {_context(left, negated)!r} vs {other.text!r}"
        else:
            yield other, negated, f"negated on one side only: {other.text!r} vs {_context(right, negated)!r}"
    asserted_l = {t.stem: t for t in left if not t.negated}
    asserted_r = {t.stem: t for t in right if not t.negated}
    for group_a, group_b in OPPOSITES:
        for first, second in ((group_a, group_b), (group_b, group_a)):
            hit_l = [asserted_l[s] for s in sorted(first & asserted_l.keys())]
            hit_r = [asserted_r[s] for s in sorted(second & asserted_r.keys())]
            # Only when each side takes one side cleanly: "blocked ... unhindered
            # movement" uses both groups and is no clash with "unimpeded".
            if hit_l and hit_r and not (second & asserted_l.keys()) and not (first & asserted_r.keys()):
                if hit_l[0].stem in reported or hit_r[0].stem in reported:
                    continue
                yield hit_l[0], hit_r[0], f"opposite terms: {hit_l[0].text!r} vs {hit_r[0].text!r}"


def _context(tokens: tuple[Token, ...], tok: Token) -> str:
    """The negated word with the words before it, for a readable description."""
    i = tokens.index(tok)
    return " ".join(t.text for t in tokens[max(0, i - 3) : i + 1])


def _name_phrases(tokens: tuple[Token, ...]) -> dict[str, list[tuple[int, int, str]]]:
    """Map each proper-name anchor to the (start index, end index, head) of its phrases."""
    phrases: dict[str, list[tuple[int, int, str]]] = {}
    for i, tok in enumerate(tokens[:-1]):
        if not tok.capitalised or tok.sentence_initial or tok.text.lower() in _FUNCTION_WORDS:
            continue
        nxt = tokens[i + 1]
        if nxt.start - tok.end > 2:  # punctuation between them
            continue
        head = nxt.text.lower()
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


def _naming_differences(left: Passage, lt: tuple[Token, ...], right: Passage, rt: tuple[Token, ...]):
    names_l, names_r = _name_phrases(lt), _name_phrases(rt)
    words_l = {t.text.lower() for t in lt}
    words_r = {t.text.lower() for t in rt}
    for anchor in sorted(names_l.keys() & names_r.keys()):
        heads_l = {h for _, _, h in names_l[anchor]}
        heads_r = {h for _, _, h in names_r[anchor]}
        if heads_l & heads_r:
            continue
        if heads_l & words_r or heads_r & words_l:
            continue  # the other side uses the same word elsewhere: not a naming choice
        il, jl, _ = names_l[anchor][0]
        ir, jr, _ = names_r[anchor][0]
        yield (
            Span(left.text[lt[il].start : lt[jl].end], lt[il].start, lt[jl].end, None),
            Span(right.text[rt[ir].start : rt[jr].end], rt[ir].start, rt[jr].end, None),
        )

"""English: the vocabulary and the extraction of dates, times, weekdays, counts and tokens.

The English words stay here as code rather than in ``rules/en.yaml``: they are
read by more than the extraction (:data:`OPPOSITES` and :data:`NAME_HEADS` are
public, the opposites are written as stems, the stop words come from
scikit-learn), and the regexes below are built from them at import time.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from compare.checks.spans import Found, Span, Token

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
#: Prepositions that end a negation's reach once it has covered a word of its own: what follows is
#: where or of what the negated word holds, not negated itself ("is not present in the corridor":
#: the corridor is not denied). "To" is left out ("did not agree to reopen the road").
_PREPOSITIONS = frozenset(
    """in on at through along across into onto from of for with by near under over between within during after
    before since until via towards toward against around among amid beyond despite inside outside upon""".split()
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
    rf"(?:(?<![\w:/.,-])|(?<=\d-))(?P<num>{_NUM}|{'|'.join(_NUMBER_WORDS)})"
    rf"(?:\s+(?P<mag>thousand|million|billion|hundred))?"
    rf"(?P<pct>\s*%|\s+per\s*cent|\s+percent)?"
    rf"(?![\w/-])",
    re.I,
)
#: Words before a count that make it a range: each hedge and the side it leaves open (see
#: comparison._count_range). Matched against the text just before the number.
_HEDGE = re.compile(
    r"\b(?P<hedge>about|around|approximately|roughly|some|an estimated|estimated|more than|over|at least|"
    r"upwards of|in excess of|just over|nearly|almost|close to|just under|up to|fewer than|less than|under|"
    r"at most|no more than)\s+$",
    re.I,
)
_HEDGE_BOUND = {"more than": "over", "over": "over", "at least": "over", "upwards of": "over", "in excess of": "over",
                "just over": "over", "nearly": "nearly", "almost": "nearly", "close to": "nearly",
                "just under": "nearly", "up to": "under", "fewer than": "under", "less than": "under",
                "under": "under", "at most": "under", "no more than": "under"}
#: The bottom of a range written just before a count's number: "between 3 and", "1 to",
#: "1 percent to", "3-" (each matched against the text before the number). "From 3 to 6" is
#: left out: it is more often a change than a range ("rose from 3 to 6 percent").
_RANGE_BOTTOM = re.compile(
    rf"(?:\bbetween\s+(?P<between>{_NUM})(?P<between_unit>\s*%|\s+per\s*cent|\s+percent|\s+[^\W\d_]+)?\s+and\s+"
    rf"|(?<![\w:/.,-])(?P<bottom>{_NUM})(?P<bottom_unit>\s*%|\s+per\s*cent|\s+percent|\s+[^\W\d_]+)?"
    rf"(?:\s+to\s+|\s*[-\u2013]\s*))$",
    re.I,
)
_FROM = re.compile(r"\bfrom\s+$", re.I)
_UNIT = re.compile(r"\s+(?:more\s+|of\s+)?(?P<unit>[^\W\d_]+(?:/[^\W\d_]+)?)", re.UNICODE)


def extract(text: str) -> Found:
    """Find the dates, times, weekdays, counts and tokens (with their negation) of an English text."""
    dates, taken = _find_dates(text)
    times = tuple(_find_times(text, taken))
    taken |= {i for t in times for i in range(t.start, t.end)}
    weekdays = tuple(
        Span(m.group(0), m.start(), m.end(), m.group("w").lower()) for m in _WEEKDAY.finditer(text)
    )
    quantities = tuple(_find_quantities(text, taken))
    return Found(tuple(dates), times, weekdays, quantities, tuple(_tokens(text)))


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
        start, upper = m.start(), None
        bottom = _range_bottom(text, m.start(), value, unit)
        if bottom is not None:
            start, upper, value = bottom[0], value, bottom[1]
            if out and out[-1].start >= start:
                out.pop()  # "1 percent to 3 percent": the bottom was read as a count of its own
        elif m.start() > 1 and text[m.start() - 1] == "-" and text[m.start() - 2].isdigit():
            continue  # "2021-22 season": a hyphen after a figure that does not open a range
        hedge = _HEDGE.search(text, max(0, start - 24), start)
        bound = _HEDGE_BOUND.get(hedge.group("hedge").lower(), "about") if hedge else ""
        out.append(Span(text[start:end], start, end, value, unit, bound, upper))
    return out


def _range_bottom(text: str, at: int, top: float, unit: str) -> tuple[int, float] | None:
    """Where a range that ends in the count at ``at`` starts, and its bottom, if one does.

    The bottom must be lower than the top (a range is written low to high; "6 to 3" is
    not one), and any unit written with it must be the top's ("1 percent to 3 percent").
    """
    m = _RANGE_BOTTOM.search(text, max(0, at - 48), at)
    if not m:
        return None
    raw, written_unit = (m.group("between"), m.group("between_unit")) if m.group("between") else (
        m.group("bottom"), m.group("bottom_unit"))
    if _FROM.search(text, max(0, m.start() - 8), m.start()):
        return None
    if written_unit:
        word = written_unit.strip().lower()
        word_unit = "percent" if word in ("%", "percent") or word.replace(" ", "") == "percent" else (
            _UNIT_SYNONYMS.get(word) or _stem(word))
        if word_unit != unit:
            return None
    bottom = float(raw.replace(",", ""))
    if not bottom < top:
        return None
    return m.start(), bottom


@lru_cache(maxsize=None)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


def _stem(word: str) -> str:
    """The Snowball stem of an English word (curly apostrophes read as straight ones)."""
    return _stemmer().stemWord(word.lower().replace("\u2019", "'"))


def _tokens(text: str) -> list[Token]:
    """The words of an English text, each marked negated when a negation covers it."""
    raw = list(_TOKEN.finditer(text))
    out: list[Token] = []
    scope = 0  # how many more words the last negator covers
    negator_at = -1
    in_negated_clause = False  # a negator came earlier in this clause
    since_negator = 0  # words since it
    punctuation = False
    sentence_start = True
    follows_negator = False
    covered = False  # the last negator has covered a content word
    for i, m in enumerate(raw):
        word = m.group(0)
        lower = word.lower().replace("\u2019", "'")
        if not word[0].isalnum():
            if word in ".!?;:":
                sentence_start = word in ".!?"
            scope = 0
            in_negated_clause = False
            punctuation = True
            follows_negator = False
            continue
        # "Yet" right after a negation is the adverb ("doesn't yet have"), not the conjunction.
        if lower in _CLAUSE_BREAKS and not (lower == "yet" and follows_negator):
            scope = 0
            in_negated_clause = False
        if scope and covered and lower in _PREPOSITIONS:
            scope = 0  # the rest of the clause is neither negated nor asserted (after_negator)
        contracted = lower.endswith("n't") or lower in _BARE_NEGATIONS
        # "Not only X but also Y" asserts X.
        is_negator = (lower in _NEGATORS or contracted) and not (
            lower == "not" and i + 1 < len(raw) and raw[i + 1].group(0).lower() == "only")
        follows_negator = is_negator
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
        covered = covered or (out[-1].negated and _content(out[-1]))
        if is_negator:
            scope = NEGATION_SCOPE
            negator_at = m.start()
            in_negated_clause = True
            since_negator = 0
            covered = False
        elif scope:
            scope -= 1
    return out


def _content(tok: Token) -> bool:
    """A word whose negation can clash: not a function word, not a name."""
    if (tok.capitalised and not tok.sentence_initial) or tok.text[0].isdigit():
        return False  # numbers are the count and date checks' to compare
    return tok.stem not in _STOP and tok.text.lower() not in _STOP and len(tok.stem) > 2


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


def _name_key(word: str) -> str:
    """A name word as the naming check compares it: lower case, without a possessive or apostrophes."""
    word = word.lower().replace("\u2019", "'")
    return word.removesuffix("'s").strip("'").replace("'", "")




#: Words by which a passage passes on what others say, or hedges it, instead of asserting it:
#: "reports of", "reportedly", "according to", "is said to", "the company says", "drivers told
#: the Courier". Only the present "says": in a statement, "the Minister said" is most often the
#: source speaking of itself, so "said" is not a cue. Each alternative is a fixed run of words,
#: so the search stays linear in the passage's length.
_ATTRIBUTION = re.compile(
    r"""\b(?:
        reports?\s+(?:of|from|that|suggest\w*|say|indicat\w*)
      | reportedly | allegedly | purportedly | unconfirmed | unverified
      | according\s+to
      | (?:is|are|was|were)\s+(?:said|reported|alleged|believed|understood|thought)\s+to
      | says
      | told\s+(?:us|the|reporters|journalists)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)


def attribution(text: str) -> Span | None:
    """The first words by which an English passage reports or hedges what it says, or ``None``.

    "We are aware of reports of serious disruption" and "The company says no one
    was seriously injured" pass a claim on without taking a side; the claims stage
    reads such a passage as ``reports`` (see :mod:`compare.claims`).
    """
    found = _ATTRIBUTION.search(text)
    return None if found is None else Span(found.group(0), found.start(), found.end(), found.group(0).lower())


#: Words by which a sentence dates or counts another occurrence of what the sentences around it
#: describe: "The first time was on 3 December" (a source that says the road was blocked "for the
#: second time" from 12 December), "it had been closed once before, on 3 December", "on a previous
#: occasion". Only where that is unambiguous: "the first time" opening the sentence (not "this is
#: the first time ...", which is the occurrence at hand, nor "for the first time"), and the fixed
#: phrases "once before" and "on an earlier/a previous occasion". "Previously" and "earlier" are left
#: out: "as previously agreed on 9 November" dates another thing, not another occurrence.
_ANOTHER_OCCURRENCE = re.compile(
    r"""^\W*the\s+(?:first|previous|last|earlier|other)\s+(?:time|occasion)\b
      | \bonce\s+before\b
      | \bon\s+(?:an?\s+)?(?:earlier|previous|prior)\s+occasions?\b""",
    re.IGNORECASE | re.VERBOSE,
)


def another_occurrence(text: str) -> Span | None:
    """The first words by which an English sentence speaks of another occurrence of the event, or ``None``.

    A date or a count in "The first time was on 3 December" is the date of
    that first time, so the claims stage does not set it against "the
    obstruction began on 12 December" as two dates for one beginning (see
    :mod:`compare.claims`).
    """
    found = _ANOTHER_OCCURRENCE.search(text)
    return None if found is None else Span(found.group(0), found.start(), found.end(), found.group(0).lower())


#: Verbs by which one party tells what it or another party said: a date right beside one dates the
#: saying ("On 13 December, the Department of State said ..."; "the ministry announced on Monday").
_SPEECH = (r"(?:said|says|stated|states|announced|declared|noted|told|wrote|warned|tweeted|posted|added|stressed|"
           r"confirmed|denied|reported|claimed|insisted|acknowledged|emphasi[sz]ed|reiterated|commented|"
           r"explained|recalled|replied|responded|urged)")
_SPEECH_WORD = re.compile(rf"\b{_SPEECH}\b", re.I)
#: a verb of saying just before the date: "said on 13 December", "announced on Monday"
_SPEECH_BEFORE = re.compile(rf"\b{_SPEECH}\s+(?:on\s+)?$", re.I)
#: a date that opens its sentence: "On 13 December, ..." (the words before it)
_OPENING = re.compile(r"^\W*(?:on\s+)?$", re.I)
#: the start of the clause after an opening date, up to where its verb can stand
_OPENING_CLAUSE = re.compile(r"[^.;:!?\"\u201c]{0,80}")


def statement_date(text: str, date: Span) -> Span | None:
    """The words that make ``date`` the date of a statement rather than of what the statement says, or ``None``.

    "On 13 December, the Department of State said that the closure has severe
    humanitarian implications": 13 December is when it was said, not when the
    road was closed. The date either opens the sentence with a verb of saying in
    the first words of its clause, or follows such a verb ("announced on
    Monday"). A date after "that" ("said that on 12 December the road was
    blocked") dates the event, and a statement's own name ("the statement of 9
    November 2020") is a document, so neither is read.
    """
    before = _SPEECH_BEFORE.search(text, max(0, date.start - 24), date.start)
    if before is not None:
        return Span(text[before.start() : date.end], before.start(), date.end, "statement")
    if not _OPENING.match(text[: date.start]):
        return None
    clause = _OPENING_CLAUSE.match(text, date.end)
    window = text[date.end : clause.end() if clause else date.end]
    verb = _SPEECH_WORD.search(window)
    if verb is None or re.search(r"\bthat\b", window[: verb.start()], re.I):
        return None
    end = date.end + verb.end()
    return Span(text[date.start : end], date.start, end, "statement")


def speech_verb(text: str) -> Span | None:
    """The first verb of saying in an English text ("said", "announced", "warned"), or ``None``."""
    found = _SPEECH_WORD.search(text)
    return None if found is None else Span(found.group(0), found.start(), found.end(), found.group(0).lower())

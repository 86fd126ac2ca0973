"""Comparing two analysed passages: :func:`find_discrepancies` and the rule of each check.

The checks (dates, quantities, polarity, naming, role) are described in
:mod:`compare.checks`; each reads the two passages' facts and their index.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator

from compare.checks.english import _content
from compare.checks.facts import SUPPORTED_LANGUAGES, PassageFacts, _Index
from compare.checks.spans import Span, Token
from compare.records import Discrepancy, Passage

CHECK_KINDS = ("polarity", "quantity", "date", "naming", "role")


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
    """The evidence note for a pair with a passage in a language the checks have no rules for."""
    langs = sorted({lang for lang in languages if lang not in SUPPORTED_LANGUAGES})
    return (
        f"the {', '.join(CHECK_KINDS)} checks did not run: no rules for language "
        + ", ".join(repr(lang) for lang in langs)
    )


def fully_checked(facts: PassageFacts) -> bool:
    """Whether every check runs on this passage against another that is fully checked too: then
    :func:`skipped_notes` has nothing to say about the pair (English, which all the checks cover)."""
    return facts.supported and facts.language == "en"


def skipped_notes(left: PassageFacts, right: PassageFacts) -> tuple[str, ...]:
    """What a reader must know about checks that did not run on this pair of passages."""
    if fully_checked(left) and fully_checked(right):
        return ()
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


# --- dates and quantities ---------------------------------------------------


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
    if a.bound or b.bound or a.upper is not None or b.upper is not None:
        (lo_a, hi_a), (lo_b, hi_b) = _count_range(a), _count_range(b)
        return lo_a <= hi_b and lo_b <= hi_a
    wa, wb = _written(a), _written(b)
    if wa is None or wb is None or wa[2] != wb[2] or wa[1] == wb[1]:
        return False  # a number word, another magnitude, or both written to the same precision
    whole, exact = (wa[0], wb[0]) if wa[1] else (wb[0], wa[0])
    # Within a tenth, too: "1 billion" is not a rounding of "1.4 billion".
    return math.floor(exact + 0.5) == whole and abs(whole - exact) <= 0.1 * whole + 1e-9


def _count_range(span: Span) -> tuple[float, float]:
    """The counts a figure stands for: itself, or the range its hedge leaves open.

    A hedged figure is rounded at the precision it is written to: its step is the place
    of its last non-zero digit ("60": 10; "1,000": 1,000; "2,500": 100; "1.5 million":
    100,000). "About 60" is 55 to 65 (half a step either way, and never more than a tenth
    off: "about 1,000" is not 1,400); "more than 1,000" is 1,000 up to the next step;
    "nearly 300" is half a step below it up to it; "up to 50" is a step below it up to it.
    So "about 60" is the fire service's 58 rounded, and "more than 100" is not 250. A range
    written as one ("between 3 and 6") is what it says.
    """
    x = float(span.value)  # type: ignore[arg-type]
    if span.upper is not None:
        return x, span.upper
    if not span.bound:
        return x, x
    step = _rounding_step(span, x)
    if span.bound == "over":
        return x, x + step
    if span.bound == "nearly":
        return x - step / 2, x
    if span.bound == "under":
        return x - step, x
    spread = min(step / 2, 0.1 * abs(x))
    return x - spread, x + spread


def _rounding_step(span: Span, value: float) -> float:
    """The place of the last non-zero digit of a figure as written ("sixty": 10)."""
    m = _WRITTEN.match(span.text)
    digits = m.group("num").replace(",", "") if m else ""
    if value == 0 or (not digits and value != int(value)):
        return 1.0
    if not digits:  # a number word: its value is what was written
        whole = str(int(value))
        return 10.0 ** (len(whole) - len(whole.rstrip("0")))
    scale = value / float(digits)  # the magnitude word's factor ("1.5 million": a million)
    if "." in digits:
        return scale * 10.0 ** -len(digits.split(".")[1])
    return scale * 10.0 ** (len(digits) - len(digits.rstrip("0")))


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


# --- polarity ---------------------------------------------------------------


def _polarity_clashes(
    left: tuple[Token, ...], li: _Index, right: tuple[Token, ...], ri: _Index
) -> Iterator[tuple[Token, Token, str]]:
    """Yield (left token, right token, description) for each polarity clash."""
    # A stem negated (every time) on one side and asserted (every time) on the other.
    candidates = [("l", li.only_negated[s], ri.only_asserted[s], s) for s in li.only_negated.keys() & ri.only_asserted.keys()
                  if not _shared_negation(li.negations[li.only_negated[s].negator], ri)]
    candidates += [("r", ri.only_negated[s], li.only_asserted[s], s) for s in ri.only_negated.keys() & li.only_asserted.keys()
                   if not _shared_negation(ri.negations[ri.only_negated[s].negator], li)]
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


def _shared_negation(covers: frozenset[str], other: _Index) -> bool:
    """Whether the other passage negates a word this negation covers too.

    Then both passages make the same denial, and a word inside one's scope but
    outside the other's is word order, not polarity: "ordered him held without
    bail" against "ordered held without bail Wednesday by a federal judge", where
    "federal" falls in the second "without"'s reach only.
    """
    return any(covers & stems for stems in other.negations.values())


def _context(tokens: tuple[Token, ...], index: _Index, tok: Token) -> str:
    """The negated word with the words before it, for a readable description."""
    i = index.position[tok.start]
    return " ".join(t.text for t in tokens[max(0, i - 3) : i + 1])


# --- naming -----------------------------------------------------------------


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


#: The longest word compared as a spelling of a name. No real name word comes near it, and
#: SequenceMatcher is quadratic: a "name" with a word of 8,000 letters took minutes per pair.
NAME_WORD_MAX = 64
#: How alike two spellings must be (SequenceMatcher's ratio) to count as one name word.
_SAME_NAME_RATIO = 0.85


def _same_name(a: str, b: str) -> bool:
    """Two spellings of one name word: an abbreviation of three or four letters ("Corp" /
    "Corporation", "Insp" / "Inspector"), a plural or an apostrophe-less possessive ("Brontes" /
    "Bronte's"), or a transliteration a letter or two apart ("Kyongsang" / "Kyeongsang").

    A word over :data:`NAME_WORD_MAX` letters is no name word: it is the same name only when
    written the same, which the caller has already compared."""
    short, long_ = sorted((a, b), key=len)
    if long_.startswith(short) and (3 <= len(short) <= 4 or long_[len(short):] in ("s", "es")):
        return True
    # The ratio is 2 * matches / (len a + len b) and matches <= len(short): words too unequal in
    # length cannot reach it, so they are not handed to SequenceMatcher (same answer, no cost).
    return (6 <= len(short) and len(long_) <= NAME_WORD_MAX and a[0] == b[0]
            and 2 * len(short) >= _SAME_NAME_RATIO * (len(a) + len(b))
            and difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= _SAME_NAME_RATIO)


# --- role -------------------------------------------------------------------

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

"""Russian, Armenian and Azerbaijani: the same checks but the role check, with each language's own words.

What is covered:

* numbers in digits with the local separators ("120 000", "120.000" and
  "1,5" as well as "120,000" and "1.5"), a case suffix after the digits
  ("2022-ci", "20-ին", "20-го"), number words up to the hundreds with
  "thousand", "million" ("две тысячи", "երկու հազար", "iki min") and the
  abbreviations тыс., млн, մլն, mln;
* hedged counts, read as ranges as in English: "около 60", "более 1000", "не
  более 50", "մոտ 60", "ավելի քան 100", "təxminən 60", and the postpositions
  after a count's case ending, "100-ից ավելի", "60-dan çox", "100-ə yaxın";
* dates with month names in the forms used after a day or a year ("20
  декабря 2022 года", "2022 թվականի դեկտեմբերի 20-ին", "20 dekabr 2022-ci il",
  "2022-ci il dekabrın 20-də"), numeric "20.12.2022" and "2022-12-20", clock
  times "6:30", and weekdays;
* negation: ru не, нет, ни, никто, ничего, никогда, нигде, без, нельзя
  before the words they negate; hy ոչ, ոչինչ, երբեք, առանց, the negative
  auxiliaries չի, չեն, չէ, չէր ... (negating the participle after them, or the
  predicate before them, as in "փակ չէ") and verbs with the prefix չ-
  ("չփակվեց"); az heç before a word, deyil, yox, yoxdur after it, and the
  verb suffixes -ma/-mə before a tense ("bağlanmadı", "artmayacaq",
  "açılmamış") and the present -mır/-mir/-mur/-mür ("işləmir"). Not covered:
  Azerbaijani negation in other moods and participles, double negatives,
  and negation that spans clauses;
* words are compared through Snowball stems: Russian and Armenian have
  their own stemmers; Azerbaijani uses the Turkish one, a fair approximation
  for a closely related language with the same suffixes, after writing ə as e
  (the Turkish stemmer does not know ə);
* across two languages only values are compared: dates, times and weekdays
  always, and counts when their units are in the small table of common units
  (``rules/units.yaml``: people, days, weeks, hours, minutes, years, months,
  metres, kilometres, euros, dollars, cents, percent, children, cars, buses).

Each language's words are data, in ``rules/<language>.yaml``; what stays here
is how they are read: the regexes built from them and the morphology of
negation, which is logic rather than a word list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import snowballstemmer
import yaml

from compare.checks.english import _UNIT_SYNONYMS, _stem
from compare.checks.spans import Found, Span, Token

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


@dataclass(frozen=True)
class _Rules:
    """One language's vocabulary for the checks (all words lower-case), as in ``rules/<language>.yaml``."""

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
    #: hy: the negative auxiliaries ("չի", "չէ"), which negate a neighbouring word
    negative_auxiliaries: frozenset[str] = frozenset()
    #: hy, az: beginnings of words that look negated by their morphology but are not
    not_negated: tuple[str, ...] = ()
    #: words before a count that make it a range ("около 60"), each with its bound (english._HEDGE_BOUND)
    hedges: dict[str, str] = field(default_factory=dict)
    #: the same after the count and its case ending ("60-dan çox")
    post_hedges: dict[str, str] = field(default_factory=dict)
    #: az: verbs that follow a count and are never its unit ("sayı 60 idi")
    not_units: frozenset[str] = frozenset()


@lru_cache(maxsize=None)
def _load(name: str) -> Any:
    """A YAML file of ``compare/checks/rules``, parsed (files ship as package data)."""
    return yaml.safe_load(files("compare.checks").joinpath("rules", name).read_text(encoding="utf-8"))


def _by_value(table: dict[float, list[str]]) -> dict[str, float]:
    """``{value: [word, ...]}`` as ``{word: value}``, in file order."""
    return {word: float(value) for value, words in table.items() for word in words}


def _stems(language: str, groups: list[list[list[str]]]) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Pairs of opposite word groups as pairs of stem sets."""
    return tuple(
        (frozenset(_stem_in(language, w) for w in a), frozenset(_stem_in(language, w) for w in b))
        for a, b in groups
    )


@lru_cache(maxsize=None)
def _rules(language: str) -> _Rules:
    """The vocabulary of ``language`` (one of ru, hy, az), read from ``rules/<language>.yaml``."""
    if language not in _I18N_LANGUAGES:
        raise KeyError(language)
    data = _load(f"{language}.yaml")
    return _Rules(
        language=language,
        months={word: i + 1 for i, forms in enumerate(data["months"]) for word in forms},
        weekdays={word: day for day, forms in data["weekdays"].items() for word in forms},
        number_words=_by_value(data["number_words"]),
        magnitudes=_by_value(data["magnitudes"]),
        lone_skipped=frozenset(data["lone_skipped"]),
        negators=frozenset(data["negators"]),
        post_negators=frozenset(data["post_negators"]),
        clause_breaks=frozenset(data["clause_breaks"]),
        stop=frozenset(data["stop"]),
        name_heads=frozenset(_stem_in(language, w) for w in data["name_heads"]),
        opposites=_stems(language, data["opposites"]),
        year_words=data["year_words"],
        negative_auxiliaries=frozenset(data.get("negative_auxiliaries", ())),
        not_negated=tuple(data.get("not_negated", ())),
        hedges={word: bound for bound, words in data.get("hedges", {}).items() for word in words},
        post_hedges={word: bound for bound, words in data.get("post_hedges", {}).items() for word in words},
        not_units=frozenset(data.get("not_units", ())),
    )


@lru_cache(maxsize=None)
def _unit_table(language: str) -> dict[str, str]:
    """Stem of a unit word in ``language`` -> the unit an English passage gives its first form."""
    table = {}
    for forms in _load("units.yaml").values():
        first = forms["en"][0]
        key = _UNIT_SYNONYMS.get(first) or _stem(first)
        table.update({_stem_in(language, w): key for w in forms[language]})
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
    hedges = "|".join(sorted((re.escape(h).replace(r"\ ", r"\s+") for h in r.hedges), key=len, reverse=True))
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
        # a hedge ending just before a count: the words after a space or the start of the text
        "hedge": re.compile(rf"(?<!{_LETTERS})(?P<hedge>{hedges})\s+$", re.I) if hedges else re.compile(r"(?!)"),
        "token": re.compile(rf"{_LETTERS}+(?:[-\u2010]{_LETTERS}+)*|\d[\d,.]*\d|\d|[.,;:!?()\"\u00ab\u00bb\u201c\u201d\u0589\u055d]"),
    }


def extract(text: str, language: str) -> Found:
    """Find the dates, times, weekdays, counts and tokens (with their negation) of a text in ``language``."""
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
        bound = ""
        if m.group("pct"):
            unit = "percent"
        else:
            u = pats["unit"].match(text, end)
            if not u:
                continue
            word = u.group("unit").lower()
            if word in r.post_hedges:  # "60-dan çox adam": the hedge, then the unit
                bound = r.post_hedges[word]
                u = pats["unit"].match(text, u.end())
                if not u:
                    continue
                word = u.group("unit").lower()
            if word in r.stop or word in r.months or word in r.magnitudes or word in r.not_units:
                continue
            unit = _unit_key(language, word)
            end = u.end()
        if not bound:
            hedge = pats["hedge"].search(text, max(0, m.start() - 24), m.start())
            bound = r.hedges[" ".join(hedge.group("hedge").lower().split())] if hedge else ""
        written = text[m.start() : end].rstrip()
        quantities.append(Span(written, m.start(), m.start() + len(written), value, unit, bound))
    return Found(tuple(dates), tuple(times), weekdays, tuple(quantities), tuple(_tokens_i18n(text, language)))


# The morphology of negation stays code: these are rules over the shape of a word.
# Their exceptions, plain word lists, are in the YAML (negative_auxiliaries, not_negated).
_HY_PARTICIPLE = re.compile(r"(?:ել|ալ|ում|ած|ա|ի|ու)$")
_AZ_NEG = re.compile(
    r"^(?P<stem>\w{2,}?)(?P<neg>ma|mə)(?P<rest>(?:dı|di|du|dü|yacaq|yəcək|mış|miş|mamış|yıb|yib|yub|yüb|z|sa|sə)\w*)$"
)
_AZ_NEG_PRESENT = re.compile(r"^(?P<stem>\w{3,}?)m(?P<rest>(?:ır|ir|ur|ür)\w*)$")


def _denegate(word: str, rules: _Rules) -> str | None:
    """The affirmative form of a word negated by its own morphology, else ``None``."""
    if rules.language == "hy":
        if (word.startswith("չ") and len(word) > 3 and word not in rules.negative_auxiliaries
                and not word.startswith(rules.not_negated)):
            return word[1:]
    elif rules.language == "az":
        if word.startswith(rules.not_negated):
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
        if lower in r.negative_auxiliaries:  # hy only
            pending_aux = m.start()
            continue
        if lower in r.post_negators or (pending_aux is not None and not _HY_PARTICIPLE.search(lower)):
            negate_previous(m.start() if lower in r.post_negators else pending_aux)  # type: ignore[arg-type]
            pending_aux = None
            if lower in r.post_negators:
                continue
        denegated = _denegate(lower, r)
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


def _content_for(rules: _Rules) -> Callable[[Token], bool]:
    """:func:`compare.checks.english._content` with another language's stop words."""

    def content(tok: Token) -> bool:
        if tok.capitalised and not tok.sentence_initial:
            return False
        return tok.stem not in rules.stop and tok.text.lower() not in rules.stop and len(tok.stem) > 2

    return content

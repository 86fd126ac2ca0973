"""Contradicting versions of a sentence, for training the judge on accounts of one event.

The public training sets hold few pairs of the shape that matters most in
accounts of one event: two passages that say the same thing in different words,
except that one denies it or gives another number or date ("the activists have
not blocked the road" / "the road was blocked on 12 December"). This module
makes such pairs from paraphrase pairs of the training sets by changing one
side in one place:

* :func:`negate` adds or removes a negation ("is" -> "is not", "was not" ->
  "was", "blocked" -> "never blocked");
* :func:`change_number` changes a count or a year ("12 people" -> "25 people",
  "2019" -> "2017");
* :func:`change_date` changes a month or a weekday ("in March" -> "in June").

Each returns ``None`` when the sentence has nothing it can change. The rules are
deliberately simple (English only) and deterministic given the random generator
passed in; :mod:`compare.training` uses them for its ``accounts`` set.
"""

from __future__ import annotations

import random
import re

AUXILIARIES = ("is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could", "should",
               "must", "does", "do", "did", "may", "might")
_CONTRACTED = {"isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "hasn't": "has",
               "haven't": "have", "hadn't": "had", "won't": "will", "can't": "can", "couldn't": "could",
               "shouldn't": "should", "wouldn't": "would"}
#: After "has"/"have"/"had" these words mean possession ("has a car"), where "not" reads badly.
_POSSESSION = frozenset({"a", "an", "the", "no", "some", "any", "to"})
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_WORD = re.compile(r"[A-Za-z']+")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w,]*\d)(?!\.\d)")
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")


def negate(sentence: str) -> str | None:
    """The sentence with its first clause's polarity flipped, or ``None`` if no rule applies."""
    words = list(_WORD.finditer(sentence))
    for i, m in enumerate(words):
        low = m.group().lower()
        if low in _CONTRACTED:
            return _splice(sentence, m.start(), m.end(), _case(m.group(), _CONTRACTED[low]))
        if low == "not" and i > 0 and words[i - 1].group().lower() in AUXILIARIES:
            # "was not" -> "was": drop "not" and the space before it
            return _splice(sentence, words[i - 1].end(), m.end(), "")
        if low in ("never",):
            return _splice(sentence, m.start(), _skip_space(sentence, m.end()), "")
    for i, m in enumerate(words):
        low = m.group().lower()
        if low in AUXILIARIES and i > 0:
            nxt = words[i + 1].group().lower() if i + 1 < len(words) else ""
            if low in ("has", "have", "had", "do", "does", "did") and (nxt in _POSSESSION or not nxt):
                continue
            return _splice(sentence, m.end(), m.end(), " not")
    for i, m in enumerate(words):
        low = m.group()
        if i > 0 and low.islower() and len(low) > 4 and low.endswith("ed"):
            return _splice(sentence, m.start(), m.start(), "never ")
    return None


def change_number(sentence: str, rng: random.Random) -> str | None:
    """The sentence with one number changed: a year by 1 to 3, a count to a clearly different count."""
    found = list(_NUMBER.finditer(sentence))
    if not found:
        return None
    m = rng.choice(found)
    raw = m.group()
    value = int(raw.replace(",", ""))
    if 1900 <= value <= 2100 and "," not in raw:
        new = value + rng.choice((-3, -2, -1, 1, 2, 3))
    elif value < 10:
        new = rng.choice([k for k in range(2, 13) if k != value])
    else:
        new = max(2, int(value * rng.choice((0.4, 0.5, 1.5, 2.0, 3.0))))
        if new == value:
            new = value + 7
    text = f"{new:,}" if "," in raw else str(new)
    return _splice(sentence, m.start(), m.end(), text)


def change_date(sentence: str, rng: random.Random) -> str | None:
    """The sentence with a month or weekday name replaced by another, or ``None`` if it names none."""
    for pattern, names in ((_MONTH, MONTHS), (_WEEKDAY, WEEKDAYS)):
        m = pattern.search(sentence)
        if m:
            return _splice(sentence, m.start(), m.end(), rng.choice([n for n in names if n != m.group()]))
    return None


def contradicting_versions(sentence: str, rng: random.Random) -> list[tuple[str, str]]:
    """Every change the rules can make: ``(kind, changed sentence)`` with kind negation, number or date."""
    out = []
    for kind, changed in (("negation", negate(sentence)), ("number", change_number(sentence, rng)),
                          ("date", change_date(sentence, rng))):
        if changed and changed != sentence:
            out.append((kind, changed))
    return out


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] == " ":
        at += 1
    return at


def _case(original: str, new: str) -> str:
    return new.capitalize() if original[:1].isupper() else new

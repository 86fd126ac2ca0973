"""Which language a source is in, offline, when its front matter does not say.

A source's front matter ``language`` always wins; this guess is only for files
that leave it out. It is deliberately small and explainable:

* **Script first.** Armenian letters mean Armenian (``hy``): no other living
  language is written in that script. Georgian letters mean ``ka`` and Greek
  letters ``el``. Cyrillic means Russian (``ru``) unless letters that Russian
  lacks point elsewhere: і ї є ґ → Ukrainian (``uk``), ў → Belarusian (``be``).
* **Latin script: letters, then function words.** The schwa ə is written in
  Azerbaijani and (almost) nowhere else, so a text with it is ``az``; without
  it, the share of very common function words of English, Azerbaijani,
  Turkish, German, French and Spanish decides, and the winner must clearly lead;
  a short text without such words but with the letters ı ş ç ğ ö ü is
  Azerbaijani, or Turkish when it has no ə, q or x (letters Turkish lacks) and
  Turkish function words.
* **Unsure means English.** Too little text, or no clear winner, gives
  ``(DEFAULT, False)`` and the source keeps ``en``, as before this module.

Why not a detector from PyPI: ``lingua-language-detector`` is the accurate
choice but its wheel (2.1.1) is 96 MB of n-gram models for 75 languages (it
would be the largest thing the project installs after torch), and
``langdetect`` is unmaintained since 2021 and not deterministic without a seed.
The languages this project writes discrepancy rules for (en, ru, hy, az) are
told apart reliably by script and by ə, which a hundred lines can do.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT = "en"
#: Human-readable names, for messages and the report.
NAMES = {
    "en": "English", "ru": "Russian", "hy": "Armenian", "az": "Azerbaijani", "tr": "Turkish",
    "uk": "Ukrainian", "be": "Belarusian", "ka": "Georgian", "el": "Greek", "de": "German",
    "fr": "French", "es": "Spanish",
}
#: Letters needed before a guess counts at all.
MIN_LETTERS = 12

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Very common function words; only words that are rare in the other languages listed.
_FUNCTION_WORDS = {
    "en": set("the and of to in is was that for with are on it by this from at be will have has not were".split()),
    "az": set("və bu ilə üçün bir da də ki isə olan olaraq sonra görə kimi deyil həm artıq ən çox".split()),
    "tr": set("ve bu ile için bir da de ki olan olarak sonra göre gibi değil daha en çok".split()),
    "de": set("der die das und ist nicht mit für auf den dem des ein eine zu von wird".split()),
    "fr": set("le la les et est des du une un pour dans que qui sur pas par au".split()),
    "es": set("el la los las y es del que en por para con una un se no al".split()),
}


def _script(ch: str) -> str | None:
    cp = ord(ch)
    if 0x0531 <= cp <= 0x058F or 0xFB13 <= cp <= 0xFB17:
        return "armenian"
    if 0x0400 <= cp <= 0x052F:
        return "cyrillic"
    if 0x10A0 <= cp <= 0x10FF or 0x1C90 <= cp <= 0x1CBF:
        return "georgian"
    if 0x0370 <= cp <= 0x03FF or 0x1F00 <= cp <= 0x1FFF:
        return "greek"
    if ch.isalpha() and "LATIN" in unicodedata.name(ch, ""):
        return "latin"
    if ch.isalpha():
        return "other"
    return None


def detect_language(text: str) -> tuple[str, bool]:
    """``(BCP 47 code, confident)`` for a text; ``(DEFAULT, False)`` when unsure."""
    counts: dict[str, int] = {}
    for ch in text:
        script = _script(ch)
        if script:
            counts[script] = counts.get(script, 0) + 1
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return DEFAULT, False
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 0.6 * letters:
        return DEFAULT, False  # a mix of scripts with no clear majority
    lower = text.lower()
    if script == "armenian":
        return "hy", True
    if script == "georgian":
        return "ka", True
    if script == "greek":
        return "el", True
    if script == "cyrillic":
        if any(c in lower for c in "іїєґ"):
            return "uk", True
        if "ў" in lower:
            return "be", True
        return "ru", True
    if script != "latin":
        return DEFAULT, False
    return _latin(lower)


def _latin(lower: str) -> tuple[str, bool]:
    words = _WORD.findall(lower)
    if not words:
        return DEFAULT, False
    if lower.count("ə") >= 2 or ("ə" in lower and len(words) < 8):
        return "az", True
    scores = {
        lang: sum(w in vocab for w in words) / len(words) for lang, vocab in _FUNCTION_WORDS.items()
    }
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 0.08 and top >= 1.5 * second:
        return best, True
    # Short texts with few function words: the letters of the Turkic Latin
    # alphabets decide. Turkish has no q or x; Azerbaijani has both.
    turkic = sum(lower.count(c) for c in "ışçğöü")
    if turkic >= 2 and scores["en"] < 0.08:
        if "ə" in lower or "q" in lower or "x" in lower or scores["az"] >= scores["tr"]:
            return "az", True
        return "tr", True
    return DEFAULT, False


def language_name(code: str) -> str:
    """``'Russian'`` for ``'ru'``; the code itself for a language without a name here."""
    return NAMES.get(code.split("-")[0].lower(), code)


def primary(code: str) -> str:
    """The primary subtag of a BCP 47 tag, lower-cased: ``'ru'`` for ``'ru-RU'``."""
    return (code or DEFAULT).split("-")[0].lower()

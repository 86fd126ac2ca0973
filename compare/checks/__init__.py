"""Discrepancy checks: concrete, quotable differences between two aligned passages.

Five checks, each a small documented rule so a reader can see why it fired:

* **quantity**: both passages count the same thing (the same unit word after
  the number, e.g. "276 persons" / "300 persons") with different values, and
  share no equal count of it. Two unrelated numbers never clash, and a whole
  number matches a figure within a tenth of it that rounds to it ("9%" /
  "8.76 per cent"): outlets round. A hedged count ("about 60", "more than
  1,000", "nearly 300", "up to 50"; Russian, Armenian and Azerbaijani hedges
  too) is the range its hedge leaves open at the precision it is written
  to, and matches any figure in it ("about 60" / "58 firefighters"). So is
  a range written as one in English ("between 3 and 6 micrograms", "1 to 3
  percent", "3-6 micrograms"; not "from 3 to 6", more often a change).
* **date**: both give a calendar date (or a clock time, or a weekday) and share
  none: "9 November 2020" / "10 November 2020". A date without a year matches
  the same day and month with one. Two dates count as rivals only when they
  could date one event: the same month with another day, or the same day in
  another year ("9 November 2020" / "13 December" is two events).
* **polarity**: a word both use is negated in one and asserted in the other
  ("have not blocked" / "blocked"), or one asserts a word of an opposing group
  that the other does not use ("blocked" / "unimpeded"). A negation covers the
  eight words after it within its clause, and ends at a preposition after the
  first word it denies ("is not present | in the corridor"); a word further on in a clause that
  has a negation counts as neither, so two sentences that both negate do not
  clash because one puts the shared word further from its "not". Nor do they
  clash when both negate a word the negation covers: then the denial is the
  same, and a word within one "without"'s reach only is word order ("held
  without bail" / "held without bail on Monday by a judge"). "Not only" and
  the "yet" of "not yet" are not negations and clause breaks.
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
what they cover, are in :mod:`compare.checks.languages`, their words in
``rules/*.yaml``); for other languages the
checks are skipped and the evidence says so. Across two languages only values
are compared (dates, times, weekdays, and counts of units in a shared table):
:func:`skipped_notes` says so in the evidence.

A few rules read a single passage (English), for the claims stage:
:func:`attribution` finds the words by which it passes a claim on without
asserting it ("reports of", "reportedly", "the company says"), so that it is
read as a report; :func:`another_occurrence` the words by which it speaks of
another occurrence ("The first time was on 3 December"); and
:func:`statement_date` the words that make a date the date of a statement it
tells of ("On 13 December, the Department of State said ..."). The claims
stage does not count the values those dates give against the claim's own.

The modules, each with one job:

* :mod:`~compare.checks.spans`: what extraction finds (:class:`Span`, :class:`Token`);
* :mod:`~compare.checks.english`: the English words and extraction;
* :mod:`~compare.checks.languages`: Russian, Armenian and Azerbaijani, from ``rules/*.yaml``;
* :mod:`~compare.checks.facts`: :func:`analyse` and the per-passage index;
* :mod:`~compare.checks.comparison`: :func:`find_discrepancies`, each check's rule,
  and the notes on checks that did not run.

This module only re-exports; the private names below are imported by the
judge's features and by the tests.
"""

from compare.checks.comparison import (
    CHECK_KINDS,
    ROLE_SKIPPED,
    ROLE_SPAN,
    _equal,
    _rival_dates,
    _same_date,
    _same_number,
    _same_time,
    _unmatched_pair,
    find_discrepancies,
    fully_checked,
    skipped_notes,
    unsupported_note,
)
from compare.checks.english import NAME_HEADS, NEGATION_SCOPE, OPPOSITES, _content, _name_phrases, _tokens
from compare.checks.facts import (
    SUPPORTED_LANGUAGES, PassageFacts, analyse, analysed, another_occurrence, attribution, speaks_of_a_statement,
    statement_date,
)
from compare.checks.languages import _name_phrases_i18n, _rules
from compare.checks.spans import Span, Token

__all__ = [
    "CHECK_KINDS",
    "NAME_HEADS",
    "NEGATION_SCOPE",
    "OPPOSITES",
    "ROLE_SKIPPED",
    "ROLE_SPAN",
    "SUPPORTED_LANGUAGES",
    "PassageFacts",
    "Span",
    "Token",
    "analyse",
    "analysed",
    "another_occurrence",
    "attribution",
    "find_discrepancies",
    "fully_checked",
    "skipped_notes",
    "speaks_of_a_statement",
    "statement_date",
    "unsupported_note",
    # private, for compare.judge.features (_tokens) and tests/test_checks_index.py
    "_content",
    "_equal",
    "_name_phrases",
    "_name_phrases_i18n",
    "_rival_dates",
    "_rules",
    "_same_date",
    "_same_number",
    "_same_time",
    "_tokens",
    "_unmatched_pair",
]

"""Which claims are disputed, who takes which side, and which claims only one source makes.

The report (JSON, HTML, Markdown) and the app both read these functions, so the
disputes come in the same order and the sides are grouped the same way
wherever they are shown. Nothing here depends on the order in which the
sources were given: the sides list sources by party name, and the disputes are
ordered by what the sources say (how many take a side, how contested the
claim is), then by the point's place in the texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from compare.records import STANCES, Comparison, Point

#: Each stance's symbol in the matrix of claims by sources (the colour is only a second cue).
STANCE_SYMBOLS = {"affirms": "✓", "denies": "✗", "reports": "~", "silent": "·"}
STANCE_MEANINGS = {
    "affirms": "states the claim (in any words, perhaps with another value for the same thing)",
    "denies": "says the claim is false",
    "reports": "speaks to the claim without taking a side (attributed, hedged or only mentioned)",
    "silent": "says nothing on the claim: its nearest passage was read and does not count",
}
#: How a group of sources with one stance is headed in a dispute.
SIDE_TITLES = {"affirms": "Affirm", "denies": "Deny", "reports": "Report without taking a side", "silent": "Silent"}
#: The stances that take a side on a claim.
TAKING_SIDES = ("affirms", "denies")
#: Marks a cell whose passage the silence check placed on the claim.
PLACED_MARK = "*"


def stance_of(point: Point, source_id: str) -> str:
    """A source's stance on a point's claim.

    A point without positions (made by an older engine, or by hand) counts a
    source with passages as ``reports`` (speaking, no side known) and one
    without as ``silent``.
    """
    position = point.positions.get(source_id)
    if position is not None:
        return position.stance
    return "reports" if point.passages.get(source_id) else "silent"


def stances(point: Point) -> dict[str, str]:
    """Every source's stance on the point, by source id."""
    return {sid: stance_of(point, sid) for sid in point.passages}


def group_sides(stance_by_source: Mapping[str, str], parties: Mapping[str, str]) -> dict[str, list[str]]:
    """The sources grouped by stance (affirms, denies, reports, silent; empty groups left out).

    Within a group the sources are in order of party name (case-insensitively,
    then the id), never in the order they were given.
    """
    def key(sid: str) -> tuple[str, str, str]:
        party = parties.get(sid, sid)
        return party.casefold(), party, sid

    groups = {st: sorted((sid for sid, x in stance_by_source.items() if x == st), key=key) for st in STANCES}
    return {st: sids for st, sids in groups.items() if sids}


def sides(comparison: Comparison, point: Point) -> dict[str, list[str]]:
    """:func:`group_sides` of a point of ``comparison``."""
    return group_sides(stances(point), {s.id: s.party for s in comparison.sources})


def is_contested(point: Point) -> bool:
    """Whether any pair of sources diverges on the point."""
    return "diverge" in point.label_tally()[1]


def dispute_key(stance_by_source: Mapping[str, str], contestedness: float, index: int) -> tuple[int, float, int]:
    """Sort key of a dispute: more sources taking a side first, then the more contested, then text order."""
    taking = sum(1 for st in stance_by_source.values() if st in TAKING_SIDES)
    return -taking, -round(contestedness, 6), index


def disputes(comparison: Comparison) -> list[Point]:
    """The contested points (at least one ``diverge`` pair), most important first (see :func:`dispute_key`)."""
    contested = [(k, p) for k, p in enumerate(comparison.points) if is_contested(p)]
    contested.sort(key=lambda kp: dispute_key(stances(kp[1]), kp[1].contestedness, kp[0]))
    return [p for _, p in contested]


def sole_claims(comparison: Comparison) -> dict[str, list[str]]:
    """The ids of the points on which exactly one source speaks, by that source (every source listed)."""
    out: dict[str, list[str]] = {sid: [] for sid in comparison.source_ids}
    for point in comparison.points:
        speaking = [sid for sid, st in stances(point).items() if st != "silent"]
        if len(speaking) == 1:
            out.setdefault(speaking[0], []).append(point.id)
    return out


@dataclass(frozen=True)
class ValueSide:
    """One value as the sources that give it write it, with each source's passage."""

    value: str
    #: (source id, passage id) in order of party name; the passage is the source's first giving it
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DifferingValues:
    """Two values that a check found given for the same thing on one point, and who gives which."""

    kind: str
    sides: tuple[ValueSide, ValueSide]
    #: where both sides give the same words (one negates them), the check's own account, which
    #: names the two sides in the order of ``sides``; otherwise empty
    description: str = ""


def differing_values(diverging: Iterable[tuple[str, str, Any]], parties: Mapping[str, str]) -> list[DifferingValues]:
    """The values that differ on a point, one line per pair of values rather than one per pair of sources.

    ``diverging`` holds ``(a, b, discrepancy)`` for each discrepancy of each
    diverging pair: a :class:`~compare.records.Discrepancy` or its report dict.
    With twelve sources that call a road by one name against one that calls it
    by another, that is eleven pairs of sources but one difference, so the
    discrepancies are grouped by their kind and their two values (case aside:
    the checks never tell "Lachin Corridor" from "Lachin corridor"). A side is
    written as most of its sources write it. Nothing depends on the order of
    the sources: the sides are in order of their values, the sources in order
    of party name, and the lines with the most sources come first.
    """
    # a line's key -> its two sides, each: source -> its passages; and every spelling of each value met
    found: dict[tuple[str, ...], tuple[dict[str, set[str]], dict[str, set[str]]]] = {}
    spellings: dict[str, list[str]] = {}
    described: dict[tuple[str, ...], str] = {}

    def by_party(sid: str) -> tuple[str, str]:
        return parties.get(sid, sid).casefold(), sid

    for a, b, d in diverging:
        kind, left, right = _field(d, "kind"), _field(d, "left"), _field(d, "right")
        given = [(a, left, _field(d, "left_passage")), (b, right, _field(d, "right_passage"))]
        if left.casefold() == right.casefold():
            # the same words, negated on one side only (a polarity check): no value to group by,
            # so the pair keeps a line of its own, described as the check describes it
            key: tuple[str, ...] = (kind, left.casefold(), right.casefold(), a, b)
            described[key] = _field(d, "description")
        else:
            given.sort(key=lambda g: g[1].casefold())
            key = (kind, given[0][1].casefold(), given[1][1].casefold())
        sides = found.setdefault(key, ({}, {}))
        for k, (sid, value, pid) in enumerate(given):
            sides[k].setdefault(sid, set()).add(pid)
            spellings.setdefault(value.casefold(), []).append(value)

    def side(folded: str, sources: dict[str, set[str]]) -> ValueSide:
        written = spellings[folded]
        value = min(set(written), key=lambda v: (-written.count(v), v))
        order = sorted(sources, key=by_party)
        return ValueSide(value, tuple((sid, min(sources[sid], key=_text_order)) for sid in order))

    lines = [
        DifferingValues(key[0], (side(key[1], first), side(key[2], second)), described.get(key, ""))
        for key, (first, second) in found.items()
    ]
    lines.sort(key=lambda ln: (-sum(len(s.sources) for s in ln.sides), ln.kind,
                               [(s.value.casefold(), [by_party(sid) for sid, _ in s.sources]) for s in ln.sides]))
    return lines


def _field(record: Any, name: str) -> Any:
    return record[name] if isinstance(record, Mapping) else getattr(record, name)


def _text_order(passage_id: str) -> tuple[str, int, str]:
    """A passage id (``source:12``) in the order of the text: by number, not as a string."""
    source, _, number = passage_id.rpartition(":")
    return (source, int(number), "") if number.isdigit() else (source, -1, passage_id)


def stance_counts(comparison: Comparison) -> dict[str, int]:
    """How many cells (source on a point) of each stance, over all points."""
    counts = dict.fromkeys(STANCES, 0)
    for point in comparison.points:
        for st in stances(point).values():
            counts[st] += 1
    return counts


def quote(cell: Mapping[str, Any], passages: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
    """The passage behind a report cell's stance (the one its position names, else its first), as
    ``{"id": ..., **passages[id]}``; ``passages`` is the report's passage table."""
    ids = cell["passages"]
    pid = cell.get("passage") if cell.get("passage") in ids else (ids[0] if ids else None)
    return None if pid is None else {"id": pid, **passages[pid]}


__all__ = [
    "DifferingValues",
    "PLACED_MARK",
    "SIDE_TITLES",
    "STANCE_MEANINGS",
    "STANCE_SYMBOLS",
    "TAKING_SIDES",
    "ValueSide",
    "differing_values",
    "disputes",
    "dispute_key",
    "group_sides",
    "is_contested",
    "quote",
    "sides",
    "sole_claims",
    "stance_counts",
    "stance_of",
    "stances",
]

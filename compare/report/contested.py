"""Which claims are disputed, who takes which side, and which claims only one source makes.

The report (JSON, HTML, Markdown) and the app both read these functions, so the
disputes come in the same order and the sides are grouped the same way
wherever they are shown. Nothing here depends on the order in which the
sources were given: the sides list sources by party name, and the disputes are
ordered by what the sources say (how many take a side, how contested the
claim is), then by the point's place in the texts.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    "PLACED_MARK",
    "SIDE_TITLES",
    "STANCE_MEANINGS",
    "STANCE_SYMBOLS",
    "TAKING_SIDES",
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

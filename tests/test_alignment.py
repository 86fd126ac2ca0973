"""Grouping passages into points: complete, and independent of the order of the input."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import combinations

import pytest

from compare.alignment import align_sources, summarise
from compare.documents import build_event, source_from_text
from compare.records import Comparison, Event, stance_label
from compare.passages import split_passages
from compare.pipeline import Prepared, compare_prepared, prepare


def point_key(comparison: Comparison, point) -> frozenset[tuple[str, str]]:
    """A point by its content: (party, passage text) for every passage in it."""
    party = {s.id: s.party for s in comparison.sources}
    return frozenset(
        (party[sid], comparison.passages[pid].text) for sid, pids in point.passages.items() for pid in pids
    )


def points_of(comparison: Comparison) -> set[frozenset[tuple[str, str]]]:
    return {point_key(comparison, p) for p in comparison.points}


def aligned_of(prepared: Prepared) -> set[frozenset[tuple[str, str]]]:
    """The groups alignment makes, by content (before any claim is read)."""
    party = {s.id: s.party for s in prepared.event.sources}
    by_id = {p.id: p for p in prepared.passages}
    points = align_sources(prepared.passages, prepared.vectors, [s.id for s in prepared.event.sources],
                           {s.id: len(s.text) for s in prepared.event.sources})
    return {frozenset((party[sid], by_id[i].text) for sid, ids in p.passages.items() for i in ids) for p in points}


def positions_of(comparison: Comparison) -> set[tuple[frozenset, str, str, str]]:
    """Every source's stance on every claim, by content."""
    party = {s.id: s.party for s in comparison.sources}
    return {(point_key(comparison, point), party[sid], pos.stance,
             comparison.passages[pos.passage].text if pos.passage else "")
            for point in comparison.points for sid, pos in point.positions.items()}


def labels_of(comparison: Comparison) -> set[tuple[frozenset[str], str, frozenset]]:
    party = {s.id: s.party for s in comparison.sources}
    return {
        (frozenset({party[lab.a], party[lab.b]}), lab.label, point_key(comparison, point))
        for point in comparison.points
        for lab in point.pairs.values()
    }


def reversed_passages(event: Event) -> list:
    """The same sources with their passages in reverse order, one paragraph each."""
    out = []
    for source in event.sources:
        texts = [p.text for p in split_passages(source)]
        out.append(replace(source, id="", text="\n\n".join(reversed(texts)) + "\n"))
    return out


def passage_texts(event: Event) -> Counter:
    return Counter((s.party, p.text) for s in event.sources for p in split_passages(s))


def variants(event: Event) -> dict[str, Event]:
    sources = [replace(s, id="") for s in event.sources]
    rotated = sources[1:] + sources[:1]
    return {
        "sources permuted": build_event(rotated[::-1]),
        "passages reversed": build_event(reversed_passages(event)[::-1]),
        # Bypasses build_event's sorting, so that alignment itself sees another order.
        "unsorted event": Event(sources=tuple(reversed(event.sources)), title=event.title),
    }


@pytest.mark.parametrize("prepared_name", ["teaching_prepared", "lachin_prepared"])
def test_order_of_sources_and_passages_does_not_matter(request, embedder, prepared_name):
    base_prepared = request.getfixturevalue(prepared_name)
    base = compare_prepared(base_prepared)

    for name, event in variants(base_prepared.event).items():
        assert passage_texts(event) == passage_texts(base_prepared.event), name  # the same passages
        other_prepared = prepare(event, embedder, progress=False)
        if name == "passages reversed":
            # Reversing a source's paragraphs makes another text: the stance model reads the passages
            # nearest a claim in their text order, as it was trained, so a claim's reading may change.
            # What alignment groups must not.
            assert aligned_of(other_prepared) == aligned_of(base_prepared), name
            continue
        other = compare_prepared(other_prepared)
        assert points_of(other) == points_of(base), name
        assert labels_of(other) == labels_of(base), name
        assert positions_of(other) == positions_of(base), name
        assert [p.summary for p in other.points] == [p.summary for p in base.points], name


@pytest.mark.parametrize("prepared_name", ["teaching_prepared", "lachin_prepared"])
def test_every_point_lists_every_source_and_every_passage_is_on_a_point(request, prepared_name):
    prepared = request.getfixturevalue(prepared_name)
    comparison = compare_prepared(prepared)
    order = [s.id for s in prepared.event.sources]

    seen: Counter = Counter()
    for k, point in enumerate(comparison.points, start=1):
        assert point.id == f"p{k}"
        assert list(point.passages) == order  # every source has a cell, in source order
        assert list(point.positions) == order  # and a position on the claim
        assert point.speakers, "a point without passages"
        assert point.claim in point.passages[comparison.passages[point.claim].source_id]
        for sid, pids in point.passages.items():
            assert isinstance(pids, tuple)  # () = silent
            assert (point.positions[sid].stance == "silent") == (not pids)
            assert point.positions[sid].passage in (pids or (None,))
            for pid in pids:
                assert comparison.passages[pid].source_id == sid
        seen.update(pid for pids in point.passages.values() for pid in pids)
        # Every pair in which both sources speak has a label; the point holds only those that say
        # more than the two stances, and makes the others as asked.
        assert set(point.pairs) <= set(combinations(point.speakers, 2))
        assert [(a, b) for a, b, _ in point.speaking_labels()] == list(combinations(point.speakers, 2))
        for a, b, label in point.speaking_labels():
            made = point.pair(b, a)
            assert (made.a, made.b, made.label) == (a, b, label) and made.evidence.best_pair
            if (a, b) not in point.pairs:
                assert label == stance_label(point.positions[a].stance, point.positions[b].stance)
    # Every passage is on a point; one may be on several (a passage can address more than one claim).
    assert set(seen) == {p.id for p in prepared.passages}


def small_prepared(embedder, texts: dict[str, str]) -> Prepared:
    sources = [source_from_text(text, default_party=party) for party, text in texts.items()]
    return prepare(build_event(sources), embedder, progress=False)


def test_a_paraphrase_pair_shares_a_point_and_an_unrelated_sentence_stands_alone(embedder):
    prepared = small_prepared(embedder, {
        "Police": "The bridge over the river was closed by the police on Monday morning.\n\n"
                  "Our bakery sells fresh bread every day of the week.\n",
        "Mayor": "On Monday morning, police shut the bridge across the river.\n",
        "Council": "The city council will vote on the new budget next week.\n",
    })
    comparison = compare_prepared(prepared)
    points = points_of(comparison)

    assert points == {
        frozenset({
            ("Police", "The bridge over the river was closed by the police on Monday morning."),
            ("Mayor", "On Monday morning, police shut the bridge across the river."),
        }),
        frozenset({("Police", "Our bakery sells fresh bread every day of the week.")}),
        frozenset({("Council", "The city council will vote on the new budget next week.")}),
    }
    bakery = next(p for p in comparison.points if "bakery" in p.summary)
    assert bakery.speakers == ["police"]
    assert bakery.silent_sources == ["council", "mayor"]
    assert bakery.cell("police") == "sole" and bakery.cell("mayor") == "silent"
    assert bakery.pair("mayor", "police").label == "silent"
    assert bakery.pair("council", "mayor") is None  # both silent: no label at all
    bridge = next(p for p in comparison.points if "bridge" in p.summary)
    assert bridge.pair("police", "mayor").label == "agree"


@pytest.mark.parametrize("prepared_name", ["teaching_prepared", "lachin_prepared"])
def test_blocked_search_gives_the_same_points(request, prepared_name):
    prepared = request.getfixturevalue(prepared_name)
    order = [s.id for s in prepared.event.sources]
    lengths = {s.id: len(s.text) for s in prepared.event.sources}

    def run(block: int):
        points = align_sources(prepared.passages, prepared.vectors, order, lengths, block=block)
        return [(p.id, p.summary, p.passages) for p in points]

    assert run(3) == run(1024)


def test_no_passages_no_points():
    import numpy as np

    assert align_sources([], np.zeros((0, 384), dtype=np.float32), ["a", "b"], {"a": 1, "b": 1}) == []


def test_summary_is_cut_at_a_word_boundary():
    text = "The Azerbaijani representative rejected all the claims put forward by Armenia regarding the alleged closure of the Lachin road by Azerbaijan."
    summary = summarise(text, limit=60)
    assert summary == "The Azerbaijani representative rejected all the claims put\u2026"
    assert summarise("  A short\n claim.  ") == "A short claim."


def _walked(point) -> tuple[dict[str, Counter], Counter]:
    """The labels each source takes part in, and in all, by walking every pair (what the tally replaces)."""
    per = {sid: Counter() for sid in point.passages}
    total: Counter = Counter()
    for a, b, label in point.speaking_labels():
        per[a][label] += 1
        per[b][label] += 1
        total[label] += 1
    return per, total


def test_a_points_label_tally_counts_what_walking_its_pairs_counts():
    # Three affirm, two deny, one reports, one is silent; the point holds a pair of two affirming sources
    # that diverges (another value for the same count), a pair whose label is its stances' own with more
    # evidence, and a judge's label on a pair with a silent side.
    from compare.records import Evidence, PairLabel, Point, Position

    stances = {"a": "affirms", "b": "affirms", "c": "denies", "d": "reports", "e": "affirms", "f": "denies",
               "g": "silent"}
    point = Point(id="p1", summary="", claim="a:0",
                  passages={sid: (() if s == "silent" else (f"{sid}:0",)) for sid, s in stances.items()},
                  positions={sid: Position(s, None if s == "silent" else f"{sid}:0") for sid, s in stances.items()})
    point.pairs = {("a", "b"): PairLabel("a", "b", "diverge", Evidence(rationale="12 against 15")),
                   ("c", "f"): PairLabel("c", "f", "agree", Evidence(similarity=0.8)),
                   ("d", "g"): PairLabel("d", "g", "related", Evidence())}
    per, total = point.label_tally()
    walked_per, walked_total = _walked(point)
    assert per == {sid: dict(c) for sid, c in walked_per.items()} and total == dict(walked_total)
    assert total == {"agree": 3, "diverge": 7, "related": 6}
    assert point.cells() == {"a": "diverge", "b": "diverge", "c": "diverge", "d": "related", "e": "diverge",
                             "f": "diverge", "g": "silent"}
    assert point.contestedness == pytest.approx((7 + 0.5 * 6) / 16)


def test_the_tally_agrees_with_the_walk_on_every_point_of_an_event(teaching_prepared):
    comparison = compare_prepared(teaching_prepared)
    for point in comparison.points:
        per, total = point.label_tally()
        walked_per, walked_total = _walked(point)
        assert per == {sid: dict(c) for sid, c in walked_per.items()}, point.id
        assert total == dict(walked_total), point.id

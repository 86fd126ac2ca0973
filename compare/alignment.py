"""Stage 4: group the passages of all sources into points, in any order.

A point is one claim or topic. Passages are linked across sources by the
cosine similarity of their embeddings and grouped by average linkage: two
groups join when the mean similarity of all their passages reaches
``threshold``. Candidate links come from a blocked nearest-neighbour search
(``block`` rows of the similarity matrix at a time, keeping ``top_k`` per
passage), so memory stays linear in the number of passages.

Contradictions embed further apart than paraphrases ("have not blocked the
road" / "blocked the road"), so a caller may pass ``link_bonus``: extra
similarity for a pair of passages that a check finds in conflict, up to
``max_bonus``. Such a pair then joins the point it contradicts.

Order-freedom: the links are taken strongest first, with ties broken by the
passages' party and text, never by their position in the input. Permuting
the sources, or the passages inside a source, yields the same points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits  # comes with scikit-learn

from compare.records import Passage, Point

TOP_K = 10
#: Rows per block: 256 rows of a 10,000-passage event hold about 40 MB at once (the similarities, their
#: negation and argpartition's int64 indices), against 200 MB for 1,024 rows, at no cost in time.
BLOCK = 256


def align_sources(
    passages: Sequence[Passage],
    vectors: np.ndarray,
    source_order: Sequence[str],
    source_lengths: dict[str, int],
    threshold: float = 0.55,
    *,
    top_k: int = TOP_K,
    block: int = BLOCK,
    link_bonus: Callable[[Passage, Passage], float] | None = None,
    max_bonus: float = 0.0,
) -> list[Point]:
    """Group passages into points; every point lists every source (empty = silent).

    ``vectors`` holds one unit-length row per passage. Points come back in the
    order of their mean relative position in the texts, which depends neither on
    the order of the sources nor on which source is listed first.
    """
    n = len(passages)
    if n == 0:
        return []
    # One BLAS thread: the products here are small or medium (a group's
    # passages against another's, a block of rows at a time), and on a machine
    # whose other core is busy a second thread makes each product wait for it
    # (a 100 x 100 group product took 16 ms with two threads, 0.13 ms with one).
    # Each output element is the same dot product either way.
    with threadpool_limits(limits=1, user_api="blas"):
        return _align(passages, vectors, source_order, source_lengths, threshold, top_k, block, link_bonus, max_bonus)


def _align(
    passages: Sequence[Passage],
    vectors: np.ndarray,
    source_order: Sequence[str],
    source_lengths: dict[str, int],
    threshold: float,
    top_k: int,
    block: int,
    link_bonus: Callable[[Passage, Passage], float] | None,
    max_bonus: float,
) -> list[Point]:
    n = len(passages)
    # Canonical order, from content alone: everything below sees passages in it.
    canon = sorted(range(n), key=lambda i: (passages[i].source_id, passages[i].text, passages[i].start))
    items = [passages[i] for i in canon]
    vecs = np.ascontiguousarray(vectors[canon], dtype=np.float32)
    rank = {sid: r for r, sid in enumerate(source_order)}
    source_of = np.array([rank[p.source_id] for p in items])

    floor = threshold - (max_bonus if link_bonus else 0.0)
    edges = _candidate_links(vecs, source_of, floor, top_k, block)
    bonus: dict[tuple[int, int], float] = {}
    if link_bonus is not None:
        for sim, i, j in edges:
            if sim < threshold:
                bonus[i, j] = min(max_bonus, link_bonus(items[i], items[j]))
        edges = sorted(
            ((sim + bonus.get((i, j), 0.0), i, j) for sim, i, j in edges if sim + bonus.get((i, j), 0.0) >= threshold),
            key=lambda e: (-round(e[0], 6), e[1], e[2]),
        )
    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _, i, j in edges:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        mi, mj = members[ri], members[rj]
        mean = float((vecs[mi] @ vecs[mj].T).mean())
        if mean + bonus.get((i, j), 0.0) < threshold:
            continue
        keep, drop = (ri, rj) if ri < rj else (rj, ri)
        parent[drop] = keep
        members[keep] = sorted(mi + mj)
        del members[drop]

    groups = [members[r] for r in sorted(members)]
    points = [_make_point(items, vecs, g, source_order) for g in groups]
    by_id = {p.id: p for p in items}
    points.sort(key=lambda p: (_position(p, by_id, source_lengths), p.summary))
    for k, point in enumerate(points, start=1):
        point.id = f"p{k}"
    return points


def _candidate_links(
    vecs: np.ndarray, source_of: np.ndarray, threshold: float, top_k: int, block: int
) -> list[tuple[float, int, int]]:
    """Cross-source pairs above ``threshold``, strongest first, ties by canonical index.

    Works through the similarity matrix ``block`` rows at a time and keeps each
    passage's ``top_k`` best partners, so no n-by-n matrix is ever held.
    """
    n = len(vecs)
    k = min(top_k, n - 1)
    if k <= 0:
        return []
    links: set[tuple[float, int, int]] = set()
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        sims = vecs[lo:hi] @ vecs.T
        same = source_of[lo:hi, None] == source_of[None, :]
        sims[same] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n else np.argsort(-sims, axis=1)
        # Only the partners at or above the threshold reach Python (compared
        # in float64, as float(s) >= threshold would compare them).
        best = np.take_along_axis(sims, top, axis=1).astype(np.float64)
        keep = best >= threshold
        rows = np.broadcast_to(np.arange(lo, hi)[:, None], top.shape)[keep].tolist()
        for s, i, j in zip(best[keep].tolist(), rows, top[keep].tolist()):
            # Rounded so that float noise cannot reorder equal links.
            links.add((round(s, 6), i, j) if i < j else (round(s, 6), j, i))
    return sorted(links, key=lambda e: (-e[0], e[1], e[2]))


def _make_point(items: list[Passage], vecs: np.ndarray, group: list[int], order: Sequence[str]) -> Point:
    by_source: dict[str, list[Passage]] = {sid: [] for sid in order}
    for i in group:
        by_source[items[i].source_id].append(items[i])
    centroid = vecs[group].mean(axis=0)
    scores = vecs[group] @ centroid
    best = max(range(len(group)), key=lambda k: (round(float(scores[k]), 6), items[group[k]].text))
    return Point(
        id="",
        summary=summarise(items[group[best]].text),
        passages={
            sid: tuple(p.id for p in sorted(ps, key=lambda p: p.start)) for sid, ps in by_source.items()
        },
    )


def _position(point: Point, by_id: dict[str, Passage], lengths: dict[str, int]) -> float:
    ids = [pid for ps in point.passages.values() for pid in ps]
    return sum(by_id[pid].start / max(lengths[by_id[pid].source_id], 1) for pid in ids) / len(ids)


def summarise(text: str, limit: int = 110) -> str:
    """A short name for a point: its most central passage, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "\u2026"

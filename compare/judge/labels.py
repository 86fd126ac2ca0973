"""Label every point for every pair of sources, with the evidence.

The decision sits behind one small interface, :class:`Judge`: it gets the
signals for one pair of sources on one point (:class:`PairSignals`) and returns
a :class:`Judgement`. The default, :class:`RuleJudge`, is a transparent rule
set over the similarity and the discrepancy checks:

1. A polarity clash, a different date or count, or the same names in swapped
   roles between passages that are about the same thing (similarity >=
   ``evidence_threshold``) makes the pair ``diverge``.
2. A different name for the same referent makes it ``diverge`` only when the
   passages otherwise say the same (similarity >= ``agree_threshold``): a
   naming choice on a shared claim is a difference of framing.
3. Otherwise the pair ``agree``s when its best-matching passages reach
   ``agree_threshold``, and is ``related`` below it.

A pair in which one source has no passage on the point is ``silent``; that is
decided before any judge is asked.

The engine's default judge is the trained one
(:class:`compare.judge.trained.TrainedJudge`) when its shipped model is there;
it reads the rest of :class:`PairSignals` too (every passage of each side on the
point, each side's whole document) and returns class probabilities, which the
evidence keeps. When its most likely class is ``unrelated`` it labels the pair
``silent``: alignment grouped the passages, but neither speaks to the other's claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Protocol, runtime_checkable

import numpy as np

from compare import checks
from compare.records import Discrepancy, Evidence, Label, PairLabel, Passage, Point


@dataclass(frozen=True)
class PairSignals:
    """What a judge sees for one pair of sources on one point."""

    left: Passage
    right: Passage
    similarity: float
    left_vector: np.ndarray
    right_vector: np.ndarray
    discrepancies: tuple[Discrepancy, ...]
    checks_ran: bool
    # For judges that read more than the best pair (all optional, so that a
    # caller with two passages only can still build signals):
    #: every passage of each side on this point, in text order
    left_passages: tuple[Passage, ...] = ()
    right_passages: tuple[Passage, ...] = ()
    #: every passage of each side's source (its whole document), and their vectors
    left_context: tuple[Passage, ...] = ()
    right_context: tuple[Passage, ...] = ()
    left_context_vectors: np.ndarray | None = None
    right_context_vectors: np.ndarray | None = None
    #: the checks' facts by passage id, shared across pairs (a judge may add to it)
    facts: dict[str, checks.PassageFacts] | None = None


@dataclass(frozen=True)
class Judgement:
    label: Label
    agreement: float
    contradiction: float
    rationale: str
    #: a learned judge's class probabilities (agree / diverge / related / unrelated)
    probabilities: dict[str, float] | None = None
    #: how the label was reached: "model" (the judge's own reading), "guard" (a check overruled
    #: it), "dispute" (a claim the stance model reads as disputed), or "rules"
    decided_by: str = "model"
    #: the passages with a refuting word that the stance model read beyond the nearest ones
    refuting: tuple[str, ...] = ()


@runtime_checkable
class Judge(Protocol):
    """Anything that turns :class:`PairSignals` into a :class:`Judgement`."""

    name: str

    def judge(self, signals: PairSignals) -> Judgement: ...


#: A cache for :func:`label_points` that outlives one call (see there).
LabelMemo = dict


def label_points(
    points: list[Point],
    passages: dict[str, Passage],
    vectors: dict[str, np.ndarray],
    judge: Judge,
    facts: dict[str, checks.PassageFacts] | None = None,
    memo: LabelMemo | None = None,
) -> None:
    """Fill ``point.pairs`` for every pair of sources that both speak on a point.

    Each source's cell may hold several passages: the similarity is that of the
    best-matching pair, and the checks compare every passage of one side with
    every passage of the other.

    A judge with a ``judge_many`` method gets all pairs in one call (a trained
    model predicts a batch far faster than one row at a time).

    ``memo`` (a dict kept by the caller for one prepared event) remembers the
    signals of each pair of cells, and the verdicts of a judge that has a
    ``cache_key``: when a threshold change re-aligns the event, the points that
    come out the same are not checked or judged again.
    """
    facts = facts if facts is not None else {}
    signal_memo: dict = memo.setdefault("signals", {}) if memo is not None else {}
    judge_key = getattr(judge, "cache_key", None)
    verdict_memo: dict = (memo.setdefault("verdicts", {}).setdefault(judge_key, {})
                          if memo is not None and judge_key is not None else {})
    if memo is not None and judge_key is not None:
        memo.setdefault("judges", {})[judge_key] = judge  # keeps whatever its key refers to alive
    if memo is not None and len(signal_memo) > MEMO_LIMIT:
        signal_memo.clear()
        verdict_memo.clear()
    documents: dict[str, list[Passage]] = {}
    for p in passages.values():
        documents.setdefault(p.source_id, []).append(p)
    context: dict[str, tuple[tuple[Passage, ...], np.ndarray]] = {}
    #: each passage's row in its document's matrix
    row_of: dict[str, int] = {}

    def document(source_id: str) -> tuple[tuple[Passage, ...], np.ndarray]:
        if source_id not in context:
            ps = tuple(sorted(documents[source_id], key=lambda p: p.index))
            context[source_id] = (ps, np.stack([vectors[p.id] for p in ps]))
            row_of.update((p.id, i) for i, p in enumerate(ps))
        return context[source_id]

    def signals_for(a: str, b: str, left: list[Passage], right: list[Passage]) -> tuple[PairSignals, tuple[str, ...]]:
        # Rows picked out of each document's matrix: the same vectors as stacking them, at a fraction of the cost.
        left_doc, right_doc = document(a), document(b)
        sims = left_doc[1][[row_of[p.id] for p in left]] @ right_doc[1][[row_of[p.id] for p in right]].T
        li, ri = np.unravel_index(int(np.argmax(sims)), sims.shape)
        best_l, best_r = left[li], right[ri]
        found: list[Discrepancy] = []
        notes: list[str] = []
        ran = True
        for x in left:
            fx = checks.analysed(x, facts)
            for y in right:
                fy = checks.analysed(y, facts)
                ran = ran and fx.supported and fy.supported
                found.extend(checks.find_discrepancies(x, fx, y, fy))
                notes.extend(checks.skipped_notes(fx, fy))
        signals = PairSignals(
            left=best_l,
            right=best_r,
            similarity=float(sims[li, ri]),
            left_vector=vectors[best_l.id],
            right_vector=vectors[best_r.id],
            discrepancies=tuple(found),
            checks_ran=ran,
            left_passages=tuple(left),
            right_passages=tuple(right),
            left_context=left_doc[0],
            right_context=right_doc[0],
            left_context_vectors=left_doc[1],
            right_context_vectors=right_doc[1],
            facts=facts,
        )
        return signals, tuple(dict.fromkeys(notes))

    pending: list[tuple[Point, str, str, tuple, PairSignals, tuple[str, ...]]] = []
    for point in points:
        point.pairs = {}
        for a, b in combinations(point.speakers, 2):
            key = (point.passages[a], point.passages[b])
            hit = signal_memo.get(key)
            if hit is None:
                left = [passages[i] for i in point.passages[a]]
                right = [passages[i] for i in point.passages[b]]
                hit = signals_for(a, b, left, right)
                if memo is not None:
                    signal_memo[key] = hit
            pending.append((point, a, b, key, *hit))

    # Verdicts are read once here (another session of the app may share the memo).
    verdicts = {item[3]: verdict_memo.get(item[3]) for item in pending}
    todo = [item for item in pending if verdicts[item[3]] is None]
    many = getattr(judge, "judge_many", None)
    fresh = many([item[4] for item in todo]) if many is not None else [judge.judge(item[4]) for item in todo]
    for item, verdict in zip(todo, fresh):
        verdicts[item[3]] = verdict
        if judge_key is not None and memo is not None:
            verdict_memo[item[3]] = verdict

    for point, a, b, key, signals, skipped in pending:
        verdict = verdicts[key]
        point.pairs[(a, b)] = PairLabel(
            a=a,
            b=b,
            label=verdict.label,
            evidence=Evidence(
                similarity=round(signals.similarity, 4),
                best_pair=(signals.left.id, signals.right.id),
                agreement=round(verdict.agreement, 4),
                contradiction=round(verdict.contradiction, 4),
                discrepancies=signals.discrepancies,
                rationale=verdict.rationale,
                judge=judge.name,
                checks_skipped=skipped,
                probabilities=verdict.probabilities,
            ),
        )


#: At most this many pairs of cells are remembered per prepared event.
MEMO_LIMIT = 200_000

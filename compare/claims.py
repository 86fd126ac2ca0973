"""Stage 5, claims: every point becomes a claim, with each source's position on it and the pair labels that follow.

Alignment groups passages that say alike things; this stage asks, for every
point, *who addresses its claim and how*:

1. **The claim** is the point's most central passage (the one nearest the
   mean of its passages' vectors; ties by text), so its wording comes from the
   sources and never from the order in which they were listed.
2. **Each source is read against the claim.** A source with passages on the
   point has them read, by the judge, against the claim's source's passages
   there. A source without any has its passage nearest the point (to any
   passage on it: the point holds the claim in several sources' words) read the
   same way, if that passage reaches :attr:`Thresholds.read` (the silence check): a
   denial in other words, which alignment left elsewhere, is placed on the
   point. A source is ``silent`` only when nothing it says addresses the
   claim; its position then names the nearest passage and why it does not count.
   Between two accounts, a passage found this way that the judge reads only as
   ``related`` (on the subject, taking no side) and that passes nothing on is
   not placed: within one event that reading fits nearly any passage.
3. **The reading becomes a stance**: agree -> ``affirms``; related ->
   ``reports``; diverge -> ``denies``, unless every discrepancy behind it is a
   value (a count, a date, a name), in which case the source ``affirms`` the
   claim with another value. A denial that the stance model's dispute odds read from
   refuting passages counts only when one of them shares a content word with the claim
   (a "false" about something else denies something else); otherwise the judge's
   likeliest reading stands. A passage that passes the claim on rather than
   saying it ("there are reports of", "reportedly", "the company says": the
   attribution rule of :mod:`compare.checks`) ``reports`` it, whichever way
   it was read; so does the claim's own source when its passage does. The rule
   reads accounts of several passages: a one-line source (a headline) is the
   claim it makes, its "officials say" included, as FNC-1 reads it. The checks guard, which lets a surface check
   overrule the judge, counts only between near-paraphrases (similarity >=
   :data:`GUARD_READING`); below that the judge's own reading decides and the
   check is shown beside it.
4. **Pair labels follow from stances**: the same stance -> ``agree`` (two
   sources that both deny a claim agree with each other), unless both give a
   value for the same thing and the values differ -> ``diverge``; opposite
   stances -> ``diverge``; a report on either side -> ``related``; a silent
   side -> ``silent``. The checks run on the pairs of sources that take a side
   (a report's pairs are ``related`` whatever they say). Only the pairs whose
   label or evidence says more than the two stances (a value that differs, a
   check's note) are kept in
   ``point.pairs``; :meth:`Point.pair <compare.records.Point.pair>` makes the others when asked.

A value counts as given "for the same thing" only when the two passages are
near-paraphrases or the claim itself gives a value of that sort (a calendar date,
a clock time, a weekday, a count of the same unit: see :func:`_other_thing`) ("the blockade
began on 12 December": a source that affirms it with 3 December gives another
date for the same beginning); "the Council met on 20 December" / "protests since
12 December" are two events, not two dates of one, and the evidence says so. Nor
does a value count that only one of the two passages gives for another occurrence
of the event ("The first time was on 3 December": an earlier closure), nor the date
of a statement a passage tells of ("On 13 December, the Department of State said
..."), unless the claim is about a statement itself.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from compare import checks
from compare.alignment import BLOCK, summarise
from compare.judge import Judge, Judgement, PairSignals
from compare.judge.features import content_stems
from compare.judge.labels import LabelMemo
from compare.records import (Discrepancy, Evidence, PairLabel, Passage, Point, Position, Stance, Thresholds, stance_label,
                             silence_reason, stance_rationale, values_rationale)

#: Discrepancy kinds that are values: another count, date or name for the same thing.
VALUE_KINDS = frozenset({"quantity", "date", "naming"})
#: Discrepancy kinds that say the opposite: a negation, or the same names in swapped roles.
CLASH_KINDS = frozenset({"polarity", "role"})
#: From this similarity a check may overrule the judge's reading (the sentence-pair guard's floor).
GUARD_READING = 0.75
#: Above this many readings at once, the judge reads without its stance model (see _Reader.settle).
STANCE_BUDGET = 3000
#: At most this many readings are remembered per prepared event.
READINGS_LIMIT = 200_000
STANCE_OF_LABEL: dict[str, Stance] = {"agree": "affirms", "related": "reports", "diverge": "denies", "silent": "silent"}


def state_claims(
    points: list[Point],
    passages: dict[str, Passage],
    vectors: dict[str, np.ndarray],
    order: Sequence[str],
    judge: Judge,
    thresholds: Thresholds,
    facts: dict[str, checks.PassageFacts] | None = None,
    memo: LabelMemo | None = None,
) -> list[str]:
    """Give every point its claim, every source's :class:`Position` on it, and the pair labels.

    ``point.passages`` ends up holding, for each source, the passages behind
    its position (placed ones included; empty when silent), and
    ``point.pairs`` the labels of the pairs in which both sources speak.
    Returns the notices a reader must know about how the claims were read (empty, or one
    saying that a large event's claims were read without the judge's stance model).
    """
    facts = facts if facts is not None else {}
    documents: dict[str, list[Passage]] = {}
    for p in passages.values():
        documents.setdefault(p.source_id, []).append(p)
    reader = _Reader(
        passages, vectors, order, judge, thresholds, facts,
        {sid: tuple(sorted(ps, key=lambda p: p.index)) for sid, ps in documents.items()}, memo,
    )
    reader.settle(points)
    # A passage that its own point's claim does not take (read as not addressing it) becomes a
    # claim of its own, as alignment would have made it alone: nothing a source says is dropped.
    kept = {i for point in points for ps in point.passages.values() for i in ps}
    orphans = [p for sid in order for p in reader.documents.get(sid, ()) if p.id not in kept]
    if orphans:
        alone = [Point("", "", {sid: (p.id,) if sid == p.source_id else () for sid in order}) for p in orphans]
        reader.settle(alone)
        points.extend(alone)
        for k, point in enumerate(points, start=1):
            point.id = f"p{k}"
    return reader.notices()


class _Reader:
    """Reads sources against claims for one comparison, remembering readings across calls."""

    def __init__(self, passages: dict[str, Passage], vectors: dict[str, np.ndarray], order: Sequence[str],
                 judge: Judge, thresholds: Thresholds, facts: dict[str, checks.PassageFacts],
                 documents: dict[str, tuple[Passage, ...]], memo: LabelMemo | None) -> None:
        self.passages, self.vectors, self.order, self.judge = passages, vectors, order, judge
        self.thresholds, self.facts, self.documents = thresholds, facts, documents
        self.doc_vectors = {sid: np.stack([vectors[p.id] for p in ps]) for sid, ps in documents.items()}
        self.memo = memo
        #: when the stance model was left out: the judge that read instead, and the most readings one call to
        #: :meth:`settle` asked of it
        self.without_stance: tuple[str, int] | None = None
        # Every source's passages in one matrix, a block of rows per source, so that the silence
        # check's search is one product per point instead of one per source and point.
        sizes = [len(ps) for ps in documents.values()]
        self.stacked = np.concatenate(list(self.doc_vectors.values())) if documents else np.zeros((0, 0))
        self.block = {sid: k for k, sid in enumerate(documents)}
        self.starts = np.cumsum([0, *sizes[:-1]])
        self.sizes = np.array(sizes)

    def nearest(self, points: list[list[str]]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each point (given as its passage ids), every source's passage nearest to any of them.

        Each point's answer is three arrays, a value per source in ``self.block``
        order: the passage's index in its document, the index of the point's
        passage it is nearest to, and their similarity. Ties go to the earliest
        passage, then the earliest point passage. Similarities are compared to six
        decimals, as :func:`_central` compares them: a passage a source repeats
        word for word (a boilerplate line) must tie with itself, and the matrix
        product's rounding differs in the last bit from row to row.

        The points' passages are taken together, :data:`~compare.alignment.BLOCK`
        columns at a time: a product per point would read every source's
        passages once per point.
        """
        out = []
        k = 0
        while k < len(points):
            group, width = [points[k]], len(points[k])
            k += 1
            while k < len(points) and width + len(points[k]) <= BLOCK:
                group.append(points[k])
                width += len(points[k])
                k += 1
            sims = self.stacked @ np.stack([self.vectors[i] for ids in group for i in ids]).T
            lo = 0
            for ids in group:
                out.append(self._nearest(sims[:, lo: lo + len(ids)]))
                lo += len(ids)
        return out

    def _nearest(self, sims: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        row_best = sims.max(axis=1)
        tied = np.round(row_best, 6)
        hits = np.flatnonzero(tied == np.repeat(np.maximum.reduceat(tied, self.starts), self.sizes))
        rows = hits[np.searchsorted(hits, self.starts)]  # each source's first passage that reaches its best
        return rows - self.starts, np.round(sims[rows], 6).argmax(axis=1), row_best[rows]

    def notices(self) -> list[str]:
        """What a reader must know about how these claims were read: empty, unless the stance model was left out."""
        if self.without_stance is None:
            return []
        name, readings = self.without_stance
        return [f"the claims were read without the judge's stance model, as {name}: {readings:,} readings are "
                f"more than the {STANCE_BUDGET:,} it reads in reasonable time (about 40 a second on two cores)"]

    def _known(self, judge: Judge) -> dict:
        """The readings this judge already made for this prepared event (a threshold change in the
        app re-aligns, and most claims come out the same)."""
        judge_key = getattr(judge, "cache_key", None)
        if self.memo is None or judge_key is None:
            return {}
        self.memo.setdefault("judges", {})[judge_key] = judge  # keeps whatever its key refers to alive
        known = self.memo.setdefault("readings", {}).setdefault(judge_key, {})
        if len(known) > READINGS_LIMIT:
            known.clear()
        return known

    def settle(self, points: list[Point]) -> None:
        """Claim, positions and pair labels of ``points`` (their ids must be unique among themselves)."""
        passages, vectors, documents = self.passages, self.vectors, self.documents
        wanted: dict[tuple, tuple] = {}  # reading key -> what to read (claim, its side, source, passages, placed)
        asked: dict[tuple[int, str], tuple] = {}  # (point index, source) -> reading key
        nearest_of: dict[tuple[int, str], tuple[str, float, str]] = {}  # its nearest passage, similarity, to which
        members_of = [[i for ps in point.passages.values() for i in ps] for point in points]
        unheard = [k for k, point in enumerate(points)
                   if any(sid in documents and not point.passages.get(sid) for sid in self.order)]
        nearest = dict(zip(unheard, self.nearest([members_of[k] for k in unheard])))
        for k, point in enumerate(points):
            claim = _central(point, passages, vectors)
            point.claim = claim.id
            point.summary = summarise(claim.text)
            claim_side = tuple(passages[i] for i in point.passages[claim.source_id])
            # The silence check looks for a source's passage near any passage on the point, not
            # only near the claim: the point already holds the claim in several sources' words
            # ("the Lachin corridor" / "the Goris-Stepanakert highway"), and a source may echo any of them.
            members = members_of[k]
            for sid in self.order:
                if sid == claim.source_id or sid not in documents:
                    continue
                own = tuple(passages[i] for i in point.passages.get(sid, ()))
                if not own:
                    rows, near, best = nearest[k]
                    at = self.block[sid]
                    passage, sim = documents[sid][rows[at]], float(best[at])
                    nearest_of[(k, sid)] = (passage.id, sim, members[near[at]])
                    if sim < self.thresholds.read:
                        continue
                    own = (passage,)
                key = (claim.id, tuple(p.id for p in claim_side), tuple(p.id for p in own))
                wanted.setdefault(key, (claim, claim_side, sid, own, not point.passages.get(sid)))
                asked[(k, sid)] = key
        judge = self.judge
        if (len(wanted) > STANCE_BUDGET or self.without_stance is not None) and hasattr(judge, "without_stance"):
            # The stance model reads about 40 claims a second on two cores: past the budget (a large
            # event: hundreds of sources), claims are read by the judge alone, and a notice says so.
            # Once an event's claims are read so, so are the claims read after them (the passages
            # no claim took): one event, one reader, and no stance model loaded for a few readings.
            judge = judge.without_stance()
            if judge is not self.judge:
                most = max(len(wanted), self.without_stance[1] if self.without_stance else 0)
                self.without_stance = (judge.name, most)
        known = self._known(judge)
        todo = [key for key in wanted if key not in known]
        signals = [_reading(*wanted[key][:4], documents, self.doc_vectors, vectors, self.facts, wanted[key][4])
                   for key in todo]
        many = getattr(judge, "judge_many", None)
        verdicts = many(signals) if many is not None else [judge.judge(x) for x in signals]
        known.update(zip(todo, zip(signals, verdicts)))

        # The attribution rule reads accounts of several passages; a headline is the claim it makes.
        among_accounts = sum(len(ps) > 1 for ps in documents.values()) > 1
        for k, point in enumerate(points):
            claim = passages[point.claim]  # type: ignore[index]
            positions: dict[str, Position] = {}
            for sid in self.order:
                if sid == claim.source_id:
                    positions[sid] = _claim_position(claim, among_accounts and len(documents[sid]) > 1)
                    continue
                key = asked.get((k, sid))
                if key is None:
                    nearest, sim, to = nearest_of.get((k, sid), (None, None, None))
                    # The reason words the similarity unrounded: rounded to four places first, 0.54496
                    # would read "0.55 is below 0.55". A report then writes that reason in full.
                    why = silence_reason(nearest, sim, to, self.thresholds.read)
                    positions[sid] = Position("silent", None, _round(sim), why, nearest, nearest_to=to)
                    point.passages[sid] = ()
                    continue
                placed = not point.passages.get(sid)
                accounts = len(documents[sid]) > 1 and len(documents[claim.source_id]) > 1
                position = positions[sid] = _position(*known[key], sid, placed, accounts)
                if position.stance == "silent":
                    point.passages[sid] = ()
                elif placed:
                    point.passages[sid] = (position.passage,)  # type: ignore[assignment]
                elif position.passage not in point.passages[sid]:  # a refuting passage the stance model read
                    point.passages[sid] = tuple(sorted((*point.passages[sid], position.passage),  # type: ignore[arg-type]
                                                       key=lambda i: passages[i].start))
            point.positions = positions
            point.judge = self.judge.name
            point.pairs = _pairs_from_positions(point, claim, passages, vectors, self.facts, self.judge.name,
                                                self.order)


def _claim_position(claim: Passage, account: bool) -> Position:
    """The stance of the source whose passage words the claim: it states it, unless it passes it
    on ("the company says ...") and is an account among others (see :func:`_position`)."""
    cue = checks.attribution(claim) if account else None
    if cue is None:
        return Position("affirms", claim.id, 1.0, "states the claim in these words")
    return Position("reports", claim.id, 1.0, f"words the claim, but passes it on (\"{cue.text}\") rather than "
                                              "saying it itself")


def _central(point: Point, passages: dict[str, Passage], vectors: dict[str, np.ndarray]) -> Passage:
    """The point's most central passage (as alignment names the point), ties broken by text, then id."""
    members = [passages[i] for ps in point.passages.values() for i in ps]
    matrix = np.stack([vectors[p.id] for p in members])
    scores = matrix @ matrix.mean(axis=0)
    best = max(range(len(members)), key=lambda k: (round(float(scores[k]), 6), members[k].text, members[k].id))
    return members[best]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _reading(
    claim: Passage,
    claim_side: tuple[Passage, ...],
    sid: str,
    own: tuple[Passage, ...],
    documents: dict[str, tuple[Passage, ...]],
    doc_vectors: dict[str, np.ndarray],
    vectors: dict[str, np.ndarray],
    facts: dict[str, checks.PassageFacts],
    placed: bool,
) -> PairSignals:
    """The judge's question for one source: does it address this claim, and how?

    Asked as a one-passage claim against a document (the FNC-1 shape, which the
    judge and its stance model read best): the claim against the source's whole
    text, its passages on the point in front. When the source is itself a single
    passage (a headline, a one-line statement), that passage is the claim read
    against the claim source's document instead, so a headline is always read
    against the article, whichever passage words the point; on the article's
    other claims (``placed``) it is read against the claim alone, as two sentences.
    """
    if len(documents[sid]) == 1 and len(documents[claim.source_id]) > 1:
        if placed:
            # Whether a headline speaks to one of the article's other claims is a question about
            # two sentences: read against the whole article it would say the same for every claim.
            return _sentence_reading(own[0], claim, vectors, facts)
        one, other, front = own[0], claim.source_id, claim_side
    else:
        one, other, front = claim, sid, own
    # One passage in front (nearly always): its row as a one-row matrix, the array np.stack would copy.
    front_vectors = vectors[front[0].id][None, :] if len(front) == 1 else np.stack([vectors[p.id] for p in front])
    sims = front_vectors @ vectors[one.id]
    best = front[int(np.argmax(sims))]
    found: list[Discrepancy] = []
    ran = True
    f_one = checks.analysed(one, facts)
    for p in front:
        fp = checks.analysed(p, facts)
        ran = ran and f_one.supported and fp.supported
        found.extend(checks.find_discrepancies(one, f_one, p, fp))
    return PairSignals(
        left=one, right=best, similarity=float(np.max(sims)), left_vector=vectors[one.id],
        right_vector=vectors[best.id], discrepancies=tuple(found), checks_ran=ran, left_passages=(one,),
        right_passages=front, left_context=(one,), right_context=documents[other],
        left_context_vectors=vectors[one.id][None, :], right_context_vectors=doc_vectors[other], facts=facts,
    )


def _sentence_reading(one: Passage, claim: Passage, vectors: dict[str, np.ndarray],
                      facts: dict[str, checks.PassageFacts]) -> PairSignals:
    """Two passages read as two sentences (the SICK and MRPC shape)."""
    return PairSignals(
        left=one, right=claim, similarity=float(vectors[one.id] @ vectors[claim.id]), left_vector=vectors[one.id],
        right_vector=vectors[claim.id], discrepancies=tuple(_discrepancies(one, claim, facts)),
        checks_ran=checks.analysed(one, facts).supported and checks.analysed(claim, facts).supported,
        left_passages=(one,), right_passages=(claim,), left_context=(one,), right_context=(claim,),
        left_context_vectors=vectors[one.id][None, :], right_context_vectors=vectors[claim.id][None, :], facts=facts,
    )


def _position(signals: PairSignals, verdict: Judgement, sid: str, placed: bool, accounts: bool) -> Position:
    """A source's stance from the judge's reading of its passages against the claim.

    ``accounts``: both sources are accounts of several passages. There a negation or
    swapped roles between near-paraphrases says the opposite whatever the judge read,
    and a passage that passes the claim on reports it; a one-line claim against an
    article is left to the judge, as on FNC-1 (an article often reports a denial beside
    what it denies, and a headline's "officials say" is part of what it claims).
    """
    mine = signals.left if signals.left.source_id == sid else signals.right
    probs = verdict.probabilities or {}
    label = verdict.label
    note = ""
    guard_kinds = {d.kind for d in signals.discrepancies}
    if label == "diverge" and verdict.decided_by == "guard":
        if signals.similarity < GUARD_READING:
            # A surface check between passages that are not near-paraphrases: the judge's reading stands.
            model = max(probs, key=probs.get) if probs else "related"
            label = {"agree": "agree", "unrelated": "silent", "diverge": "diverge"}.get(model, "related")
            note = (f"; the {', '.join(sorted(guard_kinds))} check found a difference, but between passages of "
                    f"similarity {signals.similarity:.2f} (below {GUARD_READING}) it does not overrule the judge")
        elif guard_kinds <= VALUE_KINDS:
            label = "agree"
            note = ("; the judge reads it as the same claim and the checks find another value (a count, a date "
                    "or a name) for it, so it affirms the claim with that value")
    if label == "diverge" and verdict.decided_by == "dispute" and verdict.refuting:
        claim = signals.right if mine is signals.left else signals.left
        unrelated = _refuting_off_the_claim(signals, verdict, claim)
        if unrelated:
            # The odds read a denial into a "false" or "fake" about something else
            # ("Azerbaijan did so for 'false and fictitious reasons'" against "This is the only highway").
            model = max((k for k in probs if k != "diverge"), key=probs.get) if probs else "related"
            label = {"agree": "agree", "unrelated": "silent"}.get(model, "related")
            note += (f"; the dispute odds pointed to a denial, but no refuting passage the stance model read "
                     f"({', '.join(unrelated)}) shares a word with the claim, so the likeliest reading stands")
    clash = sorted({d.kind for d in signals.discrepancies if d.kind in CLASH_KINDS})
    if accounts and clash and label != "diverge" and signals.similarity >= GUARD_READING:
        label = "diverge"
        note += (f"; the {', '.join(clash)} check overrules the judge: between near-paraphrases (similarity "
                 f"{signals.similarity:.2f} >= {GUARD_READING}) a negation or swapped roles say the opposite")
    stance = STANCE_OF_LABEL[label]
    similarity = round(signals.similarity, 4)
    silence = "its passage nearest the claim does not address it"
    if accounts and placed and label == "related" and checks.attribution(mine) is None:
        # Within one event every passage shares the subject, so "related" is what the judge reads
        # of nearly any passage it is given: from a passage that alignment did not put on the point,
        # and that neither passes anything on nor takes a side, it is no sign the claim is addressed.
        stance = "silent"
        silence = ("its passage nearest the claim is on the same subject but neither states, denies nor passes on "
                   "the claim")
    if stance == "silent":
        return Position("silent", None, similarity, f"{silence}: {verdict.rationale}{note}", mine.id)
    if stance == "denies":
        # The passage that says the opposite, where the reading points to one: a negation or
        # swapped roles the checks found, else a refuting passage the stance model read.
        clashing = [pid for d in signals.discrepancies if d.kind in CLASH_KINDS
                    for pid in (d.left_passage, d.right_passage) if pid.rsplit(":", 1)[0] == sid]
        chosen = clashing[0] if clashing else (verdict.refuting[0] if verdict.decided_by == "dispute"
                                                and verdict.refuting else None)
        found = next((p for p in (*signals.left_passages, *signals.right_passages, *signals.right_context)
                      if p.id == chosen), None)
        if found is not None and found.id != mine.id:
            mine = found
            note += f"; the passage shown is the one that says the opposite ({mine.id})"
    cue = checks.attribution(mine) if accounts and stance in ("affirms", "denies") else None
    if cue is not None:
        note += (f"; read as {'stating' if stance == 'affirms' else 'denying'} it, but it passes this on "
                 f"(\"{cue.text}\") rather than saying it itself")
        stance = "reports"
    lead = {"affirms": "states the claim", "denies": "says the claim is false",
            "reports": "speaks to the claim without taking a side"}[stance]
    # Whether the silence check placed the passage here is the position's ``placed``, which every view
    # shows beside the reason: said in each reason as well, it was a tenth of a large report.
    return Position(stance, mine.id, similarity, f"{lead}: {verdict.rationale}{note}", placed=placed)


def _refuting_off_the_claim(signals: PairSignals, verdict: Judgement, claim: Passage) -> list[str]:
    """The refuting passages behind a dispute reading, when none of them shares a content word with
    the claim (empty when one does): a refuting word there says something else is false.

    A blanket denial still counts where it names what it denies ("rejected all the claims ... regarding
    the alleged closure of the Lachin road" against "the blocking of the Lachin corridor").
    """
    facts = signals.facts if signals.facts is not None else {}
    words = content_stems(claim, facts)
    by_id = {p.id: p for p in (*signals.left_context, *signals.right_context)}
    read = [by_id[pid] for pid in verdict.refuting if pid in by_id]
    if not read or any(words & content_stems(p, facts) for p in read):
        return []
    return [p.id for p in read]


def _pairs_from_positions(
    point: Point,
    claim: Passage,
    passages: dict[str, Passage],
    vectors: dict[str, np.ndarray],
    facts: dict[str, checks.PassageFacts],
    judge_name: str,
    order: Sequence[str],
) -> dict[tuple[str, str], PairLabel]:
    """The labels of the pairs of speaking sources that say more than their two stances.

    A pair with a report on one side is ``related`` whatever its passages say,
    and the checks are not run on it: a value or a negation that differs between
    a report and a stance could neither change its label nor question it (the
    report already takes no side). Every other pair is checked; one whose label
    is the stances' own and whose checks find nothing (nor skip anything) is left
    out, for :meth:`Point.pair <compare.records.Point.pair>` to make.
    """
    speaking = [sid for sid in order if point.positions[sid].stance != "silent"]
    mine = {sid: passages[point.positions[sid].passage] for sid in speaking}  # type: ignore[index]
    analysed = {sid: (p, checks.analysed(p, facts)) for sid, p in mine.items()}
    # Two fully checked passages leave no note that a check did not run, so a report's pair between
    # two of them has nothing to say: it is not even visited, which matters when most of 100
    # sources report a claim (1.4 million pairs on the 100 x 100 event).
    quiet = [checks.fully_checked(analysed[sid][1]) for sid in speaking]
    reports = [point.positions[sid].stance == "reports" for sid in speaking]
    besides_a_report = [j for j, q in enumerate(quiet) if not q]
    besides_a_stance = [j for j, (q, r) in enumerate(zip(quiet, reports)) if not (q and r)]
    out: dict[tuple[str, str], PairLabel] = {}
    for i, a in enumerate(speaking):
        x, fx = analysed[a]
        pa = point.positions[a]
        if not quiet[i]:
            later = speaking[i + 1:]
        else:
            pool = besides_a_report if reports[i] else besides_a_stance
            later = [speaking[j] for j in pool[bisect.bisect_right(pool, i):]]
        for b in later:
            y, fy = analysed[b]
            pb = point.positions[b]
            label = stance_label(pa.stance, pb.stance)
            found = checks.find_discrepancies(x, fx, y, fy) if label != "related" else []
            skipped = checks.skipped_notes(fx, fy)
            if not found and not skipped:
                continue  # the stances' own label, with nothing more to show
            similarity = float(vectors[x.id] @ vectors[y.id])
            other = {d: _other_thing(d, x, fx, y, fy, claim, similarity, facts)
                     for d in found if d.kind in VALUE_KINDS}
            values = [d for d, why_not in other.items() if why_not is None]
            # The stances decide, unless two sources that take the same side give different values
            # for the same thing; a report's pairs.all_pairs rebuilds the pairs worded so.
            why = stance_rationale(a, pa.stance, b, pb.stance)
            if label == "agree" and values:
                label = "diverge"
                why = values_rationale(a, pa.stance, b, pb.stance)
            shown = values if label == "diverge" and values else [d for d in found if label == "diverge"]
            unused = [d for d in found if d not in shown]
            if unused:
                why += "; not counted: " + "; ".join(_not_counted(d, other.get(d)) for d in unused)
            out[(a, b)] = PairLabel(a, b, label, Evidence(  # type: ignore[arg-type]
                similarity=round(similarity, 4),
                best_pair=(x.id, y.id),
                discrepancies=tuple(shown),
                rationale=why,
                judge=judge_name,
                checks_skipped=skipped,
            ))
    return out


def _not_counted(d: Discrepancy, why_not: str | None) -> str:
    """Why a discrepancy shown beside a pair's label did not make it: a value of something other than
    the claim's own (``why_not``, from :func:`_other_thing`), or a check the stances overrule."""
    if why_not is not None:
        return f"{d.description} (not a value of the claim: {why_not})"
    return f"{d.description} (the stances decide; the check is shown as evidence)"


def _discrepancies(x: Passage, y: Passage, facts: dict[str, checks.PassageFacts]) -> list[Discrepancy]:
    return list(checks.find_discrepancies(x, checks.analysed(x, facts), y, checks.analysed(y, facts)))


def _value_sort(d: Discrepancy, left: Passage, left_facts: checks.PassageFacts) -> tuple[str, str]:
    """What sort of value a date or count discrepancy is about, from the check's own span on the
    left side: ("date" | "time" | "weekday", "") or ("count", its unit)."""
    at = d.left_start - left.start
    if d.kind == "date":
        if any(s.start == at for s in left_facts.times):
            return "time", ""
        return ("weekday" if any(s.start == at for s in left_facts.weekdays) else "date"), ""
    return "count", next((q.unit for q in left_facts.quantities if q.start == at), "")


def _other_thing(d: Discrepancy, left: Passage, left_facts: checks.PassageFacts, right: Passage,
                 right_facts: checks.PassageFacts, claim: Passage, similarity: float,
                 facts: dict[str, checks.PassageFacts]) -> str | None:
    """Why two different values are not both given for the claim's own value, or ``None`` when they are.

    A name always is: two names on one claim name the same thing. A date or a
    count is not when one passage only speaks of another occurrence of the
    event ("The first time was on 3 December" against "the obstruction began on
    12 December": :func:`compare.checks.another_occurrence`). A date is not
    when it dates a statement ("On 13 December, the Department of State said
    ...": :func:`compare.checks.statement_date`) and the claim tells of no
    statement itself (as "We warned management on 14 April" does). Otherwise it is
    when the two passages are near-paraphrases, or when the claim itself gives
    a value of that sort ("began on 3 March": every date given by a source that
    affirms it is the date of that beginning). The sort is the check's own
    (:func:`_value_sort`): a calendar date, a clock time or a weekday (a date
    dates a weekday too), and a count of the same unit. "The fire broke out on 9
    June" gives no time, so "called at 21:47" / "declared a major incident at
    22:20" are times of two other moments.
    """
    if d.kind == "naming":
        return None
    elsewhere = [(p, cue) for p, f in ((left, left_facts), (right, right_facts))
                 if (cue := _another_occurrence(p, f)) is not None]
    if len(elsewhere) == 1:
        passage, cue = elsewhere[0]
        return f"{passage.id} speaks of another occurrence ({cue.text!r})"
    if d.kind == "date" and not checks.speaks_of_a_statement(claim):
        for passage, passage_facts, at in ((left, left_facts, d.left_start), (right, right_facts, d.right_start)):
            cue = _statement_date(passage, passage_facts, at - passage.start)
            if cue is not None:
                return f"{passage.id} dates a statement ({cue.text!r}), and the claim is not about one"
    if similarity >= GUARD_READING:
        return None
    f = checks.analysed(claim, facts)
    sort, unit = _value_sort(d, left, left_facts)
    if sort == "date":
        given = bool(f.dates)
    elif sort == "time":
        given = bool(f.times)
    elif sort == "weekday":
        given = bool(f.weekdays or f.dates)
    else:
        given = unit in f.index.units if unit else bool(f.quantities)
    if given:
        return None
    return f"the claim gives no {f'count of {unit!r}' if unit else sort}, so these are about other things"


def _statement_date(passage: Passage, passage_facts: checks.PassageFacts, at: int) -> checks.Span | None:
    """:func:`compare.checks.statement_date` of the passage's date (or time, or weekday) starting at ``at``."""
    span = next((s for spans in (passage_facts.dates, passage_facts.times, passage_facts.weekdays)
                 for s in spans if s.start == at), None)
    return None if span is None else checks.statement_date(passage, span)


def _another_occurrence(passage: Passage, passage_facts: checks.PassageFacts) -> checks.Span | None:
    """:func:`compare.checks.another_occurrence`, once per passage (kept with its facts)."""
    memo = passage_facts.memo
    if "another_occurrence" not in memo:
        memo["another_occurrence"] = checks.another_occurrence(passage)
    return memo["another_occurrence"]


__all__ = ["GUARD_READING", "VALUE_KINDS", "state_claims"]

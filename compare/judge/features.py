"""Pair features for the trained judge: what a model can learn agreement and contradiction from.

:func:`pair_features` turns the :class:`~compare.judge.PairSignals` of one pair
(two passages, or a passage and a whole document) into one row of numbers. The
same function serves training (:mod:`compare.training`), the engine
(:class:`~compare.judge.trained.TrainedJudge`) and the evaluation, so the model
always sees features computed the same way.

The two sides are put in a canonical order first, so that a pair gets the same
features whichever source is listed first: the *claim* side is the source with
fewer words (a headline against an article body; the shorter of two sentences),
the *other* side is the rest. The features fall into groups, each of which can
be switched off by name (``groups``) for ablations:

``similarity``
    cosine of the best-matching passages; mean cosine over the point's passages;
    the claim passage against every passage of the other document (max, mean of
    the top 3, mean, spread, share above 0.5); cosine of the two documents'
    centroids. No feature depends on the order of passages in a source, so the
    labels keep the engine's order-freedom.
``embedding``
    ``|u - v|`` and ``u * v`` of the best-matching passages' sentence embeddings.
``words``
    the content words (stems) that only one side of the best pair has, and,
    when each side has at most four, the pairs of them ("man" | "woman"), plus
    the negated words of each side: hashed, with a sign, into 512 columns, so a
    linear model can learn which substitutions keep or change the meaning.
``lexical``
    shares of the claim's content words (stems) and bigrams found in the other
    passage, the other point passages and the other document; Jaccard; how many
    content words each side has that the other lacks; sizes and lengths.
``checks``
    how many discrepancies of each kind the engine's checks found (polarity,
    quantity, date, naming) on the point.
``negation``
    negation words on each side and whether only one side has any.
``cues``
    rates of refuting ("hoax", "denied", "false") and hedging ("reportedly",
    "claims", "unconfirmed") words in the other document, its point passages and
    the claim; whether the claim is a question.
``nli``
    only when a cross-encoder NLI model is given: its entailment / neutral /
    contradiction probabilities for the best pair, both directions averaged.
"""

from __future__ import annotations

import math
import re
import weakref
import zlib
from collections.abc import Sequence, Set
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from compare import checks
from compare.records import Passage

if TYPE_CHECKING:  # pragma: no cover
    from compare.judge import PairSignals

#: The check kinds the shipped judge was trained on. The role check came later and acts
#: through the checks guard only (:mod:`compare.judge.trained`): it fires on none of the
#: SICK and SNLI pairs nor on any FNC-1 train headline-passage pair, so a column would teach nothing.
FEATURE_CHECKS = ("polarity", "quantity", "date", "naming")
GROUPS = ("similarity", "embedding", "words", "lexical", "checks", "negation", "cues", "nli")
DEFAULT_GROUPS = ("similarity", "embedding", "words", "lexical", "checks", "negation", "cues")
#: Columns of the hashed word-difference features.
WORD_BUCKETS = 512

NEGATORS = frozenset(
    {"not", "no", "never", "neither", "nor", "none", "nobody", "nothing", "nowhere", "without", "cannot"}
)
#: Words that news writers use to refute a claim (stems).
REFUTE_WORDS = frozenset(
    _w
    for _w in """fake fraud hoax fals deni deny debunk bogus untru doubt dismiss retract reject
    prank satir fabric mislead rumour rumor incorrect inaccur wrong mistaken contrari refut
    disprov baseless unfound lie lies spoof""".split()
)
#: Words that report a claim without taking a position (stems).
HEDGE_WORDS = frozenset(
    _w
    for _w in """alleg report claim accord rumour rumor unconfirm unverifi may might could appar
    purport suggest speculat possibl believ suppos seem reportedli allegedli appear """.split()
)
#: Words that report a claim as established (stems).
SUPPORT_WORDS = frozenset(
    _w for _w in "confirm announc reveal offici verifi prove show found said statement".split()
)
_STOP = frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "said", "says"}
_WORDS = re.compile(r"\w+", re.UNICODE)


def feature_names(groups: Sequence[str] = DEFAULT_GROUPS, dim: int = 384) -> list[str]:
    """The names of the columns :func:`pair_features` returns for these groups."""
    names: list[str] = []
    for group in GROUPS:
        if group not in groups:
            continue
        if group == "embedding":
            names += [f"absdiff_{i}" for i in range(dim)] + [f"prod_{i}" for i in range(dim)]
        elif group == "words":
            names += [f"words_{i}" for i in range(WORD_BUCKETS)]
        else:
            names += [f"{group}:{n}" for n in _SCALARS[group]]
    return names


_SCALARS: dict[str, tuple[str, ...]] = {
    "similarity": (
        "best", "point_mean", "ctx_max", "ctx_top3", "ctx_mean", "ctx_std", "ctx_share_50",
        "centroid", "claim_ctx_max",
    ),
    "lexical": (
        "overlap_best", "overlap_point", "overlap_doc", "bigram_doc", "bigram_point", "jaccard_best",
        "claim_only", "other_only", "claim_words", "other_best_words", "other_doc_words",
        "claim_passages", "other_passages", "other_point_passages",
    ),
    "checks": (*FEATURE_CHECKS, "any"),
    "negation": ("claim", "other", "difference", "one_side", "doc_rate"),
    "cues": (
        "refute_doc", "hedge_doc", "support_doc", "refute_point", "hedge_point", "refute_claim",
        "hedge_claim", "question", "refute_doc_any", "hedge_point_any",
    ),
    "nli": ("entailment", "neutral", "contradiction"),
}


class _Side:
    """One side of a pair: its best passage, its point passages and its whole document."""

    __slots__ = ("best", "vector", "point", "context", "context_vectors", "document")

    def __init__(self, best: Passage, vector: np.ndarray, point: tuple[Passage, ...],
                 context: tuple[Passage, ...], context_vectors: np.ndarray | None,
                 facts: dict[str, Any], sentences: dict | None = None) -> None:
        self.best = best
        self.vector = vector
        self.point = point or (best,)
        if context and context_vectors is not None:
            self.context, self.context_vectors = context, context_vectors
        else:
            self.context, self.context_vectors = (best,), vector[None, :]
        self.document = _document(self.context, self.context_vectors, facts, sentences)

    @property
    def words(self) -> int:
        """Words in the side's whole document."""
        return self.document.words


class _Document:
    """What the features read from a whole document, computed once per document.

    A document recurs in every pair its source is in (a hundred-passage source
    in thousands of pairs of a large event), so its word counts, stems, bigrams,
    cue counts and centroid are summed once here instead of once per pair.
    """

    __slots__ = ("size", "words", "stems", "bigrams", "negators", "refute", "hedge", "support", "centroid", "norm", "rows",
                 "best_against")

    def __init__(self, context: tuple[Passage, ...], vectors: np.ndarray, facts: dict[str, Any]) -> None:
        self.size = len(context)
        analysed = [checks.analysed(p, facts) for p in context]
        self.words = sum(_passage_words(p, f) for p, f in zip(context, analysed))
        summaries = [_summary(f) for f in analysed]
        self.stems = {w for x in summaries for w in x.stem_set}
        self.bigrams = {b for x in summaries for b in x.bigrams}
        self.negators = sum(x.negators for x in summaries)
        self.refute = sum(x.refute for x in summaries)
        self.hedge = sum(x.hedge for x in summaries)
        self.support = sum(x.support for x in summaries)
        self.centroid = vectors.mean(axis=0)
        self.norm = np.linalg.norm(self.centroid)
        self.rows = {p.id: i for i, p in enumerate(context)}
        #: :meth:`against` for the other documents this one has met (keyed by the object: a
        #: _Document has no __eq__, so it hashes by identity)
        self.best_against: dict[_Document, tuple[float, float]] = {}

    def against(self, vectors: np.ndarray, other: _Document, other_vectors: np.ndarray) -> tuple[float, float]:
        """(cosine of the two centroids, highest cosine of any passage here with any there)."""
        found = self.best_against.get(other)
        if found is None:
            denom = float(self.norm * other.norm) or 1.0
            found = (float(self.centroid @ other.centroid) / denom, float((vectors @ other_vectors.T).max()))
            if other.size > 1:  # one-passage documents are not shared (see _document): nothing to remember
                self.best_against[other] = found
        return found


#: Document summaries, by id() of the vectors matrix the engine shares across the
#: pairs of one comparison. An entry lives as long as that matrix (a weak reference
#: drops it when the matrix goes), so summaries never outlive their comparison.
#: (A numpy array cannot be a dict key or a WeakKeyDictionary key: it is not hashable;
#: hashing the context's passages instead would cost more than the summary saves.)
_DOCUMENTS: dict[int, tuple[weakref.ref, tuple[Passage, ...], _Document]] = {}
_DOCUMENTS_LIMIT = 4096


def _document(context: tuple[Passage, ...], vectors: np.ndarray, facts: dict[str, Any],
              sentences: dict | None = None) -> _Document:
    """The summary of a document, made once per document of a comparison.

    A one-passage document (a sentence, or a claim read against many documents)
    is remembered only in ``sentences``, a memo that lives for one
    :func:`pair_features_many` call: across calls, sentence pairs rarely recur,
    and remembering them would push the many-passage documents out of the cache.
    """
    if len(context) == 1:
        if sentences is None:
            return _Document(context, vectors, facts)
        key = (context[0], vectors.tobytes())  # the passage and its vector: the same words embedded alike
        found = sentences.get(key)
        if found is None:
            found = sentences[key] = _Document(context, vectors, facts)
        return found
    key = id(vectors)
    hit = _DOCUMENTS.get(key)
    if hit is not None and hit[0]() is vectors and hit[1] is context:
        return hit[2]
    if len(_DOCUMENTS) >= _DOCUMENTS_LIMIT:
        _DOCUMENTS.clear()
    found = _Document(context, vectors, facts)

    def forget(ref: weakref.ref, key: int = key) -> None:
        if _DOCUMENTS.get(key, (None,))[0] is ref:
            del _DOCUMENTS[key]

    _DOCUMENTS[key] = (weakref.ref(vectors, forget), context, found)
    return found


def _word_count(text: str) -> int:
    return len(_WORDS.findall(text))


class _Words(NamedTuple):
    """What the lexical, negation and cue features read from one passage."""

    stems: list[str]  # content stems, in order
    negators: int
    refute: int
    hedge: int
    support: int
    stem_set: frozenset[str]
    bigrams: frozenset[tuple[str, str]]


def _summary(f: checks.PassageFacts) -> _Words:
    """The :class:`_Words` of a passage.

    Kept in the facts' memo: a passage recurs in many pairs (a claim is read against
    every source, an article body against every claim), and its sets would be rebuilt in each.
    """
    found = f.memo.get("summary")
    if found is None:
        stems = [t.stem for t in f.tokens if t.text.lower() not in _STOP and t.stem not in _STOP and len(t.text) > 1]
        found = f.memo["summary"] = _Words(stems, _negators(f), _cue_count(f, REFUTE_WORDS),
                                           _cue_count(f, HEDGE_WORDS), _cue_count(f, SUPPORT_WORDS),
                                           frozenset(stems), frozenset(_bigrams(stems)))
    return found


def _stems(f: checks.PassageFacts) -> list[str]:
    return _summary(f).stems


def _passage_words(p: Passage, f: checks.PassageFacts) -> int:
    """:func:`_word_count` of a passage, kept in its facts' memo."""
    found = f.memo.get("word_count")
    if found is None:
        found = f.memo["word_count"] = _word_count(p.text)
    return found


def _bigrams(stems: list[str]) -> set[tuple[str, str]]:
    return set(zip(stems, stems[1:]))


def content_stems(p: Passage, facts: dict[str, Any] | None = None) -> frozenset[str]:
    """The stems of a passage's content words (no stop words, no one-letter words), as the lexical features count them."""
    return frozenset(_stems(checks.analysed(p, facts)))


def negates(p: Passage, facts: dict[str, Any] | None = None) -> bool:
    """Whether a passage has a negation word ("not", "no", "never", "nobody", a "n't")."""
    return _summary(checks.analysed(p, facts)).negators > 0


def _negators(f: checks.PassageFacts) -> int:
    return sum(1 for t in f.tokens if t.text.lower() in NEGATORS or t.text.lower().endswith(("n't", "n\u2019t")))


def _is_cue(t: checks.Token, words: frozenset[str]) -> bool:
    return t.stem in words or t.text.lower() in words


def _cue_count(f: checks.PassageFacts, words: frozenset[str]) -> int:
    return sum(1 for t in f.tokens if _is_cue(t, words))


@lru_cache(maxsize=65_536)  # an article's passages are asked about for every claim paired with it
def refutes(text: str) -> bool:
    """Whether a passage uses a word news writers use to refute a claim (:data:`REFUTE_WORDS`: "hoax", "denied")."""
    return any(_is_cue(t, REFUTE_WORDS) for t in checks._tokens(text))


def _share(part: set, whole: set) -> float:
    return len(part & whole) / len(part) if part else 0.0


def orient(signals: PairSignals, sentences: dict | None = None) -> tuple[_Side, _Side]:
    """(claim side, other side): the side with fewer words in its document is the claim."""
    facts = signals.facts if signals.facts is not None else {}
    left = _Side(signals.left, signals.left_vector, tuple(signals.left_passages),
                 tuple(signals.left_context), signals.left_context_vectors, facts, sentences)
    right = _Side(signals.right, signals.right_vector, tuple(signals.right_passages),
                  tuple(signals.right_context), signals.right_context_vectors, facts, sentences)
    if (right.words, right.best.text) < (left.words, left.best.text):
        return right, left
    return left, right


def pair_features(
    signals: PairSignals,
    groups: Sequence[str] = DEFAULT_GROUPS,
    nli: Any = None,
) -> np.ndarray:
    """One row of features for a pair (see the module docstring for the groups)."""
    return pair_features_many([signals], groups, nli)[0]


def pair_features_many(
    signals: Sequence[PairSignals],
    groups: Sequence[str] = DEFAULT_GROUPS,
    nli: Any = None,
) -> np.ndarray:
    """The rows of :func:`pair_features` for many pairs at once: the same numbers, made in bulk.

    The embedding columns (768 of the 1,300-odd) are computed for all pairs in one
    array operation and the hashed word columns are written in place; a claim
    read against many documents is summarised once. Every value is computed by
    the same float32 operations as one pair at a time, so a row does not depend
    on the pairs beside it.
    """
    sentences: dict = {}
    sides = [orient(x, sentences) for x in signals]
    scalar_groups = [g for g in GROUPS if g in groups and g in _SCALARS]
    if "nli" in scalar_groups and nli is None:
        raise ValueError("the 'nli' feature group needs an NLI model (--nli-model)")
    widths = [len(_SCALARS[g]) for g in scalar_groups]
    # Rows made document by document: a hundred-passage document's vectors stay in the processor's
    # cache across the claims read against it, where in the caller's order (claim by claim) each row
    # read a matrix from memory. Each row is computed alone, so the order changes no value.
    order = sorted(range(len(sides)), key=lambda i: id(sides[i][1].context_vectors))
    scalars = np.empty((len(sides), sum(widths)), dtype=np.float32)
    for i in order:
        claim, other = sides[i]
        scalars[i] = _scalar_row(scalar_groups, signals[i], claim, other, nli)
    starts = dict(zip(scalar_groups, np.cumsum([0, *widths[:-1]])))
    blocks: list[np.ndarray] = []
    for group in GROUPS:
        if group not in groups:
            continue
        if group == "embedding":
            u = np.stack([claim.vector for claim, _ in sides]).astype(np.float32, copy=False)
            v = np.stack([other.vector for _, other in sides]).astype(np.float32, copy=False)
            blocks += [np.abs(u - v), u * v]
        elif group == "words":
            words = np.zeros((len(sides), WORD_BUCKETS), dtype=np.float32)
            for row, x, (claim, other) in zip(words, signals, sides):
                facts = x.facts if x.facts is not None else {}
                _word_differences(checks.analysed(claim.best, facts), checks.analysed(other.best, facts), row)
            blocks.append(words)
        else:
            blocks.append(scalars[:, starts[group]: starts[group] + len(_SCALARS[group])])
    if not blocks:
        return np.zeros((len(sides), 0), np.float32)
    return np.concatenate(blocks, axis=1)


def _scalar_row(groups: Sequence[str], signals: PairSignals, claim: _Side, other: _Side, nli: Any) -> list[Any]:
    """The columns of the scalar feature ``groups`` (in that order) for one pair (see the module docstring).

    One function for all groups, so that what they share (the two best passages' facts and
    words) is looked up once per pair: a large event reads tens of thousands of pairs.
    """
    facts = signals.facts if signals.facts is not None else {}
    doc = other.document
    fc = checks.analysed(claim.best, facts)
    fo = checks.analysed(other.best, facts)
    wc, wo = _summary(fc), _summary(fo)
    row: list[Any] = []
    for group in groups:
        if group == "similarity":
            sims = other.context_vectors @ claim.vector
            top = np.sort(sims)
            point_sims = _point_vectors(other) @ claim.vector
            between = claim.document.against(claim.context_vectors, doc, other.context_vectors)
            mean, std = _mean_std(sims)
            row += [
                float(signals.similarity), float(_mean(point_sims)), float(top[-1]),
                float(_mean(top[-3:][::-1])), mean, std,
                np.count_nonzero(sims >= 0.5) / len(sims), between[0], between[1],
            ]
        elif group == "lexical":
            set_c, set_o = wc.stem_set, wo.stem_set
            _, point_set, point_bigrams = _point_words(other.point, facts)
            claim_stems, claim_set, claim_bigrams = _point_words(claim.point, facts)
            cset = claim_set or set_c
            if not claim_stems:
                claim_bigrams = wc.bigrams
            union = set_c | set_o
            row += [
                _share(set_c, set_o), _share(cset, point_set), _share(cset, doc.stems),
                _share(claim_bigrams, doc.bigrams), _share(claim_bigrams, point_bigrams),
                len(set_c & set_o) / len(union) if union else 0.0,
                float(len(set_c - set_o)), float(len(set_o - set_c)),
                math.log1p(_passage_words(claim.best, fc)), math.log1p(_passage_words(other.best, fo)),
                math.log1p(other.words), math.log1p(len(claim.context)), math.log1p(len(other.context)),
                math.log1p(len(other.point)),
            ]
        elif group == "checks":
            kinds = [d.kind for d in signals.discrepancies if d.kind in FEATURE_CHECKS]
            row += [float(kinds.count(k)) for k in FEATURE_CHECKS] + [float(bool(kinds))]
        elif group == "negation":
            nc, no = wc.negators, wo.negators
            row += [float(nc), float(no), float(abs(nc - no)), float((nc > 0) != (no > 0)),
                    100.0 * doc.negators / max(other.words, 1)]
        elif group == "cues":
            point_s = [_summary(checks.analysed(p, facts)) for p in other.point]
            hedge_point = sum(x.hedge for x in point_s)
            scale = 100.0 / max(other.words, 1)
            row += [
                doc.refute * scale, doc.hedge * scale, doc.support * scale,
                float(sum(x.refute for x in point_s)), float(hedge_point),
                float(wc.refute), float(wc.hedge),
                float("?" in claim.best.text), float(doc.refute > 0), float(hedge_point > 0),
            ]
        elif group == "nli":
            probs = nli.probabilities(claim.best.text, other.best.text)
            row += [probs["entailment"], probs["neutral"], probs["contradiction"]]
        else:
            raise ValueError(f"unknown feature group {group!r}")
    return row


def _point_words(point: tuple[Passage, ...], facts: dict[str, Any]) -> tuple[list[str], Set[str], Set[tuple[str, str]]]:
    """A side's point passages as one run of content stems: the run, its set and its bigrams.

    One passage (the usual case) is its own :class:`_Words`, kept; several are joined, so a
    bigram may span two of them.
    """
    if len(point) == 1:
        words = _summary(checks.analysed(point[0], facts))
        return words.stems, words.stem_set, words.bigrams
    stems = [w for p in point for w in _stems(checks.analysed(p, facts))]
    return stems, set(stems), _bigrams(stems)


# Hashed by hand rather than with sklearn's FeatureHasher on purpose: the shipped judge was
# trained on these crc32 buckets and signs, and FeatureHasher's murmurhash3 puts every word in
# another bucket, so switching means retraining the judge and re-measuring every figure.
@lru_cache(maxsize=1 << 16)  # the same words recur in pair after pair
def _bucket(key: str) -> tuple[int, float]:
    h = zlib.crc32(key.encode("utf-8"))
    return h % WORD_BUCKETS, 1.0 if (h >> 16) & 1 else -1.0


def _word_differences(fc: checks.PassageFacts, fo: checks.PassageFacts, out: np.ndarray | None = None) -> np.ndarray:
    """Signed hashed counts of the words only one side has, their pairs, and negated words (added into ``out``)."""
    out = np.zeros(WORD_BUCKETS, dtype=np.float32) if out is None else out
    sc, so = _summary(fc).stem_set, _summary(fo).stem_set
    only_c, only_o = sorted(sc - so), sorted(so - sc)
    keys = [f"c:{w}" for w in only_c] + [f"o:{w}" for w in only_o]
    if len(only_c) <= 4 and len(only_o) <= 4:
        keys += [f"x:{a}|{b}" for a in only_c for b in only_o]
    keys += [f"nc:{t.stem}" for t in fc.tokens if t.negated] + [f"no:{t.stem}" for t in fo.tokens if t.negated]
    for key in keys:
        i, sign = _bucket(key)
        out[i] += sign
    return out


# ndarray.mean and .std go through Python wrappers that cost more than the sums
# on vectors this short (three to four times as much, per pair); these are the
# same float32 operations in the same order, so the values are the same.
def _mean(x: np.ndarray) -> np.float32:
    return np.add.reduce(x) / x.shape[0]


def _mean_std(x: np.ndarray) -> tuple[float, float]:
    n = x.shape[0]
    mean = np.add.reduce(x, keepdims=True)
    mean /= n
    dev = x - mean
    dev *= dev
    return float(mean[0]), float(np.sqrt(np.add.reduce(dev) / n))


def _point_vectors(side: _Side) -> np.ndarray:
    """The vectors of a side's point passages, read from its document's matrix."""
    index = side.document.rows
    rows = [index.get(p.id) for p in side.point]
    if None not in rows:
        return side.context_vectors[rows]
    return np.stack([side.context_vectors[i] if i is not None else side.vector for i in rows])

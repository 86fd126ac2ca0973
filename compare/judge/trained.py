"""The trained judge: a scikit-learn model over pair features, and a plug for NLI cross-encoders.

:class:`TrainedJudge` reads the pair's features (:mod:`compare.judge.features`) and
returns calibrated probabilities for four classes: ``agree``, ``diverge``,
``related`` and ``unrelated``. Its label is the most likely class, with one
mapping onto the engine's four labels:

* ``agree``, ``diverge``, ``related`` are the engine's labels of the same name;
* ``unrelated`` becomes ``silent``: alignment put the two passages in one point
  because they look alike, but the judge finds that neither addresses what the
  other says, so for this pair each side is silent on the other's claim. The
  evidence keeps the probabilities and says so in its rationale.

The shipped model (``compare/judge/weights/judge.joblib``, described in
``docs/models/judge.md``) is trained by ``narrative-compare train-judge``
on embeddings of the packaged all-MiniLM-L6-v2; with another embedding model the
engine falls back to :class:`~compare.judge.RuleJudge`.

An NLI model (:class:`~compare.judge.nli.NLIModel`: the built-in one, ``builtin``,
or any sentence-transformers ``CrossEncoder`` trained for natural-language
inference) reads each pair's two passages together. A judge given one uses its
probabilities either as features (when the judge was trained with
``--nli-model``) or beside its own: the two are averaged with equal weights
(entailment -> agree, contradiction -> diverge, neutral -> related and
unrelated in the judge's own proportion; :func:`mix_nli`).
``--judge trained+nli`` is the shipped judge with the built-in NLI model on
every pair. The default judge (:func:`sentence_judge`) uses the built-in model
only where each side's source is a single passage (two sentences compared on
their own, the shape NLI models are made for); between accounts and for a
headline against an article it reads without it, where the NLI model costs
labels and time (the model card has the figures for both).

A one-passage claim against a document (a headline against an article) is
read by the built-in stance model too (:class:`~compare.judge.stance.StanceModel`,
given as ``stance``; the default judge has it): a cross-encoder over the claim
and the document's passages nearest it (or the nearest and those with a
refuting word beyond them: :func:`~compare.judge.stance.stance_passages`), taught
FNC-1's agree / disagree / discuss. Its probabilities reshape how the judge
splits its related mass (:func:`~compare.judge.stance.mix_stance`), where that mass
outweighs unrelated; the rationale quotes its reading and names the passages
it read. In such a pair ``diverge`` is the label when its
probability is at least 1 / ``DISPUTE_ODDS`` of the likeliest class's, if that
class is agree or related (:func:`~compare.judge.stance.dispute_overrides`): mixed in,
the stance model still leaves the likeliest class under-calling disputes, which
are rare. The probabilities stay as mixed, and the rationale says when the odds
decided.

One rule sits on top of the model, the *checks guard*: when the engine's checks
find a polarity, count, date or naming discrepancy between passages that are
alike enough, the pair is labelled ``diverge`` even if the model's most likely
class is another. How alike depends on the shape of the pair:

* between two *accounts* (each side's source has more than one passage, as in a
  report on one event), the rule judge's own rule: polarity, count or date from
  similarity 0.5, naming from 0.65 (``ACCOUNTS_GUARD``). The model learned
  mid-similarity contradictions mostly from headlines against articles, where a
  different date usually means an unrelated article; between accounts of one
  event it means the accounts differ, and the reader should see it.
* between two sentences (each side's source is one passage), from similarity
  0.75 (``GUARD_SIMILARITY``): near-identical sentences that differ in one
  date or one name are rare in the public training data, and the model
  learned from chance co-occurrences there.
* for a one-passage claim against a document (a headline against an article,
  the FNC-1 shape), a count or date from 0.75, but a polarity or naming
  discrepancy only from 0.9 (``CLAIM_GUARD``). The model was trained on 23,000
  headlines against articles with the checks' findings among its features, and
  there a negation or another name in the passage nearest the claim is mostly
  the article quoting what it refutes, or naming someone else: below 0.9, the
  model weighs it better than the guard (on the FNC-1 dev part, 150 firings at
  0.75 held 11 true disagreements).

The discrepancy itself is quoted in the evidence, so a reader can check it. The
evidence keeps the model's probabilities and the rationale says that the guard
decided. What the guard costs and gains on the dev splits is in the model card.

The model file is a pickle (joblib): load only files you trust.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from compare.checks import CHECK_KINDS
from compare.judge.features import DEFAULT_GROUPS, negates, pair_features_many
from compare.judge import Judgement, PairSignals
from compare.records import Passage
from compare.judge.nli import NLI_NAMES, NLIModel, label_order  # noqa: F401  (NLIModel and label_order lived here)
from compare.judge.nli import BUILTIN, builtin_available, display_name, trained_here
from compare.judge.stance import BUILTIN_NAME as STANCE_BUILTIN_NAME
from compare.judge.stance import BUILTIN_WEIGHTS as STANCE_WEIGHTS
from compare.judge.stance import (DISPUTE_ODDS, STANCE_NAMES, STANCE_WEIGHT, StanceModel, StanceReading, dispute_overrides,
                     joined_context, mix_stance, stance_passages)
from compare.judge.stance import builtin_available as stance_available
from compare.judge.stance import check_file as check_stance_file

CLASSES = ("agree", "diverge", "related", "unrelated")
#: A date, count or polarity discrepancy between passages at least this alike
#: makes the pair diverge, whatever the model's most likely class (see below).
GUARD_SIMILARITY = 0.75
#: Every kind the checks find can make the pair diverge (each shape has a floor for each).
GUARD_KINDS = CHECK_KINDS
#: Between two multi-passage accounts: the similarity from which each kind of discrepancy decides.
#: Like a naming choice, a role swap decides only where the passages otherwise say the same.
ACCOUNTS_GUARD = {"polarity": 0.5, "quantity": 0.5, "date": 0.5, "naming": 0.65, "role": 0.65}
#: Between two single sentences: every kind from :data:`GUARD_SIMILARITY`.
SENTENCES_GUARD = dict.fromkeys(GUARD_KINDS, GUARD_SIMILARITY)
#: A one-passage claim against a document (chosen on the FNC-1 dev part; the model card has the figures).
CLAIM_GUARD = {"polarity": 0.9, "quantity": GUARD_SIMILARITY, "date": GUARD_SIMILARITY, "naming": 0.9, "role": 0.9}
#: The judge class -> the engine label.
ENGINE_LABEL = {"agree": "agree", "diverge": "diverge", "related": "related", "unrelated": "silent"}
#: From this similarity, two passages that both negate are read without the built-in NLI model
#: (:meth:`TrainedJudge.reads_with_nli`). Chosen on MRPC train's train part: 0.6 keeps what the rule
#: gains there (a higher floor gives back equivalent pairs labelled diverge), and it leaves to the
#: NLI model a denial against a sentence that doubts a denial (FNC-1, similarity 0.33 to 0.56).
NEGATED_PAIR_SIMILARITY = 0.6
#: The NLI model's share when its probabilities join the judge's (see :func:`mix_nli`). Equal
#: weights: on the dev parts they beat the NLI model alone and its use in place of the judge's
#: agree / diverge / related (the model card has the figures).
NLI_WEIGHT = 0.5
#: Which pairs an NLI model given to the judge reads: every pair, or only pairs of two
#: single-passage sources (see :func:`is_sentence_pair`; the default judge's use of the built-in model).
NLI_SCOPES = ("all", "sentences")
#: Rows per prediction in :meth:`TrainedJudge.judge_many` (bounds the feature matrix's memory).
BATCH = 1024
SHIPPED_MODEL = Path(__file__).resolve().parent / "weights" / "judge.joblib"


class TrainedJudge:
    """A trained model behind the :class:`~compare.judge.Judge` protocol."""

    def __init__(self, bundle: dict[str, Any] | str | Path | None = None, nli: NLIModel | str | None = None,
                 *, nli_scope: str = "all", stance: StanceModel | str | Path | None = None,
                 dispute_odds: float = DISPUTE_ODDS) -> None:
        if bundle is None or isinstance(bundle, (str, Path)):
            bundle = load_bundle(bundle or SHIPPED_MODEL)
        if nli_scope not in NLI_SCOPES:
            raise ValueError(f"nli_scope must be one of {NLI_SCOPES}, not {nli_scope!r}")
        check_dispute_odds(dispute_odds)
        self.dispute_odds = float(dispute_odds)
        self.bundle = bundle
        self.estimator = bundle["estimator"]
        self.groups: tuple[str, ...] = tuple(bundle.get("groups", DEFAULT_GROUPS))
        self.classes: list[str] = [str(c) for c in self.estimator.classes_]
        self.embedding_model: str = bundle.get("embedding_model", "all-MiniLM-L6-v2")
        self.dimension: int | None = bundle.get("dimension")
        expected = bundle.get("n_features")
        if expected is not None:
            from compare.judge.features import feature_names

            have = len(feature_names(self.groups, self.dimension or 384))
            if have != expected:
                raise ValueError(f"this judge model was trained on {expected} features; this version of "
                                 f"compare.judge.features makes {have}: retrain it (narrative-compare train-judge)")
        if isinstance(nli, str) and nli_scope == "all":
            nli = nli_model(nli)
        # With the "sentences" scope a name stays a name until a pair of single
        # passages needs the model: reports between accounts never load it.
        self._nli: NLIModel | str | None = nli
        # Asked once here, not per pair: for a file it looks at the disk.
        self._nli_trained_here = nli is not None and trained_here(nli)
        self.nli_scope = nli_scope
        if "nli" in self.groups and (nli is None or nli_scope != "all"):
            raise ValueError("this judge was trained with NLI features: give it the NLI model (--nli-model)")
        # Like the NLI model's name, the stance model's path is loaded when a claim against a document needs it.
        self._stance: StanceModel | str | Path | None = stance
        base = bundle.get("name", "trained")
        if nli is None:
            self.name = base
        else:
            shown = Path(nli.name if isinstance(nli, NLIModel) else display_name(nli)).name
            self.name = base + f"+nli:{shown}" + ("" if nli_scope == "all" else "(sentence pairs)")
        if stance is not None:
            shown = stance_display_name(stance) if isinstance(stance, (str, Path)) else stance.name
            self.name += f"+stance:{shown}"
            if self.dispute_odds != DISPUTE_ODDS:  # named only when not the default, so a report says which
                self.name += f"(dispute odds {self.dispute_odds:g})"
        # The verdict depends on the model (and NLI and stance models) only, not on thresholds;
        # the memo in label_points keeps the estimator alive, so its id is not reused.
        self.cache_key = (self.name, id(self.estimator), id(nli), nli_scope,
                          str(stance) if isinstance(stance, (str, Path)) else id(stance), self.dispute_odds)

    def without_stance(self) -> TrainedJudge:
        """The same judge without its stance model (the same one when it has none)."""
        if self._stance is None:
            return self
        return TrainedJudge(self.bundle, self._nli, nli_scope=self.nli_scope, dispute_odds=self.dispute_odds)

    @property
    def nli(self) -> NLIModel | None:
        """The NLI model, loaded on first use."""
        if isinstance(self._nli, str):
            self._nli = nli_model(self._nli)
        return self._nli

    @property
    def stance(self) -> StanceModel | None:
        """The stance model, loaded on first use."""
        if isinstance(self._stance, (str, Path)):
            self._stance = stance_model(str(self._stance))
        return self._stance

    @property
    def stance_path(self) -> Path | None:
        """The stance model's file (None without one)."""
        if isinstance(self._stance, (str, Path)):
            return Path(self._stance)
        return getattr(self._stance, "path", None)

    def reads_with_nli(self, signals: PairSignals) -> bool:
        """Whether the NLI model's probabilities join the model's for this pair."""
        return self._in_nli_scope(signals) and not self._negations_unseen_by_nli(signals)

    def _in_nli_scope(self, signals: PairSignals) -> bool:
        if self._nli is None or "nli" in self.groups:
            return False
        return self.nli_scope == "all" or is_sentence_pair(signals)

    def _negations_unseen_by_nli(self, signals: PairSignals) -> bool:
        """Two alike passages both negate, and the NLI model is this project's recipe, which never saw that.

        SICK and SNLI hold almost no pair in which both sentences negate (none
        of SICK TRIAL's 495 and the SNLI dev carve's 1,901, one of SICK TRAIN's
        4,439), and the model learned that a negation means a contradiction:
        it reads "The ministry has not received any request to reopen the
        crossing" against the spokesman's own words for it as a contradiction (0.96). Such
        a pair is left to the judge, which weighs the negations of both sides.
        Only from :data:`NEGATED_PAIR_SIMILARITY`: between passages less alike
        the judge alone spots few disputes, and the model's reading is kept.
        """
        return signals.similarity >= NEGATED_PAIR_SIMILARITY and self._nli_trained_here and both_negate(signals)

    @classmethod
    def shipped(cls, nli: NLIModel | str | None = None) -> TrainedJudge:
        return cls(_shipped_bundle(), nli)

    def features(self, signals: PairSignals) -> np.ndarray:
        """The feature row of one pair."""
        return self.features_many([signals])[0]

    def features_many(self, signals: Sequence[PairSignals]) -> np.ndarray:
        """The feature rows of many pairs, made in bulk (:func:`~compare.judge.features.pair_features_many`)."""
        for s in signals[:1]:
            if self.dimension is not None and s.left_vector.shape[0] != self.dimension:
                raise ValueError(
                    f"the trained judge expects {self.dimension}-dimensional embeddings of "
                    f"{self.embedding_model}; with another embedding model use --judge rules"
                )
        return pair_features_many(signals, self.groups, self.nli if "nli" in self.groups else None)

    def predict_proba(self, rows: np.ndarray, signals: list[PairSignals] | None = None) -> np.ndarray:
        """Class probabilities in :data:`CLASSES` order for feature rows."""
        return self._predict(rows, signals)[0]

    def _predict(self, rows: np.ndarray,
                 signals: list[PairSignals] | None) -> tuple[np.ndarray, dict[int, StanceReading]]:
        """:meth:`predict_proba`, and the stance model's probabilities by row where they were mixed in."""
        return self._mix(self._model_probabilities([np.atleast_2d(rows)])[0], signals)

    def _model_probabilities(self, batches: Iterable[np.ndarray]) -> list[np.ndarray]:
        """The estimator's probabilities (in :data:`CLASSES` order) for batches of feature rows.

        The shipped model (a calibrated stacked model) runs in two steps: its linear part batch by
        batch as the batches come, then its trees and calibration once over every row, on OpenMP's
        threads when there are many rows. On the 100 x 100 event (49,014 rows) that took 1.5 s
        against 3.2 s batch by batch on one thread, with the same probabilities to the bit: a
        row's trees and calibration read that row alone. Other estimators run batch by batch.
        """
        two_steps = _two_steps(self.estimator)
        if two_steps is None:
            # One thread: a batch gains little from OpenMP, and on a busy machine its spinning
            # threads slow everything down.
            with _one_thread():
                raws = [self.estimator.predict_proba(rows) for rows in batches]
        else:
            stack, finish = two_steps
            stacked = [stack(rows) for rows in batches]
            if not stacked:
                return []
            with _one_thread() if sum(map(len, stacked)) < BATCH else contextlib.nullcontext():
                whole = finish(np.concatenate(stacked))
            raws = np.split(whole, np.cumsum([len(s) for s in stacked])[:-1])
        out = []
        for raw in raws:
            probs = np.zeros((raw.shape[0], len(CLASSES)))
            for j, c in enumerate(self.classes):
                probs[:, CLASSES.index(c)] = raw[:, j]
            out.append(probs)
        return out

    def _mix(self, out: np.ndarray, signals: Sequence[PairSignals] | None) -> tuple[np.ndarray, dict[int, StanceReading]]:
        """The model's probabilities with the NLI and stance models' mixed in, where they read the pair."""
        rows = [i for i, s in enumerate(signals or ()) if self.reads_with_nli(s)]
        if rows and signals is not None:
            pairs = self.nli.probabilities_many([(signals[i].left.text, signals[i].right.text) for i in rows])
            for i, nli in zip(rows, pairs):
                out[i] = mix_nli(out[i], nli)
        stances: dict[int, StanceReading] = {}
        if self._stance is None:
            return out, stances
        # The stance pass is spent only where the related mass outweighs unrelated: elsewhere
        # unrelated stays the most likely class whatever the mix, which keeps that mass.
        claims = {i: found for i, found in enumerate(map(claim_against_document, signals or ()))
                  if found is not None and out[i, :3].sum() > out[i, 3]}
        if claims:
            model = self.stance
            texts = {i: [p.text for p in passages] for i, (_, _, passages, _) in claims.items()}
            read = {i: stance_passages(vector, texts[i], vectors, model.context_passages)
                    for i, (_, vector, _, vectors) in claims.items()}
            inputs = [(claim.text, joined_context(texts[i], *read[i])) for i, (claim, *_) in claims.items()]
            for i, row in zip(claims, model.probabilities_many(inputs)):
                ids = [p.id for p in claims[i][2]]
                nearest, refuting = read[i]
                stances[i] = StanceReading(row, tuple(ids[j] for j in nearest), tuple(ids[j] for j in refuting))
                out[i] = mix_stance(out[i], row)
        return out, stances

    def probabilities(self, signals: PairSignals) -> dict[str, float]:
        p = self.predict_proba(self.features(signals)[None, :], [signals])[0]
        return {c: float(p[i]) for i, c in enumerate(CLASSES)}

    @staticmethod
    def guard(signals: PairSignals) -> tuple[str, ...]:
        """The discrepancy kinds that make the checks guard fire (empty when it does not)."""
        floors = guard_floors(signals)
        return tuple(dict.fromkeys(d.kind for d in signals.discrepancies
                                   if d.kind in floors and signals.similarity >= floors[d.kind]))

    def judge(self, signals: PairSignals) -> Judgement:
        return self.judge_many([signals])[0]

    def judge_many(self, signals: list[PairSignals], batch: int = BATCH) -> list[Judgement]:
        """Judge many pairs with one prediction per ``batch`` rows (one row at a time is ~50x slower)."""
        out: list[Judgement] = []
        chunks = [signals[lo: lo + batch] for lo in range(0, len(signals), batch)]
        model = self._model_probabilities(self.features_many(chunk) for chunk in chunks)
        for chunk, model_probs in zip(chunks, model):
            probs, stances = self._mix(model_probs, chunk)
            out += [self._decide(s, {c: float(p[i]) for i, c in enumerate(CLASSES)}, stances.get(k))
                    for k, (s, p) in enumerate(zip(chunk, probs))]
        return out

    def _decide(self, signals: PairSignals, probs: dict[str, float], stance: StanceReading | None = None) -> Judgement:
        best = max(CLASSES, key=lambda c: (probs[c], -CLASSES.index(c)))
        shown = ", ".join(f"{c} {probs[c]:.2f}" for c in CLASSES)
        found = ", ".join(dict.fromkeys(d.kind for d in signals.discrepancies))
        # The judge's name is not repeated here: a pair's evidence names it (``judge``), and a report names
        # the judge once at its top (in a 100 x 100 event the name was a tenth of the reasons' words).
        why = f"{shown}; best-pair similarity {signals.similarity:.2f}"
        if found:
            why += f"; checks found: {found}"
        in_scope = self._in_nli_scope(signals)
        unseen = in_scope and self._negations_unseen_by_nli(signals)
        if self.nli_scope == "sentences" and in_scope and not unseen:  # reads_with_nli, its parts asked once
            why += "; one passage on each side, so the NLI model's probabilities are averaged in"
        elif unseen:
            why += ("; both passages negate, a pair the built-in NLI model never saw in training (it reads "
                    "them as contradictions), so it was not asked")
        if stance is not None:
            read = " / ".join(f"{c} {v:.2f}" for c, v in zip(STANCE_NAMES, stance.probabilities))
            passages = f"the passages nearest the claim ({', '.join(stance.nearest)})"
            if stance.refuting:
                passages += f" and those with a refuting word beyond them ({', '.join(stance.refuting)})"
            why += (f"; a one-passage claim against a document, so the stance model's reading of {passages} "
                    f"({read}) has a {STANCE_WEIGHT:g} share in how the related mass is split")
            overridden = dispute_overrides(probs, self.dispute_odds)
            if overridden:
                why += (f"; diverge rather than {overridden}: diverge's {probs['diverge']:.2f} is at least "
                        f"1/{self.dispute_odds:g} of {overridden}'s {probs[overridden]:.2f}, and for a claim against a "
                        "document a dispute is labelled from there (disputes are rare, and the likeliest class "
                        "alone misses most of them)")
                best = "diverge"
        decided_by = "model"
        if stance is not None and best == "diverge" and dispute_overrides(probs, self.dispute_odds):
            decided_by = "dispute"
        guarded = self.guard(signals)
        if guarded and best != "diverge":
            decided_by = "guard"
        if guarded:
            floor = min(guard_floors(signals)[k] for k in guarded)
            found_by = f"a {', '.join(guarded)} discrepancy between passages of similarity >= {floor}"
            # Said either way, so that the reader sees both grounds when the model and the guard agree.
            why += (f"; the checks guard agrees: {found_by}" if best == "diverge"
                    else f"; diverge by the checks guard: {found_by}")
            best = "diverge"
        elif best == "unrelated":
            why += "; the passages look alike but do not address the same claim, so each is silent on the other's"
        return Judgement(
            label=ENGINE_LABEL[best],  # type: ignore[arg-type]
            agreement=probs["agree"],
            contradiction=probs["diverge"],
            rationale=why,
            probabilities={c: round(v, 4) for c, v in probs.items()},
            decided_by=decided_by,
            refuting=stance.refuting if stance is not None else (),
        )


def mix_nli(own: np.ndarray, nli: dict[str, float], weight: float = NLI_WEIGHT) -> np.ndarray:
    """The judge's probabilities (:data:`CLASSES` order) averaged with an NLI model's.

    Entailment counts for agree and contradiction for diverge; the NLI model has
    no "unrelated", so its neutral is shared between related and unrelated in the
    judge's own proportion.
    """
    neutral = own[2] + own[3]
    related = own[2] / neutral if neutral > 0 else 0.5
    theirs = np.array([nli["entailment"], nli["contradiction"], nli["neutral"] * related,
                       nli["neutral"] * (1.0 - related)])
    return (1.0 - weight) * own + weight * theirs


def check_dispute_odds(odds: float) -> None:
    """Refuse dispute odds under 1 (they would let a dispute lose to a less likely class)."""
    from compare.errors import InputError

    if not odds >= 1:  # also refuses NaN
        raise InputError(None, f"--dispute-odds must be 1 or more (1: the likeliest class decides), not {odds:g}")


def guard_floors(signals: PairSignals) -> dict[str, float]:
    """The similarity from which each kind of discrepancy makes this pair diverge, by the pair's shape."""
    if is_between_accounts(signals):
        return ACCOUNTS_GUARD
    return SENTENCES_GUARD if is_sentence_pair(signals) else CLAIM_GUARD


def both_negate(signals: PairSignals) -> bool:
    """Whether each of the pair's two passages has a negation word."""
    return negates(signals.left, signals.facts) and negates(signals.right, signals.facts)


def is_sentence_pair(signals: PairSignals) -> bool:
    """Whether each side's source is a single passage (two sentences compared, the SICK and SNLI shape)."""
    return len(signals.left_context) <= 1 and len(signals.right_context) <= 1


def claim_against_document(signals: PairSignals) -> tuple[Passage, np.ndarray, tuple[Passage, ...], np.ndarray] | None:
    """For a one-passage claim against a document: (the claim, its vector, the document's passages, their vectors).

    ``None`` for other pairs (two sentences, two accounts, or signals without
    the document's passage vectors). Which side is the claim follows from the
    pair's shape, not from the order the sources were listed in.
    """
    sides = ((signals.left, signals.left_vector, signals.left_context),
             (signals.right, signals.right_vector, signals.right_context))
    vectors = (signals.right_context_vectors, signals.left_context_vectors)
    for (claim, vector, own), (_, _, document), others in zip(sides, sides[::-1], vectors):
        if len(own) <= 1 < len(document) and others is not None:
            return claim, vector, document, others
    return None


def is_between_accounts(signals: PairSignals) -> bool:
    """Whether both sides of the pair come from sources of more than one passage."""
    return len(signals.left_context) > 1 and len(signals.right_context) > 1


@lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_thread():
    return _controller().limit(limits=1, user_api="openmp")


def _two_steps(estimator: Any) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]] | None:
    """(stack, finish) for a calibrated stacked model (the shipped judge's shape): ``finish(stack(X))`` is
    ``estimator.predict_proba(X)``, row for row; ``None`` for an estimator of another shape.

    Told by what it can do rather than by its class: the library does not import the training code.
    """
    calibrated = getattr(estimator, "calibrated_classifiers_", None)
    if not calibrated or len(calibrated) != 1 or not hasattr(calibrated[0].estimator, "stack_features"):
        return None
    model = calibrated[0].estimator
    finish = copy.copy(calibrated[0])  # the same calibration, over the model's trees alone
    finish.estimator = model.trees()
    return model.stack_features, finish.predict_proba


def load_bundle(path: str | Path) -> dict[str, Any]:
    import joblib

    bundle = joblib.load(Path(path))
    if not isinstance(bundle, dict) or "estimator" not in bundle:
        raise ValueError(f"{path}: not a narrative-compare judge model")
    return bundle


@lru_cache(maxsize=1)
def _shipped_bundle() -> dict[str, Any]:
    return load_bundle(SHIPPED_MODEL)


def shipped_available() -> bool:
    return SHIPPED_MODEL.is_file()


def default_judge(thresholds=None, embedding_model: str | None = None, nli: NLIModel | str | None = None,
                  stance: str | None = "builtin", dispute_odds: float = DISPUTE_ODDS):
    """The shipped trained judge when it is there and fits the embeddings, else the rule judge.

    Without ``nli`` it reads pairs of two single passages with the built-in NLI
    model too (:func:`sentence_judge`); with one, it reads every pair with it.
    Either way it reads a one-passage claim against a document with the stance
    model ``stance`` names (:func:`stance_file`: the built-in one by default),
    labelling a dispute by ``dispute_odds`` (:func:`~compare.judge.stance.dispute_overrides`).
    """
    from compare.judge import RuleJudge

    if shipped_available():
        bundle = _shipped_bundle()
        from compare.embeddings import base_model

        # the int8 model's vectors stand for the default model's: its judge reads them too
        if embedding_model is None or base_model(embedding_model) == bundle.get("embedding_model"):
            if nli is None:
                return sentence_judge(bundle, stance, dispute_odds)
            return TrainedJudge(bundle, nli, stance=stance_file(stance), dispute_odds=dispute_odds)
    return RuleJudge(thresholds)


def sentence_judge(bundle: dict[str, Any] | None = None, stance: str | None = "builtin",
                   dispute_odds: float = DISPUTE_ODDS) -> TrainedJudge:
    """The default: the shipped judge, with the built-in NLI model for pairs of two single passages.

    Two sentences compared on their own are what NLI models are made for: on the
    dev parts the built-in model lifts SICK from 0.800 to 0.851 and SNLI from
    0.608 to 0.795 at one transformer pass per pair. Between accounts (and for a
    headline against an article) it costs labels and minutes instead (the model
    card has the figures), so there the judge reads without it. A headline
    against an article is read with the built-in stance model instead
    (:mod:`compare.judge.stance`).
    """
    bundle = bundle or _shipped_bundle()
    if not builtin_available():
        return TrainedJudge(bundle, stance=stance_file(stance), dispute_odds=dispute_odds)
    return TrainedJudge(bundle, BUILTIN, nli_scope="sentences", stance=stance_file(stance), dispute_odds=dispute_odds)


def stance_file(name: str | Path | None) -> str | None:
    """The stance model file a ``--stance-model`` value names: ``builtin``, ``none`` (None), or a file."""
    if name is None or str(name) == "none":
        return None
    if str(name) == "builtin":
        return str(STANCE_WEIGHTS) if stance_available() else None
    if not Path(name).is_file():
        from compare.errors import InputError

        raise InputError(str(name), "no such stance model: name builtin, none, or a file made by train-stance")
    check_stance_file(name)
    return str(name)


def stance_display_name(path: str | Path) -> str:
    """The name a stance model goes by in reports, before it is loaded."""
    return STANCE_BUILTIN_NAME if Path(path) == STANCE_WEIGHTS else Path(path).name


@lru_cache(maxsize=2)
def stance_model(path: str) -> StanceModel:
    """One loaded stance model per file, shared by every judge that asks for it."""
    return StanceModel(path)


#: The ``--judge`` name of the shipped judge with the built-in NLI model (``--nli-model builtin``).
WITH_NLI = "trained+nli"


@lru_cache(maxsize=4)
def nli_model(name: str) -> NLIModel:
    """One loaded NLI model per name, shared by every judge (and app rerun) that asks for it."""
    return NLIModel(name)


def make_judge(kind: str, thresholds=None, embedding_model: str | None = None, nli: str | None = None,
               stance: str | None = None, dispute_odds: float | None = None):
    """The judge a ``--judge`` option names: ``trained`` (default), ``trained+nli``, ``rules``, or a model file.

    ``stance`` is the ``--stance-model`` value (:func:`stance_file`); without
    one, ``trained`` and ``trained+nli`` read claims against documents with the
    built-in stance model and a judge model file reads without one, so that its
    figures stay those ``train-judge --dev`` printed. ``dispute_odds`` is the
    ``--dispute-odds`` value (default :data:`~compare.judge.stance.DISPUTE_ODDS`).
    """
    from compare.judge import RuleJudge

    odds = DISPUTE_ODDS if dispute_odds is None else dispute_odds
    check_dispute_odds(odds)
    if kind == "rules":
        return RuleJudge(thresholds)
    if kind == WITH_NLI:
        kind, nli = "trained", nli or BUILTIN
    nli = nli_model(nli) if nli else None  # type: ignore[assignment]
    if kind in ("trained", "default"):
        return default_judge(thresholds, embedding_model, nli, "builtin" if stance is None else stance, odds)
    if not Path(kind).is_file():
        from compare.errors import InputError

        raise InputError(kind, "no such judge: name trained, rules, or a judge model file")
    return TrainedJudge(kind, nli, stance=stance_file(stance), dispute_odds=odds)

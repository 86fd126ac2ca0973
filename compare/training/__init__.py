"""``narrative-compare train-judge``: train the judge from public data, reproducibly.

The training pairs come from the files in ``../shared/data`` (see its README),
each read by the readers of :mod:`compare.bench`, and only from the
*train* part of each carve (the *dev* parts are for measuring):

=========  =====================================  ==========================================
dataset    split, part                            classes
=========  =====================================  ==========================================
fnc1       ``train``, train part (80 % of bodies)  agree, disagree -> diverge,
                                                   discuss -> related, unrelated
sick       ``TRAIN`` (TRIAL is the dev split)      entailment -> agree, contradiction ->
                                                   diverge, neutral -> related (relatedness
                                                   >= 3) or unrelated
snli       ``dev``, train part (80 % of premises)  entailment -> agree, contradiction ->
                                                   diverge, neutral -> related
stsb       ``train``                               score >= 4 -> agree, <= 1 -> unrelated
accounts   the train parts of sick, snli, stsb,     as those sets, plus a ``diverge`` twin of
           dealt into pairs of 5-9 sentence         each agree pair (one side negated,
           "accounts" (opt-in; synthetic)           re-counted or re-dated)
briefs     6,000 pairs of those train parts, one    as those sets
           sentence against a short document of
           its partner and 1-2 sentences of another
           set (synthetic; in the shipped recipe)
=========  =====================================  ==========================================

``--carve story`` carves FNC-1 by story instead of by body (see
:func:`compare.datasets.carve_stories`), to measure a recipe on claims it has
never seen. The model's own cross-validation holds out whole groups (an FNC-1
story, a SNLI premise; ``--folds group``, the default) rather than rows
(``--folds row``, the previous recipe); the model card says what each gains and costs.

FNC-1 pairs go through the engine exactly as at evaluation time (headline and
body as two sources, aligned, then judged): the judge learns from the signals it
will be shown. A headline that alignment links to no passage of the body is
shown to the judge with its best-matching passage, so it still teaches what
``unrelated`` looks like. Every sentence pair (SICK, SNLI, STS-B) is judged as
two one-passage sources.

The model is a scikit-learn estimator over :func:`compare.judge.features.pair_features`,
calibrated with :class:`~sklearn.calibration.CalibratedClassifierCV`; the
datasets are weighted so that each counts as much as ``DATASET_WEIGHT`` says,
whatever its size. Everything is seeded (``--seed``).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from compare.bench import FNC_LINK, RecordingJudge, claims_against_documents, sentence_pair_signals
from compare.datasets import carve, carve_fnc1, fnc1_stories, read_fnc1, read_sick, read_snli, read_stsb
from compare.errors import InputError
from compare.judge.features import DEFAULT_GROUPS, GROUPS, pair_features

#: The public sets (``../shared/data``); the others are made from their train parts.
PUBLIC_DATASETS = ("fnc1", "sick", "snli", "stsb")
#: The sets the shipped judge is trained on (the default of ``--datasets``): the public
#: sets and the synthetic ``briefs`` (see :func:`brief_documents`).
TRAIN_DATASETS = (*PUBLIC_DATASETS, "briefs")
#: Every set ``--datasets`` accepts: ``accounts`` is synthetic too (see :func:`account_documents`);
#: the model card says what adding it gains and costs.
ALL_DATASETS = (*PUBLIC_DATASETS, "accounts", "briefs")
#: Relative total weight of each dataset in training (each sums to this).
DATASET_WEIGHT = {"fnc1": 2.0, "sick": 1.5, "snli": 1.0, "stsb": 0.5, "accounts": 1.5, "briefs": 0.5}
FNC_CLASS = {"agree": "agree", "disagree": "diverge", "discuss": "related", "unrelated": "unrelated"}
NLI_CLASS = {"entailment": "agree", "contradiction": "diverge", "neutral": "related"}


#: How the model cross-validates itself: ``row`` (folds by pair) or ``group`` (each
#: group of :func:`collect` in one fold).
FOLDS = ("row", "group")
#: The share of FNC-1 ``unrelated`` training pairs kept (a stable hash picks them).
FNC_UNRELATED_SHARE = 0.4


def _keep(example, share: float) -> bool:
    import hashlib

    digest = hashlib.md5(f"{example.a}|{example.b}".encode("utf-8")).hexdigest()
    return int(digest, 16) % 1000 < share * 1000


def fnc_signals(examples, bodies, embedder, *, progress=None, each=None) -> list:
    """The signals the judge sees for each FNC-1 pair when run through the engine.

    With ``each`` (a function of the signals), returns ``each(signals)`` per pair
    instead, so that features can be taken without holding every pair's signals.
    """
    from compare.judge import Thresholds, label_points
    from compare.records import Point

    each = each or (lambda s: s)
    recorder = RecordingJudge()
    out: list = [None] * len(examples)
    for i, comparison, prepared in claims_against_documents(
        [(e.a, e.b) for e in examples], bodies, embedder, recorder, Thresholds(link=FNC_LINK), progress=progress
    ):
        seen = list(recorder.seen)
        recorder.seen.clear()
        if seen:
            out[i] = each(max(seen, key=lambda s: s.similarity))
            continue
        # Not aligned: the engine would call it silent; show the judge the best pair anyway.
        passages = {p.id: p for p in prepared.passages}
        vectors = {p.id: prepared.vectors[k] for k, p in enumerate(prepared.passages)}
        head = [p for p in prepared.passages if p.source_id == "headline"]
        body = [p for p in prepared.passages if p.source_id == "body"]
        sims = np.stack([vectors[p.id] for p in head]) @ np.stack([vectors[p.id] for p in body]).T
        hi, bi = np.unravel_index(int(np.argmax(sims)), sims.shape)
        point = Point(id="p", summary="", passages={"headline": (head[hi].id,), "body": (body[bi].id,)})
        label_points([point], passages, vectors, recorder, prepared.facts)
        out[i] = each(recorder.last)
        recorder.seen.clear()
    return out


def collect(
    dataset: str,
    data_dir: str | Path,
    part: str,
    embedder,
    *,
    groups=DEFAULT_GROUPS,
    nli=None,
    limit: int | None = None,
    carve_by: str = "key",
    progress: bool | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """(feature rows, judge classes, fold groups) for one dataset's training (``part='train'``) or dev pairs.

    ``carve_by='story'`` carves FNC-1 by story (:func:`compare.datasets.carve_stories`).
    The fold groups keep related pairs together when the model cross-validates
    itself (:class:`StackedModel`, the calibration): an FNC-1 pair's story, a
    SNLI pair's premise, a synthetic account.
    """
    data = Path(data_dir) / dataset
    each = lambda s: pair_features(s, groups, nli)  # noqa: E731
    if dataset == "fnc1":
        examples, bodies = read_fnc1(data, "train")
        story = fnc1_stories(examples)  # the fold groups, and the story carve's map
        examples = carve_fnc1(examples, part, carve_by, story)
        if part == "train":
            # Three in four pairs are unrelated, most of them plainly so: train on a share.
            examples = [e for e in examples if e.label != "unrelated" or _keep(e, FNC_UNRELATED_SHARE)]
        examples = examples[:limit]
        rows = fnc_signals(examples, bodies, embedder, progress=progress, each=each)
        return np.stack(rows), [FNC_CLASS[e.label] for e in examples], [story["h:" + e.a] for e in examples]
    if dataset == "briefs":
        examples, documents = brief_documents(Path(data_dir), part, limit=limit)
        rows = fnc_signals(examples, documents, embedder, progress=progress, each=each)
        return np.stack(rows), [e.label for e in examples], [e.key for e in examples]
    if dataset == "accounts":
        groups_of_pairs = account_documents(Path(data_dir), part, limit=limit)
        rows, labels, folds = [], [], []
        for g, (signals, classes) in enumerate(account_signals(groups_of_pairs, embedder, progress=progress)):
            rows += [each(s) for s in signals]
            labels += classes
            folds += [f"account:{g}"] * len(classes)
        return np.stack(rows), labels, folds
    if dataset not in SENTENCE_SETS:
        raise InputError(None, f"unknown training dataset {dataset!r}")
    examples, labels = sentence_pairs(dataset, Path(data_dir), part)
    examples, labels = examples[:limit], labels[:limit]
    signals = sentence_pair_signals(examples, embedder, progress=progress)
    return np.stack([each(s) for s in signals]), labels, [e.key for e in examples]


SENTENCE_SETS = ("sick", "snli", "stsb")


def sentence_pairs(dataset: str, data_dir: Path, part: str) -> tuple[list, list[str]]:
    """(examples, judge classes) of a sentence-pair set's training (``part='train'``) or dev part."""
    data = data_dir / dataset
    if dataset == "sick":
        examples = read_sick(data, "TRIAL" if part == "dev" else "TRAIN")
        labels = [
            NLI_CLASS[e.label] if e.label != "neutral" or (e.score or 0) >= 3.0 else "unrelated" for e in examples
        ]
    elif dataset == "snli":
        examples = carve(read_snli(data, "dev"), part)
        labels = [NLI_CLASS[e.label] for e in examples]
    else:
        examples = read_stsb(data, "dev" if part == "dev" else "train")
        examples = [e for e in examples if e.score is not None and (e.score >= 4.0 or e.score <= 1.0)]
        labels = ["agree" if e.score >= 4.0 else "unrelated" for e in examples]
    return examples, labels


#: How many sentences each side of a synthetic account has (inclusive range).
ACCOUNT_LENGTH = (5, 9)


def account_documents(data_dir: Path, part: str, *, seed: int = 0,
                      limit: int | None = None) -> list[list[tuple[str, str, str]]]:
    """Synthetic pairs of accounts: groups of ``(sentence, sentence, class)`` that become two documents.

    The sentence pairs of SICK, SNLI and STS-B (the same parts as their own
    sets), plus, for every ``agree`` pair, a ``diverge`` pair in which one side
    is negated, re-counted or re-dated (:mod:`compare.training.perturbations`). The pairs
    are shuffled and dealt into groups of 5 to 9; each group is shown to the
    judge as two multi-passage documents, one sentence of each pair in each, so
    that the judge learns what a paraphrase, a denial or a changed number looks
    like between two accounts, not only between a headline and an article.
    """
    import random

    from compare.training.perturbations import contradicting_versions

    rng = random.Random(seed)
    pairs: list[tuple[str, str, str]] = []
    for dataset in SENTENCE_SETS:
        examples, labels = sentence_pairs(dataset, data_dir, part)
        for e, label in zip(examples, labels):
            pairs.append((e.a, e.b, label))
            if label == "agree":
                versions = contradicting_versions(e.b, rng)
                if versions:
                    pairs.append((e.a, rng.choice(versions)[1], "diverge"))
    rng.shuffle(pairs)
    pairs = pairs[:limit]
    groups: list[list[tuple[str, str, str]]] = []
    while pairs:
        size = rng.randint(*ACCOUNT_LENGTH)
        group, pairs = pairs[:size], pairs[size:]
        # which account holds which sentence of a pair is a coin toss
        groups.append([(a, b, y) if rng.random() < 0.5 else (b, a, y) for a, b, y in group])
    return groups


#: How many sentence pairs become briefs (a share of each set's train part).
BRIEF_PAIRS = 6000


def brief_documents(data_dir: Path, part: str, *, seed: int = 0,
                    limit: int | None = None) -> tuple[list, dict[str, str]]:
    """Synthetic "briefs": one sentence of a pair against a short document holding the other.

    The document is the pair's other sentence with one or two sentences of another
    set beside it, in a random order. A one-sentence source against an account of
    two or three passages is a shape the engine meets between real statements,
    but the only claim-against-document pairs in the public sets are FNC-1
    headlines against long articles, where `agree` and `discuss` are close calls:
    these teach the shape with the sentence pairs' own labels.
    Returns the examples (``b`` is a document id) and the documents by id.
    """
    import random

    from compare.bench import Example

    rng = random.Random(seed)
    pairs, pool = [], {}
    for dataset in SENTENCE_SETS:
        examples, labels = sentence_pairs(dataset, data_dir, part)
        pairs += [(dataset, e, y) for e, y in zip(examples, labels)]
        pool[dataset] = list(dict.fromkeys(t for e in examples for t in (e.a, e.b)))
    rng.shuffle(pairs)
    pairs = pairs[: limit or BRIEF_PAIRS]
    out, documents = [], {}
    for i, (dataset, e, label) in enumerate(pairs):
        claim, kept = (e.a, e.b) if rng.random() < 0.5 else (e.b, e.a)
        others = [d for d in SENTENCE_SETS if d != dataset]
        asides = [rng.choice(pool[rng.choice(others)]) for _ in range(rng.randint(1, 2))]
        passages = [kept, *asides]
        rng.shuffle(passages)
        documents[f"brief:{i}"] = "\n\n".join(passages)
        out.append(Example(claim, f"brief:{i}", label, key=e.key))
    return out, documents


def account_signals(groups: list[list[tuple[str, str, str]]], embedder, *, progress=None):
    """For each group: the judge's signals of its pairs (one point per pair) and their classes."""
    from compare.judge import label_points
    from compare.records import Passage, Point

    texts = list(dict.fromkeys(t for g in groups for a, b, _ in g for t in (a, b)))
    vecs = dict(zip(texts, embedder.embed(texts, progress=progress)))
    recorder = RecordingJudge()
    for g, group in enumerate(groups):
        passages: dict[str, Passage] = {}
        vectors: dict[str, np.ndarray] = {}
        points = []
        offset = {"x": 0, "y": 0}
        for i, pair in enumerate(group):
            ids = {}
            for side, text in zip(("x", "y"), pair[:2]):
                pid = f"{side}:{i}"
                passages[pid] = Passage(pid, side, i, offset[side], offset[side] + len(text), text)
                vectors[pid] = vecs[text]
                offset[side] += len(text) + 1
                ids[side] = (pid,)
            points.append(Point(id=f"g{g}p{i}", summary="", passages=ids))
        recorder.seen.clear()
        label_points(points, passages, vectors, recorder, {})
        yield list(recorder.seen), [y for _, _, y in group]


def make_estimator(kind: str = "stack", seed: int = 0, calibrate: bool = True, params: dict | None = None):
    """The estimator ``kind`` names: ``stack`` (logistic regression feeding gradient-boosted
    trees, the default), ``hgb`` (trees alone) or ``lr`` (logistic regression alone)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    params = dict(params or {})
    if kind == "hgb":
        base = HistGradientBoostingClassifier(
            max_iter=params.pop("max_iter", 300), learning_rate=params.pop("learning_rate", 0.08),
            max_leaf_nodes=params.pop("max_leaf_nodes", 31), l2_regularization=params.pop("l2_regularization", 1.0),
            random_state=seed, early_stopping=False, **params,
        )
    elif kind == "lr":
        base = ScaledLogistic(C=params.pop("C", 0.05))
    elif kind == "stack":
        base = StackedModel(
            columns=params.pop("columns", None), C=params.pop("C", 0.05), max_iter=params.pop("max_iter", 400),
            learning_rate=params.pop("learning_rate", 0.05), max_leaf_nodes=params.pop("max_leaf_nodes", 31),
            l2_regularization=params.pop("l2_regularization", 1.0), seed=seed,
        )
    else:
        raise InputError(None, f"unknown estimator {kind!r} (stack, hgb or lr)")
    if not calibrate:
        return base
    from sklearn.model_selection import StratifiedKFold

    # ensemble=False: the calibration maps are fitted on 3-fold cross-validated
    # predictions, and one model fitted on everything is kept (a third of the size).
    return CalibratedClassifierCV(base, method="sigmoid", cv=StratifiedKFold(3, shuffle=True, random_state=seed),
                                  ensemble=False)


class ScaledLogistic(ClassifierMixin, BaseEstimator):
    """Standardised features, then multinomial logistic regression (takes ``sample_weight``)."""

    def __init__(self, C: float = 0.05, max_iter: int = 3000) -> None:
        self.C = C
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        self.scale_ = X.std(axis=0) + 1e-6
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit((X - self.mean_) / self.scale_, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba((np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def fold_splits(folds: int, X, y, groups=None, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified cross-validation folds, each group of rows in one fold when ``groups`` are given
    (and there are enough of them: a small slice falls back to folds by row)."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    if groups is not None and len(np.unique(groups)) >= folds:
        return list(StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(X, y, groups))
    return list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y))


class StackedModel(ClassifierMixin, BaseEstimator):
    """Logistic regression over every feature (the embedding products included), whose
    out-of-fold class probabilities join the other features in gradient-boosted trees.

    The trees read the few dozen scalar features (``columns``) well but would take
    long over 768 embedding columns; the linear model reads those, and the trees
    learn when to trust it.
    """

    def __init__(self, columns=None, C: float = 0.05, max_iter: int = 200, learning_rate: float = 0.08,
                 max_leaf_nodes: int = 31, l2_regularization: float = 1.0, folds: int = 3, seed: int = 0) -> None:
        self.columns = columns
        self.C = C
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.folds = folds
        self.seed = seed

    def _trees(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization, random_state=self.seed, early_stopping=False,
        )

    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit; with ``groups``, the out-of-fold probabilities hold out whole groups.

        Out-of-fold by group matters: FNC-1 pairs of one story share a claim and
        its words, so a linear model scored on folds that mix stories looks far
        better than it is on a new story, and the trees learn to trust it too
        much (on the story carve's dev part: 80.1 % by row folds, 81.9 % by story;
        the model card has the figures).
        """
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        self.linear_ = ScaledLogistic(self.C).fit(X, y, w)
        self.classes_ = self.linear_.classes_
        oof = np.zeros((len(y), len(self.classes_)))
        for train, test in fold_splits(self.folds, X, y, groups, self.seed):
            fold = ScaledLogistic(self.C).fit(X[train], y[train], w[train])
            probs = fold.predict_proba(X[test])
            for j, c in enumerate(fold.classes_):
                oof[test, list(self.classes_).index(c)] = probs[:, j]
        self.trees_ = self._trees().fit(self._stack(X, oof), y, sample_weight=w)
        return self

    def _stack(self, X, probs):
        cols = X if self.columns is None else X[:, self.columns]
        return np.hstack([cols, probs]).astype(np.float32)

    def predict_proba(self, X):
        return self.trees_.predict_proba(self.stack_features(X))

    def stack_features(self, X) -> np.ndarray:
        """The trees' input for feature rows: the scalar columns beside the linear model's probabilities.

        With :meth:`trees`, :meth:`predict_proba` in two steps: a large event's feature rows are made
        a batch at a time (all at once they would not fit in memory), but their stacked rows are a
        few dozen columns, so the trees can read every row in one call, on all their threads.
        """
        X = np.asarray(X, dtype=np.float32)
        return self._stack(X, self.linear_.predict_proba(X))

    def trees(self) -> StackedTrees:
        """The second step of :meth:`predict_proba`, as a classifier of stacked rows."""
        return StackedTrees(self)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class StackedTrees(ClassifierMixin, BaseEstimator):
    """A :class:`StackedModel`'s trees, reading the rows :meth:`StackedModel.stack_features` makes.

    A classifier of its own, so that a calibration fitted over the stacked model can be applied
    to its output (:mod:`compare.judge.trained` swaps it in for the model).
    """

    def __init__(self, model: StackedModel | None = None) -> None:
        self.model = model

    @property
    def classes_(self):
        return self.model.classes_

    def predict_proba(self, X):
        return self.model.trees_.predict_proba(X)


def scalar_columns(groups) -> list[int]:
    """The indices of the scalar features (not embedding products, not hashed words)."""
    from compare.judge.features import feature_names

    return [i for i, n in enumerate(feature_names(groups)) if not n.startswith(("absdiff_", "prod_", "words_"))]


def sample_weights(labels: list[str], sources: list[str], weights: dict[str, float] | None = None,
                   class_power: float = 0.5) -> np.ndarray:
    """Each dataset sums to its weight; inside one, rare classes count more (balanced ** power)."""
    weights = weights or DATASET_WEIGHT
    out = np.zeros(len(labels))
    by_source = Counter(sources)
    by_class = Counter(zip(sources, labels))
    for i, (lab, src) in enumerate(zip(labels, sources)):
        n_classes = len([k for k in by_class if k[0] == src])
        balanced = by_source[src] / (n_classes * by_class[(src, lab)])
        out[i] = balanced ** class_power
    for src, n in by_source.items():
        mask = np.array([s == src for s in sources])
        out[mask] *= weights.get(src, 1.0) * len(labels) / len(by_source) / out[mask].sum()
    return out


def train_judge(
    data_dir: str | Path,
    out: str | Path | None = None,
    *,
    datasets=TRAIN_DATASETS,
    embedder=None,
    estimator: str = "stack",
    groups=DEFAULT_GROUPS,
    seed: int = 0,
    limit: int | None = None,
    carve_by: str = "key",
    folds: str = "group",
    calibrate: bool = True,
    nli: Any = None,
    params: dict | None = None,
    progress: bool | None = None,
    log=None,
) -> dict[str, Any]:
    """Train a judge and (if ``out``) save it; returns the bundle the judge loads."""
    from compare.embeddings import Embedder

    say = log or (lambda message: print(message, file=sys.stderr))
    embedder = embedder or Embedder()
    groups = tuple(g for g in GROUPS if g in groups)
    if nli is not None and "nli" not in groups:
        groups = (*groups, "nli")
    np.random.seed(seed)
    if folds not in FOLDS:
        raise InputError(None, f"unknown folds {folds!r} (expected one of {', '.join(FOLDS)})")
    rows, labels, sources, fold_groups = [], [], [], []
    started = time.perf_counter()
    for dataset in datasets:
        t0 = time.perf_counter()
        X_d, y, g = collect(dataset, data_dir, "train", embedder, groups=groups, nli=nli, limit=limit,
                            carve_by=carve_by, progress=progress)
        rows.append(X_d)
        labels += y
        fold_groups += g
        sources += [dataset] * len(y)
        say(f"{dataset}: {len(y)} training pairs ({dict(Counter(y))}) in {time.perf_counter() - t0:.0f} s")
    X = np.concatenate(rows)
    # Calibration cross-validates (3 folds): a tiny slice with a rare class skips it.
    calibrate = calibrate and min(Counter(labels).values()) >= 10
    params = dict(params or {})
    if estimator == "stack":
        params.setdefault("columns", scalar_columns(groups))
    model = make_estimator(estimator, seed, calibrate, params)
    weights = sample_weights(labels, sources)
    t0 = time.perf_counter()
    _fit(model, X, np.array(labels), weights, np.array(fold_groups) if folds == "group" else None, seed)
    say(f"fitted {estimator} on {X.shape[0]} pairs x {X.shape[1]} features in {time.perf_counter() - t0:.0f} s")
    bundle = {
        "format": 1,
        "name": f"trained-{estimator}-v1",
        "estimator": model,
        "groups": list(groups),
        "embedding_model": embedder.name,
        "dimension": int(embedder.dimension),
        "n_features": int(X.shape[1]),
        "nli_model": getattr(nli, "name", None),
        "trained_on": {d: int(sources.count(d)) for d in datasets},
        "classes": sorted(set(labels)),
        "seed": seed,
        "fnc1_carve": carve_by,
        "folds": folds,
        "estimator_kind": estimator,
        "params": {k: v for k, v in params.items() if k != "columns"},
        "calibrated": bool(calibrate),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if out is not None:
        save_bundle(bundle, out)
        say(f"wrote {out} ({Path(out).stat().st_size / 1e6:.2f} MB)")
    return bundle


def _fit(model, X, y, weights, folds=None, seed: int = 0) -> None:
    """Fit ``model``; with ``folds`` (a group per row), its cross-validation keeps each group in one fold."""
    from sklearn.calibration import CalibratedClassifierCV
    from threadpoolctl import threadpool_limits

    params: dict[str, Any] = {"sample_weight": weights}
    calibrated = isinstance(model, CalibratedClassifierCV)
    base = model.estimator if calibrated else model
    if folds is not None and isinstance(base, StackedModel):
        params["groups"] = folds
    regroup = folds is not None and calibrated
    splitter = getattr(model, "cv", None)
    if regroup:
        # The calibration maps are fitted on held-out predictions: held out by group,
        # they show how sure the model should be about a story it has not seen.
        model.cv = fold_splits(3, X, y, folds, seed)
    try:
        # One OpenMP thread: on a machine shared with other work, the trees' spinning
        # threads slow the fit down tenfold; alone, one thread costs little.
        with threadpool_limits(limits=1, user_api="openmp"):
            model.fit(X, y, **params)
    finally:
        if regroup:
            model.cv = splitter  # the fold indices were for fitting only (and even a failed fit keeps none)


def save_bundle(bundle: dict[str, Any], out: str | Path) -> None:
    import joblib

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    joblib.dump(bundle, tmp, compress=("xz", 6))
    tmp.replace(out)


ACCOUNT_CLASSES = ("agree", "diverge", "related", "unrelated")


def evaluate_accounts(data_dir: Path, judge, embedder, *, limit: int | None = None,
                      progress: bool | None = None) -> dict[str, Any]:
    """A judge's figures on the dev part of the synthetic accounts (engine labels; silent = unrelated)."""
    from compare.bench.metrics import accuracy, confusion, macro_f1, per_class_f1

    started = time.perf_counter()
    gold: list[str] = []
    pred: list[str] = []
    for signals, classes in account_signals(account_documents(data_dir, "dev", limit=limit), embedder,
                                            progress=progress):
        gold += classes
        many = getattr(judge, "judge_many", None)
        verdicts = many(signals) if many is not None else [judge.judge(s) for s in signals]
        pred += ["unrelated" if v.label == "silent" else v.label for v in verdicts]
    return {
        "dataset": "accounts", "split": "dev", "part": "synthetic", "judge": judge.name, "pairs": len(gold),
        "accuracy": accuracy(gold, pred), "macro_f1": macro_f1(gold, pred, ACCOUNT_CLASSES),
        "per_class_f1": per_class_f1(gold, pred, ACCOUNT_CLASSES),
        "confusion": {"labels": list(ACCOUNT_CLASSES), "matrix": confusion(gold, pred, ACCOUNT_CLASSES)},
        "seconds": time.perf_counter() - started,
    }

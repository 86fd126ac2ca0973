"""The figures each benchmark prints: accuracy, F1, confusion matrices, FNC-1's score, correlations.

The standard ones come from scikit-learn and SciPy; only FNC-1's weighted score,
which no library implements, is written here, after the competition's scorer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are gold labels, columns predicted labels, both in ``labels`` order."""
    return confusion_matrix(gold, pred, labels=list(labels)).tolist()


def per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """F1 of each label (0 for a label neither in the gold nor predicted)."""
    scores = f1_score(gold, pred, labels=list(labels), average=None, zero_division=0.0)
    return {label: float(score) for label, score in zip(labels, scores)}


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """The unweighted mean of :func:`per_class_f1` over ``labels``."""
    return float(f1_score(gold, pred, labels=list(labels), average="macro", zero_division=0.0))


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """The share of exact matches (0 when there is nothing to score)."""
    return float(accuracy_score(gold, pred)) if len(gold) else 0.0


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """The official FNC-1 weighted score and its maximum for these gold labels.

    0.25 for telling related from unrelated, 0.75 more for the right stance of a
    related pair (the competition's scorer.py).
    """
    score = best = 0.0
    for g, p in zip(gold, pred):
        related_g, related_p = g != "unrelated", p != "unrelated"
        best += 1.0 if related_g else 0.25
        if related_g == related_p:
            score += 0.25
            if related_g and g == p:
                score += 0.75
    return score, best


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return float(spearmanr(x, y).statistic)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return float(pearsonr(x, y).statistic)


def class_figures(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix of one labelling."""
    return {"accuracy": accuracy(gold, pred), "macro_f1": macro_f1(gold, pred, labels),
            "per_class_f1": per_class_f1(gold, pred, labels),
            "confusion": {"labels": list(labels), "matrix": confusion(gold, pred, labels)}}

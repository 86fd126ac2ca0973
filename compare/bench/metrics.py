"""The figures each benchmark prints: accuracy, F1, confusion matrices, FNC-1's score, correlations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are gold labels, columns predicted labels, both in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        m[index[g]][index[p]] += 1
    return m


def per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    m = confusion(gold, pred, labels)
    out = {}
    for i, label in enumerate(labels):
        tp = m[i][i]
        predicted = sum(row[i] for row in m)
        actual = sum(m[i])
        out[label] = 2 * tp / (predicted + actual) if predicted + actual else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    scores = per_class_f1(gold, pred, labels)
    return sum(scores.values()) / len(scores)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0.0


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """The official FNC-1 weighted score and its maximum for these gold labels."""
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
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return float(np.corrcoef(np.asarray(x, float), np.asarray(y, float))[0, 1])


def class_figures(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix of one labelling."""
    f1 = per_class_f1(gold, pred, labels)
    return {"accuracy": accuracy(gold, pred), "macro_f1": sum(f1.values()) / len(f1), "per_class_f1": f1,
            "confusion": {"labels": list(labels), "matrix": confusion(gold, pred, labels)}}

"""Stage 6: the words that set each source apart from the others.

Weighted log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi
& Quinn 2008, "Fightin' Words", section 3.5): each source is compared with all
the others pooled, and the prior is the word's share of the whole event, so
rare words are shrunk towards the event's own usage. The z-score divides the
log-odds difference by its estimated standard deviation; |z| > 1.96 is the
usual bar for a term that is distinctive rather than noise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from compare.records import FramingTerm

#: Largest strength of the prior, in pseudo-counts spread over the vocabulary.
#: The prior never weighs more than half the event's own counts, or in a short
#: event it would drown every real difference.
PRIOR_STRENGTH = 500.0
MIN_Z = 1.96


def distinctive_terms(
    texts: Mapping[str, str],
    *,
    top: int = 15,
    min_count: int = 2,
    prior_strength: float = PRIOR_STRENGTH,
    english: bool = True,
) -> dict[str, list[FramingTerm]]:
    """For each source id, its most distinctive terms against the rest (z > 1.96)."""
    ids = list(texts)
    if len(ids) < 2:
        return {sid: [] for sid in ids}
    vectorizer = CountVectorizer(
        lowercase=True,
        stop_words="english" if english else None,
        ngram_range=(1, 2),
        token_pattern=r"(?u)\b[^\W\d_][\w\u2019'-]*[^\W_]\b",
    )
    try:
        counts = vectorizer.fit_transform([texts[s] for s in ids])
    except ValueError:  # nothing but stop words
        return {sid: [] for sid in ids}
    counts = counts.tocsr().astype(np.float64)  # stays sparse: 100 sources x 100k n-grams
    vocab = vectorizer.get_feature_names_out()
    total = np.asarray(counts.sum(axis=0)).ravel()
    alpha = min(prior_strength, 0.5 * total.sum()) * total / total.sum()
    alpha0 = alpha.sum()
    out: dict[str, list[FramingTerm]] = {}
    for row, sid in enumerate(ids):
        y_i = counts[row].toarray().ravel()
        y_j = total - y_i
        n_i, n_j = y_i.sum(), y_j.sum()
        delta = np.log((y_i + alpha) / (n_i + alpha0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + alpha0 - y_j - alpha)
        )
        z = delta / np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
        keep = np.where((y_i >= min_count) & (z > MIN_Z))[0]
        keep = sorted(keep, key=lambda k: (-z[k], vocab[k]))[:top]
        out[sid] = [
            FramingTerm(
                term=str(vocab[k]),
                z=round(float(z[k]), 3),
                log_odds=round(float(delta[k]), 4),
                count=int(y_i[k]),
                others_count=int(y_j[k]),
            )
            for k in keep
        ]
    return out

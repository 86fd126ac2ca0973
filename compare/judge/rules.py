"""The transparent judge: documented rules over the similarity and the discrepancy checks."""

from __future__ import annotations

import numpy as np

from compare.judge.labels import Judgement, PairSignals
from compare.records import Thresholds


#: How strongly each kind of discrepancy speaks for contradiction.
DISCREPANCY_WEIGHT = {"polarity": 0.9, "date": 0.8, "quantity": 0.8, "naming": 0.5, "role": 0.8}


class RuleJudge:
    """The documented rule set above; its scores are read off the same rules.

    ``agreement`` rises linearly from 0 at ``evidence`` to 1 at ``agree``
    similarity and is scaled down by any contradiction; ``contradiction`` is the
    weight of the strongest discrepancy that counts.
    """

    name = "rules-v1"

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        #: Same key, same verdict for the same signals (see :func:`label_points`'s memo).
        self.cache_key = (self.name, self.thresholds)

    def judge(self, signals: PairSignals) -> Judgement:
        t = self.thresholds
        sim = signals.similarity
        counted = [
            d
            for d in signals.discrepancies
            if (d.kind == "naming" and sim >= t.agree) or (d.kind != "naming" and sim >= t.evidence)
        ]
        contradiction = max((DISCREPANCY_WEIGHT[d.kind] for d in counted), default=0.0)
        closeness = float(np.clip((sim - t.evidence) / max(t.agree - t.evidence, 1e-6), 0.0, 1.0))
        agreement = closeness * (1.0 - contradiction)
        if counted:
            kinds = ", ".join(dict.fromkeys(d.kind for d in counted))
            return Judgement("diverge", agreement, contradiction,
                             f"{kinds} discrepancy between passages of similarity {sim:.2f}")
        if sim >= t.agree:
            return Judgement("agree", agreement, contradiction,
                             f"similarity {sim:.2f} >= {t.agree:.2f} and no discrepancy found")
        return Judgement("related", agreement, contradiction,
                         f"similarity {sim:.2f} < {t.agree:.2f}: same point, no clear agreement or discrepancy")

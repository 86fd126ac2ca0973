"""Stage 5, judging: every pair of sources on every point gets a label and its evidence.

:mod:`compare.judge.labels` asks a :class:`Judge` about each pair and builds the
labels; :mod:`compare.judge.rules` is the transparent rule judge;
:mod:`compare.judge.trained` the shipped trained judge (the default), which reads
features (:mod:`compare.judge.features`) and, on some pairs, the built-in NLI and
stance models (:mod:`compare.judge.nli`, :mod:`compare.judge.stance`) built on
the packaged encoder (:mod:`compare.judge.lora`). The shipped weights are in
``weights/``.
"""

from compare.judge.labels import Judge, Judgement, PairSignals, label_points
from compare.judge.rules import RuleJudge
from compare.records import Thresholds

__all__ = ["Judge", "Judgement", "PairSignals", "RuleJudge", "Thresholds", "label_points"]

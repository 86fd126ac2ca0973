"""Teaching the packaged encoder a claim's stance in an article: the built-in stance model's recipe."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from compare.judge.stance import (BUILTIN_WEIGHTS, CONTEXT_PASSAGES, MAX_LENGTH, REFUTING_PASSAGES, STANCE_NAMES,
                                  StanceModel, stance_context)
from compare.training.lora import train_classifier


#: Class weights in training are (balanced weight) ** this: 1 is fully balanced, 0 unweighted.
CLASS_WEIGHT_POWER = 0.75


#: Which FNC-1 train pairs ``train-stance`` learns from.
PARTS = ("story-train", "all")


def training_inputs(data_dir: str | Path, part: str, embedder=None, *, limit: int | None = None,
                    count: int = CONTEXT_PASSAGES, refuting: int = 0,
                    progress: bool = False) -> list[tuple[str, str, int]]:
    """(headline, nearest body passages, stance index) for FNC-1 train's related pairs of ``part``.

    ``part`` is ``story-train`` or ``story-dev`` (the story carve's parts,
    :func:`~compare.datasets.carve_stories`) or ``all``. The body is split
    and embedded as the engine does; ``refuting`` is :func:`stance_context`'s.
    The shipped model learned from the nearest passages only (``refuting=0``,
    ``train-stance``'s default); the judge reads with refuting passages all the
    same, which the model card measures.
    """
    from compare.embeddings import Embedder
    from compare.datasets import carve_stories, read_fnc1
    from compare.passages import passage_texts

    examples, bodies = read_fnc1(Path(data_dir) / "fnc1", "train")
    if part != "all":
        examples = carve_stories(examples, part.removeprefix("story-"))
    examples = [e for e in examples if e.label in STANCE_NAMES][:limit]
    embedder = embedder or Embedder()
    texts = {b: passage_texts(bodies[b], "body") for b in dict.fromkeys(e.b for e in examples)}
    wanted = list(dict.fromkeys([t for ts in texts.values() for t in ts] + [e.a for e in examples]))
    vectors = dict(zip(wanted, embedder.embed(wanted, progress=progress)))
    out = []
    for e in examples:
        passages = texts[e.b]
        context = (stance_context(vectors[e.a], passages, np.stack([vectors[t] for t in passages]), count,
                                  refuting)
                   if passages else bodies[e.b])
        out.append((e.a, context, STANCE_NAMES.index(e.label)))
    return out


def synthetic_disagree(items: Sequence[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """A disagree copy of each agree input whose claim :func:`~compare.training.perturbations.negate` can flip.

    FNC-1 train holds few disagree pairs in unseen stories (561 in the story
    carve's train part), too few for the model to learn what disputing a claim
    looks like. An article that agrees with "X was killed" disputes "X was not
    killed", so each agree pair with its headline negated is a disagree pair
    with the same article, meant to show the model that the claim's polarity
    decides between the two, not the topic. (It also learns that a negated
    claim is often disputed; the model card measures that shortcut.)
    """
    from compare.training.perturbations import negate

    agree, disagree = STANCE_NAMES.index("agree"), STANCE_NAMES.index("disagree")
    out = []
    for claim, context, label in items:
        flipped = negate(claim) if label == agree else None
        if flipped:
            out.append((flipped, context, disagree))
    return out


def class_weights(labels: Sequence[int], power: float = CLASS_WEIGHT_POWER) -> list[float]:
    """(n / (classes * n_class)) ** power for each stance class: rare classes weigh more."""
    counts = np.bincount(np.asarray(labels, dtype=int), minlength=len(STANCE_NAMES)).astype(float)
    return [float((counts.sum() / (len(counts) * c)) ** power) if c else 0.0 for c in counts]


def train_stance(
    data_dir: str | Path,
    out: str | Path,
    *,
    part: str = "story-train",
    epochs: int = 3,
    rank: int = 16,
    learning_rate: float = 5e-4,
    batch: int = 32,
    seed: int = 0,
    power: float = CLASS_WEIGHT_POWER,
    limit: int | None = None,
    synthetic: bool = True,
    context_passages: int = CONTEXT_PASSAGES,
    refuting_passages: int = 0,
    max_length: int = MAX_LENGTH,
    embedder=None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Teach the packaged encoder FNC-1 stance and write the update to ``out`` (safetensors); returns its metadata.

    With ``synthetic`` (the default) the training pairs gain
    :func:`synthetic_disagree`'s negated copies of the agree pairs. The model
    reads the claim with the ``context_passages`` document passages nearest it
    (with ``refuting_passages``, as :func:`stance_context` chooses them), at
    most ``max_length`` tokens in all; the file records these, and the judge
    gives it as many passages in as many tokens.
    """
    show = sys.stderr.isatty() if progress is None else progress
    items = training_inputs(data_dir, part, embedder, limit=limit, count=context_passages,
                            refuting=refuting_passages, progress=show)
    extra = synthetic_disagree(items) if synthetic else []
    items += extra
    weights = class_weights([y for *_, y in items], power)
    return train_classifier(
        items, STANCE_NAMES, out, epochs=epochs, rank=rank, learning_rate=learning_rate, batch=batch, seed=seed,
        max_length=max_length, truncation="only_second", class_weights=weights,
        metadata={"training_pairs": str(len(items)), "part": part, "context_passages": str(context_passages),
                  "refuting_passages": str(refuting_passages),
                  "synthetic_disagree": str(len(extra)),
                  "class_weights": ",".join(f"{w:.4f}" for w in weights), "class_weight_power": str(power)},
        description="Training the stance model", progress=show,
    )


def dev_f1(data_dir: str | Path, weights: str | Path = BUILTIN_WEIGHTS, embedder=None,
           limit: int | None = None) -> dict[str, Any]:
    """The stance model's own per-class F1 on the related pairs of the story carve's dev part, read as the judge reads."""
    from compare.bench.metrics import per_class_f1

    model = StanceModel(weights)
    items = training_inputs(data_dir, "story-dev", embedder, limit=limit, count=model.context_passages,
                            refuting=REFUTING_PASSAGES)
    pred = model.probabilities_many([(a, b) for a, b, _ in items]).argmax(1)
    f1 = per_class_f1([STANCE_NAMES[y] for *_, y in items], [STANCE_NAMES[i] for i in pred], STANCE_NAMES)
    return {"pairs": len(items), "per_class_f1": {k: round(v, 4) for k, v in f1.items()},
            "macro_f1": round(float(np.mean(list(f1.values()))), 4) if items else None}

"""Teaching the packaged encoder natural-language inference: the built-in NLI model's recipe."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

from compare.judge.nli import BUILTIN_ENCODER, BUILTIN_WEIGHTS, MAX_LENGTH, NLI_NAMES, classify, load_builtin
from compare.training.lora import train_classifier


def training_pairs(data_dir: str | Path, part: str, limit: int | None = None) -> list[tuple[str, str, int]]:
    """(premise, hypothesis, label index) from SICK (TRAIN, or TRIAL for ``dev``) and the SNLI dev carve."""
    from compare.bench import carve, read_sick, read_snli

    data_dir = Path(data_dir)
    label = {n: i for i, n in enumerate(NLI_NAMES)}
    sick = read_sick(data_dir / "sick", "TRIAL" if part == "dev" else "TRAIN")[:limit]
    snli = carve(read_snli(data_dir / "snli", "dev"), part)[:limit]
    return [(e.a, e.b, label[e.label]) for e in sick + snli]


def train_nli(
    data_dir: str | Path,
    out: str | Path,
    *,
    epochs: int = 3,
    rank: int = 16,
    learning_rate: float = 5e-4,
    batch: int = 32,
    seed: int = 0,
    limit: int | None = None,
    encoder: str = BUILTIN_ENCODER,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Teach a packaged encoder NLI and write the update to ``out`` (safetensors); returns its metadata.

    Each training pair is seen in both orders with its label, as the model is
    asked in both orders and averaged; only the low-rank updates and the head
    (pooler and classifier) are trained.
    """
    pairs = training_pairs(data_dir, "train", limit)
    show = sys.stderr.isatty() if progress is None else progress
    return train_classifier(
        pairs + [(b, a, y) for a, b, y in pairs], NLI_NAMES, out, epochs=epochs, rank=rank,
        learning_rate=learning_rate, batch=batch, seed=seed, max_length=MAX_LENGTH, encoder=encoder,
        metadata={"training_pairs": str(len(pairs))}, description="Training the NLI model", progress=show,
    )


def dev_accuracy(data_dir: str | Path, weights: str | Path = BUILTIN_WEIGHTS, limit: int | None = None) -> dict:
    """The NLI model's own 3-way accuracy on the SICK TRIAL set and the SNLI dev carve (both orders averaged)."""
    from compare.bench import carve, read_sick, read_snli

    tokenizer, model = load_builtin(weights)
    data_dir = Path(data_dir)
    out = {}
    for name, examples in (("sick_trial", read_sick(data_dir / "sick", "TRIAL")),
                           ("snli_dev", carve(read_snli(data_dir / "snli", "dev"), "dev"))):
        examples = examples[:limit]
        pairs = [(e.a, e.b) for e in examples]
        p = (classify(tokenizer, model, pairs) + classify(tokenizer, model, [(b, a) for a, b in pairs])) / 2
        gold = np.array([NLI_NAMES.index(e.label) for e in examples])
        out[name] = round(float((p.argmax(1) == gold).mean()), 4) if len(gold) else None
    return out

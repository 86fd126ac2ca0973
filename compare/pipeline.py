"""The stages joined up: documents -> passages -> embeddings -> points -> labels -> framing.

Two steps, so that a front end can change thresholds without re-embedding:
:func:`prepare` reads, splits and embeds (the slow part, cached on disk), and
:func:`compare_prepared` aligns, judges and measures framing (fast).
:func:`compare_event` does both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from compare import __version__

from compare import checks
from compare.alignment import align_sources
from compare.documents import load_event
from compare.embeddings import Embedder
from compare.framing import distinctive_terms
from compare.claims import state_claims
from compare.judge import Judge, Thresholds
from compare.records import Comparison, Event, Limits, Passage
from compare.passages import MIN_WORDS, split_passages


#: Extra similarity for linking two passages that a check finds in conflict:
#: "have not blocked the road" and "blocked the road" embed further apart than
#: two paraphrases do, yet belong to the same point.
CONFLICT_BONUS = 0.08


@dataclass
class Prepared:
    """An event read, split and embedded: everything that does not depend on thresholds."""

    event: Event
    passages: list[Passage]
    vectors: np.ndarray
    model: str
    timings: dict[str, float] = field(default_factory=dict)
    embedded: int = 0
    cached: int = 0
    #: passages whose text came earlier in the same event (embedded once, not from the cache)
    repeated: int = 0
    facts: dict[str, checks.PassageFacts] = field(default_factory=dict)
    #: label_points' memo: signals and verdicts per pair of cells, reused across threshold changes
    memo: dict = field(default_factory=dict)
    #: what a reader must know about how the sources were read (passages cut into windows)
    notices: list[str] = field(default_factory=list)


def prepare(
    event: Event,
    embedder: Embedder,
    *,
    min_words: int = MIN_WORDS,
    progress: bool | None = None,
) -> Prepared:
    """Split every source into passages and embed them (through the cache).

    A passage longer than the embedder reads is cut into overlapping windows (by the
    embedder's own tokenizer), and a notice says how many were cut.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    passages = split_event(event, embedder, min_words)
    timings["passages"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    vectors = embedder.embed([p.text for p in passages], progress=progress)
    if getattr(embedder, "is_multilingual", False):
        from compare.embeddings.multilingual import center_by_language

        vectors = center_by_language([p.language for p in passages], vectors)
    timings["embeddings"] = time.perf_counter() - t0
    return Prepared(
        event=event,
        passages=passages,
        vectors=vectors,
        model=embedder.name,
        timings=timings,
        embedded=embedder.stats["embedded"],
        cached=embedder.stats["cached"],
        repeated=embedder.stats.get("repeated", 0),
        notices=cut_notices(passages, getattr(embedder, "reads", None)),
    )


def split_event(event: Event, embedder: Embedder, min_words: int = MIN_WORDS) -> list[Passage]:
    """Every source's passages, a passage longer than ``embedder`` reads cut into windows by its tokenizer."""
    reads = getattr(embedder, "reads", None)
    pieces = getattr(embedder, "piece_spans", None)
    return [p for src in event.sources for p in split_passages(src, min_words, max_pieces=reads, pieces=pieces)]


def cut_notices(passages: list[Passage], reads: int | None) -> list[str]:
    """The notice that passages were cut into windows (none when none was)."""
    firsts = [p for p in passages if p.window and p.window[0] == 1]
    if not firsts:
        return []
    n, windows = len(firsts), sum(p.window[1] for p in firsts if p.window)
    sources = ", ".join(dict.fromkeys(p.source_id for p in firsts))
    were = "passage was" if n == 1 else "passages were"
    return [f"{n} {were} longer than the embedding model reads ({reads} word pieces) and cut into {windows} "
            f"overlapping windows, so that every word is read (in {sources})"]


def compare_prepared(
    prepared: Prepared,
    thresholds: Thresholds | None = None,
    judge: Judge | None = None,
    *,
    framing: bool = True,
) -> Comparison:
    """Align, label and measure framing on a prepared event.

    ``framing=False`` skips the framing terms (an evaluation that reads only the
    labels of many small events saves most of its time there).
    """
    if thresholds is None:
        from compare.embeddings.multilingual import thresholds_for

        thresholds = thresholds_for(prepared.model)  # Thresholds() unless multilingual
    if judge is None:
        from compare.judge.trained import default_judge

        # The shipped trained judge when it fits these embeddings, else the rules.
        judge = default_judge(thresholds, prepared.model)
    event = prepared.event
    order = [s.id for s in event.sources]
    timings = dict(prepared.timings)

    t0 = time.perf_counter()
    facts = prepared.facts

    def conflict_bonus(x: Passage, y: Passage) -> float:
        fx, fy = checks.analysed(x, facts), checks.analysed(y, facts)
        found = checks.find_discrepancies(x, fx, y, fy)
        return CONFLICT_BONUS if any(d.kind != "naming" for d in found) else 0.0

    points = align_sources(
        prepared.passages,
        prepared.vectors,
        order,
        {s.id: len(s.text) for s in event.sources},
        threshold=thresholds.link,
        link_bonus=conflict_bonus,
        max_bonus=CONFLICT_BONUS,
    )
    timings["alignment"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    by_id = {p.id: p for p in prepared.passages}
    vectors = {p.id: prepared.vectors[i] for i, p in enumerate(prepared.passages)}
    claim_notices = state_claims(points, by_id, vectors, order, judge, thresholds, prepared.facts, prepared.memo)
    timings["judging"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    english = all(s.language.split("-")[0].lower() == "en" for s in event.sources)
    framing = distinctive_terms({s.id: s.text for s in event.sources}, english=english) if framing else {}
    timings["framing"] = time.perf_counter() - t0

    return Comparison(
        event=event,
        sources=list(event.sources),
        passages=by_id,
        points=points,
        framing=framing,
        model=prepared.model,
        judge=judge.name,
        settings=asdict(thresholds),
        version=__version__,
        timings=timings,
        notices=[*prepared.notices, *claim_notices],
    )


def compare_event(
    paths: str | Path | Iterable[str | Path] | Event,
    *,
    model: str | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    thresholds: Thresholds | None = None,
    judge: Judge | None = None,
    progress: bool | None = None,
    limits: Limits | None = None,
) -> Comparison:
    """Compare the sources of one event, from paths (folder or files) or a loaded event.

    ``limits`` bounds what is read from paths (default :class:`Limits`, as the command line's).
    """
    t0 = time.perf_counter()
    event = paths if isinstance(paths, Event) else load_event(paths, limits)
    load_time = time.perf_counter() - t0
    from compare.embeddings.multilingual import choose_model

    model, note = choose_model(model, [s.language for s in event.sources])
    if note and progress is not False:
        print(f"narrative-compare: {note}", file=sys.stderr)
    embedder = Embedder(model, cache_dir, use_cache=use_cache)
    prepared = prepare(event, embedder, progress=progress)
    prepared.timings = {"documents": load_time, **prepared.timings}
    return compare_prepared(prepared, thresholds, judge)


#: The thresholds a caller may set (the fields of :class:`Thresholds`).
THRESHOLD_NAMES = ("link", "agree", "evidence", "read")


@dataclass(frozen=True)
class EngineOptions:
    """How events are compared: the model (``None``: chosen by the sources' languages), the embedding
    cache, the thresholds given (the model's own defaults for the rest) and the judge with its options.

    Plain data, so that it can be sent to other processes (``narrative-compare batch``) and hashed
    into the key that tells whether a written report is still that of its input.
    """

    model: str | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    threads: int | None = None
    progress: bool | None = None
    judge: str = "trained"
    nli_model: str | None = None
    stance_model: str | None = None
    dispute_odds: float | None = None
    #: the thresholds given, as (name, value) pairs; the others are the model's defaults
    thresholds: tuple[tuple[str, float], ...] = ()


class Comparer:
    """Prepares and compares events as :class:`EngineOptions` say.

    The embedders and judges are kept between events, so that many events load each model once.
    ``note`` receives the one-line notes a choice of model makes ("the sources are not all English ...").
    """

    def __init__(self, options: EngineOptions, note: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.note = note
        self._embedders: dict[str | None, Embedder] = {}
        self._judges: dict[str, Judge] = {}

    def prepare(self, event: Event, *, loaded: float = 0.0) -> Prepared:
        """Split and embed the event with the model its languages call for; ``loaded`` is the seconds reading took."""
        from compare.embeddings.multilingual import choose_model

        opts = self.options
        model, note = choose_model(opts.model, [s.language for s in event.sources])
        if note and self.note is not None:
            self.note(note)
        if model not in self._embedders:
            self._embedders[model] = Embedder(model, opts.cache_dir, use_cache=opts.use_cache, threads=opts.threads)
        prepared = prepare(event, self._embedders[model], progress=opts.progress)
        prepared.timings = {"documents": loaded, **prepared.timings}
        return prepared

    def release_embedders(self) -> None:
        """Let go of the embedding models loaded so far (the next event loads its model again)."""
        self._embedders.clear()

    def thresholds(self, model: str) -> Thresholds:
        """The thresholds given, and the model's own defaults for the others."""
        from compare.embeddings.multilingual import thresholds_for

        base, given = thresholds_for(model), dict(self.options.thresholds)
        return Thresholds(**{k: given.get(k, getattr(base, k)) for k in THRESHOLD_NAMES})

    def compare(self, prepared: Prepared) -> Comparison:
        """Align, judge and measure framing on a prepared event (the judge is made once per model and thresholds)."""
        from compare.judge.trained import make_judge

        opts = self.options
        thresholds = self.thresholds(prepared.model)
        key = f"{prepared.model}|{thresholds}"
        if key not in self._judges:
            self._judges[key] = make_judge(opts.judge, thresholds, prepared.model, opts.nli_model,
                                           opts.stance_model, opts.dispute_odds)
        return compare_prepared(prepared, thresholds, self._judges[key])

    def __call__(self, event: Event, *, loaded: float = 0.0) -> tuple[Prepared, Comparison]:
        """The prepared event and its comparison."""
        prepared = self.prepare(event, loaded=loaded)
        return prepared, self.compare(prepared)

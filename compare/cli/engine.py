"""The one way the commands turn an event into a comparison from their options (``report``, ``evaluate events``)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from compare.cli.arguments import PROG, limits_from, say
from compare.errors import InputError
from compare.records import Thresholds

if TYPE_CHECKING:
    from compare.pipeline import Prepared
    from compare.records import Comparison, Event

THRESHOLDS = ("link", "agree", "evidence", "read")


def check_thresholds(args: argparse.Namespace) -> None:
    """Refuse a ``--*-threshold`` outside 0..1 (the options a command lacks count as not given)."""
    for name in THRESHOLDS:
        value = getattr(args, f"{name}_threshold", None)
        if value is not None and not 0.0 <= value <= 1.0:
            raise InputError(None, f"--{name}-threshold must be between 0 and 1, not {value}")


class EventComparer:
    """Prepares and compares events as the options say: model chosen by the sources' languages, the model's
    own thresholds for those not given, the judge named by ``--judge`` and its options.

    The embedders and judges are kept between events, so that several events load each model once.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        check_thresholds(args)
        self.args = args
        self._embedders: dict[str | None, Any] = {}
        self._judges: dict[str, Any] = {}

    def __call__(self, event: Event, *, loaded: float = 0.0) -> tuple[Prepared, Comparison]:
        """The prepared event and its comparison; ``loaded`` is the seconds reading it took (for the timings)."""
        from compare.embeddings import Embedder
        from compare.embeddings.multilingual import choose_model, thresholds_for
        from compare.judge.trained import make_judge
        from compare.pipeline import compare_prepared, prepare

        args = self.args
        model, note = choose_model(args.model, [s.language for s in event.sources])
        if note:
            say(f"{PROG}: {note}")
        if model not in self._embedders:
            self._embedders[model] = Embedder(model, args.cache_dir, use_cache=not args.no_cache,
                                              threads=args.threads)
        embedder = self._embedders[model]
        prepared = prepare(event, embedder, progress=args.progress)
        prepared.timings = {"documents": loaded, **prepared.timings}
        base = thresholds_for(embedder.name)  # the model's own defaults, for those not given
        given = {k: getattr(args, f"{k}_threshold", None) for k in THRESHOLDS}
        thresholds = Thresholds(**{k: getattr(base, k) if v is None else v for k, v in given.items()})
        key = f"{embedder.name}|{thresholds}"
        if key not in self._judges:
            self._judges[key] = make_judge(args.judge, thresholds, embedder.name, args.nli_model, args.stance_model,
                                           args.dispute_odds)
        return prepared, compare_prepared(prepared, thresholds, self._judges[key])


def load_and_compare(comparer: EventComparer, paths: Any) -> tuple[Event, Prepared, Comparison]:
    """Read an event from its paths and compare it."""
    from compare.documents import load_event

    started = time.perf_counter()
    event = load_event(paths, limits_from(comparer.args))
    prepared, comparison = comparer(event, loaded=time.perf_counter() - started)
    return event, prepared, comparison

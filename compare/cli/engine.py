"""The one way the commands turn an event into a comparison from their options (``report``, ``evaluate events``)."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING, Any

from compare.cli.arguments import PROG, say
from compare.errors import InputError

if TYPE_CHECKING:
    from compare.pipeline import Comparer, EngineOptions, Prepared
    from compare.records import Comparison, Event, Limits

#: the ``--*-threshold`` options (compare.pipeline.THRESHOLD_NAMES, named here so that ``--help`` loads no model code)
THRESHOLDS = ("link", "agree", "evidence", "read")


def check_thresholds(args: argparse.Namespace) -> None:
    """Refuse a ``--*-threshold`` outside 0..1 (the options a command lacks count as not given)."""
    for name in THRESHOLDS:
        value = getattr(args, f"{name}_threshold", None)
        if value is not None and not 0.0 <= value <= 1.0:
            raise InputError(None, f"--{name}-threshold must be between 0 and 1, not {value}")


def EventComparer(args: argparse.Namespace) -> Comparer:  # noqa: N802 (used as the class it once was)
    """A :class:`~compare.pipeline.Comparer` with the options of the command line: model chosen by the
    sources' languages, the model's own thresholds for those not given, the judge named by ``--judge``.

    The embedders and judges are kept between events, so that several events load each model once.
    """
    from compare.pipeline import Comparer

    return Comparer(engine_options(args), note=lambda message: say(f"{PROG}: {message}"))


def engine_options(args: argparse.Namespace) -> EngineOptions:
    """The :class:`EngineOptions` that a command's options say (those it lacks count as not given)."""
    from compare.pipeline import EngineOptions

    check_thresholds(args)
    given = tuple((k, v) for k in THRESHOLDS if (v := getattr(args, f"{k}_threshold", None)) is not None)
    return EngineOptions(
        model=args.model, cache_dir=args.cache_dir, use_cache=not args.no_cache, threads=args.threads,
        progress=args.progress, judge=args.judge, nli_model=args.nli_model, stance_model=args.stance_model,
        dispute_odds=args.dispute_odds, thresholds=given,
    )


def load_and_compare(comparer: Comparer, paths: Any, limits: Limits) -> tuple[Event, Prepared, Comparison]:
    """Read an event from its paths, within ``limits``, and compare it (the one event of a command)."""
    from compare.documents import load_event

    started = time.perf_counter()
    event = load_event(paths, limits)
    prepared = comparer.prepare(event, loaded=time.perf_counter() - started)
    # The only event: its embedding model is not needed again, and judging a large event needs the memory.
    comparer.release_embedders()
    return event, prepared, comparer.compare(prepared)

"""``narrative-compare evaluate``: measure the engine on a public benchmark, from its own files."""

from __future__ import annotations

import argparse
import json
import sys
import time

from compare.bench import FNC_LINK, dev_overlap_warnings, evaluate, format_result
from compare.cli.arguments import add_judge_arguments, add_limit_arguments, add_model_arguments, limits_from, limits_given
from compare.cli.engine import check_thresholds
from compare.datasets import CARVES, DATASETS
from compare.errors import InputError
from compare.records import LIMIT_OPTIONS

EVENTS = "events"
#: ECB+, a test of point formation rather than of sentence pairs (:mod:`compare.bench.points`)
POINTS = "ecbplus"
#: The options of the public benchmarks that mean nothing to ``events`` (``--name``: attribute).
_DATASET_ONLY = ("data", "split", "part", "carve", "limit", "workers")


def evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Evaluate the engine on a public benchmark, read from its original files (ecbplus: point "
                     "formation), or on events with a claim-level answer key (evaluate events PATH...).")
    p.add_argument("dataset", choices=(*DATASETS, POINTS, EVENTS), help="which benchmark, or 'events'")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="events only: event folders with a claims.yaml, or folders of them (e.g. corpus/)")
    p.add_argument("--data", metavar="DIR",
                   help="the dataset's folder (files in their original names); required but for events")
    p.add_argument("--claims-detail", action="store_true",
                   help="events only: per claim, the key's stance and the engine's for every source")
    p.add_argument("--split", metavar="NAME",
                   help="split by its file name: fnc1 competition_test|train, sick TEST|TRAIN|TRIAL, "
                        "snli test|dev, stsb test|dev|train, mrpc test|train, ecbplus Test|Dev|Train "
                        "(default: the test split)")
    p.add_argument("--part", choices=("all", "dev", "train"),
                   help="this project's carve of the split (dev = 20%% of keys by hash; default all)")
    p.add_argument("--carve", choices=CARVES,
                   help="fnc1 only: carve by body id (key, the default) or by story, so that the dev "
                        "part's claims and articles are all unseen in training, as in the competition test")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pairs (ecbplus: topics; a quick slice)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--link-threshold", type=float, metavar="X",
                   help=f"the engine's link threshold (default: the engine's, {FNC_LINK} for fnc1)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes for the per-pair work of FNC-1 (default: one per core, at most 4)")
    add_judge_arguments(p)
    add_model_arguments(p)
    add_limit_arguments(p)


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the engine on FNC-1, SICK, SNLI, STS-B, MRPC or ECB+, or on events with a claim-level key."""
    from compare.embeddings import Embedder
    from compare.judge.trained import make_judge

    check_options(args)
    if args.dataset == EVENTS:
        return run_events(args)
    if args.limit is not None and args.limit < 1:
        raise InputError(None, f"--limit must be at least 1, not {args.limit}")
    topics = None
    if args.dataset == POINTS:  # the files are read before the models load: a wrong folder is said at once
        from compare.datasets.ecbplus import read_ecbplus

        args.split = args.split or "Test"
        topics = read_ecbplus(args.data, args.split)[: args.limit]
    else:
        args.part, args.carve = args.part or "all", args.carve or "key"
    embedder = Embedder(args.model, args.cache_dir, use_cache=not args.no_cache, threads=args.threads)
    judge = None
    if args.dataset != "stsb":
        judge = make_judge(args.judge, embedding_model=embedder.name, nli=args.nli_model, stance=args.stance_model,
                           dispute_odds=args.dispute_odds)
    thresholds = None
    if args.link_threshold is not None:
        from compare.judge import Thresholds

        check_thresholds(args)
        thresholds = Thresholds(link=args.link_threshold)
    if args.dataset == POINTS:
        return run_points(args, topics, embedder, judge, thresholds)
    if args.dataset == "fnc1" and args.part == "dev":
        for warning in dev_overlap_warnings(judge, args.carve):
            print(f"warning: {warning}", file=sys.stderr)
    result = evaluate(args.dataset, args.data, args.split, part=args.part, carve_by=args.carve, limit=args.limit,
                      thresholds=thresholds, embedder=embedder, judge=judge, workers=args.workers, progress=args.progress)
    if args.json:
        print(json.dumps(result, indent=None, sort_keys=False))
    else:
        print(format_result(result))
    return 0


def check_options(args: argparse.Namespace) -> None:
    """Refuse options that do not go with the dataset chosen."""
    if args.dataset == EVENTS:
        given = [f"--{name}" for name in _DATASET_ONLY if getattr(args, name) is not None]
        if given:
            raise InputError(None, f"evaluate events takes event folders as PATH..., not {', '.join(given)} "
                                   "(those are for the public benchmarks)")
        if not args.paths:
            raise InputError(None, "evaluate events needs one or more PATHs: event folders with a claims.yaml, "
                                   "or a folder of them such as corpus/")
        return
    if args.paths:
        raise InputError(None, f"evaluate {args.dataset} reads its files from --data DIR, not from PATHs "
                               f"({' '.join(args.paths)}); PATHs are for evaluate events")
    if args.data is None:
        raise InputError(None, f"evaluate {args.dataset} needs --data DIR, the dataset's folder")
    if args.claims_detail:
        raise InputError(None, "--claims-detail is for evaluate events")
    if args.dataset == POINTS:
        given = [f"--{name}" for name in ("part", "carve", "workers") if getattr(args, name) is not None]
        if given:
            raise InputError(None, f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} not for ecbplus: "
                                   "its Dev and Train splits are whole files (--split)")
    given = [LIMIT_OPTIONS[name] for name in limits_given(args)]
    if given:
        raise InputError(None, f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for evaluate events")


def run_events(args: argparse.Namespace) -> int:
    """Compare each event as a report does, score it against its claims.yaml, and print the figures."""
    from compare.bench.events import (event_folders, format_events, load_claims_key, score_event, summary,
                                      validate_claims_key)
    from compare.cli.engine import EventComparer
    from compare.documents import load_event

    comparer = EventComparer(args)
    limits = limits_from(args)
    events = []
    for folder in event_folders(args.paths):  # every key is checked before any event is compared
        started = time.perf_counter()
        event, key = load_event(folder, limits), load_claims_key(folder)
        assert key is not None  # event_folders keeps only folders with a key
        validate_claims_key(key, event)
        events.append((event, key, time.perf_counter() - started))
    scores, seconds = [], []
    for event, key, loaded in events:
        started = time.perf_counter()
        _, comparison = comparer(event, loaded=loaded)
        scores.append(score_event(comparison, key))
        seconds.append(loaded + time.perf_counter() - started)
    result = summary(scores, seconds)
    if args.json:
        print(json.dumps(result, indent=None, sort_keys=False))
    else:
        sys.stdout.write(format_events(result, detail=args.claims_detail))
    return 0


def run_points(args: argparse.Namespace, topics: list, embedder, judge, thresholds) -> int:
    """Form points on ECB+ topics and score them against its event coreference (``evaluate ecbplus``)."""
    from compare.bench.points import evaluate_points, format_points

    result = {"split": args.split, **evaluate_points(topics, embedder, judge, thresholds, progress=args.progress)}
    print(json.dumps(result, indent=None, sort_keys=False) if args.json else format_points(result))
    return 0

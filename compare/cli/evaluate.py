"""``narrative-compare evaluate``: measure the engine on a public benchmark, from its own files."""

from __future__ import annotations

import argparse
import json
import sys

from compare.bench import FNC_LINK, dev_overlap_warnings, evaluate, format_result
from compare.cli.arguments import add_judge_arguments, add_model_arguments
from compare.datasets import CARVES, DATASETS
from compare.errors import InputError


def evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Evaluate the engine on a public benchmark, read from its original files."
    p.add_argument("dataset", choices=DATASETS, help="which benchmark")
    p.add_argument("--data", required=True, metavar="DIR", help="the dataset's folder (files in their original names)")
    p.add_argument("--split", metavar="NAME",
                   help="split by its file name: fnc1 competition_test|train, sick TEST|TRAIN|TRIAL, "
                        "snli test|dev, stsb test|dev|train, mrpc test|train (default: the test split)")
    p.add_argument("--part", choices=("all", "dev", "train"), default="all",
                   help="this project's carve of the split (dev = 20%% of keys by hash; default all)")
    p.add_argument("--carve", choices=CARVES, default="key",
                   help="fnc1 only: carve by body id (key, the default) or by story, so that the dev "
                        "part's claims and articles are all unseen in training, as in the competition test")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pairs (a quick slice)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--link-threshold", type=float, metavar="X",
                   help=f"the engine's link threshold (default: the engine's, {FNC_LINK} for fnc1)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes for the per-pair work of FNC-1 (default: one per core, at most 4)")
    add_judge_arguments(p)
    add_model_arguments(p)


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the engine on FNC-1, SICK, SNLI, STS-B or MRPC."""
    from compare.embeddings import Embedder
    from compare.judge.trained import make_judge

    if args.limit is not None and args.limit < 1:
        raise InputError(None, f"--limit must be at least 1, not {args.limit}")
    embedder = Embedder(args.model, args.cache_dir, use_cache=not args.no_cache, threads=args.threads)
    judge = None
    if args.dataset != "stsb":
        judge = make_judge(args.judge, embedding_model=embedder.name, nli=args.nli_model, stance=args.stance_model,
                           dispute_odds=args.dispute_odds)
    thresholds = None
    if args.link_threshold is not None:
        from compare.judge import Thresholds

        if not 0.0 <= args.link_threshold <= 1.0:
            raise InputError(None, f"--link-threshold must be between 0 and 1, not {args.link_threshold}")
        thresholds = Thresholds(link=args.link_threshold)
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

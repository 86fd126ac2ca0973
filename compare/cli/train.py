"""``narrative-compare train-judge``, ``train-nli`` and ``train-stance``: the shipped models' recipes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from compare.cli.arguments import add_model_arguments, add_training_arguments, check_training_arguments
from compare.datasets import CARVES
from compare.errors import InputError
from compare.judge import lora
from compare.judge.features import DEFAULT_GROUPS, GROUPS
from compare.judge.nli import BUILTIN_ENCODER
from compare.judge.stance import CONTEXT_PASSAGES, MAX_LENGTH, REFUTING_PASSAGES, dev_overlap
from compare.training import ALL_DATASETS, FOLDS, TRAIN_DATASETS, evaluate_accounts, train_judge
from compare.training.nli import dev_accuracy, train_nli
from compare.training.stance import CLASS_WEIGHT_POWER, PARTS, dev_f1, train_stance


def nli_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Teach the packaged all-MiniLM-L6-v2 natural-language inference (SICK TRAIN and the SNLI "
                     "dev carve) and write the built-in NLI model (see docs/models/nli.md).")
    p.add_argument("--data", required=True, metavar="DIR", help="the folder holding sick/ and snli/ (e.g. ../shared/data)")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="where to write the model (.safetensors)")
    add_training_arguments(p)
    p.add_argument("--encoder", choices=lora.ENCODERS, default=BUILTIN_ENCODER,
                   help=f"the packaged encoder to teach (default {BUILTIN_ENCODER}, the built-in model's)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N pairs per dataset (a quick run)")
    p.add_argument("--dev", action="store_true", help="then evaluate the new model on the dev parts")


def run_train_nli(args: argparse.Namespace) -> int:
    """Train the built-in NLI model from the public training files."""
    data = Path(args.data)
    for need in (data / "sick", data / "snli"):
        if not need.is_dir():
            raise InputError(str(need), "no such folder (is --data the folder holding sick/ and snli/?)")
    check_training_arguments(args)
    meta = train_nli(data, args.out, epochs=args.epochs, rank=args.rank, learning_rate=args.learning_rate,
                     seed=args.seed, limit=args.limit, encoder=args.encoder, progress=args.progress)
    print(f"wrote {args.out}: {meta['training_pairs']} training pairs, {meta['seconds']} s", file=sys.stderr)
    if args.dev:
        print(json.dumps(dev_accuracy(data, args.out, limit=args.limit)))
    return 0


def stance_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Teach the packaged all-MiniLM-L6-v2 FNC-1's agree / disagree / discuss (headline against "
                     "the body passages nearest it) and write the built-in stance model "
                     "(see docs/models/stance.md).")
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


def run_train_stance(args: argparse.Namespace) -> int:
    """Train the built-in stance model from FNC-1's training files."""
    from compare.embeddings import Embedder

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


def judge_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Train the judge from the public training files (see docs/models/judge.md)."
    p.add_argument("--data", required=True, metavar="DIR",
                   help="the folder holding fnc1/, sick/, snli/ and stsb/ (e.g. ../shared/data)")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="where to write the model (.joblib)")
    p.add_argument("--datasets", default=",".join(TRAIN_DATASETS), metavar="LIST",
                   help=f"comma-separated training sets from {','.join(ALL_DATASETS)} "
                        f"(default {','.join(TRAIN_DATASETS)})")
    p.add_argument("--estimator", choices=("stack", "hgb", "lr"), default="stack",
                   help="model family: stack (logistic regression feeding boosted trees; default), hgb, lr")
    p.add_argument("--groups", default=",".join(DEFAULT_GROUPS), metavar="LIST",
                   help=f"feature groups (default {','.join(DEFAULT_GROUPS)})")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N pairs per dataset (a quick run)")
    p.add_argument("--carve", choices=CARVES, default="key",
                   help="how FNC-1 is carved into train and dev parts: by body id (key, the default) or by "
                        "story (dev claims and articles unseen in training; see evaluate --carve)")
    p.add_argument("--folds", choices=FOLDS, default="group",
                   help="how the stack and the calibration cross-validate: by group (an FNC-1 story, a SNLI "
                        "premise: the default, as the shipped model) or by row (see the model card)")
    p.add_argument("--no-calibrate", action="store_true", help="skip the probability calibration")
    p.add_argument("--nli-model", metavar="NAME_OR_PATH", help="add a CrossEncoder NLI model's probabilities as features")
    p.add_argument("--dev", action="store_true", help="then evaluate the new judge on the dev parts")
    p.add_argument("--json", action="store_true", help="print the dev figures as JSON")
    add_model_arguments(p)


def run_train_judge(args: argparse.Namespace) -> int:
    """Train the judge from the public training files."""
    from compare.embeddings import Embedder
    from compare.judge.trained import NLIModel, TrainedJudge

    datasets = tuple(d.strip() for d in args.datasets.split(",") if d.strip())
    unknown = set(datasets) - set(ALL_DATASETS)
    if unknown:
        raise InputError(None, f"--datasets: unknown {', '.join(sorted(unknown))}")
    groups = tuple(g.strip() for g in args.groups.split(",") if g.strip())
    if set(groups) - set(GROUPS):
        raise InputError(None, f"--groups: unknown {', '.join(sorted(set(groups) - set(GROUPS)))}")
    if not Path(args.data).is_dir():
        raise InputError(args.data, "no such folder")
    embedder = Embedder(args.model, args.cache_dir, use_cache=not args.no_cache, threads=args.threads)
    nli = NLIModel(args.nli_model) if args.nli_model else None
    bundle = train_judge(args.data, args.out, datasets=datasets, embedder=embedder, estimator=args.estimator,
                         groups=groups, seed=args.seed, limit=args.limit, carve_by=args.carve,
                         folds=args.folds, calibrate=not args.no_calibrate,
                         nli=nli, progress=args.progress)
    if args.dev:
        from compare.bench import evaluate, format_result

        judge = TrainedJudge(bundle, nli)
        results = []
        for dataset, split, part in (("fnc1", "train", "dev"), ("sick", "TRIAL", "all"), ("snli", "dev", "dev"),
                                     ("stsb", "dev", "all")):
            if dataset not in datasets:
                continue
            r = evaluate(dataset, Path(args.data) / dataset, split, part=part, limit=args.limit,
                         carve_by=args.carve if dataset == "fnc1" else "key",
                         embedder=embedder, judge=judge, progress=args.progress)
            results.append(r)
            if not args.json:
                print(format_result(r))
        if "accounts" in datasets:
            r = evaluate_accounts(Path(args.data), judge, embedder, limit=args.limit, progress=args.progress)
            results.append(r)
            if not args.json:
                print(format_result(r))
        if args.json:
            print(json.dumps(results))
    return 0

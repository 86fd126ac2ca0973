"""Options that several sub-commands share, and the one way the command speaks on stderr."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields, replace

from compare.documents import limits_from_environment
from compare.errors import InputError
from compare.judge.stance import DISPUTE_ODDS
from compare.records import LIMIT_OPTIONS, LIMIT_VARIABLES, Limits, parse_size

PROG = "narrative-compare"


def say(message: str) -> None:
    """One line on stderr (the report or figures go to stdout)."""
    print(message, file=sys.stderr)


def add_training_arguments(p: argparse.ArgumentParser) -> None:
    """The options every ``train-*`` command of these models shares."""
    p.add_argument("--epochs", type=int, default=3, help="passes over the training pairs (default 3)")
    p.add_argument("--rank", type=int, default=16, help="rank of the weight updates (default 16)")
    p.add_argument("--learning-rate", type=float, default=5e-4, help="peak learning rate (default 5e-4)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal)")


def check_training_arguments(args: argparse.Namespace) -> None:
    """Refuse what :func:`train_classifier` cannot do, before any data is read."""
    if args.epochs < 1 or args.rank < 1:
        raise InputError(None, "--epochs and --rank must be at least 1")


def add_judge_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--judge", default="trained", metavar="NAME",
                   help="trained (the shipped model, the default; it reads two one-sentence sources with the "
                        "built-in NLI model too, and a one-sentence claim against a document with the built-in "
                        "stance model), trained+nli (the built-in NLI model on every pair: better on "
                        "contradictions, slower), rules, or a judge model file")
    p.add_argument("--nli-model", metavar="NAME_OR_PATH",
                   help="'builtin', a file made by train-nli, or a sentence-transformers CrossEncoder NLI model "
                        "(name or folder), whose probabilities the trained judge uses on every pair")
    p.add_argument("--stance-model", metavar="NAME_OR_PATH",
                   help="how the trained judge reads a one-sentence claim against a document: 'builtin' (the "
                        "built-in stance model; the default for trained and trained+nli), 'none' (the default "
                        "for a judge model file), or a file made by train-stance")
    p.add_argument("--dispute-odds", type=float, metavar="X",
                   help="for a claim against a document that the stance model read: label it diverge when that "
                        "is at least 1/X as likely as the likeliest class, agree or related (default "
                        f"{_dispute_odds()}; 1 labels the likeliest class)")


def _dispute_odds() -> str:
    return f"{DISPUTE_ODDS:g}"


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", "-m", metavar="NAME_OR_PATH",
                   help="sentence-transformers model, 'multilingual' for the packaged multilingual-e5-small, or "
                   "'minilm-int8' for the default model quantised to int8 (needs the onnx extra) "
                   "(default: all-MiniLM-L6-v2 when every source is English, else multilingual; both offline)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="embedding cache folder (default: $NARRATIVE_COMPARE_CACHE or ~/.cache/narrative-compare)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the embedding cache")
    p.add_argument("--threads", type=_positive_int, metavar="N",
                   help="torch threads for embedding (default: $NARRATIVE_COMPARE_THREADS, else torch's own "
                        "choice, one per physical core)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal)")


def _byte_count(text: str) -> int:
    """A size in bytes: ``2000000``, ``2MB``, ``500kb``, ``1.5G`` (decimal units, as disks and the limits use)."""
    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def add_limit_arguments(p: argparse.ArgumentParser) -> None:
    """``--max-source-bytes``, ``--max-page-bytes`` and ``--max-sources``: the limits of :class:`Limits`
    (their defaults from the environment, :data:`LIMIT_VARIABLES`)."""
    d = Limits()
    p.add_argument(LIMIT_OPTIONS["source_bytes"], type=_byte_count, metavar="SIZE",
                   help=f"refuse a Markdown or text source larger than this (default ${LIMIT_VARIABLES['source_bytes']}, "
                        f"else {d.source_bytes:,} bytes; "
                        "500KB, 2MB and such are understood)")
    p.add_argument(LIMIT_OPTIONS["page_bytes"], type=_byte_count, metavar="SIZE",
                   help=f"refuse an HTML page larger than this (default ${LIMIT_VARIABLES['page_bytes']}, else "
                        f"{d.page_bytes:,} bytes)")
    p.add_argument(LIMIT_OPTIONS["sources"], type=_positive_int, metavar="N",
                   help=f"refuse an event of more sources than this (default ${LIMIT_VARIABLES['sources']}, else "
                        f"{d.sources})")


def limits_given(args: argparse.Namespace) -> dict[str, int]:
    """The limits given as options, by :class:`Limits` field."""
    values = {f.name: getattr(args, LIMIT_OPTIONS[f.name].lstrip("-").replace("-", "_"), None) for f in fields(Limits)}
    return {k: v for k, v in values.items() if v is not None}


def limits_from(args: argparse.Namespace) -> Limits:
    """The :class:`Limits` the options ask for; for those not given, the environment's, else the defaults."""
    return replace(limits_from_environment(), **limits_given(args))

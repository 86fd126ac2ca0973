"""The ``narrative-compare`` command: a thin shell over the library.

Bad input ends with one line on stderr that names the file and the problem,
and exit status 2; no report file is written (or half-written) then.
``python -m compare`` runs the same command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from compare import __version__
from compare.cli import batch, evaluate, report, train
from compare.cli.arguments import PROG, say
from compare.errors import InputError, ModelLoadError

#: name -> (add its arguments, run it); the order of ``--help``.
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "report": (report.report_arguments, report.run_report),
    "evaluate": (evaluate.evaluate_arguments, evaluate.run_evaluate),
    "train-judge": (train.judge_arguments, train.run_train_judge),
    "train-nli": (train.nli_arguments, train.run_train_nli),
    "train-stance": (train.stance_arguments, train.run_train_stance),
    "batch": (batch.batch_arguments, batch.run_batch),
}


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``narrative-compare`` and all its sub-commands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Show where several accounts of one event agree, diverge, or stay silent.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (add_arguments, run) in COMMANDS.items():
        p = sub.add_parser(name, help=(run.__doc__ or "").strip().splitlines()[0] if run.__doc__ else None)
        add_arguments(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input or a model that cannot load)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (InputError, ModelLoadError) as err:
        say(f"{PROG}: error: {err}")
        return 2
    except KeyboardInterrupt:
        say(f"{PROG}: interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

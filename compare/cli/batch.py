"""``narrative-compare batch``: compare every event of an archive on Ray, with an index across them."""

from __future__ import annotations

import argparse

from compare.cli.arguments import add_judge_arguments, add_limit_arguments, add_model_arguments, limits_from, say


def batch_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Compare every event of a folder of event folders, or of a table of documents (Parquet, JSON "
                     "Lines or CSV with the columns event, party, text), on Ray; write one JSON and one HTML report "
                     "per event and an index. A re-run skips the events already written for the same input.")
    p.add_argument("input", metavar="INPUT", help="a folder of event folders, or a .parquet, .jsonl or .csv table")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="folder for the reports and the index")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="embedding actors and parallel events (default 1); on this machine, the CPUs Ray may use")
    p.add_argument("--address", metavar="ADDR",
                   help="attach to an existing Ray cluster (e.g. 'auto' or 'HOST:6379') instead of starting one here")
    add_model_arguments(p)
    add_judge_arguments(p)
    add_limit_arguments(p)


def run_batch(args: argparse.Namespace) -> int:
    """Compare every event of an archive on Ray and write the reports and an index."""
    from compare.batch import run_batch as run
    from compare.cli.engine import engine_options
    from compare.errors import InputError

    try:
        import ray  # noqa: F401 (only to say plainly that it is missing)
    except ImportError:
        raise InputError(None, "batch needs Ray: pip install 'narrative-compare[batch]'") from None
    try:
        result = run(args.input, args.out, engine_options(args), workers=args.workers, address=args.address,
                     progress=args.progress, say=say, limits=limits_from(args))
    except KeyboardInterrupt:
        # Each event's reports are whole or absent (written, then marked done), so stopping loses no work.
        say(f"narrative-compare: interrupted; the events written to {args.out} are kept, and the same command "
            "again goes on from there")
        return 130
    return 0 if result.events else 2

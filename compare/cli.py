"""The ``narrative-compare`` command: a thin shell over the library.

Bad input ends with one line on stderr that names the file and the problem,
and exit status 2; no report file is written (or half-written) then.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import InputError
from .judging import Thresholds
from .multilingual import choose_model, thresholds_for

PROG = "narrative-compare"
#: Sub-commands register themselves here: name -> (add arguments, run).
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


def command(name: str, add_arguments: Callable[[argparse.ArgumentParser], None]):
    """Register a sub-command (used by the modules that provide one)."""

    def register(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = (add_arguments, run)
        return run

    return register


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Compare the sources of one event and write a report."
    p.add_argument("paths", nargs="+", metavar="PATH", help="an event folder, or two or more source files")
    p.add_argument("--format", "-f", choices=("html", "md", "json"),
                   help="report format (default: from the --out suffix, else html)")
    p.add_argument("--out", "-o", metavar="FILE", help="write here instead of standard output")
    add_model_arguments(p)
    t = Thresholds()
    m = thresholds_for("multilingual")
    p.add_argument("--link-threshold", type=float, metavar="X",
                   help=f"mean cosine similarity for passages to form one point (default {t.link}; {m.link} multilingual)")
    p.add_argument("--agree-threshold", type=float, metavar="X",
                   help=f"similarity at which two sources agree (default {t.agree}; {m.agree} multilingual)")
    p.add_argument("--evidence-threshold", type=float, metavar="X",
                   help=f"similarity above which a discrepancy counts (default {t.evidence}; {m.evidence} multilingual)")
    p.add_argument("--timings", action="store_true", help="print the time of each stage on stderr")
    add_judge_arguments(p)


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
    from .stance import DISPUTE_ODDS

    return f"{DISPUTE_ODDS:g}"


def add_model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", "-m", metavar="NAME_OR_PATH",
                   help="sentence-transformers model, or 'multilingual' for the packaged multilingual-e5-small "
                   "(default: all-MiniLM-L6-v2 when every source is English, else multilingual; both offline)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="embedding cache folder (default: $NARRATIVE_COMPARE_CACHE or ~/.cache/narrative-compare)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the embedding cache")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal)")


@command("report", _report_arguments)
def run_report(args: argparse.Namespace) -> int:
    from .embeddings import Embedder
    from .documents import load_event
    from .pipeline import compare_prepared, prepare
    from .report import write_report

    fmt = args.format or _format_from_suffix(args.out) or "html"
    for name in ("link_threshold", "agree_threshold", "evidence_threshold"):
        value = getattr(args, name)
        if value is not None and not 0.0 <= value <= 1.0:
            raise InputError(None, f"--{name.replace('_', '-')} must be between 0 and 1, not {value}")
    if args.out and not Path(args.out).parent.exists():
        raise InputError(args.out, f"cannot write the report: folder {str(Path(args.out).parent)!r} does not exist")
    started = time.perf_counter()
    event = load_event(args.paths)
    loaded = time.perf_counter() - started
    model, note = choose_model(args.model, [s.language for s in event.sources])
    if note:
        _say(f"{PROG}: {note}")
    embedder = Embedder(model, args.cache_dir, use_cache=not args.no_cache)
    prepared = prepare(event, embedder, progress=args.progress)
    prepared.timings = {"documents": loaded, **prepared.timings}
    base = thresholds_for(embedder.name)  # the model's own defaults, for those not given
    given = {k: getattr(args, f"{k}_threshold") for k in ("link", "agree", "evidence")}
    thresholds = Thresholds(**{k: getattr(base, k) if v is None else v for k, v in given.items()})
    from .trained_judge import make_judge

    judge = make_judge(args.judge, thresholds, embedder.name, args.nli_model, args.stance_model, args.dispute_odds)
    comparison = compare_prepared(prepared, thresholds, judge)
    started = time.perf_counter()
    content = write_report(comparison, fmt, args.out)
    comparison.timings["report"] = time.perf_counter() - started
    if args.out is None:
        sys.stdout.write(content)
    counts = comparison.label_counts()
    _say(
        f"{len(event.sources)} sources, {len(prepared.passages)} passages "
        f"({prepared.embedded} embedded, {prepared.cached} from cache), {len(comparison.points)} points; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + (f"; wrote {args.out}" if args.out else "")
    )
    if args.timings:
        for stage, seconds in comparison.timings.items():
            _say(f"  {stage:<11} {seconds:8.3f} s")
    return 0


def _format_from_suffix(out: str | None) -> str | None:
    if not out:
        return None
    suffix = Path(out).suffix.lower().lstrip(".")
    return {"htm": "html", "html": "html", "md": "md", "markdown": "md", "json": "json"}.get(suffix)


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    _load_commands()
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


def _load_commands() -> None:
    """Import the modules whose sub-commands register themselves (optional ones may be absent)."""
    import importlib

    for module in ("compare.training", "compare.evaluation", "compare.nli", "compare.stance"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name != module:
                raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputError as err:
        _say(f"{PROG}: error: {err}")
        return 2
    except ModelLoadError as err:
        _say(f"{PROG}: error: {err}")
        return 2
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted")
        return 130


class ModelLoadError(Exception):
    """A model that could not be loaded (a wrong name, or a hub model while offline)."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

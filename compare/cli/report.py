"""``narrative-compare report``: compare the sources of one event and write a report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from compare.cli.arguments import PROG, add_judge_arguments, add_limit_arguments, add_model_arguments, limits_from, say
from compare.embeddings.multilingual import thresholds_for
from compare.errors import InputError
from compare.records import Thresholds
from compare.report import COMPACT_FROM_CELLS, is_compressed


def report_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Compare the sources of one event and write a report."
    p.add_argument("paths", nargs="+", metavar="PATH", help="an event folder, or two or more source files")
    p.add_argument("--format", "-f", choices=("html", "md", "json"),
                   help="report format (default: from the --out suffix, else html)")
    p.add_argument("--out", "-o", metavar="FILE",
                   help="write here instead of standard output; a name ending in .gz is written gzip-compressed")
    p.add_argument("--json-style", choices=("compact", "readable"),
                   help="JSON layout: compact (no spaces) or readable (the head indented); default: compact from "
                        f"{COMPACT_FROM_CELLS:,} cells (points x sources), else readable")
    add_model_arguments(p)
    t = Thresholds()
    m = thresholds_for("multilingual")
    p.add_argument("--link-threshold", type=float, metavar="X",
                   help=f"mean cosine similarity for passages to form one point (default {t.link}; {m.link} multilingual)")
    p.add_argument("--agree-threshold", type=float, metavar="X",
                   help=f"similarity at which two sources agree (default {t.agree}; {m.agree} multilingual)")
    p.add_argument("--evidence-threshold", type=float, metavar="X",
                   help=f"similarity above which a discrepancy counts (default {t.evidence}; {m.evidence} multilingual)")
    p.add_argument("--read-threshold", type=float, metavar="X",
                   help=f"similarity from which a source's passage nearest a claim is read against it, the silence "
                        f"check (default {t.read}; {m.read} multilingual; 1 reads none)")
    p.add_argument("--timings", action="store_true", help="print the time of each stage on stderr")
    add_judge_arguments(p)
    add_limit_arguments(p)


def run_report(args: argparse.Namespace) -> int:
    """Compare the sources of one event and write a report."""
    from compare.cli.engine import EventComparer, load_and_compare
    from compare.report import check_output, write_report

    out = None if args.out in (None, "-") else args.out  # "-" is standard output, as is no --out
    fmt = args.format or _format_from_suffix(out)
    if fmt is None:
        if out is not None and _names_another_format(out):
            # An HTML page written to "lachin.pdf" would open as a broken file, or not at all.
            raise InputError(out, "a report is HTML, Markdown or JSON: name the file .html, .md or .json "
                                  "(with .gz after it to compress), or say which with --format")
        fmt = "html"
    comparer = EventComparer(args)  # checks the thresholds
    if out is not None:
        check_output(out)  # before the work starts, so a long comparison does not fail only at the end
    event, prepared, comparison = load_and_compare(comparer, args.paths, limits_from(args))
    started = time.perf_counter()
    try:
        content = write_report(comparison, fmt, out, args.json_style)
    except OSError as err:
        if out is None:
            raise
        # ENOSPC on /dev/full, a FIFO's reader gone, a disk gone read-only
        raise InputError(out, f"cannot write the report: {err.strerror or err}") from None
    comparison.timings["report"] = time.perf_counter() - started
    if out is None:
        sys.stdout.write(content)
    for notice in comparison.notices:
        say(f"{PROG}: {notice}")
    counts = comparison.label_counts()
    say(
        f"{len(event.sources)} sources, {len(prepared.passages)} passages "
        f"({prepared.embedded} embedded, {prepared.cached} from cache"
        + (f", {prepared.repeated} repeated" if prepared.repeated else "")
        + f"), {len(comparison.points)} points; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
        + (f"; wrote {out}" if out else "")
    )
    if args.timings:
        for stage, seconds in comparison.timings.items():
            say(f"  {stage:<11} {seconds:8.3f} s")
    return 0


#: The formats that a report's file name can ask for, by suffix.
_FORMATS = {"htm": "html", "html": "html", "md": "md", "markdown": "md", "json": "json"}


def _format_from_suffix(out: str | None) -> str | None:
    """The format a report's file name asks for, under a ``.gz`` that compresses it (``lachin.json.gz``)."""
    return _FORMATS.get(_suffix(out))


def _names_another_format(out: str) -> bool:
    """Whether the file name ends in a suffix of another kind of file (``.pdf``, ``.txt``, ``.csv``).

    A name without a suffix, or with one that is not a word ("lachin.2022", "notes.v2"), is an HTML report.
    """
    suffix = _suffix(out)
    return suffix.isascii() and suffix.isalpha() and suffix not in _FORMATS


def _suffix(out: str | None) -> str:
    """The suffix of a report's file name, lower case, without the dot, under a ``.gz``."""
    if not out:
        return ""
    path = Path(out)
    if is_compressed(out):
        path = path.with_suffix("")
    return path.suffix.lower().lstrip(".")

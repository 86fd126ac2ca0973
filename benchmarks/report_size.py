"""Report sizes: the JSON (compact and readable), HTML and Markdown of a generated event and of the Lachin event.

Run from the repository root:

    python benchmarks/report_size.py                         # 100 x 100 generated, and corpus/lachin-road-2022
    python benchmarks/report_size.py --documents 100 --passages 30

Each event goes through the real pipeline (the default model and judge; the
embedding cache in a temporary folder unless --cache-dir), then every format is
rendered and counted in bytes without being held whole. Figures are printed,
never asserted; the target is beside them. Run with another checkout's
``compare`` on PYTHONPATH to measure its reports the same way (an older one
without JSON styles gets its own layout).
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LACHIN = ROOT / "corpus" / "lachin-road-2022"
TARGET_JSON_MB = 30.0


def sizes(comparison, formats: list[tuple[str, str | None]]) -> list[tuple[str, float, float, float]]:
    """(label, MB, MB gzip-compressed, seconds) of each (format, JSON style) rendered in chunks."""
    from compare import report

    styled = "json_style" in inspect.signature(report.render_chunks).parameters
    out = []
    for fmt, style in formats:
        if style and not styled:
            continue
        started = time.perf_counter()
        chunks = report.render_chunks(comparison, fmt, style) if styled else report.render_chunks(comparison, fmt)
        # Compressed as `--out NAME.gz` writes it (gzip at the writer's level), counted as it streams by.
        packer = zlib.compressobj(getattr(report, "GZIP_LEVEL", 6), zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        total = packed = 0
        for chunk in chunks:
            data = chunk.encode("utf-8")
            total += len(data)
            packed += len(packer.compress(data))
        packed += len(packer.flush())
        out.append((f"{fmt} {style}" if style else fmt, total / 1e6, packed / 1e6, time.perf_counter() - started))
    return out


def measure(event: Path, cache: Path) -> None:
    from compare.documents import load_event
    from compare.embeddings import Embedder
    from compare.pipeline import compare_prepared, prepare

    started = time.perf_counter()
    prepared = prepare(load_event([str(event)]), Embedder(None, str(cache)), progress=False)
    comparison = compare_prepared(prepared)
    cells = len(comparison.points) * len(comparison.sources)
    speaking = sum(len(p.pairs) for p in comparison.points)
    print(f"\n{event.name}: {len(comparison.sources)} sources, {len(prepared.passages)} passages, "
          f"{len(comparison.points)} points, {cells} cells, {speaking} pairs of speaking sources "
          f"({time.perf_counter() - started:.0f} s to compare)")
    for label, mb, packed, seconds in sizes(comparison, [("json", "compact"), ("json", "readable"), ("json", None),
                                                         ("html", None), ("md", None)]):
        print(f"    {label:<14} {mb:9.2f} MB, {packed:7.2f} MB as .gz  ({seconds:.1f} s to render and compress)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100, help="generated documents (default 100; 0: none)")
    parser.add_argument("--passages", type=int, default=100, help="passages per document (default 100)")
    parser.add_argument("--cache-dir", metavar="DIR", help="embedding cache (default: a temporary folder)")
    parser.add_argument("--no-lachin", action="store_true", help="only the generated event")
    args = parser.parse_args(argv)
    from compare import (
        report,  # before engine, which puts this checkout first on the path
    )

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from engine import generate_event

    print(f"report sizes, schema {report.SCHEMA}; target: the 100 x 100 JSON {TARGET_JSON_MB:.0f} MB or less")
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(args.cache_dir) if args.cache_dir else Path(scratch) / "cache"
        if not args.no_lachin:
            measure(LACHIN, cache)
        if args.documents:
            event = Path(scratch) / f"generated-{args.documents}x{args.passages}"
            generate_event(event, args.documents, args.passages)
            measure(event, cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())

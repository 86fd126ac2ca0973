"""Seconds per MB of reading, splitting and the checks on 1 MB inputs of hostile shapes.

    .venv/bin/python benchmarks/checks_speed.py [--mb 1] [--limit 120]

The shapes are those of issue 31: one long word inside a name, long runs of digits, text with
no punctuation at all, many names, and control characters. For each, printed in seconds per MB:

* **read**: the bytes decoded and read as a Markdown source (``decode_text``, ``source_from_text``);
* **split**: ``split_passages`` with the default model's limit (254 word pieces, counted by its
  tokenizer), which cuts a long passage into windows;
* **checks, windows**: ``analyse`` on every passage, then ``find_discrepancies`` between each
  passage and its counterpart in a variant of the text (a letter, a digit and a negation changed),
  as the pipeline meets them;
* **checks, one passage**: the same on the whole input as one passage, the worst case (the
  library's checks called directly, without the splitter).

Each measurement runs under an alarm of ``--limit`` seconds and prints "> N s" past it: a
measurement that needs more is a regression to look at. Nothing is asserted; the machine is
shared, so read the figures as orders of magnitude.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shapes(size: int) -> dict[str, str]:
    """Texts of about ``size`` characters, one per hostile shape (seeded: every run reads the same)."""
    rng = random.Random(31)
    words = ["the", "road", "was", "closed", "by", "forces", "on", "Monday", "and", "trucks", "could", "not",
             "pass", "we", "said", "that", "people", "were", "counted", "at", "the", "gate"]
    names = ["Lachin", "Mill", "Street", "Baltic", "Freight", "Northern", "Shipping", "Red", "Cross", "Stepanakert",
             "Goris", "Armenia", "Azerbaijan", "Kyongsang", "Kyeongsang", "Harbour", "Authority", "Corporation"]

    def fill(make: Callable[[], str]) -> str:
        parts, n = [], 0
        while n < size:
            parts.append(make())
            n += len(parts[-1]) + 1
        return " ".join(parts)[:size]

    controls = [chr(c) for c in range(1, 32) if chr(c) not in "\n\r"] + ["\x7f", "\u200b", "\u202e", "\ufeff"]
    return {
        "one long word in a name": "The trucks reached Lachin X" + "a" * (size - 60) + "b corridor on Monday.",
        "long digit runs": fill(lambda: "".join(rng.choice("0123456789") for _ in range(rng.randint(500, 5000)))
                                + " people were counted"),
        "no punctuation": fill(lambda: rng.choice(words)),
        "many names": fill(lambda: " ".join(rng.choice(names) for _ in range(rng.randint(1, 4)))
                           + rng.choice([",", " and", " of", " said", "."])),
        "control characters": fill(lambda: rng.choice(words) + "".join(rng.choice(controls)
                                                                        for _ in range(rng.randint(0, 3)))),
    }


def variant(text: str) -> str:
    """The text with a letter, a digit and a negation changed, so that the checks have work to do."""
    return text.replace("a", "e", 50).replace("7", "3", 50).replace(" not ", " ", 50).replace(" was ", " was not ", 50)


class TooLong(Exception):
    pass


def timed(limit: int, work: Callable[[], object]) -> float | None:
    """Seconds ``work`` took, or None when it ran past ``limit`` seconds."""
    def stop(*_):
        raise TooLong

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(limit)
    started = time.perf_counter()
    try:
        work()
        return time.perf_counter() - started
    except TooLong:
        return None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="input size in MB (default 1)")
    parser.add_argument("--limit", type=int, default=120, help="seconds allowed per measurement (default 120)")
    args = parser.parse_args(argv)

    from compare import checks
    from compare.documents import decode_text, source_from_text
    from compare.embeddings import Embedder
    from compare.passages import split_passages
    from compare.records import Passage

    embedder = Embedder(None, use_cache=False)
    reads, pieces = embedder.reads, embedder.piece_spans
    size = int(args.mb * 1_000_000)
    print(f"checks speed on {args.mb:g} MB inputs; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; "
          f"windows of {reads} word pieces")
    print(f"{'shape':<26} {'read':>8} {'split':>8} {'windows':>8} {'checks, windows':>16} {'checks, one passage':>20}"
          "   (seconds per MB)")
    for name, text in shapes(size).items():
        raw = text.encode("utf-8")
        mb = len(raw) / 1e6
        got: dict[str, object] = {}

        def read() -> None:
            got["source"] = source_from_text(decode_text(raw, "x.md"), path="x.md", default_party="x")

        def split() -> None:
            source = got["source"]
            other = source.__class__(**{**source.__dict__, "id": "y", "text": variant(source.text)})
            got["passages"] = split_passages(source, max_pieces=reads, pieces=pieces)
            got["others"] = split_passages(other, max_pieces=reads, pieces=pieces)

        def check_windows() -> None:
            for a, b in zip(got["passages"], got["others"]):
                checks.find_discrepancies(a, checks.analyse(a), b, checks.analyse(b))

        def check_whole() -> None:
            text = got["source"].text
            a = Passage("x:0", "x", 0, 0, len(text), text)
            b = Passage("y:0", "y", 0, 0, len(variant(text)), variant(text))
            checks.find_discrepancies(a, checks.analyse(a), b, checks.analyse(b))

        cells = []
        for work in (read, split, check_windows, check_whole):
            seconds = timed(args.limit, work)
            cells.append(f"> {args.limit} s" if seconds is None else f"{seconds / mb:.2f}")
            if seconds is None and work in (read, split):
                cells += ["-"] * (4 - len(cells))
                break
        windows = sum(1 for p in got.get("passages", ()) if p.window)
        print(f"{name:<26} {cells[0]:>8} {cells[1]:>8} {windows:>8} {cells[2]:>16} {cells[3]:>20}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

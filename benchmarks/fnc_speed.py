"""What FNC-1 evaluation costs through the engine, with and without the built-in stance model.

    .venv/bin/python benchmarks/fnc_speed.py [--data ../shared/data/fnc1] [--split train] [--part dev]
                                             [--carve story] [--judge FILE] [--stance-model FILE]
                                             [--empty-cache]

Embeds the split's headlines and bodies once (into a temporary cache with
``--empty-cache``, and that time is printed apart), then evaluates it twice in
this one run: with the default judge (which reads a headline against its
article with the built-in stance model) and with the same judge without the
stance model. ``--judge FILE`` takes another judge model (``train-judge --carve
story`` makes one whose story-carve figures are fair) and ``--stance-model
FILE`` another stance model (``train-stance --part story-train`` likewise). Prints the pairs, the seconds and pairs per second of each, their
ratio, the figures, and what the competition test split (25,413 pairs) would
take at each rate. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TEST_PAIRS = 25_413


def main(argv: list[str] | None = None) -> int:
    from compare.embeddings import Embedder
    from compare.errors import InputError
    from compare.bench import carve_fnc1, dev_overlap_warnings, evaluate, read_fnc1
    from compare.passages import passage_texts
    from compare.judge.trained import load_bundle, sentence_judge

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "fnc1"), help="the fnc1 folder")
    parser.add_argument("--split", default="train", help="train or competition_test (default train)")
    parser.add_argument("--part", default="dev", choices=("all", "dev", "train"), help="default dev")
    parser.add_argument("--carve", default="story", choices=("key", "story"), help="default story")
    parser.add_argument("--workers", type=int, help="as for evaluate (default: one per core, at most 4)")
    parser.add_argument("--judge", metavar="FILE", help="a judge model file (default: the shipped one, which "
                        "was trained on the body-id carve's train part: its story-carve figures are flattered)")
    parser.add_argument("--stance-model", metavar="FILE", default="builtin",
                        help="the stance model file (default: the built-in one; a train-stance --part story-train "
                        "file keeps the story carve's dev part unseen)")
    parser.add_argument("--empty-cache", action="store_true", help="embed into a fresh temporary cache")
    args = parser.parse_args(argv)
    try:  # before any embedding, so that a bad file fails at once
        bundle = load_bundle(args.judge) if args.judge else None
        default = sentence_judge(bundle, stance=args.stance_model)
    except (InputError, OSError, ValueError) as err:  # a missing or foreign model file
        print(f"error: {err}", file=sys.stderr)
        return 2
    plain = sentence_judge(default.bundle, stance=None)
    if args.split == "train" and args.part == "dev":
        for warning in dev_overlap_warnings(default, args.carve):
            print(f"warning: {warning}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="nc-fnc-") as tmp:
        embedder = Embedder(None, tmp if args.empty_cache else None)
        examples, bodies = read_fnc1(args.data, args.split)
        if args.part != "all":
            examples = carve_fnc1(examples, args.part, args.carve)
        started = time.perf_counter()
        texts = {t for b in {e.b for e in examples} for t in passage_texts(bodies[b], "body")}
        embedder.embed(sorted(texts | {e.a for e in examples}), progress=False)
        print(f"{len(examples)} pairs, {len({e.b for e in examples})} bodies; embedding "
              f"{len(texts)} body passages and the headlines: {time.perf_counter() - started:.1f} s")
        rates = {}
        for name, judge in (("default (with the stance model)", default), ("without the stance model", plain)):
            result = evaluate("fnc1", args.data, args.split, part=args.part, carve_by=args.carve, embedder=embedder,
                              judge=judge, workers=args.workers, progress=False)
            rates[name] = result["pairs"] / result["seconds"]
            f1 = " / ".join(f"{v:.3f}" for v in result["per_class_f1"].values())
            print(f"  {name:<34} {result['seconds']:7.1f} s, {rates[name]:5.1f} pairs/s; score "
                  f"{result['fnc_score']:.2f} %, macro-F1 {result['macro_f1']:.3f}, F1 {f1}; the test split "
                  f"would take {TEST_PAIRS / rates[name] / 60:.1f} min after embedding")
        first, second = rates.values()
        print(f"  ratio of the times (with / without): {second / first:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

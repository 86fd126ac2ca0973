"""What the built-in NLI model costs: the corpus events labelled by ``trained`` and by ``trained+nli``.

    .venv/bin/python benchmarks/nli_speed.py [--events teaching-junction,lachin-road-2022]

For each event, embeds it once (the embedding cache of the run, in a temporary
folder), then times the labelling with the shipped judge and with the shipped
judge plus the built-in NLI model (its own cache of pair probabilities empty),
and prints the pairs judged, the seconds of each, the NLI model's pairs per
second (both orders of each pair count as one) and the label counts of each. The
time to load the NLI model is printed apart. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from compare.documents import load_event
    from compare.embeddings import Embedder
    from compare.judge import Thresholds
    from compare.judge.nli import BUILTIN, NLIModel
    from compare.pipeline import compare_prepared, prepare
    from compare.judge.trained import TrainedJudge

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="teaching-junction,lachin-road-2022",
                        help="comma-separated event folder names under corpus/")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    nli = NLIModel(BUILTIN)
    print(f"load the built-in NLI model: {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="nc-bench-") as cache:
        embedder = Embedder(None, cache)
        for name in args.events.split(","):
            event = load_event([ROOT / "corpus" / name])
            prepare(event, embedder, progress=False)  # embeds once; the runs below read the cache
            print(f"\n{name}: {len(event.sources)} sources")
            for label, judge in (("trained", TrainedJudge.shipped()), ("trained+nli", TrainedJudge.shipped(nli))):
                # A fresh preparation: its memo of pair signals is empty, as on a first load.
                prepared = prepare(event, embedder, progress=False)
                nli._cache.clear()  # every pair through the model
                t = time.perf_counter()
                comparison = compare_prepared(prepared, Thresholds(), judge)
                seconds = time.perf_counter() - t
                judged = sum(1 for p in comparison.points for lab in p.pairs.values() if lab.evidence.judge)
                rate = f", {judged / seconds:.0f} pairs/s" if label != "trained" else ""
                counts = ", ".join(f"{k} {v}" for k, v in comparison.label_counts().items())
                print(f"  {label:<12} {judged:5d} pairs judged in {seconds:6.2f} s{rate}; {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What claims cost and what they find: the Lachin report from an empty cache, and the silence check's share.

    .venv/bin/python benchmarks/claims.py [--event lachin-road-2022]

Runs ``narrative-compare report`` on the event in a fresh embedding cache, as a
user's first run would (a child process, so start-up counts too), and prints the
wall time against the target (20 s on 2 cores). Then, in this process and with
the embeddings cached, times the claims stage with and without the silence
check (``Thresholds.read`` at 1.0 reads no passage that alignment left
elsewhere), and prints the report's counts: claims, claims with one source
speaking, stances, pair labels, disputes. Nothing is asserted; the machine is
shared, so read the figures as ratios measured in one run.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 20.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", default="lachin-road-2022", help="an event folder name under corpus/")
    args = parser.parse_args(argv)
    folder = ROOT / "corpus" / args.event
    print(f"claims benchmark on {args.event}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory(prefix="nc-claims-") as cache:
        out = Path(cache) / "report.html"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "compare", "report", str(folder), "--out", str(out),
                               "--cache-dir", cache, "--timings", "--no-progress"],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        print(f"\n1. report from an empty cache: {wall:.1f} s (target <= {TARGET_SECONDS:g} s: "
              f"{'met' if wall <= TARGET_SECONDS else 'NOT met'})")
        print("   " + done.stderr.strip().replace("\n", "\n   "))

        from compare.documents import load_event
        from compare.embeddings import Embedder
        from compare.embeddings.multilingual import thresholds_for
        from compare.judge.trained import default_judge
        from compare.pipeline import compare_prepared, prepare

        embedder = Embedder(None, cache)
        prepared = prepare(load_event(folder), embedder, progress=False)
        thresholds = thresholds_for(embedder.name)
        timed = {}
        for name, settings in (("with the silence check", thresholds),
                               ("without it (read = 1.0)", replace(thresholds, read=1.0))):
            # A fresh judge each time, loaded before timing: the stance and NLI models remember
            # what they read, which would flatter the second run; loading is not reading.
            judge = default_judge(thresholds, embedder.name)
            judge.stance, judge.nli
            prepared.memo.clear()
            t0 = time.perf_counter()
            comparison = compare_prepared(prepared, settings, judge, framing=False)
            timed[name] = (time.perf_counter() - t0, comparison)
        with_check, without = timed["with the silence check"], timed["without it (read = 1.0)"]
        print(f"\n2. the claims stage (embeddings cached): {with_check[0]:.2f} s with the silence check, "
              f"{without[0]:.2f} s without; the check costs {with_check[0] - without[0]:.2f} s")
        for name, (_, comparison) in timed.items():
            points = comparison.points
            stances = collections.Counter(p.stance for point in points for p in point.positions.values())
            placed = sum(p.placed for point in points for p in point.positions.values())
            disputes = [point for point in points if any(lab.label == "diverge" for lab in point.pairs.values())]
            print(f"\n   {name}: {len(points)} claims, {sum(len(p.speakers) == 1 for p in points)} with one source "
                  f"speaking, {len(disputes)} disputed; stances {dict(stances)}; {placed} passages placed by the "
                  f"silence check; pair labels {comparison.label_counts()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

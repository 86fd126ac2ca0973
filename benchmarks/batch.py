"""Batch benchmark: ``narrative-compare batch`` on Ray against a plain loop, on real and generated archives.

    python benchmarks/batch.py                 # 30 events of each archive (a slice: see docs/batch.md)
    python benchmarks/batch.py --events 1000 --only generated --no-one-thread-loop
                                               # the issue's size (about an hour on 2 cores)

Two archives: the FNC-1 archive (benchmarks/fnc_archive.py: real news bodies, at most 8 per story)
and a generated one (events of 8 sources, each of 12 sentences drawn from a seeded pool of claims
with numbers, days and negations varied). On each, with an empty embedding cache every time:

1. the plain single-process loop (``run_batch(engine="local")``), the reference, twice: with
   torch's own thread count (every core, as ``report`` runs) and with one torch thread, the CPU
   that Ray gives a worker (``--workers 1`` declares one CPU, and Ray sets one thread in it);
2. Ray with 1 worker and with 2 workers: documents per second, the ratio 2:1, and Ray's overhead
   against both plain loops (target under 10%: against the loop with the same CPU, it is Ray's
   own cost; against the all-core loop, it includes the core that one worker does not use);
   Ray's start-up is timed apart, since a long batch pays it once;
3. the peak resident memory of each Ray worker process, by role (embedding actors, event-task workers);
4. resume: half of the events' ``.done.json`` removed (a batch stopped half-way), the same
   command again with 2 workers; and a finished batch run again (everything skipped).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fnc_archive import FNC, fnc_rows, write_table  # noqa: E402

from compare.batch.run import EVENTS_DIR, DONE_SUFFIX, BatchResult, run_batch  # noqa: E402
from compare.pipeline import EngineOptions  # noqa: E402

PLACES = ["Arden", "Belmont", "Corlis", "Dunmore", "Elsby", "Fenwick", "Garrow", "Hollin"]
CLAIMS = [
    "The bridge at {place} was closed on {day} after {n} trucks were stopped.",
    "{n} people were evacuated from {place} by {day} evening.",
    "The governor said the water supply in {place} {was} restored on {day}.",
    "Police {did} use tear gas against {n} protesters near the {place} station.",
    "The river rose by {n} metres at {place} during the night to {day}.",
    "Aid convoys {did} reach {place}, carrying {n} tonnes of food.",
    "The army {did} set up a checkpoint on the road to {place}.",
    "{n} houses in {place} were damaged, the mayor said on {day}.",
    "Schools in {place} {was} closed until {day} on the ministry's order.",
    "Electricity in {place} was cut for {n} hours on {day}.",
    "Residents of {place} accused the company of ignoring {n} warnings.",
    "An inquiry into the events at {place} will report by {day}.",
    "The mayor of {place} {did} resign on {day}.",
    "{n} journalists were refused entry to {place} on {day}.",
    "Volunteers cleared {n} streets of {place} by {day} night.",
    "The ministry denied that {n} wells in {place} were poisoned.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def generated_rows(events: int, sources: int = 8, sentences: int = 12, seed: int = 7) -> list[dict]:
    """A seeded archive: each source tells its event from the same pool of claims, some with other values or negated."""
    rng = random.Random(seed)
    rows = []
    for e in range(events):
        place = f"{rng.choice(PLACES)} {e}"
        facts = {k: {"n": rng.randint(2, 90), "day": rng.choice(DAYS)} for k in range(len(CLAIMS))}
        for s in range(sources):
            picked = rng.sample(range(len(CLAIMS)), sentences)
            text = []
            for k in picked:
                f = dict(facts[k])
                if rng.random() < 0.2:
                    f["n"] = f["n"] + rng.randint(1, 30)
                negate = rng.random() < 0.15
                text.append(CLAIMS[k].format(place=place, was="was not" if negate else "was",
                                             did="did not" if negate else "did", **f))
            rows.append({"event": f"generated {e:05d}", "party": f"outlet {s}", "text": " ".join(text), "title": None})
    return rows


def start_ray(workers: int) -> float:
    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    t0 = time.perf_counter()
    ray.init(address="local", num_cpus=workers, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    return time.perf_counter() - t0


def plain_loop(table: Path, out: Path, options: EngineOptions, threads: int) -> BatchResult:
    """The plain single-process loop with ``threads`` torch threads (run in a process of its own)."""
    import torch

    torch.set_num_threads(threads)
    return run_batch(table, out, options, engine="local")


def peaks_by_role(peak_mb: dict[tuple[str, int], float]) -> str:
    """"embedding 776, 776; events 1683, 1670": each role's processes, largest first."""
    parts = []
    for role in ("embedding", "events"):
        peaks = sorted((mb for (of, _pid), mb in peak_mb.items() if of == role), reverse=True)
        parts.append(f"{role} " + ", ".join(f"{mb:.0f}" for mb in peaks))
    return "; ".join(parts)


def measure(table: Path, work: Path, options: EngineOptions, label: str, one_thread_loop: bool = True) -> None:
    import ray
    import torch

    print(f"\n== {label}: {table.name}")
    plain = {}
    for threads in sorted({torch.get_num_threads(), 1} if one_thread_loop else {torch.get_num_threads()}, reverse=True):
        # Each loop in a fresh process, as each Ray worker is: the models and their caches start cold.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            r = pool.submit(plain_loop, table, work / f"local{threads}", options, threads).result()
        plain[threads] = r.seconds
        print(f"plain loop, {threads} thread{'s' if threads > 1 else ' '} {r.written:4d} events {r.documents:5d} documents "
              f"{r.seconds:8.1f} s {r.documents / r.seconds:7.2f} documents/s  peak {max(r.peak_mb.values()):.0f} MB"
              f"  ({r.failed} failed)")
    rates = {}
    for workers in (1, 2):
        startup = start_ray(workers)
        try:
            r = run_batch(table, work / f"ray{workers}", options, workers=workers)
        finally:
            ray.shutdown()
        rates[workers] = r.documents / r.seconds
        overhead = ", ".join(f"{(r.seconds - seconds) / seconds:+.1%} vs the {threads}-thread loop"
                             for threads, seconds in plain.items())
        print(f"ray, {workers} worker{'s' if workers > 1 else ' '}       {r.written:4d} events {r.documents:5d} documents "
              f"{r.seconds:8.1f} s {rates[workers]:7.2f} documents/s  (+ {startup:.1f} s Ray start-up); "
              f"overhead {overhead}; peak MB per process: {peaks_by_role(r.peak_mb)}")
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
    # Resume: a batch stopped half-way (half the events' .done.json gone), then the same command again.
    out = work / "ray2"
    done = sorted((out / EVENTS_DIR).glob(f"*{DONE_SUFFIX}"))
    for path in done[::2]:
        path.unlink()
    startup = start_ray(2)
    try:
        t0 = time.perf_counter()
        r = run_batch(table, out, options, workers=2)
        half = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = run_batch(table, out, options, workers=2)
        full = time.perf_counter() - t0
    finally:
        ray.shutdown()
    print(f"resume half-done     {r.written} compared, {r.skipped} skipped in {half:.1f} s (+ {startup:.1f} s Ray "
          f"start-up); a finished batch again: {again.skipped} skipped, {again.written} compared in {full:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30, help="events of each archive (default 30, a slice)")
    parser.add_argument("--judge", default="trained", help="the judge (default: trained, the command's default)")
    parser.add_argument("--only", choices=("fnc", "generated"), help="one archive only")
    # The 1-thread loop is a quarter of a large run's time; the all-core loop is the stricter reference.
    parser.add_argument("--no-one-thread-loop", dest="one_thread_loop", action="store_false",
                        help="time the plain loop with torch's own threads only, not also with one thread")
    args = parser.parse_args()
    options = EngineOptions(judge=args.judge, use_cache=False)
    print(f"{os.cpu_count()} CPUs; {args.events} events of each archive; judge {args.judge}; no embedding cache")
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        work = Path(tmp)
        archives = []
        if args.only in (None, "fnc") and (FNC / "train_bodies.csv").is_file():
            archives.append(("FNC-1 archive (real news, <= 8 bodies per story)",
                             fnc_rows(events=args.events, max_sources=8), "fnc.parquet"))
        if args.only in (None, "generated"):
            archives.append((f"generated archive ({args.events} events x 8 sources)",
                             generated_rows(args.events), "generated.parquet"))
        for label, rows, name in archives:
            table = work / name
            write_table(rows, table)
            (work / name).with_suffix("").mkdir()
            measure(table, work / name.removesuffix(".parquet"), options, label, args.one_thread_loop)
            shutil.rmtree(work / name.removesuffix(".parquet"))


if __name__ == "__main__":
    main()

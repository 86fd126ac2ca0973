"""Float against int8 (``--model minilm-int8``): speed, closeness of the vectors, and the benchmark figures.

Run from the repository root (needs the ``onnx`` extra):

    python benchmarks/int8.py                  # speed and cosine (a few minutes on 2 cores)
    python benchmarks/int8.py --figures DIR    # also SICK, STS-B, MRPC, FNC-1 and the claim figures, both models
                                               # (DIR: the datasets, e.g. ../shared/data; about an hour on 2 cores)

Printed, never asserted; the issue's targets are shown beside the figures: int8
at 1.6 times the float encode or more, a cosine of 0.99 or more to the float
vectors, and every benchmark figure within half a point of the float model's
(the condition for making int8 the default).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.engine import cpu_seconds, varied_texts, verdict

TARGET_SPEED = 1.6
TARGET_COSINE = 0.99
#: Half a point: 0.005 on a 0-1 figure, 0.5 on a percentage.
TARGET_POINTS = 0.5
INT8 = "minilm-int8"


def throughput(count: int, cache: Path) -> dict:
    """Embedder.embed with each model on the same new texts (empty caches), best of 2, order alternated."""
    from compare.embeddings import Embedder
    from compare.embeddings.int8 import ensure_model

    started = time.perf_counter()
    ensure_model(cache, quiet=True)
    build = time.perf_counter() - started
    texts = varied_texts(count)
    runs: dict[str, list[float]] = {"float": [], "int8": []}
    threads: dict[str, list[int]] = {}

    def embed(kind: str) -> None:
        # No vector cache (every text is embedded); the built int8 model is read from ``cache``.
        embedder = Embedder(INT8 if kind == "int8" else None, cache, use_cache=False)
        embedder.model.encode(texts[:128], batch_size=64, normalize_embeddings=True)  # load and warm up
        t0, c0 = time.perf_counter(), cpu_seconds()
        embedder.embed(texts, progress=False)
        runs[kind].append(time.perf_counter() - t0)
        runs.setdefault(kind + " cpu", []).append(cpu_seconds() - c0)
        threads[kind] = sorted(set(embedder.threads_used))

    for order in (("float", "int8"), ("int8", "float")):
        for kind in order:
            embed(kind)
    return {"texts": len(texts), "runs": runs, "threads": threads, "build_seconds": build}


def closeness(cache: Path) -> dict:
    """Cosine of each int8 vector to the float vector of the same passage, over every corpus passage."""
    from compare.documents import load_event
    from compare.embeddings import Embedder
    from compare.passages import split_passages

    english, other = [], []
    for folder in sorted(p for p in (ROOT / "corpus").iterdir() if p.is_dir()):
        for source in load_event([folder]).sources:
            side = english if (source.language or "en").startswith("en") else other
            side.extend(p.text for p in split_passages(source))
    english, other = list(dict.fromkeys(english)), list(dict.fromkeys(other))
    result = {}
    for name, texts in (("English", english), ("other languages", other)):
        if texts:
            full = Embedder(None, cache, use_cache=False).embed(texts, progress=False)
            small = Embedder(INT8, cache, use_cache=False).embed(texts, progress=False)
            cos = (full * small).sum(axis=1)
            result[name] = {"passages": len(texts), "mean": float(cos.mean()), "min": float(cos.min()),
                            "below_0.98": int((cos < 0.98).sum())}
    return result


#: (label, evaluate arguments, figures to compare) for --figures; DIR is the datasets' folder.
FIGURES = [
    ("SICK TRIAL", ["sick", "--data", "{DIR}/sick", "--split", "TRIAL"], ["accuracy", "macro_f1", "contradiction_f1"]),
    ("STS-B dev", ["stsb", "--data", "{DIR}/stsb", "--split", "dev"], ["spearman"]),
    ("MRPC dev", ["mrpc", "--data", "{DIR}/mrpc", "--split", "train", "--part", "dev"], ["accuracy", "equivalent_f1"]),
    ("FNC-1 dev (body carve, no stance model)",
     ["fnc1", "--data", "{DIR}/fnc1", "--split", "train", "--part", "dev", "--stance-model", "none"],
     ["fnc_score", "macro_f1"]),
]


def evaluate(args: list[str], model: str | None, cache: Path) -> dict:
    """``narrative-compare evaluate ... --json`` in a fresh process (its figures and its wall time)."""
    command = [sys.executable, "-m", "compare", "evaluate", *args, "--json", "--cache-dir", str(cache)]
    if model:
        command += ["--model", model]
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "wall": time.perf_counter() - t0}


def flatten(result: dict, prefix: str = "") -> dict[str, float]:
    """Every number in an evaluate result, by dotted name (``dev.pair_accuracy``)."""
    out: dict[str, float] = {}
    for key, value in result.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[prefix + str(key)] = float(value)
    return out


def points(name: str, a: float, b: float) -> float:
    """The difference in points: percentages as they are, 0-1 figures times 100."""
    scale = 1.0 if name == "fnc_score" and max(abs(a), abs(b)) > 1.0 else 100.0
    return (b - a) * scale


def compare_figures(data: str, cache: Path) -> bool:
    """Run each benchmark with both models and print the figures side by side; whether all stay within half a point."""
    within = True
    print(f"\n3. Benchmark figures, float against int8 (target: within {TARGET_POINTS} points)")
    rows: list[tuple[str, str, float, float]] = []
    for label, args, names in FIGURES:
        args = [a.replace("{DIR}", data) for a in args]
        full, small = evaluate(args, None, cache), evaluate(args, INT8, cache)
        print(f"    {label}: {full['wall']:.0f} s float, {small['wall']:.0f} s int8")
        rows += [(label, n, full[n], small[n]) for n in names]
    full, small = (flatten(evaluate(["events", str(ROOT / "corpus")], m, cache)) for m in (None, INT8))
    rows += [("claims (evaluate events corpus/)", n, full[n], small[n]) for n in sorted(full)
             if n in small and ("accuracy" in n or "precision" in n or "recall" in n)]
    for label, name, a, b in rows:
        d = points(name, a, b)
        within &= abs(d) <= TARGET_POINTS
        print(f"    {label:<42} {name:<34} {a:8.4f} {b:8.4f}  {d:+6.2f} points")
    print(f"    every figure within {TARGET_POINTS} points: {verdict(within)}")
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000, help="texts for the throughput test (default 1000)")
    parser.add_argument("--figures", metavar="DIR", help="also run the benchmarks on the datasets in DIR")
    args = parser.parse_args(argv)
    print(f"narrative-compare float against int8; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} "
          "(other work on the machine slows every figure)")
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch)
        t = throughput(args.texts, cache)
        rate = {k: t["texts"] / min(t["runs"][k]) for k in ("float", "int8")}
        ratio = rate["int8"] / rate["float"]
        cpu = {k: min(t["runs"][k + " cpu"]) for k in ("float", "int8")}
        print(f"\n1. Embedding throughput, {t['texts']} new passages, Embedder.embed (best of 2, order alternated); "
              f"int8 model built in {t['build_seconds']:.1f} s")
        for kind in ("float", "int8"):
            print(f"    {kind:<6} {rate[kind]:7.1f} passages/s  (runs: " + ", ".join(f"{s:.2f} s" for s in t["runs"][kind])
                  + f"; {cpu[kind]:.1f} s CPU; threads {t['threads'][kind]})")
        print(f"    int8 / float {ratio:.2f} (target >= {TARGET_SPEED}): {verdict(ratio >= TARGET_SPEED)}; "
              f"by CPU time {cpu['float'] / cpu['int8']:.2f}")
        close = closeness(cache)
        print("\n2. Cosine of the int8 vectors to the float vectors, every passage of corpus/")
        for name, c in close.items():
            print(f"    {name:<16} {c['passages']:5d} passages: mean {c['mean']:.4f}, min {c['min']:.4f}, "
                  f"{c['below_0.98']} below 0.98")
        english = close["English"]["mean"]
        print(f"    mean on English passages {english:.4f} (target >= {TARGET_COSINE}): {verdict(english >= TARGET_COSINE)}")
        if args.figures:
            within = compare_figures(args.figures, cache)
            print(f"\n    int8 as the default: {'yes' if within and ratio >= TARGET_SPEED else 'no'} "
                  "(only when every figure stays within half a point)")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

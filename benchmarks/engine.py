"""Engine benchmark: embedding throughput, a warm-cache re-run, and a 100 x 100 report.

Run from the repository root:

    python benchmarks/engine.py            # the full run (about 5 to 10 minutes on 2 cores)
    python benchmarks/engine.py --quick    # a smoke test: 500 passages, 20 documents x 50 passages

Every measurement runs in a child process of its own, so that its peak memory
(``ru_maxrss``) and its time are its own and no model or cache is shared by
accident. Figures are printed, never asserted: targets are shown beside them.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LACHIN = ROOT / "corpus" / "lachin-road-2022"
sys.path.insert(0, str(ROOT))

TARGET_RATIO = 0.95
#: The 100 x 100 report from an empty cache: issue 32's targets (time, memory, JSON size) and issue 28's.
TARGET_SECONDS = 45.0
TARGET_MEMORY_GB = 1.0
TARGET_JSON_MB = 30.0
CLAIMS_SECONDS = 180.0
CLAIMS_MEMORY_GB = 2.0


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used: a figure that other load on the machine inflates less than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- generated events -----------------------------------------------------

#: Claims about one invented event (a flood). Each has a few phrasings; slots
#: vary between sources: {n} a count, {date} a date, {time} a clock time, {day}
#: a weekday, {name} a name with rival heads. "neg" holds the negated claim.
CLAIMS = [
    {"say": ["The river burst its banks in {e} on {date}.", "Flood water broke through the banks in {e} on {date}.",
             "On {date} the river overflowed in {e}."]},
    {"say": ["{n} people were evacuated from {e}.", "Rescue teams moved {n} people out of {e}.",
             "In {e}, {n} people had to leave their homes."], "n": (150, 4000)},
    {"say": ["The police closed the main road into {e}.", "The main road into {e} was closed by the police."],
     "neg": ["The police did not close the main road into {e}.", "The main road into {e} was never closed by the police."]},
    {"say": ["Traffic on the {name} in {e} was stopped by the water.", "The water stopped all traffic on the {name} in {e}."],
     "name": ["Kingsway road", "Kingsway bridge", "Kingsway crossing"]},
    {"say": ["Emergency shelters in {e} opened at {time}.", "The shelters for {e} were opened at {time}.",
             "At {time} the council opened emergency shelters in {e}."]},
    {"say": ["{n} homes in {e} lost power during the night.", "Power went out in {n} homes across {e} overnight."],
     "n": (80, 2500)},
    {"say": ["The water in {e} rose by {n} centimetres in a few hours.", "In {e} the water level climbed {n} centimetres within hours."],
     "n": (20, 140)},
    {"say": ["Volunteers handed out food and blankets in {e}.", "In {e}, volunteers gave out blankets and hot food.",
             "Food and blankets were distributed by volunteers in {e}."]},
    {"say": ["The mayor visited the shelters in {e} on {day}.", "On {day} the mayor came to see the shelters in {e}."]},
    {"say": ["The army sent {n} soldiers to help in {e}.", "{n} soldiers were deployed to {e} to help."], "n": (40, 600)},
    {"say": ["The hospital in {e} stayed open throughout the flood.", "Throughout the flood the hospital in {e} kept working."],
     "neg": ["The hospital in {e} did not stay open during the flood.", "The hospital in {e} could not keep working during the flood."]},
    {"say": ["Drinking water in {e} was declared safe by the health office.", "The health office said tap water in {e} was safe to drink."],
     "neg": ["Drinking water in {e} was not safe, said the health office.", "The health office warned that tap water in {e} was not safe to drink."]},
    {"say": ["Schools in {e} will stay closed until {date}.", "Pupils in {e} will not return to school before {date}."]},
    {"say": ["{n} people in {e} were treated for injuries.", "Doctors treated {n} people from {e} for injuries."], "n": (3, 90)},
    {"say": ["The flood barrier at {e} failed shortly before {time}.", "Shortly before {time} the barrier protecting {e} gave way."]},
    {"say": ["Rescue boats searched the streets of {e} all night.", "All night long, boats searched the flooded streets of {e}."]},
    {"say": ["The council warned residents of {e} two days before the flood.", "Residents of {e} were warned by the council two days ahead."],
     "neg": ["The council did not warn the residents of {e} in time.", "No warning reached the residents of {e} before the flood."]},
    {"say": ["Damage in {e} is estimated at {n} million euros.", "Officials put the damage in {e} at {n} million euros."], "n": (2, 80)},
    {"say": ["The railway line through {e} was blocked by debris.", "Debris blocked the railway line that runs through {e}."],
     "neg": ["The railway line through {e} was not blocked by debris.", "Trains through {e} ran without being blocked by debris."]},
    {"say": ["Farmers near {e} lost most of their harvest.", "Most of the harvest on the farms near {e} was lost."]},
    {"say": ["The insurance office in {e} received {n} claims in one week.", "Within a week, {n} insurance claims were filed in {e}."],
     "n": (100, 5000)},
    {"say": ["Pumping stations in {e} worked around the clock.", "In {e} the pumping stations ran day and night."]},
    {"say": ["Residents of {e} were allowed back home on {date}.", "On {date} the people of {e} could return to their homes."]},
    {"say": ["A curfew was imposed in {e} after dark.", "After dark a curfew applied to the whole of {e}."],
     "neg": ["No curfew was imposed in {e} at any time.", "There was never a curfew in {e}, officials said."]},
]
PLACES = ["Riverside", "Millbrook", "Aldermoor", "the old town", "the harbour district", "Eastfield"]
LEADS = ["", "", "", "According to officials, ", "Witnesses said that ", "By the evening, ", "Local radio reported that ",
         "The council confirmed that ", "As far as we know, "]
TAILS = ["", "", "", " as the rain continued", " that week", " according to the council", " during the first night"]
MONTH_DAYS = [("November", d) for d in range(3, 20)]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

#: Pools for the sentences only one source says: side stories from unrelated
#: walks of life, so that two of them rarely embed close enough to form a point.
SUBJECTS = """a retired train driver|my younger sister|the chess club|a violin teacher|our landlord|the football coach|
a beekeeper|the night-shift nurse|two tourists from Spain|the church choir|a wedding photographer|the school librarian|
my grandfather|a marathon runner|the pizza chef|a crossword fan|the goalkeeper|an art student|the bus company|a dentist|
the local poet|a lorry driver|our vet|the jazz band|a film crew|the tax office|my best friend|a young architect|
the cheese maker|a plumber""".replace("\n", "").split("|")
VERBS = """repainted|sold|lost|photographed|borrowed|repaired|baked|cancelled|rehearsed|delivered|planted|measured|
auctioned|translated|tuned|polished|recorded|knitted|smuggled|celebrated|rescued|weighed|decorated|sketched|
unpacked""".replace("\n", "").split("|")
OBJECTS = """an old piano|forty jars of honey|the wedding cake|a broken tractor|a vintage guitar|three stray kittens|
the winter timetable|a map of the coast|two crates of apples|the birthday banner|a portrait of the queen|
the cup final tickets|an antique clock|the spare keys|a rare orchid|a box of letters|the marching drums|
a red motorbike|the garden shed|a stack of old newspapers|the fishing nets|a bag of tulip bulbs|a silver trophy|
the theatre costumes|a wooden canoe""".replace("\n", "").split("|")
SETTINGS = """for a charity fair|at the weekend market|before the summer holidays|for a school play|
during the lunch break|for the village museum|after a long argument|for the first time in years|
at the harbour festival|on a rainy Sunday|without telling anyone|for a cousin's birthday|despite the cold|
at the railway station|late last spring""".replace("\n", "").split("|")


class Claim:
    """One claim of the shared pool, with the values most sources give."""

    def __init__(self, template: dict, place: str, rng: random.Random) -> None:
        self.template = template
        self.place = place
        low, high = template.get("n", (10, 100))
        self.n = rng.randint(low, high)
        self.date = rng.choice(MONTH_DAYS)
        self.time = f"{rng.randint(5, 22)}:{rng.choice(['00', '15', '30', '45'])}"
        self.day = rng.choice(WEEKDAYS)
        self.name = template.get("name", ["Kingsway road"])[0]

    def render(self, rng: random.Random) -> str:
        t = self.template
        negated = "neg" in t and rng.random() < 0.12
        text = rng.choice(t["neg"] if negated else t["say"])
        n = self.n if rng.random() < 0.75 else max(1, int(self.n * rng.choice([0.5, 0.8, 1.3, 2.0])))
        month, day = self.date
        if rng.random() < 0.2:
            day = day + rng.choice([-1, 1, 2])
        date = rng.choice([f"{day} {month}", f"{month} {day}", f"{day} {month} 2025"])
        time_ = self.time if rng.random() < 0.8 else f"{rng.randint(5, 22)}:{rng.choice(['10', '20', '40', '50'])}"
        weekday = self.day if rng.random() < 0.8 else rng.choice(WEEKDAYS)
        name = self.name if rng.random() < 0.7 else rng.choice(t.get("name", [self.name]))
        text = text.format(e=self.place, n=f"{n:,}", date=date, time=time_, day=weekday, name=name)
        lead, tail = rng.choice(LEADS), rng.choice(TAILS)
        text = text[:-1] + tail + "."
        return lead + (text[0].lower() + text[1:] if lead else text)


def _upper_first(text: str) -> str:
    return text[0].upper() + text[1:]


def generate_event(folder: Path, documents: int, passages: int, seed: int = 2022) -> int:
    """Write ``documents`` sources of ``passages`` sentences each; return the number of passages written.

    About 60% of each source's sentences come from a shared pool of claims
    (popular claims are told by most sources, in varied wording, with numbers,
    dates, times, names and negation sometimes changed); the rest are sentences
    only that source says.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pool = [Claim(t, place, rng) for t in CLAIMS for place in PLACES]
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(pool))]  # some claims are told far more often
    order = list(range(len(pool)))
    rng.shuffle(order)
    (folder / "event.yaml").write_text("title: Generated flood event\ndate: 2025-11-03\n", encoding="utf-8")
    total = 0
    for d in range(documents):
        shared = min(len(pool), int(passages * 0.6))
        chosen: list[int] = []
        candidates, w = order[:], weights[:]
        while len(chosen) < shared:
            k = rng.choices(range(len(candidates)), weights=w)[0]
            chosen.append(candidates.pop(k))
            w.pop(k)
        sentences = [pool[i].render(rng) for i in chosen]
        while len(sentences) < passages:
            sentences.append(
                _upper_first(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(SETTINGS)}.")
            )
        rng.shuffle(sentences)
        paragraphs, i = [], 0
        while i < len(sentences):
            k = rng.randint(1, 4)
            paragraphs.append(" ".join(sentences[i : i + k]))
            i += k
        body = "\n\n".join(paragraphs)
        (folder / f"source-{d + 1:03d}.md").write_text(
            f"---\nparty: Source {d + 1:03d}\ndate: 2025-11-{rng.randint(4, 28):02d}\nlanguage: en\n"
            f"provenance: paraphrase\n---\n\n{body}\n",
            encoding="utf-8",
        )
        total += len(sentences)
    return total


# --- children: one measurement each ----------------------------------------


def varied_texts(count: int) -> list[str]:
    """``count`` different passages: the Lachin event's, varied (a lead, a tail) so that every text is new."""
    from compare.documents import load_event
    from compare.passages import split_passages

    base = [p.text for s in load_event([LACHIN]).sources for p in split_passages(s)]
    rng = random.Random(7)
    texts: list[str] = []
    seen: set[str] = set()
    round_ = 0
    while len(texts) < count:
        for t in base:
            v = t if round_ == 0 else f"{rng.choice(LEADS[3:])}{t[0].lower()}{t[1:]}"
            if round_ > 1:
                v = v[:-1] + rng.choice(TAILS[3:]) + v[-1:]
            if v not in seen:
                seen.add(v)
                texts.append(v)
            if len(texts) >= count:
                break
        round_ += 1
    return texts


def fresh_cache(folder: Path) -> Path:
    """``folder`` emptied of a previous run's cache (with --keep), so that a first run really starts from nothing."""
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def child_throughput(texts_count: int, rounds: int = 3) -> dict:
    """Embedder.embed (empty cache) against SentenceTransformer.encode at every thread count, on the same texts.

    Each configuration runs ``rounds`` times, in an order rotated from round to round, and
    each is scored by its best run: a best of more runs than the Embedder's would be a
    lower time by chance alone (it was, when the encode at torch's threads ran three
    times against the Embedder's two).
    """
    from compare.embeddings import Embedder, torch_threads

    texts = varied_texts(texts_count)

    def fresh(cache: str) -> Embedder:
        """A new Embedder (empty cache) with its model loaded and warmed up: loading is not embedding."""
        embedder = Embedder(None, cache)
        embedder.model.encode(texts[:128], batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        return embedder

    def pipeline() -> float:
        with tempfile.TemporaryDirectory() as cache:
            embedder = fresh(cache)
            t0 = time.perf_counter()
            vectors = embedder.embed(texts, progress=False)
            elapsed = time.perf_counter() - t0
            chosen.extend(embedder.threads_used)
            assert embedder.stats["embedded"] == len(texts) and vectors.shape[0] == len(texts)
            return elapsed

    def direct(threads: int) -> float:
        """encode called directly with ``threads`` torch threads."""
        with tempfile.TemporaryDirectory() as cache:
            embedder = fresh(cache)
            model = embedder.model  # the same kind of instance, used directly
            with torch_threads(threads):
                t0 = time.perf_counter()
                model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
                return time.perf_counter() - t0

    import torch

    torch_default = torch.get_num_threads()
    chosen: list[int] = []  # the Embedder's torch threads, chunk by chunk
    # The best encode on this machine: the same call with every thread count up to the cores.
    configurations = ["pipeline", *range(1, (os.cpu_count() or 1) + 1)]
    runs: dict[str, list[float]] = {str(c): [] for c in configurations}
    for r in range(rounds):
        for c in configurations[r % len(configurations):] + configurations[:r % len(configurations)]:
            runs[str(c)].append(pipeline() if c == "pipeline" else direct(int(c)))
    return {"texts": len(texts), "pipeline": runs.pop("pipeline"), "by_threads": runs,
            "threads": dict(sorted(Counter(chosen).items())), "torch_default_threads": torch_default,
            "peak_rss_mb": peak_rss_mb(), "cpu_seconds": cpu_seconds()}


def child_report(argv: list[str]) -> dict:
    """Run the command in this process; return its stderr lines, wall time and peak memory."""
    from compare.cli import main

    err = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(err):
        code = main(argv)
    return {"code": code, "seconds": time.perf_counter() - t0, "stderr": err.getvalue(), "peak_rss_mb": peak_rss_mb(),
            "cpu_seconds": cpu_seconds()}


def child_profile(argv: list[str], out: str) -> dict:
    """The report under cProfile, to say where the time goes."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(child_report, argv)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(35)
    Path(out).write_text(stream.getvalue(), encoding="utf-8")
    return result


def child_stages(event: str, cache: str, judge: str | None) -> dict:
    """The report's stages one by one, with the time and the memory after each."""
    import gc

    from compare import report
    from compare.documents import load_event
    from compare.embeddings import Embedder
    from compare.judge import RuleJudge, Thresholds
    from compare.pipeline import compare_prepared, prepare

    def rss_mb() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    stages: list[tuple[str, float, float, float]] = []
    t0 = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal t0
        gc.collect()
        stages.append((name, time.perf_counter() - t0, rss_mb(), peak_rss_mb()))
        t0 = time.perf_counter()

    loaded = load_event([event])
    embedder = Embedder(None, cache)
    embedder.model
    mark("load event and model")
    prepared = prepare(loaded, embedder, progress=False)
    mark("passages and embeddings")
    comparison = compare_prepared(prepared, Thresholds(), RuleJudge() if judge == "rules" else None)
    mark("align, judge, framing")
    data = report.to_dict(comparison)
    mark("to_dict")
    text = json.dumps(data, ensure_ascii=False, indent=1)
    mark(f"json.dumps ({len(text) / 1e6:.0f} M characters)")
    del text, data
    mark("free the JSON")
    html = report.render(comparison, "html")
    mark(f"render html ({len(html) / 1e6:.0f} M characters)")
    return {"stages": stages, "pairs": sum(len(p.pairs) for p in comparison.points), "points": len(comparison.points)}


def child_build_model(model: str, cache: str) -> dict:
    """Load ``model`` once with ``cache`` (an int8 model is built there on first use), so that the timed run does not."""
    from compare.embeddings import Embedder

    t0 = time.perf_counter()
    Embedder(model, cache).model
    return {"seconds": time.perf_counter() - t0}


def in_child(task: str, *args: object) -> dict:
    """Run one measurement in a fresh Python and return what it reports."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", task, json.dumps(list(args))]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark child {task} failed with status {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


# --- parsing what the command says -----------------------------------------

_SUMMARY = re.compile(
    r"(?P<sources>\d+) sources, (?P<passages>\d+) passages \((?P<embedded>\d+) embedded, (?P<cached>\d+) from cache(?:, (?P<repeated>\d+) repeated)?\), "
    r"(?P<points>\d+) points; (?P<labels>[^;\n]*)"
)
_TIMING = re.compile(r"^\s+(?P<stage>[\w-]+)\s+(?P<seconds>[\d.]+) s$", re.M)


def summary_of(stderr: str) -> dict:
    m = _SUMMARY.search(stderr)
    if not m:
        raise SystemExit(f"could not read the command's summary line from:\n{stderr}")
    labels = dict((k, int(v)) for k, v in (part.strip().split(" ") for part in m.group("labels").split(",")))
    timings = {t.group("stage"): float(t.group("seconds")) for t in _TIMING.finditer(stderr)}
    return {**{k: int(m.group(k)) for k in ("sources", "passages", "embedded", "cached", "points")},
            "labels": labels, "timings": timings}


def show_timings(timings: dict[str, float]) -> None:
    for stage, seconds in timings.items():
        print(f"    {stage:<12} {seconds:8.3f} s")


def json_composition(data: dict) -> dict[str, int]:
    """Bytes of a report's parts written compactly: the cells (and their reasons, passage ids, silent cells'
    nearest passages and values' offsets), the passage table, the points' differences and the pairs (and the
    discrepancies written whole), the evidence that a size target must keep."""
    def size(value: object) -> int:
        return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    cells = [c for p in data["points"] for c in p["cells"].values()]
    pairs = [q for p in data["points"] for q in p["pairs"]]
    return {
        "whole": size(data),
        "cells": sum(size(c) for c in cells),
        "cells' reasons": sum(size(c.get("reason")) for c in cells),
        "cells' passages (ids)": sum(size(c.get("passages")) for c in cells),  # `passage` is one of them
        "silent cells' nearest passages (ids)": sum(size(c.get("nearest")) for c in cells),
        "cells' values (offsets)": sum(size(c["values"]) for c in cells if "values" in c),
        "the passage table": size(data.get("passages")),  # each passage's text and offsets, once
        "the points' differences": sum(size(p.get("differences", [])) for p in data["points"]),  # each once per point
        "pairs": sum(size(q) for q in pairs),
        "pairs' discrepancies (written whole)": sum(size(q.get("evidence", {}).get("discrepancies")) for q in pairs),
    }


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


# --- the benchmark -----------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run to smoke-test the script")
    parser.add_argument("--documents", type=int, help="generated documents (default 100; 20 with --quick)")
    parser.add_argument("--passages", type=int, help="passages per document (default 100; 50 with --quick)")
    parser.add_argument("--texts", type=int, help="texts for the throughput test (default 2000; 500 with --quick)")
    parser.add_argument("--judge", metavar="NAME", help="pass --judge NAME to the command (default: its own default)")
    parser.add_argument("--model", metavar="NAME", help="pass --model NAME to the scale run (e.g. minilm-int8)")
    parser.add_argument("--profile", action="store_true", help="also profile the scale run and print where the time goes")
    parser.add_argument("--keep", metavar="DIR", help="keep the generated event, reports and caches in DIR (a kept cache is emptied when the next run starts)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        task, params = args.child[0], json.loads(args.child[1])
        tasks = {"throughput": child_throughput, "report": child_report, "profile": child_profile, "stages": child_stages,
                 "build_model": child_build_model}
        result = tasks[task](*params)
        print(json.dumps(result))
        return 0

    documents = args.documents or (20 if args.quick else 100)
    passages = args.passages or (50 if args.quick else 100)
    texts = args.texts or (500 if args.quick else 2000)
    extra = ["--judge", args.judge] if args.judge else []
    scale_extra = extra + (["--model", args.model] if args.model else [])
    print(f"narrative-compare engine benchmark; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)")

    # 1. Embedding throughput.
    t = in_child("throughput", texts)
    rate_pipe = t["texts"] / min(t["pipeline"])
    by_threads = {int(n): v for n, v in t["by_threads"].items()}  # JSON made the thread counts strings
    rates = {n: t["texts"] / min(v) for n, v in by_threads.items()}
    rate_direct = max(rates.values())
    ratio = rate_pipe / rate_direct
    threads = ", ".join(f"{n} in {c}" for n, c in t["threads"].items())
    rounds = len(t["pipeline"])
    print(f"\n1. Embedding throughput, {t['texts']} passages; the Embedder's torch threads by chunk: {threads} "
          f"(torch's default: {t['torch_default_threads']}; best of {rounds} runs each, order rotated)")
    print(f"    Embedder.embed, empty cache:    {rate_pipe:8.1f} passages/s  (runs: "
          + ", ".join(f"{s:.2f} s" for s in t["pipeline"]) + ")")
    for n, v in by_threads.items():
        default = "torch's default; " if n == t["torch_default_threads"] else ""
        print(f"    encode, {n} thread{'s' if n > 1 else ''}:".ljust(36) + f"{rates[n]:8.1f} passages/s  ({default}runs: "
              + ", ".join(f"{s:.2f} s" for s in v) + ")")
    print(f"    ratio to the best encode {ratio:.3f} (target >= {TARGET_RATIO}): {verdict(ratio >= TARGET_RATIO)}")

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)

        # 2. A second run on the same event with a warm cache.
        # A kept folder's caches are emptied first: the first runs below are timed "from an empty cache".
        cache = fresh_cache(work / "cache-lachin")
        command = ["report", str(LACHIN), "--cache-dir", str(cache), "--timings", *extra]
        first = summary_of(in_child("report", [*command, "--out", str(work / "lachin-1.html")])["stderr"])
        warm = in_child("report", [*command, "--out", str(work / "lachin-2.html")])
        second = summary_of(warm["stderr"])
        print(f"\n2. Warm cache: the Lachin event again ({second['sources']} sources, {second['passages']} passages)")
        print(f"    first run embedded {first['embedded']}; second run embedded {second['embedded']} "
              f"(must be 0): {'ok' if second['embedded'] == 0 else 'WRONG'}")
        print(f"    second run: {warm['seconds']:.2f} s in the command, {warm['process_seconds']:.2f} s with start-up; stages:")
        show_timings(second["timings"])

        # 3. Scale.
        event = work / f"generated-{documents}x{passages}"
        written = generate_event(event, documents, passages)
        cache = fresh_cache(work / "cache-scale")
        print(f"\n3. Scale: {documents} generated documents x {passages} passages ({written} sentences)"
              + (f", model {args.model}" if args.model else ""))
        if args.model:
            built = in_child("build_model", args.model, str(cache))
            print(f"    {args.model} loaded (built on first use) before the timed runs: {built['seconds']:.1f} s")
        results = {}
        for fmt in ("json", "html"):
            out = work / f"generated.{fmt}"
            run = in_child("report", ["report", str(event), "--out", str(out), "--cache-dir", str(cache), "--timings",
                                      *scale_extra])
            if run["code"] != 0:
                raise SystemExit(f"the report failed:\n{run['stderr']}")
            s = summary_of(run["stderr"])
            results[fmt] = (run, s, out.stat().st_size)
            state = "empty cache" if s["embedded"] else "warm cache"
            print(f"    {fmt.upper():<4} ({state}): {run['process_seconds']:.1f} s wall with start-up "
                  f"({run['seconds']:.1f} s in the command, {run['cpu_seconds']:.0f} s CPU), peak memory {run['peak_rss_mb'] / 1024:.2f} GB, "
                  f"output {results[fmt][2] / 1e6:.1f} MB")
            print(f"        {s['passages']} passages ({s['embedded']} embedded, {s['cached']} from cache), "
                  f"{s['points']} points, {sum(s['labels'].values())} pair labels: "
                  + ", ".join(f"{k} {v}" for k, v in s["labels"].items()))
            show_timings(s["timings"])
        data = json.loads((work / "generated.json").read_text(encoding="utf-8"))
        sizes = sorted((sum(1 for c in p["cells"].values() if c.get("passages")) for p in data["points"]), reverse=True)
        multi = sum(1 for k in sizes if k > 1)
        print(f"    points told by more than one source: {multi} of {len(sizes)}; largest points: {sizes[:8]} sources")
        parts = json_composition(data)
        print("    what the JSON holds (compact MB): " + ", ".join(f"{k} {v / 1e6:.1f}" for k, v in parts.items()))
        del data
        cold_run, cold, _ = results["json"]
        total = cold_run["process_seconds"]
        peak = max(r[0]["peak_rss_mb"] for r in results.values()) / 1024
        json_mb = results["json"][2] / 1e6
        print(f"    total (JSON, from an empty cache, start-up included): {total:.1f} s "
              f"(issue 32: <= {TARGET_SECONDS:.0f} s: {verdict(total <= TARGET_SECONDS)}; "
              f"issue 28: <= {CLAIMS_SECONDS:.0f} s: {verdict(total <= CLAIMS_SECONDS)})")
        print(f"    peak memory: {peak:.2f} GB (issue 32: <= {TARGET_MEMORY_GB:.0f} GB: {verdict(peak <= TARGET_MEMORY_GB)}; "
              f"issue 28: <= {CLAIMS_MEMORY_GB:.0f} GB: {verdict(peak <= CLAIMS_MEMORY_GB)})")
        print(f"    JSON report: {json_mb:.1f} MB (target <= {TARGET_JSON_MB:.0f} MB): {verdict(json_mb <= TARGET_JSON_MB)}"
              + (f": the cells alone (each source's stance on each claim, with its evidence) take {parts['cells'] / 1e6:.1f} MB"
                 if parts["cells"] / 1e6 > TARGET_JSON_MB else ""))
        # What `--out NAME.json.gz` writes: the same bytes through gzip at the level the report writer uses.
        from compare.report import GZIP_LEVEL

        started = time.perf_counter()
        packed = len(gzip.compress((work / "generated.json").read_bytes(), compresslevel=GZIP_LEVEL, mtime=0))
        print(f"    the same report written as generated.json.gz (--out NAME.json.gz): {packed / 1e6:.1f} MB, "
              f"{time.perf_counter() - started:.1f} s to compress")
        # The embedding alone, which section 1 shows at the best encode of this model on this machine:
        # when it is over the time target, no judging or report speed can meet it with this model.
        embedding = cold["timings"].get("embeddings", 0.0)
        print(f"    embedding {cold['embedded']} passages took {embedding:.1f} s of it "
              f"({cold['embedded'] / max(embedding, 1e-9):.1f} passages/s; section 1: the Embedder at {ratio:.2f} of the "
              f"best encode), everything else {total - embedding:.1f} s"
              + (f": the {TARGET_SECONDS:.0f} s target cannot be met with this model on this machine"
                 + ("" if args.model else " (see --model minilm-int8)") if embedding > TARGET_SECONDS else ""))

        if args.profile:
            profile = work / "profile.txt"
            in_child("profile", ["report", str(event), "--out", str(work / "profiled.json"), "--cache-dir", str(cache), *extra],
                     str(profile))
            print("\n4. Profile of the scale run (warm cache), top functions by cumulative time:\n")
            print(profile.read_text(encoding="utf-8"))
            stages = in_child("stages", str(event), str(cache), args.judge)
            print(f"5. Memory by stage (warm cache; {stages['points']} points, {stages['pairs']} judged pairs):")
            print(f"    {'stage':<34} {'seconds':>8} {'RSS MB':>8} {'peak MB':>8}")
            for name, seconds, rss, peak in stages["stages"]:
                print(f"    {name:<34} {seconds:8.2f} {rss:8.0f} {peak:8.0f}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

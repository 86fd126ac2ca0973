"""Point formation on ECB+: do sentences that mention the same event land on one point?

Each ECB+ topic becomes one event: every article a source, every checked
sentence a passage (the corpus's own sentences, so that the test is of point
formation, not of sentence splitting). The engine forms points as it does for any
event: alignment, then claims with the silence check, which may place a sentence
on a point. Two sentences of different articles are *together* when some point
holds both; the key puts them together when they mention the same event (an event
coreference chain that reaches more than one article). Over every pair of
sentences from different articles of a topic:

* precision, recall and F1 of "together";
* sister-event links: the share of pairs from the topic's two sister events (two
  earthquakes of the same kind) that the engine puts together, which the key never does;
* the same without the passages the silence check placed on points, to tell the
  two steps of point formation apart.

For scale, the same figures for grouping by sister event (every sentence of one
of a topic's two events on one point, what a clustering into topics gets). Most
sentences of an ECB+ article name its main event ("the Academy Awards"), so that
grouping is near the key by construction, while a point here is one claim: expect
the engine's precision above it and its recall well below it.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from itertools import combinations
from typing import Any

import numpy as np

from compare.bench import _progress
from compare.datasets.ecbplus import EcbTopic, sister_event
from compare.records import Event, Passage, Source


def topic_event(topic: EcbTopic) -> tuple[Event, list[Passage], dict[str, tuple[str, int]]]:
    """One topic as an event: an article per source, its sentences (one a line) as passages.

    Also returns, for every passage id, the (article, sentence index) it is.
    """
    sources, passages, where = [], [], {}
    for doc, sentences in topic.documents().items():
        text, start = [], 0
        for k, s in enumerate(sentences):
            pid = f"{doc}:{k}"
            passages.append(Passage(pid, doc, k, start, start + len(s.text), s.text))
            where[pid] = (doc, s.index)
            text.append(s.text)
            start += len(s.text) + 1
        sources.append(Source(id=doc, party=doc, text="\n".join(text)))
    return Event(sources=tuple(sources), title=f"ECB+ topic {topic.id}"), passages, where


def together(points: list, placed: bool = True) -> set[frozenset[str]]:
    """Every pair of passages of different sources that some point holds both of (``placed=False``:
    leaving out the passages the silence check placed, as alignment formed the points)."""
    pairs: set[frozenset[str]] = set()
    for point in points:
        members = [(sid, pid) for sid, ps in point.passages.items() for pid in ps
                   if placed or not (sid in point.positions and point.positions[sid].placed)]
        pairs.update(frozenset((a, b)) for (sa, a), (sb, b) in combinations(members, 2) if sa != sb)
    return pairs


def score_topic(topic: EcbTopic, linked: set[frozenset[tuple[str, int]]]) -> dict[str, int]:
    """Counts of one topic's pairs of sentences from different articles: in the key, linked, both, and
    the sister-event pairs and how many of them are linked. ``linked`` holds (article, sentence) pairs."""
    counts = dict.fromkeys(("pairs", "key", "linked", "both", "sister_pairs", "sister_linked",
                            "grouped", "grouped_both"), 0)
    for a, b in combinations(topic.sentences, 2):
        if a.doc == b.doc:
            continue
        gold = bool(a.events & b.events)
        got = frozenset(((a.doc, a.index), (b.doc, b.index))) in linked
        sister = sister_event(a.doc) != sister_event(b.doc)
        counts["pairs"] += 1
        counts["key"] += gold
        counts["linked"] += got
        counts["both"] += gold and got
        counts["sister_pairs"] += sister
        counts["sister_linked"] += sister and got
        counts["grouped"] += not sister  # the grouping by sister event links exactly these
        counts["grouped_both"] += gold and not sister
    return counts


def _prf(both: int, predicted: int, key: int) -> dict[str, float]:
    p = both / predicted if predicted else 0.0
    r = both / key if key else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def figures(counts: dict[str, int]) -> dict[str, Any]:
    """Precision, recall, F1 and the sister-event link rate from summed counts, with the grouping by sister event."""
    return {
        **_prf(counts["both"], counts["linked"], counts["key"]),
        "sister_link_rate": counts["sister_linked"] / counts["sister_pairs"] if counts["sister_pairs"] else 0.0,
        "by_sister_event": _prf(counts["grouped_both"], counts["grouped"], counts["key"]),
        **counts,
    }


def evaluate_points(topics: list[EcbTopic], embedder, judge=None, thresholds=None, *,
                    progress: bool | None = None) -> dict[str, Any]:
    """Form points on every topic with the engine and score them against the key (see the module docstring)."""
    from tqdm.auto import tqdm

    from compare.pipeline import Prepared, compare_prepared

    started = time.perf_counter()
    texts = list(dict.fromkeys(s.text for t in topics for s in t.sentences))
    show = _progress(progress)
    vectors = dict(zip(texts, embedder.embed(texts, progress=show)))
    per_topic: dict[str, dict[str, Any]] = {}
    total: Counter[str] = Counter()
    aligned: Counter[str] = Counter()
    judge_name = None
    for topic in tqdm(topics, desc="Forming points", unit="topic", disable=not show, file=sys.stderr):
        event, passages, where = topic_event(topic)
        prepared = Prepared(event=event, passages=passages, vectors=np.stack([vectors[p.text] for p in passages]),
                            model=embedder.name)
        comparison = compare_prepared(prepared, thresholds, judge, framing=False)
        judge_name = comparison.judge
        counts, as_aligned = (score_topic(topic, {frozenset(where[pid] for pid in pair)
                                                  for pair in together(comparison.points, placed)})
                              for placed in (True, False))
        per_topic[topic.id] = {"sentences": len(topic.sentences), "articles": len(event.sources),
                               "points": len(comparison.points), **figures(counts)}
        total.update(counts)
        aligned.update(as_aligned)
    return {"dataset": "ecbplus", "topics": len(topics), "sentences": sum(len(t.sentences) for t in topics),
            "model": embedder.name, "judge": judge_name, **figures(total),
            "without_placed": {k: v for k, v in figures(aligned).items() if k != "by_sister_event"},
            "per_topic": per_topic,
            "seconds": round(time.perf_counter() - started, 2)}


def format_points(r: dict[str, Any]) -> str:
    """The figures as plain text."""
    base = r["by_sister_event"]
    lines = [
        f"ecbplus {r['split']}: {r['topics']} topics, {r['sentences']} sentences, {r['pairs']} pairs of sentences "
        f"from different articles, in {r['seconds']:.1f} s, judge {r['judge']}",
        f"  together (some point holds both)   precision {r['precision']:.3f}  recall {r['recall']:.3f}  "
        f"F1 {r['f1']:.3f}   ({r['both']} of {r['linked']} linked pairs are in the key's {r['key']})",
        f"  sister events put together        {r['sister_link_rate']:.3f}   ({r['sister_linked']} of "
        f"{r['sister_pairs']} pairs)",
        f"  without the passages the silence check placed (as alignment formed the points): precision "
        f"{r['without_placed']['precision']:.3f}  recall {r['without_placed']['recall']:.3f}  "
        f"F1 {r['without_placed']['f1']:.3f}, sister events put together {r['without_placed']['sister_link_rate']:.3f}",
        f"  for scale, grouped by sister event precision {base['precision']:.3f}  recall {base['recall']:.3f}  "
        f"F1 {base['f1']:.3f}",
        "  per topic: sentences, articles, points, precision, recall, sister events put together",
    ]
    for tid, t in r["per_topic"].items():
        lines.append(f"    {tid:>4}  {t['sentences']:4d} {t['articles']:4d} {t['points']:4d}   {t['precision']:.3f}  "
                     f"{t['recall']:.3f}  {t['sister_link_rate']:.3f}")
    return "\n".join(lines)

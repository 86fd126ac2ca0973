"""Measure the engine on public benchmarks (the library behind ``narrative-compare evaluate``).

The datasets are read from their own files by :mod:`compare.datasets` (which
also carves the dev and train parts), so the same code runs on a split this
project never saw (the held-back test sets). The figures are computed by
:mod:`compare.bench.metrics`.

How each is measured:

* **FNC-1** runs through the same engine a report uses: the headline and the
  body are two sources of one event; they are split, embedded, aligned and
  judged by :func:`~compare.pipeline.compare_prepared`, and the label of the
  headline-body pair is read off the points where the headline speaks
  (:func:`pair_label`). The label map is the only FNC-specific rule:
  ``silent`` -> unrelated (the headline was aligned with no passage of the
  body, or the judge found the aligned passages unrelated), ``related`` ->
  discuss, ``agree`` -> agree, ``diverge`` -> disagree. Printed: the official
  weighted score as a percentage of the maximum, macro-F1, per-class F1 and the
  4 by 4 confusion matrix.
* **SICK** and **SNLI**: each sentence pair is judged as two one-passage sources
  (the judge's signals built as the engine builds them); agree -> entailment,
  diverge -> contradiction, related or unrelated -> neutral. Printed: 3-way
  accuracy, macro-F1, contradiction F1.
* **STS-B**: the Spearman correlation of the engine's similarity (the cosine of
  the two sentences' embeddings) with the gold scores.
* **MRPC**: pairs of sentences from different news outlets on the same story,
  judged as two one-passage sources like SICK's; ``agree`` -> equivalent,
  anything else -> not equivalent. Printed: accuracy, F1 of each class, and how
  many equivalent pairs the engine labels ``diverge``, with the checks behind
  them. The annotators called a pair equivalent even when its figures differ a
  little ("58 cents" / "65 cents"), which this tool reports as a divergence on
  purpose, so read that count as an upper bound on the checks' false alarms on
  paraphrases, not as errors one by one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from compare.checks import CHECK_KINDS
from compare.bench.metrics import class_figures, fnc_score, pearson, spearman
from compare.datasets import (DEFAULT_SPLIT, FNC_FROM_ENGINE, FNC_LABELS, MRPC_LABELS, NLI_FROM_JUDGE, NLI_LABELS,
                              Example, carve, carve_fnc1, read_fnc1, read_mrpc, read_sick, read_snli, read_stsb)
from compare.errors import InputError
from compare.records import Event, Passage, Source

if TYPE_CHECKING:
    from compare.judge import Judge

#: The link threshold for FNC-1, chosen on the FNC-1 dev part: a short headline
#: and the best sentence of a long body that discusses it meet at a lower cosine
#: than two accounts' passages on one claim (at the engine's default, about a
#: quarter of related headlines found no passage and came out unrelated).
FNC_LINK = 0.45


# --- data -------------------------------------------------------------------


# --- metrics ----------------------------------------------------------------


# --- running the engine -------------------------------------------------------


def _progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def pair_label(comparison, a: str, b: str) -> str:
    """The label of sources ``a`` and ``b`` over the points where ``a`` speaks in its own words.

    ``diverge`` if they diverge on any, else ``agree`` if they agree on any,
    else ``related`` if related on any, else ``silent``. Points where the
    silence check placed ``a``'s passage (the claims of ``b``'s other passages,
    read against a one-line headline) are left out: the headline's own claim
    decides, as it did before claims were read.
    """
    found = set()
    for point in comparison.points:
        position = point.positions.get(a)
        if point.passages.get(a) and not (position is not None and position.placed):
            lab = point.pair(a, b)
            found.add(lab.label if lab is not None else "silent")
    for label in ("diverge", "agree", "related"):
        if label in found:
            return label
    return "silent"


def claims_against_documents(
    claims: Sequence[tuple[str, str]],
    documents: dict[str, str],
    embedder,
    judge,
    thresholds=None,
    *,
    progress: bool | None = None,
    claim_party: str = "headline",
    document_party: str = "body",
) -> Iterator[tuple[int, Any, Any]]:
    """Compare many (claim text, document id) pairs through the engine, as two-source events.

    Each document is split, embedded and analysed once and reused for every claim
    against it (the cache keys by text, so nothing is embedded twice). Yields
    (index of the claim, the :class:`~compare.records.Comparison`, the
    :class:`~compare.pipeline.Prepared` event) in document order.
    """
    from tqdm.auto import tqdm

    from compare.passages import split_passages
    from compare.pipeline import Prepared, compare_prepared

    show = _progress(progress)
    doc_sources = {d: Source(id=document_party, party=document_party, text=t) for d, t in documents.items()}
    wanted = {doc for _, doc in claims}
    doc_passages = {d: split_passages(s) for d, s in doc_sources.items() if d in wanted}
    claim_sources = [Source(id=claim_party, party=claim_party, text=text) for text, _ in claims]
    claim_passages = [split_passages(s) or [Passage(f"{claim_party}:0", claim_party, 0, 0, len(s.text), s.text)]
                      for s in claim_sources]
    texts = list(dict.fromkeys([p.text for ps in doc_passages.values() for p in ps]
                               + [p.text for ps in claim_passages for p in ps]))
    vectors = dict(zip(texts, embedder.embed(texts, progress=show)))
    by_doc: dict[str, list[int]] = {}
    for i, (_, doc) in enumerate(claims):
        by_doc.setdefault(doc, []).append(i)
    bar = tqdm(total=len(claims), desc="Comparing pairs", unit="pair", disable=not show, file=sys.stderr)
    with bar:
        for doc, indices in by_doc.items():
            dps = doc_passages[doc]
            facts: dict = {}
            for i in indices:
                for key in [k for k in facts if k.startswith(f"{claim_party}:")]:
                    del facts[key]
                cps = claim_passages[i]
                passages = [*cps, *dps]
                prepared = Prepared(
                    event=Event(sources=(claim_sources[i], doc_sources[doc])),
                    passages=passages,
                    vectors=np.stack([vectors[p.text] for p in passages]),
                    model=embedder.name,
                    facts=facts,
                )
                comparison = compare_prepared(prepared, thresholds, judge, framing=False)
                yield i, comparison, prepared
                bar.update(1)


class VectorTable:
    """Stands in for an :class:`~compare.embeddings.Embedder` with vectors computed before (by text)."""

    def __init__(self, name: str, table: dict[str, np.ndarray]) -> None:
        self.name = name
        self.table = table
        self.stats = {"cached": 0, "embedded": 0, "repeated": 0}

    def embed(self, texts: Sequence[str], *, progress: bool | None = None) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


_WORKER: dict[str, Any] = {}


def _init_worker(name: str, table: dict, judge, thresholds, parties: tuple[str, str]) -> None:
    import torch

    torch.set_num_threads(1)  # one worker process per core: more threads would fight over the same cores
    _WORKER.update(embedder=VectorTable(name, table), judge=judge, thresholds=thresholds, parties=parties)


def _label_chunk(claims: list[tuple[int, str, str]], documents: dict[str, str]) -> list[tuple[int, str]]:
    claim_party, document_party = _WORKER["parties"]
    out = []
    for k, comparison, _ in claims_against_documents(
        [(text, doc) for _, text, doc in claims], documents, _WORKER["embedder"], _WORKER["judge"],
        _WORKER["thresholds"], progress=False, claim_party=claim_party, document_party=document_party,
    ):
        out.append((claims[k][0], pair_label(comparison, claim_party, document_party)))
    return out


def engine_pair_labels(
    claims: Sequence[tuple[str, str]],
    documents: dict[str, str],
    embedder,
    judge,
    thresholds=None,
    *,
    workers: int | None = None,
    progress: bool | None = None,
    claim_party: str = "headline",
    document_party: str = "body",
) -> list[str]:
    """The engine's label for each (claim text, document id) pair, as :func:`pair_label` reads it.

    Everything is embedded once here (through the cache); the per-pair work
    (alignment, checks, judging) then runs in ``workers`` processes (default:
    one per CPU core, at most 4), a few hundred pairs per task.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from tqdm.auto import tqdm

    from compare.passages import passage_texts

    show = _progress(progress)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    wanted = {doc for _, doc in claims}
    texts: list[str] = []
    for doc in wanted:
        texts += passage_texts(documents[doc], document_party)
    for text, _ in claims:
        texts += passage_texts(text, claim_party) or [text]
    texts = list(dict.fromkeys(texts))
    table = dict(zip(texts, embedder.embed(texts, progress=show)))
    by_doc: dict[str, list[tuple[int, str, str]]] = {}
    for i, (text, doc) in enumerate(claims):
        by_doc.setdefault(doc, []).append((i, text, doc))
    chunks: list[list[tuple[int, str, str]]] = [[]]
    for group in by_doc.values():
        if len(chunks[-1]) >= 300:
            chunks.append([])
        chunks[-1].extend(group)
    labels = ["silent"] * len(claims)
    bar = tqdm(total=len(claims), desc="Comparing pairs", unit="pair", disable=not show, file=sys.stderr)
    args = (embedder.name, table, judge, thresholds, (claim_party, document_party))
    with bar:
        if workers <= 1 or len(chunks) == 1:
            _init_worker(*args)
            for chunk in chunks:
                for i, label in _label_chunk(chunk, {c[2]: documents[c[2]] for c in chunk}):
                    labels[i] = label
                bar.update(len(chunk))
        else:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker,
                                     initargs=args) as pool:
                futures = {pool.submit(_label_chunk, chunk, {c[2]: documents[c[2]] for c in chunk}): len(chunk)
                           for chunk in chunks}
                for future in as_completed(futures):
                    for i, label in future.result():
                        labels[i] = label
                    bar.update(futures[future])
    return labels


def sentence_pair_signals(examples: Sequence[Example], embedder, *, progress: bool | None = None):
    """The judge's signals for each sentence pair, built as the engine builds them."""
    from compare.judge import label_points
    from compare.records import Point

    texts = list(dict.fromkeys([e.a for e in examples] + [e.b for e in examples]))
    vecs = dict(zip(texts, embedder.embed(texts, progress=_progress(progress))))
    recorder = RecordingJudge()
    out = []
    for e in examples:
        pa = Passage("a:0", "a", 0, 0, len(e.a), e.a)
        pb = Passage("b:0", "b", 0, 0, len(e.b), e.b)
        point = Point(id="p1", summary="", passages={"a": (pa.id,), "b": (pb.id,)})
        label_points([point], {pa.id: pa, pb.id: pb}, {pa.id: vecs[e.a], pb.id: vecs[e.b]}, recorder, {})
        out.append(recorder.last)
    return out


class RecordingJudge:
    """A judge that keeps the signals it is shown (for training and batch prediction)."""

    name = "recorder"

    def __init__(self) -> None:
        self.last = None
        self.seen: list = []

    def judge(self, signals):
        from compare.judge import Judgement

        self.last = signals
        self.seen.append(signals)
        return Judgement("related", 0.0, 0.0, "recorded")


def judge_probabilities(judge, signals: list, batch: int = 512, *, progress: bool | None = False) -> np.ndarray | None:
    """A trained judge's class probabilities (rows in ``CLASSES`` order), or ``None`` for other judges."""
    if not (hasattr(judge, "predict_proba") and hasattr(judge, "features_many")):
        return None
    parts = _in_batches(signals, batch, progress, lambda chunk: judge.predict_proba(judge.features_many(chunk), chunk))
    return np.concatenate(parts) if parts else np.zeros((0, 4))


def _in_batches(signals: list, batch: int, progress: bool | None, judge_chunk) -> list:
    """``judge_chunk`` of each batch of ``signals``, with a "Judging pairs" progress bar.

    Batches of a few hundred: the NLI model's passes (two per pair of sentences) are the slow part.
    """
    from tqdm.auto import tqdm

    parts = []
    with tqdm(total=len(signals), desc="Judging pairs", unit="pair", disable=not _progress(progress),
              file=sys.stderr) as bar:
        for lo in range(0, len(signals), batch):
            chunk = signals[lo: lo + batch]
            parts.append(judge_chunk(chunk))
            bar.update(len(chunk))
    return parts


def nli_predictions(judge, signals: list, *, progress: bool | None = False) -> list[str]:
    """Entailment / neutral / contradiction for each pair.

    A trained judge's related and unrelated probabilities are added up for
    neutral, and its checks guard applies as in the engine; any other judge's
    label is mapped with :data:`NLI_FROM_JUDGE`.
    """
    probs = judge_probabilities(judge, signals, progress=progress)
    if probs is None:
        return [NLI_FROM_JUDGE[judge.judge(s).label] for s in signals]
    three = np.stack([probs[:, 0], probs[:, 1], probs[:, 2] + probs[:, 3]], axis=1)
    out = [("entailment", "contradiction", "neutral")[int(k)] for k in three.argmax(axis=1)]
    guard = getattr(judge, "guard", None)
    if guard is not None:  # the same checks guard as the engine's labels
        out = ["contradiction" if guard(s) else label for s, label in zip(signals, out)]
    return out


def engine_labels(judge, signals: list, batch: int = 512, *, progress: bool | None = False) -> list[str]:
    """The label a report gives each pair (agree / diverge / related / silent), checks guard included."""
    many = getattr(judge, "judge_many", None)
    parts = _in_batches(signals, batch, progress,
                        lambda chunk: [j.label for j in (many(chunk) if many else map(judge.judge, chunk))])
    return [label for part in parts for label in part]


# --- the command ----------------------------------------------------------------


def _some(examples: list[Example], data: str | Path, split: str, part: str) -> list[Example]:
    if not examples:
        where = f"the {part} part of split {split}" if part != "all" else f"split {split}"
        raise InputError(str(data), f"{where} has no pairs to evaluate")
    return examples


def evaluate(
    dataset: str,
    data: str | Path,
    split: str | None = None,
    *,
    part: str = "all",
    carve_by: str = "key",
    limit: int | None = None,
    embedder=None,
    judge=None,
    thresholds=None,
    workers: int | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Evaluate on one dataset split and return the figures (see the module docstring).

    ``carve_by='story'`` carves FNC-1 by story instead of by body (:func:`carve_stories`).
    """
    from compare.embeddings import Embedder
    from compare.judge.trained import default_judge

    started = time.perf_counter()
    split = split or DEFAULT_SPLIT[dataset]
    embedder = embedder or Embedder()
    if carve_by != "key" and dataset != "fnc1":
        raise InputError(None, f"the {carve_by} carve is for fnc1 only")
    result: dict[str, Any] = {"dataset": dataset, "split": split, "part": part}
    if carve_by != "key" and part != "all":
        result["carve"] = carve_by
    if dataset == "fnc1":
        examples, bodies = read_fnc1(data, split)
        examples = _some(carve_fnc1(examples, part, carve_by)[:limit], data, split, part)
        judge = judge or default_judge(thresholds, embedder.name)
        if thresholds is None:
            from compare.judge import Thresholds

            thresholds = Thresholds(link=FNC_LINK)
        labels = engine_pair_labels([(e.a, e.b) for e in examples], bodies, embedder, judge, thresholds,
                                    workers=workers, progress=progress)
        pred = [FNC_FROM_ENGINE[label] for label in labels]
        gold = [e.label for e in examples]
        score, best = fnc_score(gold, pred)
        result["fnc_score"] = 100.0 * score / best if best else 0.0
        result.update(class_figures(gold, pred, FNC_LABELS))
        result["judge"] = judge.name
        result["link_threshold"] = thresholds.link
    elif dataset in ("sick", "snli"):
        examples = (read_sick if dataset == "sick" else read_snli)(data, split)
        examples = _some(carve(examples, part)[:limit], data, split, part)
        judge = judge or default_judge(thresholds, embedder.name)
        signals = sentence_pair_signals(examples, embedder, progress=progress)
        pred = nli_predictions(judge, signals, progress=progress)
        gold = [e.label for e in examples]
        result.update(class_figures(gold, pred, NLI_LABELS))
        result["contradiction_f1"] = result["per_class_f1"]["contradiction"]
        result["judge"] = judge.name
    elif dataset == "mrpc":
        examples = _some(carve(read_mrpc(data, split), part)[:limit], data, split, part)
        judge = judge or default_judge(thresholds, embedder.name)
        signals = sentence_pair_signals(examples, embedder, progress=progress)
        labels = engine_labels(judge, signals, progress=progress)
        pred = ["equivalent" if label == "agree" else "not_equivalent" for label in labels]
        gold = [e.label for e in examples]
        result.update(class_figures(gold, pred, MRPC_LABELS))
        # The checks behind each equivalent pair labelled diverge: where to look for false alarms.
        disputed = [s for s, g, label in zip(signals, gold, labels) if g == "equivalent" and label == "diverge"]
        by_check = {kind: sum(any(d.kind == kind for d in s.discrepancies) for s in disputed) for kind in CHECK_KINDS}
        result.update(
            equivalent_f1=result["per_class_f1"]["equivalent"],
            labels_of_equivalent={label: sum(1 for g, x in zip(gold, labels) if g == "equivalent" and x == label)
                                  for label in ("agree", "related", "diverge", "silent")},
            diverge_on_equivalent={"pairs": len(disputed), "with_check": {k: n for k, n in by_check.items() if n}},
        )
        result["judge"] = judge.name
    elif dataset == "stsb":
        examples = _some(carve(read_stsb(data, split), part)[:limit], data, split, part)
        texts = list(dict.fromkeys([e.a for e in examples] + [e.b for e in examples]))
        vecs = dict(zip(texts, embedder.embed(texts, progress=_progress(progress))))
        sims = [float(vecs[e.a] @ vecs[e.b]) for e in examples]
        gold_scores = [float(e.score) for e in examples]
        result.update(spearman=spearman(sims, gold_scores), pearson=pearson(sims, gold_scores))
    else:  # pragma: no cover - argparse restricts the choices
        raise InputError(None, f"unknown dataset {dataset!r}")
    result["model"] = embedder.name
    result["pairs"] = len(examples)
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def format_result(r: dict[str, Any]) -> str:
    """The figures as plain text."""
    part = f" ({r['part']} part" + (f", by {r['carve']}" if r.get("carve") else "") + ")"
    lines = [f"{r['dataset']} {r['split']}" + (part if r.get("part", "all") != "all" else "")
             + f": {r['pairs']} pairs in {r['seconds']:.1f} s" + (f", judge {r['judge']}" if r.get("judge") else "")]
    if "fnc_score" in r:
        lines.append(f"  FNC-1 weighted score  {r['fnc_score']:6.2f} % of the maximum")
    if "accuracy" in r:
        lines.append(f"  accuracy              {r['accuracy']:.4f}")
    if "macro_f1" in r:
        lines.append(f"  macro-F1              {r['macro_f1']:.4f}")
    if "contradiction_f1" in r:
        lines.append(f"  contradiction F1      {r['contradiction_f1']:.4f}")
    if "equivalent_f1" in r:
        lines.append(f"  equivalent F1         {r['equivalent_f1']:.4f}")
    if "labels_of_equivalent" in r:
        lines.append("  equivalent pairs by engine label  "
                     + "  ".join(f"{k} {v}" for k, v in r["labels_of_equivalent"].items()))
        disputed = r["diverge_on_equivalent"]
        checks = ", ".join(f"{k} {v}" for k, v in disputed["with_check"].items()) or "none"
        lines.append(f"  equivalent pairs labelled diverge: {disputed['pairs']} (a check found something in: {checks})")
    if "per_class_f1" in r:
        lines.append("  per-class F1          " + "  ".join(f"{k} {v:.4f}" for k, v in r["per_class_f1"].items()))
    if "spearman" in r:
        lines.append(f"  Spearman              {r['spearman']:.4f}   (Pearson {r['pearson']:.4f})")
    if "confusion" in r:
        labels = r["confusion"]["labels"]
        width = max(len(x) for x in labels) + 2
        lines.append("  confusion (rows gold, columns predicted):")
        lines.append("  " + " " * width + "".join(f"{x:>{width}}" for x in labels))
        for label, row in zip(labels, r["confusion"]["matrix"]):
            lines.append(f"  {label:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def dev_overlap_warnings(judge: Judge | None, carve_by: str) -> list[str]:
    """Why FNC-1 dev figures of ``judge`` on the ``carve_by`` carve would be flattered, if they would.

    Each carve's train part holds pairs of the other carve's dev part, and a
    stance model trained on all of FNC-1 train has seen every dev pair, so a
    model that learned from anything but ``carve_by``'s own train part has seen
    some of the pairs it would be measured on.
    """
    from compare.judge.stance import dev_overlap as stance_dev_overlap
    from compare.judge.stance import training_part as stance_training_part

    warnings = []
    bundle = getattr(judge, "bundle", None) or {}  # a trained judge's: what it was trained on
    trained_by = bundle.get("fnc1_carve", "key")
    if "fnc1" in bundle.get("trained_on", {}) and trained_by != carve_by:
        warnings.append(f"this judge was trained on the {trained_by} carve's train part, which overlaps the "
                        f"{carve_by} carve's dev part; train one with train-judge --carve {carve_by} to measure it")
    stance_file = getattr(judge, "stance_path", None)
    stance_overlap = stance_dev_overlap(stance_training_part(stance_file) if stance_file else None, carve_by)
    if stance_overlap:
        warnings.append(f"this judge's stance model {stance_overlap}")
    return warnings



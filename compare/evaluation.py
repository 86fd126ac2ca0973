"""``narrative-compare evaluate``: measure the engine on public benchmarks, from their own files.

Each reader takes a folder and a split name and reads the files under their
original names and layout, so the same command runs on a split this project
never saw (the held-back test sets):

=========  ==================================================  ================================
dataset    files                                               splits (default first)
=========  ==================================================  ================================
fnc1       ``{split}_stances.csv`` + ``{split}_bodies.csv``      ``competition_test``, ``train``
sick       ``SICK*.txt`` rows whose ``SemEval_set`` is it, or    ``TEST``, ``TRAIN``, ``TRIAL``
           the SemEval-2014 file named for it
           (``SICK_test_annotated.txt``)
snli       ``s1.{split}``, ``s2.{split}``, ``labels.{split}``,   ``test``, ``dev``, ``train``
           or ``snli_1.0_{split}.jsonl``
stsb       ``sts-{split}.csv``                                  ``test``, ``dev``, ``train``
mrpc       ``msr_paraphrase_{split}.txt``                       ``test``, ``train``
=========  ==================================================  ================================

``--part dev`` / ``--part train`` select this project's carve of a split (20 %
of the keys, by a hash of the FNC-1 body id, the SNLI premise, the SICK pair id
or the STS-B row id); the judge is trained on ``train`` parts and tuned on the
``dev`` parts only.

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

import argparse
import csv
import hashlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import CHECK_KINDS
from .cli import add_judge_arguments, add_model_arguments, command
from .errors import InputError
from .model import Event, Passage, Source

if TYPE_CHECKING:
    from .judging import Judge

DATASETS = ("fnc1", "sick", "snli", "stsb", "mrpc")
DEFAULT_SPLIT = {"fnc1": "competition_test", "sick": "TEST", "snli": "test", "stsb": "test", "mrpc": "test"}
FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
#: Engine label -> FNC-1 stance (the only FNC-specific mapping).
FNC_FROM_ENGINE = {"agree": "agree", "diverge": "disagree", "related": "discuss", "silent": "unrelated"}
NLI_LABELS = ("entailment", "neutral", "contradiction")
#: Judge class -> NLI label.
NLI_FROM_JUDGE = {"agree": "entailment", "diverge": "contradiction", "related": "neutral",
                  "unrelated": "neutral", "silent": "neutral"}
MRPC_LABELS = ("equivalent", "not_equivalent")
#: MRPC's Quality column -> label.
MRPC_QUALITY = {"1": "equivalent", "0": "not_equivalent"}
DEV_SHARE = 20  # percent of keys in the dev carve
#: The link threshold for FNC-1, chosen on the FNC-1 dev part: a short headline
#: and the best sentence of a long body that discusses it meet at a lower cosine
#: than two accounts' passages on one claim (at the engine's default, about a
#: quarter of related headlines found no passage and came out unrelated).
FNC_LINK = 0.45


# --- data -------------------------------------------------------------------


@dataclass
class Example:
    """One pair: two texts, a gold label or score, and the key the carve splits by."""

    a: str
    b: str
    label: str
    key: str
    score: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def in_dev(key: str) -> bool:
    """Whether a key falls in the dev carve (a stable hash, 20 % of keys)."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 100 < DEV_SHARE


def carve(examples: list[Example], part: str) -> list[Example]:
    if part == "all":
        return examples
    want = part == "dev"
    return [e for e in examples if in_dev(e.key) == want]


#: How a split is carved: ``key`` (each set's own key: FNC-1 body id, SNLI premise, ...) or,
#: for FNC-1 only, ``story`` (see :func:`carve_stories`).
CARVES = ("key", "story")


def fnc1_stories(examples: Sequence[Example]) -> dict[str, str]:
    """The story of every FNC-1 headline (``h:TEXT``) and body (``b:ID``).

    A story is a connected set of headlines and bodies linked by a related
    stance (agree, disagree or discuss): one claim and the articles about it.
    Its key is its lowest body id, so it does not change with file order.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for e in examples:
        head, body = root("h:" + e.a), root("b:" + e.b)
        if e.label != "unrelated" and head != body:
            parent[head] = body
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(root(node), []).append(node)
    story: dict[str, str] = {}
    for nodes in members.values():
        bodies = sorted((n[2:] for n in nodes if n.startswith("b:")), key=lambda b: (len(b), b))
        key = f"story:{bodies[0]}" if bodies else f"story:{nodes[0]}"
        story.update(dict.fromkeys(nodes, key))
    return story


def carve_stories(examples: list[Example], part: str, stories: dict[str, str] | None = None) -> list[Example]:
    """FNC-1 carved by story, so that the dev part is about claims training never saw.

    The body-id carve keeps every dev headline in training too (with other
    bodies); the competition test split has new claims and new articles. Here
    the dev part is every pair whose headline's story is in the dev 20 % of
    stories, and the train part every pair whose headline and body are both
    in the other 80 % (the unrelated pairs that cross the two are left out).
    ``stories`` is :func:`fnc1_stories` of ``examples``, for a caller that has it already.
    """
    if part == "all":
        return examples
    story = stories if stories is not None else fnc1_stories(examples)
    if part == "dev":
        return [e for e in examples if in_dev(story["h:" + e.a])]
    return [e for e in examples if not in_dev(story["h:" + e.a]) and not in_dev(story["b:" + e.b])]


def carve_fnc1(examples: list[Example], part: str, by: str = "key",
               stories: dict[str, str] | None = None) -> list[Example]:
    """FNC-1's carve: by body id (``by='key'``, the default) or by story (:func:`carve_stories`)."""
    if by not in CARVES:
        raise InputError(None, f"unknown carve {by!r} (expected one of {', '.join(CARVES)})")
    return carve_stories(examples, part, stories) if by == "story" else carve(examples, part)


def _need(path: Path) -> Path:
    if not path.is_file():
        raise InputError(str(path), "no such file (is --data the dataset's folder, and --split a split it has?)")
    return path


def read_fnc1(data: str | Path, split: str = "competition_test") -> tuple[list[Example], dict[str, str]]:
    """FNC-1 stances (``a`` = headline, ``b`` = body id) and the bodies by id."""
    data = Path(data)
    split = "competition_test" if split == "test" else split
    bodies: dict[str, str] = {}
    with open(_need(data / f"{split}_bodies.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            bodies[row["Body ID"].strip()] = row["articleBody"]
    examples = []
    with open(_need(data / f"{split}_stances.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            body = row["Body ID"].strip()
            if body not in bodies:
                raise InputError(f"{split}_stances.csv", f"body id {body} is not in {split}_bodies.csv")
            examples.append(Example(row["Headline"], body, row["Stance"].strip().lower(), key=f"body:{body}"))
    return examples, bodies


def read_sick(data: str | Path, split: str = "TEST") -> list[Example]:
    """SICK pairs of one split (TRAIN, TRIAL or TEST; ``dev`` means TRIAL).

    Reads ``SICK.txt`` and its parts (rows whose ``SemEval_set`` is the split)
    and the SemEval-2014 files (``SICK_train.txt``, ``SICK_trial.txt``,
    ``SICK_test_annotated.txt``: no ``SemEval_set`` column, the split is in the
    file name, the label in ``entailment_judgment``).
    """
    data = Path(data)
    want = {"DEV": "TRIAL"}.get(split.upper(), split.upper())
    files = [data] if data.is_file() else sorted(data.glob("SICK*.txt"))
    if not files:
        raise InputError(str(data), "no SICK*.txt file here")
    seen: dict[str, Example] = {}
    for path in files:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            columns = set(reader.fieldnames or ())
            label = next((c for c in ("entailment_label", "entailment_judgment") if c in columns), None)
            missing = sorted({"pair_ID", "sentence_A", "sentence_B", "relatedness_score"} - columns)
            if label is None:
                missing.append("entailment_label")
            if missing:
                raise InputError(str(path), f"not a SICK file: no {', '.join(missing)} column "
                                            "(expected SICK.txt's tab-separated columns)")
            if "SemEval_set" not in columns:
                named = [s for s in ("TRAIN", "TRIAL", "TEST") if s.lower() in path.name.lower()]
                if named != [want]:
                    continue  # another split's SemEval file, or a name that says none
            for row in reader:
                if "SemEval_set" in columns and (row["SemEval_set"] or "").strip().upper() != want:
                    continue
                pid, a, b, gold = ((row.get(k) or "").strip() for k in ("pair_ID", "sentence_A", "sentence_B", label))
                try:
                    score = float(row.get("relatedness_score") or "")
                except ValueError:
                    score = None
                if not (pid and a and b and gold) or score is None:
                    raise InputError(str(path), f"line {reader.line_num}: a SICK row needs a pair_ID, both "
                                                f"sentences, a label and a relatedness score")
                seen[pid] = Example(a, b, gold.lower(), key=f"sick:{pid}", score=score)
    if not seen:
        raise InputError(str(data), f"no SICK rows of the {want} split (SemEval_set column, or a SemEval-2014 "
                                    f"file named for it)")
    bad = sorted({e.label for e in seen.values()} - set(NLI_LABELS))
    if bad:
        raise InputError(str(data), f"unknown SICK labels {bad} (expected ENTAILMENT, NEUTRAL, CONTRADICTION)")
    return list(seen.values())


def read_snli(data: str | Path, split: str = "test") -> list[Example]:
    """SNLI in the line-aligned layout (``s1.{split}``, ``s2.{split}``, ``labels.{split}``), or the
    release's ``snli_1.0_{split}.jsonl`` when that is what the folder holds.

    Pairs without a gold label (``-``: the annotators did not agree) are left out, as SNLI's
    published figures do.
    """
    data = Path(data)
    release = data / f"snli_1.0_{split}.jsonl"
    if not (data / f"s1.{split}").is_file() and release.is_file():
        return _read_snli_release(release)
    lines = []
    for name in ("s1", "s2", "labels"):
        with open(_need(data / f"{name}.{split}"), encoding="utf-8") as f:
            lines.append([line.strip() for line in f])
    s1, s2, labels = lines
    if not len(s1) == len(s2) == len(labels):
        raise InputError(str(data), f"s1/s2/labels.{split} have {len(s1)}/{len(s2)}/{len(labels)} lines")
    return [Example(a, b, y.lower(), key=f"snli:{a}") for a, b, y in zip(s1, s2, labels) if y in NLI_LABELS]


def _read_snli_release(path: Path) -> list[Example]:
    out = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                a, b, gold = row["sentence1"].strip(), row["sentence2"].strip(), row["gold_label"]
            except (ValueError, KeyError, TypeError, AttributeError):
                raise InputError(str(path), f"line {number}: not an SNLI record (sentence1, sentence2, gold_label)")
            if gold in NLI_LABELS:
                out.append(Example(a, b, gold, key=f"snli:{a}"))
    return out


def read_stsb(data: str | Path, split: str = "test") -> list[Example]:
    """STS-B ``sts-{split}.csv``: tab separated, no quoting, score in column 5."""
    data = Path(data)
    out = []
    with open(_need(data / f"sts-{split}.csv"), newline="", encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 7:
                continue
            out.append(Example(row[5].strip(), row[6].strip(), "", key=f"sts:{row[1]}:{row[2]}:{row[3]}",
                               score=float(row[4]), extra={"genre": row[0], "source": row[1]}))
    return out


def read_mrpc(data: str | Path, split: str = "test") -> list[Example]:
    """MRPC pairs from ``msr_paraphrase_{split}.txt`` (Microsoft's release: tab separated with a
    header row, UTF-8 with a byte-order mark, unbalanced quotes, so read without quoting)."""
    path = _need(Path(data) / f"msr_paraphrase_{split}.txt")
    need = ("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String")
    out = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in need if c not in header]
        if missing:
            raise InputError(str(path), f"not an MRPC pair file: no {', '.join(missing)} column "
                                        "(expected Quality, #1 ID, #2 ID, #1 String, #2 String)")
        col = {c: header.index(c) for c in need}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            cells = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
            if cells["Quality"] not in MRPC_QUALITY or not (cells["#1 String"] and cells["#2 String"]):
                raise InputError(str(path), f"line {reader.line_num}: an MRPC row needs a Quality of 0 or 1 "
                                            "and both sentences")
            out.append(Example(cells["#1 String"], cells["#2 String"], MRPC_QUALITY[cells["Quality"]],
                               key=f"mrpc:{cells['#1 ID']}:{cells['#2 ID']}"))
    return out


# --- metrics ----------------------------------------------------------------


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Rows are gold labels, columns predicted labels, both in ``labels`` order."""
    index = {label: i for i, label in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        m[index[g]][index[p]] += 1
    return m


def per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    m = confusion(gold, pred, labels)
    out = {}
    for i, label in enumerate(labels):
        tp = m[i][i]
        predicted = sum(row[i] for row in m)
        actual = sum(m[i])
        out[label] = 2 * tp / (predicted + actual) if predicted + actual else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    scores = per_class_f1(gold, pred, labels)
    return sum(scores.values()) / len(scores)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred)) / len(gold) if gold else 0.0


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """The official FNC-1 weighted score and its maximum for these gold labels."""
    score = best = 0.0
    for g, p in zip(gold, pred):
        related_g, related_p = g != "unrelated", p != "unrelated"
        best += 1.0 if related_g else 0.25
        if related_g == related_p:
            score += 0.25
            if related_g and g == p:
                score += 0.75
    return score, best


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic)


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return float(np.corrcoef(np.asarray(x, float), np.asarray(y, float))[0, 1])


# --- running the engine -------------------------------------------------------


def _progress(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def pair_label(comparison, a: str, b: str) -> str:
    """The label of sources ``a`` and ``b`` over the points where ``a`` speaks.

    ``diverge`` if they diverge on any, else ``agree`` if they agree on any,
    else ``related`` if related on any, else ``silent``.
    """
    found = set()
    for point in comparison.points:
        if point.passages.get(a):
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
    (index of the claim, the :class:`~compare.model.Comparison`, the
    :class:`~compare.pipeline.Prepared` event) in document order.
    """
    from tqdm.auto import tqdm

    from .passages import split_passages
    from .pipeline import Prepared, compare_prepared

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
        self.stats = {"cached": 0, "embedded": 0}

    def embed(self, texts: Sequence[str], *, progress: bool | None = None) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


_WORKER: dict[str, Any] = {}


def _init_worker(name: str, table: dict, judge, thresholds, parties: tuple[str, str]) -> None:
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

    from .passages import passage_texts

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
    from .judging import label_points
    from .model import Point

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
        from .judging import Judgement

        self.last = signals
        self.seen.append(signals)
        return Judgement("related", 0.0, 0.0, "recorded")


def judge_probabilities(judge, signals: list, batch: int = 512, *, progress: bool | None = False) -> np.ndarray | None:
    """A trained judge's class probabilities (rows in ``CLASSES`` order), or ``None`` for other judges."""
    if not (hasattr(judge, "predict_proba") and hasattr(judge, "features")):
        return None
    parts = _in_batches(signals, batch, progress,
                        lambda chunk: judge.predict_proba(np.stack([judge.features(s) for s in chunk]), chunk))
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


def _class_figures(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix of one labelling."""
    f1 = per_class_f1(gold, pred, labels)
    return {"accuracy": accuracy(gold, pred), "macro_f1": sum(f1.values()) / len(f1), "per_class_f1": f1,
            "confusion": {"labels": list(labels), "matrix": confusion(gold, pred, labels)}}


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
    from .embeddings import Embedder
    from .trained_judge import default_judge

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
            from .judging import Thresholds

            thresholds = Thresholds(link=FNC_LINK)
        labels = engine_pair_labels([(e.a, e.b) for e in examples], bodies, embedder, judge, thresholds,
                                    workers=workers, progress=progress)
        pred = [FNC_FROM_ENGINE[label] for label in labels]
        gold = [e.label for e in examples]
        score, best = fnc_score(gold, pred)
        result["fnc_score"] = 100.0 * score / best if best else 0.0
        result.update(_class_figures(gold, pred, FNC_LABELS))
        result["judge"] = judge.name
        result["link_threshold"] = thresholds.link
    elif dataset in ("sick", "snli"):
        examples = (read_sick if dataset == "sick" else read_snli)(data, split)
        examples = _some(carve(examples, part)[:limit], data, split, part)
        judge = judge or default_judge(thresholds, embedder.name)
        signals = sentence_pair_signals(examples, embedder, progress=progress)
        pred = nli_predictions(judge, signals, progress=progress)
        gold = [e.label for e in examples]
        result.update(_class_figures(gold, pred, NLI_LABELS))
        result["contradiction_f1"] = result["per_class_f1"]["contradiction"]
        result["judge"] = judge.name
    elif dataset == "mrpc":
        examples = _some(carve(read_mrpc(data, split), part)[:limit], data, split, part)
        judge = judge or default_judge(thresholds, embedder.name)
        signals = sentence_pair_signals(examples, embedder, progress=progress)
        labels = engine_labels(judge, signals, progress=progress)
        pred = ["equivalent" if label == "agree" else "not_equivalent" for label in labels]
        gold = [e.label for e in examples]
        result.update(_class_figures(gold, pred, MRPC_LABELS))
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


def _evaluate_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Evaluate the engine on a public benchmark, read from its original files."
    p.add_argument("dataset", choices=DATASETS, help="which benchmark")
    p.add_argument("--data", required=True, metavar="DIR", help="the dataset's folder (files in their original names)")
    p.add_argument("--split", metavar="NAME",
                   help="split by its file name: fnc1 competition_test|train, sick TEST|TRAIN|TRIAL, "
                        "snli test|dev, stsb test|dev|train, mrpc test|train (default: the test split)")
    p.add_argument("--part", choices=("all", "dev", "train"), default="all",
                   help="this project's carve of the split (dev = 20%% of keys by hash; default all)")
    p.add_argument("--carve", choices=CARVES, default="key",
                   help="fnc1 only: carve by body id (key, the default) or by story, so that the dev "
                        "part's claims and articles are all unseen in training, as in the competition test")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pairs (a quick slice)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument("--link-threshold", type=float, metavar="X",
                   help=f"the engine's link threshold (default: the engine's, {FNC_LINK} for fnc1)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes for the per-pair work of FNC-1 (default: one per core, at most 4)")
    add_judge_arguments(p)
    add_model_arguments(p)


def dev_overlap_warnings(judge: Judge | None, carve_by: str) -> list[str]:
    """Why FNC-1 dev figures of ``judge`` on the ``carve_by`` carve would be flattered, if they would.

    Each carve's train part holds pairs of the other carve's dev part, and a
    stance model trained on all of FNC-1 train has seen every dev pair, so a
    model that learned from anything but ``carve_by``'s own train part has seen
    some of the pairs it would be measured on.
    """
    from .stance import dev_overlap as stance_dev_overlap
    from .stance import training_part as stance_training_part

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


@command("evaluate", _evaluate_arguments)
def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the engine on FNC-1, SICK, SNLI, STS-B or MRPC."""
    from .embeddings import Embedder
    from .trained_judge import make_judge

    if args.limit is not None and args.limit < 1:
        raise InputError(None, f"--limit must be at least 1, not {args.limit}")
    embedder = Embedder(args.model, args.cache_dir, use_cache=not args.no_cache)
    judge = None
    if args.dataset != "stsb":
        judge = make_judge(args.judge, embedding_model=embedder.name, nli=args.nli_model, stance=args.stance_model,
                           dispute_odds=args.dispute_odds)
    thresholds = None
    if args.link_threshold is not None:
        from .judging import Thresholds

        if not 0.0 <= args.link_threshold <= 1.0:
            raise InputError(None, f"--link-threshold must be between 0 and 1, not {args.link_threshold}")
        thresholds = Thresholds(link=args.link_threshold)
    if args.dataset == "fnc1" and args.part == "dev":
        for warning in dev_overlap_warnings(judge, args.carve):
            print(f"warning: {warning}", file=sys.stderr)
    result = evaluate(args.dataset, args.data, args.split, part=args.part, carve_by=args.carve, limit=args.limit,
                      thresholds=thresholds, embedder=embedder, judge=judge, workers=args.workers, progress=args.progress)
    if args.json:
        print(json.dumps(result, indent=None, sort_keys=False))
    else:
        print(format_result(result))
    return 0


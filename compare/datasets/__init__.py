"""The public benchmarks, read from their own files, and this project's dev / train carves.

Each reader takes a folder and a split name and reads the files under their
original names and layout, so the same code reads a split this project never
saw (the held-back test sets):

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

:func:`carve` selects this project's carve of a split (20 % of the keys, by a
hash of the FNC-1 body id, the SNLI premise, the SICK pair id or the STS-B row
id); the judge is trained on ``train`` parts and tuned on the ``dev`` parts only.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compare.errors import InputError


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

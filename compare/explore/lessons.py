"""The teaching walk: the lesson steps (read from each event's ``lesson.md``), the answer
key set beside the tool's labels, and the "you decide" exercise."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compare.bench.answer_key import Answer, load_answer_key, locate
from compare.documents import decode_text
from compare.records import Comparison, PairLabel, Point


@dataclass(frozen=True)
class Step:
    """One step of the guided walk: a title, a short text and what to show beside it."""

    title: str
    text: str
    show: str = ""
    event: str = "teaching-junction"


def read_lesson(folder: str | Path) -> list[tuple[str, str]]:
    """The ``## `` sections of ``lesson.md``: (heading without its number, body)."""
    path = Path(folder) / "lesson.md"
    if not path.exists():
        return []
    text = decode_text(path.read_bytes(), path)
    out = []
    for block in re.split(r"^## +", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        out.append((re.sub(r"^\d+[.)]\s*", "", heading.strip()), body.strip()))
    return out


#: What each step of the teaching lesson shows, by a word of its heading (the first word found wins).
_LESSON_SHOWS = (
    ("incident", "accounts"),
    ("embedding", "embedding"),
    ("points", "matrix"),
    ("labels", "labels"),
    ("evidence", "evidence"),
    ("decide", "exercise"),
    ("wrong", "mistakes"),
    ("original", "context"),
)

#: The real event the walk ends on; its folder sits beside the teaching event's.
LACHIN_EVENT = "lachin-road-2022"
#: What each step of the Lachin lesson shows. A table of its own, because its last
#: heading ("... where the tool can be wrong") would otherwise match "wrong" above.
_LACHIN_SHOWS = (
    ("real event", "lachin-matrix"),
    ("names", "lachin-framing"),
    ("clash", "lachin-contested"),
)


def _lesson_steps(folder: Path, shows: Sequence[tuple[str, str]]) -> list[Step]:
    """The steps of ``folder``'s ``lesson.md``; each shows what ``shows`` pairs with the first of its words in the heading."""
    name = Path(folder).name
    return [
        Step(title, body, next((s for word, s in shows if word in title.lower()), ""), name)
        for title, body in read_lesson(folder)
    ]


def teaching_steps(teaching_folder: str | Path) -> list[Step]:
    """The guided walk: the teaching event's lesson, then the Lachin event's (from its folder beside it)."""
    folder = Path(teaching_folder)
    return _lesson_steps(folder, _LESSON_SHOWS) + _lesson_steps(folder.parent / LACHIN_EVENT, _LACHIN_SHOWS)


@dataclass
class KeyedPair:
    """One pair from the answer key: the key's label beside the tool's, with the evidence."""

    answer: Answer
    other: str
    expected: str
    point: Point | None = None
    passage_id: str | None = None
    label: PairLabel | None = None

    @property
    def got(self) -> str | None:
        """The tool's label for this pair, or ``None`` when it did not find the answer's passage."""
        return self.label.label if self.label is not None else None

    @property
    def correct(self) -> bool:
        """Whether the tool's label is the key's."""
        return self.got == self.expected


def keyed_pairs(comparison: Comparison, answers: Sequence[Answer]) -> list[KeyedPair]:
    """Every (answer, other party) of the key with the tool's label and its evidence."""
    ids = {s.party: s.id for s in comparison.sources}
    out = []
    for answer in answers:
        found = locate(comparison, answer.source, answer.quote)
        for other, expected in answer.expected.items():
            item = KeyedPair(answer, other, expected)
            if found is not None and other in ids and answer.source in ids:
                passage, point = found
                item.point, item.passage_id = point, passage.id
                item.label = point.pair(ids[answer.source], ids[other])
            out.append(item)
    return out


def exercise_pairs(pairs: Sequence[KeyedPair], n: int = 6) -> list[KeyedPair]:
    """A few pairs for the student to label: one per kind of answer in turn, non-silent first."""
    by_kind: dict[str, list[KeyedPair]] = {}
    for p in sorted(pairs, key=lambda p: p.expected == "silent"):  # stable: key order otherwise
        group = by_kind.setdefault(p.answer.kind, [])
        if all(q.answer.id != p.answer.id for q in group):  # one pair per answer
            group.append(p)
    out: list[KeyedPair] = []
    while len(out) < n and any(by_kind.values()):
        for group in by_kind.values():
            if group and len(out) < n:
                out.append(group.pop(0))
    return out


def load_answers(folder: str | Path) -> list[Answer]:
    """The answer key of the event in ``folder`` (its ``answers.yaml``)."""
    return load_answer_key(folder)


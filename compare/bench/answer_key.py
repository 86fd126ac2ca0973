"""Answer keys for teaching events: known labels to check the engine (and students) against.

An ``answers.yaml`` beside the sources names passages by an exact quote and
gives, for every other party, the label its pair should get on the quote's
point. :func:`score_answers` reads the engine's labels for those pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from compare.errors import InputError
from compare.records import LABELS, Comparison, Passage, Point

ANSWERS_FILE = "answers.yaml"
KINDS = ("agreement", "contradiction", "quantity", "date", "naming", "silence")


@dataclass(frozen=True)
class Answer:
    """One expected labelling: the quote's point, against each other party."""

    id: str
    source: str
    quote: str
    kind: str
    expected: dict[str, str]
    why: str = ""


@dataclass(frozen=True)
class Checked:
    """An expected label next to the engine's."""

    answer: Answer
    other: str
    expected: str
    got: str | None
    point_id: str | None

    @property
    def correct(self) -> bool:
        return self.got == self.expected


def load_answer_key(folder: str | Path) -> list[Answer]:
    """Read ``answers.yaml`` from an event folder; an empty list when there is none."""
    path = Path(folder) / ANSWERS_FILE
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(path, f"is not a readable answer key: {err}") from None
    answers = []
    for i, item in enumerate(data.get("answers") or [], start=1):
        if not isinstance(item, dict) or not {"source", "quote", "expected"} <= item.keys():
            raise InputError(path, f"answer {i} needs 'source', 'quote' and 'expected'")
        expected = {str(k): str(v) for k, v in (item["expected"] or {}).items()}
        bad = sorted(set(expected.values()) - set(LABELS))
        if bad:
            raise InputError(path, f"answer {i} has unknown label(s) {', '.join(bad)}; use {', '.join(LABELS)}")
        answers.append(
            Answer(
                id=str(item.get("id") or f"answer-{i}"),
                source=str(item["source"]),
                quote=str(item["quote"]),
                kind=str(item.get("kind") or ""),
                expected=expected,
                why=str(item.get("why") or ""),
            )
        )
    return answers


def locate(comparison: Comparison, party: str, quote: str) -> tuple[Passage, Point] | None:
    """The passage of ``party`` that contains ``quote``, and the point it belongs to."""
    by_party = {s.party: s for s in comparison.sources}
    source = by_party.get(party)
    if source is None:
        return None
    at = source.text.find(quote)
    if at < 0:
        return None
    for point in comparison.points:
        for pid in point.passages[source.id]:
            passage = comparison.passages[pid]
            if passage.start <= at < passage.end:
                return passage, point
    return None


def score_answers(comparison: Comparison, answers: list[Answer]) -> list[Checked]:
    """The engine's label for every (answer, other party) pair in the key."""
    ids = {s.party: s.id for s in comparison.sources}
    out: list[Checked] = []
    for answer in answers:
        found = locate(comparison, answer.source, answer.quote)
        for other, expected in answer.expected.items():
            got = None
            if found is not None and other in ids:
                label = found[1].pair(ids[answer.source], ids[other])
                got = label.label if label is not None else None
            out.append(Checked(answer, other, expected, got, found[1].id if found else None))
    return out


def accuracy(checked: list[Checked]) -> float:
    """Share of expected labels the engine got right."""
    return sum(c.correct for c in checked) / len(checked) if checked else 0.0


def summary(checked: list[Checked]) -> dict[str, Any]:
    """Accuracy overall and by kind of answer."""
    kinds: dict[str, list[Checked]] = {}
    for c in checked:
        kinds.setdefault(c.answer.kind, []).append(c)
    return {
        "accuracy": accuracy(checked),
        "pairs": len(checked),
        "by_kind": {k: round(accuracy(v), 3) for k, v in sorted(kinds.items())},
    }

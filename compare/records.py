"""The plain data classes that flow from stage to stage.

Documents become :class:`Source` objects, sources are cut into :class:`Passage`
objects, passages are grouped into :class:`Point` objects, and every pair of
sources gets a :class:`PairLabel` on every point, carrying its
:class:`Evidence`. A :class:`Comparison` holds the whole result; the report, the
app and the evaluation all read this one structure.

The classes a large event makes by the hundred thousand (passages, positions, pair
labels with their evidence and discrepancies) have ``__slots__``: a pair label with
its evidence takes 208 bytes instead of 296.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Label = Literal["agree", "diverge", "related", "silent"]
LABELS: tuple[Label, ...] = ("agree", "diverge", "related", "silent")

#: What a single source's cell in the coverage matrix shows: a pair label
#: summarised over the other sources, or ``sole`` when no other source speaks.
CellStatus = Literal["agree", "diverge", "related", "silent", "sole"]

DiscrepancyKind = Literal["polarity", "quantity", "date", "naming", "role"]

#: Where a source stands on a point's claim: it states it (in any words, perhaps with
#: another value for the same thing), says it is false, reports it without taking a
#: side (attributed, hedged, or mentioned), or says nothing on it.
Stance = Literal["affirms", "denies", "reports", "silent"]
STANCES: tuple[Stance, ...] = ("affirms", "denies", "reports", "silent")


@dataclass(frozen=True)
class Source:
    """One party's statement about the event."""

    id: str
    party: str
    text: str
    path: str | None = None
    title: str | None = None
    speaker: str | None = None
    date: str | None = None
    url: str | None = None
    language: str = "en"
    provenance: str | None = None
    format: str = "text"


@dataclass(frozen=True)
class Event:
    """A set of sources about one event, with optional metadata from ``event.yaml``."""

    sources: tuple[Source, ...]
    title: str | None = None
    date: str | None = None
    summary: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of a source's text: ``source.text[start:end] == text``."""

    id: str
    source_id: str
    index: int
    start: int
    end: int
    text: str
    language: str = "en"
    #: (k, n) when this passage is the k-th of n overlapping windows of one span longer than the
    #: embedding model reads (see :mod:`compare.passages`); ``None`` for a whole passage
    window: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A concrete difference a check found between two passages of one point.

    ``left`` belongs to the pair's first source (``PairLabel.a``), ``right`` to
    the second; the offsets are character offsets into each source's text.
    """

    kind: DiscrepancyKind
    description: str
    left: str
    right: str
    left_passage: str
    right_passage: str
    left_start: int
    left_end: int
    right_start: int
    right_end: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a pair got its label, in a form a reader can check and dispute."""

    similarity: float | None = None
    best_pair: tuple[str, str] | None = None
    agreement: float | None = None
    contradiction: float | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    rationale: str = ""
    judge: str = ""
    checks_skipped: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()
    #: a learned judge's class probabilities (agree / diverge / related / unrelated)
    probabilities: dict[str, float] | None = None


@dataclass(frozen=True, slots=True)
class PairLabel:
    """The label of one point for one pair of sources (``a`` sorts before ``b``)."""

    a: str
    b: str
    label: Label
    evidence: Evidence

    @property
    def divergence_kinds(self) -> tuple[str, ...]:
        """The kinds of discrepancy behind a ``diverge`` label, without repeats."""
        return tuple(dict.fromkeys(d.kind for d in self.evidence.discrepancies))


@dataclass(frozen=True, slots=True)
class Position:
    """Where one source stands on one point's claim, the passage behind it, and why.

    A silent source's position names the nearest passage that was read and why
    it does not count, so that a reader can check the silence.
    """

    stance: Stance
    #: the passage behind the stance; ``None`` when silent
    passage: str | None = None
    #: cosine similarity of that passage to the claim (when silent: of the nearest one to the
    #: nearest passage on the point, which the reason names)
    similarity: float | None = None
    #: the reading behind the stance, in words
    reason: str = ""
    #: when silent: the source's passage nearest the point, which was looked at and did not count
    nearest: str | None = None
    #: True when the silence check placed the passage here (alignment had grouped it elsewhere)
    placed: bool = False
    #: when silent because ``nearest`` is below the read threshold: the passage on the point it is nearest to
    nearest_to: str | None = None


def silence_reason(nearest: str | None, similarity: float | None, nearest_to: str | None, read: float) -> str:
    """The reason of a source that is silent without being read: its passage nearest the point
    (``nearest``, at ``similarity`` to ``nearest_to``) is below the ``read`` threshold, or it has no passage.

    A report leaves this reason out of a cell and puts it back from the cell's fields
    (:func:`compare.report.pairs.full_cell`): in a large event most cells are such silences.
    """
    if nearest is None:
        return "it has no passage"
    return (f"its passage nearest the point ({nearest}, similarity {similarity:.2f} to {nearest_to}) is below "
            f"{read:g}, so nothing it says addresses it")


def stance_label(a: str, b: str) -> Label:
    """The label two stances give on their own: a report on either side ``related``, opposite sides ``diverge``,
    the same stance ``agree`` (two sources that both deny a claim agree)."""
    if "reports" in (a, b):
        return "related"
    return "diverge" if a != b else "agree"


def stance_sentence(a: str, stance_a: str, b: str, stance_b: str) -> str:
    """The first words of a claim pair's rationale: who takes which stance."""
    return f"{a} {stance_a} the claim, {b} {stance_b} it"


def values_rationale(a: str, stance_a: str, b: str, stance_b: str) -> str:
    """The rationale of a pair of sources that take the same side and give different values for the same thing."""
    return f"{stance_sentence(a, stance_a, b, stance_b)}, but they give different values for the same thing"


def stance_rationale(a: str, stance_a: str, b: str, stance_b: str) -> str:
    """The rationale of a pair whose label :func:`stance_label` gives. Why each side takes its stance is
    its :class:`Position`'s reason (its cell), which is not repeated in every pair it is part of."""
    sentence = stance_sentence(a, stance_a, b, stance_b)
    return f"{sentence}: a report takes no side" if stance_label(stance_a, stance_b) == "related" else sentence


def readings(a: str, reason_a: str, b: str, reason_b: str) -> str:
    """Each side's own reading (its cell's reason), to follow a claim pair's rationale where a pair is shown alone."""
    return f". {a}: {reason_a}. {b}: {reason_b}"


@dataclass
class Point:
    """One claim, with every source's passages on it (empty = silent) and its position on it.

    ``pairs`` holds only the pair labels that say more than the two sources'
    positions: on a claim, the label of two speaking sources follows from
    their stances (:func:`stance_label`), and a pair is kept in ``pairs`` only
    when its label or evidence adds something (another value for the same
    thing, a check's note, a judge's scores). Every other pair, and every pair
    with a silent side, is made on demand by :meth:`pair`, so that a large
    event (100 sources on 900 claims: 1.4 million speaking pairs) does not hold
    millions of labels that its cells already give. A point without positions
    (labelled pair by pair, as the sentence-pair benchmarks do) keeps every
    speaking pair in ``pairs``.
    """

    id: str
    summary: str
    passages: dict[str, tuple[str, ...]]
    pairs: dict[tuple[str, str], PairLabel] = field(default_factory=dict)
    #: the passage whose words state the claim (from one of the sources; which one is chosen
    #: by the passages' content, never by the order of the sources)
    claim: str | None = None
    #: every source's position on the claim, by source id
    positions: dict[str, Position] = field(default_factory=dict)
    #: the judge that read the positions, named in the evidence of the pairs that follow from them
    judge: str = ""

    @property
    def speakers(self) -> list[str]:
        """The sources that address this point, in the comparison's source order."""
        return [sid for sid, ps in self.passages.items() if ps]

    @property
    def silent_sources(self) -> list[str]:
        return [sid for sid, ps in self.passages.items() if not ps]

    def pair(self, a: str, b: str) -> PairLabel | None:
        """The label for sources ``a`` and ``b`` (in any order); ``None`` if both are silent.

        A pair that ``pairs`` does not hold is made on the spot: ``silent``
        (with ``a`` and ``b`` as given) when one side is silent, else the label
        the two positions give (in source order), as :meth:`speaking_labels` counts it.
        """
        for key in ((a, b), (b, a)):
            if key in self.pairs:
                return self.pairs[key]
        silent = tuple(s for s in (a, b) if not self.passages.get(s))
        if not silent and a in self.positions and b in self.positions:
            keys = list(self.passages)
            if keys.index(b) < keys.index(a):
                a, b = b, a
            pa, pb = self.positions[a], self.positions[b]
            return PairLabel(a, b, stance_label(pa.stance, pb.stance), Evidence(
                best_pair=(pa.passage, pb.passage),  # type: ignore[arg-type]
                rationale=stance_rationale(a, pa.stance, b, pb.stance),
                judge=self.judge,
            ))
        if len(silent) != 1:
            return None
        return PairLabel(
            a=a,
            b=b,
            label="silent",
            evidence=Evidence(
                rationale=f"{silent[0]} has no passage on this point.",
                silent=silent,
            ),
        )

    def speaking_labels(self) -> Iterator[tuple[str, str, Label]]:
        """``(a, b, label)`` for every labelled pair with a speaker but the ``silent`` ones made on demand:
        every pair of speaking sources (``a`` before ``b`` in source order), then a judge's own label on
        a pair with a silent side. The labels that follow from the positions are not made as objects,
        so this is cheap on a point with many sources. A point without a position for every speaker
        (labelled pair by pair) gives the labels it holds."""
        speaking = self.speakers
        if not all(sid in self.positions for sid in speaking):
            for (a, b), lab in self.pairs.items():
                yield a, b, lab.label
            return
        stances = [self.positions[sid].stance for sid in speaking]
        for i, a in enumerate(speaking):
            for j in range(i + 1, len(speaking)):
                b = speaking[j]
                lab = self.pairs.get((a, b)) or self.pairs.get((b, a)) if self.pairs else None
                yield a, b, lab.label if lab is not None else stance_label(stances[i], stances[j])
        # A judge's own label on a pair with a silent side (the claims stage makes none) counts too.
        for (a, b), lab in self.pairs.items():
            if not (self.passages.get(a) and self.passages.get(b)):
                yield a, b, lab.label

    def all_pairs(self, order: list[str]) -> list[PairLabel]:
        """Every pair with at least one speaker, ``silent`` ones included, in source order.

        Built from the speakers outwards rather than over all pairs of sources,
        since with many sources most pairs have no speaker at all.
        """
        rank = {sid: i for i, sid in enumerate(order)}
        speakers = set(self.speakers)
        keys = {
            (a, b) if rank[a] < rank[b] else (b, a)
            for a in speakers
            for b in self.passages
            if b != a
        }
        return [self.pair(a, b) for a, b in sorted(keys, key=lambda k: (rank[k[0]], rank[k[1]]))]  # type: ignore[misc]

    def cell(self, source_id: str) -> CellStatus:
        """The status of one source on this point, for the coverage matrix.

        ``diverge`` if it diverges from any other speaker, ``agree`` if it
        agrees with every other speaker, ``related`` otherwise, ``sole`` when it
        is the only speaker and ``silent`` when it says nothing.
        """
        return self.cells()[source_id]

    def label_tally(self) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """How many of :meth:`speaking_labels`' labels of each kind each source takes part in, and in all.

        The same counts as walking :meth:`speaking_labels`, without the walk: on a claim the labels
        of speaking sources follow from how many affirm, deny and report it (an affirming source
        agrees with the other affirming ones, diverges from the denying ones and is ``related`` to
        the reports), corrected by the pairs the point holds. With 100 sources on a claim that is
        100 sums instead of 4,950 pairs, and a report asks for it on every point several times.
        """
        per: dict[str, dict[str, int]] = {sid: {} for sid in self.passages}
        total: dict[str, int] = {}

        def add(a: str, b: str, label: str, n: int = 1) -> None:
            for sid in (a, b):
                per[sid][label] = per[sid].get(label, 0) + n
            total[label] = total.get(label, 0) + n

        speaking = self.speakers
        if not all(sid in self.positions for sid in speaking):
            for a, b, label in self.speaking_labels():
                add(a, b, label)
            return per, total
        stances = {sid: self.positions[sid].stance for sid in speaking}
        groups: dict[str, int] = {}
        for stance in stances.values():
            groups[stance] = groups.get(stance, 0) + 1
        # Before the corrections, every source of one stance takes part in the same labels.
        rows: dict[str, dict[str, int]] = {}
        for stance in groups:
            row = rows[stance] = {}
            for other, count in groups.items():
                count -= other == stance  # not with itself
                if count:
                    label = stance_label(stance, other)
                    row[label] = row.get(label, 0) + count
        for sid, stance in stances.items():
            per[sid] = dict(rows[stance])
        kinds = list(groups)
        for i, x in enumerate(kinds):
            for y in kinds[i:]:
                count = groups[x] * (groups[x] - 1) // 2 if x == y else groups[x] * groups[y]
                if count:
                    label = stance_label(x, y)
                    total[label] = total.get(label, 0) + count
        corrected: set[str] = set()  # only a correction can leave a count at zero
        for (a, b), lab in self.pairs.items():
            if not (self.passages.get(a) and self.passages.get(b)):
                add(a, b, lab.label)  # a judge's own label on a pair with a silent side
            elif lab.label != (implied := stance_label(stances[a], stances[b])):
                add(a, b, implied, -1)
                add(a, b, lab.label)
                corrected.update((a, b))
        for counts in (*(per[sid] for sid in corrected), total):
            for label in [k for k, v in counts.items() if not v]:
                del counts[label]
        return per, total

    def cells(self) -> dict[str, CellStatus]:
        """:meth:`cell` for every source, from :meth:`label_tally`."""
        per, _ = self.label_tally()
        out: dict[str, CellStatus] = {}
        for sid, mine in per.items():
            if not self.passages[sid]:
                out[sid] = "silent"
            elif not mine:
                out[sid] = "sole"
            elif "diverge" in mine:
                out[sid] = "diverge"
            elif set(mine) == {"agree"}:
                out[sid] = "agree"
            else:
                out[sid] = "related"
        return out

    @property
    def contestedness(self) -> float:
        """Share of speaking pairs that diverge, plus a half weight for ``related``."""
        _, total = self.label_tally()
        n = sum(total.values())
        return (total.get("diverge", 0) + 0.5 * total.get("related", 0)) / n if n else 0.0


@dataclass(frozen=True)
class FramingTerm:
    """A term that is distinctive of one source against all the others."""

    term: str
    z: float
    log_odds: float
    count: int
    others_count: int


@dataclass
class Comparison:
    """The whole result: what the report, the app and the evaluation read."""

    event: Event
    sources: list[Source]
    passages: dict[str, Passage]
    points: list[Point]
    framing: dict[str, list[FramingTerm]]
    model: str
    judge: str
    settings: dict[str, float]
    version: str
    timings: dict[str, float] = field(default_factory=dict)
    #: what a reader must know about how the sources were read, one sentence each
    #: (how many passages were longer than the model reads and cut into windows)
    notices: list[str] = field(default_factory=list)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    @property
    def source_ids(self) -> list[str]:
        return [s.id for s in self.sources]

    def label_counts(self) -> dict[str, int]:
        """How many pair labels of each kind, silent pairs included."""
        counts = dict.fromkeys(LABELS, 0)
        for point in self.points:
            for label, n in point.label_tally()[1].items():
                counts[label] += n
            speaking = len(point.speakers)
            counts["silent"] += speaking * (len(point.passages) - speaking)
        return counts


@dataclass(frozen=True)
class Thresholds:
    """The knobs of alignment, the silence check and the rule judge (cosine similarities)."""

    link: float = 0.6
    agree: float = 0.65
    evidence: float = 0.5
    #: a source's passage nearest a claim is read against it (the silence check) from this similarity
    read: float = 0.55


@dataclass(frozen=True)
class Limits:
    """How much input one comparison takes, checked before anything is read, so that one wrong file
    (a database dump, a disk image, a folder of thousands of pages) cannot exhaust the machine.

    The same limits hold in the command line (each raised by the option in :data:`LIMIT_OPTIONS`)
    and in the app. The defaults are far above an event's statements: a source of 1 MB is a
    book of some 500 pages, and 100 sources is the largest event measured (87 to 100 s).
    """

    #: the largest Markdown or text source, in bytes
    source_bytes: int = 1_000_000
    #: the largest HTML page read as a source, in bytes (markup, scripts and styles outweigh its text)
    page_bytes: int = 5_000_000
    #: the most sources in one comparison (the pairs to label grow with its square)
    sources: int = 100


#: The command-line option that raises each of :class:`Limits`, named in the message when one is passed.
LIMIT_OPTIONS = {"source_bytes": "--max-source-bytes", "page_bytes": "--max-page-bytes", "sources": "--max-sources"}
#: The environment variable that sets each of :class:`Limits` (for the app, and as the command line's default).
LIMIT_VARIABLES = {name: "NARRATIVE_COMPARE_" + option.lstrip("-").replace("-", "_").upper()
                   for name, option in LIMIT_OPTIONS.items()}

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)b?", re.IGNORECASE)


def parse_size(text: str) -> int:
    """A count or a size in bytes: ``100``, ``2000000``, ``2MB``, ``500kb``, ``1.5G`` (decimal units, as
    disks use); a :class:`ValueError` that says what was expected otherwise."""
    m = _SIZE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a size such as 2000000, 500KB or 2MB")
    value = int(float(m.group(1)) * 1000 ** " kmg".index(m.group(2).lower() or " "))
    if value < 1:
        raise ValueError(f"must be at least 1, not {text!r}")
    return value

"""Claim-level evaluation on whole events: who says what on each claim, and who says nothing.

An event folder may hold a key, ``claims.yaml`` (the format is in
``docs/claims-key.md``): each claim with an anchor (a source and a quoted
substring of it that states the claim) and every source's expected stance,
``affirms``, ``denies``, ``reports`` or ``silent``, with the quote behind it and,
for a count, a date or a name, the value it gives.

Each key claim is matched to the point that holds its anchor passage (where the
anchor passage is on several points: the point whose claim it is, else the one
with the most sources speaking). Our stances are read relative to that point's
claim, whose wording may be the key claim's denial, so they are oriented first:
when the anchor source denies our claim, affirms and denies swap. Then, over
every (claim, source) of the key:

* **coverage**: addressed (any stance but silent) or silent, accuracy and the F1
  of each;
* **stance**: the four-way accuracy;
* **pairs**: the pair labels that follow from the key's stances (the same stance
  -> agree unless both give different values, opposite -> diverge, a report ->
  related, one silent -> silent) against the engine's, with the precision and
  recall of ``diverge`` and of ``agree``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from compare.bench.metrics import accuracy, confusion, per_class_f1
from compare.errors import InputError
from compare.records import STANCES, Comparison, Event, Passage, Point

KEY_FILE = "claims.yaml"
SPLITS = ("dev", "test")
PAIR_LABELS = ("agree", "diverge", "related", "silent")


@dataclass(frozen=True)
class KeyPosition:
    stance: str
    quote: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class KeyClaim:
    id: str
    claim: str
    anchor_source: str
    anchor_quote: str
    positions: dict[str, KeyPosition]


@dataclass(frozen=True)
class ClaimsKey:
    event: str
    split: str
    claims: tuple[KeyClaim, ...]
    path: str


def load_claims_key(folder: str | Path) -> ClaimsKey | None:
    """Read ``claims.yaml`` from an event folder; ``None`` when the folder has none."""
    path = Path(folder) / KEY_FILE
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(path, f"is not a readable claims key: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise InputError(path, "a claims key needs a list under 'claims'")
    split = str(data.get("split") or "dev")
    if split not in SPLITS:
        raise InputError(path, f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    claims = []
    for i, item in enumerate(data["claims"], start=1):
        name = f"claim {item.get('id')!r}" if isinstance(item, dict) and item.get("id") else f"claim {i}"
        if not isinstance(item, dict) or not isinstance(item.get("anchor"), dict) or not isinstance(
                item.get("sources"), dict):
            raise InputError(path, f"{name} needs an 'anchor' (source, quote) and 'sources'")
        positions = {}
        for party, value in item["sources"].items():
            if isinstance(value, str):
                value = {"stance": value}
            if not isinstance(value, dict) or value.get("stance") not in STANCES:
                got = value.get("stance") if isinstance(value, dict) else value
                raise InputError(path, f"{name}: {party!r} needs a stance, one of {', '.join(STANCES)} "
                                       f"(not {got!r})")
            quote = value.get("quote")
            positions[str(party)] = KeyPosition(str(value["stance"]), None if quote is None else str(quote),
                                                None if value.get("value") is None else str(value["value"]))
        claims.append(KeyClaim(str(item.get("id") or f"claim-{i}"), str(item.get("claim") or ""),
                               str(item["anchor"].get("source")), str(item["anchor"].get("quote")), positions))
    seen = [c.id for c in claims]
    for claim_id in seen:
        if seen.count(claim_id) > 1:
            raise InputError(path, f"claim {claim_id!r} appears more than once: ids must be unique")
    return ClaimsKey(str(data.get("event") or Path(folder).name), split, tuple(claims), str(path))


def validate_claims_key(key: ClaimsKey, event: Event) -> None:
    """Check a key against the event it is for; an :class:`InputError` names the file, the claim and the problem.

    Every party named (in an anchor or under ``sources``) must be one of the
    event's sources, every source must appear under every claim, and every
    quote must be an exact substring of its source's text; a stance other than
    ``silent`` needs a quote.
    """
    texts = {s.party: s.text for s in event.sources}
    parties = ", ".join(sorted(texts))
    for claim in key.claims:
        where = f"claim {claim.id!r}"
        for party in (claim.anchor_source, *claim.positions):
            if party not in texts:
                raise InputError(key.path, f"{where}: {party!r} is not a source of this event (its sources: "
                                           f"{parties})")
        missing = [p for p in sorted(texts) if p not in claim.positions]
        if missing:
            raise InputError(key.path, f"{where}: no stance for {', '.join(map(repr, missing))} (every source "
                                       "must be listed under 'sources', 'silent' where it says nothing)")
        if claim.anchor_quote not in texts[claim.anchor_source]:
            raise InputError(key.path, f"{where}: the anchor quote {claim.anchor_quote!r} is not in the "
                                       f"text of {claim.anchor_source!r}")
        for party, position in claim.positions.items():
            if position.stance != "silent" and not position.quote:
                raise InputError(key.path, f"{where}: {party!r} {position.stance} but gives no quote")
            if position.quote and position.quote not in texts[party]:
                raise InputError(key.path, f"{where}: the quote {position.quote!r} is not in the text "
                                           f"of {party!r}")


def key_pair_label(a: KeyPosition, b: KeyPosition) -> str:
    """The pair label that follows from two stances in the key."""
    if "silent" in (a.stance, b.stance):
        return "silent"
    if "reports" in (a.stance, b.stance):
        return "related"
    if a.stance != b.stance:
        return "diverge"
    if a.value is not None and b.value is not None and a.value != b.value:
        return "diverge"
    return "agree"


def _passage_at(comparison: Comparison, party: str, quote: str) -> Passage | None:
    source = next((s for s in comparison.sources if s.party == party), None)
    at = source.text.find(quote) if source is not None else -1
    if at < 0:
        return None
    return next((p for p in comparison.passages.values()
                 if p.source_id == source.id and p.start <= at < p.end), None)  # type: ignore[union-attr]


def match_point(comparison: Comparison, claim: KeyClaim) -> Point | None:
    """The point a key claim is judged on: the one holding its anchor passage (see the module's docstring)."""
    anchor = _passage_at(comparison, claim.anchor_source, claim.anchor_quote)
    if anchor is None:
        return None
    holding = [p for p in comparison.points if anchor.id in p.passages.get(anchor.source_id, ())]
    if not holding:
        return None
    return max(holding, key=lambda p: (p.claim == anchor.id, sum(1 for ps in p.passages.values() if ps),
                                       -comparison.points.index(p)))


@dataclass
class EventScore:
    """The gold and the engine's stances and pair labels of one event, with what each rests on."""

    event: str
    split: str
    stances: list[tuple[str, str]] = field(default_factory=list)  # (gold, engine) per (claim, source)
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (gold, engine) per (claim, pair of sources)
    quotes: list[bool] = field(default_factory=list)  # engine's passage holds the key's quote, where both speak
    unmatched: list[str] = field(default_factory=list)  # claims whose anchor was not found
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)  # per claim: the engine's stances by party


def score_event(comparison: Comparison, key: ClaimsKey) -> EventScore:
    """Compare one event's comparison with its key."""
    ids = {s.party: s.id for s in comparison.sources}
    score = EventScore(key.event, key.split)
    for claim in key.claims:
        point = match_point(comparison, claim)
        engine: dict[str, str] = {}
        passages: dict[str, str | None] = {}
        for party in claim.positions:
            position = point.positions.get(ids.get(party, "")) if point is not None else None
            engine[party] = position.stance if position is not None else "silent"
            passages[party] = position.passage if position is not None else None
        if point is None:
            score.unmatched.append(claim.id)
        elif engine.get(claim.anchor_source) == "denies":  # our claim is worded as the key claim's denial
            flip = {"affirms": "denies", "denies": "affirms"}
            engine = {party: flip.get(stance, stance) for party, stance in engine.items()}
        for party, gold in claim.positions.items():
            score.stances.append((gold.stance, engine[party]))
            if gold.stance != "silent" and engine[party] != "silent" and gold.quote and passages[party]:
                p = comparison.passages[passages[party]]  # type: ignore[index]
                source = comparison.source(p.source_id)
                at = source.text.find(gold.quote)
                score.quotes.append(at >= 0 and at < p.end and at + len(gold.quote) > p.start)
        for a, b in combinations(sorted(claim.positions), 2):
            gold = key_pair_label(claim.positions[a], claim.positions[b])
            if point is None or a not in ids or b not in ids:
                got = "silent"
            else:
                lab = point.pair(ids[a], ids[b])
                got = lab.label if lab is not None else "silent"
            if all(claim.positions[x].stance == "silent" and engine[x] == "silent" for x in (a, b)):
                continue  # neither speaks, in the key or in the engine: nothing to label
            score.pairs.append((gold, got))
        score.claims[claim.id] = {"point": point.id if point is not None else None, "engine": engine,
                                  "key": {p: k.stance for p, k in claim.positions.items()}}
    return score


def figures(scores: Sequence[EventScore]) -> dict[str, Any]:
    """Coverage, stance and pair figures over some events' scores."""
    stances = [x for s in scores for x in s.stances]
    pairs = [x for s in scores for x in s.pairs]
    quotes = [x for s in scores for x in s.quotes]
    covered = [("addressed" if g != "silent" else "silent", "addressed" if e != "silent" else "silent")
               for g, e in stances]
    out: dict[str, Any] = {"events": len(scores), "claims": sum(len(s.claims) for s in scores),
                           "judgements": len(stances), "pairs": len(pairs)}
    if stances:
        out["coverage_accuracy"] = accuracy(*zip(*covered))
        out["coverage_f1"] = per_class_f1(*zip(*covered), ("addressed", "silent"))
        out["stance_accuracy"] = accuracy(*zip(*stances))
        # Which way the stances go wrong (a silent cell read as affirming, a denial never read), which
        # the accuracy alone hides: rows the key's stance, columns the engine's, in STANCES order.
        out["stance_confusion"] = {gold: dict(zip(STANCES, row))
                                   for gold, row in zip(STANCES, confusion(*zip(*stances), STANCES))}
    if quotes:
        out["passage_holds_quote"] = sum(quotes) / len(quotes)
    if pairs:
        gold, got = zip(*pairs)
        out["pair_accuracy"] = accuracy(gold, got)
        for label in ("diverge", "agree"):
            hits = sum(g == e == label for g, e in pairs)
            said, true = got.count(label), gold.count(label)
            out[f"{label}_precision"] = hits / said if said else 0.0
            out[f"{label}_recall"] = hits / true if true else 0.0
            out[f"{label}_counts"] = {"engine": said, "key": true, "both": hits}
    out["unmatched_claims"] = [f"{s.event}:{c}" for s in scores for c in s.unmatched]
    return out


#: What the engine should reach on the test events: (figure, the least value).
TARGETS: tuple[tuple[str, float], ...] = (
    ("coverage_accuracy", 0.90),
    ("stance_accuracy", 0.85),
    ("diverge_precision", 0.85),
    ("diverge_recall", 0.75),
)


def event_folders(paths: Sequence[str | Path]) -> list[Path]:
    """The event folders a list of paths names: an event folder (it must hold a key), or a folder of them
    (every subfolder with a key, sorted by name)."""
    if not paths:
        raise InputError(None, "no input given: name one or more event folders, or a folder of them")
    folders: list[Path] = []
    for given in map(Path, paths):
        if not given.is_dir():
            raise InputError(given, "no such folder" if not given.exists() else
                             "is not a folder: name an event folder with a claims.yaml, or a folder of them")
        if (given / KEY_FILE).is_file():
            found = [given]
        else:
            found = sorted(p for p in given.iterdir() if p.is_dir() and (p / KEY_FILE).is_file())
            if not found:
                raise InputError(given, f"has no {KEY_FILE} (a claim-level answer key), nor any subfolder with one")
        folders += [f for f in found if f.resolve() not in {x.resolve() for x in folders}]
    return folders


def targets(figs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target beside the figure reached and whether it is met."""
    return {name: {"target": least, "value": figs.get(name), "met": figs.get(name, -1.0) >= least}
            for name, least in TARGETS}


def summary(scores: Sequence[EventScore], seconds: Sequence[float]) -> dict[str, Any]:
    """The figures of each event, and of the dev events and the test events apart (never mixed)."""
    events = [{"event": s.event, "split": s.split, "seconds": round(t, 3),
               **{k: v for k, v in figures([s]).items() if k != "events"}, "claim_stances": s.claims}
              for s, t in zip(scores, seconds)]
    out: dict[str, Any] = {"events": events}
    for split in SPLITS:
        part = [s for s in scores if s.split == split]
        out[split] = figures(part)
        out[split]["seconds"] = round(sum(t for s, t in zip(scores, seconds) if s.split == split), 3)
    out["test"]["targets"] = targets(out["test"])
    return out


_ROWS = (("coverage_accuracy", "coverage accuracy"), ("stance_accuracy", "stance accuracy"),
         ("pair_accuracy", "pair accuracy"), ("diverge_precision", "diverge precision"),
         ("diverge_recall", "diverge recall"), ("agree_precision", "agree precision"),
         ("agree_recall", "agree recall"), ("passage_holds_quote", "passage holds the quote"))


def _block(figs: dict[str, Any], goals: dict[str, dict[str, Any]] | None = None) -> list[str]:
    lines = [f"  claims {figs['claims']}, judgements {figs['judgements']}, pairs {figs['pairs']}"]
    if "coverage_f1" in figs:
        f1 = figs["coverage_f1"]
        lines.append(f"  {'coverage F1':<24} addressed {f1['addressed']:.3f}, silent {f1['silent']:.3f}")
    for name, label in _ROWS:
        if name not in figs:
            continue
        row = f"  {label:<24} {figs[name]:.3f}"
        counts = figs.get(name.replace("_precision", "_counts").replace("_recall", "_counts"))
        if counts and name.endswith("_precision"):
            row += f"   ({counts['both']} of {counts['engine']} the engine says)"
        elif counts and name.endswith("_recall"):
            row += f"   ({counts['both']} of {counts['key']} in the key)"
        if goals and name in goals:
            row += f"   target >= {goals[name]['target']:.2f}: {'met' if goals[name]['met'] else 'NOT met'}"
        lines.append(row)
    if "stance_confusion" in figs:
        lines.append(f"  {'stances, key by engine':<24} " + " ".join(f"{s:>8}" for s in STANCES))
        lines += [f"  {'':<16}{gold:>8} " + " ".join(f"{n:>8}" for n in row.values())
                  for gold, row in figs["stance_confusion"].items()]
    lines.append(f"  {'unmatched claims':<24} {', '.join(figs['unmatched_claims']) or 'none'}")
    return lines


def claims_table(stances: dict[str, dict[str, Any]]) -> list[str]:
    """Per claim, the key's stance and the engine's for every source (``key/engine``; ``*`` where they differ)."""
    short = {"affirms": "aff", "denies": "den", "reports": "rep", "silent": "sil"}
    parties = sorted({p for c in stances.values() for p in c["key"]})
    if not parties:
        return []
    width = max(len(c) for c in stances) + 2
    lines = ["    key/engine per source: " + "; ".join(f"{chr(65 + i) if i < 26 else i} = {p}"
                                                      for i, p in enumerate(parties))]
    lines.append("    " + "claim".ljust(width) + " ".join(f"{chr(65 + i) if i < 26 else i:<9}"
                                                        for i in range(len(parties))) + "point")
    for claim_id, c in stances.items():
        cells = []
        for p in parties:
            gold, got = c["key"].get(p), c["engine"].get(p)
            cell = "" if gold is None else f"{short[gold]}/{short.get(got, got)}" + ("*" if gold != got else "")
            cells.append(f"{cell:<9}")
        lines.append("    " + claim_id.ljust(width) + " ".join(cells) + (c["point"] or "-"))
    return lines


def format_events(result: dict[str, Any], detail: bool = False) -> str:
    """The figures of :func:`summary` as text: a block per event, then the dev and the test figures."""
    lines = []
    for e in result["events"]:
        lines.append(f"{e['event']} ({e['split']}, {e['seconds']:.1f} s)")
        lines += _block(e)
        if detail:
            lines += claims_table(e["claim_stances"])
        lines.append("")
    for split in SPLITS:
        figs = result[split]
        if not figs["events"]:
            lines.append(f"{split}: no events")
            continue
        lines.append(f"{split}: {figs['events']} event{'s' * (figs['events'] != 1)} ({figs['seconds']:.1f} s)")
        goals = figs.get("targets")
        lines += _block(figs, goals)
        if goals:
            missed = [n for n, g in goals.items() if not g["met"]]
            lines.append("  targets: " + ("all met" if not missed else f"{len(goals) - len(missed)} of "
                                          f"{len(goals)} met; not met: {', '.join(missed)}"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

"""The pairwise checks read a per-passage index; they must find exactly what the
plain walk over both token lists found (kept here as the oracle)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from compare import checks
from compare.checks import (
    OPPOSITES, PassageFacts, Span, Token, _content, _equal, _name_phrases, _name_phrases_i18n, _rival_dates,
    _rules, _same_date, _same_number, _same_time, _unmatched_pair,
)
from compare.documents import load_event
from compare.records import Discrepancy, Passage
from compare.passages import split_passages

ROOT = Path(__file__).resolve().parent.parent


# --- the oracle: find_discrepancies as it was before the index --------------


def _old_find_discrepancies(left: Passage, lf: PassageFacts, right: Passage, rf: PassageFacts) -> list[Discrepancy]:
    if not (lf.supported and rf.supported):
        return []
    found: list[Discrepancy] = []

    def add(kind, description, a, b) -> None:
        found.append(Discrepancy(kind, description, a.text, b.text, left.id, right.id, left.start + a.start,
                                 left.start + a.end, right.start + b.start, right.start + b.end))

    for kind, spans_l, spans_r, what in (
        ("date", lf.dates, rf.dates, "date"), ("date", lf.times, rf.times, "time"),
        ("date", lf.weekdays, rf.weekdays, "day"),
    ):
        same = {"date": _same_date, "time": _same_time}.get(what, _equal)
        pair = _unmatched_pair(spans_l, spans_r, same)
        if pair and what == "date":
            pair = next(((x, y) for x in spans_l for y in spans_r if _rival_dates(x, y)), None)
        if pair:
            add(kind, f"different {what}: {pair[0].text!r} vs {pair[1].text!r}", *pair)
    units_l = {q.unit for q in lf.quantities if q.unit}
    for unit in sorted(units_l & {q.unit for q in rf.quantities if q.unit}):
        pair = _unmatched_pair([q for q in lf.quantities if q.unit == unit], [q for q in rf.quantities if q.unit == unit],
                               _same_number)
        if pair:
            add("quantity", f"different count of {unit!r}: {pair[0].text!r} vs {pair[1].text!r}", *pair)
    if lf.language != rf.language:
        return found
    if lf.language == "en":
        clashes = _old_polarity(lf.tokens, rf.tokens)
        names = _old_naming(left, lf.tokens, right, rf.tokens)
    else:
        rules = _rules(lf.language)

        def content(tok: Token) -> bool:
            if tok.capitalised and not tok.sentence_initial:
                return False
            return tok.stem not in rules.stop and tok.text.lower() not in rules.stop and len(tok.stem) > 2

        clashes = _old_polarity(lf.tokens, rf.tokens, content, rules.opposites)
        names = _old_naming(left, lf.tokens, right, rf.tokens, lambda toks: _name_phrases_i18n(toks, rules.language),
                            lambda t: t.stem)
    for a, b, why in clashes:
        add("polarity", why, a, b)
    for a, b in names:
        add("naming", f"different name for the same referent: {a.text!r} vs {b.text!r}", a, b)
    return found


def _old_polarity(left, right, content=None, opposites=OPPOSITES):
    content_of = content or _content
    by_stem_l: dict = {}
    by_stem_r: dict = {}
    for tokens, index in ((left, by_stem_l), (right, by_stem_r)):
        for tok in tokens:
            if content_of(tok):
                index.setdefault(tok.stem, []).append(tok)
    reported: set = set()
    negators_used: set = set()
    candidates = []
    for stem in by_stem_l.keys() & by_stem_r.keys():
        neg_l = [t for t in by_stem_l[stem] if t.negated]
        neg_r = [t for t in by_stem_r[stem] if t.negated]
        pos_l = [t for t in by_stem_l[stem] if not t.negated]
        pos_r = [t for t in by_stem_r[stem] if not t.negated]
        if neg_l and not neg_r and pos_r and not pos_l and not _old_shared(neg_l[0], left, right, content_of):
            candidates.append(("l", neg_l[0], pos_r[0], stem))
        elif neg_r and not neg_l and pos_l and not pos_r and not _old_shared(neg_r[0], right, left, content_of):
            candidates.append(("r", neg_r[0], pos_l[0], stem))
    for side, negated, other, stem in sorted(candidates, key=lambda c: (c[0], c[1].start)):
        if (side, negated.negator) in negators_used:
            continue
        negators_used.add((side, negated.negator))
        reported.add(stem)
        if side == "l":
            yield negated, other, f"negated on one side only: {_old_context(left, negated)!r} vs {other.text!r}"
        else:
            yield other, negated, f"negated on one side only: {other.text!r} vs {_old_context(right, negated)!r}"
    asserted_l = {t.stem: t for t in left if not t.negated}
    asserted_r = {t.stem: t for t in right if not t.negated}
    for group_a, group_b in opposites:
        for first, second in ((group_a, group_b), (group_b, group_a)):
            hit_l = [asserted_l[s] for s in sorted(first & asserted_l.keys())]
            hit_r = [asserted_r[s] for s in sorted(second & asserted_r.keys())]
            if hit_l and hit_r and not (second & asserted_l.keys()) and not (first & asserted_r.keys()):
                if hit_l[0].stem in reported or hit_r[0].stem in reported:
                    continue
                yield hit_l[0], hit_r[0], f"opposite terms: {hit_l[0].text!r} vs {hit_r[0].text!r}"


def _old_shared(negated, tokens, other, content_of) -> bool:
    """The other side negates a word that the negation covering ``negated`` covers too."""
    covers = {t.stem for t in tokens if content_of(t) and t.negated and t.negator == negated.negator}
    return any(content_of(t) and t.negated and t.stem in covers for t in other)


def _old_context(tokens, tok) -> str:
    i = tokens.index(tok)
    return " ".join(t.text for t in tokens[max(0, i - 3) : i + 1])


def _old_naming(left, lt, right, rt, phrases=_name_phrases, word=lambda t: t.text.lower()):
    names_l, names_r = phrases(lt), phrases(rt)
    words_l = {word(t) for t in lt}
    words_r = {word(t) for t in rt}
    for anchor in sorted(names_l.keys() & names_r.keys()):
        heads_l = {h for _, _, h in names_l[anchor]}
        heads_r = {h for _, _, h in names_r[anchor]}
        if heads_l & heads_r or heads_l & words_r or heads_r & words_l:
            continue
        il, jl, _ = names_l[anchor][0]
        ir, jr, _ = names_r[anchor][0]
        yield (Span(left.text[lt[il].start : lt[jl].end], lt[il].start, lt[jl].end, None),
               Span(right.text[rt[ir].start : rt[jr].end], rt[ir].start, rt[jr].end, None))


# --- passages to compare ------------------------------------------------------


#: The events this reference was checked on: the sample of pairs must not change when an event is added.
INDEXED_EVENTS = ("lachin-road-2022", "stone-bridge-repairs", "teaching-junction")


def _corpus_passages() -> list[Passage]:
    return [p for event in INDEXED_EVENTS for s in load_event([ROOT / "corpus" / event]).sources
            for p in split_passages(s)]


def _generated_passages(folder: Path) -> list[Passage]:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from engine import generate_event
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate_event(folder, documents=8, passages=40)
    return [p for s in load_event([folder]).sources for p in split_passages(s)]


def _statement_passages() -> list[Passage]:
    """The parallel statements in four languages, and the contradicting pairs."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "multilingual" / "statements.yaml").read_text("utf-8"))
    texts = [(item[lang], lang) for item in data["statements"] for lang in ("en", "ru", "hy", "az")]
    texts += [(item[side]["text"], item[side]["language"]) for item in data["contradictions"] for side in ("left", "right")]
    return [Passage(f"s{k}:0", f"s{k}", 0, 3, 3 + len(text), text, lang) for k, (text, lang) in enumerate(texts)]


def _same(pairs: list[tuple[Passage, Passage]]) -> dict[str, int]:
    facts: dict[str, PassageFacts] = {}
    kinds: dict[str, int] = {}
    for x, y in pairs:
        fx = facts.setdefault(x.id, checks.analyse(x))
        fy = facts.setdefault(y.id, checks.analyse(y))
        expected = _old_find_discrepancies(x, fx, y, fy)
        # The role check came after the index (it has its own tests in test_checks.py).
        found = [d for d in checks.find_discrepancies(x, fx, y, fy) if d.kind != "role"]
        assert found == expected, (x.text, y.text)
        for d in expected:
            kinds[d.kind] = kinds.get(d.kind, 0) + 1
    return kinds


def test_generated_flood_pairs(tmp_path: Path):
    passages = _generated_passages(tmp_path / "flood")
    rng = random.Random(3)
    pairs = [(x, y) for x in passages for y in passages if x.source_id != y.source_id]
    named = [(x, y) for x, y in pairs if "Kingsway" in x.text and "Kingsway" in y.text]  # rare in a sample
    kinds = _same(rng.sample(pairs, 8_000) + named)
    # The sample must exercise every check, or the comparison proves little.
    assert all(kinds.get(k, 0) >= 20 for k in checks.CHECK_KINDS if k != "role"), kinds


def test_corpus_pairs():
    passages = _corpus_passages()
    rng = random.Random(5)
    pairs = [(x, y) for x in passages for y in passages if x.source_id != y.source_id]
    kinds = _same(rng.sample(pairs, min(len(pairs), 8_000)))
    assert sum(kinds.values()) > 100, kinds


@pytest.mark.parametrize("swap", [False, True])
def test_statement_pairs_across_languages(swap: bool):
    passages = _statement_passages()
    assert len({p.language for p in passages}) == 4
    pairs = [(x, y) if not swap else (y, x) for i, x in enumerate(passages) for y in passages[i + 1 :]]
    kinds = _same(pairs)
    assert kinds.get("polarity") and kinds.get("quantity") and kinds.get("date"), kinds

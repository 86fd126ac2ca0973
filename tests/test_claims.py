"""Claims: each source's stance on a point's claim, from the passages behind it (compare.claims)."""

from __future__ import annotations

import re

import pytest

from compare.pipeline import compare_event

UNION = """---
party: Bakers Union
---
Bakers at the Northfield plant stopped work on Monday morning over unpaid overtime.
The company owes our members six weeks of overtime pay.
"""
PAPER = """---
party: Northfield Gazette
---
Bakers at the Northfield plant reportedly stopped work on Monday morning over unpaid overtime.
The plant supplies bread to most shops in the county.
"""
COMPANY = """---
party: Northfield Bakeries
---
Every baker at the Northfield plant was at work as usual on Monday morning.
All overtime has been paid in full and on time.
"""


def test_a_source_that_passes_a_claim_on_reports_it(write_files, cache_dir):
    folder = write_files({"union.md": UNION, "paper.md": PAPER, "company.md": COMPANY})
    comparison = compare_event(folder, cache_dir=cache_dir, progress=False)
    party = {s.id: s.party for s in comparison.sources}
    [point] = [p for p in comparison.points
               if "stopped work" in comparison.passages[p.claim].text]  # type: ignore[index]
    stances = {party[sid]: pos for sid, pos in point.positions.items()}
    paper = stances["Northfield Gazette"]
    assert paper.stance == "reports"
    assert '"reportedly"' in paper.reason  # the evidence quotes the words that pass the claim on
    assert "reportedly" in comparison.passages[paper.passage].text  # type: ignore[index]
    # A report takes no side: against the union it is related, never agree or diverge.
    union = next(sid for sid, name in party.items() if name == "Bakers Union")
    gazette = next(sid for sid, name in party.items() if name == "Northfield Gazette")
    label = point.pair(union, gazette)
    assert label is not None and label.label == "related"
    assert "a report takes no side" in label.evidence.rationale


def test_a_report_and_a_stance_that_differ_in_a_value_are_related_and_nothing_more(write_files, cache_dir):
    # The paper passes the strike on with another day: the pair is related whatever the day, so it
    # is not held as a pair with evidence of its own (its cells say it all).
    paper = PAPER.replace("reportedly stopped work on Monday", "reportedly stopped work on Tuesday")
    folder = write_files({"union.md": UNION, "paper.md": paper, "company.md": COMPANY})
    comparison = compare_event(folder, cache_dir=cache_dir, progress=False)
    party = {s.party: s.id for s in comparison.sources}
    union, gazette = party["Bakers Union"], party["Northfield Gazette"]
    [point] = [p for p in comparison.points if p.positions[gazette].passage is not None
               and "Tuesday" in comparison.passages[p.positions[gazette].passage].text]  # type: ignore[index]
    assert point.positions[gazette].stance == "reports" and point.positions[union].stance != "silent"
    assert (union, gazette) not in point.pairs and (gazette, union) not in point.pairs
    label = point.pair(union, gazette)
    assert label is not None and label.label == "related" and not label.evidence.discrepancies
    assert "not counted" not in label.evidence.rationale


@pytest.mark.parametrize("block", [256, 2])  # the points' passages in one product, and in several
def test_the_silence_check_finds_each_sources_nearest_passage_as_one_source_at_a_time_would(block, monkeypatch):
    import numpy as np

    from compare.claims import _Reader
    from compare.records import Passage, Thresholds

    rng = np.random.default_rng(7)
    sizes = {"a": 3, "b": 1, "c": 5}
    documents = {sid: tuple(Passage(f"{sid}:{k}", sid, k, k * 10, k * 10 + 9, f"text {k}") for k in range(n))
                 for sid, n in sizes.items()}
    vectors = {p.id: v / np.linalg.norm(v) for ps in documents.values() for p in ps
               for v in [rng.normal(size=8).astype(np.float32)]}
    vectors["c:3"] = vectors["c:1"].copy()  # a line repeated word for word: the first one is named
    passages = {p.id: p for ps in documents.values() for p in ps}
    monkeypatch.setattr("compare.claims.BLOCK", block)
    reader = _Reader(passages, vectors, list(sizes), None, Thresholds(), {}, documents, None)  # type: ignore[arg-type]
    points = [["a:0"], ["a:1", "b:0"], ["c:1"], ["c:1", "c:3"]]
    for point_ids, (rows, near, best) in zip(points, reader.nearest(points), strict=True):
        point = np.stack([vectors[i] for i in point_ids])
        for sid, at in reader.block.items():
            sims = np.stack([vectors[p.id] for p in documents[sid]]) @ point.T
            row, col = np.unravel_index(int(np.argmax(np.round(sims, 6))), sims.shape)
            assert (rows[at], near[at]) == (row, col), (sid, point_ids)
            assert abs(best[at] - sims[row, col]) < 1e-6


def _dispute_reading(refuting_text: str) -> tuple:
    """A residents' group read against the claim "The valley road is the only route to the towns",
    as the stance model's dispute odds would read it: agree 0.48, yet a denial, from ``refuting_text``."""
    import numpy as np

    from compare.judge import Judgement, PairSignals
    from compare.records import Passage

    claim = Passage("council:0", "council", 0, 0, 46, "The valley road is the only route to the towns.")
    texts = ["The valley road is the only way in or out for the towns.", refuting_text]
    document, start = [], 0
    for k, text in enumerate(texts):
        document.append(Passage(f"residents:{k}", "residents", k, start, start + len(text), text))
        start += len(text) + 1
    vector = np.ones(4, dtype=np.float32) / 2
    signals = PairSignals(
        left=claim, right=document[0], similarity=0.8, left_vector=vector, right_vector=vector,
        discrepancies=(), checks_ran=True, left_passages=(claim,), right_passages=(document[0],),
        left_context=(claim,), right_context=tuple(document), facts={},
    )
    verdict = Judgement("diverge", 0.48, 0.46, "the stance model reads a dispute", decided_by="dispute",
                        probabilities={"agree": 0.48, "diverge": 0.46, "related": 0.05, "unrelated": 0.01},
                        refuting=("residents:1",))
    return signals, verdict


def test_a_dispute_read_from_a_false_about_something_else_is_not_a_denial():
    from compare.claims import _position

    # "false" here is about the company's reasons, not about the road: the likeliest reading stands.
    signals, verdict = _dispute_reading("The company closed it for false and fictitious reasons.")
    position = _position(signals, verdict, "residents", placed=False, accounts=True)
    assert position.stance == "affirms" and position.passage == "residents:0"
    assert "no refuting passage the stance model read (residents:1) shares a word with the claim" in position.reason


def test_a_dispute_read_from_a_refutation_of_the_claim_stays_a_denial():
    from compare.claims import _position

    signals, verdict = _dispute_reading("Talk of the valley road being the only route is false.")
    position = _position(signals, verdict, "residents", placed=False, accounts=True)
    assert position.stance == "denies"
    assert position.passage == "residents:1"  # the passage that says the opposite is the one shown


def _related_reading(text: str) -> tuple:
    """A residents' passage ``text`` read against the claim "The valley road is the only route to
    the towns" as on the subject but taking no side (the judge's ``related``)."""
    import numpy as np

    from compare.judge import Judgement, PairSignals
    from compare.records import Passage

    claim = Passage("council:0", "council", 0, 0, 46, "The valley road is the only route to the towns.")
    mine = Passage("residents:3", "residents", 3, 120, 120 + len(text), text)
    vector = np.ones(4, dtype=np.float32) / 2
    signals = PairSignals(
        left=claim, right=mine, similarity=0.58, left_vector=vector, right_vector=vector, discrepancies=(),
        checks_ran=True, left_passages=(claim,), right_passages=(mine,), left_context=(claim,),
        right_context=(mine,), facts={},
    )
    verdict = Judgement("related", 0.7, 0.58, "the stance model reads a discussion",
                        probabilities={"agree": 0.2, "diverge": 0.05, "related": 0.7, "unrelated": 0.05})
    return signals, verdict


@pytest.mark.parametrize(("text", "placed", "accounts", "stance"), [
    # Found only by the silence check, on the subject, taking no side, passing nothing on: silent.
    ("Snow closed the valley road twice last winter.", True, True, "silent"),
    # The same passage put on the point by alignment speaks to the claim.
    ("Snow closed the valley road twice last winter.", False, True, "reports"),
    # A passage that passes something on is a report wherever it was found.
    ("According to the haulage firms, the valley road carries most of the freight.", True, True, "reports"),
    # A headline against an article is read as FNC-1 reads it: "related" is a discussion of the claim.
    ("Snow closed the valley road twice last winter.", True, False, "reports"),
])
def test_a_passage_the_silence_check_finds_on_the_subject_but_taking_no_side_is_no_report(
        text, placed, accounts, stance):
    from compare.claims import _position

    position = _position(*_related_reading(text), "residents", placed=placed, accounts=accounts)
    assert position.stance == stance
    if stance == "silent":
        assert position.passage is None and position.nearest == "residents:3"  # the evidence names it
        assert "on the same subject but neither states, denies nor passes on the claim" in position.reason
    else:
        assert position.passage == "residents:3"


def test_a_large_event_read_without_the_stance_model_says_so_once(write_files, cache_dir, monkeypatch):
    # Past the budget the stance model is left out (it reads about 40 claims a second); the report
    # says so in one notice rather than in every reason, which carry the reading alone.
    from compare import claims

    folder = write_files({"union.md": UNION, "paper.md": PAPER, "company.md": COMPANY})
    full = compare_event(folder, cache_dir=cache_dir, progress=False)
    assert not any("stance model" in n for n in full.notices)
    monkeypatch.setattr(claims, "STANCE_BUDGET", 1)
    large = compare_event(folder, cache_dir=cache_dir, progress=False)
    [notice] = [n for n in large.notices if "stance model" in n]
    assert "without the judge's stance model" in notice and "more than the 1 " in notice
    reasons = [pos.reason for point in large.points for pos in point.positions.values() if pos.passage]
    assert reasons and not any(large.judge in r for r in reasons)
    assert any(re.search(r"agree [\d.]+, diverge", r) for r in reasons)  # the judge's reading, in figures


def test_claims_read_after_a_large_events_claims_are_read_as_they_were(monkeypatch):
    # The passages no claim took are read as claims of their own, in a second, small round: had
    # the stance model read those few, one event would have had two readers (and the model, a
    # few hundred MB, would have been loaded for a handful of readings).
    import numpy as np

    from compare import claims
    from compare.judge import Judgement
    from compare.records import Passage, Point, Thresholds

    class CountingJudge:
        cache_key = None

        def __init__(self, name: str) -> None:
            self.name, self.read = name, []

        def without_stance(self) -> "CountingJudge":
            return alone

        def judge_many(self, signals: list) -> list[Judgement]:
            self.read.append(len(signals))
            probs = {"agree": 0.9, "diverge": 0.03, "related": 0.05, "unrelated": 0.02}
            return [Judgement("agree", 0.9, 0.9, "agree 0.90", probabilities=probs) for _ in signals]

    full, alone = CountingJudge("judge with its stance model"), CountingJudge("judge alone")
    documents = {sid: tuple(Passage(f"{sid}:{k}", sid, k, k * 20, k * 20 + 19, f"The {sid} line {k} here.")
                            for k in range(3)) for sid in ("a", "b", "c")}
    passages = {p.id: p for ps in documents.values() for p in ps}
    vectors = {pid: np.ones(4, dtype=np.float32) / 2 for pid in passages}  # every passage reads every claim
    monkeypatch.setattr(claims, "STANCE_BUDGET", 4)
    reader = claims._Reader(passages, vectors, ["a", "b", "c"], full, Thresholds(), {}, documents,  # type: ignore[arg-type]
                            None)
    many = [Point(f"p{k}", "", {"a": (f"a:{k}",), "b": (), "c": ()}) for k in range(3)]
    reader.settle(many)  # 6 readings, over the budget of 4
    reader.settle([Point("p9", "", {"a": (), "b": ("b:2",), "c": ()})])  # 2 readings, under it
    assert full.read == [] and alone.read == [6, 2]
    [notice] = reader.notices()
    assert "judge alone" in notice and "6 readings" in notice


def _value_counted(claim: str, left: str, right: str) -> list[bool]:
    """For each value the checks find between two passages, whether it counts as a value of the claim."""
    from compare import checks
    from compare.claims import _other_thing
    from compare.records import Passage

    c, x, y = (Passage(pid, pid, 0, 0, len(text), text) for pid, text in (("c", claim), ("x", left), ("y", right)))
    facts: dict[str, checks.PassageFacts] = {}
    fx, fy = checks.analysed(x, facts), checks.analysed(y, facts)
    return [_other_thing(d, x, fx, y, fy, c, 0.5, facts) is None for d in checks.find_discrepancies(x, fx, y, fy)]


@pytest.mark.parametrize(("claim", "left", "right", "counted"), [
    # The claim dates the fire; the two times are of two other moments (a call, a major incident).
    ("The fire at the Saltmere Works broke out on 9 June.",
     "Our control room received the first call about the fire at 21:47 on 9 June.",
     "Following the fire on 9 June, our emergency department declared a major incident at 22:20.", [False]),
    # The claim gives a time: every time a source that affirms it gives is that time.
    ("The fire service was called at 21:47.",
     "Our control room received the first call about the fire at 21:47 on 9 June.",
     "The fire service was called to the works at 21:35 on 9 June.", [True]),
    # A count of ambulances is no count of the injured the claim gives.
    ("Twelve people were injured in the fire.",
     "At the height of the fire, 58 firefighters and 12 ambulances were at the scene.",
     "Some 58 firefighters and 14 ambulances attended the blaze.", [False]),
    ("Twelve people were injured in the fire.",
     "Twelve people were injured, three of them firefighters.",
     "In total, 15 people were treated for injuries.", [True]),
    # A date of an earlier closure is no other date for the beginning the claim dates.
    ("The obstruction began on 12 December.",
     "The obstruction of the corridor began on 12 December.",
     "The first time was on 3 December.", [False]),
    ("The obstruction began on 12 December.",
     "The obstruction of the corridor began on 12 December.",
     "The road had been closed once before, on 3 December.", [False]),
    # ... but "for the first time" is the occurrence at hand, and two first times are one thing.
    ("The obstruction began on 12 December.",
     "The obstruction of the corridor began on 12 December.",
     "For the first time, the road was closed on 13 December.", [True]),
    ("The first closure was on 3 December.",
     "The first time was on 3 December.",
     "The first time was on 4 December.", [True]),
    # The date of a statement is not a date of what it says ...
    ("Since 19 December, the Red Cross has carried out medical evacuations along the corridor.",
     "Since 19 December, the Red Cross has carried out medical evacuations along the corridor.",
     "On 13 December, the Department of State said that the closure of the corridor is serious.", [False]),
    ("The road was blocked on 12 December.",
     "The road was blocked on 12 December.",
     "The ministry announced on 14 December that the road was blocked.", [False]),
    # ... but a date after "that" is, and so is a statement's date when the claim is about a statement.
    ("The road was blocked on 12 December.",
     "The road was blocked on 12 December.",
     "The ministry said that on 13 December the road was blocked.", [True]),
    ("The union warned management in writing on 14 April.",
     "We warned management in writing on 14 April that the store was a fire risk.",
     "The union said on 20 April that the store was a fire risk.", [True]),
])
def test_a_value_counts_against_a_claim_only_when_the_claim_gives_one_of_its_sort(claim, left, right, counted):
    assert _value_counted(claim, left, right) == counted


def test_a_value_not_counted_says_which_sort_the_claim_lacks():
    from compare import checks
    from compare.claims import _not_counted, _other_thing
    from compare.records import Passage

    x, y = (Passage(pid, pid, 0, 0, len(text), text) for pid, text in (
        ("x", "Our control room received the first call about the fire at 21:47 on 9 June."),
        ("y", "Following the fire on 9 June, our emergency department declared a major incident at 22:20.")))
    facts: dict[str, checks.PassageFacts] = {}
    fx, fy = checks.analysed(x, facts), checks.analysed(y, facts)
    [d] = checks.find_discrepancies(x, fx, y, fy)
    claim = Passage("c", "c", 0, 0, 50, "The fire at the Saltmere Works broke out on 9 June.")
    why_not = _other_thing(d, x, fx, y, fy, claim, 0.5, facts)
    assert "not a value of the claim: the claim gives no time" in _not_counted(d, why_not)
    assert "the stances decide" in _not_counted(d, None)


def test_a_value_of_another_occurrence_says_which_passage_speaks_of_it():
    from compare import checks
    from compare.claims import _not_counted, _other_thing
    from compare.records import Passage

    x, y, claim = (Passage(pid, pid, 0, 0, len(text), text) for pid, text in (
        ("ireland:1", "The obstruction began on 12 December."),
        ("nagorno-karabakh-authorities:2", "The first time was on 3 December."),
        ("c", "The obstruction began on 12 December.")))
    facts: dict[str, checks.PassageFacts] = {}
    fx, fy = checks.analysed(x, facts), checks.analysed(y, facts)
    [d] = checks.find_discrepancies(x, fx, y, fy)
    said = _not_counted(d, _other_thing(d, x, fx, y, fy, claim, 0.55, facts))
    assert "nagorno-karabakh-authorities:2 speaks of another occurrence ('The first time')" in said
    # the cue is English: a passage in another language is read as the event's own
    ru = Passage("r", "r", 0, 0, 30, "The first time was on 3 December.", language="ru")
    assert checks.another_occurrence(ru) is None


def test_a_date_of_a_statement_says_which_passage_dates_one():
    from compare import checks
    from compare.claims import _not_counted, _other_thing
    from compare.records import Passage

    x, y, claim = (Passage(pid, pid, 0, 0, len(text), text) for pid, text in (
        ("icrc:2", "Since 19 December 2022, the ICRC has carried out medical evacuations along the corridor."),
        ("united-states:1", "On 13 December, the Department of State said that the closure has severe humanitarian "
                            "implications."),
        ("c", "Since 19 December 2022, the ICRC has carried out medical evacuations along the corridor.")))
    facts: dict[str, checks.PassageFacts] = {}
    fx, fy = checks.analysed(x, facts), checks.analysed(y, facts)
    [d] = checks.find_discrepancies(x, fx, y, fy)
    said = _not_counted(d, _other_thing(d, x, fx, y, fy, claim, 0.6, facts))
    assert ("united-states:1 dates a statement ('13 December, the Department of State said'), "
            "and the claim is not about one") in said

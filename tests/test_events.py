"""Claim-level evaluation on events (``evaluate events``): the scoring by hand, the key's checks, and the
command on a small invented event and on the teaching event."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from compare.bench.events import (ClaimsKey, EventScore, KeyClaim, KeyPosition, figures, key_pair_label,
                                  load_claims_key, score_event, summary, validate_claims_key)
from compare.documents import load_event
from compare.errors import InputError
from compare.records import Comparison, Event, Evidence, PairLabel, Passage, Point, Position, Source
from conftest import TEACHING

# --- a small invented event: a flooded library, three accounts ------------------------------------------------

LIBRARY = {
    "director.md": """---
party: Library director
---

A water pipe burst in the basement of the Central Library on Tuesday night.

About 400 books in the local history room were destroyed by the water.

The library will reopen to the public on Monday, once the floors are dry.
""",
    "contractor.md": """---
party: Maintenance contractor
---

Our crew was called out at eleven on Tuesday night after a pipe burst in the library basement.

We pumped the water out and shut off the supply to that wing.

The wiring in the basement has to be replaced, so the building will not be ready before the end of the month.
""",
    "newspaper.md": """---
party: Evening Courier
---

According to the library, a pipe burst in its basement late on Tuesday.

Staff told the Courier that some 1,200 books were ruined, most of them from the local history collection.

Readers can use the mobile library van in the market square in the meantime.
""",
}

LIBRARY_KEY = {
    "event": "library-flood",
    "split": "dev",
    "claims": [
        {"id": "pipe-burst", "claim": "A water pipe burst in the library basement on Tuesday night.",
         "anchor": {"source": "Library director",
                    "quote": "A water pipe burst in the basement of the Central Library on Tuesday night."},
         "sources": {
             "Library director": {"stance": "affirms", "quote": "A water pipe burst in the basement"},
             "Maintenance contractor": {"stance": "affirms", "quote": "after a pipe burst in the library basement"},
             "Evening Courier": {"stance": "reports", "quote": "According to the library, a pipe burst"}}},
        {"id": "books-lost", "claim": "A number of books were destroyed.",
         "anchor": {"source": "Library director", "quote": "About 400 books in the local history room"},
         "sources": {
             "Library director": {"stance": "affirms", "quote": "About 400 books", "value": "400"},
             "Maintenance contractor": "silent",
             "Evening Courier": {"stance": "affirms", "quote": "some 1,200 books were ruined", "value": "1200"}}},
        {"id": "reopening", "claim": "The library will reopen on Monday.",
         "anchor": {"source": "Library director", "quote": "The library will reopen to the public on Monday"},
         "sources": {
             "Library director": {"stance": "affirms", "quote": "The library will reopen to the public on Monday"},
             "Maintenance contractor": {"stance": "denies",
                                        "quote": "the building will not be ready before the end of the month"},
             "Evening Courier": "silent"}},
    ],
}


def _event(write_files, folder: str, key: dict) -> Path:
    return write_files({**LIBRARY, "claims.yaml": yaml.safe_dump(key, sort_keys=False)}, folder)


# --- scoring by hand ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, label", [
    (KeyPosition("affirms"), KeyPosition("affirms"), "agree"),
    (KeyPosition("denies"), KeyPosition("denies"), "agree"),
    (KeyPosition("affirms", value="400"), KeyPosition("affirms", value="400"), "agree"),
    (KeyPosition("affirms", value="400"), KeyPosition("affirms"), "agree"),  # one value alone is no difference
    (KeyPosition("affirms", value="400"), KeyPosition("affirms", value="1200"), "diverge"),
    (KeyPosition("affirms"), KeyPosition("denies"), "diverge"),
    (KeyPosition("reports"), KeyPosition("denies"), "related"),
    (KeyPosition("reports"), KeyPosition("reports"), "related"),
    (KeyPosition("silent"), KeyPosition("reports"), "silent"),
    (KeyPosition("affirms"), KeyPosition("silent"), "silent"),
])
def test_key_pair_label(a, b, label):
    assert key_pair_label(a, b) == key_pair_label(b, a) == label


def test_figures_by_hand():
    one = EventScore("one", "dev",
                     stances=[("affirms", "affirms"), ("denies", "affirms"), ("silent", "silent"),
                              ("reports", "reports")],
                     pairs=[("diverge", "diverge"), ("agree", "diverge"), ("agree", "agree"), ("related", "agree")],
                     quotes=[True, False], claims={"c1": {}, "c2": {}})
    two = EventScore("two", "dev", stances=[("silent", "affirms"), ("affirms", "silent"), ("affirms", "affirms"),
                                            ("affirms", "affirms")],
                     pairs=[("diverge", "silent")], unmatched=["c9"], claims={"c3": {}})
    f = figures([one])
    assert f["judgements"] == 4 and f["claims"] == 2 and f["pairs"] == 4
    assert f["stance_accuracy"] == pytest.approx(0.75)  # one of four wrong: denies read as affirms
    assert f["coverage_accuracy"] == pytest.approx(1.0)  # every silence found, every speaker found
    assert f["coverage_f1"] == pytest.approx({"addressed": 1.0, "silent": 1.0})
    assert f["pair_accuracy"] == pytest.approx(0.5)
    assert f["diverge_precision"] == pytest.approx(0.5) and f["diverge_recall"] == pytest.approx(1.0)
    assert f["agree_precision"] == pytest.approx(0.5) and f["agree_recall"] == pytest.approx(0.5)
    assert f["diverge_counts"] == {"engine": 2, "key": 1, "both": 1}
    assert f["passage_holds_quote"] == pytest.approx(0.5)
    assert f["unmatched_claims"] == []
    both = figures([one, two])
    assert both["events"] == 2 and both["judgements"] == 8
    assert both["stance_accuracy"] == pytest.approx(5 / 8)
    # coverage: 8 judgements, two wrong (a silence read as addressed, an affirmation missed)
    assert both["coverage_accuracy"] == pytest.approx(0.75)
    # addressed: tp 5, predicted 6, actual 6 -> 5/6; silent: tp 1, predicted 2, actual 2 -> 0.5
    assert both["coverage_f1"] == pytest.approx({"addressed": 5 / 6, "silent": 0.5})
    assert both["diverge_recall"] == pytest.approx(0.5)
    # rows the key, columns the engine: which way the two wrong stances went
    assert both["stance_confusion"] == {
        "affirms": {"affirms": 3, "denies": 0, "reports": 0, "silent": 1},
        "denies": {"affirms": 1, "denies": 0, "reports": 0, "silent": 0},
        "reports": {"affirms": 0, "denies": 0, "reports": 1, "silent": 0},
        "silent": {"affirms": 1, "denies": 0, "reports": 0, "silent": 1},
    }
    assert both["unmatched_claims"] == ["two:c9"]
    assert figures([])["judgements"] == 0 and "stance_accuracy" not in figures([])


def test_dev_and_test_are_summed_apart_with_the_targets_beside_test():
    dev = EventScore("d", "dev", stances=[("affirms", "denies")] * 4, pairs=[("agree", "diverge")])
    test = EventScore("t", "test", stances=[("affirms", "affirms")] * 3 + [("silent", "silent")],
                      pairs=[("diverge", "diverge")] * 4)
    out = summary([dev, test], [1.0, 2.0])
    assert [e["event"] for e in out["events"]] == ["d", "t"] and out["events"][1]["seconds"] == 2.0
    assert out["dev"]["stance_accuracy"] == 0.0 and out["dev"]["events"] == 1
    assert out["test"]["stance_accuracy"] == 1.0 and out["test"]["events"] == 1
    assert "targets" not in out["dev"]
    targets = out["test"]["targets"]
    assert set(targets) == {"coverage_accuracy", "stance_accuracy", "diverge_precision", "diverge_recall"}
    assert targets["stance_accuracy"] == {"target": 0.85, "value": 1.0, "met": True}
    assert all(t["met"] for t in targets.values())
    # only dev events: the test figures are empty and no target is met
    alone = summary([dev], [1.0])
    assert alone["test"]["events"] == 0 and not any(t["met"] for t in alone["test"]["targets"].values())


def _hand_comparison(anchor_stance: str) -> Comparison:
    """Three sources and one point on the anchor passage, whose claim the anchor source takes ``anchor_stance`` on."""
    texts = {"a": "The road was closed all day.", "b": "The road stayed open.", "c": "Nobody could pass."}
    sources = [Source(sid, f"Party {sid.upper()}", text) for sid, text in texts.items()]
    passages = {f"{sid}1": Passage(f"{sid}1", sid, 0, 0, len(text), text) for sid, text in texts.items()}
    flip = {"affirms": "denies", "denies": "affirms"}
    positions = {"a": Position(anchor_stance, "a1"), "b": Position(flip[anchor_stance], "b1"),
                 "c": Position(anchor_stance, "c1")}
    pairs = {("a", "b"): PairLabel("a", "b", "diverge", Evidence()), ("a", "c"): PairLabel("a", "c", "agree", Evidence()),
             ("b", "c"): PairLabel("b", "c", "diverge", Evidence())}
    point = Point("p1", "", {sid: (f"{sid}1",) for sid in texts}, pairs, claim="b1", positions=positions)
    other = Point("p2", "", {"a": ("a1",), "b": (), "c": ()}, claim=None)
    return Comparison(Event(tuple(sources)), sources, passages, [other, point], {}, "", "", {}, "")


def _hand_key() -> ClaimsKey:
    positions = {"Party A": KeyPosition("affirms", "closed all day"), "Party B": KeyPosition("denies", "stayed open"),
                 "Party C": KeyPosition("affirms", "Nobody could pass.")}
    return ClaimsKey("hand", "dev", (KeyClaim("closed", "The road was closed.", "Party A", "was closed", positions),),
                     "hand/claims.yaml")


@pytest.mark.parametrize("anchor_stance", ["affirms", "denies"])
def test_stances_are_oriented_to_the_key_claim(anchor_stance):
    """The point's claim is b's passage ("stayed open"): the anchor source denies it, so affirms and denies swap;
    worded the key's way, nothing swaps. Either way every stance is right, and the point with the most speakers
    that holds the anchor passage is the one judged."""
    score = score_event(_hand_comparison(anchor_stance), _hand_key())
    assert score.claims["closed"]["point"] == "p1"
    assert score.claims["closed"]["engine"] == {"Party A": "affirms", "Party B": "denies", "Party C": "affirms"}
    assert figures([score])["stance_accuracy"] == 1.0
    assert figures([score])["pair_accuracy"] == 1.0
    assert score.quotes == [True, True, True]


def test_a_claim_whose_anchor_is_on_no_point_is_unmatched_and_silent():
    comparison = _hand_comparison("affirms")
    comparison.points.clear()
    score = score_event(comparison, _hand_key())
    assert score.unmatched == ["closed"]
    assert [got for _, got in score.stances] == ["silent"] * 3
    assert figures([score])["coverage_accuracy"] == 0.0


# --- the key's checks ----------------------------------------------------------------------------------------


def _bad(key: dict, claim: int, change) -> dict:
    key = json.loads(json.dumps(key))
    change(key["claims"][claim])
    return key


@pytest.mark.parametrize("change, claim_id, problem", [
    (lambda c: c["sources"].update({"Radio Harwick": "silent"}), "pipe-burst", "'Radio Harwick' is not a source"),
    (lambda c: c["anchor"].update({"source": "The Mayor"}), "pipe-burst", "'The Mayor' is not a source"),
    (lambda c: c["sources"].pop("Evening Courier"), "reopening", "no stance for 'Evening Courier'"),
    (lambda c: c["sources"]["Library director"].update({"quote": "About 500 books"}), "books-lost",
     "the quote 'About 500 books' is not in the text of 'Library director'"),
    (lambda c: c["anchor"].update({"quote": "The pipe burst"}), "pipe-burst", "the anchor quote 'The pipe burst'"),
    (lambda c: c["sources"].update({"Evening Courier": {"stance": "doubts", "quote": "some 1,200"}}), "books-lost",
     "needs a stance, one of affirms, denies, reports, silent (not 'doubts')"),
    (lambda c: c["sources"]["Maintenance contractor"].pop("quote"), "reopening", "denies but gives no quote"),
])
def test_a_bad_key_names_the_file_the_claim_and_the_problem(write_files, run_cli, change, claim_id, problem):
    index = [c["id"] for c in LIBRARY_KEY["claims"]].index(claim_id)
    folder = _event(write_files, "bad", _bad(LIBRARY_KEY, index, change))
    with pytest.raises(InputError) as err:
        validate_claims_key(load_claims_key(folder), load_event(folder))
    text = str(err.value)
    assert str(folder / "claims.yaml") in text and f"claim {claim_id!r}" in text and problem in text
    code, out, err_text = run_cli("evaluate", "events", folder)  # refused before any model is loaded
    assert code == 2 and out == "" and problem in err_text and "claims.yaml" in err_text


def test_repeated_claim_ids_and_a_folder_without_a_key_are_input_errors(write_files, run_cli, tmp_path):
    key = json.loads(json.dumps(LIBRARY_KEY))
    key["claims"][1]["id"] = "pipe-burst"
    folder = _event(write_files, "twice", key)
    code, _, err = run_cli("evaluate", "events", folder)
    assert code == 2 and "claim 'pipe-burst' appears more than once" in err
    bare = write_files(LIBRARY, "no-key")
    code, _, err = run_cli("evaluate", "events", bare)
    assert code == 2 and str(bare) in err and "has no claims.yaml" in err
    code, _, err = run_cli("evaluate", "events", tmp_path / "nowhere")
    assert code == 2 and "no such folder" in err


@pytest.mark.parametrize("args, problem", [
    (["evaluate", "events"], "needs one or more PATHs"),
    (["evaluate", "events", "corpus", "--data", "x"], "not --data"),
    (["evaluate", "events", "corpus", "--part", "dev", "--limit", "3"], "not --part, --limit"),
    (["evaluate", "sick"], "evaluate sick needs --data DIR"),
    (["evaluate", "sick", "corpus/x", "--data", "x"], "not from PATHs"),
    (["evaluate", "sick", "--data", "x", "--claims-detail"], "--claims-detail is for evaluate events"),
])
def test_options_that_do_not_go_with_the_dataset_are_refused(run_cli, args, problem):
    code, out, err = run_cli(*args)
    assert code == 2 and out == "" and problem in err


# --- the command -------------------------------------------------------------------------------------------------


def test_evaluate_events_on_an_invented_event_and_a_key_that_echoes_the_engine(write_files, run_cli, cache_dir):
    dev = _event(write_files, "events/library-dev", LIBRARY_KEY)
    code, out, err = run_cli("evaluate", "events", dev, "--json", "--cache-dir", cache_dir)
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"events", "dev", "test"}
    (event,) = result["events"]
    assert event["event"] == "library-flood" and event["split"] == "dev" and event["seconds"] > 0
    assert event["claims"] == 3 and event["judgements"] == 9
    for name in ("coverage_accuracy", "stance_accuracy", "pair_accuracy", "diverge_precision", "diverge_recall",
                 "agree_precision", "agree_recall"):
        assert 0.0 <= event[name] <= 1.0, name
    assert set(event["coverage_f1"]) == {"addressed", "silent"}
    assert set(event["claim_stances"]) == {"pipe-burst", "books-lost", "reopening"}
    assert result["dev"]["events"] == 1 and result["test"]["events"] == 0
    assert result["dev"]["stance_accuracy"] == event["stance_accuracy"]

    # A test-split key that gives, for every source, the stance the engine gave (worded the key claim's way):
    # it scores 1 on coverage and stances, and its figures stay apart from the dev event's.
    echo = json.loads(json.dumps(LIBRARY_KEY))
    echo["event"], echo["split"] = "library-echo", "test"
    fallback = {"Library director": "About 400 books", "Maintenance contractor": "Our crew was called out",
                "Evening Courier": "According to the library"}
    for claim in echo["claims"]:
        for party, stance in event["claim_stances"][claim["id"]]["engine"].items():
            given = claim["sources"][party]
            quote = given.get("quote") if isinstance(given, dict) else None
            claim["sources"][party] = {"stance": stance, "quote": quote or fallback[party]}
    _event(write_files, "events/library-echo", echo)
    code, out, err = run_cli("evaluate", "events", dev.parent, "--json", "--cache-dir", cache_dir)
    assert code == 0, err
    result = json.loads(out)
    assert [e["event"] for e in result["events"]] == ["library-flood", "library-echo"]
    assert [e["split"] for e in result["events"]] == ["dev", "test"]
    assert result["test"]["coverage_accuracy"] == result["test"]["stance_accuracy"] == 1.0
    assert result["dev"]["stance_accuracy"] == event["stance_accuracy"]
    assert result["dev"]["events"] == result["test"]["events"] == 1
    assert result["test"]["targets"]["stance_accuracy"]["met"] is True
    echoed = result["test"]["stance_confusion"]  # a key that echoes the engine: all on the diagonal
    assert sum(n for gold, row in echoed.items() for got, n in row.items() if gold != got) == 0
    assert sum(row[gold] for gold, row in echoed.items()) == result["test"]["judgements"]

    code, text, _ = run_cli("evaluate", "events", dev.parent, "--claims-detail", "--cache-dir", cache_dir)
    assert code == 0
    assert "library-flood (dev," in text and "library-echo (test," in text
    assert "stance accuracy" in text and "diverge precision" in text and "coverage F1" in text
    assert "dev: 1 event" in text and "test: 1 event" in text and "target >= 0.85" in text
    assert "targets:" in text
    assert re.search(r"stances, key by engine +affirms +denies +reports +silent", text)
    assert "books-lost" in text and "A = Evening Courier" in text  # the per-claim table


def test_evaluate_events_on_the_teaching_event(run_cli, cache_dir):
    code, out, err = run_cli("evaluate", "events", TEACHING, "--json", "--cache-dir", cache_dir)
    assert code == 0, err
    result = json.loads(out)
    key = load_claims_key(TEACHING)
    (event,) = result["events"]
    assert event["split"] == key.split == "dev" and event["claims"] == len(key.claims)
    assert event["judgements"] == sum(len(c.positions) for c in key.claims)
    assert result["test"]["events"] == 0 and result["dev"]["judgements"] == event["judgements"]
    assert event["unmatched_claims"] == []  # every anchor quote lies on some point

"""Point formation on ECB+: the reader on the original layout, the pair counts by hand, and
``evaluate ecbplus`` end to end (on a small invented topic, and on a real one when ../shared/data is there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compare.bench.points import figures, score_topic
from compare.datasets.ecbplus import detokenise, read_ecbplus, sister_event
from compare.errors import InputError
from conftest import SHARED_DATA, needs_shared_data

# One invented topic in ECB+'s layout: two dam failures, at Harlow (the "ecb" articles) and at
# Morven (the "ecbplus" ones). Each sentence: (document, sentence id, tokens, {token index: chain}).
SENTENCES = [
    ("7_1ecb", 0, "A dam burst above Harlow on Tuesday , flooding 200 homes .", {2: "ACT1", 7: "ACT2"}),
    ("7_1ecb", 4, "The mayor thanked the rescue teams .", {2: "ACT9"}),
    ("7_2ecb", 0, "The Harlow dam gave way on Tuesday morning .", {3: "ACT1"}),
    ("7_2ecb", 3, "Water flooded about 200 homes in the valley ( officials said ) .", {1: "ACT2"}),
    ("7_1ecbplus", 0, "A dam burst near Morven in March , killing two farmers .", {2: "ACT5", 8: "ACT6"}),
    ("7_2ecbplus", 1, "The Morven dam failed after heavy rain .", {3: "ACT5"}),
]


def write_ecbplus(folder: Path, split: str = "Dev") -> Path:
    """The sentences above as ``ECB_{split}_corpus.txt`` and its event mentions, in the original layout."""
    folder.mkdir(parents=True, exist_ok=True)
    lines, mentions = [], []
    for doc, sid, text, chains in SENTENCES:
        for k, tok in enumerate(text.split()):
            lines.append(f"{doc}\t{sid}\t{k}\t{tok}\t{chains.get(k, '-')}")
            if k in chains:
                # ACT9 (a thanks) is a singleton; ACT6 (the killing) is in one article only.
                mentions.append({"coref_chain": chains[k], "doc_id": doc, "sent_id": sid, "tokens_number": [k],
                                 "tokens_str": tok, "mention_type": "ACT", "is_singleton": chains[k] == "ACT9",
                                 "is_continuous": True, "score": -1.0})
        lines.append("")
    (folder / f"ECB_{split}_corpus.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / f"ECB_{split}_Event_gold_mentions.json").write_text(json.dumps(mentions), encoding="utf-8")
    return folder


def test_the_reader_rebuilds_sentences_and_keeps_the_events_that_reach_another_article(tmp_path: Path):
    (topic,) = read_ecbplus(write_ecbplus(tmp_path), "Dev")
    assert topic.id == "7"
    assert list(topic.documents()) == ["7_1ecb", "7_2ecb", "7_1ecbplus", "7_2ecbplus"]
    first = topic.sentences[0]
    assert first.text == "A dam burst above Harlow on Tuesday, flooding 200 homes."
    assert first.events == {"ACT1", "ACT2"}
    by_place = {(s.doc, s.index): s for s in topic.sentences}
    assert by_place[("7_1ecb", 4)].events == frozenset()  # a singleton chain is no shared event
    assert by_place[("7_1ecbplus", 0)].events == {"ACT5"}  # the killing is told in one article only
    assert by_place[("7_2ecb", 3)].text == "Water flooded about 200 homes in the valley (officials said)."
    assert [sister_event(d) for d in ("7_2ecb", "7_1ecbplus")] == ["ecb", "ecbplus"]
    assert detokenise(["It", "'s", "50", "%", "of", "$", "3", "bn", "."]) == "It's 50% of $3 bn."


def test_pairs_are_counted_by_hand(tmp_path: Path):
    (topic,) = read_ecbplus(write_ecbplus(tmp_path), "Dev")
    linked = {frozenset({("7_1ecb", 0), ("7_2ecb", 0)}),  # the Harlow burst, in the key
              frozenset({("7_1ecb", 0), ("7_1ecbplus", 0)}),  # Harlow with Morven: a sister-event link
              frozenset({("7_1ecb", 0), ("7_1ecb", 4)})}  # one article's own sentences: not a pair here
    counts = score_topic(topic, linked)
    # 6 sentences, 15 pairs, 2 of them within an article; 4 Harlow x 2 Morven sentences are sister pairs.
    assert counts == {"pairs": 13, "key": 3, "linked": 2, "both": 1, "sister_pairs": 8, "sister_linked": 1,
                      "grouped": 5, "grouped_both": 3}
    f = figures(counts)
    assert (f["precision"], f["recall"], f["sister_link_rate"]) == (0.5, pytest.approx(1 / 3), 1 / 8)
    assert f["by_sister_event"]["precision"] == 3 / 5 and f["by_sister_event"]["recall"] == 1.0


def test_evaluate_ecbplus_forms_points_and_scores_them(tmp_path: Path, run_cli, cache_dir):
    data = write_ecbplus(tmp_path / "ecbplus")
    args = ["evaluate", "ecbplus", "--data", data, "--split", "Dev", "--cache-dir", cache_dir, "--no-progress"]
    code, out, _ = run_cli(*args, "--json")
    assert code == 0
    r = json.loads(out)
    assert (r["split"], r["topics"], r["sentences"], r["pairs"], r["key"], r["sister_pairs"]) == ("Dev", 1, 6, 13, 3, 8)
    assert r["precision"] == (r["both"] / r["linked"] if r["linked"] else 0.0)
    assert r["recall"] == r["both"] / 3
    # Leaving out the passages the silence check placed can only take links away.
    assert r["without_placed"]["linked"] <= r["linked"] and r["without_placed"]["pairs"] == 13
    assert r["per_topic"]["7"]["articles"] == 4
    code, text, _ = run_cli(*args)
    assert code == 0 and "sister events put together" in text and "grouped by sister event" in text


def test_wrong_ecbplus_input_is_named(tmp_path: Path, run_cli):
    data = write_ecbplus(tmp_path / "ecbplus")
    code, out, err = run_cli("evaluate", "ecbplus", "--data", data)  # the default split, Test, is not there
    assert code == 2 and "ECB_Test_corpus.txt" in err and "Traceback" not in err and not out
    code, _, err = run_cli("evaluate", "ecbplus", "--data", data, "--split", "dev")
    assert code == 2 and "Test, Dev, Train" in err
    code, _, err = run_cli("evaluate", "ecbplus", "--data", data, "--split", "Dev", "--part", "dev")
    assert code == 2 and "--part is not for ecbplus" in err
    corpus = data / "ECB_Dev_corpus.txt"
    corpus.write_text(corpus.read_text(encoding="utf-8") + "7_3ecb only two\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ECB_Dev_corpus.txt: line \d+ is not"):
        read_ecbplus(data, "Dev")
    write_ecbplus(data)
    (data / "ECB_Dev_Event_gold_mentions.json").write_text('[{"doc_id": "7_1ecb"}]', encoding="utf-8")
    with pytest.raises(InputError, match="ECB_Dev_Event_gold_mentions.json: not a list of ECB"):
        read_ecbplus(data, "Dev")


@needs_shared_data
@pytest.mark.skipif(not (SHARED_DATA / "ecbplus").is_dir(), reason="needs ../shared/data/ecbplus")
def test_evaluate_a_real_ecbplus_topic(run_cli, cache_dir):
    code, out, _ = run_cli("evaluate", "ecbplus", "--data", SHARED_DATA / "ecbplus", "--split", "Dev", "--limit", "1",
                           "--cache-dir", cache_dir, "--no-progress", "--json")
    assert code == 0
    r = json.loads(out)
    assert r["topics"] == 1 and r["sentences"] > 20 and r["key"] > 0
    assert 0.0 < r["precision"] <= 1.0 and 0.0 < r["recall"] <= 1.0

"""The evaluation harness: metrics on hand-computed examples, readers on the original layouts,
and the ``evaluate`` command on small slices (real data when ../shared/data is there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compare.errors import InputError
from compare.bench import pair_label
from compare.bench.metrics import accuracy, confusion, fnc_score, macro_f1, per_class_f1, spearman
from compare.datasets import (FNC_LABELS, Example, carve_fnc1, fnc1_stories, in_dev, read_fnc1, read_mrpc, read_sick,
                              read_snli, read_stsb)
from conftest import SHARED_DATA, needs_shared_data



# --- metrics, by hand ---------------------------------------------------------------


def test_fnc_score_by_hand():
    gold = ["agree", "unrelated", "discuss", "disagree", "unrelated"]
    pred = ["agree", "unrelated", "agree", "unrelated", "discuss"]
    # agree right: 0.25 + 0.75; unrelated right: 0.25; discuss as agree: 0.25;
    # disagree as unrelated: 0; unrelated as discuss: 0.
    score, best = fnc_score(gold, pred)
    assert score == pytest.approx(1.5)
    assert best == pytest.approx(1 + 0.25 + 1 + 1 + 0.25)
    assert fnc_score(gold, gold)[0] == pytest.approx(best)


def test_confusion_and_f1_by_hand():
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    assert confusion(gold, pred, ["a", "b", "c"]) == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    f1 = per_class_f1(gold, pred, ["a", "b", "c"])
    # a: tp 1, predicted 2, actual 2 -> 0.5; b: tp 2, predicted 3, actual 2 -> 0.8; c: 0.
    assert f1 == pytest.approx({"a": 0.5, "b": 0.8, "c": 0.0})
    assert macro_f1(gold, pred, ["a", "b", "c"]) == pytest.approx(1.3 / 3)
    assert accuracy(gold, pred) == pytest.approx(0.6)


def test_spearman_by_hand():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)


def test_dev_carve_is_stable_and_about_a_fifth():
    keys = [f"body:{i}" for i in range(2000)]
    share = sum(in_dev(k) for k in keys) / len(keys)
    assert 0.17 < share < 0.23
    assert [in_dev(k) for k in keys[:50]] == [in_dev(k) for k in keys[:50]]


def _stance(headline: str, body: str, label: str) -> Example:
    return Example(headline, body, label, key=f"body:{body}")


def test_fnc1_stories_join_headlines_and_bodies_linked_by_a_related_stance():
    stances = [
        _stance("Bridge reopens", "12", "agree"),
        _stance("Bridge reopens", "3", "discuss"),
        _stance("Bridge still closed", "3", "disagree"),
        _stance("Bakery opens downtown", "40", "agree"),
        _stance("Bakery opens downtown", "12", "unrelated"),  # unrelated pairs join nothing
    ]
    story = fnc1_stories(stances)
    bridge = {story[n] for n in ("h:Bridge reopens", "h:Bridge still closed", "b:12", "b:3")}
    assert bridge == {"story:3"}  # keyed by the lowest body id, whatever the row order
    assert story["h:Bakery opens downtown"] == story["b:40"] == "story:40"
    assert fnc1_stories(list(reversed(stances))) == story


def test_the_story_carve_keeps_dev_claims_and_articles_out_of_training():
    # Sixty stories of two headlines and two bodies each, every headline also paired,
    # unrelated, with a body of the next story.
    stances = []
    for k in range(60):
        bodies = (str(2 * k), str(2 * k + 1))
        for h in (f"claim {k} a", f"claim {k} b"):
            stances += [_stance(h, bodies[0], "agree"), _stance(h, bodies[1], "discuss"),
                        _stance(h, str((2 * k + 2) % 120), "unrelated")]
    dev, train = carve_fnc1(stances, "dev", "story"), carve_fnc1(stances, "train", "story")
    assert dev and train
    assert not {e.a for e in dev} & {e.a for e in train}
    related_dev_bodies = {e.b for e in dev if e.label != "unrelated"}
    assert related_dev_bodies and not related_dev_bodies & {e.b for e in train}
    # An unrelated pair that crosses the carve is in neither part.
    assert len(dev) + len(train) < len(stances)
    # The body carve, by contrast, sends one claim's pairs to both parts.
    by_body = carve_fnc1(stances, "dev", "key"), carve_fnc1(stances, "train", "key")
    assert {e.a for e in by_body[0]} & {e.a for e in by_body[1]}
    with pytest.raises(InputError, match="unknown carve"):
        carve_fnc1(stances, "dev", "headline")


# --- readers, on files in the original names and layouts ----------------------------


@pytest.fixture
def tiny_sets(tmp_path: Path) -> Path:
    """One tiny held-out-style split of each dataset, in the original file names."""
    fnc = tmp_path / "fnc1"
    fnc.mkdir()
    (fnc / "competition_test_bodies.csv").write_text(
        'Body ID,articleBody\n7,"The mayor said on Monday that the Mill Road bridge is open to traffic again.\n\n'
        'Engineers inspected it overnight and found no damage, officials said."\n'
        '9,"A new bakery opened downtown, selling bread and pastries every morning from 6 am."\n',
        encoding="utf-8",
    )
    (fnc / "competition_test_stances.csv").write_text(
        "Headline,Body ID,Stance\n"
        "Mill Road bridge reopens to traffic,7,agree\n"
        "Mill Road bridge stays closed after inspection,7,disagree\n"
        "Mill Road bridge reopens to traffic,9,unrelated\n",
        encoding="utf-8",
    )
    sick = tmp_path / "sick"
    sick.mkdir()
    header = ("pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score\tentailment_AB\t"
              "entailment_BA\tsentence_A_original\tsentence_B_original\tsentence_A_dataset\t"
              "sentence_B_dataset\tSemEval_set\r\n")
    rows = [
        ("1", "A man is playing a guitar", "A man is playing an instrument", "ENTAILMENT", "4.5", "TEST"),
        ("2", "A man is playing a guitar", "Nobody is playing a guitar", "CONTRADICTION", "3.9", "TEST"),
        ("3", "A dog is running in the grass", "A woman is slicing an onion", "NEUTRAL", "1.1", "TEST"),
        ("4", "A cat sleeps", "A cat is sleeping", "ENTAILMENT", "4.9", "TRAIN"),
    ]
    (sick / "SICK.txt").write_text(
        header + "".join(f"{i}\t{a}\t{b}\t{y}\t{r}\tx\tx\ta\tb\tFLICKR\tFLICKR\t{s}\r\n" for i, a, b, y, r, s in rows),
        encoding="utf-8",
    )
    snli = tmp_path / "snli"
    snli.mkdir()
    (snli / "s1.test").write_text("A man plays a guitar . \nA man plays a guitar . \nA dog runs . \n")
    (snli / "s2.test").write_text("A person plays music . \nNobody plays . \nA cat sleeps indoors . \n")
    (snli / "labels.test").write_text("entailment\ncontradiction\nneutral\n")
    sts = tmp_path / "stsb"
    sts.mkdir()
    (sts / "sts-test.csv").write_text(
        "main-captions\tMSRvid\t2012test\t0001\t5.000\tA plane is taking off.\tAn air plane is taking off.\n"
        "main-captions\tMSRvid\t2012test\t0002\t3.000\tA man is playing a flute.\tA man is playing a guitar.\n"
        "main-news\theadlines\t2015\t0003\t0.200\tStocks fell in Tokyo.\tA cat sleeps on a sofa.\textra\tfields\n",
        encoding="utf-8",
    )
    mrpc = tmp_path / "mrpc"
    mrpc.mkdir()
    # Microsoft's layout: a byte-order mark, a header row, tabs, and quotes that do not pair up.
    (mrpc / "msr_paraphrase_test.txt").write_text(
        "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
        "1\t101\t102\tThe mayor said the bridge reopened on Monday.\t"
        "The bridge reopened on Monday, the mayor said.\n"
        # MRPC's annotators call such a pair equivalent; this tool reports the two figures.
        "1\t103\t104\tFerry company shares fell 58 cents to $16.20.\tFerry company shares fell 65 cents to $16.13.\n"
        "0\t105\t106\tThe \"new\" vaccine will be tested in 2005.\tA new bakery opened downtown.\n",
        encoding="utf-8",
    )
    return tmp_path


def test_readers_find_test_splits_by_their_original_names(tiny_sets: Path):
    stances, bodies = read_fnc1(tiny_sets / "fnc1", "competition_test")
    assert [s.label for s in stances] == ["agree", "disagree", "unrelated"]
    assert set(bodies) == {"7", "9"} and "\n\n" in bodies["7"]
    assert read_fnc1(tiny_sets / "fnc1", "test")[0] == stances
    sick = read_sick(tiny_sets / "sick", "TEST")
    assert [e.label for e in sick] == ["entailment", "contradiction", "neutral"]
    assert len(read_sick(tiny_sets / "sick", "train")) == 1
    snli = read_snli(tiny_sets / "snli", "test")
    assert snli[0].a == "A man plays a guitar ." and snli[1].label == "contradiction"
    mrpc = read_mrpc(tiny_sets / "mrpc", "test")
    assert [(e.label, e.key) for e in mrpc] == [("equivalent", "mrpc:101:102"), ("equivalent", "mrpc:103:104"),
                                                ("not_equivalent", "mrpc:105:106")]
    assert mrpc[2].a == 'The "new" vaccine will be tested in 2005.'
    sts = read_stsb(tiny_sets / "stsb", "test")
    assert [e.score for e in sts] == [5.0, 3.0, 0.2] and sts[2].b == "A cat sleeps on a sofa."


def test_the_semeval_2014_sick_files_and_the_snli_release_read_too(tmp_path: Path):
    """The other original layouts: SICK's SemEval-2014 files (the split in the name) and snli_1.0_*.jsonl."""
    (tmp_path / "SICK_test_annotated.txt").write_text(
        "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\r\n"
        "6\tA man is playing a guitar\tA man is not playing a guitar\t3.7\tCONTRADICTION\r\n"
        "7\tA cat sleeps\tA cat is sleeping\t4.9\tENTAILMENT\r\n", encoding="utf-8")
    (tmp_path / "SICK_trial.txt").write_text(
        "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\r\n"
        "8\tA dog runs\tA woman cooks\t1.2\tNEUTRAL\r\n", encoding="utf-8")
    assert [(e.key, e.label, e.score) for e in read_sick(tmp_path, "TEST")] == \
        [("sick:6", "contradiction", 3.7), ("sick:7", "entailment", 4.9)]
    assert [e.label for e in read_sick(tmp_path, "dev")] == ["neutral"]
    with pytest.raises(InputError, match="TRAIN split"):
        read_sick(tmp_path, "TRAIN")
    records = [{"gold_label": "entailment", "sentence1": "A man plays a guitar.", "sentence2": "A man plays music."},
               {"gold_label": "-", "sentence1": "A man plays a guitar.", "sentence2": "A man sings."},
               {"gold_label": "contradiction", "sentence1": "A dog runs.", "sentence2": "A dog sleeps."}]
    (tmp_path / "snli_1.0_test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert [(e.a, e.label) for e in read_snli(tmp_path, "test")] == \
        [("A man plays a guitar.", "entailment"), ("A dog runs.", "contradiction")]


def test_files_that_are_not_sick_or_snli_are_named_in_the_error(tmp_path: Path):
    (tmp_path / "SICK.txt").write_text("id\tfirst\tsecond\n1\ta\tb\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"SICK\.txt.*not a SICK file: no pair_ID, relatedness_score"):
        read_sick(tmp_path, "TEST")
    (tmp_path / "SICK.txt").write_text(
        "pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score\tSemEval_set\n"
        "1\tA cat sleeps\tA cat is sleeping\tENTAILMENT\tvery\tTEST\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: a SICK row needs"):
        read_sick(tmp_path, "TEST")
    (tmp_path / "snli_1.0_dev.jsonl").write_text('{"sentence1": "A dog runs."}\n', encoding="utf-8")
    with pytest.raises(InputError, match="snli_1.0_dev.jsonl.*line 1: not an SNLI record"):
        read_snli(tmp_path, "dev")


def test_a_missing_split_is_an_input_error(tiny_sets: Path, run_cli):
    code, _, err = run_cli("evaluate", "snli", "--data", tiny_sets / "snli", "--split", "nope")
    assert code == 2 and "s1.nope" in err


def test_an_mrpc_file_that_is_not_one_is_named_in_the_error(tmp_path: Path, run_cli):
    bad = tmp_path / "msr_paraphrase_test.txt"
    bad.write_text("Quality\tString\n1\tA sentence.\n", encoding="utf-8")
    code, out, err = run_cli("evaluate", "mrpc", "--data", tmp_path)
    assert code == 2 and "msr_paraphrase_test.txt" in err and "#1 String" in err and "Traceback" not in err
    assert not out
    bad.write_text("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\nyes\t1\t2\tA sentence.\tAnother.\n",
                   encoding="utf-8")
    with pytest.raises(InputError, match="msr_paraphrase_test.txt.*line 2: an MRPC row needs a Quality of 0 or 1"):
        read_mrpc(tmp_path, "test")


@pytest.mark.parametrize("dataset", ["fnc1", "sick", "snli", "stsb", "mrpc"])
def test_evaluate_prints_figures_on_held_out_style_files(tiny_sets: Path, run_cli, cache_dir, dataset):
    code, out, _ = run_cli("evaluate", dataset, "--data", tiny_sets / dataset, "--cache-dir", cache_dir,
                           "--json", "--no-progress")
    assert code == 0
    result = json.loads(out)
    assert result["pairs"] == 3
    if "confusion" in result:  # every pair is counted once in the confusion matrix
        assert sum(map(sum, result["confusion"]["matrix"])) == 3
    if dataset == "fnc1":
        assert {"fnc_score", "macro_f1", "per_class_f1", "confusion"} <= result.keys()
        assert set(result["per_class_f1"]) == set(FNC_LABELS)
        assert len(result["confusion"]["matrix"]) == 4
    elif dataset == "stsb":
        assert result["spearman"] > 0.4
    elif dataset == "mrpc":
        assert {"accuracy", "macro_f1", "equivalent_f1", "per_class_f1", "confusion"} <= result.keys()
        assert set(result["per_class_f1"]) == {"equivalent", "not_equivalent"}
        assert sum(map(sum, result["confusion"]["matrix"])) == 3
        assert sum(result["labels_of_equivalent"].values()) == 2  # the equivalent pairs, by their engine label
        # The two share prices differ: the engine says so, and the figures name the check behind it.
        assert result["diverge_on_equivalent"] == {"pairs": 1, "with_check": {"quantity": 1}}
    else:
        assert {"accuracy", "macro_f1", "contradiction_f1"} <= result.keys()


def test_the_story_carve_is_named_in_the_figures_and_is_for_fnc1_only(tiny_sets: Path, run_cli, cache_dir):
    # Body 7's story is keyed story:7; renumber it so that its story falls in the dev part.
    dev_id = next(i for i in range(100, 1000) if in_dev(f"story:{i}"))
    fnc = tiny_sets / "fnc1"
    for name in ("competition_test_bodies.csv", "competition_test_stances.csv"):
        path = fnc / name
        path.write_text(path.read_text(encoding="utf-8").replace("7,", f"{dev_id},"), encoding="utf-8")
    code, out, err = run_cli("evaluate", "fnc1", "--data", fnc, "--part", "dev", "--carve", "story",
                             "--cache-dir", cache_dir, "--no-progress")
    assert code == 0 and "(dev part, by story)" in out
    assert "3 pairs" in out  # both stances on the bridge, and its headline against the bakery's body
    # The shipped judge was trained on the body carve: its figures on the story carve's dev part are flattered.
    assert "overlaps the story carve's dev part" in err
    code, _, err = run_cli("evaluate", "sick", "--data", tiny_sets / "sick", "--carve", "story")
    assert code == 2 and "for fnc1 only" in err


def test_the_builtin_stance_model_is_named_in_a_warning_on_either_dev_part(tiny_sets: Path, run_cli, cache_dir):
    """The built-in stance model learned from all of FNC-1 train, so it has seen both carves' dev pairs."""
    dev_id = next(i for i in range(100, 1000) if in_dev(f"body:{i}") and in_dev(f"story:{i}"))
    fnc = tiny_sets / "fnc1"
    for name in ("competition_test_bodies.csv", "competition_test_stances.csv"):
        path = fnc / name
        path.write_text(path.read_text(encoding="utf-8").replace("7,", f"{dev_id},"), encoding="utf-8")
    for carve in ("key", "story"):
        code, _, err = run_cli("evaluate", "fnc1", "--data", fnc, "--part", "dev", "--carve", carve, "--cache-dir",
                               cache_dir, "--no-progress")
        assert code == 0 and "stance model was trained on all of FNC-1 train" in err and "flattered" in err
    code, _, err = run_cli("evaluate", "fnc1", "--data", fnc, "--judge", "rules", "--part", "dev", "--cache-dir",
                           cache_dir, "--no-progress")
    assert code == 0 and "warning" not in err


def test_a_model_that_learned_from_dev_pairs_is_warned_of_whichever_carve_is_measured(tmp_path: Path):
    """A judge of one carve flatters the other's dev part; a stance model of all FNC-1 train flatters both."""
    import torch
    from safetensors.torch import save_file

    from compare.bench import dev_overlap_warnings

    class Judged:  # what the warnings read off a trained judge
        def __init__(self, carve: str | None, stance_part: str | None) -> None:
            self.bundle = {"trained_on": {"fnc1": 100}, "fnc1_carve": carve} if carve else {}
            self.stance_path = None
            if stance_part:
                self.stance_path = tmp_path / f"{stance_part}.safetensors"
                save_file({"w": torch.zeros(1)}, str(self.stance_path), metadata={"part": stance_part})

    assert dev_overlap_warnings(Judged("story", "story-train"), "story") == []
    assert dev_overlap_warnings(None, "key") == []
    body_carve = dev_overlap_warnings(Judged("key", "story-train"), "story")
    assert len(body_carve) == 1 and "trained on the key carve's train part" in body_carve[0]
    stance_all = dev_overlap_warnings(Judged("key", "all"), "key")
    assert len(stance_all) == 1 and "all of FNC-1 train" in stance_all[0] and "flattered" in stance_all[0]
    assert len(dev_overlap_warnings(Judged("story", "all"), "story")) == 1


def test_an_empty_part_is_an_input_error(tiny_sets: Path, run_cli, cache_dir):
    code, out, err = run_cli("evaluate", "stsb", "--data", tiny_sets / "stsb", "--part", "dev", "--limit", "0")
    assert code == 2 and "--limit" in err
    # No story of this split falls in the dev part.
    fnc = tiny_sets / "fnc1"
    train_ids = [i for i in range(100, 1000) if not in_dev(f"story:{i}")][:2]
    for name in ("competition_test_bodies.csv", "competition_test_stances.csv"):
        path = fnc / name
        text = path.read_text(encoding="utf-8").replace("7,", f"{train_ids[0]},").replace("9,", f"{train_ids[1]},")
        path.write_text(text, encoding="utf-8")
    code, out, err = run_cli("evaluate", "fnc1", "--data", fnc, "--part", "dev", "--carve", "story",
                             "--cache-dir", cache_dir)
    assert code == 2 and "the dev part of split competition_test has no pairs to evaluate" in err
    assert "fnc1" in err and not out


@pytest.mark.parametrize("dataset", ["sick", "snli"])
def test_judging_sentence_pairs_shows_progress(tiny_sets: Path, run_cli, cache_dir, dataset):
    code, _, err = run_cli("evaluate", dataset, "--data", tiny_sets / dataset, "--cache-dir", cache_dir, "--progress")
    assert code == 0 and "Judging pairs" in err and "3/3" in err


def test_pair_label_reads_the_engine_comparison(tiny_sets: Path, embedder):
    from compare.bench import claims_against_documents

    stances, bodies = read_fnc1(tiny_sets / "fnc1", "competition_test")
    labels = {}
    for i, comparison, _ in claims_against_documents([(s.a, s.b) for s in stances], bodies, embedder, None,
                                                       progress=False):
        labels[i] = pair_label(comparison, "headline", "body")
    assert labels[2] == "silent"  # a bakery says nothing about the bridge
    assert labels[0] in ("agree", "related")


# --- real slices ------------------------------------------------------------------


@needs_shared_data
@pytest.mark.parametrize(
    "dataset, split, keys",
    [
        ("fnc1", "train", {"fnc_score", "macro_f1", "per_class_f1", "accuracy"}),
        ("sick", "TRIAL", {"accuracy", "macro_f1", "contradiction_f1"}),
        ("snli", "dev", {"accuracy", "macro_f1", "contradiction_f1"}),
        ("stsb", "dev", {"spearman"}),
        ("mrpc", "train", {"accuracy", "macro_f1", "equivalent_f1", "diverge_on_equivalent"}),
    ],
)
def test_evaluate_a_small_real_slice(run_cli, cache_dir, dataset, split, keys):
    args = ["evaluate", dataset, "--data", SHARED_DATA / dataset, "--split", split, "--part", "dev",
            "--limit", "12", "--cache-dir", cache_dir, "--no-progress"]
    code, out, _ = run_cli(*args, "--json")
    assert code == 0
    result = json.loads(out)
    assert keys | {"pairs", "seconds"} <= result.keys()
    assert result["pairs"] == 12
    code, text, _ = run_cli(*args)
    assert code == 0
    assert {"fnc1": "weighted score", "sick": "accuracy", "snli": "contradiction F1", "stsb": "Spearman",
            "mrpc": "equivalent pairs labelled diverge"}[dataset] in text

"""The built-in stance model: it ships, the judge reads claims against documents with it (and only those), and
its command trains it."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from compare.judge.stance import (BUILTIN_WEIGHTS, DISPUTE_ODDS, STANCE_NAMES, StanceModel, dispute_overrides,
                            mix_stance, stance_context, stance_passages)
from compare.judge.trained import CLASSES, TrainedJudge, claim_against_document, default_judge
from compare.judge.features import refutes
from conftest import SHARED_DATA, needs_shared_data


CLAIM = "Three people were hurt when a gas cylinder exploded at the central market, police say."
ARTICLE = ("A gas cylinder exploded at the central market on Monday morning. Police said three people were hurt "
           "in the blast and taken to hospital. Firefighters put out the fire within an hour. The mayor promised "
           "an inquiry into the safety of the stalls.")


class CountingStance:
    """Stands in for :class:`StanceModel`: a fixed reading, and a record of what it was asked."""

    name = "counting"
    context_passages = 2

    def __init__(self, row=(0.7, 0.1, 0.2)) -> None:
        self.row = np.array(row)
        self.asked: list[tuple[str, str]] = []

    def probabilities_many(self, inputs):
        self.asked += inputs
        return np.tile(self.row, (len(inputs), 1))


def _signals(embedder, texts: dict[str, str]):
    """Every pair's signals in the engine's comparison of {party: text}, as the judge sees them."""
    from compare.documents import build_event, source_from_text
    from compare.bench import RecordingJudge
    from compare.pipeline import compare_prepared, prepare

    prepared = prepare(build_event([source_from_text(t + "\n", default_party=p) for p, t in texts.items()]),
                       embedder, progress=False)
    recorder = RecordingJudge()
    compare_prepared(prepared, judge=recorder, framing=False)
    # The claim-against-document readings: a one-line source on its own claim, read against the
    # article (where the silence check reads it on the article's other claims, it is two sentences).
    return [s for s in recorder.seen if claim_against_document(s) is not None or len(s.right_context) > 1]


def test_the_stance_model_ships_small_with_its_labels():
    assert BUILTIN_WEIGHTS.is_file() and BUILTIN_WEIGHTS.stat().st_size < 4_000_000
    model = StanceModel()
    assert model.model.config.id2label == dict(enumerate(STANCE_NAMES))
    rows = model.probabilities_many([(CLAIM, ARTICLE)])
    assert rows.shape == (1, 3) and rows.sum() == pytest.approx(1.0)


def test_a_claim_longer_than_the_reading_budget_is_cut_not_an_error():
    # An FNC-1 story's passage of one 700-character sentence, read against an article: before the cut, the
    # tokenizer refused the whole batch ("Sequence to truncate too short"), and the event failed.
    from compare.judge.lora import fit_first

    model = StanceModel()
    long_claim = " ".join([CLAIM.rstrip(".")] * 8) + "."
    cut = fit_first(model.tokenizer, long_claim, model.max_length)
    assert long_claim.startswith(cut) and len(model.tokenizer(cut, add_special_tokens=False)["input_ids"]) == model.max_length // 2
    assert fit_first(model.tokenizer, CLAIM, model.max_length) == CLAIM  # a sentence of usual length stays whole
    rows = model.probabilities_many([(long_claim, ARTICLE), (CLAIM, ARTICLE)])
    assert rows.shape == (2, 3) and rows.sum(axis=1) == pytest.approx([1.0, 1.0])


def test_the_shipped_stance_model_records_train_stance_defaults_with_part_all():
    """The model card's reproduce command is ``train-stance --part all``: every other setting
    the shipped file records is the command's default, so changing a default means retraining."""
    import argparse

    from safetensors import safe_open

    from compare.cli.train import stance_arguments

    parser = argparse.ArgumentParser()
    stance_arguments(parser)
    defaults = parser.parse_args(["--data", "d", "--out", "o", "--part", "all"])
    with safe_open(str(BUILTIN_WEIGHTS), "pt") as f:
        meta = f.metadata()
    assert {k: meta[k] for k in ("part", "epochs", "lora_rank", "learning_rate", "seed", "class_weight_power",
                                 "context_passages", "max_length", "labels")} == {
        "part": defaults.part, "epochs": str(defaults.epochs), "lora_rank": str(defaults.rank),
        "learning_rate": str(defaults.learning_rate), "seed": str(defaults.seed),
        "class_weight_power": str(defaults.class_weight_power), "context_passages": str(defaults.context_passages),
        "max_length": str(defaults.max_length), "labels": ",".join(STANCE_NAMES)}
    # FNC-1 train's 13,427 related pairs, and a negated copy of 1,651 of its 3,678 agree pairs
    assert (meta["training_pairs"], meta["synthetic_disagree"]) == ("15078", "1651")


def test_synthetic_disagree_pairs_negate_the_claims_of_agree_pairs_only():
    from compare.training.stance import synthetic_disagree

    agree, disagree, discuss = range(3)
    items = [("Police say the mayor was arrested on Monday", ARTICLE, agree),
             ("The minister resigned over the scandal", ARTICLE, agree),
             ("Rebels have not seized the airport", ARTICLE, agree),
             ("Talks are said to continue", ARTICLE, discuss),
             ("The army did not fire on protesters", ARTICLE, disagree),
             ("Big news from the capital", ARTICLE, agree)]  # nothing negate() can flip
    assert synthetic_disagree(items) == [
        ("Police say the mayor was not arrested on Monday", ARTICLE, disagree),
        ("The minister never resigned over the scandal", ARTICLE, disagree),
        ("Rebels have seized the airport", ARTICLE, disagree)]


def test_the_mix_keeps_the_unrelated_class_and_the_related_mass():
    own = np.array([0.2, 0.1, 0.3, 0.4])
    mixed = mix_stance(own, np.array([0.9, 0.05, 0.05]))
    assert mixed[3] == own[3] and mixed[:3].sum() == pytest.approx(own[:3].sum())
    assert mixed[0] > own[0] and mixed[2] < own[2]  # the stance model's agree moves the split
    assert mix_stance(own, np.array([0.9, 0.05, 0.05]), weight=0.0) == pytest.approx(own)


def test_a_dispute_outranks_agree_or_related_only_within_the_odds():
    probs = {"agree": 0.40, "diverge": 0.21, "related": 0.30, "unrelated": 0.09}
    assert dispute_overrides(probs, 2.0) == "agree"
    assert dispute_overrides({**probs, "diverge": 0.19, "unrelated": 0.11}, 2.0) is None  # under half of agree's
    assert dispute_overrides({"agree": 0.2, "diverge": 0.21, "related": 0.39, "unrelated": 0.2}, 2.0) == "related"
    # silent stays silent, and a dispute that already leads needs nothing
    assert dispute_overrides({"agree": 0.1, "diverge": 0.3, "related": 0.1, "unrelated": 0.5}, 2.0) is None
    assert dispute_overrides({"agree": 0.3, "diverge": 0.5, "related": 0.1, "unrelated": 0.1}, 2.0) is None
    assert dispute_overrides(probs, 1.0) is None  # odds of 1: the likeliest class alone


def test_a_claim_the_stance_model_finds_disputed_is_labelled_diverge_with_its_reason(embedder):
    """The probabilities stay the mix's; only the label follows the dispute odds, and the rationale says why."""
    [signals] = _signals(embedder, {"Police": CLAIM, "Newspaper": ARTICLE})
    judge = TrainedJudge.shipped()
    supported = TrainedJudge(judge.bundle, stance=CountingStance((0.7, 0.1, 0.2))).judge(signals)
    disputed = TrainedJudge(judge.bundle, stance=CountingStance((0.45, 0.45, 0.1))).judge(signals)
    assert supported.label == "agree" and "diverge rather than" not in supported.rationale
    p = disputed.probabilities
    assert max(p, key=p.get) == "agree" and p["diverge"] * DISPUTE_ODDS >= p["agree"]  # what this test is about
    assert disputed.label == "diverge"
    said = f"diverge rather than agree: diverge's {p['diverge']:.2f} is at least 1/{DISPUTE_ODDS:g}"
    assert said in disputed.rationale
    likeliest = TrainedJudge(judge.bundle, stance=CountingStance((0.45, 0.45, 0.1)), dispute_odds=1).judge(signals)
    assert likeliest.label == "agree" and likeliest.probabilities == disputed.probabilities


def test_the_context_is_the_passages_nearest_the_claim_in_text_order():
    vectors = np.eye(4)
    claim = np.array([0.1, 0.9, 0.0, 0.5])
    assert stance_context(claim, ["a", "b", "c", "d"], vectors, 2) == "b d"
    assert stance_context(claim, ["a", "b", "c", "d"], vectors, 9) == "a b c d"


DAM_ARTICLE = [
    "Reports spread on Monday that the dam upstream of the town had burst.",  # nearest the claim
    "Videos shared online showed water in the streets of the lower town.",
    "Residents said the river rose quickly after two days of rain.",
    "The water authority said the reports of a burst were false.",  # refutes, far from the claim
    "Officials later denied that any wall of the dam had given way.",  # refutes, farther
    "The authority dismissed the rumour as a hoax.",  # refutes, farthest: one too many
    "Schools in the district reopened on Wednesday.",
]


def _alike(*similarities: float) -> np.ndarray:
    """Unit vectors with these cosines to the claim's vector [1, 0]."""
    return np.array([[s, (1 - s * s) ** 0.5] for s in similarities])


def test_refuting_passages_beyond_the_nearest_take_all_but_the_nearest_ones_place():
    claim = np.array([1.0, 0.0])
    vectors = _alike(0.9, 0.8, 0.7, 0.5, 0.4, 0.3, 0.2)  # similarity falls with the order above
    assert stance_passages(claim, DAM_ARTICLE, vectors, 3) == ([0], [3, 4])
    assert stance_context(claim, DAM_ARTICLE, vectors, 3) == " ".join(DAM_ARTICLE[i] for i in (0, 3, 4))
    # Asked for none, or without refuting passages beyond the nearest, the nearest are read, as trained.
    assert stance_passages(claim, DAM_ARTICLE, vectors, 3, refuting=0) == ([0, 1, 2], [])
    calm = DAM_ARTICLE[:3] + ["The authority said repairs to the gates would finish soon.", DAM_ARTICLE[6]]
    assert stance_passages(claim, calm, vectors[:5], 3) == ([0, 1, 2], [])
    # A refuting passage among the nearest is read already: nothing gives way.
    near = [DAM_ARTICLE[3]] + calm[1:]
    assert stance_passages(claim, near, vectors[:5], 3) == ([0, 1, 2], [])
    # One refuting passage beyond: the same places give way (reading the nearest two beside it did worse).
    one = calm[:3] + [DAM_ARTICLE[4], DAM_ARTICLE[6]]
    assert stance_passages(claim, one, vectors[:5], 3) == ([0], [3])
    # Never more passages than the model reads: of two, one gives way; a model of one reads the nearest.
    assert stance_passages(claim, DAM_ARTICLE, vectors, 2) == ([0], [3])
    assert stance_passages(claim, DAM_ARTICLE, vectors, 1) == ([0], [])


def test_refuting_words_are_the_features_cue_words():
    assert refutes("Officials denied it.") and refutes("It was a hoax.") and refutes("The claims are false.")
    assert not refutes("Officials confirmed it.") and not refutes("The dam burst on Monday.")


def test_the_judge_reads_a_claim_against_an_article_with_the_stance_model(embedder):
    stance = CountingStance()
    judge = TrainedJudge.shipped()
    judge_with = TrainedJudge(judge.bundle, stance=stance)
    [signals] = _signals(embedder, {"Police": CLAIM, "Newspaper": ARTICLE})
    claim, _, passages, _ = claim_against_document(signals)
    assert claim.text == CLAIM and len(passages) == 4
    alone = judge.probabilities(signals)
    verdict = judge_with.judge(signals)
    expected = mix_stance(np.array([alone[c] for c in CLASSES]), stance.row)
    assert [verdict.probabilities[c] for c in CLASSES] == pytest.approx(expected, abs=1e-4)
    # the claim, and the two passages most like it in text order
    [(asked_claim, context)] = stance.asked
    assert asked_claim == CLAIM and context.startswith("A gas cylinder exploded") and "Police said" in context
    assert "the stance model's reading" in verdict.rationale and "agree 0.70 / disagree 0.10" in verdict.rationale
    assert judge_with.name.endswith("+stance:counting")


def test_which_side_is_the_claim_does_not_depend_on_the_order_of_the_sources(embedder):
    judge = TrainedJudge(TrainedJudge.shipped().bundle, stance=str(BUILTIN_WEIGHTS))
    [first] = _signals(embedder, {"Police": CLAIM, "Newspaper": ARTICLE})
    [second] = _signals(embedder, {"Newspaper": ARTICLE, "Police": CLAIM})
    a, b = judge.judge(first), judge.judge(second)
    assert a.label == b.label and a.probabilities == pytest.approx(b.probabilities, abs=1e-6)


def test_sentence_pairs_are_not_read_by_the_stance_model_and_claims_of_accounts_are(embedder, teaching_prepared):
    from dataclasses import replace

    from compare.bench import Example, sentence_pair_signals
    from compare.pipeline import compare_prepared

    stance = CountingStance()
    judge = TrainedJudge(TrainedJudge.shipped().bundle, stance=stance)
    [pair] = sentence_pair_signals([Example(CLAIM, "Police said three people were hurt.", "", key="k")], embedder)
    assert claim_against_document(pair) is None
    judge.judge(pair)
    assert stance.asked == []
    # Between accounts, the engine reads each claim (one passage) against each other account:
    # the stance model is asked about single passages of the event, never about a whole account.
    compare_prepared(replace(teaching_prepared, memo={}), judge=judge, framing=False)
    passages = {p.text for p in teaching_prepared.passages}
    assert stance.asked and all(claim in passages for claim, _ in stance.asked)


def test_an_article_the_judge_finds_unrelated_is_not_read(embedder):
    stance = CountingStance()
    judge = TrainedJudge(TrainedJudge.shipped().bundle, stance=stance)
    other = ("The central bank raised interest rates by half a point on Monday. Economists had expected the "
             "move. Markets barely reacted. The governor will speak on Thursday.")
    signals = _signals(embedder, {"Police": CLAIM, "Bank": other})
    for s in signals:
        p = TrainedJudge.shipped().probabilities(s)
        assert p["unrelated"] >= p["agree"] + p["diverge"] + p["related"]  # what this test is about
        judge.judge(s)
    assert stance.asked == []


def test_the_default_judge_has_the_stance_model_and_workers_reload_it(embedder):
    judge = default_judge()
    assert judge.name.endswith("+stance:builtin-minilm-stance")
    again = pickle.loads(pickle.dumps(judge))
    [signals] = _signals(embedder, {"Police": CLAIM, "Newspaper": ARTICLE})
    assert again.judge(signals).probabilities == judge.judge(signals).probabilities
    model = StanceModel()
    assert pickle.loads(pickle.dumps(model)).path == model.path


def test_a_missing_stance_file_is_reported(tmp_path):
    from compare.cli import ModelLoadError

    with pytest.raises(ModelLoadError, match="train-stance"):
        StanceModel(tmp_path / "stance.safetensors")


def test_an_nli_file_is_not_taken_for_a_stance_model():
    from compare.judge.nli import BUILTIN_WEIGHTS as NLI_WEIGHTS

    with pytest.raises(ValueError, match="not a narrative-compare stance model"):
        StanceModel(NLI_WEIGHTS)


def test_train_stance_names_a_missing_folder(run_cli, tmp_path):
    code, _, err = run_cli("train-stance", "--data", tmp_path, "--out", tmp_path / "s.safetensors")
    assert code == 2 and "fnc1" in err and "no such folder" in err
    assert not (tmp_path / "s.safetensors").exists()


@needs_shared_data
def test_train_stance_on_a_small_slice(run_cli, cache_dir, tmp_path):
    from safetensors import safe_open

    out = tmp_path / "stance.safetensors"
    code, stdout, err = run_cli("train-stance", "--data", SHARED_DATA, "--out", out, "--limit", "16", "--epochs",
                                "1", "--rank", "2", "--seed", "5", "--context-passages", "2", "--max-length", "96",
                                "--refuting-passages", "1", "--dev", "--cache-dir", cache_dir, "--no-progress")
    assert code == 0, err
    with safe_open(str(out), "pt") as f:
        extra = int(f.metadata()["synthetic_disagree"])
        assert f.metadata()["refuting_passages"] == "1"
    assert extra > 0  # the slice's agree headlines with a verb negate() can flip (7 of its 9)
    assert f"{16 + extra} training pairs (16 from FNC-1, {extra} synthetic disagree)" in err
    figures = json.loads(stdout)
    assert figures["pairs"] == 16 and set(figures["per_class_f1"]) == set(STANCE_NAMES)
    model = StanceModel(out)
    # the file says what it read, so the judge gives it the same
    assert model.name == "stance.safetensors" and (model.context_passages, model.max_length) == (2, 96)
    judge = TrainedJudge(TrainedJudge.shipped().bundle, stance=out)
    assert judge.name.endswith("+stance:stance.safetensors")


def test_train_stance_warns_that_dev_figures_of_a_model_of_all_fnc1_are_flattered(run_cli, tmp_path, monkeypatch):
    import compare.cli.train as stance  # the command calls the recipe through its own module

    (tmp_path / "fnc1").mkdir()
    parts = []
    monkeypatch.setattr(stance, "train_stance", lambda data, out, *, part, **_: parts.append(part) or
                        {"training_pairs": "12", "synthetic_disagree": "2", "seconds": "1.0"})
    monkeypatch.setattr(stance, "dev_f1", lambda *a, **k: {"pairs": 3})
    code, out, err = run_cli("train-stance", "--data", tmp_path, "--out", tmp_path / "s.safetensors", "--part",
                             "all", "--dev")
    assert code == 0 and parts == ["all"] and json.loads(out) == {"pairs": 3}
    assert "12 training pairs (10 from FNC-1, 2 synthetic disagree)" in err and "flattered" in err
    code, out, err = run_cli("train-stance", "--data", tmp_path, "--out", tmp_path / "s.safetensors", "--dev")
    assert code == 0 and parts == ["all", "story-train"] and "flattered" not in err


def test_train_stance_refuses_a_context_it_cannot_read(run_cli, tmp_path):
    (tmp_path / "fnc1").mkdir()
    out = tmp_path / "s.safetensors"
    for option, value, says in (("--context-passages", "0", "--context-passages must be at least 1, not 0"),
                                ("--max-length", "600", "--max-length must be between 32 and 512, not 600"),
                                ("--refuting-passages", "-1", "--refuting-passages must be 0 or more, not -1")):
        code, _, err = run_cli("train-stance", "--data", tmp_path, "--out", out, option, value)
        assert code == 2 and says in err and "Traceback" not in err
    assert not out.exists()


def test_train_stance_takes_the_synthetic_pairs_unless_told_not_to():
    from compare.cli import build_parser

    base = ["train-stance", "--data", "d", "--out", "s.safetensors"]
    assert build_parser().parse_args(base).synthetic_disagree is True
    assert build_parser().parse_args([*base, "--no-synthetic-disagree"]).synthetic_disagree is False


def test_the_stance_model_option_picks_or_drops_it():
    from compare.judge.trained import SHIPPED_MODEL, make_judge

    assert make_judge("trained").name.endswith("+stance:builtin-minilm-stance")
    assert "+stance" not in make_judge("trained", stance="none").name
    assert make_judge("trained+nli").name.endswith("+stance:builtin-minilm-stance")
    # A judge model file reads as train-judge --dev measured it, unless told otherwise.
    assert "+stance" not in make_judge(str(SHIPPED_MODEL)).name
    assert make_judge(str(SHIPPED_MODEL), stance="builtin").name.endswith("+stance:builtin-minilm-stance")


def test_the_dispute_odds_option_reaches_the_judge_and_refuses_odds_under_one(run_cli, cache_dir, tmp_path,
                                                                             write_files):
    from compare.cli import build_parser
    from compare.errors import InputError
    from compare.judge.trained import SHIPPED_MODEL, make_judge

    assert make_judge("trained").dispute_odds == DISPUTE_ODDS
    assert make_judge("trained", dispute_odds=1).dispute_odds == 1
    assert make_judge(str(SHIPPED_MODEL), stance="builtin", dispute_odds=3).dispute_odds == 3
    assert make_judge("trained", dispute_odds=1).cache_key != make_judge("trained").cache_key
    assert make_judge("trained", dispute_odds=1).name.endswith("+stance:builtin-minilm-stance(dispute odds 1)")
    assert "dispute odds" not in make_judge("trained").name
    with pytest.raises(InputError, match="--dispute-odds must be 1 or more"):
        make_judge("trained", dispute_odds=0.5)
    args = build_parser().parse_args(["evaluate", "fnc1", "--data", "d", "--dispute-odds", "1.5"])
    assert args.dispute_odds == 1.5
    folder = write_files({"police.md": "---\nparty: Police\n---\n" + CLAIM + "\n",
                          "paper.md": "---\nparty: Newspaper\n---\n" + ARTICLE + "\n"})
    out = tmp_path / "r.json"
    code, _, err = run_cli("report", folder, "--dispute-odds", "0.5", "--cache-dir", cache_dir, "--out", out,
                           "--no-progress")
    assert code == 2 and "--dispute-odds must be 1 or more" in err and "Traceback" not in err
    assert not out.exists()


def test_a_missing_stance_model_file_is_an_input_error(run_cli, cache_dir, tmp_path, write_files):
    folder = write_files({"police.md": "---\nparty: Police\n---\n" + CLAIM + "\n",
                          "paper.md": "---\nparty: Newspaper\n---\n" + ARTICLE + "\n"})
    out = tmp_path / "r.json"
    code, _, err = run_cli("report", folder, "--stance-model", tmp_path / "nope.safetensors", "--cache-dir",
                           cache_dir, "--out", out, "--no-progress")
    assert code == 2 and "nope.safetensors" in err and "no such stance model" in err
    assert not out.exists()
    from compare.judge.nli import BUILTIN_WEIGHTS as NLI_WEIGHTS

    (tmp_path / "broken.safetensors").write_bytes(b"not a model")
    for wrong, says in ((NLI_WEIGHTS, "not a stance model made by train-stance"),
                        (tmp_path / "broken.safetensors", "cannot read it as a stance model")):
        code, _, err = run_cli("report", folder, "--stance-model", wrong, "--cache-dir", cache_dir, "--out", out,
                               "--no-progress")
        assert code == 2 and str(wrong) in err and says in err and "Traceback" not in err
        assert not out.exists()
    code, _, err = run_cli("report", folder, "--cache-dir", cache_dir, "--out", out, "--no-progress")
    assert code == 0, err
    report = json.loads(out.read_text())
    # The headline's own claim, read against the article by the stance model: the reason of the cell says so.
    own = next(point for point in report["points"] if point["claim"]["source"] == "police"
               or point["cells"]["police"].get("passages") and not point["cells"]["police"].get("placed"))
    reasons = [cell["reason"] for cell in own["cells"].values() if cell["stance"] != "silent"]
    assert report["judge"].endswith("+stance:builtin-minilm-stance")
    assert any("the stance model's reading of the passages nearest the claim" in r for r in reasons), reasons


DAM_CLAIM = "The dam upstream of Varna burst on Monday, residents say."
DAM_REPORT = ("Residents of Varna said on Monday that the dam upstream of the town had burst. Water from the dam "
              "flooded the streets of the lower town, they said. The dam holds back the river above Varna. "
              "A spokeswoman for the water board called the story a hoax.")


def test_the_judge_reads_the_passage_that_refutes_the_claim_and_names_what_it_read(embedder):
    stance = CountingStance()  # reads two passages: with a refuting one beyond them, the nearest gives way to it
    judge = TrainedJudge(TrainedJudge.shipped().bundle, stance=stance)
    [signals] = _signals(embedder, {"Residents": DAM_CLAIM, "Water board": DAM_REPORT})
    _, _, passages, _ = claim_against_document(signals)
    verdict = judge.judge(signals)
    [(_, context)] = stance.asked
    hoax = next(p for p in passages if "hoax" in p.text)
    assert context.endswith(hoax.text) and context.startswith("Residents of Varna said") and context.count(".") == 2
    assert f"and those with a refuting word beyond them ({hoax.id})" in verdict.rationale
    nearest = next(p for p in passages if p.text.startswith("Residents of Varna"))
    assert f"the passages nearest the claim ({nearest.id})" in verdict.rationale

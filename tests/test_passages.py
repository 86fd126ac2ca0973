"""Cutting sources into passages: exact offsets, sensible sentence boundaries."""

from __future__ import annotations

import random
import re

import pytest

from compare.documents import load_event
from compare.records import Source
from compare.passages import MIN_WORDS, estimate_pieces, passage_texts, split_passages

from conftest import LACHIN, TEACHING

_WORD = re.compile(r"\w+")
#: What may lie between passages: white space and the list and heading markers.
_MARKER = re.compile(r"(?m)^[ \t]*(?:#{1,6}|[-*+\u2022]|\d{1,3}[.)])(?=[ \t])")


def leftover(gap: str) -> str:
    return "".join(_MARKER.sub("", gap).split())


def texts_of(text: str, language: str = "en") -> list[str]:
    source = Source(id="s", party="Somebody", text=text, language=language)
    passages = split_passages(source)
    assert_exact(source, passages)
    return [p.text for p in passages]


def assert_exact(source: Source, passages) -> None:
    """The invariants every split must keep."""
    cursor = 0
    for i, p in enumerate(passages):
        assert source.text[p.start : p.end] == p.text
        assert p.index == i and p.id == f"{source.id}:{i}" and p.source_id == source.id
        assert p.text and p.text == p.text.strip()
        assert p.start >= cursor, "passages overlap or go backwards"
        # Nothing but white space and markup is left out between passages.
        assert not leftover(source.text[cursor : p.start]), source.text[cursor : p.start]
        cursor = p.end
    assert not leftover(source.text[cursor:])
    if len(_WORD.findall(source.text)) >= MIN_WORDS:
        assert all(len(_WORD.findall(p.text)) >= MIN_WORDS for p in passages)


CORPUS_SOURCES = [
    pytest.param(source, id=f"{folder.name}/{source.id}")
    for folder in (TEACHING, LACHIN)
    for source in load_event([folder]).sources
]


@pytest.mark.parametrize("source", CORPUS_SOURCES)
def test_corpus_offsets_are_exact(source):
    passages = split_passages(source)
    assert passages
    assert_exact(source, passages)


def test_original_press_release_keeps_its_number_and_dates_whole():
    az = next(s for s in load_event([LACHIN]).sources if s.party == "Azerbaijan MFA")
    texts = [p.text for p in split_passages(az)]
    assert texts[0].startswith("Press release 21 December 2022")
    assert any("No:596/22, Commentary of the Press Service Department" in t for t in texts)
    assert any("Trilateral Statement of 10 November 2020, and inform" in t for t in texts)


# --- generated texts (property-style, seeded) ------------------------------

PIECES = [
    "The road was closed on Monday.", "Dr. Smith said the U.S. team had left.",
    'The minister said: "Nobody is stopping the trucks. The road is open."',
    "Press release No:596/22 was issued on 10 November 2020.", "Short heading",
    "More than 120,000 residents have been cut off for 3.5 days!", "Is the corridor open?",
    "- Let the convoys pass freely.", "1. Release the detained drivers at once.", "\u2022 Open the road again.",
    "## Humanitarian situation", "Ça a duré jusqu'à l'aube, selon la Croix-Rouge.", "Ok.",
    "The Lachin corridor \u2013 the only road \u2013 remains blocked\u2026 for now.", "\t  ", "e.g. food, i.e. bread.",
]
BREAKS = ["\n", "\n\n", "\r\n", "\r\n\r\n", " ", "  \n \n", "\n\n\n"]


@pytest.mark.parametrize("seed", range(40))
def test_generated_texts_keep_exact_offsets(seed):
    rng = random.Random(seed)
    parts = [rng.choice(PIECES) + rng.choice(BREAKS) for _ in range(rng.randint(1, 25))]
    text = ("  " if seed % 3 == 0 else "") + "".join(parts)
    if not text.strip():
        text = "The road was closed."
    language = rng.choice(["en", "en-GB", "fr", "xx-unknown"])
    source = Source(id="gen", party="Generated", text=text, language=language)
    assert_exact(source, split_passages(source))


def test_hypothesis_offsets():
    import hypothesis
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=150, deadline=None)
    @hypothesis.given(st.lists(st.sampled_from(PIECES + BREAKS) | st.text(max_size=30), max_size=20))
    def check(parts):
        text = "".join(parts)
        if not text.strip():
            return
        source = Source(id="h", party="H", text=text)
        assert_exact(source, split_passages(source))

    check()


# --- sentence boundaries --------------------------------------------------


def test_abbreviations_do_not_end_sentences():
    assert texts_of(
        "Dr. Smith arrived at the scene at noon. He said the U.S. embassy had been told. "
        "Everyone then left the area quickly."
    ) == [
        "Dr. Smith arrived at the scene at noon.",
        "He said the U.S. embassy had been told.",
        "Everyone then left the area quickly.",
    ]


def test_a_quotation_stays_with_its_sentence():
    assert texts_of(
        'The minister said: "The road is open. Nobody is stopping the trucks." '
        "Reporters at the checkpoint disagreed with this claim."
    ) == [
        'The minister said: "The road is open. Nobody is stopping the trucks."',
        "Reporters at the checkpoint disagreed with this claim.",
    ]


@pytest.mark.parametrize("marker", ["-", "*", "+", "\u2022", "1.", "2)"])
def test_each_list_item_is_its_own_passage(marker):
    text = (
        "The statement listed three demands:\n"
        f"{marker} Open the road to all civilian traffic\n"
        f"{marker} Let the ICRC convoys pass freely\n"
        f"{marker} Release the detained drivers at once\n"
    )
    assert texts_of(text) == [
        "The statement listed three demands:",
        "Open the road to all civilian traffic",
        "Let the ICRC convoys pass freely",
        "Release the detained drivers at once",
    ]


def test_reference_numbers_and_dates_are_not_split():
    assert texts_of(
        "Press release No:596/22 was issued by the ministry. "
        "The Trilateral Statement of 10 November 2020 was signed by three leaders."
    ) == [
        "Press release No:596/22 was issued by the ministry.",
        "The Trilateral Statement of 10 November 2020 was signed by three leaders.",
    ]


def test_short_heading_joins_the_next_sentence():
    text = "## Road closure\n\nThe road was closed on Monday by protesters.\n\nNo food arrived after that day."
    passages = texts_of(text)
    assert passages == [
        "Road closure\n\nThe road was closed on Monday by protesters.",
        "No food arrived after that day.",
    ]


def test_short_fragment_at_the_end_joins_the_previous_passage():
    assert texts_of("The road was closed on Monday by protesters.\n\nThank you.") == [
        "The road was closed on Monday by protesters.\n\nThank you."
    ]


def test_a_text_shorter_than_a_passage_is_one_passage():
    assert texts_of("Road closed.") == ["Road closed."]


def test_passage_texts_are_the_texts_a_source_is_split_into():
    text = ("Police closed the road on Monday.\n\n- Two lanes of the bridge reopened at noon.\n"
            "- One lane stays shut until Friday, they said.")
    assert passage_texts(text, "Police") == texts_of(text) and len(texts_of(text)) == 3


def test_crlf_text_keeps_exact_offsets():
    text = (
        "I was waiting at the bus stop outside the bakery.\r\n\r\n"
        "It was about quarter past eight. It was a wet, rainy morning.\r\n"
        "- The lights were green for the red car\r\n"
        "- The red car was doing about 30 km/h\r\n"
    )
    source = Source(id="pedestrian", party="Pedestrian", text=text)
    passages = split_passages(source)
    assert_exact(source, passages)
    assert [p.text for p in passages] == [
        "I was waiting at the bus stop outside the bakery.",
        "It was about quarter past eight.",
        "It was a wet, rainy morning.",
        "The lights were green for the red car",
        "The red car was doing about 30 km/h",
    ]
    assert all("\r" not in p.text and "\n" not in p.text for p in passages)


def test_passages_carry_the_source_language():
    source = Source(id="ru", party="Russia", text="Дорога была закрыта в понедельник. Грузовики не проехали к городу.", language="ru")
    passages = split_passages(source)
    assert_exact(source, passages)
    assert len(passages) == 2
    assert {p.language for p in passages} == {"ru"}


# --- windows: a passage longer than the model reads ------------------------------------------------

#: 600 words of a transcript without one sentence end; the last words are the ones to find.
TRANSCRIPT = " ".join(
    ["and then the trucks came up the road from the quarry"] * 54 + ["before the gate at Mill Street closed for good"]
)


def windows_of(text: str, max_pieces: int, pieces=None) -> tuple[Source, list]:
    source = Source(id="t", party="Transcript", text=text)
    passages = split_passages(source, max_pieces=max_pieces, pieces=pieces)
    for i, p in enumerate(passages):
        assert source.text[p.start : p.end] == p.text and p.text == p.text.strip()
        assert p.index == i and p.id == f"t:{i}"
    return source, passages


def test_a_long_passage_without_sentence_ends_becomes_overlapping_windows(embedder):
    assert len(TRANSCRIPT.split()) == 603
    assert len(split_passages(Source(id="t", party="T", text=TRANSCRIPT))) == 1  # one passage, as before
    source, passages = windows_of(TRANSCRIPT, embedder.reads, embedder.piece_spans)
    assert embedder.reads == 254  # all-MiniLM-L6-v2 reads 256 pieces, two of them [CLS] and [SEP]
    assert len(passages) >= 3
    assert [p.window for p in passages] == [(k, len(passages)) for k in range(1, len(passages) + 1)]
    assert all(len(embedder.piece_spans([p.text])[0]) <= embedder.reads for p in passages)
    assert passages[0].start == 0 and passages[-1].end == len(TRANSCRIPT)  # the last words are read
    assert "Mill Street closed for good" in passages[-1].text
    for before, after in zip(passages, passages[1:]):
        assert after.start < before.end, "windows overlap"
        assert after.start - before.start >= 40  # each moves on
        # each window ends and starts at a word boundary
        assert TRANSCRIPT[before.end : before.end + 1] == " " and TRANSCRIPT[after.start - 1] == " "


def test_a_window_ends_at_a_clause_when_it_can():
    text = ", ".join(f"the {n}th truck came up the road from the quarry" for n in range(1, 61))
    _, passages = windows_of(text, 120)
    assert len(passages) > 3
    for before, after in zip(passages, passages[1:]):
        assert before.text.endswith(",") and text[after.start - 2 : after.start] == ", "
        # the clause that the end of one window cuts is whole in the next
        cut = text.rfind(", ", 0, before.end + 2)
        assert after.start <= text.rfind(", ", 0, cut) + 2


def test_one_huge_word_and_a_run_of_digits_are_cut_too():
    word = "X" + "a" * 5000 + "b"
    for text in (f"Lachin {word} corridor was closed on that day by them", "1" * 3000 + " people were counted"):
        _, passages = windows_of(text, 50)
        assert passages[0].start == 0 and passages[-1].end == len(text)
        assert all(len(p) <= 50 for p in estimate_pieces([p.text for p in passages]))
        assert len(passages) < 4 * len(text) // 50 + 2  # linear in the length


def test_short_passages_are_not_windows():
    source = LACHIN_SOURCE
    assert split_passages(source, max_pieces=254) == split_passages(source)


LACHIN_SOURCE = load_event([LACHIN]).sources[0]

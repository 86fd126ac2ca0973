"""Property-based tests (hypothesis) of everything that reads what a user gives: the reader, the
front matter, the splitter and the checks, on arbitrary Unicode, control characters, long tokens
and long runs of digits.

The properties: nothing raises but the documented :class:`InputError`; passage offsets always
index the original text; every span the checks quote indexes the original texts. The examples
are derandomized (the same ones on every run, no example database), so CI is reproducible; the
whole file runs in well under a minute. Speed on 1 MB inputs of these shapes is measured by
``benchmarks/checks_speed.py``, not here.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compare import checks
from compare.documents import decode_text, load_event, read_source, source_from_html, source_from_text
from compare.errors import InputError
from compare.passages import estimate_pieces, split_passages
from compare.records import Passage, Source

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Characters that broke, or could break, something before: NUL, a lone surrogate, bidirectional
#: controls, line ends of three systems, the front-matter fence, YAML's syntax, digits and separators.
HOSTILE = ["\x00", "\ud800", "\u202e", "\u2066", "\r", "\n", "\r\n", "\t", "\x0b", "\x1b", "\ufeff", "\u200b",
           "---\n", "...\n", ": ", "&a ", "*a", "!!binary ", "!!python/object ", "[", "{", "- ", "#", "\\",
           "<p>", "</div>", "<script>", "0", "9", ".", ",", ";", "\u2014", " ", "'s ", "n't "]
WORDS = ["not", "never", "blocked", "open", "closed", "Lachin", "road", "corridor", "Armenian", "Azerbaijani",
         "forces", "shelled", "positions", "276", "persons", "people", "12", "December", "2022", "13:45", "Monday",
         "per cent", "9%", "Mill", "Street", "Road", "said", "the", "on", "of", "не", "дорога", "Лачин", "ճանապարհ",
         "yol", "bağlandı", "中文", "😀"]


@st.composite
def long_runs(draw) -> str:
    """One long word, a long run of digits, or a long run of one punctuation mark."""
    char = draw(st.sampled_from(["a", "X", "9", "0", "é", ".", ",", "-", " ", "\u0301", "ж"]))
    return char * draw(st.integers(min_value=100, max_value=3000))


#: Arbitrary text, with the hostile characters, the checks' words and long runs mixed in.
TEXT = st.lists(
    st.text(st.characters(codec=None), max_size=40) | st.sampled_from(HOSTILE) | st.sampled_from(WORDS) | long_runs(),
    max_size=40,
).map("".join)
#: The same, without what cannot reach a source's text (a decoded file has no surrogate).
BODY = TEXT.map(lambda t: t.replace("\ud800", "")).filter(lambda t: t.strip())
LANGUAGES = st.sampled_from(["en", "ru", "hy", "az", "fr", "en-GB", "xx"])


def assert_passages_exact(source: Source, passages: list[Passage]) -> None:
    for i, p in enumerate(passages):
        assert source.text[p.start : p.end] == p.text and p.text.strip() == p.text and p.text
        assert p.index == i and p.id == f"{source.id}:{i}"


# --- the reader and the front matter ------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=3000) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_decoding_any_bytes_gives_text_or_an_input_error(raw: bytes) -> None:
    try:
        text = decode_text(raw, "x.md")
    except InputError as err:
        assert str(err).startswith("x.md: ") and "\n" not in str(err)
        return
    assert "\x00" not in text and raw.decode("utf-8").removeprefix("\ufeff") == text


@FUZZ
@given(TEXT, st.sampled_from(["", "---\n", "---\nparty: A\n", "---\nparty: A\ndate: "]),
       st.sampled_from(["", "\n---\n", "\n...\n"]))
def test_any_text_with_any_front_matter_is_a_source_or_an_input_error(body: str, head: str, fence: str) -> None:
    text = head + body + fence + body
    try:
        source = source_from_text(text, path="x.md", default_party="x")
    except InputError as err:
        assert str(err).startswith("x.md: ") and "\n" not in str(err)
        return
    assert source.text and source.party.strip() == source.party
    assert source.text in re.sub("\r(?!\n)", "\n", text)  # the body as written, a lone CR read as a LF
    assert "\x00" not in source.text


@FUZZ
@given(st.lists(st.binary(max_size=400) | BODY.map(str.encode), min_size=2, max_size=3),
       st.sampled_from([".md", ".txt", ".html"]))
def test_loading_files_of_any_bytes_gives_an_event_or_an_input_error(contents: list[bytes], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for i, raw in enumerate(contents):
            Path(folder, f"s{i}{suffix}").write_bytes(raw)
        try:
            event = load_event(folder)
        except InputError as err:
            assert "\n" not in str(err)
            return
        for source in event.sources:
            assert source.text and source.id


@settings(FUZZ, max_examples=40)
@given(TEXT)
def test_any_html_is_a_source_or_an_input_error(text: str) -> None:
    for html in (text, f"<html><body><article><p>{text}</p><p>{text}</p></article></body></html>"):
        try:
            source_from_html(html, "page.html")
        except InputError as err:
            assert str(err).startswith("page.html: ")


def test_a_file_read_as_a_source_is_what_the_splitter_indexes(tmp_path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\r\nparty: A\r\n---\r\nOne line.\rTwo lines\r\n\r\nthree \x1b[31m" + b"9" * 500)
    source = read_source(path)
    assert_passages_exact(source, split_passages(source))


# --- the splitter ----------------------------------------------------------------------------------


@FUZZ
@given(BODY, LANGUAGES, st.sampled_from([None, 8, 50, 254]))
def test_passage_offsets_always_index_the_original(text: str, language: str, max_pieces: int | None) -> None:
    source = Source(id="s", party="S", text=text, language=language)
    passages = split_passages(source, max_pieces=max_pieces)
    assert_passages_exact(source, passages)
    if max_pieces is not None:  # windows: every one fits, and the last words are read
        assert all(len(p) <= max_pieces for p in estimate_pieces([p.text for p in passages]))
        if passages:
            last = max(p.end for p in passages)
            assert not text[last:].strip() or not estimate_pieces([text[last:]])[0]


@settings(FUZZ, max_examples=60)
@given(BODY, st.sampled_from([8, 40]))
def test_windows_by_the_model_tokenizer_index_the_original_and_fit(embedder, text: str, max_pieces: int) -> None:
    source = Source(id="s", party="S", text=text)
    passages = split_passages(source, max_pieces=max_pieces, pieces=embedder.piece_spans)
    assert_passages_exact(source, passages)
    assert all(len(p) <= max_pieces for p in embedder.piece_spans([p.text for p in passages]))


# --- the checks ------------------------------------------------------------------------------------


def _passage(text: str, prefix: str, language: str, pid: str) -> tuple[str, Passage]:
    whole = prefix + text
    return whole, Passage(id=pid, source_id=pid.split(":")[0], index=0, start=len(prefix), end=len(whole),
                          text=text, language=language)


@FUZZ
@given(BODY, BODY, LANGUAGES, LANGUAGES, st.text(max_size=20))
def test_the_checks_on_any_pair_quote_spans_of_the_originals(left: str, right: str, lang_l: str, lang_r: str,
                                                             prefix: str) -> None:
    text_l, a = _passage(left, prefix, lang_l, "a:0")
    text_r, b = _passage(right, "", lang_r, "b:0")
    facts_a, facts_b = checks.analyse(a), checks.analyse(b)
    for found in (checks.find_discrepancies(a, facts_a, b, facts_b), checks.find_discrepancies(b, facts_b, a, facts_a)):
        for d in found:
            texts = {"a:0": text_l, "b:0": text_r}
            assert texts[d.left_passage][d.left_start : d.left_end] == d.left
            assert texts[d.right_passage][d.right_start : d.right_end] == d.right
    for facts, passage in ((facts_a, a), (facts_b, b)):
        for span in (*facts.dates, *facts.times, *facts.weekdays, *facts.quantities, *facts.tokens):
            assert passage.text[span.start : span.end] == span.text


@settings(FUZZ, max_examples=20)
@given(st.sampled_from(["Lachin {w} corridor", "the {w} Street junction", "{w} forces shelled {w} positions"]),
       st.integers(min_value=65, max_value=4000), st.sampled_from(["a", "9", "é"]))
def test_a_huge_word_in_a_name_is_compared_at_once(template: str, length: int, letter: str) -> None:
    word = "X" + letter * length
    _, a = _passage(template.format(w=word), "", "en", "a:0")
    _, b = _passage(template.format(w=word[:-1] + "b"), "", "en", "b:0")
    found = checks.find_discrepancies(a, checks.analyse(a), b, checks.analyse(b))
    assert all(d.left and d.right for d in found)


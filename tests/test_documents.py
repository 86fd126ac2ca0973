"""Reading sources: every bad input is one clear line and exit status 2; good input parses."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compare.documents import load_event, read_regular_file, read_source
from compare.errors import InputError

BLUE = """---
party: Driver of the blue van
---

The van stopped at the line before it pulled out.
"""
RED = """---
party: Driver of the red car
---

The van did not stop at the line.
"""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def body(party: str, extra: str = "") -> str:
    return f"---\nparty: {party}\n{extra}---\n\nThe red car hit the side of the van at the junction.\n"


# (case id, files to write, which of them to pass (None = the folder), the file the
# message must name, words of the problem the message must contain)
BAD_INPUTS = [
    ("empty file", {"blue.md": BLUE, "red.md": ""}, ["blue.md", "red.md"], "red.md", "empty"),
    ("whitespace only", {"blue.md": BLUE, "red.md": "  \n\n\t \r\n"}, ["blue.md", "red.md"], "red.md", "only whitespace"),
    ("undecodable bytes", {"blue.md": BLUE, "cafe.md": b"The caf\xe9 on the corner was open.\n"},
     ["blue.md", "cafe.md"], "cafe.md", "not valid UTF-8"),
    ("binary file named .txt", {"blue.md": BLUE, "photo.txt": PNG}, ["blue.md", "photo.txt"], "photo.txt", "binary"),
    ("unclosed front matter", {"blue.md": BLUE, "red.md": "---\nparty: Driver of the red car\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "never closed"),
    ("invalid YAML", {"blue.md": BLUE, "red.md": "---\nparty: [unclosed\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "not valid YAML"),
    ("unknown key", {"blue.md": BLUE, "red.md": "---\npartyy: X\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "did you mean 'party'"),
    ("same party twice", {"blue.md": BLUE, "blue-again.md": body("Driver of the blue van")},
     ["blue.md", "blue-again.md"], "blue-again.md", "two sources have the party"),
    ("same party, other case", {"blue.md": BLUE, "blue-again.md": body("DRIVER OF THE BLUE VAN")},
     ["blue.md", "blue-again.md"], "blue-again.md", "two sources have the party"),
    ("folder with one source", {"blue.md": BLUE}, None, "event", "at least two sources"),
    ("folder without sources", {"notes.yaml": "a: 1\n", "lesson.md": "# Lesson\n"}, None, "event", "at least two sources"),
    ("one file", {"blue.md": BLUE}, ["blue.md"], "blue.md", "at least two sources"),
    ("missing path", {"blue.md": BLUE}, ["blue.md", "gone.md"], "gone.md", "no such file"),
    ("bad date", {"blue.md": BLUE, "red.md": body("Driver of the red car", "date: 14/03/2026\n")},
     ["blue.md", "red.md"], "red.md", "not an ISO 8601 date"),
    ("impossible date", {"blue.md": BLUE, "red.md": body("Driver of the red car", "date: 2026-02-30\n")},
     ["blue.md", "red.md"], "red.md", "impossible date"),
    ("bad provenance", {"blue.md": BLUE, "red.md": body("Driver of the red car", "provenance: hearsay\n")},
     ["blue.md", "red.md"], "red.md", "'original' or 'paraphrase'"),
    ("bad language", {"blue.md": BLUE, "red.md": body("Driver of the red car", "language: English!\n")},
     ["blue.md", "red.md"], "red.md", "BCP 47"),
    ("front matter without party", {"blue.md": BLUE, "red.md": "---\ntitle: My account\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "no 'party'"),
    ("list as a value", {"blue.md": BLUE, "red.md": body("Driver of the red car", "speaker: [me, you]\n")},
     ["blue.md", "red.md"], "red.md", "single value"),
    ("bad event.yaml", {"blue.md": BLUE, "red.md": RED, "event.yaml": "title: Crash\nwhen: today\n"},
     None, "event.yaml", "unknown key 'when'"),
    ("impossible date in event.yaml", {"blue.md": BLUE, "red.md": RED, "event.yaml": "date: 2026-02-30\n"},
     None, "event.yaml", "impossible date"),
    ("folder among files", {"blue.md": BLUE, "sub/red.md": RED}, ["blue.md", "sub"], "sub", "is a folder"),
]


def alias_chain(levels: int) -> str:
    """A "billion laughs" list: each level holds ten aliases of the one before (10**levels words)."""
    rows = ["  - &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    rows += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, levels)]
    return "".join(rows)


def red_with(front_matter: str) -> dict[str, str]:
    return {"blue.md": BLUE, "red.md": f"---\nparty: Driver of the red car\n{front_matter}---\n\nThe van did not stop.\n"}


# Front matter is read with limits: no anchors or aliases (an alias chain grows without bound),
# no duplicate keys, scalar values only (checked before anything is turned into text), a size cap.
BAD_INPUTS += [
    ("alias chain in date", red_with("date:\n" + alias_chain(6)), ["blue.md", "red.md"], "red.md", "alias"),
    ("alias chain in language", red_with("language:\n" + alias_chain(6)), ["blue.md", "red.md"], "red.md", "alias"),
    ("alias chain in provenance", red_with("provenance:\n" + alias_chain(6)), ["blue.md", "red.md"], "red.md", "alias"),
    ("alias to another key", red_with("title: &t Crash\nspeaker: *t\n"), ["blue.md", "red.md"], "red.md", "alias"),
    ("nested 5,000 deep", red_with("speaker: " + "[" * 5000 + "]" * 5000 + "\n"),
     ["blue.md", "red.md"], "red.md", "nested"),
    ("duplicate key", red_with("date: 2022-12-12\ndate: 2022-12-13\n"), ["blue.md", "red.md"], "red.md",
     "duplicate key 'date'"),
    ("duplicate party", {"blue.md": BLUE, "red.md": "---\nparty: A\nparty: B\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "duplicate key 'party'"),
    ("binary value", red_with("title: !!binary aGVsbG8=\n"), ["blue.md", "red.md"], "red.md", "'title' must be"),
    ("set value", red_with("speaker: !!set {a, b}\n"), ["blue.md", "red.md"], "red.md", "'speaker' must be"),
    ("mapping as a date", red_with("date: {year: 2022}\n"), ["blue.md", "red.md"], "red.md", "'date' must be"),
    ("list as a language", red_with("language: [en, ru]\n"), ["blue.md", "red.md"], "red.md", "'language' must be"),
    ("front matter over 64 KB", red_with(f"title: {'x' * 70_000}\n"), ["blue.md", "red.md"], "red.md", "64 KB"),
    ("alias in event.yaml", {"blue.md": BLUE, "red.md": RED, "event.yaml": "title: &t Crash\nsummary: *t\n"},
     None, "event.yaml", "alias"),
    ("duplicate key in event.yaml", {"blue.md": BLUE, "red.md": RED, "event.yaml": "title: A\ntitle: B\n"},
     None, "event.yaml", "duplicate key 'title'"),
]

# Files the system cannot read as text, and party names that cannot be shown as written.
BAD_INPUTS += [
    ("event.yaml that is a folder", {"blue.md": BLUE, "red.md": RED, "event.yaml/notes.txt": "x"},
     None, "event.yaml", "not a regular file"),
    ("NUL byte after the first 8 KB", {"blue.md": BLUE, "red.md": RED + "The van did not stop. " * 500 + "\x00\n"},
     ["blue.md", "red.md"], "red.md", "NUL byte"),
    ("lone surrogate in a party", {"blue.md": BLUE, "red.md": '---\nparty: "Red \\ud800"\n---\n\nThe van did not stop.\n'},
     ["blue.md", "red.md"], "red.md", "surrogate"),
    ("lone surrogate from a file name", {"blue.md": BLUE, "red \udcff.txt": "The van did not stop at the line.\n"},
     None, "red", "surrogate"),
    ("right-to-left override in a party", {"blue.md": BLUE, "red.md": "---\nparty: Red \u202eder\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "U+202E"),
    ("bidi isolate in a party", {"blue.md": BLUE, "red.md": "---\nparty: Red \u2067x\u2069\n---\n\nThe van did not stop.\n"},
     ["blue.md", "red.md"], "red.md", "U+2067"),
]

@pytest.mark.parametrize(
    ("files", "given", "named", "problem"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUTS],
)
def test_bad_input_is_one_line_and_exit_2(run_cli, write_files, tmp_path, files, given, named, problem):
    folder = write_files(files)
    paths = [folder] if given is None else [folder / name for name in given]
    out = tmp_path / "report.html"

    code, stdout, stderr = run_cli("report", *paths, "--out", out)

    assert code == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("narrative-compare: error: ")
    assert named in lines[0]
    assert problem in lines[0]
    assert "Traceback" not in stderr
    assert not out.exists()
    assert list(tmp_path.glob("*report*")) == []  # no temporary file left either


def test_bad_input_from_the_console_script(write_files, tmp_path):
    """The installed command behaves the same: one line, status 2, nothing written."""
    folder = write_files({"blue.md": BLUE, "red.md": "---\npartyy: Driver of the red car\n---\n\nThe van did not stop.\n"})
    out = tmp_path / "report.html"
    script = shutil.which("narrative-compare", path=str(Path(sys.executable).parent)) or "narrative-compare"

    done = subprocess.run(
        [script, "report", str(folder), "--out", str(out)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"narrative-compare: error: {folder / 'red.md'}: unknown key 'partyy' (did you mean 'party'?)"
    ]
    assert not out.exists()


def test_threshold_out_of_range_is_refused(run_cli, write_files):
    folder = write_files({"blue.md": BLUE, "red.md": RED})
    code, _, stderr = run_cli("report", folder, "--agree-threshold", "1.5")
    assert code == 2
    assert stderr.strip() == "narrative-compare: error: --agree-threshold must be between 0 and 1, not 1.5"


# --- good input -----------------------------------------------------------


def test_front_matter_fields_are_parsed(write_files):
    folder = write_files({
        "azerbaijan.md": (
            "---\n"
            "party: Azerbaijan MFA\n"
            'title: "No:596/22, Commentary of the Press Service Department"\n'
            "speaker: Press Service Department\n"
            "date: 2022-12-21\n"
            "url: https://mfa.gov.az/en/news/no59622\n"
            "language: en\n"
            "provenance: Original\n"
            "---\n"
            "\n"
            "On December 20, 2022, UN Security Council held discussions on the situation.\n"
        ),
        "armenia.md": "---\nparty: Armenia MFA\ndate: 20221213\n---\nThe Lachin corridor has been blocked since 12 December.\n",
        "eu.md": "---\nparty: European Union\ndate: '2022-12-13T09:30:00'\n---\nThe EU calls for free movement along the corridor.\n",
    })
    event = load_event([folder])
    by_party = {s.party: s for s in event.sources}

    az = by_party["Azerbaijan MFA"]
    assert az.title == "No:596/22, Commentary of the Press Service Department"
    assert az.speaker == "Press Service Department"
    assert az.date == "2022-12-21"
    assert az.url == "https://mfa.gov.az/en/news/no59622"
    assert az.language == "en"
    assert az.provenance == "original"
    assert az.format == "markdown"
    # The body starts right after the closing fence, untouched (offsets index it).
    assert az.text == "\nOn December 20, 2022, UN Security Council held discussions on the situation.\n"
    assert by_party["Armenia MFA"].date == "2022-12-13"  # the basic ISO form, normalised
    assert by_party["European Union"].date == "2022-12-13T09:30:00"
    assert by_party["European Union"].provenance is None


def test_text_file_without_front_matter_is_named_after_its_file(write_files):
    folder = write_files({
        "Cyclist witness.txt": "The collision was at the Mill Street junction.\n",
        "pedestrian.txt": "The collision happened at the Mill Street junction.\n",
    })
    event = load_event([folder])
    assert [s.party for s in event.sources] == ["Cyclist witness", "pedestrian"]
    assert [s.id for s in event.sources] == ["cyclist-witness", "pedestrian"]
    assert event.sources[0].text == "The collision was at the Mill Street junction.\n"
    assert event.sources[0].format == "text"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Statement on the Lachin corridor</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News archive</a></li>
<li><a href="/contact">Contact the press office</a></li></ul></nav>
<article>
<h1>Statement on the Lachin corridor</h1>
<p>The ministry is deeply concerned about the closure of the Lachin corridor since 12 December.</p>
<p>More than 120,000 residents have been cut off from food and medicine supplies for several days.</p>
<p>We call on all sides to restore free and safe movement along the corridor without delay.</p>
</article>
<footer><p>Copyright 2022 Ministry of Foreign Affairs. All rights reserved. Subscribe to our newsletter.</p></footer>
</body></html>
"""


def test_html_page_gives_its_main_text_without_boilerplate(write_files):
    folder = write_files({"ministry.html": PAGE})
    source = read_source(folder / "ministry.html")

    assert source.party == "ministry"
    assert source.format == "html"
    assert source.title == "Statement on the Lachin corridor"
    assert "closure of the Lachin corridor since 12 December" in source.text
    assert "More than 120,000 residents have been cut off" in source.text
    assert "restore free and safe movement" in source.text
    for boilerplate in ("News archive", "Contact the press office", "All rights reserved", "newsletter"):
        assert boilerplate not in source.text


def test_html_page_without_main_text_is_refused(write_files, run_cli):
    page = "<html><head><title>Loading</title></head><body><script>render()</script></body></html>"
    folder = write_files({"blue.md": BLUE, "empty.html": page})
    code, _, stderr = run_cli("report", folder)
    assert code == 2
    assert "empty.html: no main text could be extracted" in stderr


def nested_page(depth: int) -> str:
    """A page whose statement sits inside ``depth`` wrappers, as component-built pages nest."""
    return ("<html><head><title>Statement</title></head><body>" + "<div>" * depth
            + "<p>The Lachin corridor has been closed to all traffic since 12 December, the ministry said.</p>"
            + "</div>" * depth + "</body></html>")


def test_a_page_nested_hundreds_deep_is_read(write_files):
    folder = write_files({"deep.html": nested_page(600)})  # libxml2 stops at 256 by default
    assert "closed to all traffic since 12 December" in read_source(folder / "deep.html").text


def test_a_page_nested_deeper_than_the_reader_goes_says_so(write_files, run_cli):
    folder = write_files({"blue.md": BLUE, "deep.html": nested_page(5000)})
    code, _, stderr = run_cli("report", folder)
    assert code == 2 and stderr.splitlines() == [
        f"narrative-compare: error: {folder / 'deep.html'}: its elements nest more than 2,047 deep, deeper than "
        "the HTML reader follows, so no main text could be extracted"]


def test_event_yaml_and_reserved_files(write_files):
    folder = write_files({
        "event.yaml": "title: Collision at the junction\ndate: 2026-03-14\nsummary: A van and a car collide.\n",
        "README.md": "# Notes for teachers\n\nThis folder holds an invented event.\n",
        "lesson.md": "## 1. The incident\n\nA van and a car collide.\n",
        "answers.yaml": "event: junction\nanswers: []\n",
        ".hidden.md": "---\nparty: Hidden\n---\nNot a source at all, it is hidden.\n",
        "blue.md": BLUE,
        "red.md": RED,
    })
    event = load_event([folder])

    assert event.title == "Collision at the junction"
    assert event.date == "2026-03-14"
    assert event.summary == "A van and a car collide."
    assert event.path == str(folder)
    assert [s.party for s in event.sources] == ["Driver of the blue van", "Driver of the red car"]


def test_sources_are_sorted_by_party_whatever_the_argument_order(write_files):
    folder = write_files({
        "zulu.md": body("zulu observers"),
        "alpha.md": body("Alpha Agency"),
        "mike.md": body("Mike"),
    })
    files = [folder / "zulu.md", folder / "alpha.md", folder / "mike.md"]

    orders = [
        [s.party for s in load_event(paths).sources]
        for paths in (files, files[::-1], files[1:] + files[:1])
    ]

    assert orders[0] == ["Alpha Agency", "Mike", "zulu observers"]
    assert orders[0] == orders[1] == orders[2]


def test_ids_are_unique_and_independent_of_order(write_files):
    """Parties whose slugs clash get a hash suffix, not a running number."""
    folder = write_files({"a.md": body("U.S."), "b.md": body("U S"), "c.md": body("France")})
    files = sorted(folder.iterdir())
    ids = [sorted(s.id for s in load_event(paths).sources) for paths in (files, files[::-1])]
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == 3
    assert "france" in ids[0]


def test_crlf_front_matter_and_byte_order_mark(write_files):
    folder = write_files({
        "blue.md": "\ufeff---\r\nparty: Blue\r\ndate: 2026-03-14\r\n---\r\nThe van stopped at the line.\r\n",
        "red.md": RED,
    })
    blue = load_event([folder]).sources[0]
    assert blue.party == "Blue"
    assert blue.date == "2026-03-14"
    assert blue.text == "The van stopped at the line.\r\n"


def test_one_path_given_as_a_string_or_a_path_is_one_event_folder(write_files):
    folder = write_files({"a.md": "---\nparty: A\n---\nThe bridge reopened on Monday after repairs.\n",
                          "b.md": "---\nparty: B\n---\nThe bridge stayed closed on Monday for repairs.\n"})
    expected = [s.party for s in load_event([folder]).sources]
    assert [s.party for s in load_event(folder).sources] == expected == ["A", "B"]
    assert [s.party for s in load_event(str(folder)).sources] == expected


def test_old_mac_line_endings_keep_their_front_matter(write_files):
    """A file with CR-only line endings (old Mac) has its front matter read; each lone CR is read
    as a line break (one character for one, so offsets into the file stay where they were)."""
    folder = write_files({
        "blue.md": "---\rparty: Blue\rdate: 2026-03-14\r---\rThe van stopped at the line.\r\rIt was raining hard at the time.\r",
        "red.md": RED,
    })
    blue = next(s for s in load_event([folder]).sources if s.party == "Blue")
    assert blue.date == "2026-03-14"
    assert blue.text == "The van stopped at the line.\n\nIt was raining hard at the time.\n"

    from compare.passages import split_passages

    passages = split_passages(blue)
    assert [p.text for p in passages] == ["The van stopped at the line.", "It was raining hard at the time."]
    assert all(blue.text[p.start : p.end] == p.text for p in passages)


# --- files the system will not read ----------------------------------------


def test_an_unreadable_source_is_one_line(run_cli, write_files, tmp_path, monkeypatch):
    """A PermissionError (simulated: the tests run as root, who may read anything) is one line, status 2."""
    folder = write_files({"blue.md": BLUE, "red.md": RED})
    locked = str(folder / "red.md")
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    code, stdout, stderr = run_cli("report", folder / "blue.md", locked, "--out", tmp_path / "r.html")
    assert code == 2 and stdout == ""
    assert stderr.splitlines() == [f"narrative-compare: error: {locked}: cannot be read: Permission denied"]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("where", ["cache-file", "cache-file/below"])
def test_a_cache_dir_that_is_a_file_is_one_line(run_cli, write_files, tmp_path, where):
    folder = write_files({"blue.md": BLUE, "red.md": RED})
    (tmp_path / "cache-file").write_text("not a folder\n")
    code, stdout, stderr = run_cli("report", folder, "--cache-dir", tmp_path / where, "--out", tmp_path / "r.html")
    assert code == 2 and stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert str(tmp_path / "cache-file") in lines[0] and "not a folder" in lines[0]
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_named_as_a_source_is_refused_without_waiting(write_files, tmp_path):
    """Only regular files are read as sources: opening a FIFO would wait for a writer forever."""
    folder = write_files({"blue.md": BLUE})
    fifo = folder / "red.md"
    os.mkfifo(fifo)
    out = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-m", "compare", "report", str(folder / "blue.md"), str(fifo), "--out", str(out)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"narrative-compare: error: {fifo}: is not a regular file"]
    assert not out.exists()


# --- limits: how much input one comparison takes ------------------------------------------------


def _refused(run_cli, out, *args) -> list[str]:
    """``report ARGS --out OUT`` refused: status 2, nothing on stdout, no report; its stderr lines."""
    code, stdout, stderr = run_cli("report", *args, "--out", out)
    assert code == 2 and stdout == "" and not out.exists()
    return stderr.splitlines()


def _written(run_cli, out, cache_dir, *args) -> None:
    """``report ARGS --out OUT`` (rule judge) succeeds and writes its report."""
    code, _, stderr = run_cli("report", *args, "--out", out, "--judge", "rules", "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert out.exists()


def test_a_source_over_the_limit_is_one_line_and_the_option_raises_it(run_cli, write_files, tmp_path, cache_dir):
    folder = write_files({"blue.md": BLUE, "red.md": RED + "The light was red. " * 60})
    size = (folder / "red.md").stat().st_size
    out = tmp_path / "r.json"
    assert _refused(run_cli, out, folder, "--max-source-bytes", "1KB") == [
        f"narrative-compare: error: {folder / 'red.md'}: is {size:,} bytes, over the limit of 1,000 bytes "
        "for a source: raise it with --max-source-bytes (or $NARRATIVE_COMPARE_MAX_SOURCE_BYTES)"]
    _written(run_cli, out, cache_dir, folder, "--max-source-bytes", "2KB")


def test_the_default_limit_refuses_a_large_file_without_reading_it_all(write_files):
    from compare.records import Limits

    folder = write_files({"blue.md": BLUE, "huge.txt": b"word " * (Limits().source_bytes // 5 + 1)})
    with pytest.raises(InputError, match=r"huge.txt: is 1,000,005 bytes, over the limit of 1,000,000 bytes"):
        load_event(folder)
    assert len(read_regular_file(folder / "huge.txt", 1000)) == 1001  # one byte past the limit, not the file


def test_a_page_has_its_own_limit(write_files):
    from compare.records import Limits

    page = b"<html><body><article><p>" + b"The road was open to all traffic. " * 200 + b"</p></article></body></html>"
    folder = write_files({"blue.md": BLUE, "page.html": page})
    with pytest.raises(InputError, match="page.html: is .* bytes, over the limit of 5,000 bytes for an HTML page: "
                                         "raise it with --max-page-bytes"):
        load_event(folder, Limits(page_bytes=5_000))
    assert len(load_event(folder, Limits(source_bytes=100, page_bytes=10_000)).sources) == 2


def test_too_many_sources_is_one_line_and_the_option_raises_it(run_cli, write_files, tmp_path, cache_dir):
    folder = write_files({"blue.md": BLUE, "red.md": RED, "green.md": body("Cyclist")})
    out = tmp_path / "r.json"
    assert _refused(run_cli, out, folder, "--max-sources", "2") == [
        f"narrative-compare: error: {folder}: holds 3 sources, over the limit of 2 sources: raise it with --max-sources "
        "(or $NARRATIVE_COMPARE_MAX_SOURCES)"]
    files = [folder / n for n in ("blue.md", "red.md", "green.md")]
    assert _refused(run_cli, out, *files, "--max-sources", "2") == [
        "narrative-compare: error: 3 sources given, over the limit of 2 sources: raise it with --max-sources "
        "(or $NARRATIVE_COMPARE_MAX_SOURCES)"]
    _written(run_cli, out, cache_dir, folder, "--max-sources", "3")


def test_the_default_limit_on_sources_is_checked_before_any_is_read(write_files):
    from compare.records import Limits

    many = Limits().sources + 1
    folder = write_files({f"s{i:03}.md": b"\xff not UTF-8" for i in range(many)})
    with pytest.raises(InputError, match=f"holds {many} sources, over the limit of {many - 1} sources"):
        load_event(folder)


@pytest.mark.parametrize(("option", "value", "problem"), [
    ("--max-source-bytes", "lots", "is not a size such as 2000000, 500KB or 2MB"),
    ("--max-source-bytes", "0", "must be at least 1, not '0'"),
    ("--max-sources", "0", "must be at least 1"),
])
def test_a_bad_limit_option_is_one_line(run_cli, write_files, capsys, option, value, problem):
    folder = write_files({"blue.md": BLUE, "red.md": RED})
    with pytest.raises(SystemExit) as exit_:
        run_cli("report", folder, option, value)
    assert exit_.value.code == 2
    assert problem in capsys.readouterr().err.splitlines()[-1]


def test_the_environment_sets_the_limits_and_an_option_overrides_it(run_cli, write_files, tmp_path, monkeypatch):
    from compare.documents import limits_from_environment
    from compare.records import Limits

    folder = write_files({"blue.md": BLUE, "red.md": RED, "green.md": body("Cyclist")})
    monkeypatch.setenv("NARRATIVE_COMPARE_MAX_SOURCES", "2")
    monkeypatch.setenv("NARRATIVE_COMPARE_MAX_SOURCE_BYTES", "2MB")
    assert limits_from_environment() == Limits(source_bytes=2_000_000, sources=2)
    code, _, stderr = run_cli("report", folder, "--out", tmp_path / "r.json")
    assert code == 2 and "over the limit of 2 sources" in stderr
    code, _, stderr = run_cli("report", folder, "--max-sources", "1", "--out", tmp_path / "r.json")
    assert code == 2 and "over the limit of 1 sources" in stderr  # the option wins over the environment
    monkeypatch.setenv("NARRATIVE_COMPARE_MAX_SOURCES", "many")
    code, _, stderr = run_cli("report", folder, "--out", tmp_path / "r.json")
    assert code == 2 and stderr.splitlines() == [
        "narrative-compare: error: $NARRATIVE_COMPARE_MAX_SOURCES: 'many' is not a size such as 2000000, 500KB or 2MB"]


def test_limit_options_are_for_evaluate_events_only(run_cli, tmp_path):
    code, _, stderr = run_cli("evaluate", "sick", "--data", tmp_path, "--max-sources", "5")
    assert code == 2 and stderr.splitlines() == ["narrative-compare: error: --max-sources is for evaluate events"]


# --- found by tests/test_fuzz.py ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "problem"), [
    ("---\nparty: A \ud800\n---\nThe road was open.\n", "the text holds a lone surrogate (U+D800)"),
    ("The road\x00 was open all week.\n", "the text holds a NUL character (at position 8)"),
])
def test_a_text_given_as_a_string_is_checked_like_a_file(text, problem):
    """The app hands pasted text over as a string: a raw surrogate in its front matter was a
    UnicodeEncodeError, and a NUL reached the report."""
    from compare.documents import source_from_text

    with pytest.raises(InputError, match=re.escape(f"Pasted text 1: {problem}")):
        source_from_text(text, default_party="Pasted text 1")

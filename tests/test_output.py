"""Where `narrative-compare report --out` writes: never damaging what is at the path.

A regular file is replaced atomically; a symbolic link is followed and its target written;
a device, a FIFO or standard output (`--out -`) is written in place; a path that cannot be
written is one line and exit 2, found before any work is done. The tests run as root, so
they compare the device nodes' type and number before and after.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from compare import report

from conftest import TEACHING

DEVICES = Path("/dev")


def _node(path: Path) -> tuple[int, int]:
    st = os.stat(path, follow_symlinks=False)
    return stat.S_IFMT(st.st_mode), st.st_rdev


def _leftovers(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.iterdir() if p.name.endswith(".tmp")]


def _fail_rendering_midway(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every report fail after its third chunk, as a full disk or a bug in a template would."""
    real = report.render_chunks

    def fail_midway(comparison, fmt, json_style=None):
        for n, chunk in enumerate(real(comparison, fmt, json_style)):
            if n == 3:
                raise RuntimeError("rendering failed halfway")
            yield chunk

    monkeypatch.setattr(report, "render_chunks", fail_midway)


def test_a_symbolic_link_is_followed_and_stays_a_link(run_cli, cache_dir, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "reports" / "teaching.json"
    target.write_text("the previous report\n", encoding="utf-8")
    link = tmp_path / "links" / "latest.json"
    link.symlink_to(target)

    code, stdout, stderr = run_cli("report", TEACHING, "--out", link, "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert stdout == ""
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == report.SCHEMA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links", "reports"]
    assert [p.name for p in (tmp_path / "links").iterdir()] == ["latest.json"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["teaching.json"]


def test_dev_null_stays_a_device(run_cli, cache_dir):
    null = DEVICES / "null"
    before = _node(null)
    assert stat.S_ISCHR(before[0])
    code, stdout, stderr = run_cli("report", TEACHING, "--out", null, "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert stdout == ""
    assert _node(null) == before and stat.S_ISCHR(os.stat(null).st_mode)
    assert _leftovers(null.parent) == []


def test_dash_is_standard_output(run_cli, cache_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = run_cli("report", TEACHING, "--out", "-", "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert stdout.startswith("<!DOCTYPE html>") and stdout.rstrip().endswith("</html>")  # no suffix: html
    assert "wrote" not in stderr
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    code, stdout, _ = run_cli("report", TEACHING, "-o", "-", "--format", "json", "--cache-dir", cache_dir)
    assert code == 0 and json.loads(stdout)["schema"] == report.SCHEMA
    assert list(tmp_path.iterdir()) == []


def test_dev_full_is_one_line_and_stays_a_device(run_cli, cache_dir):
    full = DEVICES / "full"
    before = _node(full)
    assert stat.S_ISCHR(before[0])
    code, stdout, stderr = run_cli("report", TEACHING, "--out", full, "--cache-dir", cache_dir)
    assert code == 2
    assert stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and str(full) in lines[0] and "cannot write the report" in lines[0], stderr
    assert _node(full) == before and stat.S_ISCHR(os.stat(full).st_mode)
    assert _leftovers(full.parent) == []


def test_a_fifo_is_written_in_place(run_cli, cache_dir, tmp_path):
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:  # blocks until the command opens the FIFO to write
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code, stdout, stderr = run_cli("report", TEACHING, "--out", fifo, "--format", "json",
                                       "--cache-dir", cache_dir)
        reader.join(timeout=60)
        assert not reader.is_alive(), "nothing was written to the FIFO"
    finally:
        if reader.is_alive():  # unblock the reader so that the thread ends
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK) if stat.S_ISFIFO(os.stat(fifo).st_mode) else None
            if fd is not None:
                os.close(fd)
    assert code == 0, stderr
    assert stat.S_ISFIFO(os.stat(fifo, follow_symlinks=False).st_mode)
    assert json.loads(received[0].decode("utf-8"))["schema"] == report.SCHEMA
    assert [p.name for p in tmp_path.iterdir()] == ["report.pipe"]


def test_a_regular_file_is_replaced_whole_or_not_at_all(run_cli, cache_dir, tmp_path, monkeypatch):
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "teaching.md"
    target.write_text("the previous report\n", encoding="utf-8")
    link = tmp_path / "teaching.md"
    link.symlink_to(target)
    _fail_rendering_midway(monkeypatch)
    for out in (target, link):
        with pytest.raises(RuntimeError, match="halfway"):
            run_cli("report", TEACHING, "--out", out, "--cache-dir", cache_dir)
        assert target.read_text(encoding="utf-8") == "the previous report\n"
        assert _leftovers(tmp_path, target.parent) == []
        assert link.is_symlink()

    # A write that succeeds replaces the file whole (a new file renamed over it), through the link too.
    monkeypatch.undo()
    old_inode = target.stat().st_ino
    code, _, stderr = run_cli("report", TEACHING, "--out", link, "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert target.stat().st_ino != old_inode
    assert _leftovers(tmp_path, target.parent) == []


def test_an_unwritable_folder_is_refused_before_any_work(run_cli, cache_dir, tmp_path, monkeypatch):
    import compare.cli.engine

    def no_work(*args, **kwargs):
        raise AssertionError("the comparison ran before the output was checked")

    monkeypatch.setattr(compare.cli.engine, "load_and_compare", no_work)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n", encoding="utf-8")
    out = blocker / "teaching.html"
    code, stdout, stderr = run_cli("report", TEACHING, "--out", out, "--cache-dir", cache_dir)
    assert code == 2 and stdout == ""
    lines = stderr.splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "cannot write the report" in lines[0], stderr
    assert blocker.read_text(encoding="utf-8") == "a file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_a_name_ending_in_gz_is_written_compressed_and_replaced_whole(run_cli, cache_dir, tmp_path, monkeypatch):
    import gzip

    plain, packed = tmp_path / "teaching.json", tmp_path / "teaching.json.gz"
    packed.write_bytes(gzip.compress(b"the previous report\n"))
    _fail_rendering_midway(monkeypatch)
    with pytest.raises(RuntimeError, match="halfway"):
        run_cli("report", TEACHING, "--out", packed, "--cache-dir", cache_dir)
    assert gzip.decompress(packed.read_bytes()) == b"the previous report\n"
    assert _leftovers(tmp_path) == []

    monkeypatch.undo()
    for out in (plain, packed):  # the format comes from the suffix under .gz
        code, _, stderr = run_cli("report", TEACHING, "--out", out, "--cache-dir", cache_dir)
        assert code == 0, stderr
    with gzip.open(packed, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["schema"] == report.SCHEMA
    without_timings = [{k: v for k, v in json.loads(text).items() if k != "timings"}
                       for text in (plain.read_text(encoding="utf-8"), gzip.decompress(packed.read_bytes()))]
    assert without_timings[0] == without_timings[1]  # the same report, compressed
    assert packed.read_bytes()[3] & 0x08  # the header names the report (gzip's FNAME flag) ...
    assert b"teaching.json\x00" in packed.read_bytes()[:40]  # ... as teaching.json, not the temporary file
    assert _leftovers(tmp_path) == []


def test_markdown_and_html_compress_too(run_cli, cache_dir, tmp_path):
    import gzip

    for name, start in (("teaching.md.gz", "# "), ("teaching.html.gz", "<!doctype html>")):
        code, _, stderr = run_cli("report", TEACHING, "--out", tmp_path / name, "--cache-dir", cache_dir)
        assert code == 0, stderr
        assert gzip.decompress((tmp_path / name).read_bytes()).decode("utf-8").lower().startswith(start)


def test_a_name_of_another_kind_of_file_is_refused_unless_the_format_is_given(run_cli, cache_dir, tmp_path):
    # An HTML page written to lachin.pdf would open as a broken PDF: say what the names mean instead.
    for name in ("teaching.pdf", "teaching.txt.gz"):
        code, _, stderr = run_cli("report", TEACHING, "--out", tmp_path / name, "--cache-dir", cache_dir)
        assert code == 2, stderr
        assert name in stderr and ".html, .md or .json" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []

    code, _, stderr = run_cli("report", TEACHING, "--out", tmp_path / "teaching.txt", "--format", "md",
                              "--cache-dir", cache_dir)
    assert code == 0, stderr
    assert (tmp_path / "teaching.txt").read_text(encoding="utf-8").startswith("# ")
    code, _, stderr = run_cli("report", TEACHING, "--out", tmp_path / "teaching-2022.v2", "--cache-dir", cache_dir)
    assert code == 0, stderr  # not a kind of file: an HTML report, as with no suffix
    assert (tmp_path / "teaching-2022.v2").read_text(encoding="utf-8").lower().startswith("<!doctype html>")

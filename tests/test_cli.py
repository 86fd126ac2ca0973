"""``python -m compare`` is the ``narrative-compare`` command, every sub-command included."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

from compare.cli import COMMANDS


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compare", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_python_m_compare_lists_every_command():
    done = run_module("--help")
    assert done.returncode == 0
    listed = [line.split()[0] for line in done.stdout.splitlines() if line.startswith("    ") and not line.startswith("     ")]
    assert listed == list(COMMANDS) == ["report", "evaluate", "train-judge", "train-nli", "train-stance", "batch"]


def test_python_m_compare_reports_a_model_that_cannot_load_in_one_line(tmp_path):
    """Before, ``python -m compare.cli`` loaded a second copy of the command: only ``report`` was
    registered, and a model-load error escaped as a traceback."""
    (tmp_path / "a.txt").write_text("---\nparty: A\n---\nThe road was closed on Monday morning.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("---\nparty: B\n---\nThe road stayed open all Monday.\n", encoding="utf-8")
    done = run_module("report", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--judge", "rules",
                      "--model", str(tmp_path / "no-such-model"), "--no-cache")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("narrative-compare: error:") and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_every_sub_command_has_its_help():
    for name in COMMANDS:
        done = run_module(name, "--help")
        assert done.returncode == 0 and f"narrative-compare {name}" in done.stdout, name


def test_the_library_does_not_load_the_command_line():
    code = ("import sys, compare, compare.pipeline, compare.report, compare.explore; "
            "print(sorted(m for m in sys.modules if m.startswith('compare.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

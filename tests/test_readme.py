"""The README's library example runs as written, and shows each source's stance on each claim."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_the_library_example_in_the_readme_runs(cache_dir):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"### The library\n\n```python\n(.*?)```", readme, re.S).group(1)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "NARRATIVE_COMPARE_CACHE": str(cache_dir)})
    assert done.returncode == 0, done.stderr
    stances = re.findall(r"^   \S+ (affirms|denies|reports|silent) ", done.stdout, re.M)
    assert stances and set(stances) >= {"affirms", "silent"}
    assert "# Collision between a blue van and a red car" in done.stdout  # the Markdown report at the end


def test_the_readme_stays_short():
    """Reference detail goes in docs/*.md; the README is what a newcomer reads first."""
    assert (ROOT / "README.md").stat().st_size < 15_000


def test_the_hostile_input_table_names_options_that_exist():
    from compare.records import LIMIT_OPTIONS, LIMIT_VARIABLES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Hostile input", 1)[1].split("\n## ", 1)[0]
    assert table.count("\n| ") >= 9  # the header and a row per kind of input
    assert LIMIT_OPTIONS["source_bytes"] in table
    docs = (ROOT / "docs" / "event-format.md").read_text(encoding="utf-8")
    assert all(option in docs for option in LIMIT_OPTIONS.values())
    assert all(variable in docs for variable in LIMIT_VARIABLES.values())  # how the app is given other limits

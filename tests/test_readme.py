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

"""Model folders made once into the cache: built beside their place and renamed in.

The multilingual conversion and the int8 export both write a model folder
under ``<cache dir>/models/`` on first use. Each is written into a temporary
folder next to its final place and renamed into place in one step, so a crash
(or Ctrl-C) part-way leaves no half-written model that a later run would load,
and two processes building at once both end with one whole folder.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def build_once(target: Path, marker: str, build: Callable[[Path], object], what: str, *, quiet: bool = False) -> Path:
    """``target``, first made by ``build(temporary folder)`` when ``target / marker`` is not there yet.

    ``what`` names the work in the two lines said on stderr ("Converting X from Y").
    """
    if (target / marker).exists():
        return target
    say = (lambda _msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    say(f"{what} (one time) into {target} ...")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        build(tmp)
        try:
            os.rename(tmp, target)
        except OSError:
            # Another process finished first: its folder is as good as ours.
            if not (target / marker).exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    say(f"Done in {time.perf_counter() - started:.1f} s; later runs load {target.name} directly.")
    return target

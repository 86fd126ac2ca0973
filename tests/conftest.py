"""Shared fixtures: the real default model, loaded once, with a per-session cache."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TEACHING = CORPUS / "teaching-junction"
LACHIN = CORPUS / "lachin-road-2022"
SHARED = ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
#: Tests that read the public datasets in ../shared/data (beside the checkout; CI has them) skip
#: without them, and say so.
needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "fnc1").is_dir() or not (SHARED_DATA / "sick").is_dir(),
    reason=f"needs the public datasets in {SHARED_DATA} (../shared/data beside the checkout), which are not here",
)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, so each passage is embedded once."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def ml_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the converted multilingual model (converted once for the run, about 20 s)."""
    from compare.embeddings.multilingual import ensure_model

    cache = tmp_path_factory.mktemp("ml-cache")
    started = time.perf_counter()
    ensure_model(cache, quiet=True)
    print(f"\nconverted multilingual-e5-small in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return cache


@pytest.fixture(scope="session")
def embedder(cache_dir: Path):
    """The packaged default model (offline), shared by the tests."""
    from compare.embeddings import Embedder

    return Embedder(None, cache_dir)


@pytest.fixture(scope="session")
def teaching_prepared(embedder):
    from compare.documents import load_event
    from compare.pipeline import prepare

    return prepare(load_event([TEACHING]), embedder, progress=False)


@pytest.fixture(scope="session")
def lachin_prepared(embedder):
    from compare.documents import load_event
    from compare.pipeline import prepare

    return prepare(load_event([LACHIN]), embedder, progress=False)


@pytest.fixture(scope="session")
def lachin_signals(lachin_prepared):
    """The PairSignals of every judged pair of the Lachin event, as a judge is shown them."""
    from dataclasses import replace

    from compare.bench import RecordingJudge
    from compare.pipeline import compare_prepared

    recorder = RecordingJudge()
    compare_prepared(replace(lachin_prepared, memo={}), judge=recorder, framing=False)
    return recorder.seen


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run ``narrative-compare`` in this process: returns (exit code, stdout, stderr)."""
    from compare.cli import main

    def run(*args: object) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def write_files(tmp_path: Path):
    """Write ``{relative name: text or bytes}`` under a fresh folder and return the folder."""

    def write(files: dict[str, str | bytes], folder: str = "event") -> Path:
        root = tmp_path / folder
        root.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        return root

    return write

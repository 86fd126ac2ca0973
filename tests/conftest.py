"""Shared fixtures: the real default model, loaded once, with a per-session cache."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TEACHING = CORPUS / "teaching-junction"
LACHIN = CORPUS / "lachin-road-2022"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole run, so each passage is embedded once."""
    return tmp_path_factory.mktemp("embedding-cache")


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

"""Encoding runs with the Embedder's number of torch threads (torch's own by default) and puts torch's back."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from compare.embeddings import THREADS_ENV, Embedder, torch_threads
from compare.errors import InputError

TEXTS = ["The road was closed.", "The corridor is open to traffic again.", "Nobody was hurt in the collision."]


def test_torch_threads_puts_the_count_back_even_after_an_error():
    before = torch.get_num_threads()
    try:
        with torch_threads(before + 1):
            assert torch.get_num_threads() == before + 1
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before


def test_the_thread_count_comes_from_the_environment_when_not_given(tmp_path, monkeypatch):
    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert Embedder(None, tmp_path).threads is None  # torch's own choice
    monkeypatch.setenv(THREADS_ENV, "3")
    assert Embedder(None, tmp_path).threads == 3
    assert Embedder(None, tmp_path, threads=1).threads == 1  # an explicit count wins
    monkeypatch.setenv(THREADS_ENV, "two")
    with pytest.raises(InputError, match=THREADS_ENV):
        Embedder(None, tmp_path)


def test_encoding_uses_the_embedders_threads_and_gives_the_same_vectors(tmp_path, embedder, monkeypatch):
    embedder.model  # loaded once for the session
    seen: list[int] = []
    real = type(embedder.model).encode

    def encode(self, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(embedder.model), "encode", encode)
    before = torch.get_num_threads()
    vectors = {}
    for threads in (1, 2, None):
        fresh = Embedder(None, tmp_path / f"cache-{threads}", threads=threads)
        vectors[threads] = fresh.embed(TEXTS, progress=False)
        assert seen[-1] == (threads or before) == fresh.threads_used[-1] and torch.get_num_threads() == before
    np.testing.assert_allclose(vectors[1], vectors[2], atol=1e-6)
    np.testing.assert_allclose(vectors[1], vectors[None], atol=1e-6)

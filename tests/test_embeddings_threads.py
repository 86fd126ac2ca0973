"""Encoding runs with the Embedder's own number of torch threads and puts torch's back."""

from __future__ import annotations

import numpy as np
import torch

from compare.embeddings.threads import fallback_threads
from compare.embeddings import Embedder, torch_threads

TEXTS = ["The road was closed.", "The corridor is open to traffic again.", "Nobody was hurt in the collision."]


def test_without_a_load_reading_encoding_leaves_a_core_free():
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert fallback_threads() == max(1, cores - 1)


def test_torch_threads_puts_the_count_back_even_after_an_error():
    before = torch.get_num_threads()
    try:
        with torch_threads(before + 1):
            assert torch.get_num_threads() == before + 1
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before


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
    for threads in (1, 2):
        fresh = Embedder(None, tmp_path / f"cache-{threads}", threads=threads)
        vectors[threads] = fresh.embed(TEXTS, progress=False)
        assert seen[-1] == threads and torch.get_num_threads() == before
    np.testing.assert_allclose(vectors[1], vectors[2], atol=1e-6)

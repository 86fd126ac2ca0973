"""Heavy steps take the cores other programs leave free, and give the same results with any number."""

from __future__ import annotations

import numpy as np
import pytest

from compare.embeddings import threads as cores
from compare.embeddings.threads import CoreWatch


def fake_machine(monkeypatch, usable: int, snapshots: list[tuple[float, float, float] | None]) -> None:
    """(wall seconds, busy CPU seconds of the usable cores, this process's CPU seconds), one per reading."""
    readings = iter(snapshots)
    monkeypatch.setattr(cores, "_snapshot", lambda: next(readings))
    monkeypatch.setattr(cores, "usable_cores", lambda: usable)


@pytest.mark.parametrize(
    ("others_busy", "expected"),
    [(0.0, 2), (0.2, 2), (0.3, 1), (0.9, 1), (1.8, 1)],
)
def test_the_watch_offers_the_cores_others_leave_free(monkeypatch, others_busy, expected):
    # Over one second this process used 0.5 CPU seconds; the machine was busy for that plus the others' share.
    fake_machine(monkeypatch, 2, [(0.0, 10.0, 3.0), (1.0, 10.0 + 0.5 + others_busy, 3.5)])
    watch = CoreWatch()
    assert watch.threads() == expected
    assert watch.chosen == [expected]


def test_this_process_own_work_does_not_count_as_load(monkeypatch):
    # Two cores busy for the whole second, both by this process (two threads): nothing is taken by others.
    fake_machine(monkeypatch, 2, [(0.0, 0.0, 0.0), (1.0, 2.0, 2.0)])
    assert CoreWatch().threads() == 2


def test_without_a_reading_the_watch_keeps_a_core_free(monkeypatch):
    fake_machine(monkeypatch, 4, [None, None])
    assert CoreWatch().threads() == 3
    fake_machine(monkeypatch, 1, [None, None])
    assert CoreWatch().threads() == 1


def test_a_reading_too_short_to_tell_keeps_the_last_choice(monkeypatch):
    fake_machine(monkeypatch, 2, [(0.0, 0.0, 0.0), (1.0, 0.5, 0.5), (1.01, 0.52, 0.51)])
    watch = CoreWatch()
    assert watch.threads() == 2
    assert watch.threads() == 2  # 10 ms tells nothing: the last choice stands
    assert watch.chosen == [2, 2]


def test_the_real_machine_gives_a_sane_count():
    watch = CoreWatch(warm_up=0.1)
    assert 1 <= watch.threads() <= cores.usable_cores()


def test_the_embedder_measures_the_load_chunk_by_chunk(tmp_path, embedder, monkeypatch):
    from compare.embeddings import Embedder

    embedder.model  # loaded once for the session
    choices = iter([1, 2, 1])
    monkeypatch.setattr(CoreWatch, "threads", lambda self: next(choices))
    texts = [f"Convoy {i} reached the checkpoint on the Lachin road after a delay of {i} hours." for i in range(600)]
    fresh = Embedder(None, tmp_path / "cache", batch_size=64)
    vectors = fresh.embed(texts, progress=False)
    assert fresh.threads_used == [1, 2, 1]  # 600 texts in chunks of 256
    fixed = Embedder(None, tmp_path / "cache-fixed", batch_size=64, threads=1)
    np.testing.assert_allclose(vectors, fixed.embed(texts, progress=False), atol=1e-6)
    assert fixed.threads_used == [1, 1, 1]


def test_short_intervals_add_up_to_a_reading(monkeypatch):
    # Calls 30 ms apart, the machine busy with this process only: none tells alone, but the
    # watch keeps measuring from the first reading, so the second call sees 60 ms.
    fake_machine(monkeypatch, 2, [(0.0, 0.0, 0.0), (0.03, 0.03, 0.03), (0.06, 0.06, 0.06)])
    watch = CoreWatch()
    assert watch.threads() == 1  # nothing known yet: the fallback keeps one core free
    assert watch.threads() == 2  # 60 ms in which no other program ran


def test_an_unreadable_proc_stat_means_no_reading(monkeypatch):
    import builtins

    real_open = builtins.open

    def odd_open(path, *args, **kwargs):
        if path == "/proc/stat":
            raise PermissionError(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", odd_open)
    assert cores._snapshot() is None
    assert CoreWatch().threads() == cores.fallback_threads()

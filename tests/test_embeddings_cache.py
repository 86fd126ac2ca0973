"""The embedding cache, where it lives, and a default run that never touches the network."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from compare.documents import build_event, load_event
from compare.embeddings import CACHE_ENV, DEFAULT_MODEL, Embedder, EmbeddingCache, default_cache_dir
from compare.passages import split_passages
from compare.pipeline import prepare

from conftest import TEACHING

CACHE_FILE = "embeddings.sqlite3"
SMALL_EVENT = {
    "blue.md": "---\nparty: Blue\n---\nThe van stopped at the line.\n\nIt was raining at the time.\n",
    "red.md": "---\nparty: Red\n---\nThe van did not stop at the line.\n\nThe rain was coming down steadily.\n",
}


def test_second_prepare_embeds_nothing(embedder, teaching_prepared):
    again = prepare(load_event([TEACHING]), embedder, progress=False)

    assert again.embedded == 0
    assert again.cached == len(again.passages) == len(teaching_prepared.passages)
    assert embedder.stats == {"cached": len(again.passages), "embedded": 0, "repeated": 0}
    np.testing.assert_allclose(again.vectors, teaching_prepared.vectors, atol=1e-6)


def test_a_changed_sentence_embeds_only_that_passage(embedder, teaching_prepared):
    event = teaching_prepared.event
    blue = next(s for s in event.sources if s.party == "Driver of the blue van")
    assert "It was raining at the time." in blue.text
    changed = replace(blue, text=blue.text.replace("It was raining at the time.", "It was snowing hard at the time."))
    new_event = build_event([changed if s is blue else s for s in event.sources])

    again = prepare(new_event, embedder, progress=False)

    assert again.embedded == 1
    assert again.cached == len(again.passages) - 1


def test_vectors_are_unit_length_and_duplicates_embed_once(tmp_path, embedder):
    embedder.model  # loaded once for the session; another instance loads it from memory quickly
    fresh = Embedder(None, tmp_path / "cache")
    texts = ["The road was closed.", "The corridor is open.", "The road was closed."]

    vectors = fresh.embed(texts, progress=False)

    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    # the repeat is embedded once, and not counted as from the cache: nothing was there before
    assert fresh.stats == {"cached": 0, "embedded": 2, "repeated": 1}
    fresh.embed(texts + ["A new sentence about the bridge."], progress=False)
    assert fresh.stats == {"cached": 3, "embedded": 1, "repeated": 0}
    assert fresh.embed([], progress=False).shape == (0, 384)


def test_cache_is_keyed_by_model(tmp_path):
    cache = EmbeddingCache(tmp_path)
    vec = np.ones((1, 3), dtype=np.float32) / np.sqrt(3)
    cache.put("model-a", ["The road was closed."], vec)
    assert set(cache.get("model-a", ["The road was closed."])) == {EmbeddingCache.key("The road was closed.")}
    assert cache.get("model-b", ["The road was closed."]) == {}
    cache.close()


# --- a cache that is broken or busy heals or steps aside --------------------

TEXTS = ["The road was closed.", "The corridor is open.", "Trucks waited at the post."]


def filled_cache(directory: Path, rows: int = 0) -> Path:
    """A cache file holding TEXTS (and ``rows`` more), closed again; returns its path."""
    cache = EmbeddingCache(directory)
    texts = TEXTS + [f"Filler sentence number {i}." for i in range(rows)]
    cache.put("m", texts, np.ones((len(texts), 384), dtype=np.float32))
    cache.close()
    return directory / CACHE_FILE


def set_aside(directory: Path) -> list[Path]:
    return sorted(directory.glob(CACHE_FILE + ".broken-*"))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "older layout"])
def test_a_broken_cache_file_is_set_aside_and_rebuilt(tmp_path, capsys, damage):
    path = filled_cache(tmp_path, rows=2000 if damage == "truncated" else 0)
    if damage == "garbage":
        path.write_bytes(b"this is not a database at all\n" * 200)
    elif damage == "truncated":  # the header survives, most pages do not
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    else:
        path.unlink()
        with sqlite3.connect(path) as old:
            old.execute("CREATE TABLE vectors (key TEXT PRIMARY KEY, vector BLOB)")
        old.close()
    before = path.read_bytes()

    cache = EmbeddingCache(tmp_path)
    assert cache.get("m", TEXTS) == {}  # nothing usable, and no error
    cache.put("m", TEXTS[:1], np.ones((1, 384), dtype=np.float32))
    assert set(cache.get("m", TEXTS)) == {EmbeddingCache.key(TEXTS[0])}  # rebuilt, and it works
    cache.close()

    kept = set_aside(tmp_path)
    assert len(kept) == 1 and kept[0].read_bytes() == before  # set aside as it was, not deleted
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and str(kept[0]) in err
    assert EmbeddingCache(tmp_path).get("m", TEXTS[:1])  # the next run finds the rebuilt cache
    assert len(set_aside(tmp_path)) == 1


def test_a_broken_cache_does_not_stop_a_report(run_cli, write_files, tmp_path):
    folder = write_files(SMALL_EVENT)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / CACHE_FILE).write_bytes(b"\x00garbage" * 1000)
    code, _, stderr = run_cli("report", folder, "--cache-dir", tmp_path / "cache", "--out", tmp_path / "r.json")
    assert code == 0, stderr
    assert "Traceback" not in stderr and "set aside" in stderr
    code, _, stderr = run_cli("report", folder, "--cache-dir", tmp_path / "cache", "--out", tmp_path / "r.json")
    assert code == 0 and "(0 embedded, 4 from cache)" in stderr and "set aside" not in stderr


def test_a_locked_cache_waits_briefly_then_the_run_goes_on_without_it(tmp_path, capsys):
    path = filled_cache(tmp_path)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, and taking its time
    try:
        cache = EmbeddingCache(tmp_path, timeout=0.2)
        assert cache.get("m", TEXTS) == {}
        cache.put("m", TEXTS, np.zeros((3, 384), dtype=np.float32))  # skipped, not an error
        assert cache.get("m", TEXTS) == {}
        cache.close()
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "locked" in err and "without" in err
    assert set_aside(tmp_path) == []  # a busy cache is not a broken one
    found = EmbeddingCache(tmp_path).get("m", TEXTS)
    assert len(found) == 3 and all(v[0] == 1.0 for v in found.values())  # untouched


# --- where the cache lives ------------------------------------------------


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "from-env"
    monkeypatch.delenv(CACHE_ENV)
    assert default_cache_dir() == tmp_path / "xdg" / "narrative-compare"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "narrative-compare"


@pytest.fixture
def isolated_home(monkeypatch, tmp_path):
    """Point every default cache location into the test's folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env-cache"))
    return tmp_path


def test_cache_dir_option_then_environment_variable(run_cli, write_files, isolated_home):
    folder = write_files(SMALL_EVENT)
    option_dir = isolated_home / "option-cache"

    code, _, stderr = run_cli("report", folder, "--cache-dir", option_dir, "--out", isolated_home / "a.json")
    assert code == 0, stderr
    assert (option_dir / CACHE_FILE).is_file()
    assert not (isolated_home / "env-cache").exists()  # the option wins over the variable
    assert "(4 embedded, 0 from cache)" in stderr

    code, _, stderr = run_cli("report", folder, "--cache-dir", option_dir, "--out", isolated_home / "b.json")
    assert code == 0
    assert "(0 embedded, 4 from cache)" in stderr

    code, _, stderr = run_cli("report", folder, "--out", isolated_home / "c.json")
    assert code == 0
    assert (isolated_home / "env-cache" / CACHE_FILE).is_file()
    assert "(4 embedded, 0 from cache)" in stderr
    assert not (isolated_home / "xdg").exists() and not (isolated_home / "home").exists()


def test_no_cache_writes_nothing(run_cli, write_files, isolated_home):
    folder = write_files(SMALL_EVENT)
    for _ in range(2):
        code, _, stderr = run_cli("report", folder, "--no-cache", "--format", "json", "--out", isolated_home / "r.json")
        assert code == 0, stderr
        assert "(4 embedded, 0 from cache)" in stderr
    for where in ("env-cache", "xdg", "home"):
        assert not (isolated_home / where).exists()
    assert sorted(p.name for p in isolated_home.iterdir()) == ["event", "r.json"]


# --- the default model never reaches the network ---------------------------

BLOCKER = textwrap.dedent(
    """
    # Loaded by every Python started with this folder on PYTHONPATH: no socket may connect.
    import os
    import socket

    _log = os.environ["NC_BLOCKER_LOG"]


    def _blocked(*args, **kwargs):
        with open(_log + ".attempts", "a", encoding="utf-8") as fh:
            fh.write(repr(args[1:3]) + "\\n")
        raise OSError("network access blocked by the test")


    socket.socket.connect = _blocked
    socket.socket.connect_ex = _blocked
    socket.create_connection = _blocked
    socket.getaddrinfo = _blocked
    with open(_log, "a", encoding="utf-8") as fh:
        fh.write(f"blocker active in {os.getpid()}\\n")
    """
)


def test_default_report_runs_with_the_network_blocked(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    log = tmp_path / "blocker.log"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGINGFACE", "TRANSFORMERS_", "SENTENCE_TRANSFORMERS", "PYTHON"))
    }
    env.update(
        PYTHONPATH=str(blocker),
        NC_BLOCKER_LOG=str(log),
        HOME=str(tmp_path / "home"),  # no hub cache to fall back on
        XDG_CACHE_HOME=str(tmp_path / "xdg"),
        NARRATIVE_COMPARE_CACHE=str(tmp_path / "fresh-cache"),
    )
    script = Path(sys.executable).parent / "narrative-compare"
    out = tmp_path / "report.json"

    # The blocker works: a plain connection attempt fails in such an interpreter.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('example.org', 80), timeout=5)"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode != 0
    assert "network access blocked by the test" in probe.stderr
    (tmp_path / "blocker.log.attempts").unlink()

    done = subprocess.run(
        [str(script), "report", str(TEACHING), "--format", "json", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert log.read_text().count("blocker active") == 2  # the probe and the report
    assert not (tmp_path / "blocker.log.attempts").exists(), "something tried to connect"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["model"] == DEFAULT_MODEL
    passages = sum(len(split_passages(s)) for s in load_event([TEACHING]).sources)
    assert f"({passages} embedded, 0 from cache)" in done.stderr  # it really embedded, from an empty cache
    assert (tmp_path / "fresh-cache" / CACHE_FILE).is_file()

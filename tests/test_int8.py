"""The int8 ONNX option (``--model minilm-int8``, issue 32).

The model is built once per test run into a temporary cache (about 20 s on two
cores: the export and the quantisation), so the tests that build or embed with
it are slow and run only when the ``onnx`` extra (onnxruntime, onnx) is
installed. Refusing the option without the extra, and a build that stops
part-way, are checked in every run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from compare.cli import main
from compare.embeddings import Embedder, base_model, int8
from compare.embeddings.folders import build_once
from compare.errors import ModelLoadError

ROOT = Path(__file__).resolve().parent.parent
TEACHING = ROOT / "corpus" / "teaching-junction"
HAVE_ONNX = all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))
needs_onnx = pytest.mark.skipif(not HAVE_ONNX, reason="needs the onnx extra: pip install '.[onnx]'")

SENTENCES = [
    "The bridge over the river was closed to traffic on Monday morning.",
    "Police shut the road after the accident.",
    "The council said the repairs would cost 2.4 million euros.",
    "Nobody was injured, according to the fire brigade.",
]  # English: the model's own language (a Russian sentence, mostly unknown word pieces, came out at 0.974)


@pytest.fixture
def without_onnx(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make onnxruntime look not installed, as on a machine without the extra."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a, **k: None if name in ("onnxruntime", "onnx") else real(name, *a, **k))


def test_the_option_without_the_extra_is_one_line_and_status_2(without_onnx, tmp_path: Path, capsys) -> None:
    code = main(["report", str(TEACHING), "--model", "minilm-int8", "--cache-dir", str(tmp_path / "cache"),
                 "--out", str(tmp_path / "report.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "pip install 'narrative-compare[onnx]'" in err
    assert not (tmp_path / "report.json").exists() and not (tmp_path / "cache" / "models").exists()
    with pytest.raises(ModelLoadError, match=r"narrative-compare\[onnx\]"):
        Embedder("minilm-int8", tmp_path)


def test_names_and_the_judge_it_gets() -> None:
    from compare.judge.trained import TrainedJudge, default_judge, shipped_available

    assert int8.is_int8("minilm-int8") and int8.is_int8(int8.display_name()) and not int8.is_int8("all-MiniLM-L6-v2")
    assert base_model(int8.display_name()) == "all-MiniLM-L6-v2" and base_model("other") == "other"
    if shipped_available():  # the judge trained on the float model's similarities reads the int8 model's
        assert isinstance(default_judge(embedding_model=int8.display_name()), TrainedJudge)


def test_a_build_that_stops_part_way_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "models" / "some-model"

    def build(folder: Path) -> None:
        (folder / "model.onnx").write_bytes(b"half a model")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_once(target, "model.onnx", build, "Building", quiet=True)
    assert list(target.parent.iterdir()) == []  # neither the model nor its temporary folder


# --- the built model (slow) ------------------------------------------------------


@pytest.fixture(scope="module")
def int8_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("int8-cache")
    int8.ensure_model(cache, quiet=True)
    return cache


@pytest.mark.slow
@needs_onnx
def test_built_once_and_close_to_the_float_model(int8_cache: Path, embedder, capsys, monkeypatch) -> None:
    folder = int8.model_dir(int8_cache)
    assert sorted(p.name for p in folder.iterdir()) == ["int8.json", int8.ONNX_FILE, "tokenizer.json",
                                                        "tokenizer_config.json"]
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temporary folder left
    vectors = Embedder("minilm-int8", int8_cache, use_cache=False).embed(SENTENCES)
    assert vectors.shape == (len(SENTENCES), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * embedder.embed(SENTENCES)).sum(axis=1)
    assert cosines.min() >= 0.98, cosines

    # A second load reuses the folder: nothing is built, and nothing is said.
    stamp = (folder / int8.ONNX_FILE).stat().st_mtime_ns
    monkeypatch.setattr(int8, "build", lambda *a: pytest.fail("the model was built again"))
    capsys.readouterr()
    again = Embedder("minilm-int8", int8_cache, use_cache=False)
    # The same batch (int8 activations are scaled per batch, so a batch of other sentences moves a
    # vector slightly: at a cosine of about 0.993 to itself).
    np.testing.assert_allclose(again.embed(SENTENCES), vectors, atol=1e-5)
    assert (folder / int8.ONNX_FILE).stat().st_mtime_ns == stamp and "Exporting" not in capsys.readouterr().err


@pytest.mark.slow
@needs_onnx
def test_an_interrupted_export_leaves_no_half_written_model(tmp_path: Path, monkeypatch) -> None:
    import onnxruntime.quantization

    def stop(model_input, *_a, **_k):  # the float model is written; the quantisation never finishes
        assert Path(model_input).stat().st_size > 1_000_000
        raise KeyboardInterrupt

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", stop)
    with pytest.raises(KeyboardInterrupt):
        int8.ensure_model(tmp_path, quiet=True)
    assert list((tmp_path / "models").iterdir()) == []

"""minilm_finetune inference: length-bucketed batches, int8 dynamic quantisation, inference settings.
A tiny random BERT (no training), its weights spread out so that each segment gets its own probabilities."""

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from newsseg.config import MinilmFinetuneConfig
from newsseg.data.segment_rows import COLUMNS, document_rows
from newsseg.labels import LABELS
from newsseg.models import build_model, load_model_dir
from newsseg.torch_threads import torch_threads_capped
from newsseg.io.readers import read_documents
from tests.helpers import BUNDLED

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    docs = list(read_documents("jsonl", BUNDLED))[:2]
    rows = [r for d in docs for r in document_rows(d, "lines", 1500, 300)]
    # Shuffled: input order is neither document order nor length order.
    return pd.DataFrame(rows, columns=list(COLUMNS)).sample(n=40, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def model():
    import torch

    model = build_model(MinilmFinetuneConfig(name="minilm_finetune", tiny_random=True, max_length=48,
                                             inference_batch_size=8), 7)
    model._load(None)  # private, but the only way to the untrained tiny BERT short of a training run
    torch.manual_seed(0)
    with torch.no_grad():  # default init gives nearly the same output for every input
        for weight in (w for w in model.model.parameters() if w.dim() == 2):
            weight.normal_(0, 0.2)
    model.model.eval()
    return model


@pytest.fixture(scope="module")
def fp32(model, frame) -> np.ndarray:
    return model.with_inference(quantize="none").predict_proba(frame)


def test_bucketed_batches_give_one_at_a_time_probabilities_in_input_order(model, frame, fp32):
    one_at_a_time = np.vstack([model.predict_proba(frame.iloc[[i]]) for i in range(len(frame))])
    assert fp32.shape == (len(frame), len(LABELS))
    assert np.abs(np.diff(fp32, axis=0)).max(axis=1).min() > 1e-3  # rows differ: a reordering would show
    np.testing.assert_allclose(fp32, one_at_a_time, atol=1e-5)
    assert model.predict_proba(frame.iloc[:0]).shape == (0, len(LABELS))


def test_a_thread_cap_holds_for_torch_inference(model, frame, monkeypatch):
    # predict --threads in one process: threadpoolctl does not reach torch, which sets its own count.
    import torch

    threads_seen, forward = [], model.model.forward
    monkeypatch.setattr(model.model, "forward",
                        lambda *a, **k: threads_seen.append(torch.get_num_threads()) or forward(*a, **k))
    with torch_threads_capped(1):
        model.predict_proba(frame.iloc[:4])
    assert threads_seen and set(threads_seen) == {1}


def test_int8_probabilities_are_close_to_fp32_and_in_input_order(model, frame, fp32):
    int8 = model.with_inference(quantize="int8").predict_proba(frame)
    model.with_inference(quantize="none")
    assert int8.shape == fp32.shape and np.isfinite(int8).all()
    np.testing.assert_allclose(int8.sum(axis=1), 1.0, atol=1e-5)
    error = np.abs(int8 - fp32)
    assert error.max() < 0.1
    assert error.mean() < 0.2 * np.abs(int8 - np.roll(fp32, 1, axis=0)).mean()


def test_inference_settings_are_validated():
    with pytest.raises(ValidationError):
        MinilmFinetuneConfig(name="minilm_finetune", quantize="int4")
    with pytest.raises(ValidationError):
        MinilmFinetuneConfig(name="minilm_finetune", inference_batch_size=0)
    model = build_model(MinilmFinetuneConfig(name="minilm_finetune"))
    with pytest.raises(ValidationError):
        model.with_inference(quantize="int4")
    assert model.with_inference(batch_size=16).config.inference_batch_size == 16
    assert model.config.quantize == "none"


def test_an_int8_model_saves_fp32_weights_and_loads_as_int8(model, frame, tmp_path):
    import torch
    from safetensors.torch import load_file

    int8 = model.with_inference(quantize="int8").predict_proba(frame)
    try:
        model.save(tmp_path)
    finally:
        model.with_inference(quantize="none")
    assert json.loads((tmp_path / "settings.json").read_text())["config"]["quantize"] == "int8"
    weights = load_file(tmp_path / "hf" / "model.safetensors")
    assert weights and all(w.dtype == torch.float32 for w in weights.values())

    loaded = load_model_dir(tmp_path, "minilm_finetune")
    assert loaded.config.quantize == "int8"
    np.testing.assert_allclose(loaded.predict_proba(frame), int8, atol=1e-5)
    np.testing.assert_allclose(loaded.with_inference(quantize="none").predict_proba(frame),
                               model.predict_proba(frame), atol=1e-5)


def test_onnx_runtime_fp32_probabilities_equal_torch_in_input_order(model, frame, fp32):
    pytest.importorskip("onnxruntime")
    try:
        onnx = model.with_inference(runtime="onnx").predict_proba(frame)
    finally:
        model.with_inference(runtime="torch")
    np.testing.assert_allclose(onnx, fp32, atol=1e-4)

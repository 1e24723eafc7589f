"""Prediction output: scores rounded as Python's round() rounds them; JSONL records as json.dumps writes them."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.pipeline import round_like_python
from newsseg.labels import LABELS
from newsseg.io.writers import WRITTEN_KEYS, jsonl_record


def python_rounding(values: np.ndarray) -> list[list[str]]:
    return [[repr(round(v, 4)) for v in row] for row in values.tolist()]


def test_round_like_python_on_halves_and_edges():
    rng = np.random.default_rng(0)
    halves = (rng.integers(0, 20_000, size=(500, 5)) + 0.5) / 1e4  # v * 1e4 at (or a hair off) .5
    edges = np.array([[0.00005, 0.00015, 0.99995, 1.0, 0.0], [-0.00005, np.nan, 0.12345, 2500.00005, 2.5e-5]])
    near_halves = (halves, np.nextafter(halves, 1.0), np.nextafter(halves, 0.0))
    for values in (*near_halves, edges, rng.dirichlet(np.ones(5), 500)):
        assert [[repr(v) for v in row] for row in round_like_python(values, 4)] == python_rounding(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=5, max_size=5))
def test_round_like_python_on_any_float(row):
    values = np.array([row])
    assert [[repr(v) for v in r] for r in round_like_python(values, 4)] == python_rounding(values)


def dumped(doc_id, segments, error=None) -> str:
    record = {"id": doc_id, "error": error} if error else \
        {"id": doc_id, "segments": [{k: s[k] for k in WRITTEN_KEYS} for s in segments]}
    return json.dumps(record, ensure_ascii=False)


def test_jsonl_record_is_what_json_dumps_writes():
    segments = [{"start": 0, "end": 12, "label": "news_body", "score": 0.9876, "scores": {}},
                {"start": 13, "end": 40, "label": "ad", "score": 1.0},
                {"start": 41, "end": 45, "label": "other", "score": 1e-05}]
    for doc_id in ("a", 'q "quoted" \\ back', "ü é \u2028 \x00", ""):
        assert jsonl_record(doc_id, segments, None) == dumped(doc_id, segments)
        assert jsonl_record(doc_id, [], None) == dumped(doc_id, [])
        assert jsonl_record(doc_id, [], "file.jsonl:3: malformed \"JSON\"") == dumped(doc_id, [], "file.jsonl:3: malformed \"JSON\"")


def test_jsonl_record_leaves_what_it_does_not_write_itself_to_json_dumps():
    odd = [{"start": 0, "end": 1, "label": "news_body", "score": float("nan")},
           {"start": 0, "end": 1, "label": "not_a_label", "score": 0.5},
           {"start": True, "end": 1, "label": "ad", "score": 0.5},
           {"start": 0, "end": 1, "label": "ad", "score": 1}]
    for segment in odd:
        assert jsonl_record("x", [segment], None) == dumped("x", [segment])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**9), st.sampled_from(LABELS),
                          st.floats(allow_nan=True, allow_infinity=True)), max_size=5), st.text(max_size=8))
def test_jsonl_record_on_any_segments(rows, doc_id):
    segments = [{"start": a, "end": b, "label": label, "score": score} for a, b, label, score in rows]
    assert jsonl_record(doc_id, segments, None) == dumped(doc_id, segments)


def test_pyfunc_output_serves_segments_as_json_objects_and_failed_documents_with_an_error():
    import io

    import pandas as pd
    from mlflow.pyfunc.scoring_server import predictions_to_json

    from newsseg.pipeline import predict_dataframe
    from tests.helpers import stub_pipeline

    frame = pd.DataFrame({"id": ["page", "empty", "blob"], "text": ["Title\nBody\n", "", "PK\x03\x04\x00\x00"]})
    out = predict_dataframe(stub_pipeline(), frame)
    assert out["segments"][0] == [{"start": 0, "end": 11, "label": "news_body", "score": 1.0,
                                   "scores": {label: float(label == "news_body") for label in LABELS}}]
    served = io.StringIO()
    predictions_to_json(out, served)
    # As the REST server answers: no JSON inside JSON, and no NaN (not JSON) where a document has no error.
    (page, empty, blob) = json.loads(served.getvalue(), parse_constant=lambda name: pytest.fail(name))["predictions"]
    assert page["segments"][0]["label"] == "news_body" and page["error"] is None
    assert empty == {"id": "empty", "segments": [], "error": "empty document"}  # as the CLI says it
    assert blob["segments"] == [] and blob["error"] == "not text (it holds NUL characters)"


def test_a_model_of_another_pipeline_format_is_refused_with_one_line(tmp_path):
    import json

    from newsseg.pipeline import PIPELINE_FORMAT_VERSION, Pipeline

    (tmp_path / "pipeline.json").write_text(json.dumps({"format_version": PIPELINE_FORMAT_VERSION - 1,
                                                        "labels": [], "family": "layout_gbt"}))
    with pytest.raises(ValueError, match="train it again") as info:
        Pipeline.load(tmp_path)
    assert str(tmp_path) in str(info.value) and "\n" not in str(info.value)

"""Spark batch inference equals single-process `predict` (skipped without the spark extra or Java)."""

import json
import shutil

import pytest

pyspark = pytest.importorskip("pyspark", reason="Spark is an optional extra: pip install -e '.[spark]'")
requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (17) on PATH")


@pytest.mark.smoke
@requires_java
def test_spark_predict_matches_single_process_predict(workdir_with_model, trained):
    import pandas as pd

    from newsseg.inference import load_model
    from newsseg.predict import predict_files
    from newsseg.spark import spark_predict
    from tests.conftest import BUNDLED

    workdir = workdir_with_model
    pages = [json.loads(l) for l in BUNDLED.read_text(encoding="utf-8").splitlines()[:12]]
    source = workdir / "spark_pages.jsonl"
    source.write_text("".join(json.dumps({"id": p["id"], "text": p["text"]}) + "\n" for p in pages))
    expected_file = workdir / "expected.jsonl"
    predict_files(load_model(trained.model_uri), [source], expected_file, progress=False)
    expected = {r["id"]: [(s["start"], s["end"], s["label"], s["score"]) for s in r["segments"]]
                for r in map(json.loads, expected_file.read_text().splitlines())}

    rows = spark_predict(trained.model_uri, str(source), str(workdir / "segments.parquet"), master="local[2]")
    table = pd.read_parquet(workdir / "segments.parquet").sort_values(["id", "index"])
    assert rows == len(table) == sum(len(v) for v in expected.values())
    assert table["error"].isna().all()
    got = {doc_id: [(int(r.start), int(r.end), r.label, float(r.score)) for r in group.itertuples()]
           for doc_id, group in table.groupby("id")}
    assert got == expected

"""Spark batch inference gives the labels of `predict --workers 1` (skipped without the spark extra or Java)."""

import json
import shutil
import sys

import pytest

pyspark = pytest.importorskip("pyspark", reason="Spark is an optional extra: pip install -e '.[spark]'")
requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java (17) on PATH")


def segments_of(jsonl: str) -> dict:
    return {r["id"]: [(s["start"], s["end"], s["label"], s["score"]) for s in r["segments"]]
            for r in map(json.loads, jsonl.splitlines())}


@pytest.mark.smoke
@requires_java
def test_spark_predict_matches_single_process_predict(workdir_with_model, trained, monkeypatch):
    """Pages of several sites, whose lines recur from page to page, read as several partitions and labelled in
    site partitions: the labels (site memory and batches included) are those of `predict --workers 1`."""
    import pandas as pd
    from pyspark.sql import SparkSession

    from newsseg.inference import load_model
    from newsseg.predict import predict_files
    from newsseg.spark import spark_predict
    from tests.helpers import BUNDLED

    workdir = workdir_with_model
    pages = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    rows = [{"id": f"{p['id']}#{copy}", "text": p["text"], "meta": {"domain": p["meta"]["domain"]}}
            for copy in range(2) for p in pages]
    source = workdir / "spark_pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pipeline = load_model(trained.model_uri)
    expected_file = workdir / "expected.jsonl"
    predict_files(pipeline, [source], expected_file, batch_size=4, progress=False)
    expected = segments_of(expected_file.read_text())
    # Labelled without the sites, page by page (as the pyfunc UDF did), these pages label otherwise.
    alone = workdir / "alone.jsonl"
    alone.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows))
    predict_files(pipeline, [alone], workdir / "alone_out.jsonl", batch_size=1, progress=False)
    assert segments_of((workdir / "alone_out.jsonl").read_text()) != expected

    # Small input splits: the file is read as several partitions; three partitions of sites are labelled.
    # The session is made here for that setting (spark_predict takes it): its workers run this interpreter.
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    SparkSession.builder.master("local[2]").config("spark.sql.files.maxPartitionBytes", str(48 * 1024)) \
        .config("spark.ui.enabled", "false").getOrCreate()
    count = spark_predict(trained.model_uri, str(source), str(workdir / "segments.parquet"), master="local[2]",
                          partitions=3, batch_size=4)
    table = pd.read_parquet(workdir / "segments.parquet").sort_values(["id", "index"])
    assert count == len(table) == sum(len(v) for v in expected.values())
    assert table["error"].isna().all()
    got = {doc_id: [(int(r.start), int(r.end), r.label, float(r.score)) for r in group.itertuples()]
           for doc_id, group in table.groupby("id")}
    assert got == expected

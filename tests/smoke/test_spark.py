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

    from newsseg.tracking import load_model
    from newsseg.serving.predict import PredictOptions, predict_files
    from newsseg.serving.spark import spark_predict
    from tests.helpers import BUNDLED

    workdir = workdir_with_model
    pages = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:24]]
    rows = [{"id": f"{p['id']}#{copy}", "text": p["text"], "meta": {"domain": p["meta"]["domain"]}}
            for copy in range(2) for p in pages]
    source = workdir / "spark_pages.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pipeline = load_model(trained.model_uri)
    expected_file = workdir / "expected.jsonl"
    predict_files(pipeline, [source], expected_file, PredictOptions(batch_size=4, progress=False))
    expected = segments_of(expected_file.read_text())
    # Labelled without the sites, page by page (as the pyfunc UDF did), these pages label otherwise.
    alone = workdir / "alone.jsonl"
    alone.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows))
    predict_files(pipeline, [alone], workdir / "alone_out.jsonl", PredictOptions(batch_size=1, progress=False))
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


@pytest.mark.smoke
@requires_java
def test_spark_predict_reads_web_inputs_as_predict_does(workdir_with_model, trained, monkeypatch):
    """A WARC file (pages of two sites, records that are no pages, a page without text) and a folder of three
    HTML pages, read on the workers a file per task: the segment table of `predict --workers 1 --format
    parquet`, the failed page included with its error."""
    import pandas as pd

    from newsseg.tracking import load_model
    from newsseg.serving.predict import PredictOptions, predict_files
    from newsseg.serving.spark import spark_predict
    from tests.warc_files import PAGE_HTML, crawl_records, write_warc

    workdir = workdir_with_model
    warc = workdir / "crawl.warc.gz"
    write_warc(warc, crawl_records())
    pages = workdir / "pages"
    pages.mkdir()
    for name, price in (("a_ferry", "€2"), ("b_ferry", "€3")):
        (pages / f"{name}.html").write_text(PAGE_HTML.format(price=price), encoding="utf-8")
    (pages / "c_market.htm").write_text("<html><body><h1>Market day</h1><p>Stalls open on the square at seven "
                                        "every Saturday.</p><p>Parking is free.</p></body></html>", encoding="utf-8")
    (pages / "notes.md").write_text("not a page")
    pipeline = load_model(trained.model_uri)
    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)
    columns = ["id", "index", "start", "end", "label", "error"]
    for source in (warc, pages):
        expected_file = workdir / f"{source.name}.expected.parquet"
        predict_files(pipeline, [source], expected_file, PredictOptions(fmt="parquet", batch_size=2, progress=False))
        expected = pd.read_parquet(expected_file)
        count = spark_predict(trained.model_uri, str(source), str(workdir / f"{source.name}.spark"),
                              master="local[2]", partitions=2, batch_size=2)
        got = pd.read_parquet(workdir / f"{source.name}.spark").sort_values(["id", "index"]).reset_index(drop=True)
        expected = expected.sort_values(["id", "index"]).reset_index(drop=True)
        assert count == len(expected) and expected["index"].notna().any()
        pd.testing.assert_frame_equal(got[columns], expected[columns], check_dtype=False)
        assert got["score"].fillna(-1).to_numpy() == pytest.approx(expected["score"].fillna(-1).to_numpy(), abs=1e-6)
    failed = pd.read_parquet(workdir / "crawl.warc.gz.spark").dropna(subset=["error"])
    assert list(failed["id"]) == ["<urn:uuid:blank>"] and failed["error"].iloc[0].endswith("the HTML holds no text")

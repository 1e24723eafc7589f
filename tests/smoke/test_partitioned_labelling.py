"""What spark-predict does in each partition, without Spark: pages split into partitions by site, each
labelled in input order with a site memory of its own, in `predict`'s batches (spark.predict_batches), give
the labels of `predict --workers 1`."""

import json
import zlib

import pytest

from tests.helpers import BUNDLED


@pytest.mark.smoke
def test_site_partitions_label_as_one_process_does(workdir_with_model, trained):
    from newsseg.features.recurrence import SiteMemory
    from newsseg.tracking import load_model
    from newsseg.serving.predict import PredictOptions, predict_files
    from newsseg.io.reader_base import ReaderOptions
    from newsseg.io.readers import read_jsonl
    from newsseg.serving.spark import predict_batches

    workdir = workdir_with_model
    pages = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    source = workdir / "partitioned.jsonl"
    source.write_text("".join(json.dumps({"id": f"{p['id']}#{copy}", "text": p["text"],
                                          "meta": {"domain": p["meta"]["domain"]}}) + "\n"
                              for copy in range(2) for p in pages))
    pipeline = load_model(trained.model_uri)
    expected_file = workdir / "one_process.jsonl"
    predict_files(pipeline, [source], expected_file, PredictOptions(batch_size=4, progress=False))
    expected = {r["id"]: r["segments"] for r in map(json.loads, expected_file.read_text().splitlines())}

    docs = list(read_jsonl(source, ReaderOptions()))
    for partitions in (1, 3):
        got = {}
        for partition in range(partitions):
            memory = SiteMemory()
            rows = [(position, doc) for position, doc in enumerate(docs)
                    if zlib.crc32(doc.site.encode()) % partitions == partition]
            for group in predict_batches(rows, 4):
                for doc, (segments, _) in zip(group, pipeline.label_documents(group, memory, with_scores=False)):
                    got[doc.id] = segments
        assert got == expected, f"{partitions} partitions"
    # A memory across the partition matters on these pages: one per call labels otherwise.
    alone = {doc.id: pipeline.label_documents([doc], SiteMemory(), with_scores=False)[0][0] for doc in docs}
    assert alone != expected

"""``predict --format parquet``: the table spark-predict writes, built per batch where the batch is labelled
and appended to the file in row groups as batches come in."""

import io

import pyarrow.parquet as pq
import pytest

from newsseg.io import writers
from newsseg.text.documents import Document
from newsseg.serving.predict import PredictOptions, predict_files
from newsseg.io.writers import OutputSettings, ParquetWriter, write_batch

PARQUET = OutputSettings("parquet", frozenset({"news_body"}), with_headers=True)
DOCS = [Document("a", "Ferry news\nMenu\n"), Document("b", ""), Document("c", "Quay\n")]
RESULTS = [([{"start": 0, "end": 10, "label": "news_body", "score": 0.9},
             {"start": 11, "end": 15, "label": "other", "score": 0.75}], None),
           ([], "b: empty document"),
           ([{"start": 0, "end": 4, "label": "news_body", "score": 1}], None)]


def test_a_batch_is_a_table_of_segments_with_one_row_for_a_failed_document():
    written = write_batch(PARQUET, DOCS, RESULTS)
    assert written.text == "" and written.documents == 3 and [i for i, _ in written.failures] == ["b"]
    assert written.table.schema == ParquetWriter.schema()
    assert written.table.to_pylist() == [
        {"id": "a", "index": 0, "start": 0, "end": 10, "label": "news_body", "score": 0.9, "error": None},
        {"id": "a", "index": 1, "start": 11, "end": 15, "label": "other", "score": 0.75, "error": None},
        {"id": "b", "index": None, "start": None, "end": None, "label": None, "score": None,
         "error": "b: empty document"},
        {"id": "c", "index": 0, "start": 0, "end": 4, "label": "news_body", "score": 1.0, "error": None}]
    assert [c.name for c in written.table.schema] == ["id", "index", "start", "end", "label", "score", "error"]


def test_row_groups_are_written_as_batches_come_in(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "PARQUET_ROW_GROUP_ROWS", 3)
    path = tmp_path / "out.parquet"
    with path.open("wb") as out:
        writer = PARQUET.writer(out)
        writer.start()
        writer.put(write_batch(PARQUET, DOCS[:2], RESULTS[:2]))  # 3 rows: one row group's worth
        out.flush()
        written_before_the_end = path.stat().st_size
        writer.put(write_batch(PARQUET, DOCS[2:], RESULTS[2:]))  # 1 row, waits for the end
        writer.finish()
    assert written_before_the_end > 100  # the first row group is in the file before the run ends
    parquet = pq.ParquetFile(path)
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [3, 1]
    assert parquet.read().column("id").to_pylist() == ["a", "a", "b", "c"]


def test_a_run_stopped_early_leaves_a_readable_file(tmp_path):
    path = tmp_path / "stopped.parquet"
    with path.open("wb") as out:
        writer = PARQUET.writer(out)
        writer.start()
        writer.put(write_batch(PARQUET, DOCS[:1], RESULTS[:1]))
        writer.close()  # what predict_files does when the run stops
        writer.close()
    assert pq.read_table(path).column("id").to_pylist() == ["a", "a"]


@pytest.mark.parametrize("output, resume", [(None, False), ("out.parquet", True)])
def test_parquet_needs_an_output_file_and_cannot_resume(tmp_path, output, resume):
    with pytest.raises(ValueError, match=r"^--format parquet needs an --output file, and cannot --resume"):
        predict_files(tmp_path / "no-model", [tmp_path / "in.jsonl"], output and tmp_path / output,
                      PredictOptions("parquet", resume=resume, progress=False))


def test_text_formats_put_their_text():
    out = io.StringIO()
    settings = OutputSettings("jsonl", frozenset({"news_body"}), with_headers=True)
    settings.writer(out).put(write_batch(settings, DOCS[1:2], RESULTS[1:2]))
    assert out.getvalue() == '{"id": "b", "error": "b: empty document"}\n'

"""Prediction input: batches of raw JSONL lines parse into the documents the reader gives; every input keeps
its place; resuming counts the documents written."""

import json
import logging

import pytest

from newsseg.serving.predict import PredictOptions, predict_files
from newsseg.serving.inputs import JsonlLines, documents_in, iter_input_batches
from newsseg.io.reader_base import ReaderOptions
from newsseg.io.readers import read_documents
from tests.helpers import stub_pipeline

JSONL_BYTES = (
    "\ufeff".encode()
    + json.dumps({"id": "a", "text": "First page\nShare this\n", "url": "https://www.a.com/x"}).encode()
    + b"\n\n   \n"  # blank lines are skipped, but counted
    + b'{"id": "broken", "text": \n'
    + json.dumps({"id": "empty", "text": " "}).encode() + b"\n"
    + b'{"id": "latin", "text": "caf\xe9 au lait"}\n'
    + json.dumps({"id": "b", "text": "Second page"}).encode())  # no final newline


def as_tuples(docs):
    return [(d.id, d.text, d.meta) for d in docs]


def expand(batches):
    """Documents of the batches, in order, and the kinds of batch."""
    docs, kinds = [], []
    for batch in batches:
        kinds.append(type(batch).__name__)
        docs.extend(batch.documents() if isinstance(batch, JsonlLines) else batch)
    return docs, kinds


def test_raw_jsonl_lines_parse_into_what_the_reader_reads(tmp_path, caplog):
    path = tmp_path / "in.jsonl"
    path.write_bytes(JSONL_BYTES)
    options = ReaderOptions(keep_bad=True, read_spans=False)
    expected = as_tuples(read_documents("jsonl", path, options))
    for batch_size in (1, 2, 3, 100):
        with caplog.at_level(logging.WARNING):
            docs, kinds = expand(iter_input_batches([path], batch_size))
        assert set(kinds) == {"JsonlLines"}
        assert as_tuples(docs) == expected
        assert f"{path}:6: undecodable bytes replaced" in caplog.text  # line numbers run on across batches
    assert [d.id for d in docs] == ["a", f"{path}:4", "empty", "latin", "b"]
    assert docs[0].meta["domain"] == "a.com" and "malformed JSON" in docs[1].meta["error"]


def test_inputs_keep_their_order_and_an_unreadable_one_is_an_error_document(tmp_path):
    (tmp_path / "one.txt").write_text("A single page\n")
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps({"id": i, "text": f"Page {i}"}) + "\n" for i in "xyz"))
    (tmp_path / "rows.csv").write_text("id,text\nr1,Row one\nr2,Row two\n")
    paths = [tmp_path / "one.txt", tmp_path / "missing.jsonl", tmp_path / "pages.jsonl", tmp_path / "rows.csv",
             tmp_path / "two.txt"]
    (tmp_path / "two.txt").write_text("Another page\n")
    docs, kinds = expand(iter_input_batches(paths, 2))
    assert [d.id for d in docs] == ["one", str(tmp_path / "missing.jsonl"), "x", "y", "z", "r1", "r2", "two"]
    assert "no such file" in docs[1].meta["error"]
    # Documents read here are batched across inputs; JSONL runs stand alone.
    assert kinds == ["list", "JsonlLines", "JsonlLines", "list", "list"]


def test_resuming_counts_the_documents_of_raw_lines_as_the_reader_reads_them(tmp_path):
    """A resumed run keeps the batches and knows how many documents of each are written by counting them:
    blank lines (a byte-order mark alone on the first line too) are no documents, a malformed line is one."""
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\xef\xbb\xbf\n" + JSONL_BYTES.removeprefix("\ufeff".encode()) + b"\n\xef\xbb\xbf\n")
    whole, resumed = tmp_path / "whole.jsonl", tmp_path / "resumed.jsonl"
    partial = tmp_path / ".resumed.jsonl.partial"
    for batch_size in (1, 2, 3, 100):
        batches = list(iter_input_batches([path], batch_size))
        assert [documents_in(batch) for batch in batches] == [len(batch.documents()) for batch in batches]
        assert sum(documents_in(batch) for batch in batches) == 6  # the last line's mark is a malformed line
        predict_files(stub_pipeline(), [path], whole, PredictOptions(batch_size=batch_size, progress=False))
        lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
        assert [json.loads(line)["id"] for line in lines][2] == "empty"
        partial.write_text("".join(lines[:3]), encoding="utf-8")  # interrupted after "empty"
        summary = predict_files(stub_pipeline(), [path], resumed,
                                PredictOptions(batch_size=batch_size, progress=False, resume=True))
        assert summary.documents == 3 and resumed.read_text(encoding="utf-8") == "".join(lines)
        partial.write_text("".join(lines[:2]) + '{"id": "other"}\n', encoding="utf-8")
        with pytest.raises(ValueError, match="its last document is 'other', but the inputs hold 'empty'"):
            predict_files(stub_pipeline(), [path], resumed,
                          PredictOptions(batch_size=batch_size, progress=False, resume=True))
        partial.write_text("".join(lines) + lines[-1], encoding="utf-8")
        with pytest.raises(ValueError, match="holds 7 documents, but the inputs only 6"):
            predict_files(stub_pipeline(), [path], resumed,
                          PredictOptions(batch_size=batch_size, progress=False, resume=True))


def test_the_cli_batch_size_is_predicts_default():
    import inspect

    from newsseg.cli import predict_cmd
    from newsseg.serving.inputs import DEFAULT_BATCH_SIZE

    assert inspect.signature(predict_cmd).parameters["batch_size"].default.default == DEFAULT_BATCH_SIZE

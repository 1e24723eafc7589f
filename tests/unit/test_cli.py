"""The command line as a user meets it: --version, --help without Python types, shell completion, failed
documents named on stderr, documents that are not text, one-line errors (evaluate without gold spans,
--workers), -v logging the steps. A stub pipeline stands in for a trained model."""

import json
import logging
import re
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from newsseg.cli import app
from newsseg.serving.predict import REPORTED_FAILURES, PredictOptions, predict_files
from tests.helpers import stub_pipeline, write_jsonl

runner = CliRunner()
COMMANDS = [[], ["segment"], ["train"], ["evaluate"], ["promote"], ["runs"], ["predict"], ["weak-labels"],
            ["spark-predict"], ["data"], ["data", "build"]]
PYTHON_TYPES = re.compile(r"<(bool|str|int|float|path|Path|list\[[^>]*)>")
# The first 300 bytes of a (made-up) gzip file: NUL bytes within.
BINARY = bytes.fromhex("1f8b0800000000000003") + bytes(range(256)) + b"\x00\x00\xff" * 10


@pytest.fixture
def stub_model(monkeypatch):
    """`--model anything` gives the stub pipeline."""
    monkeypatch.setattr("newsseg.tracking.model_folder", lambda name: stub_pipeline())


def test_version_is_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"newsseg {version('newsseg')}\n"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "newsseg")
def test_help_shows_no_python_types(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert not PYTHON_TYPES.findall(result.stdout), result.stdout


def test_flags_show_no_value_and_options_say_what_they_take():
    help_text = runner.invoke(app, ["predict", "--help"], terminal_width=200).stdout
    rows = {m.group(1): m.group(2) for m in re.finditer(r"│ (--[a-z-]+)\s+(?:-\w\s+)?(\S*)", help_text)}
    assert rows["--resume"] == "continue" and rows["--help"] == "Show"  # the help text follows at once
    assert rows["--output"] == "PATH" and rows["--workers"] == "N" and rows["--format"] == "jsonl|text|html|parquet"
    assert "{PATH}..." in help_text  # the usage line: one or more paths


def test_shell_completion_is_offered(monkeypatch):
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")  # name the shell, not detect it
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="newsseg")
    assert result.exit_code == 0 and "_NEWSSEG_COMPLETE=complete_bash" in result.stdout


def test_negative_workers_says_what_is_accepted(tmp_path, stub_model):
    (tmp_path / "page.txt").write_text("A page\n")
    result = runner.invoke(app, ["predict", "--model", "stub", str(tmp_path / "page.txt"), "--workers", "-1"])
    assert result.exit_code == 1
    assert result.output == "error: --workers must be 0 (one per core) or more, got -1\n"


def test_failed_documents_are_named_on_stderr(tmp_path, stub_model):
    rows = [{"id": f"empty{i}", "text": " "} for i in range(REPORTED_FAILURES + 2)] + [{"id": "ok", "text": "Fine"}]
    pages = write_jsonl(tmp_path / "pages.jsonl", rows)
    (tmp_path / "blob.txt").write_bytes(BINARY)
    result = runner.invoke(app, ["predict", "--model", "stub", "--workers", "1", str(tmp_path / "blob.txt"),
                                 str(pages), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    at = lines.index(f"{len(rows) + 1} documents, {len(rows)} failed, written to {tmp_path / 'out.jsonl'}")
    assert lines[at + 1] == "  blob: not text (it holds NUL characters)"
    # The error's own "FILE:LINE: " is not repeated after the id.
    assert lines[at + 2] == f"  empty0: {pages}:1: empty document (key 'text')"
    assert lines[at + 1 + REPORTED_FAILURES:] == [f"  … and {len(rows) - REPORTED_FAILURES} more"]
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in written] == ["blob", *(r["id"] for r in rows)]  # nothing is lost
    assert written[0]["error"].startswith("not text") and "error" not in written[-1]


def test_a_binary_page_is_a_not_text_error_in_every_format(tmp_path):
    (tmp_path / "blob.txt").write_bytes(BINARY)
    (tmp_path / "page.txt").write_text("Title\nBody\n")
    for fmt in ("jsonl", "text", "html"):
        out = tmp_path / f"out.{fmt}"
        summary = predict_files(stub_pipeline(), [tmp_path / "blob.txt", tmp_path / "page.txt"], out,
                                PredictOptions(fmt, progress=False))
        assert summary.failed == 1 and summary.failures[0][0] == "blob"
        assert summary.failures[0][1].startswith("not text")
        assert "not text" in out.read_text() and "page" in out.read_text()


def test_verbose_predict_logs_its_steps(tmp_path, caplog):
    (tmp_path / "page.txt").write_text("Title\nBody\n")
    with caplog.at_level(logging.DEBUG, logger="newsseg"):
        predict_files(stub_pipeline(), [tmp_path / "page.txt"], tmp_path / "out.jsonl", PredictOptions(progress=False))
    steps = [r.getMessage() for r in caplog.records if r.name in ("newsseg.serving.predict", "newsseg.serving.inputs")]
    assert steps[0].startswith("labelling in batches of 64 documents with 1 worker process")
    assert f"reading {tmp_path / 'page.txt'} (txt_folder)" in steps
    assert any(s.startswith("writing jsonl to ") for s in steps) and "wrote 1 documents (0 failed)" in steps
    assert steps[-1] == f"renamed {tmp_path / '.out.jsonl.partial'} to {tmp_path / 'out.jsonl'}"


def test_evaluate_without_gold_spans_is_one_line_naming_the_file(tmp_path, monkeypatch):
    from newsseg.pipeline import Pipeline

    monkeypatch.setattr("newsseg.tracking.load_model", lambda name: Pipeline(model=None, decoder=None))
    data = write_jsonl(tmp_path / "unlabelled.jsonl", [{"id": "a", "text": "Title\nBody\n"}])
    result = runner.invoke(app, ["evaluate", "--model", "stub", "--data", str(data)])
    assert result.exit_code == 1
    assert result.output == (f"error: {data}: no document has gold `spans` ([[start, end, label], ...]); "
                             "evaluate needs labelled documents\n")


def test_predict_starts_workers_only_for_inputs_large_enough_to_pay_for_them(tmp_path, monkeypatch):
    from newsseg.serving import predict

    monkeypatch.setattr(predict.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(predict, "ONE_WORKER_BELOW_BYTES", 1000)
    page, small, folder = tmp_path / "page.txt", tmp_path / "small.jsonl", tmp_path / "pages"
    page.write_text("x" * 5000)
    small.write_text("x" * 999)
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.txt").write_text("x" * 400)
    assert predict.default_workers([page]) == 1  # one page, however long
    assert predict.default_workers([small]) == 1
    assert predict.default_workers([small, tmp_path / "missing.jsonl"]) == 1
    assert predict.default_workers([folder]) == 4  # 1200 bytes in its files
    assert predict.default_workers([small, small]) == 4

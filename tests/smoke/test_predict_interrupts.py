"""An interrupted `predict`: one line on stderr that says where the output is and how to continue, the
signal's exit code, no traceback; and `--resume` gives the bytes of an uninterrupted run, site memory
included."""

import json
import os
import random
import shlex
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import BUNDLED, subprocess_env

pytestmark = pytest.mark.smoke


def site_pages(copies: int) -> list[str]:
    """JSONL lines: the first 40 bundled pages with their sites (whose lines recur from page to page),
    ``copies`` times under new ids; a blank line and a malformed one among them (the resumed run counts
    documents as the reader does)."""
    pages = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    lines = [json.dumps({"id": f"{p['id']}#{copy}", "text": p["text"], "meta": {"domain": p["meta"]["domain"]}})
             for copy in range(copies) for p in pages]
    lines.insert(7, "")
    lines.insert(12, "{not json")
    return [line + "\n" for line in lines]


def test_resume_equals_an_uninterrupted_run_wherever_it_stopped(workdir_with_model, trained):
    from newsseg.tracking import model_folder
    from newsseg.serving.predict import PredictOptions, predict_files

    workdir = workdir_with_model
    source = workdir / "resume_sites.jsonl"
    source.write_text("".join(site_pages(1)), encoding="utf-8")
    folder = model_folder(trained.model_uri)
    whole = workdir / "whole.jsonl"
    predict_files(folder, [source], whole, PredictOptions(batch_size=3, progress=False, workers=2))
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 41  # 40 pages and the malformed line

    cuts = [4, 9, random.Random(28).randrange(1, len(lines))]  # mid-batch, a batch's end, anywhere
    for cut in cuts:
        resumed = workdir / f"resumed{cut}.jsonl"
        (workdir / f".resumed{cut}.jsonl.partial").write_text("".join(lines[:cut]) + lines[cut][:20])
        summary = predict_files(folder, [source], resumed,
                                PredictOptions(batch_size=3, progress=False, workers=2, resume=True))
        assert summary.documents == len(lines) - cut
        assert resumed.read_bytes() == whole.read_bytes(), f"resumed after {cut} documents"

    # What the fix is for: labelled without the written pages in its workers' memories (as when the written
    # documents were dropped before batching), the rest labels otherwise on these pages.
    cut = 9
    rest = workdir / "rest.jsonl"
    rest.write_text("".join([line for line in site_pages(1) if line.strip()][cut:]), encoding="utf-8")
    forgetful = workdir / "forgetful.jsonl"
    predict_files(folder, [rest], forgetful, PredictOptions(batch_size=3, progress=False, workers=2))
    assert forgetful.read_text(encoding="utf-8") != "".join(lines[cut:])


def test_a_partial_output_of_other_inputs_is_not_continued(workdir_with_model, trained):
    from newsseg.pipeline import Pipeline
    from newsseg.tracking import model_folder
    from newsseg.serving.predict import PredictOptions, predict_files

    workdir = workdir_with_model
    source = workdir / "few.jsonl"
    source.write_text("".join(site_pages(1)[:6]), encoding="utf-8")
    pipeline = Pipeline.load(model_folder(trained.model_uri))
    (workdir / ".other.jsonl.partial").write_text('{"id": "elsewhere", "segments": []}\n')
    with pytest.raises(ValueError, match="'elsewhere'.*written from other inputs"):
        predict_files(pipeline, [source], workdir / "other.jsonl", PredictOptions(progress=False, resume=True))
    (workdir / ".more.jsonl.partial").write_text('{"id": "x", "segments": []}\n' * 9)
    with pytest.raises(ValueError, match="holds 9 documents, but the inputs only 6"):
        predict_files(pipeline, [source], workdir / "more.jsonl", PredictOptions(progress=False, resume=True))


def run_until_output(command: list[str], partial, workdir) -> subprocess.Popen:
    """``command`` started in its own process group, once it has written part of its output."""
    process = subprocess.Popen(command, cwd=workdir, env=subprocess_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while not (partial.exists() and partial.stat().st_size):
        assert process.poll() is None, process.communicate()
        assert time.time() < deadline, "no output was written"
        time.sleep(0.01)
    return process


_UNINTERRUPTED: dict = {}  # (model folder, workers) -> the bytes of an uninterrupted run on site_pages(12)


def uninterrupted_output(folder, source, workers: int) -> bytes:
    """What a run that was never interrupted writes, labelled in this process once per worker count."""
    from newsseg.serving.predict import PredictOptions, predict_files

    key = (str(folder), workers)
    if key not in _UNINTERRUPTED:
        whole = source.with_name(f"whole_run_{workers}.jsonl")
        predict_files(folder, [source], whole, PredictOptions(batch_size=4, progress=False, workers=workers))
        _UNINTERRUPTED[key] = whole.read_bytes()
    return _UNINTERRUPTED[key]


@pytest.mark.parametrize("workers, signum, to_group", [
    (2, signal.SIGINT, True),   # Ctrl-C at a terminal: the parent and its workers get it
    (1, signal.SIGINT, True),
    (2, signal.SIGTERM, False),  # kill PID
], ids=["2-workers-ctrl-c", "1-worker-ctrl-c", "2-workers-sigterm"])
def test_an_interrupted_run_says_how_to_resume_and_resumes_identically(workdir_with_model, trained, workers,
                                                                      signum, to_group):
    """The interrupted run is the command in a process of its own (the signal goes to it); the command it
    prints to continue runs in this process, through the CLI."""
    from typer.testing import CliRunner

    from newsseg.cli import app
    from newsseg.tracking import model_folder

    workdir = workdir_with_model
    source = workdir / "long_sites.jsonl"
    source.write_text("".join(site_pages(12)), encoding="utf-8")
    output, partial = workdir / "stopped.jsonl", workdir / ".stopped.jsonl.partial"
    partial.unlink(missing_ok=True)
    folder = model_folder(trained.model_uri)
    arguments = ["predict", "--model", str(folder), "--workers", str(workers), "--batch-size", "4", str(source),
                 "-o", str(output)]
    process = run_until_output([sys.executable, "-m", "newsseg.cli", *arguments], partial, workdir)
    (os.killpg if to_group else os.kill)(process.pid, signum)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr
    message = stderr.strip().splitlines()[-1]
    written = partial.read_text(encoding="utf-8")
    assert written.endswith("\n")  # whole documents only
    count = written.count("\n")
    assert 0 < count < 481
    assert message.startswith(f"interrupted: {count:,} documents in {partial}; continue with: newsseg predict ")
    resume_command = shlex.split(message.split("continue with: ", 1)[1])
    assert resume_command[-1] == "--resume"

    resumed = CliRunner().invoke(app, resume_command[1:])
    assert resumed.exit_code == 1, resumed.output  # the malformed line fails, as in any run
    assert output.read_bytes() == uninterrupted_output(folder, source, workers)

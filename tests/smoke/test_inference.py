"""The saved model as users call it: pyfunc in a fresh process, `newsseg predict`, the Python API,
the registry aliases, REST serving."""

import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from typer.testing import CliRunner

import newsseg
from newsseg.cli import app
from newsseg.training import promote_if_better
from tests.helpers import BUNDLED, subprocess_env

PAGE = ("Storm shuts coast road\n\nBy Staff\n\nThe road closed on Monday after heavy rain.\n"
        "Subscribe now for $1 a week\n1 Comment\nGreat reporting, thanks!\n© 2025 Example. All rights reserved.\n")
runner = CliRunner()


@pytest.mark.smoke
def test_predict_jsonl_keeps_every_document_in_order(workdir_with_model, trained):
    workdir = workdir_with_model
    (workdir / "in.jsonl").write_text(
        json.dumps({"id": "one", "text": PAGE, "extra": 1}) + "\n"
        + '{"id": "broken", "text": \n'
        + json.dumps({"id": "empty", "text": ""}) + "\n"
        + json.dumps({"id": "two", "text": "Short page\nShare this\n"}) + "\n")
    result = runner.invoke(app, ["predict", "--model", trained.model_uri, str(workdir / "in.jsonl"),
                                 "-o", str(workdir / "out.jsonl")])
    assert result.exit_code == 1
    assert "4 documents, 2 failed" in result.output
    lines = [json.loads(l) for l in (workdir / "out.jsonl").read_text().splitlines()]
    assert [l["id"] for l in lines] == ["one", f"{workdir / 'in.jsonl'}:2", "empty", "two"]
    assert "malformed JSON" in lines[1]["error"] and "empty document" in lines[2]["error"]
    assert all(PAGE[s["start"]:s["end"]] == PAGE[s["start"]:s["end"]].strip() for s in lines[0]["segments"])
    assert set(lines[0]["segments"][0]) == {"start", "end", "label", "score"}
    assert not list(workdir.glob(".out.jsonl.*"))  # the temporary file was renamed


@pytest.mark.smoke
def test_predict_text_html_and_csv(workdir_with_model, trained):
    workdir = workdir_with_model
    (workdir / "page.txt").write_text(PAGE)
    text = runner.invoke(app, ["predict", "--model", trained.model_uri, str(workdir / "page.txt"), "--format", "text",
                               "--keep", "news_body,opinion_comment"])
    assert text.exit_code == 0, text.output
    assert "Storm shuts coast road" in text.stdout and "All rights reserved" not in text.stdout

    html = runner.invoke(app, ["predict", "--model", trained.model_uri, str(workdir / "page.txt"), "--format", "html",
                               "-o", str(workdir / "page.html")])
    page = (workdir / "page.html").read_text()
    assert html.exit_code == 0 and page.startswith("<!DOCTYPE html>") and "class='legend'" in page
    assert "title='news_body" in page

    (workdir / "pages.csv").write_text('uid,content\n1,"' + PAGE.replace('"', '""') + '"\n2,""\n')
    csv_out = runner.invoke(app, ["predict", "--model", trained.model_uri, str(workdir / "pages.csv"),
                                  "--id-column", "uid", "--text-column", "content"])
    rows = [json.loads(l) for l in csv_out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"] and "error" in rows[1]


@pytest.mark.smoke
def test_unknown_model_says_how_to_list_runs(workdir):
    (workdir / "page.txt").write_text(PAGE)
    result = runner.invoke(app, ["predict", "--model", "nonsense", str(workdir / "page.txt")])
    assert result.exit_code == 1
    assert "newsseg runs" in result.output and len(result.output.strip().splitlines()) == 1
    champion = runner.invoke(app, ["predict", "--model", "champion", str(workdir / "page.txt")])
    assert champion.exit_code == 1 and "newsseg runs" in champion.output


@pytest.mark.smoke
def test_python_api_aliases_and_runs_table(workdir_with_model, trained):
    promoted, message = promote_if_better(trained)
    assert promoted, message
    model = newsseg.load("champion")
    (segments,) = model.predict([PAGE])
    assert segments[0]["start"] == 0 and set(segments[0]["scores"]) == set(newsseg.LABELS)
    assert newsseg.load("latest").predict([PAGE]) == [segments]
    promoted_again, message = promote_if_better(trained)
    assert not promoted_again and "already is the champion" in message
    table = runner.invoke(app, ["runs"])
    assert table.exit_code == 0 and trained.run_id in table.stdout and "layout_gbt" in table.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.smoke
def test_rest_server_answers_invocations(workdir_with_model, trained):
    workdir = workdir_with_model
    from newsseg import tracking

    tracking.promote(trained.run_id)
    port = free_port()
    env = subprocess_env()
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{workdir / 'mlruns' / 'mlflow.db'}"
    bin_dir = os.path.dirname(sys.executable)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")  # the server execs uvicorn from the venv
    mlflow_bin = os.path.join(bin_dir, "mlflow")
    server = subprocess.Popen([mlflow_bin, "models", "serve", "-m", "models:/newsseg@champion", "--env-manager",
                               "local", "-h", "127.0.0.1", "-p", str(port)], cwd=workdir, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        body = json.dumps({"dataframe_records": [{"id": "p", "text": PAGE}, {"id": "e", "text": ""}]}).encode()
        deadline = time.time() + 120
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body,
                                                 headers={"Content-Type": "application/json"})
                # NaN (no error) would not be JSON: parse_constant refuses it
                answer = json.loads(urllib.request.urlopen(request, timeout=30).read(),
                                    parse_constant=lambda name: pytest.fail(f"{name} in the answer"))
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"server exited: {server.stderr.read().decode()[-2000:]}")
                if time.time() > deadline:
                    pytest.fail("server did not answer within 120 s")
                time.sleep(1)
        prediction, empty = answer["predictions"]
        segments = prediction["segments"]  # JSON objects, not a JSON string
        assert prediction["id"] == "p" and PAGE[segments[0]["start"]:segments[0]["end"]] == "Storm shuts coast road"
        assert prediction["error"] is None and empty == {"id": "e", "segments": [], "error": "empty document"}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # the server and its uvicorn workers
        server.wait(timeout=30)


@pytest.mark.smoke
def test_workers_match_one_process_and_resume_continues(workdir_with_model, trained):
    from newsseg.text.documents import Document
    from newsseg.pipeline import Pipeline
    from newsseg.tracking import model_folder
    from newsseg.serving.predict import PredictOptions, predict_files

    workdir = workdir_with_model
    pages = [json.loads(l) for l in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    source = workdir / "pages.jsonl"
    source.write_text("".join(json.dumps({"id": p["id"], "text": p["text"]}) + "\n" for p in pages))
    folder = model_folder(trained.model_uri)
    frozen_before = gc.get_freeze_count()  # earlier loads in this process froze theirs
    pipeline = Pipeline.load(folder)
    assert gc.get_freeze_count() > frozen_before  # the loaded model is out of the cycle collector's full passes
    docs = [Document(p["id"], p["text"]) for p in pages[:6]]
    full, lean = pipeline.predict_documents(docs), pipeline.predict_documents(docs, with_scores=False)
    assert lean == [[{k: v for k, v in s.items() if k != "scores"} for s in segments] for segments in full]
    # Two pages under one id in a batch are still two pages, each with its own segments.
    site = {"domain": "example.com"}
    distinct = pipeline.predict_documents([Document("a", PAGE, site), Document("b", pages[0]["text"], site)])
    repeated = pipeline.predict_documents([Document("a", PAGE, site), Document("a", pages[0]["text"], site)])
    assert repeated == distinct and distinct[0] != distinct[1]
    one, two = workdir / "one.jsonl", workdir / "two.jsonl"
    predict_files(pipeline, [source], one, PredictOptions(batch_size=4, progress=False, workers=1))
    # Given the folder, only the workers load the model.
    summary = predict_files(folder, [source], two, PredictOptions(batch_size=4, progress=False, workers=2))
    assert summary.documents == 40 and one.read_text() == two.read_text()
    with pytest.raises(FileNotFoundError, match="not a newsseg model folder"):
        predict_files(workdir, [source], workdir / "three.jsonl", PredictOptions(progress=False, workers=2))

    # An interrupted run: 10 complete lines and a torn one in the partial file.
    lines = one.read_text().splitlines(keepends=True)
    resumed = workdir / "resumed.jsonl"
    (workdir / ".resumed.jsonl.partial").write_text("".join(lines[:10]) + lines[10][:25])
    summary = predict_files(pipeline, [source], resumed,
                            PredictOptions(batch_size=4, progress=False, workers=2, resume=True))
    assert summary.documents == 30
    assert resumed.read_text() == one.read_text()


@pytest.mark.smoke
def test_each_worker_takes_every_nth_batch_so_runs_agree(workdir_with_model, trained):
    """A worker's site memory holds the pages it labelled: the output is that of workers taking batches in
    turn, whichever worker is free first."""
    from newsseg.features.recurrence import SiteMemory
    from newsseg.pipeline import Pipeline
    from newsseg.tracking import model_folder
    from newsseg.serving.predict import PredictOptions, predict_files
    from newsseg.serving.inputs import iter_input_batches
    from newsseg.serving.runner import label_batch
    from newsseg.io.writers import OutputSettings

    workdir = workdir_with_model
    pages = [json.loads(l) for l in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    source = workdir / "sites.jsonl"
    source.write_text("".join(json.dumps({"id": p["id"], "text": p["text"], "meta": {"domain": p["meta"]["domain"]}})
                              + "\n" for p in pages))
    folder = model_folder(trained.model_uri)
    pipeline = Pipeline.load(folder)
    settings = OutputSettings("jsonl", frozenset({"news_body"}), with_headers=True)

    def in_turn(memories: int) -> str:
        memory = [SiteMemory() for _ in range(memories)]
        return "".join(label_batch(pipeline, memory[index % memories], settings, batch).text
                       for index, batch in enumerate(iter_input_batches([source], 2)))

    expected = in_turn(2)
    assert expected != in_turn(1)  # on these pages the memory changes the output, so the order it sees counts
    for run in range(2):
        output = workdir / f"sites{run}.jsonl"
        predict_files(folder, [source], output, PredictOptions(batch_size=2, progress=False, workers=2))
        assert output.read_text() == expected


@pytest.mark.smoke
def test_a_worker_that_dies_stops_the_run_with_a_resume_hint(workdir_with_model, trained):
    """A pool replaces a killed worker but never answers for its batch: the run must stop, not wait for ever."""
    import multiprocessing
    import threading

    from newsseg.tracking import model_folder
    from newsseg.serving.predict import PredictOptions, predict_files

    workdir = workdir_with_model
    pages = [json.loads(l) for l in BUNDLED.read_text(encoding="utf-8").splitlines()[:40]]
    source = workdir / "many.jsonl"
    source.write_text("".join(json.dumps({"id": f"{p['id']}#{copy}", "text": p["text"]}) + "\n"
                              for copy in range(25) for p in pages))
    before = set(multiprocessing.active_children())
    outcome: dict = {}

    def run() -> None:
        try:
            predict_files(model_folder(trained.model_uri), [source], workdir / "dead.jsonl",
                          PredictOptions(batch_size=4, progress=False, workers=2))
        except Exception as exc:  # noqa: BLE001 - checked below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    partial, deadline = workdir / ".dead.jsonl.partial", time.time() + 60
    while not (partial.exists() and partial.stat().st_size):  # labelling has begun; it takes a second or so
        assert time.time() < deadline and thread.is_alive(), "no batch was written"
        time.sleep(0.005)
    worker = next(p for p in multiprocessing.active_children() if p not in before)
    os.kill(worker.pid, signal.SIGKILL)
    thread.join(120)
    assert not thread.is_alive(), "the run waits for ever on the dead worker's batch"
    assert isinstance(outcome.get("error"), ChildProcessError), outcome
    assert "was killed (SIGKILL)" in str(outcome["error"]) and "--resume" in str(outcome["error"])
    assert partial.exists()

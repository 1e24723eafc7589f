"""Training as users run it, in separate processes: concurrent runs on one store, Ctrl-C."""

import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.helpers import subprocess_env, train_config

NEWSSEG = [sys.executable, "-m", "newsseg.cli"]


def run_statuses(workdir):
    with sqlite3.connect(workdir / "mlruns" / "mlflow.db") as db:
        return db.execute("select name, status from runs order by name").fetchall()


def registered_run_ids(workdir):
    with sqlite3.connect(workdir / "mlruns" / "mlflow.db") as db:
        return {r[0] for r in db.execute("select run_id from model_versions")}


@pytest.mark.smoke
def test_two_trainings_at_once_are_both_recorded(workdir, tiny_data_config):
    subprocess.run([*NEWSSEG, "data", "build", str(tiny_data_config)], check=True, env=subprocess_env(),
                   capture_output=True)
    configs = [train_config(workdir, tiny_data_config, {"name": "tfidf_logreg", "max_features": 3000}, name=n)
               for n in ("twin_a", "twin_b")]
    procs = [subprocess.Popen([*NEWSSEG, "train", str(c)], cwd=workdir, env=subprocess_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in configs]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
        assert json.loads(out.strip().splitlines()[-1])["run_id"]
    assert run_statuses(workdir) == [("twin_a", "FINISHED"), ("twin_b", "FINISHED")]
    assert len(registered_run_ids(workdir)) == 2


@pytest.mark.smoke
def test_ctrl_c_marks_the_run_killed_and_registers_nothing(workdir, tiny_data_config):
    config = train_config(workdir, tiny_data_config, {"name": "minilm_finetune", "tiny_random": True, "epochs": 200,
                                                      "max_length": 32, "max_train_samples": 200,
                                                      # no early stop: training must still run when Ctrl-C comes
                                                      "early_stopping_patience": 1000}, name="interrupted")
    proc = subprocess.Popen([*NEWSSEG, "train", str(config)], cwd=workdir, env=subprocess_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline:  # wait until the run exists and training is under way
        time.sleep(1)
        db = workdir / "mlruns" / "mlflow.db"
        if db.exists():
            try:
                if ("interrupted", "RUNNING") in run_statuses(workdir):
                    break
            except sqlite3.OperationalError:
                continue
    else:
        proc.kill()
        pytest.fail("training never started")
    time.sleep(8)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert run_statuses(workdir) == [("interrupted", "KILLED")], err[-2000:]
    assert registered_run_ids(workdir) == set()

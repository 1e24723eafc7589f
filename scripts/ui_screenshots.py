"""Screenshots of the MLflow UI on a copy of a store: the experiment list, the runs table of the experiment
with the most runs, the comparison of its three latest runs, and the model-metrics tab of the latest run.

    python scripts/ui_screenshots.py [--store mlruns] [--out outputs/ui_screenshots]

Needs a headless Chromium (`apt-get install chromium`); the UI is started as `make ui` starts it, on a
free port, over a temporary copy of the store (the UI may migrate a store's schema, so the original is
never opened).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WINDOW = "1800,1000"
TALL_WINDOW = "1800,2400"
# The UI's "Model training" side (its other side is GenAI, the default of a new browser)
ML = {"workflowType": "machine_learning"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ui(db: Path, port: int) -> subprocess.Popen:
    mlflow = Path(sys.executable).with_name("mlflow")
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false", MLFLOW_DISABLE_TELEMETRY="true")
    return subprocess.Popen([str(mlflow), "ui", "--backend-store-uri", f"sqlite:///{db}", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"error: the MLflow UI did not answer at {url} within {seconds:.0f} s")


def latest_runs(db: Path) -> tuple[str, list[str]]:
    """The experiment with the most runs, and its three latest finished runs."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{db}")
    best: tuple[int, str, list[str]] = (0, "", [])
    for experiment in client.search_experiments():
        runs = client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'",
                                  order_by=["attributes.start_time DESC"])
        if len(runs) > best[0]:
            best = (len(runs), experiment.experiment_id, [run.info.run_id for run in runs[:3]])
    if not best[0]:
        raise SystemExit(f"error: {db}: no finished run to show (train one with `make train`)")
    return best[1], best[2]


def screenshot(browser: str, url: str, window: str, path: Path) -> None:
    # virtual time lets the page's scripts fetch and draw before the picture is taken
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={window}", "--virtual-time-budget=25000", f"--screenshot={path}", url],
                   check=True, capture_output=True, timeout=180)
    print(path)


def pages(experiment: str, runs: list[str]) -> dict[str, tuple[str, str]]:
    """name: (address after the UI's root, window size); the comparison's metric table is below its plots."""
    from newsseg.tracking import RUNS_VIEW_KEY

    compare = urllib.parse.urlencode({"runs": json.dumps(runs), "experiments": json.dumps([experiment]), **ML})
    ml = urllib.parse.urlencode(ML)
    table = urllib.parse.urlencode({"viewStateShareKey": RUNS_VIEW_KEY, **ML})
    return {"experiments": (f"#/experiments?{ml}", WINDOW),
            "runs_table": (f"#/experiments/{experiment}/runs?{table}", WINDOW),
            "compare_runs": (f"#/compare-runs?{compare}", TALL_WINDOW),
            "run_model_metrics": (f"#/experiments/{experiment}/runs/{runs[0]}/model-metrics?{ml}", WINDOW)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("mlruns"), help="folder holding mlflow.db")
    parser.add_argument("--out", type=Path, default=Path("outputs/ui_screenshots"))
    args = parser.parse_args()
    browser = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if browser is None:
        raise SystemExit("error: no headless Chromium found (apt-get install chromium)")
    if not (args.store / "mlflow.db").is_file():
        raise SystemExit(f"error: {args.store / 'mlflow.db'}: no such file")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mlflow.db"
        shutil.copy2(args.store / "mlflow.db", db)  # run artifacts stay where the runs' records point
        experiment, runs = latest_runs(db)
        port = free_port()
        server = start_ui(db, port)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_until_up(url.rstrip("/"))
            for name, (page, window) in pages(experiment, runs).items():
                screenshot(browser, url + page, window, args.out / f"{name}.png")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)


if __name__ == "__main__":
    main()

"""Shared fixtures. Tiers: tests/unit (literal strings, fast), tests/smoke (end-to-end on tiny data),
tests/real (read ../shared/data by path; skipped when it is absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BUNDLED = ROOT / "data" / "corpus" / "bundled.jsonl"



def bundled_lines() -> list[str]:
    """Every line of the bundled pages, as written (empty ones too)."""
    return [line for row in BUNDLED.read_text(encoding="utf-8").splitlines()
            for line in json.loads(row)["text"].splitlines()]


def stub_pipeline():
    """A Pipeline without a model that labels each document it is given one news_body segment: the paths
    around the model (reading, failed documents, output) without training one."""
    from newsseg.inference import Pipeline
    from newsseg.labels import LABELS

    class StubPipeline(Pipeline):
        def predict_documents(self, docs, memory=None, with_scores=True):
            scores = {"scores": {label: float(label == "news_body") for label in LABELS}} if with_scores else {}
            return [[{"start": 0, "end": len(d.text), "label": "news_body", "score": 1.0, **scores}] for d in docs]

    return StubPipeline(model=None, decoder=None)


requires_shared = pytest.mark.skipif(
    not (SHARED_DATA / "real").is_dir(),
    reason=f"real data not available at {SHARED_DATA} (it is not shipped with newsseg)",
)


@pytest.fixture(autouse=True)
def _forget_tracking_uri():
    """mlflow.set_tracking_uri() exports MLFLOW_TRACKING_URI: drop it after each test so that the
    next test's store follows its own working directory."""
    yield
    os.environ.pop("MLFLOW_TRACKING_URI", None)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder with its own MLflow store (mlruns/ under it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return tmp_path


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny_data_config(workdir) -> Path:
    """A data config over the first pages of the bundled corpus (several sites), built under workdir."""
    path = workdir / "tiny.yaml"
    path.write_text(
        "name: tiny\n"
        "sources:\n"
        f"  - reader: jsonl\n    path: {BUNDLED}\n    limit: 48\n"
        "split: {validation: 0.2, test: 0.2, seed: 3}\n"
        f"output_dir: {workdir / 'processed'}\n"
    )
    return path


def train_config(workdir: Path, data_config: Path, model: dict, decoder: str = "none", name: str = "smoke",
                 **extra) -> Path:
    import yaml

    config = {"name": name, "data": str(data_config), "model": model,
              "decoder": {"name": decoder, **({"train_on": "validation"} if model["name"] == "minilm_finetune" else {})},
              "seed": 7, **extra}
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def subprocess_env() -> dict:
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory):
    """One model trained on tiny data in its own store, shared by the inference tests (training once
    keeps the suite short). Tests that use it run in that store's folder (``workdir_with_model``)."""
    store = tmp_path_factory.mktemp("store")
    previous = os.getcwd()
    os.chdir(store)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    from newsseg.training import train

    try:
        (store / "tiny.yaml").write_text(
            f"name: tiny\nsources:\n  - reader: jsonl\n    path: {BUNDLED}\n    limit: 48\n"
            f"split: {{validation: 0.2, test: 0.2, seed: 3}}\noutput_dir: {store / 'processed'}\n")
        # 100 boosting rounds: enough that the site-recurrence features change the output (a worker test needs it).
        config = train_config(store, store / "tiny.yaml", {"name": "layout_gbt", "max_iter": 100}, "viterbi")
        result = train(config, progress=False)
    finally:
        os.chdir(previous)
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    return store, result


@pytest.fixture
def workdir_with_model(trained_store, monkeypatch):
    store, _ = trained_store
    monkeypatch.chdir(store)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return store


@pytest.fixture
def trained(trained_store, workdir_with_model):
    return trained_store[1]



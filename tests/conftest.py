"""Shared fixtures (plain helpers are in tests/helpers.py). Tiers: tests/unit (literal strings, fast), tests/smoke (end-to-end on tiny data),
tests/real (read ../shared/data by path; skipped when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import tiny_data_yaml, train_config


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


@pytest.fixture
def tiny_data_config(workdir) -> Path:
    """A data config over the first pages of the bundled corpus (several sites), built under workdir."""
    path = workdir / "tiny.yaml"
    path.write_text(tiny_data_yaml(workdir))
    return path


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
        (store / "tiny.yaml").write_text(tiny_data_yaml(store))
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



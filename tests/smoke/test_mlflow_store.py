"""The MLflow store as the UI shows it: our experiments marked as model training, no empty "Default",
datasets logged without warnings (each test makes a small sqlite store)."""

import warnings

import mlflow
import pandas as pd
import pytest
from mlflow.entities import LifecycleStage

from newsseg import tracking


def kind(experiment_id: str) -> str | None:
    return mlflow.MlflowClient().get_experiment(experiment_id).tags.get(tracking.EXPERIMENT_KIND_TAG)


@pytest.mark.smoke
def test_a_new_store_lists_only_our_experiment_marked_as_model_training(workdir):
    tracking.configure()
    experiment = tracking.experiment_id("trial")
    assert kind(experiment) == tracking.MODEL_TRAINING_KIND
    assert [e.name for e in mlflow.MlflowClient().search_experiments()] == ["trial"]
    default = mlflow.MlflowClient().get_experiment(tracking.DEFAULT_EXPERIMENT_ID)
    assert default.lifecycle_stage == LifecycleStage.DELETED  # kept as a row, so MLflow does not make it again
    tracking.configure()
    assert mlflow.MlflowClient().get_experiment(tracking.DEFAULT_EXPERIMENT_ID).lifecycle_stage == "deleted"


@pytest.mark.smoke
def test_experiments_of_older_stores_get_the_kind_tag(workdir):
    tracking.configure()
    older = mlflow.MlflowClient().create_experiment("older")
    assert kind(older) is None
    tracking.configure()
    assert kind(older) == tracking.MODEL_TRAINING_KIND


@pytest.mark.smoke
def test_a_default_experiment_with_runs_is_left_alone(workdir):
    tracking.configure()
    mlflow.MlflowClient().restore_experiment(tracking.DEFAULT_EXPERIMENT_ID)
    mlflow.MlflowClient().create_run(tracking.DEFAULT_EXPERIMENT_ID)
    tracking.configure()
    assert mlflow.MlflowClient().get_experiment(tracking.DEFAULT_EXPERIMENT_ID).lifecycle_stage == "active"


@pytest.mark.smoke
def test_datasets_are_logged_with_an_explicit_source_and_no_warning(workdir):
    frame = pd.DataFrame({"doc_id": ["d"], "site": ["s"], "index": [0], "start": [0], "end": [4], "text": ["Text"],
                          "label": [0]})
    (workdir / "built").mkdir()
    with tracking.run("trial", "run", {}, {}) as run_id, warnings.catch_warnings():
        warnings.simplefilter("error")
        tracking.log_dataset(frame, "tiny-train", str(workdir / "built"), "train", "abc-train")
    [logged] = mlflow.MlflowClient().get_run(run_id).inputs.dataset_inputs
    assert logged.dataset.source_type == "local" and (workdir / "built").as_uri() in logged.dataset.source

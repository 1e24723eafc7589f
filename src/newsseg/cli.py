"""The ``newsseg`` command: a thin Typer layer over the library functions."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import List, Optional

import typer

from . import LOG_FORMAT

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Label the segments of scraped news pages.")
data_app = typer.Typer(no_args_is_help=True, help="Build datasets from data configs.")
app.add_typer(data_app, name="data")

SET_HELP = "override a config key, e.g. --set split.seed=7 (repeatable)"


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _run(fn, *args, **kwargs):
    """Call a library function; expected errors become one line on stderr and a non-zero exit."""
    from .config import ConfigError
    from .readers import InputError

    try:
        return fn(*args, **kwargs)
    except (ConfigError, InputError, KeyError, FileNotFoundError, ValueError, ChildProcessError) as exc:
        # ModelNotFound is a ValueError: its message says how to list runs
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        _fail(message)


@app.callback()
def _setup(verbose: bool = typer.Option(False, "--verbose", "-v", help="debug logging")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format=LOG_FORMAT)
    if not verbose:  # MLflow logs store creation and model logging at INFO on its own handler
        # it sets its loggers' level from this variable when it is imported, after this
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
        logging.getLogger("mlflow").setLevel(logging.WARNING)


@data_app.command("build")
def data_build(
    config: Path = typer.Argument(..., help="data config, e.g. configs/data/bundled.yaml"),
    set_: List[str] = typer.Option([], "--set", help=SET_HELP),
    force: bool = typer.Option(False, "--force", help="rebuild even when config and inputs are unchanged"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="report and skip bad records in every source "
                                                            "instead of stopping at the first"),
) -> None:
    """Read the config's sources, segment and label them, write a site-grouped DatasetDict."""
    from .config import load_data_config
    from .dataset import build_dataset, stats_table

    cfg = _run(load_data_config, config, set_)
    for source in cfg.sources if skip_bad else ():
        source.skip_bad = True
    result = _run(build_dataset, cfg, force=force)
    typer.echo(f"{'built' if result.built else 'up to date (use --force to rebuild)'}: {result.path}")
    typer.echo(stats_table(result.stats))
    skipped = sum(result.stats.get("skipped_records", {}).values())
    if skipped:
        typer.echo(f"skipped {skipped} bad record(s) (skip_bad)")


@app.command("segment")
def segment_cmd(
    file: Path = typer.Argument(..., help="a .txt document"),
    segmenter: str = typer.Option("lines", help="lines | paragraphs"),
    max_chars: int = typer.Option(1500, help="longer units are split at sentence ends"),
) -> None:
    """Print a document's segments with their character offsets."""
    from .readers import read_documents
    from .segmentation import segment

    docs = _run(lambda: list(read_documents("txt_folder", file)))
    for doc in docs:
        segments = _run(segment, doc, segmenter, max_chars)
        for seg in segments:
            preview = seg.text if len(seg.text) <= 100 else seg.text[:97] + "..."
            typer.echo(f"{seg.index:>4} {seg.start:>7} {seg.end:>7}  {preview}")
        typer.echo(f"{doc.id}: {len(segments)} segments", err=True)


@app.command("train")
def train_cmd(
    config: Path = typer.Argument(..., help="train config, e.g. configs/train/tfidf_logreg.yaml"),
    set_: List[str] = typer.Option([], "--set", help=SET_HELP + "; data.<key>=v overrides the data config"),
    promote_if_better: bool = typer.Option(False, "--promote-if-better",
                                           help="make this run the champion if it beats the current one"),
) -> None:
    """Train one model, evaluate it, log it to MLflow; prints one JSON line {run_id, model_uri, metrics}."""
    from . import training
    from .progress import show_progress

    show_progress()
    result = _run(training.train, config, set_)
    if promote_if_better:
        _, message = training.promote_if_better(result)
        typer.echo(message, err=True)
    typer.echo(result.to_json())


@app.command("evaluate")
def evaluate_cmd(
    model: str = typer.Option(..., "--model", help="champion, latest, runs:/..., models:/... or a model folder"),
    data: Path = typer.Option(..., "--data", help="gold JSONL file (id, text, spans)"),
    errors: int = typer.Option(10, help="how many of the worst errors to print"),
) -> None:
    """Evaluate a saved model on a gold JSONL file."""
    from .evaluation import evaluate_body, evaluate_frame, format_report
    from .inference import load_model
    from .training import gold_frame

    pipeline = _run(load_model, model)
    frame = _run(gold_frame, str(data), pipeline)
    labels, scores = pipeline.predict_frame(frame)
    body = evaluate_body(frame["label"].to_numpy(), labels, (frame["end"] - frame["start"]).to_numpy())
    typer.echo("article against the rest: " + "   ".join(f"{k} {v:.3f}" for k, v in body.items()))
    full = frame["label"].to_numpy() >= 0  # the five labels only where the gold says which (no partial label)
    if not full.any():
        typer.echo(json.dumps({k: round(v, 4) for k, v in body.items()}))
        return
    frame, labels, scores = frame[full].reset_index(drop=True), labels[full], scores[full]
    result = evaluate_frame(frame, labels, scores, n_errors=errors)
    result["metrics"].update(body)
    typer.echo(format_report(result["metrics"]))
    for site, value in result["details"]["macro_f1_per_site"].items():
        typer.echo(f"  site {site:<40} macro-F1 {value:.3f}")
    if errors:
        typer.echo(result["errors"].to_string(index=False, max_colwidth=80))
    typer.echo(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result["metrics"].items()}))


@app.command("promote")
def promote_cmd(run_id: str = typer.Argument(..., help="the run whose registered model becomes champion")) -> None:
    """Set the registry alias 'champion' to a run's model."""
    from . import tracking

    version = _run(tracking.promote, run_id)
    typer.echo(f"newsseg version {version} (run {run_id}) is now champion")


@app.command("runs")
def runs_cmd(
    experiment: Optional[str] = typer.Option(None, help="only this experiment"),
    sort: str = typer.Option("test_macro_f1", help="metric to sort by (descending)"),
    limit: int = typer.Option(20, help="rows to show"),
) -> None:
    """A table of runs: model family, decoder, key metrics, model URI."""
    from . import tracking

    runs = _run(tracking.search_runs, experiment, sort)
    if runs.empty:
        typer.echo("no runs yet: train one with `newsseg train configs/train/tfidf_logreg.yaml`")
        return
    columns = {"run_id": "run_id", "tags.mlflow.runName": "name", "tags.model_family": "family",
               "tags.decoder": "decoder", "status": "status", "metrics.val_macro_f1": "val_f1",
               f"metrics.{sort}": sort, "metrics.test_body_char_f1": "body_char_f1",
               "metrics.train_seconds": "train_s"}
    table = runs[[c for c in columns if c in runs.columns]].rename(columns=columns).head(limit)
    table = table.loc[:, ~table.columns.duplicated()]
    table["model_uri"] = "runs:/" + table["run_id"] + "/model"
    typer.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


@app.command("predict")
def predict_cmd(
    inputs: List[Path] = typer.Argument(..., help=".txt files, folders of them, .jsonl (id, text) or .csv"),
    model: str = typer.Option("champion", "--model", "-m",
                              help="champion, latest, runs:/..., models:/... or a model folder"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="output file (default: stdout)"),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl | text | html"),
    keep: str = typer.Option("news_body", "--keep", help="labels kept by --format text, comma-separated"),
    id_column: str = typer.Option("id", "--id-column", help="id column of .csv / key of .jsonl inputs"),
    text_column: str = typer.Option("text", "--text-column", help="text column of .csv / key of .jsonl inputs"),
    batch_size: int = typer.Option(64, help="documents labelled together"),  # predict.DEFAULT_BATCH_SIZE
    workers: int = typer.Option(0, help="worker processes (0: one per core; 1 for a single .txt file)"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run (jsonl with -o): skip ids "
                                                        "already written"),
    threads: int = typer.Option(0, help="math threads per worker (0: the cores shared out among the workers)"),
) -> None:
    """Label documents with a saved model. Every input document appears once in the output, in order."""
    import os

    from .inference import model_folder
    from .predict import predict_files

    pipeline = _run(model_folder, model)  # loaded by predict_files, or only by its workers
    if workers == 0:  # one per core, but no process pool for a single page
        workers = 1 if len(inputs) == 1 and inputs[0].is_file() and inputs[0].suffix == ".txt" else os.cpu_count() or 1
    summary = _run(predict_files, pipeline, inputs, output, fmt, [k.strip() for k in keep.split(",") if k.strip()],
                   id_column, text_column, batch_size, True, workers, resume, threads)
    typer.echo(f"{summary.documents} documents, {summary.failed} failed"
               + (f", written to {output}" if output else ""), err=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command("weak-labels")
def weak_labels_cmd(
    data: Path = typer.Argument(..., help="gold JSONL (accuracy is reported) or any .jsonl / .csv / folder of pages"),
    text_column: str = typer.Option("text", "--text-column", help="text column of .csv / key of .jsonl inputs"),
) -> None:
    """Report each labelling function's coverage, conflicts and (on gold data) accuracy."""
    import pandas as pd

    from .dataset import COLUMNS, document_rows
    from .readers import ReaderOptions, guess_reader, read_documents
    from .weak_labels import evaluate_functions

    docs = _run(lambda: list(read_documents(guess_reader(data), data, ReaderOptions(text_column=text_column))))
    frame = pd.DataFrame([r for d in docs for r in document_rows(d, "lines", 1500, 0)], columns=list(COLUMNS))
    if frame["label"].isna().all():
        frame = frame.drop(columns="label")
    typer.echo(evaluate_functions(frame).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@app.command("spark-predict")
def spark_predict_cmd(
    model: str = typer.Option("champion", "--model", "-m", help="champion, latest, runs:/..., models:/..."),
    input_path: str = typer.Argument(..., metavar="INPUT", help=".jsonl, .csv or Parquet with id and text columns"),
    output_path: str = typer.Argument(..., metavar="OUTPUT", help="Parquet folder of segments to write"),
    master: str = typer.Option("local[*]", help="Spark master URL"),
    id_column: str = typer.Option("id", "--id-column", help="id column"),
    text_column: str = typer.Option("text", "--text-column", help="text column"),
    partitions: Optional[int] = typer.Option(None, help="repartition the input into this many partitions"),
) -> None:
    """Label a corpus on Spark; writes Parquet rows (id, index, start, end, label, score, error)."""
    try:
        from .spark import spark_predict
        import pyspark  # noqa: F401
    except ImportError:
        _fail("Spark is an optional extra: pip install -e '.[spark]' (and Java 17)")
    rows = _run(spark_predict, model, input_path, output_path, master, id_column, text_column, partitions)
    typer.echo(f"{rows} segment rows written to {output_path}", err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

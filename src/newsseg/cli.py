"""The ``newsseg`` command: a thin Typer layer over the library functions."""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path
from typing import List, Optional

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, _TyperParameter

from newsseg.progress import LOG_FORMAT

# What --help shows for a value of each type, where a parameter names no metavar.
_TYPE_METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH", "Path": "PATH"}


def _help_metavar(param, ctx) -> str | None:
    """What --help shows after a parameter's name. Typer shows Python types (``<bool>``, ``<list[Path]>``),
    so that a flag looks as if it took a value: here a flag and an argument (whose name is its metavar)
    show nothing, an option its metavar or the word for its type."""
    if isinstance(param, TyperArgument) or getattr(param, "is_flag", False):
        return None
    if param.metavar is not None:
        return param.metavar
    label = _TyperParameter.display_type(param, ctx)[1:-1]  # "int", "list[str]", "bash|zsh|..."
    label = label.removeprefix("list[").removesuffix("]")
    return _TYPE_METAVARS.get(label, label)


class _PlainMetavars:
    """A command or group whose --help shows ``_help_metavar``."""

    def get_params(self, ctx):
        params = super().get_params(ctx)
        for param in params:
            param.display_type_rich = functools.partial(_help_metavar, param)
        return params


class PlainCommand(_PlainMetavars, TyperCommand):
    pass


class PlainGroup(_PlainMetavars, TyperGroup):
    pass


class NewssegTyper(typer.Typer):
    """A Typer whose commands show ``_help_metavar`` in their help."""

    def command(self, *args, cls=PlainCommand, **kwargs):
        return super().command(*args, cls=cls, **kwargs)


app = NewssegTyper(cls=PlainGroup, no_args_is_help=True, pretty_exceptions_enable=False,
                   help="Label the segments of scraped news pages.")
data_app = NewssegTyper(cls=PlainGroup, no_args_is_help=True, help="Build datasets from data configs.")
app.add_typer(data_app, name="data")

log = logging.getLogger(__name__)
SET_HELP = "override a config key, e.g. --set split.seed=7 (repeatable)"
MODEL_HELP = "champion, latest, runs:/..., models:/... or a model folder"


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _run(fn, *args, **kwargs):
    """Call a library function; expected errors become one line on stderr and a non-zero exit."""
    from newsseg.config import ConfigError
    from newsseg.extras import MissingExtra
    from newsseg.io.reader_base import InputError

    try:
        return fn(*args, **kwargs)
    except (ConfigError, InputError, KeyError, FileNotFoundError, ValueError, ChildProcessError, MissingExtra) as exc:
        # ModelNotFound is a ValueError: its message says how to list runs
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        _fail(message)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("newsseg")
        except PackageNotFoundError:  # run from a source tree that is not installed
            from newsseg import __version__ as number
        typer.echo(f"newsseg {number}")
        raise typer.Exit()


@app.callback()
def _setup(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="log each step (debug logging)"),
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                  help="print newsseg's version and exit"),
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format=LOG_FORMAT)
    if not verbose:  # MLflow logs store creation and model logging at INFO on its own handler
        # it sets its loggers' level from this variable when it is imported, after this
        os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
        logging.getLogger("mlflow").setLevel(logging.WARNING)


@data_app.command("build")
def data_build(
    config: Path = typer.Argument(..., metavar="CONFIG", help="data config, e.g. configs/data/bundled.yaml"),
    set_: List[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=SET_HELP),
    force: bool = typer.Option(False, "--force", help="rebuild even when config and inputs are unchanged"),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="report and skip bad records in every source "
                                                            "instead of stopping at the first"),
) -> None:
    """Read the config's sources, segment and label them, write a site-grouped DatasetDict."""
    from newsseg.config import load_data_config
    from newsseg.data.dataset import build_dataset, stats_table

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
    file: Path = typer.Argument(..., metavar="FILE", help="a .txt document"),
    segmenter: str = typer.Option("lines", metavar="lines|paragraphs", help="how the text is cut into segments"),
    max_chars: int = typer.Option(1500, metavar="N", help="longer units are split at sentence ends"),
) -> None:
    """Print a document's segments with their character offsets."""
    from newsseg.io.readers import read_documents
    from newsseg.text.segmentation import segment

    docs = _run(lambda: list(read_documents("txt_folder", file)))
    for doc in docs:
        segments = _run(segment, doc, segmenter, max_chars)
        for seg in segments:
            preview = seg.text if len(seg.text) <= 100 else seg.text[:97] + "..."
            typer.echo(f"{seg.index:>4} {seg.start:>7} {seg.end:>7}  {preview}")
        typer.echo(f"{doc.id}: {len(segments)} segments", err=True)


@app.command("train")
def train_cmd(
    config: Path = typer.Argument(..., metavar="CONFIG", help="train config, e.g. configs/train/tfidf_logreg.yaml"),
    set_: List[str] = typer.Option([], "--set", metavar="KEY=VALUE",
                                   help=SET_HELP + "; data.<key>=v overrides the data config"),
    promote_if_better: bool = typer.Option(False, "--promote-if-better",
                                           help="make this run the champion if it beats the current one"),
) -> None:
    """Train one model, evaluate it, log it to MLflow; prints one JSON line {run_id, model_uri, metrics}."""
    from newsseg import training
    from newsseg.progress import show_progress

    show_progress()
    result = _run(training.train, config, set_)
    if promote_if_better:
        _, message = training.promote_if_better(result)
        typer.echo(message, err=True)
    typer.echo(result.to_json())


@app.command("evaluate")
def evaluate_cmd(
    model: str = typer.Option(..., "--model", metavar="MODEL", help=MODEL_HELP),
    data: Path = typer.Option(..., "--data", metavar="PATH", help="gold JSONL file (id, text, spans)"),
    errors: int = typer.Option(10, metavar="N", help="how many of the worst errors to print"),
) -> None:
    """Evaluate a saved model on a gold JSONL file."""
    from newsseg.evaluation import evaluate_body, evaluate_frame, format_report
    from newsseg.tracking import load_model
    from newsseg.training import gold_frame

    pipeline = _run(load_model, model)
    frame = _run(gold_frame, str(data), pipeline)
    if frame.empty:  # nothing to score: scikit-learn would fail on the empty arrays
        _fail(f"{data}: no document has gold `spans` ([[start, end, label], ...]); evaluate needs labelled "
              "documents")
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
def promote_cmd(run_id: str = typer.Argument(..., metavar="RUN_ID",
                                             help="the run whose registered model becomes champion")) -> None:
    """Set the registry alias 'champion' to a run's model."""
    from newsseg import tracking

    version = _run(tracking.promote, run_id)
    typer.echo(f"newsseg version {version} (run {run_id}) is now champion")


@app.command("runs")
def runs_cmd(
    experiment: Optional[str] = typer.Option(None, metavar="NAME", help="only this experiment"),
    sort: str = typer.Option("test_macro_f1", metavar="METRIC", help="metric to sort by (descending)"),
    limit: int = typer.Option(20, metavar="N", help="rows to show"),
) -> None:
    """A table of runs: model family, decoder, key metrics, model URI."""
    from newsseg import tracking

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
    inputs: List[Path] = typer.Argument(..., metavar="PATH",  # the usage line shows "PATH..."
                                        help="one or more: .txt or .html files, folders of them, .jsonl (id, "
                                             "text), .csv, .parquet, .warc[.gz] or .wet[.gz]"),
    model: str = typer.Option("champion", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="PATH",
                                          help="output file (default: stdout)"),
    fmt: str = typer.Option("jsonl", "--format", "-f", metavar="jsonl|text|html|parquet",
                            help="output format (parquet needs -o)"),
    keep: str = typer.Option("news_body", "--keep", metavar="LABELS",
                             help="labels kept by --format text, comma-separated"),
    id_column: str = typer.Option("id", "--id-column", metavar="NAME",
                                  help="id column of .csv / .parquet, key of .jsonl inputs"),
    text_column: str = typer.Option("text", "--text-column", metavar="NAME",
                                    help="text column of .csv / .parquet, key of .jsonl inputs"),
    batch_size: int = typer.Option(64, metavar="N", help="documents labelled together"),  # predict.DEFAULT_BATCH_SIZE
    workers: int = typer.Option(0, metavar="N",
                                help="worker processes (0: one per core; 1 for a single .txt or .html file or "
                                     "inputs under 6 MB, where starting workers costs more than it saves)"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run (jsonl with -o) from its "
                                                        "partial output; the result is that of an uninterrupted run"),
    threads: int = typer.Option(0, metavar="N",
                                help="math threads per worker (0: the cores shared out among the workers)"),
) -> None:
    """Label documents with a saved model. Every input document appears once in the output, in order."""
    from newsseg.serving.predict import (
        PredictInterrupted,
        PredictOptions,
        default_workers,
        predict_files,
    )
    from newsseg.tracking import model_folder

    pipeline = _run(model_folder, model)  # loaded by predict_files, or only by its workers
    log.info("model %s: %s", model, pipeline)
    if workers == 0:
        workers = default_workers(inputs)
    options = PredictOptions(fmt, tuple(k.strip() for k in keep.split(",") if k.strip()), id_column, text_column,
                             batch_size, progress=True, workers=workers, resume=resume, threads=threads)
    try:
        summary = _run(predict_files, pipeline, inputs, output, options)
    except PredictInterrupted as stop:
        _fail_interrupted(stop)
    except KeyboardInterrupt:  # while the model loads: nothing was labelled
        _fail("interrupted before any document was labelled", 130)
    typer.echo(f"{summary.documents} documents, {summary.failed} failed"
               + (f", written to {output}" if output else ""), err=True)
    if summary.failed:
        _report_failures(summary)
        raise typer.Exit(1)


def _fail_interrupted(stop) -> None:
    """One line for a run stopped by SIGINT / SIGTERM: where its output is and how to continue; the shell's
    exit code for the signal (130, 143)."""
    import shlex
    import sys

    typer.echo(stop.describe(shlex.join(["newsseg", *sys.argv[1:]])), err=True)
    raise typer.Exit(128 + stop.signum)


def _report_failures(summary) -> None:
    """The first failed documents' ids and errors (each on one line), then how many more failed."""
    for doc_id, error in summary.failures:
        lines = error.removeprefix(f"{doc_id}: ").splitlines() or [""]  # "FILE:LINE: ..." under the id FILE:LINE
        typer.echo(f"  {doc_id}: {lines[0][:300]}", err=True)
    if summary.failed > len(summary.failures):
        typer.echo(f"  … and {summary.failed - len(summary.failures)} more", err=True)


@app.command("weak-labels")
def weak_labels_cmd(
    data: Path = typer.Argument(..., metavar="PATH",
                                help="gold JSONL (accuracy is reported) or any .jsonl / .csv / folder of pages"),
    text_column: str = typer.Option("text", "--text-column", metavar="NAME",
                                    help="text column of .csv / key of .jsonl inputs"),
) -> None:
    """Report each labelling function's coverage, conflicts and (on gold data) accuracy."""
    import pandas as pd

    from newsseg.data.segment_rows import COLUMNS, document_rows
    from newsseg.data.weak_labels import evaluate_functions
    from newsseg.io.reader_base import ReaderOptions
    from newsseg.io.readers import guess_reader, read_documents

    docs = _run(lambda: list(read_documents(guess_reader(data), data, ReaderOptions(text_column=text_column))))
    frame = pd.DataFrame([r for d in docs for r in document_rows(d, "lines", 1500, 0)], columns=list(COLUMNS))
    if frame["label"].isna().all():
        frame = frame.drop(columns="label")
    typer.echo(evaluate_functions(frame).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@app.command("spark-predict")
def spark_predict_cmd(
    model: str = typer.Option("champion", "--model", "-m", metavar="MODEL", help="champion, latest, runs:/..., models:/..."),
    input_path: str = typer.Argument(..., metavar="INPUT", help=".jsonl, .csv or Parquet with id and text "
                                    "columns; or .warc[.gz], .wet[.gz], .html, .htm files (a file, a folder or a glob)"),
    output_path: str = typer.Argument(..., metavar="OUTPUT", help="Parquet folder of segments to write"),
    master: str = typer.Option("local[*]", metavar="URL", help="Spark master URL"),
    id_column: str = typer.Option("id", "--id-column", metavar="NAME", help="id column"),
    text_column: str = typer.Option("text", "--text-column", metavar="NAME", help="text column"),
    partitions: Optional[int] = typer.Option(None, metavar="N", help="partitions of sites labelled in parallel "
                                                                    "(default: spark.sql.shuffle.partitions)"),
    batch_size: int = typer.Option(64, metavar="N", help="as predict's --batch-size: the labels are those of "
                                                          "`predict --workers 1` with it"),
) -> None:
    """Label a corpus on Spark; writes Parquet rows (id, index, start, end, label, score, error). The labels are
    those `newsseg predict --workers 1` gives the same file."""
    try:
        import pyspark  # noqa: F401

        from newsseg.serving.spark import spark_predict
    except ImportError:
        _fail("Spark is an optional extra: pip install -e '.[spark]' (and Java 17)")
    rows = _run(spark_predict, model, input_path, output_path, master, id_column, text_column, partitions, batch_size)
    typer.echo(f"{rows} segment rows written to {output_path}", err=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

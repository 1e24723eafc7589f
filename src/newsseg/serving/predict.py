"""Batch prediction over files: read documents as a stream, label them, write jsonl / text / html / parquet.

``predict_files`` joins the parts: its inputs in batches (``predict_inputs``), labelled here or by worker
processes (``predict_runner``), written in input order (``writers``).

Nothing is lost: every input document appears in the output exactly once, in input order; one that
cannot be read or labelled appears with an ``error`` field. Output goes to a hidden partial file that
is renamed at the end, so a crashed run never leaves a half-written result under the final name, and
``--resume`` continues from the partial file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from newsseg.io.reader_base import SINGLE_PAGE_SUFFIXES
from newsseg.io.writers import FORMATS, WRITERS, OutputSettings, WrittenBatch
from newsseg.labels import LABELS
from newsseg.pipeline_settings import read_pipeline_settings
from newsseg.serving.inputs import (
    DEFAULT_BATCH_SIZE,
    iter_input_batches,
    partial_path,
    resume_point,
    with_written_before,
)
from newsseg.serving.runner import InProcessRunner, WorkerRunner
from newsseg.serving.signals import PredictSignals

if TYPE_CHECKING:  # with workers, this process only hands the model folder on: it never imports the model's stack
    from newsseg.pipeline import Pipeline

log = logging.getLogger(__name__)

REPORTED_FAILURES = 10  # failed documents a summary names


@dataclass(frozen=True)
class PredictOptions:
    """How ``predict_files`` reads, labels and writes.

    ``fmt``: one of ``writers.FORMATS``; ``keep``: the labels the text format keeps; ``id_column`` /
    ``text_column``: of the table inputs (keys of JSONL). ``workers`` > 1 (0: one per core) labels the
    batches in that many processes; ``threads``: math threads per worker (0: the cores shared out among the
    workers). ``resume`` continues an interrupted run from its partial output (jsonl only)."""

    fmt: str = "jsonl"
    keep: Sequence[str] = ("news_body",)
    id_column: str = "id"
    text_column: str = "text"
    batch_size: int = DEFAULT_BATCH_SIZE
    progress: bool = True
    workers: int = 1
    resume: bool = False
    threads: int = 0

    def check(self, output: Path | None) -> None:
        """Raise ValueError for settings that do not go together (before anything is read or written)."""
        if self.fmt not in WRITERS:
            raise ValueError(f"unknown format {self.fmt!r}; choose one of {', '.join(FORMATS)}")
        unknown = set(self.keep) - set(LABELS)
        if unknown:
            raise ValueError(f"--keep: unknown label(s) {', '.join(sorted(unknown))} (labels: {', '.join(LABELS)})")
        if self.fmt == "parquet" and (output is None or self.resume):
            raise ValueError("--format parquet needs an --output file, and cannot --resume (an interrupted Parquet "
                             "file cannot be appended to)")
        if self.resume and (output is None or self.fmt != "jsonl"):
            raise ValueError("--resume needs --format jsonl and an --output file")
        if self.workers < 0:
            raise ValueError(f"--workers must be 0 (one per core) or more, got {self.workers}")
        if self.threads < 0:
            raise ValueError(f"--threads must be 0 (automatic) or more, got {self.threads}")


def is_single_page(inputs: Sequence[Path]) -> bool:
    """Whether the inputs are one page (a .txt or .html file): labelled in one process, written without a
    header."""
    return len(inputs) == 1 and inputs[0].suffix.lower() in SINGLE_PAGE_SUFFIXES


# Below this many bytes of input (on disk), one process labels it about as soon as two: on 1 MB of text two
# workers took 2.8 s against 2.5 s for one process, on 3 MB 3.1 s against 2.9, on 6 MB 3.5 s each (this
# 2-core machine, FakeNewsCorpus pages, whole commands; BENCHMARKS.md, "End to end again"). It was 12 MB while
# this process imported the model's libraries before starting the workers.
ONE_WORKER_BELOW_BYTES = 6_000_000


def default_workers(inputs: Sequence[Path]) -> int:
    """One worker process per core, but one process for a single page or inputs under
    ``ONE_WORKER_BELOW_BYTES``, where starting more workers would cost more time than they save."""
    if is_single_page(inputs) or _bytes_up_to(inputs, ONE_WORKER_BELOW_BYTES) < ONE_WORKER_BELOW_BYTES:
        return 1
    return os.cpu_count() or 1


def _bytes_up_to(inputs: Sequence[Path], limit: int) -> int:
    """The inputs' size on disk (folders: their files), counted until it reaches ``limit``; missing paths count
    nothing (the readers report them)."""
    total = 0
    for path in inputs:
        files = (f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            total += file.stat().st_size
            if total >= limit:
                return total
    return total


@dataclass
class PredictSummary:
    """What a run wrote: its documents, how many failed, their characters, and the first failures."""

    documents: int = 0
    failed: int = 0
    characters: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, error) of the first failed documents

    def add(self, written: WrittenBatch) -> None:
        self.documents += written.documents
        self.failed += len(written.failures)
        self.characters += written.characters
        self.failures.extend(written.failures[:REPORTED_FAILURES - len(self.failures)])


class PredictInterrupted(KeyboardInterrupt):
    """A run stopped by SIGINT or SIGTERM (``signum``): ``documents`` of its output are in ``partial`` (None:
    written to stdout), each on a whole line."""

    def __init__(self, signum: int, partial: Path | None, documents: int, fmt: str) -> None:
        super().__init__(signum)
        self.signum, self.partial, self.documents, self.fmt = signum, partial, documents, fmt

    def describe(self, command: str) -> str:
        """One line: where the output so far is, and how to continue (``command``: the run's command line)."""
        if self.partial is None:
            return f"interrupted after {self.documents:,} documents (written to stdout; --resume needs -o FILE)"
        done = f"interrupted: {self.documents:,} documents in {self.partial}"
        if self.fmt != "jsonl":
            return f"{done} (--resume needs --format jsonl: run the command again to label everything)"
        resume = "" if "--resume" in command.split() else " --resume"
        return f"{done}; continue with: {command}{resume}"


def predict_files(pipeline: Pipeline | Path, inputs: Sequence[Path], output: Path | None,
                  options: PredictOptions = PredictOptions()) -> PredictSummary:
    """Label every document of ``inputs`` and write them, in input order, to ``output`` (or stdout).

    ``pipeline`` is a loaded Pipeline or its folder; with a folder and more than one worker, only the workers
    load it. Output is appended a batch at a time to a hidden ``.NAME.partial`` file, renamed to NAME at the
    end; ``options.resume`` continues an interrupted run from its partial file (jsonl only), to the output of
    a run that was never interrupted (the same batch size and workers). SIGINT and SIGTERM (in the main
    thread) raise ``PredictInterrupted``, which says what was written; a worker that dies stops the run with
    a ChildProcessError. The summary names the first ``REPORTED_FAILURES`` failed documents.
    """
    from tqdm.auto import tqdm

    options.check(output)
    workers = options.workers or os.cpu_count() or 1
    threads = options.threads or max(1, (os.cpu_count() or 1) // workers)
    if isinstance(pipeline, (str, os.PathLike)):  # fail before any output is written, naming the folder
        if workers == 1:
            from newsseg.pipeline import Pipeline

            log.info("loading the model from %s", pipeline)
            pipeline = Pipeline.load(pipeline)
        else:
            # Cheap: only the workers load the model, so they start without waiting for this process to
            # import numpy, pandas and numba (about a second).
            read_pipeline_settings(pipeline)
    log.info("labelling in batches of %d documents with %d worker process(es), %d math thread(s) each",
             options.batch_size, workers, threads)
    fmt = options.fmt
    summary = PredictSummary()
    written_before, last_id = 0, None  # resuming: the documents the partial output holds
    if output is None:
        out, partial = sys.stdout, None
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = partial_path(output)
        if options.resume:
            written_before, last_id = resume_point(partial)
        out = partial.open("wb") if fmt == "parquet" else partial.open("a" if options.resume else "w",
                                                                       encoding="utf-8")
    log.info("writing %s to %s", fmt, partial or "stdout")
    settings = OutputSettings(fmt, frozenset(options.keep), with_headers=not is_single_page(inputs))
    writer = settings.writer(out)
    batches = with_written_before(
        iter_input_batches(inputs, options.batch_size, options.id_column, options.text_column),
        written_before, last_id, partial)
    bar = tqdm(desc="labelling", unit=" docs", disable=not options.progress, file=sys.stderr)
    started = time.perf_counter()
    signals = PredictSignals()

    def put(written: WrittenBatch) -> None:
        with signals.writing_batch():  # a signal waits until the batch is written and flushed
            writer.put(written)
            out.flush()  # a chunk at a time: an interrupted run loses at most the batches in flight
            summary.add(written)
        log.debug("wrote %d documents (%d failed)", written.documents, len(written.failures))
        bar.update(written.documents)
        rate = summary.characters / 1e6 / max(time.perf_counter() - started, 1e-9)
        bar.set_postfix(MB_s=f"{rate:.2f}", failed=summary.failed, refresh=False)

    with signals:
        try:
            if not written_before:
                with signals.writing_batch():
                    writer.start()
            runner = InProcessRunner(pipeline, settings, threads) if workers == 1 else \
                WorkerRunner(pipeline, settings, workers, threads, signals)
            with runner:
                for written in runner.results(batches):
                    put(written)
            with signals.writing_batch():
                writer.finish()
        except BaseException as exc:
            if partial is not None:
                writer.close()
                out.close()  # the partial file stays: --resume continues from it
            if signals.received is not None or isinstance(exc, KeyboardInterrupt):
                bar.leave = False  # the interruption's one line says what the bar would
                raise PredictInterrupted(signals.received or signal.SIGINT, partial,
                                         written_before + summary.documents, fmt) from None
            if partial is not None and isinstance(exc, ChildProcessError):  # a dead worker: where the output is
                resuming = ": the same command with --resume continues from it" if fmt == "jsonl" else ""
                raise ChildProcessError(f"{exc}; what was labelled before is in {partial}{resuming}") from None
            raise
        finally:
            bar.close()
    if partial is not None:
        out.close()
        os.replace(partial, output)
        log.info("renamed %s to %s", partial, output)
    else:
        out.flush()
    return summary

"""Where ``predict``'s batches are labelled: here, in this process (``InProcessRunner``), or by worker processes
(``WorkerRunner``, on ``concurrent.futures.ProcessPoolExecutor``). Either gives the batches back labelled and
written out (``WrittenBatch``), in input order.

A worker's site memory holds the pages it labelled, so each worker is an executor of one process that takes
every ``workers``-th batch: the output is then the same on every run, whichever worker is free first.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from newsseg.io.writers import OutputSettings, WrittenBatch, write_batch
from newsseg.progress import LOG_FORMAT
from newsseg.serving.inputs import InputBatch, JsonlLines, WrittenBefore
from newsseg.serving.signals import PredictSignals

if TYPE_CHECKING:  # imported where a model is used: a parent with workers never loads one
    from newsseg.features.recurrence import SiteMemory
    from newsseg.pipeline import Pipeline

log = logging.getLogger(__name__)

BATCHES_IN_FLIGHT_PER_WORKER = 4  # enough that a worker given a long batch holds the others up rarely
WORKER_STOP_SECONDS = 5  # how long a stopped worker is given to exit before it is killed

Batches = Iterable[tuple[InputBatch, WrittenBefore | None]]


def label_batch(pipeline: Pipeline, memory: SiteMemory, settings: OutputSettings, batch: InputBatch,
                before: WrittenBefore | None = None) -> WrittenBatch:
    """Parse (JsonlLines), label and write one batch. Resuming, the documents ``before`` names are not
    written again; they feed the site memory as labelling them did, so the rest label as they did then
    (the batch that holds both kinds is labelled whole, as it was: a page's recurrence counts its batch)."""
    documents = batch.documents() if isinstance(batch, JsonlLines) else batch
    skip = min(before.count, len(documents)) if before else 0
    if skip:
        before.check(documents)
    if skip == len(documents):
        pipeline.remember_documents(documents, memory)
        return write_batch(settings, [], [])
    # The writers need no per-label scores.
    labelled = pipeline.label_documents(documents, memory, with_scores=False)
    return write_batch(settings, documents[skip:], labelled[skip:])


class InProcessRunner:
    """Labels the batches here, with one site memory, on ``threads`` math threads."""

    def __init__(self, pipeline: Pipeline, settings: OutputSettings, threads: int) -> None:
        self.pipeline, self.settings, self.threads = pipeline, settings, threads
        self._limits = ExitStack()

    def __enter__(self) -> InProcessRunner:
        from threadpoolctl import threadpool_limits

        from newsseg.torch_threads import torch_threads_capped

        # threadpoolctl caps OpenMP and BLAS; torch sets its own thread count, so it is capped apart.
        self._limits.enter_context(threadpool_limits(self.threads))
        self._limits.enter_context(torch_threads_capped(self.threads))
        return self

    def __exit__(self, *exc) -> None:
        self._limits.close()

    def results(self, batches: Batches) -> Iterator[WrittenBatch]:
        from newsseg.features.recurrence import SiteMemory

        memory = SiteMemory()  # pages of one site seen earlier in the stream: line recurrence
        for batch, before in batches:
            yield label_batch(self.pipeline, memory, self.settings, batch, before)


class _WorkerState:
    """Per-process state of a prediction worker: its pipeline, its site memory and the output settings."""

    pipeline: Pipeline | None = None
    memory: SiteMemory | None = None
    output: OutputSettings | None = None
    load_error: str | None = None  # raised with the first batch: a failing initializer breaks the executor


def _init_worker(pipeline_dir: str, threads: int, output: OutputSettings, log_level: int) -> None:
    # A Ctrl-C at the terminal reaches the workers too: the parent stops them and reports (see PredictSignals).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers share the cores instead of oversubscribing them; set before any OpenMP library (scikit-learn,
    # torch) loads, which is why torch is not imported here: a worker only pays for it if its model needs it.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    # Workers parse the input: their warnings (undecodable bytes) look as the parent's would.
    logging.basicConfig(level=log_level, format=LOG_FORMAT)
    from newsseg.features.recurrence import SiteMemory
    from newsseg.pipeline import Pipeline

    try:
        _WorkerState.pipeline = Pipeline.load(pipeline_dir)
    except Exception as exc:  # noqa: BLE001 - reported to the parent with the first batch
        _WorkerState.load_error = f"{pipeline_dir}: cannot load the model: {type(exc).__name__}: {exc}"
    _WorkerState.memory = SiteMemory()
    _WorkerState.output = output


def _label_in_worker(batch: InputBatch, before: WrittenBefore | None) -> WrittenBatch:
    if _WorkerState.load_error:
        raise ValueError(_WorkerState.load_error)
    return label_batch(_WorkerState.pipeline, _WorkerState.memory, _WorkerState.output, batch, before)


@dataclass
class _Worker:
    """An executor of one process, and that process (to say how it ended, and to stop it at once)."""

    executor: ProcessPoolExecutor
    processes: list

    @classmethod
    def start(cls, context, initargs: tuple, signals: PredictSignals) -> _Worker:
        executor = ProcessPoolExecutor(1, mp_context=context, initializer=_init_worker, initargs=initargs)
        before = set(multiprocessing.active_children())
        with signals.ignored_by_new_processes():
            executor.submit(os.getpid)  # the executor starts its process with the first task
        return cls(executor, [p for p in multiprocessing.active_children() if p not in before])

    def submit(self, batch: InputBatch, before: WrittenBefore | None) -> Future:
        try:
            return self.executor.submit(_label_in_worker, batch, before)
        except BrokenProcessPool:
            raise ChildProcessError(self.death()) from None

    def result(self, future: Future) -> WrittenBatch:
        """The batch's result; a ChildProcessError where the worker stopped first (killed, out of memory)."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise ChildProcessError(self.death()) from None

    def death(self) -> str:
        """How the worker stopped, in a sentence."""
        for process in self.processes:
            process.join(WORKER_STOP_SECONDS)
            code = process.exitcode
            if code is not None and code != 0:
                how = f"was killed ({signal.Signals(-code).name})" if code < 0 else f"exited with code {code}"
                return f"a prediction worker (pid {process.pid}) {how} before it had labelled its batches"
        return "a prediction worker stopped before it had labelled its batches"

    def stop(self, finished: bool) -> None:
        """Shuts the executor down: when ``finished``, once the worker is idle; otherwise at once, the batches it
        holds dropped."""
        if not finished:
            for process in self.processes:
                process.terminate()
            for process in self.processes:
                process.join(WORKER_STOP_SECONDS)
                if process.exitcode is None:
                    process.kill()
        self.executor.shutdown(wait=finished, cancel_futures=not finished)


class WorkerRunner:
    """Labels the batches in ``workers`` spawned processes (not forked: OpenMP, in gradient boosting and
    torch, does not survive a fork), each loading the pipeline from a folder once; every ``workers``-th batch
    goes to the same worker, at most ``BATCHES_IN_FLIGHT_PER_WORKER`` each in flight, so that memory is
    bounded by the batch size, not by the input."""

    def __init__(self, pipeline: Pipeline | Path, settings: OutputSettings, workers: int, threads: int,
                 signals: PredictSignals) -> None:
        self.pipeline, self.settings, self.threads, self.signals = pipeline, settings, threads, signals
        self.count = workers
        self.workers: list[_Worker] = []
        self.folders: list[str] = []  # made here, removed at the end
        self.finished = False

    def __enter__(self) -> WorkerRunner:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        if not isinstance(self.pipeline, (str, os.PathLike)):  # a loaded Pipeline: saved for the workers to load
            pipeline_dir = tempfile.mkdtemp(prefix="newsseg-predict-")
            self.folders.append(pipeline_dir)
            self.pipeline.save(pipeline_dir)
        else:
            pipeline_dir = str(self.pipeline)
        initargs = (pipeline_dir, self.threads, self.settings, logging.getLogger().getEffectiveLevel())
        context = multiprocessing.get_context("spawn")
        log.info("starting %d workers; each loads the model from %s", self.count, pipeline_dir)
        for _ in range(self.count):
            self.workers.append(_Worker.start(context, initargs, self.signals))

    def __exit__(self, *exc) -> None:
        for worker in self.workers:
            worker.stop(self.finished)
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)

    def results(self, batches: Batches) -> Iterator[WrittenBatch]:
        in_flight: deque[tuple[_Worker, Future]] = deque()
        for index, (batch, before) in enumerate(batches):
            worker = self.workers[index % self.count]
            in_flight.append((worker, worker.submit(batch, before)))
            if len(in_flight) >= BATCHES_IN_FLIGHT_PER_WORKER * self.count:
                yield _result_of(in_flight.popleft())
        while in_flight:
            yield _result_of(in_flight.popleft())
        self.finished = True


def _result_of(owed: tuple[_Worker, Future]) -> WrittenBatch:
    worker, future = owed
    return worker.result(future)

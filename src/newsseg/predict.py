"""Batch prediction over files: read documents as a stream, label them, write jsonl / text / html / parquet.

Nothing is lost: every input document appears in the output exactly once, in input order; one that
cannot be read or labelled appears with an ``error`` field. Output goes to a hidden partial file that
is renamed at the end, so a crashed run never leaves a half-written result under the final name, and
``--resume`` continues from the partial file.
"""

from __future__ import annotations

import html
import io
import json
import logging
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Iterator, Optional, Sequence, Union

from . import LOG_FORMAT
from .documents import Document
from .features.recurrence import SiteMemory
from .inference import Pipeline
from .labels import LABELS
from .readers import SINGLE_PAGE_SUFFIXES, InputError, ReaderOptions, guess_reader, read_documents, \
    read_jsonl_lines, require_file

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "text", "html", "parquet")
# Documents labelled together: 64 labelled FakeNewsCorpus pages 5-9% faster than 32 did (the fixed cost of
# a batch spread wider), and larger batches were no faster.
DEFAULT_BATCH_SIZE = 64
LABEL_COLOURS = {"news_body": "#ffffff", "opinion_comment": "#cfe8ff", "disclaimer": "#ffe0b3",
                 "ad": "#ffc9c9", "other": "#e6e6e6"}
REPORTED_FAILURES = 10  # failed documents a summary names


@dataclass
class PredictSummary:
    documents: int = 0
    failed: int = 0
    characters: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (id, error) of the first failed documents

    def add(self, written: WrittenBatch) -> None:
        self.documents += written.documents
        self.failed += len(written.failures)
        self.characters += written.characters
        self.failures.extend(written.failures[:REPORTED_FAILURES - len(self.failures)])


@dataclass(frozen=True)
class JsonlLines:
    """A run of whole lines of a JSONL input, unparsed: the process that labels them parses them, so that
    with workers the parent does little more than read, and the parsing is shared out among the workers."""

    path: str
    first_line_no: int
    lines: list[bytes]
    id_column: str
    text_column: str

    def documents(self) -> list[Document]:
        """The lines' documents; a bad record becomes an error document, as when read here."""
        options = _reading_options(self.id_column, self.text_column)
        return list(read_jsonl_lines(enumerate(self.lines, self.first_line_no), self.path, options))


def _reading_options(id_column: str, text_column: str) -> ReaderOptions:
    """How prediction reads: a bad record becomes an error document in its place; gold spans are not read."""
    return ReaderOptions(id_column=id_column, text_column=text_column, keep_bad=True, read_spans=False)


InputBatch = Union[list[Document], JsonlLines]


def _jsonl_line_runs(path: Path, size: int, id_column: str, text_column: str) -> Iterator[JsonlLines]:
    require_file(path)
    with path.open("rb") as fh:
        first_line_no = 1
        while lines := list(islice(fh, size)):
            yield JsonlLines(str(path), first_line_no, lines, id_column, text_column)
            first_line_no += len(lines)


def input_items(paths: Sequence[Path], batch_size: int, id_column: str,
                text_column: str) -> Iterator[Document | JsonlLines]:
    """The inputs' documents in order, as predict reads them (runs of up to ``batch_size`` raw JSONL lines
    for the workers to parse; an unreadable file is one error document named after it). spark-predict
    reads web files through it too."""
    for path in paths:
        try:
            reader = guess_reader(path)
            log.info("reading %s (%s)", path, reader)
            if reader == "jsonl":
                yield from _jsonl_line_runs(path, batch_size, id_column, text_column)
            else:
                yield from read_documents(reader, path, _reading_options(id_column, text_column))
        except InputError as exc:  # the whole input is unreadable: one error record for it
            yield Document(str(path), "", {"error": str(exc)})


def iter_input_batches(paths: Sequence[Path], batch_size: int, id_column: str = "id",
                       text_column: str = "text") -> Iterator[InputBatch]:
    """Every input in order, in batches of ``batch_size``: a JSONL input as runs of raw lines (JsonlLines), for
    the process that labels them to parse; other inputs as Documents, batched across inputs. An input that
    cannot be read at all is one error document; a bad record, an error document in its place."""
    pending: list[Document] = []
    for item in input_items(paths, batch_size, id_column, text_column):
        if isinstance(item, JsonlLines):
            if pending:
                yield pending
                pending = []
            yield item
        else:
            pending.append(item)
            if len(pending) == batch_size:
                yield pending
                pending = []
    if pending:
        yield pending


def documents_in(batch: InputBatch) -> int:
    """How many documents the batch holds: for JsonlLines, its non-blank lines (each one document, a
    malformed one an error document), as ``readers.read_jsonl_lines`` reads them."""
    if isinstance(batch, JsonlLines):
        return sum(1 for line_no, line in enumerate(batch.lines, batch.first_line_no)
                   if line.decode("utf-8-sig" if line_no == 1 else "utf-8", errors="replace").strip())
    return len(batch)


WRITTEN_KEYS = ("start", "end", "label", "score")  # what the writers use of a segment


class Writer:
    """Writes documents and their segments to ``out``. A failed document is written with its error (the
    text format without headers writes it as an empty document: the run's summary names it)."""

    def __init__(self, out: IO[str], keep: set[str], with_headers: bool) -> None:
        self.out, self.keep, self.with_headers = out, keep, with_headers

    def start(self) -> None:
        pass

    def write(self, doc: Document, segments: list[dict], error: Optional[str]) -> None:
        raise NotImplementedError

    def batch_table(self) -> object | None:
        """What was written as a table, for a format written as one (Parquet); None for the text formats."""
        return None

    def put(self, written: WrittenBatch) -> None:
        """Appends a batch that ``write_batch`` wrote (in a worker, or here) to ``out``."""
        self.out.write(written.text)

    def finish(self) -> None:
        pass

    def close(self) -> None:
        """Leaves what was written so far readable, when the run stops before ``finish``."""


# Each label as JSON: labels are plain ASCII words, so the quotes are all the escaping they need.
_LABEL_JSON = {label: json.dumps(label) for label in LABELS}


def jsonl_record(doc_id: str, segments: list[dict], error: Optional[str]) -> str:
    """``json.dumps`` of the document's record (``{"id", "segments"}`` or ``{"id", "error"}``), without its
    newline. The segments are written out here, with json.dumps' separators and number formats (``repr``),
    1.7x faster than json.dumps of the record. Anything not written the same way here (a label of another
    model, a score that is not a finite float) goes to json.dumps."""
    if error:
        return json.dumps({"id": doc_id, "error": error}, ensure_ascii=False)
    parts = []
    for segment in segments:
        start, end, label, score = segment["start"], segment["end"], segment["label"], segment["score"]
        if type(start) is not int or type(end) is not int or type(score) is not float or not math.isfinite(score) \
                or label not in _LABEL_JSON:
            return json.dumps({"id": doc_id, "segments": [{k: s[k] for k in WRITTEN_KEYS} for s in segments]},
                              ensure_ascii=False)
        parts.append(f'{{"start": {start}, "end": {end}, "label": {_LABEL_JSON[label]}, "score": {score!r}}}')
    return f'{{"id": {json.dumps(doc_id, ensure_ascii=False)}, "segments": [{", ".join(parts)}]}}'


class JsonlWriter(Writer):
    def write(self, doc, segments, error):
        self.out.write(jsonl_record(doc.id, segments, error) + "\n")


class TextWriter(Writer):
    """The cleaned document: the kept segments in order, one per line."""

    def write(self, doc, segments, error):
        if self.with_headers:
            self.out.write(f"### {doc.id}" + (f"  [error: {error}]" if error else "") + "\n")
        kept = [doc.text[s["start"]:s["end"]] for s in segments if s["label"] in self.keep]
        self.out.write("\n".join(kept) + ("\n\n" if self.with_headers else "\n"))


class HtmlWriter(Writer):
    """One self-contained page: segments coloured by label, the score on hover, a legend."""

    def start(self):
        legend = "".join(f'<span class="seg {label}">{label}</span> ' for label in LABELS)
        css = "".join(f".{label}{{background:{colour}}}" for label, colour in LABEL_COLOURS.items())
        self.out.write(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>newsseg</title><style>"
            "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            ".seg{display:block;padding:2px 6px;margin:2px 0;border-left:4px solid #999;white-space:pre-wrap}"
            ".seg.news_body{border-color:#2a7}.seg.opinion_comment{border-color:#27c}.seg.disclaimer{border-color:#e90}"
            ".seg.ad{border-color:#d33}.seg.other{border-color:#888}"
            "h2{font-size:1em;border-bottom:1px solid #ccc}.error{color:#b00}"
            f"{css}.legend .seg{{display:inline-block}}</style></head><body>"
            f"<div class='legend'>{legend}</div>\n")

    def write(self, doc, segments, error):
        self.out.write(f"<h2>{html.escape(doc.id)}</h2>\n")
        if error:
            self.out.write(f"<p class='error'>error: {html.escape(error)}</p>\n")
        for s in segments:
            hover = f"{s['label']} {s['score']:.2f}"
            self.out.write(f"<span class='seg {s['label']}' title='{html.escape(hover)}'>"
                           f"{html.escape(doc.text[s['start']:s['end']])}</span>\n")

    def finish(self):
        self.out.write("</body></html>\n")


# Parquet output is the table spark-predict writes, so that one reader serves both: a row per segment, and
# one row for a document without segments (failed, with its error) whose index is null, as Spark's
# posexplode_outer gives it. Every document thus has a row; picking labels is a column filter, and a
# segment's columns need no list type to be read. Its row groups hold PARQUET_ROW_GROUP_ROWS segments:
# a row group per batch would swell the file's footer over millions of documents.
PARQUET_COLUMNS = (("id", "string"), ("index", "int32"), ("start", "int64"), ("end", "int64"), ("label", "string"),
                   ("score", "float64"), ("error", "string"))
PARQUET_ROW_GROUP_ROWS = 65_536


class ParquetWriter(Writer):
    """Segment rows. Where a batch is labelled, ``write`` collects its rows and ``batch_table`` hands them
    over as a table; in the main process, ``put`` appends the tables to ``out`` (a binary file), a row group
    each time ``PARQUET_ROW_GROUP_ROWS`` rows are waiting."""

    def __init__(self, out, keep, with_headers) -> None:
        super().__init__(out, keep, with_headers)
        self.columns: dict[str, list] = {name: [] for name, _ in PARQUET_COLUMNS}
        self.waiting: list = []  # tables not yet written
        self.file = None

    @staticmethod
    def schema():
        import pyarrow as pa

        return pa.schema([(name, pa.type_for_alias(kind)) for name, kind in PARQUET_COLUMNS])

    def start(self):
        import pyarrow.parquet as pq

        self.file = pq.ParquetWriter(self.out, self.schema())

    def write(self, doc, segments, error):
        rows = [(index, s["start"], s["end"], s["label"], float(s["score"]))
                for index, s in enumerate(segments if not error else [])]
        for index, start, end, label, score in rows or [(None,) * 5]:
            for name, value in zip(self.columns, (doc.id, index, start, end, label, score, error or None)):
                self.columns[name].append(value)

    def batch_table(self):
        import pyarrow as pa

        table = pa.table(self.columns, schema=self.schema())
        self.columns = {name: [] for name in self.columns}
        return table

    def put(self, written):
        self.waiting.append(written.table)
        if sum(len(table) for table in self.waiting) >= PARQUET_ROW_GROUP_ROWS:
            self._write_waiting()

    def _write_waiting(self) -> None:
        import pyarrow as pa

        if self.waiting:
            self.file.write_table(pa.concat_tables(self.waiting), row_group_size=PARQUET_ROW_GROUP_ROWS)
            self.waiting = []

    def finish(self):
        self._write_waiting()
        self.file.close()  # writes the footer: until then the file is not readable
        self.file = None

    def close(self):
        if self.file is not None:
            try:
                self.finish()
            except Exception as exc:  # noqa: BLE001 - the error that stopped the run is the one to report
                logging.getLogger(__name__).warning("%s: cannot finish the Parquet file: %s", self.out.name, exc)


WRITERS = {"jsonl": JsonlWriter, "text": TextWriter, "html": HtmlWriter, "parquet": ParquetWriter}


@dataclass(frozen=True)
class OutputSettings:
    """How documents are written: the format, the labels the text format keeps, and whether it heads each
    document with its id."""

    fmt: str
    keep: frozenset[str]
    with_headers: bool

    def writer(self, out: IO[str]) -> Writer:
        return WRITERS[self.fmt](out, set(self.keep), self.with_headers)


@dataclass(frozen=True)
class WrittenBatch:
    """A batch as written out (``text``, or ``table`` for Parquet), and what it held: (id, error) of its
    failed documents."""

    text: str
    failures: list[tuple[str, str]]
    documents: int
    characters: int
    table: object | None = None


def write_batch(settings: OutputSettings, batch: list[Document],
                results: list[tuple[list[dict], Optional[str]]]) -> WrittenBatch:
    """The labelled batch in the output format. Workers call it, so that formatting the output (as much
    work as reading the input) is shared out among them, and what goes back to the parent is one string."""
    out = io.StringIO()
    writer = settings.writer(out)
    for doc, (segments, error) in zip(batch, results):
        writer.write(doc, segments, error)
    return WrittenBatch(out.getvalue(), [(doc.id, error) for doc, (_, error) in zip(batch, results) if error],
                        len(batch), sum(len(doc.text) for doc in batch), writer.batch_table())


@dataclass(frozen=True)
class WrittenBefore:
    """The leading documents of a batch that a resumed run's partial output already holds: ``count`` of them.
    Where they end the partial output, ``last_id`` is the id of its last document, checked against the
    input's, so that a partial output of other inputs is not continued."""

    count: int
    last_id: str | None = None
    partial: str = ""

    def check(self, documents: list[Document]) -> None:
        if self.last_id is not None and documents[self.count - 1].id != self.last_id:
            raise ValueError(f"{self.partial}: its last document is {self.last_id!r}, but the inputs hold "
                             f"{documents[self.count - 1].id!r} there: it was written from other inputs (delete "
                             "it to start again)")


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


def _with_written_before(batches: Iterator[InputBatch], written: int, last_id: str | None,
                         partial: Path) -> Iterator[tuple[InputBatch, WrittenBefore | None]]:
    """Each batch, and what of it the partial output holds: resuming, the inputs' first ``written`` documents
    (the output is in input order, a line per document). The batches are those of an uninterrupted run, so
    each worker's site memory sees the same pages."""
    left = written
    for batch in batches:
        count = min(left, documents_in(batch)) if left else 0
        left -= count
        yield batch, WrittenBefore(count, None if left else last_id, str(partial)) if count else None
    if left:
        raise ValueError(f"{partial}: holds {written} documents, but the inputs only {written - left}: it was "
                         "written from other inputs (delete it to start again)")


class _WorkerState:
    """Per-process state of a prediction worker: its pipeline, its site memory and the output settings."""

    pipeline: Optional[Pipeline] = None
    memory: Optional[SiteMemory] = None
    output: Optional[OutputSettings] = None
    load_error: Optional[str] = None  # raised with the first batch: a failing initializer would respawn forever


def _init_worker(pipeline_dir: str, threads: int, output: OutputSettings, log_level: int) -> None:
    # A Ctrl-C at the terminal reaches the workers too: the parent stops them and reports (see _Signals).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Workers share the cores instead of oversubscribing them; set before any OpenMP library (scikit-learn,
    # torch) loads, which is why torch is not imported here: a worker only pays for it if its model needs it.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    # Workers parse the input: their warnings (undecodable bytes) look as the parent's would.
    logging.basicConfig(level=log_level, format=LOG_FORMAT)
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


BATCHES_IN_FLIGHT_PER_WORKER = 4  # enough that a worker given a long batch holds the others up rarely
PIPE_BYTES = 1 << 20


def widen_pipes(pool) -> None:
    """Let the pipes that carry a pool's batches and results hold 1 MB, not 64 KB. A batch (a few hundred KB) then
    goes through in one write, and its sender does not wait for the reader to be scheduled: with every core
    busy labelling, those waits idled the workers about 5% of the time. Linux only; CPython's Pool keeps its
    pipes in private attributes, so where they are not found (or the size is refused) the pipes stay."""
    try:
        import fcntl

        for queue in (pool._inqueue, pool._outqueue):
            fcntl.fcntl(queue._reader.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass


def _worker_of(pool) -> Optional[object]:
    """The process of a one-worker pool, as started (CPython's Pool keeps it in a private list)."""
    workers = getattr(pool, "_pool", None)
    return workers[0] if workers else None


def _result_of(result, worker) -> WrittenBatch:
    """``result.get()``, unless the worker that owes it stops first (killed, out of memory): a Pool starts
    another worker then, but never answers for the batch the dead one held, and the run would wait for ever."""
    if worker is None:
        return result.get()
    while True:
        try:
            return result.get(timeout=1.0)
        except multiprocessing.TimeoutError:
            if worker.exitcode is not None:
                code = worker.exitcode
                how = f"was killed ({signal.Signals(-code).name})" if code < 0 else f"exited with code {code}"
                raise ChildProcessError(f"a prediction worker (pid {worker.pid}) {how} before it had labelled "
                                        "its batches") from None


def _stop_pool(pool, worker) -> None:
    """``pool.terminate()``. Where the pool's worker died, terminate() can wait for ever on a lock the dead
    worker held when it was killed: it is then given a few seconds, and the worker that replaced the dead
    one is killed here (the thread left waiting is a daemon: it does not hold up the exit)."""
    if worker is None or worker.exitcode is None:
        pool.terminate()
        return
    stopper = threading.Thread(target=pool.terminate, daemon=True)
    stopper.start()
    stopper.join(timeout=5)
    if stopper.is_alive():
        for process in getattr(pool, "_pool", []):
            process.kill()


def _partial_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.partial")


def _resume_point(partial: Path) -> tuple[int, str | None]:
    """How many documents an interrupted run's output holds (its complete lines: one per document), and the
    id of the last; a torn last line is cut off."""
    if not partial.exists():
        return 0, None
    count, last, complete_bytes = 0, b"", 0
    with partial.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            complete_bytes += len(line)
            count, last = count + 1, line
    if complete_bytes != partial.stat().st_size:
        with partial.open("r+b") as fh:
            fh.truncate(complete_bytes)
    try:
        return count, json.loads(last)["id"] if count else None
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{partial}:{count}: not a line of newsseg's JSONL output (delete the file to start "
                         "again)") from None


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


class _Signals:
    """While a run is on (in the main thread, where handlers can be set): SIGINT and SIGTERM raise
    KeyboardInterrupt, except while a batch is being written, after which they do, so that the output ends
    on a whole document. ``received`` is the first signal; later ones are ignored, so that stopping the
    workers and closing the output are not cut short."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.writing = False
        self.previous: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def _handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
            if not self.writing:
                raise KeyboardInterrupt

    @contextmanager
    def writing_batch(self) -> Iterator[None]:
        self.writing = True
        try:
            yield
        finally:
            self.writing = False
        if self.received is not None:
            raise KeyboardInterrupt

    @staticmethod
    @contextmanager
    def ignored_by_new_processes() -> Iterator[None]:
        """SIGINT ignored while processes are started: they inherit that, so that a Ctrl-C while one starts
        up (before its initializer ignores it too) prints no traceback from it. A Ctrl-C in these
        milliseconds is lost."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def predict_files(pipeline: Pipeline | Path, inputs: Sequence[Path], output: Optional[Path], fmt: str = "jsonl",
                  keep: Sequence[str] = ("news_body",), id_column: str = "id", text_column: str = "text",
                  batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = True, workers: int = 1,
                  resume: bool = False, threads: int = 0) -> PredictSummary:
    """Label every document of ``inputs`` and write them, in input order, to ``output`` (or stdout).

    ``pipeline`` is a loaded Pipeline or its folder; with a folder and ``workers`` > 1, only the workers
    load it. Output is appended a batch at a time to a hidden ``.NAME.partial`` file, renamed to NAME at the
    end; ``resume`` continues an interrupted run from its partial file (jsonl only), to the output of a run
    that was never interrupted (the same ``batch_size`` and ``workers``). SIGINT and SIGTERM (in the main
    thread) raise ``PredictInterrupted``, which says what was written. With ``workers`` > 1 (0: one per core), batches are labelled by that many processes, in turn, at most
    ``BATCHES_IN_FLIGHT_PER_WORKER`` each in flight, so memory is bounded by the batch size, not by the
    input. ``threads``: OpenMP threads per worker (0: the cores shared out among the workers). The summary
    names the first ``REPORTED_FAILURES`` failed documents.
    """
    from collections import deque

    from tqdm.auto import tqdm

    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    unknown = set(keep) - set(LABELS)
    if unknown:
        raise ValueError(f"--keep: unknown label(s) {', '.join(sorted(unknown))} (labels: {', '.join(LABELS)})")
    if fmt == "parquet" and (output is None or resume):
        raise ValueError("--format parquet needs an --output file, and cannot --resume (an interrupted Parquet "
                         "file cannot be appended to)")
    if resume and (output is None or fmt != "jsonl"):
        raise ValueError("--resume needs --format jsonl and an --output file")
    if workers < 0:
        raise ValueError(f"--workers must be 0 (one per core) or more, got {workers}")
    if threads < 0:
        raise ValueError(f"--threads must be 0 (automatic) or more, got {threads}")
    workers = workers or os.cpu_count() or 1
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    if not isinstance(pipeline, Pipeline):  # fail before any output is written, naming the folder
        if workers == 1:
            log.info("loading the model from %s", pipeline)
            pipeline = Pipeline.load(pipeline)
        else:
            Pipeline.read_settings(pipeline)  # cheap: only the workers load the model
    log.info("labelling in batches of %d documents with %d worker process(es), %d math thread(s) each",
             batch_size, workers, threads)
    single_text = len(inputs) == 1 and inputs[0].suffix.lower() in SINGLE_PAGE_SUFFIXES
    summary = PredictSummary()
    written_before, last_id = 0, None  # resuming: the documents the partial output holds
    if output is None:
        out, partial = sys.stdout, None
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = _partial_path(output)
        if resume:
            written_before, last_id = _resume_point(partial)
        out = partial.open("wb") if fmt == "parquet" else partial.open("a" if resume else "w", encoding="utf-8")
    log.info("writing %s to %s", fmt, partial or "stdout")
    settings = OutputSettings(fmt, frozenset(keep), with_headers=not single_text)
    writer = settings.writer(out)
    batches = _with_written_before(iter_input_batches(inputs, batch_size, id_column, text_column),
                                   written_before, last_id, partial)
    bar = tqdm(desc="labelling", unit=" docs", disable=not progress, file=sys.stderr)
    pools: list = []
    processes: list = []  # each pool's worker, as started
    cleanup: list[str] = []
    started = time.perf_counter()
    signals = _Signals()

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
            if workers == 1:
                from threadpoolctl import threadpool_limits

                from .torch_threads import torch_threads_capped

                memory = SiteMemory()  # pages of one site seen earlier in the stream: line recurrence
                # threadpoolctl caps OpenMP and BLAS; torch sets its own thread count, so it is capped apart.
                with threadpool_limits(threads), torch_threads_capped(threads):
                    for batch, before in batches:
                        put(label_batch(pipeline, memory, settings, batch, before))
            else:
                # Spawned, not forked: OpenMP (gradient boosting, torch) does not survive a fork. Each worker
                # loads the pipeline from a folder once.
                if isinstance(pipeline, Pipeline):
                    pipeline_dir = tempfile.mkdtemp(prefix="newsseg-predict-")
                    cleanup.append(pipeline_dir)
                    pipeline.save(pipeline_dir)
                else:
                    pipeline_dir = str(pipeline)
                # One single-process pool per worker, each given every workers-th batch: a worker's site memory
                # then sees the same pages on every run, so the output does not depend on which worker is free.
                log_level = logging.getLogger().getEffectiveLevel()
                context = multiprocessing.get_context("spawn")
                log.info("starting %d workers; each loads the model from %s", workers, pipeline_dir)
                for _ in range(workers):
                    with signals.ignored_by_new_processes():
                        pools.append(context.Pool(1, _init_worker, (pipeline_dir, threads, settings, log_level)))
                    processes.append(_worker_of(pools[-1]))
                    widen_pipes(pools[-1])
                in_flight: deque = deque()  # (the batch's result, the worker that owes it)
                for index, (batch, before) in enumerate(batches):
                    in_flight.append((pools[index % workers].apply_async(_label_in_worker, (batch, before)),
                                      processes[index % workers]))
                    if len(in_flight) >= BATCHES_IN_FLIGHT_PER_WORKER * workers:
                        put(_result_of(*in_flight.popleft()))
                while in_flight:
                    put(_result_of(*in_flight.popleft()))
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
            for pool, process in zip(pools, processes):
                _stop_pool(pool, process)
            for folder in cleanup:
                shutil.rmtree(folder, ignore_errors=True)
    if partial is not None:
        out.close()
        os.replace(partial, output)
        log.info("renamed %s to %s", partial, output)
    else:
        out.flush()
    return summary

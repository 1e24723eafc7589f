"""What ``predict`` reads: its inputs' documents in order, in batches (``iter_input_batches``), and, resuming
an interrupted run, how much of them its partial output already holds (``resume_point``,
``with_written_before``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from newsseg.io.reader_base import InputError, ReaderOptions, require_file
from newsseg.io.readers import guess_reader, read_documents, read_jsonl_lines
from newsseg.text.documents import Document

log = logging.getLogger(__name__)

# Documents labelled together: 64 labelled FakeNewsCorpus pages 5-9% faster than 32 did (the fixed cost of
# a batch spread wider), and larger batches were no faster.
DEFAULT_BATCH_SIZE = 64


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
        options = reading_options(self.id_column, self.text_column)
        return list(read_jsonl_lines(enumerate(self.lines, self.first_line_no), self.path, options))


def reading_options(id_column: str, text_column: str) -> ReaderOptions:
    """How prediction reads: a bad record becomes an error document in its place; gold spans are not read."""
    return ReaderOptions(id_column=id_column, text_column=text_column, keep_bad=True, read_spans=False)


InputBatch = list[Document] | JsonlLines


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
                yield from read_documents(reader, path, reading_options(id_column, text_column))
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


def with_written_before(batches: Iterator[InputBatch], written: int, last_id: str | None,
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


def partial_path(output: Path) -> Path:
    """The hidden file a run writes to, renamed to ``output`` at the end."""
    return output.with_name(f".{output.name}.partial")


def resume_point(partial: Path) -> tuple[int, str | None]:
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

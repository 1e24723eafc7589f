"""The output formats of ``predict``: a Writer per format (``WRITERS``: jsonl, text, html, parquet), and a
labelled batch written out in one of them (``write_batch``), in a worker or here.
"""

from __future__ import annotations

import html
import io
import json
import logging
import math
from dataclasses import dataclass
from typing import IO

from newsseg.labels import LABELS
from newsseg.text.documents import Document

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "text", "html", "parquet")
LABEL_COLOURS = {"news_body": "#ffffff", "opinion_comment": "#cfe8ff", "disclaimer": "#ffe0b3",
                 "ad": "#ffc9c9", "other": "#e6e6e6"}
# The HTML page's style: a segment is a block with its label's border; LABEL_COLOURS give the backgrounds.
HTML_STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
    ".seg{display:block;padding:2px 6px;margin:2px 0;border-left:4px solid #999;white-space:pre-wrap}"
    ".seg.news_body{border-color:#2a7}.seg.opinion_comment{border-color:#27c}.seg.disclaimer{border-color:#e90}"
    ".seg.ad{border-color:#d33}.seg.other{border-color:#888}"
    "h2{font-size:1em;border-bottom:1px solid #ccc}.error{color:#b00}"
    + "".join(f".{label}{{background:{colour}}}" for label, colour in LABEL_COLOURS.items())
    + ".legend .seg{display:inline-block}")

WRITTEN_KEYS = ("start", "end", "label", "score")  # what the writers use of a segment


class Writer:
    """Writes documents and their segments to ``out``. A failed document is written with its error (the
    text format without headers writes it as an empty document: the run's summary names it)."""

    def __init__(self, out: IO[str], keep: set[str], with_headers: bool) -> None:
        self.out, self.keep, self.with_headers = out, keep, with_headers

    def start(self) -> None:
        pass

    def write(self, doc: Document, segments: list[dict], error: str | None) -> None:
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


def jsonl_record(doc_id: str, segments: list[dict], error: str | None) -> str:
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
        self.out.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>newsseg</title>"
                       f"<style>{HTML_STYLE}</style></head><body><div class='legend'>{legend}</div>\n")

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
                log.warning("%s: cannot finish the Parquet file: %s", self.out.name, exc)


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
                results: list[tuple[list[dict], str | None]]) -> WrittenBatch:
    """The labelled batch in the output format. Workers call it, so that formatting the output (as much
    work as reading the input) is shared out among them, and what goes back to the parent is one string."""
    out = io.StringIO()
    writer = settings.writer(out)
    for doc, (segments, error) in zip(batch, results):
        writer.write(doc, segments, error)
    return WrittenBatch(out.getvalue(), [(doc.id, error) for doc, (_, error) in zip(batch, results) if error],
                        len(batch), sum(len(doc.text) for doc in batch), writer.batch_table())

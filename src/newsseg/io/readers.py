"""Streaming readers, each yielding Documents, chosen by name (``READERS``), or for a path by its name
(``guess_reader``).

Bad input raises ``InputError`` with a one-line message naming the file and the line or key. With
``skip_bad`` the reader reports each bad record as a warning, skips it, and counts it in
``ReadReport``. What the readers share (options, decoding, a page's site) is in ``reader_base``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Optional

from newsseg.io.reader_base import (
    HTML_SUFFIXES,
    WARC_SUFFIXES,
    InputError,
    ReaderOptions,
    article_comments_page,
    bad_record,
    decode_bytes,
    files_in,
    page_document,
    record_site,
    require_file,
    site_of,
    text_document,
)
from newsseg.io.warc import read_warc_records
from newsseg.registry import READERS
from newsseg.text.documents import Document
from newsseg.text.labelling import validate_spans

log = logging.getLogger(__name__)

def _field(fields: list[str], at: Optional[int]) -> Optional[str]:
    return fields[at] if at is not None and at < len(fields) else None

Reader = Callable[[Path, ReaderOptions], Iterator[Document]]


# A document is "not text" (a binary file: an image, an archive, a UTF-16 file) when it holds a NUL character,
# or when more than NOT_TEXT_SHARE of its first NOT_TEXT_WINDOW characters are control characters (tab, line
# feed, carriage return, vertical tab and form feed excepted; C1 controls included) or U+FFFD, which stands
# for bytes that were not UTF-8. Random bytes come out at about 55%; Latin-2 Czech read as UTF-8 (its
# accented letters replaced) at 10-15%, a pangram packed with them at 37%.
NOT_TEXT_WINDOW = 8192
NOT_TEXT_SHARE = 0.4
_NOT_TEXT_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def not_text_reason(text: str) -> str | None:
    """Why ``text`` is not text (``"not text (...)"``), or None when it is."""
    if "\x00" in text:
        return "not text (it holds NUL characters)"
    head = text[:NOT_TEXT_WINDOW]
    if _NOT_TEXT_CHARACTERS.search(head) is None:  # the common case, without counting
        return None
    bad = len(_NOT_TEXT_CHARACTERS.findall(head))
    if bad > NOT_TEXT_SHARE * len(head):
        return (f"not text ({bad} of its first {len(head)} characters are control characters or bytes "
                "that are not UTF-8)")
    return None


def _numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line) pairs, streamed, line endings kept."""
    with path.open("rb") as fh:
        yield from enumerate(fh, start=1)


def _decode_line(raw: bytes, path: Path | str, line_no: int) -> str:
    if line_no == 1:  # the file may start with a byte-order mark
        return decode_bytes(raw, f"{path}:{line_no}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("%s:%d: undecodable bytes replaced", path, line_no)
        return raw.decode("utf-8", errors="replace")




@READERS.register("txt_folder")
def read_txt_folder(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """A folder of .txt files (or one .txt file); id = file stem."""
    for file in files_in(path, (".txt",)):
        text = decode_bytes(file.read_bytes(), str(file))
        yield from text_document(file.stem, text, str(file), {"source": str(file)}, options)


@READERS.register("html")
def read_html(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """A folder of .html / .htm pages (or one page), each flattened to whole-page text; id = file stem. The
    charset is the one a ``<meta>`` tag declares, else UTF-8."""
    for file in files_in(path, HTML_SUFFIXES):
        yield from page_document(file.stem, file.read_bytes(), str(file), {"source": str(file)}, options)


@READERS.register("warc")
def read_warc(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """A WARC file's HTML responses or a WET file's text conversions (see ``newsseg.io.warc``)."""
    yield from read_warc_records(path, options)


def _json_rows(lines: Iterable[tuple[int, bytes]], path: Path | str,
               options: ReaderOptions) -> Iterator[tuple[str, object] | Document]:
    """("file:line", parsed row) for each non-blank line; a malformed line goes through ``options.bad``
    (and comes out as an error Document when bad records are kept)."""
    for line_no, raw in lines:
        line = _decode_line(raw, path, line_no)
        if not line.strip():
            continue
        where = f"{path}:{line_no}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as exc:
            # Some of json's messages end in "at" ("Unterminated string starting at"): not "at at column".
            message = exc.msg.removesuffix(" at")
            yield from bad_record(options, f"{where}: malformed JSON ({message} at column {exc.colno})", where)


@READERS.register("jsonl")
def read_jsonl(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """JSON lines with ``id`` and ``text``; gold ``spans`` and ``meta`` are read when present."""
    require_file(path)
    yield from read_jsonl_lines(_numbered_lines(path), path, options)


def read_jsonl_lines(lines: Iterable[tuple[int, bytes]], path: Path | str,
                     options: ReaderOptions) -> Iterator[Document]:
    """The documents of (line number, raw line) pairs of the JSONL file ``path``: ``read_jsonl`` without
    the reading, for a process that parses lines another one read."""
    for item in _json_rows(lines, path, options):
        if isinstance(item, Document):  # a malformed line, kept as an error document
            yield item
            continue
        where, row = item
        try:
            yield _document_from_row(row, where, options)
        except InputError as exc:
            row_id = row.get(options.id_column) if isinstance(row, dict) else None
            yield from bad_record(options, str(exc), str(row_id) if row_id is not None else where)


def _document_from_row(row: object, where: str, options: ReaderOptions) -> Document:
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(row).__name__}")
    for key in (options.id_column, options.text_column):
        if key not in row:
            raise InputError(f"{where}: missing key {key!r}")
    text = row[options.text_column]
    if not isinstance(text, str):
        raise InputError(f"{where}: key {options.text_column!r} must be a string")
    if not text.strip():
        raise InputError(f"{where}: empty document (key {options.text_column!r})")
    meta = row.get("meta") or {}
    if not isinstance(meta, dict):
        raise InputError(f"{where}: key 'meta' must be an object")
    meta = dict(meta)
    site = record_site(row.get("domain"), row.get("url"), meta)
    if site:
        meta["domain"] = site
    doc = Document(str(row[options.id_column]), text, meta, row.get("spans") if options.read_spans else None)
    if doc.spans is not None:
        try:
            doc.spans = validate_spans(doc, where)
        except ValueError as exc:
            raise InputError(str(exc)) from None
    options.report.documents += 1
    return doc


@READERS.register("csv")
def read_csv(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """CSV with a header; ``id_column`` and ``text_column`` name the fields (fields may be megabytes)."""
    require_file(path)
    csv.field_size_limit(sys.maxsize)
    lines = (_decode_line(raw, path, line_no) for line_no, raw in _numbered_lines(path))
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header:
        raise InputError(f"{path}: empty file")
    for column in (options.id_column, options.text_column):
        if column not in header:
            raise InputError(f"{path}: missing column {column!r} (columns: {', '.join(header[:20])})")
    id_at, text_at = header.index(options.id_column), header.index(options.text_column)
    # The site of each page, for cross-page line recurrence: a domain column, else the URL's host.
    domain_at = header.index("domain") if "domain" in header else None
    url_at = header.index("url") if "url" in header else None
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from bad_record(options, f"{path}:{reader.line_num}: malformed CSV ({exc})", f"{path}:{reader.line_num}")
            continue
        where = f"{path}:{reader.line_num}"
        if len(fields) <= max(id_at, text_at):
            yield from bad_record(options, f"{where}: row has {len(fields)} fields, expected {len(header)}", where)
            continue
        text = fields[text_at]
        if not text.strip():
            yield from bad_record(options, f"{where}: empty document (column {options.text_column!r})", fields[id_at])
            continue
        options.report.documents += 1
        meta = {"source": str(path)}
        site = site_of(_field(fields, domain_at), _field(fields, url_at))
        if site:
            meta["domain"] = site
        yield Document(fields[id_at], text, meta)


PARQUET_BATCH_ROWS = 256  # rows read at a time: a page can be megabytes, a file millions of pages


@READERS.register("parquet")
def read_parquet(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """Parquet with ``id_column`` and ``text_column`` (and, for the site, ``domain`` or ``url`` columns where
    present), read ``PARQUET_BATCH_ROWS`` rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    require_file(path)
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: not a Parquet file ({exc})") from None
    names = parquet.schema_arrow.names
    for column in (options.id_column, options.text_column):
        if column not in names:
            raise InputError(f"{path}: missing column {column!r} (columns: {', '.join(names[:20])})")
    site_columns = [c for c in ("domain", "url") if c in names and c not in (options.id_column, options.text_column)]
    batches = parquet.iter_batches(PARQUET_BATCH_ROWS, columns=[options.id_column, options.text_column, *site_columns])
    row_no = 0
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: unreadable after row {row_no} ({exc})") from None
        if batch is None:
            return
        for row in batch.to_pylist():
            row_no += 1
            yield from _parquet_document(row, f"{path}:row {row_no}", path, options)


def _parquet_document(row: dict, where: str, path: Path, options: ReaderOptions) -> Iterator[Document]:
    doc_id, text = row[options.id_column], row[options.text_column]
    if doc_id is None:
        yield from bad_record(options, f"{where}: column {options.id_column!r} is null", where)
        return
    if isinstance(text, bytes):
        text = decode_bytes(text, where)
    if text is not None and not isinstance(text, str):
        yield from bad_record(options, f"{where}: column {options.text_column!r} must be a string", str(doc_id))
        return
    meta = {"source": str(path)}
    site = site_of(row.get("domain"), row.get("url"))
    if site:
        meta["domain"] = site
    yield from text_document(str(doc_id), text or "", where, meta, options,
                             empty=f"empty document (column {options.text_column!r})")


def _objects_with_keys(path: Path, options: ReaderOptions, keys: tuple[str, ...]) -> Iterator:
    """The JSONL file's rows as (where, row) when a row is an object holding every one of ``keys``; bad rows
    as ``_json_rows`` and ``bad_record`` give them (error Documents, or nothing)."""
    for item in _json_rows(_numbered_lines(path), path, options):
        if isinstance(item, Document):
            yield item
            continue
        where, row = item
        missing = [k for k in keys if not isinstance(row, dict) or k not in row]
        if missing:
            yield from bad_record(options, f"{where}: missing key {missing[0]!r}", where)
            continue
        yield where, row


@READERS.register("articles_comments")
def read_articles_comments(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """JSONL of ``{id, article, comments}`` (the Dragnet format), each turned into one labelled page."""
    require_file(path)
    for item in _objects_with_keys(path, options, ("id", "article", "comments")):
        if isinstance(item, Document):
            yield item
            continue
        where, row = item
        if not str(row["article"]).strip():
            yield from bad_record(options, f"{where}: empty article", str(row["id"]))
            continue
        options.report.documents += 1
        # Each page is its own group for splits: the source gives no domain.
        meta = {"source": str(path), "domain": f"articles_comments:{row['id']}", "shape": "extraction"}
        yield article_comments_page(str(row["id"]), str(row["article"]), str(row["comments"]), meta)


@READERS.register("html_reference")
def read_html_reference(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """Whole web pages with their reference article: a JSONL of ``{id, html, reference: {title, byline,
    text}, meta}`` (the format of the Mozilla Readability test pages), or a folder of ``.html`` / ``.htm``
    pages each beside a ``.txt`` reference (its first line the title, the rest the article, one block a
    line; a page in a sub-folder takes the sub-folder's name as its site). Each page is flattened to
    whole-page text (``html_pages.flatten_html``, the flattener's settings varied by page) and labelled by
    aligning the reference: ``news_body`` and the partial label ``not_news_body``."""
    from newsseg.io.html_pages import FLATTEN_VARIANTS, flatten_html, labelled_spans

    if path.is_dir():
        pages = _html_reference_folder(path, options)
    else:
        require_file(path)
        pages = _html_reference_jsonl(path, options)
    for item in pages:
        if isinstance(item, Document):
            yield item
            continue
        where, doc_id, html, reference, meta = item
        # The variant is a function of the id, so a page is flattened the same way in every build.
        variant = int(hashlib.blake2b(doc_id.encode(), digest_size=2).hexdigest(), 16) % len(FLATTEN_VARIANTS)
        try:
            text = flatten_html(html, variant)
        except Exception as exc:  # resiliparse raises its own parser errors
            yield from bad_record(options, f"{where}: cannot flatten the HTML ({exc})", doc_id)
            continue
        if not text.strip():
            yield from bad_record(options, f"{where}: the HTML holds no text", doc_id)
            continue
        spans = labelled_spans(text, reference, options.credit_lines) if options.read_spans else None
        if spans is not None and not any(label == "news_body" for _, _, label in spans):
            yield from bad_record(options, f"{where}: the reference article was not found in the page's text", doc_id)
            continue
        options.report.documents += 1
        yield Document(doc_id, text, {"shape": "whole_page", "flattener_variant": variant, **meta}, spans)


def _html_reference_jsonl(path: Path, options: ReaderOptions) -> Iterator:
    from newsseg.io.html_pages import Reference

    for item in _objects_with_keys(path, options, ("id", "html", "reference")):
        if isinstance(item, Document):
            yield item
            continue
        where, row = item
        ref = row["reference"]
        if not isinstance(ref, dict) or not str(ref.get("text") or "").strip():
            yield from bad_record(options, f"{where}: 'reference.text' must hold the article's text", str(row["id"]))
            continue
        meta = dict(row.get("meta") or {}) if isinstance(row.get("meta"), dict) else {}
        site = site_of(meta.get("domain"), meta.get("url")) or meta.get("site")
        meta = {"source": str(path), **meta, **({"domain": str(site)} if site else {})}
        reference = Reference(str(ref.get("title") or ""), str(ref.get("byline") or ""), str(ref["text"]))
        yield where, str(row["id"]), str(row["html"]), reference, meta


def _html_reference_folder(path: Path, options: ReaderOptions) -> Iterator:
    from newsseg.io.html_pages import Reference

    pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".html", ".htm") and p.is_file())
    if not pages:
        raise InputError(f"{path}: no .html or .htm files")
    for page in pages:
        where = str(page)
        reference_path = page.with_suffix(".txt")
        if not reference_path.is_file():
            yield from bad_record(options, f"{where}: no reference {reference_path.name} beside it", page.stem)
            continue
        title, _, article = decode_bytes(reference_path.read_bytes(), str(reference_path)).strip().partition("\n")
        if not article.strip():
            yield from bad_record(options, f"{reference_path}: expected the title on the first line and the article "
                                     "after it", page.stem)
            continue
        meta = {"source": str(path)}
        if page.parent != path:
            meta["domain"] = page.parent.relative_to(path).as_posix()
        yield where, page.stem, decode_bytes(page.read_bytes(), where), Reference(title.strip(), "", article), meta


def read_documents(reader: str, path: Path | str, options: Optional[ReaderOptions] = None) -> Iterator[Document]:
    return READERS.get(reader)(Path(path), options or ReaderOptions())


READER_OF_SUFFIX = {".txt": "txt_folder", ".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet",
                    **{suffix: "html" for suffix in HTML_SUFFIXES}}


def guess_reader(path: Path) -> str:
    """The reader for a path given on the command line, by its suffix; a folder's, by the files it holds."""
    if path.is_dir():
        return _folder_reader(path)
    if path.name.lower().endswith(WARC_SUFFIXES):
        return "warc"
    reader = READER_OF_SUFFIX.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path}: cannot tell the format from the name (expected a folder, .txt, .html, .htm, "
                         ".jsonl, .csv, .parquet, .warc[.gz] or .wet[.gz])")
    return reader


def _folder_reader(path: Path) -> str:
    """txt_folder, or html for a folder of web pages. A folder of both is refused: its pages would be read
    twice where each page has a .txt beside it (the html_reference layout)."""
    suffixes = {p.suffix.lower() for p in path.iterdir() if p.is_file()}
    if ".txt" in suffixes and suffixes & set(HTML_SUFFIXES):
        raise InputError(f"{path}: holds both .txt and .html pages; give them as separate folders")
    return "html" if suffixes & set(HTML_SUFFIXES) else "txt_folder"

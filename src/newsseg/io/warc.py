"""Web archives as documents, streamed a record at a time with FastWARC: a WARC file's HTML responses,
flattened to whole-page text, and a WET file's text conversions (Common Crawl's plain-text extracts).

A document's id is its record's ``WARC-Record-ID``, its ``url`` the ``WARC-Target-URI`` and its site
that URL's host. Other records (requests, metadata, warcinfo, revisits, responses that are not HTML or
not a success) are no pages and are passed over; a page record that cannot be read, decoded or
flattened becomes an error document (or stops the read, as the reader options say).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from newsseg.io.reader_base import (
    InputError,
    ReaderOptions,
    bad_record,
    decode_bytes,
    page_document,
    require_file,
    site_meta,
    text_document,
)
from newsseg.text.documents import Document

log = logging.getLogger(__name__)

HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def read_warc_records(path: Path, options: ReaderOptions) -> Iterator[Document]:
    """The documents of the WARC or WET file ``path`` (gzip-compressed or not), in file order."""
    from fastwarc.warc import WarcRecordType

    require_file(path)
    for number, record in enumerate(_records(path), start=1):
        doc_id = record.record_id or f"{path}#{number}"  # a record is named by its place where it has no id
        where = f"{path}: record {doc_id}" if record.record_id else doc_id
        if not record.record_id:
            yield from bad_record(options, f"{where}: record has no WARC-Record-ID (a truncated file?)", doc_id)
            continue
        meta = site_meta(path, record.headers.get("WARC-Target-URI"))
        try:
            if record.record_type == WarcRecordType.conversion:
                text = decode_bytes(record.reader.read(), where)
                yield from text_document(doc_id, text, where, meta, options)
            elif _is_html_page(record, where):
                html = record.reader.read()
                yield from page_document(doc_id, html, where, meta, options, record.http_charset)
        except OSError as exc:
            yield from bad_record(options, f"{where}: cannot read the record ({exc})", doc_id)


def _records(path: Path) -> Iterator:
    """The file's response and conversion records. The HTTP headers are parsed per record (not by the
    iterator, which would stop at the first malformed one); a file that stops being readable is an
    InputError naming it and the last record read."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = ArchiveIterator(str(path), record_types=WarcRecordType.response | WarcRecordType.conversion,
                              parse_http=False, fsspec_args=False)
    count = 0
    while True:
        try:
            record = next(records, None)
        except OSError as exc:
            raise InputError(f"{path}: not readable as WARC after {count} page records ({exc})") from None
        if record is None:
            return
        count += 1
        yield record


def _is_html_page(record, where: str) -> bool:
    """Whether a response record is a page: a successful HTTP response of HTML. Its HTTP headers are parsed
    here, which leaves its reader at the body."""
    record.parse_http(auto_decode="all")  # chunked or compressed bodies as the server sent them
    status = record.http_headers.status_code if record.http_headers is not None else None
    if record.http_content_type in HTML_CONTENT_TYPES and status is not None and 200 <= status < 300:
        return True
    log.debug("%s: passed over (HTTP %s, %s)", where, status, record.http_content_type)
    return False

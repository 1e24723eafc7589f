"""What every reader shares: the error a bad input raises, the options and report of a read, how a bad record
is reported (``bad_record``), how bytes and pages are decoded into Documents, a page's site, and which files
of a folder are read. ``readers`` (the registry of readers) and ``warc`` build on it.
"""

from __future__ import annotations

import codecs
import glob
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from newsseg.text.documents import Document
from newsseg.text.segmentation import iter_line_spans

log = logging.getLogger(__name__)

class InputError(ValueError):
    """Bad input; the message names the file and line or key."""


@dataclass
class ReadReport:
    """What a read did: documents yielded and records skipped (with ``skip_bad``)."""

    documents: int = 0
    skipped: int = 0
    skipped_messages: list[str] = field(default_factory=list)


@dataclass
class ReaderOptions:
    id_column: str = "id"
    text_column: str = "text"
    skip_bad: bool = False
    # Prediction mode: a bad record becomes a Document whose meta["error"] says why (nothing is lost),
    # and gold spans are not read.
    keep_bad: bool = False
    read_spans: bool = True
    # html_reference: what the reference article's credit lines get (``html_pages.CREDIT_LINE_SETTINGS``).
    credit_lines: str = "news_body"
    report: ReadReport = field(default_factory=ReadReport)

    def bad(self, message: str, doc_id: str) -> Document | None:
        """Raise for a bad record; or, with skip_bad, record and skip it; or, with keep_bad, return an
        error Document to yield in its place."""
        if self.keep_bad:
            self.report.skipped += 1
            return Document(doc_id, "", {"error": message})
        if not self.skip_bad:
            raise InputError(message)
        self.report.skipped += 1
        if len(self.report.skipped_messages) < 1000:
            self.report.skipped_messages.append(message)
        log.warning("skipped: %s", message)
        return None


def site_of(domain: object, url: object) -> str | None:
    """A page's site: its domain, else the host of its URL (without "www.")."""
    if isinstance(domain, str) and domain.strip():
        return domain.strip().lower()
    if isinstance(url, str) and "//" in url:
        host = urlsplit(url.strip()).hostname or ""
        return host.removeprefix("www.") or None
    return None


def record_site(domain: object, url: object, meta: dict) -> str | None:
    """The site of a JSONL record (of a row with ``domain`` / ``url`` columns, with ``meta`` empty): its
    ``meta.domain``, else ``site_of`` its ``domain`` and its URL (``url``, else ``meta.url``)."""
    return meta.get("domain") or site_of(domain, url or meta.get("url"))


def bad_record(options: ReaderOptions, message: str, doc_id: str) -> Iterator[Document]:
    """What a read yields for a bad record: its error Document (with ``keep_bad``), or nothing (with
    ``skip_bad``, which counts it); otherwise raises InputError (``ReaderOptions.bad``)."""
    error_doc = options.bad(message, doc_id)
    if error_doc is not None:
        yield error_doc


def decode_bytes(data: bytes, where: str) -> str:
    """UTF-8 (BOM allowed); undecodable bytes become U+FFFD with a warning naming ``where``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        log.warning("%s: undecodable bytes replaced (first at byte %d)", where, exc.start)
        return data.decode("utf-8-sig", errors="replace")


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
META_CHARSET_BYTES = 4096  # where a page's <meta> charset is looked for (it must come early in the <head>)


def decode_html(data: bytes, where: str, charset: str | None = None) -> str:
    """A page's HTML as text: in ``charset`` (the server's), else in the one its ``<meta>`` tag declares,
    else UTF-8. Undecodable bytes become U+FFFD with a warning naming ``where``; an unknown charset is
    read as UTF-8 with a warning."""
    if charset is None:
        match = _META_CHARSET_RE.search(data[:META_CHARSET_BYTES])
        charset = match.group(1).decode("ascii") if match else None
    try:
        codec = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        log.warning("%s: unknown charset %r, read as UTF-8", where, charset)
        codec = "utf-8"
    if codec == "utf-8":
        return decode_bytes(data, where)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        log.warning("%s: undecodable bytes replaced (first at byte %d)", where, exc.start)
        return data.decode(codec, errors="replace")


def text_document(doc_id: str, text: str, where: str, meta: dict, options: ReaderOptions,
                  empty: str = "empty document") -> Iterator[Document]:
    """The document, or, where the text is blank, the ``empty`` message through ``options.bad``."""
    if not text.strip():
        yield from bad_record(options, f"{where}: {empty}", doc_id)
        return
    options.report.documents += 1
    yield Document(doc_id, text, meta)


def page_document(doc_id: str, html: bytes, where: str, meta: dict, options: ReaderOptions,
                  charset: str | None = None) -> Iterator[Document]:
    """A web page as a Document of its whole-page text (``html_pages.flatten_html``, default settings); a
    page that cannot be flattened or holds no text goes through ``options.bad``."""
    from newsseg.io.html_pages import flatten_html

    try:
        text = flatten_html(decode_html(html, where, charset))
    except Exception as exc:  # noqa: BLE001 - resiliparse raises its own parser errors
        yield from bad_record(options, f"{where}: cannot flatten the HTML ({exc})", doc_id)
        return
    yield from text_document(doc_id, text, where, meta, options, empty="the HTML holds no text")



def site_meta(source: Path | str, url: str | None) -> dict:
    """A page's meta: its source file, its URL and its site (the URL's host, as ``record_site`` gives it)."""
    meta = {"source": str(source)}
    if url:
        meta["url"] = url
        site = record_site(None, url, {})
        if site:
            meta["domain"] = site
    return meta


def require_file(path: Path) -> None:
    """Raise InputError unless ``path`` is a non-empty file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: empty file")


HTML_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz")  # .warc.wet.gz ends with .wet.gz
# Inputs that are one page each: ``predict`` labels a single one in one process.
SINGLE_PAGE_SUFFIXES = (".txt", *HTML_SUFFIXES)


def has_suffix(path: Path, suffixes: tuple[str, ...]) -> bool:
    """Whether the file's name ends with one of ``suffixes`` (any case) after a name of its own."""
    name = path.name.lower()
    return any(name.endswith(suffix) and len(name) > len(suffix) for suffix in suffixes)


def folder_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of ``folder`` whose names end with one of ``suffixes``, sorted."""
    return sorted(p for p in folder.iterdir() if has_suffix(p, suffixes) and p.is_file())


def files_in(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The file ``path``, or the files of the folder ``path`` with one of ``suffixes``, sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    files = folder_files(path, suffixes)
    if not files:
        raise InputError(f"{path}: no {' or '.join(suffixes)} files in folder")
    return files


def web_files(path: str) -> list[str] | None:
    """The WARC / WET / HTML files ``path`` names, sorted (as ``files_in`` lists a folder): a file, a folder
    of them or a glob; None when it names none (a table, which Spark reads)."""
    web_suffixes = WARC_SUFFIXES + HTML_SUFFIXES
    if os.path.isdir(path):
        return [str(p) for p in folder_files(Path(path), web_suffixes)] or None
    if not has_suffix(Path(path), web_suffixes):
        return None
    if any(c in path for c in "*?["):
        return sorted(str(p) for p in map(Path, glob.glob(path)) if p.is_file()) or [path]  # none: the reader says so
    return [path]


def article_comments_page(doc_id: str, article: str, comments: str, meta: dict) -> Document:
    """One page from an article and its comment section, labelled line by line by construction."""
    # Imported here: the cues load the phrase kernels (numba), which predict's parent process never needs.
    from newsseg.features.cues import is_comment_chrome

    article, comments = article.strip(), comments.strip()
    text = article + ("\n\n" + comments if comments else "") + "\n"
    comments_start = len(article)
    spans = []
    for start, end in iter_line_spans(text):
        if start < comments_start:
            label = "news_body"
        else:
            label = "other" if is_comment_chrome(text[start:end]) else "opinion_comment"
        spans.append((start, end, label))
    return Document(doc_id, text, meta, spans)

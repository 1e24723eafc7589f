"""Web inputs: WARC and WET files (written here with FastWARC's writer), HTML pages and Parquet, as
``predict`` and the dataset readers take them."""

import logging

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsseg.io import readers
from newsseg.io.reader_base import InputError, ReaderOptions, decode_html
from newsseg.io.readers import guess_reader, read_documents
from tests.warc_files import PAGE_HTML, crawl_records, write_warc


def keep_bad() -> ReaderOptions:
    return ReaderOptions(keep_bad=True, read_spans=False)


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_html_responses_become_flattened_pages_named_by_record_id(tmp_path, name):
    path = tmp_path / name
    write_warc(path, crawl_records())
    assert guess_reader(path) == "warc"
    docs = list(read_documents("warc", path, keep_bad()))
    # request, metadata, warcinfo, the image and the 404 are no pages; the blank page fails, visibly
    assert [d.id for d in docs] == ["<urn:uuid:page1>", "<urn:uuid:page2>", "<urn:uuid:blank>"]
    page, latin, blank = docs
    assert "Ferry timetable changes\n" in page.text and "Tickets cost €2 at the kiosk." in page.text
    assert "Home" in page.text and "Copyright Harbour Gazette" in page.text  # the whole page, not its article
    assert page.meta["url"] == "https://www.harbour.example/ferry" and page.meta["domain"] == "harbour.example"
    assert page.site == "harbour.example"  # what the site memory and the site-grouped splits key on
    assert latin.text.strip() == "Café reopens on the quay this spring." and latin.meta["domain"] == "news.harbour.example"
    assert blank.meta["error"] == f"{path}: record <urn:uuid:blank>: the HTML holds no text" and blank.text == ""


def test_dataset_reading_stops_at_a_bad_record_or_skips_it(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, crawl_records())
    with pytest.raises(InputError, match=r"record <urn:uuid:blank>: the HTML holds no text"):
        list(read_documents("warc", path))
    options = ReaderOptions(skip_bad=True)
    assert len(list(read_documents("warc", path, options))) == 2
    assert (options.report.documents, options.report.skipped) == (2, 1)


@pytest.mark.parametrize("name", ["pages.warc.wet.gz", "pages.wet.gz", "pages.wet"])
def test_wet_conversions_give_their_text(tmp_path, name):
    path = tmp_path / name
    text = "Harbour Gazette\nFerry timetable changes\nThe ferry leaves at nine.\n"
    write_warc(path, [("warcinfo", "info", "", b"software: x\r\n", "application/warc-fields"),
                      ("conversion", "wet1", "http://www.harbour.example/ferry", text.encode(), "text/plain"),
                      ("conversion", "wet2", "http://quay.example/", b"   \n", "text/plain")])
    assert guess_reader(path) == "warc"
    first, empty = read_documents("warc", path, keep_bad())
    assert (first.id, first.text, first.meta["domain"]) == ("<urn:uuid:wet1>", text, "harbour.example")
    assert empty.id == "<urn:uuid:wet2>" and empty.meta["error"].endswith("record <urn:uuid:wet2>: empty document")


def test_a_file_that_is_not_warc_or_is_cut_short_says_so(tmp_path):
    junk = tmp_path / "junk.warc"
    junk.write_text("these are not the records you are looking for\n")
    with pytest.raises(InputError, match=r"junk\.warc: not readable as WARC after 0 page records"):
        list(read_documents("warc", junk, keep_bad()))
    whole = tmp_path / "whole.warc"
    write_warc(whole, crawl_records()[:3])
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:data.index(b"WARC-Record-ID: <urn:uuid:page1>")])  # the last record's headers cut
    (doc,) = read_documents("warc", cut, keep_bad())
    assert doc.id == f"{cut}#1" and "no WARC-Record-ID (a truncated file?)" in doc.meta["error"]


def test_html_charset_comes_from_the_meta_tag_else_utf8(caplog):
    latin = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>" \
            "</head><body>Caf\u00e9 \u2013 open</body></html>"
    assert "Café – open" in decode_html(latin.encode("cp1252"), "a.html")
    assert "Café" in decode_html('<meta charset="utf-8"><p>Café</p>'.encode(), "b.html")
    assert decode_html("<p>Café</p>".encode(), "c.html") == "<p>Café</p>"
    with caplog.at_level(logging.WARNING):
        assert decode_html(b'<meta charset="no-such-charset"><p>Caf\xc3\xa9 \xff</p>', "d.html") \
            == '<meta charset="no-such-charset"><p>Café \ufffd</p>'
    assert "d.html: unknown charset 'no-such-charset'" in caplog.text and "d.html: undecodable bytes" in caplog.text
    assert decode_html("<p>Café</p>".encode("latin-1"), "e.html", charset="iso-8859-1") == "<p>Café</p>"


def test_html_pages_and_folders_of_them(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ferry.html").write_text(PAGE_HTML.format(price="two pounds"), encoding="utf-8")
    (pages / "empty.HTM").write_text("<html><body></body></html>")
    (pages / "notes.md").write_text("not a page")
    assert guess_reader(pages) == "html" and guess_reader(pages / "ferry.html") == "html"
    empty, ferry = read_documents("html", pages, keep_bad())  # in name order
    assert ferry.id == "ferry" and "Tickets cost two pounds at the kiosk." in ferry.text
    assert ferry.meta == {"source": str(pages / "ferry.html")}
    assert empty.id == "empty" and empty.meta["error"] == f"{pages / 'empty.HTM'}: the HTML holds no text"
    (pages / "ferry.txt").write_text("Ferry timetable changes\nThe ferry leaves at nine.\n")
    with pytest.raises(InputError, match=r"pages: holds both \.txt and \.html pages"):
        guess_reader(pages)
    with pytest.raises(InputError, match=r"nothing: no \.html or \.htm files in folder"):
        (tmp_path / "nothing").mkdir()
        list(read_documents("html", tmp_path / "nothing"))


def write_parquet(path, columns: dict, row_group_size: int = 2) -> None:
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)


def test_parquet_rows_are_read_in_batches_with_their_sites(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "PARQUET_BATCH_ROWS", 2)  # several batches from a five-row file
    path = tmp_path / "pages.parquet"
    write_parquet(path, {"uid": [1, 2, 3, None, 5],
                         "content": ["First page\nMenu\n", None, "Third page", "Orphan", b"Fifth \xff page"],
                         "url": ["https://www.quay.example/a", None, None, None, "http://pier.example/x"],
                         "domain": [None, None, "Ferries.Example", None, None]})
    assert guess_reader(path) == "parquet"
    docs = list(read_documents("parquet", path, ReaderOptions(id_column="uid", text_column="content", keep_bad=True)))
    assert [d.id for d in docs] == ["1", "2", "3", f"{path}:row 4", "5"]
    assert [d.meta.get("domain") for d in docs] == ["quay.example", None, "ferries.example", None, "pier.example"]
    assert docs[1].meta["error"] == f"{path}:row 2: empty document (column 'content')"
    assert docs[3].meta["error"] == f"{path}:row 4: column 'uid' is null"
    assert docs[4].text == "Fifth \ufffd page"


def test_bad_parquet_input_names_the_file_and_column(tmp_path):
    path = tmp_path / "pages.parquet"
    write_parquet(path, {"id": ["a"], "body": ["Text"]})
    with pytest.raises(InputError, match=r"pages\.parquet: missing column 'text' \(columns: id, body\)"):
        list(read_documents("parquet", path))
    with pytest.raises(InputError, match=r"pages\.parquet:row 1: column 'body' must be a string"):
        write_parquet(path, {"id": ["a"], "body": [7]})
        list(read_documents("parquet", path, ReaderOptions(text_column="body")))
    not_parquet = tmp_path / "fake.parquet"
    not_parquet.write_text("id,text\n")
    with pytest.raises(InputError, match=r"fake\.parquet: not a Parquet file"):
        list(read_documents("parquet", not_parquet))


def test_spark_lists_the_web_files_predict_reads(tmp_path):
    """spark-predict reads a web file, a folder of them or a glob as its files sorted; tables go to Spark."""
    from newsseg.io.reader_base import web_files

    for name in ("b.warc.wet.gz", "a.WARC", "c.htm", "notes.txt", "part-0.parquet"):
        (tmp_path / name).write_text("x")
    assert web_files(str(tmp_path)) == [str(tmp_path / n) for n in ("a.WARC", "b.warc.wet.gz", "c.htm")]
    assert web_files(str(tmp_path / "*.wet.gz")) == [str(tmp_path / "b.warc.wet.gz")]
    assert web_files("missing/page.html") == ["missing/page.html"]  # the reader names what is missing
    assert web_files(str(tmp_path / "part-0.parquet")) is None and web_files("pages.jsonl") is None
    for name in ("a.WARC", "b.warc.wet.gz", "c.htm"):
        (tmp_path / name).unlink()
    assert web_files(str(tmp_path)) is None  # a folder of Parquet parts

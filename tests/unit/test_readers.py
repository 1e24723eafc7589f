import logging

import pytest

from newsseg.io.reader_base import InputError, ReaderOptions, decode_bytes
from newsseg.io.readers import (
    NOT_TEXT_SHARE,
    NOT_TEXT_WINDOW,
    guess_reader,
    not_text_reason,
    read_documents,
)
from tests.helpers import write_jsonl


def read(reader, path, **kw):
    return list(read_documents(reader, path, ReaderOptions(**kw)))


def test_txt_folder_reads_files_by_stem(tmp_path):
    (tmp_path / "b.txt").write_text("second page\n")
    (tmp_path / "a.txt").write_text("first page\n")
    assert [(d.id, d.text) for d in read("txt_folder", tmp_path)] == [("a", "first page\n"), ("b", "second page\n")]


def test_undecodable_bytes_are_replaced_with_a_warning_naming_the_file(tmp_path, caplog):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xe9 au lait\n")
    with caplog.at_level(logging.WARNING):
        (doc,) = read("txt_folder", path)
    assert doc.text == "caf\ufffd au lait\n"
    assert str(path) in caplog.text


def test_jsonl_with_spans_is_labelled(tmp_path):
    path = write_jsonl(tmp_path / "g.jsonl", [{"id": "x", "text": "Hello\nBuy now\n",
                                               "spans": [[6, 13, "ad"], [0, 5, "news_body"]], "meta": {"domain": "s.com"}}])
    (doc,) = read("jsonl", path)
    assert doc.spans == [(0, 5, "news_body"), (6, 13, "ad")] and doc.site == "s.com"


@pytest.mark.parametrize("row, message", [
    ('{"id": 1, "text": "x"', "malformed JSON"),
    ({"text": "no id"}, "missing key 'id'"),
    ({"id": "a", "text": "hi", "spans": [[0, 2, "article"]]}, "unknown label 'article'"),
    ({"id": "a", "text": "hi", "spans": [[0, 9, "ad"]]}, "out of range"),
    ({"id": "a", "text": "hello", "spans": [[0, 3, "ad"], [2, 5, "ad"]]}, "overlap"),
    ({"id": "a", "text": "   "}, "empty document"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, row, message):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"id": "ok", "text": "fine"}, row])
    with pytest.raises(InputError, match=message) as info:
        read("jsonl", path)
    assert str(info.value).startswith(f"{path}:2: ")
    assert "\n" not in str(info.value)


def test_skip_bad_reports_and_counts(tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [{"id": "a", "text": "fine"}, "{oops", {"id": "b", "text": ""},
                                                {"id": "c", "text": "also fine"}])
    options = ReaderOptions(skip_bad=True)
    docs = list(read_documents("jsonl", path, options))
    assert [d.id for d in docs] == ["a", "c"]
    assert options.report.skipped == 2 and options.report.documents == 2


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    with pytest.raises(InputError, match="empty file"):
        read("jsonl", path)


def test_csv_with_configured_columns_and_huge_fields(tmp_path):
    path = tmp_path / "c.csv"
    big = "word " * 300_000
    path.write_text(f'uid,content\n7,"{big}"\n8,"line one\nline two"\n')
    docs = read("csv", path, id_column="uid", text_column="content")
    assert [d.id for d in docs] == ["7", "8"] and len(docs[0].text) == len(big)
    assert docs[1].text == "line one\nline two"


def test_csv_missing_column_names_the_column(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,body\n1,x\n")
    with pytest.raises(InputError, match=r"missing column 'text'"):
        read("csv", path)


def test_articles_comments_page_is_labelled_by_construction(tmp_path):
    row = {"id": "p1", "article": "Title\n\nFirst paragraph.", "comments": "Great read!\nReply\n"
           "1 reply beneath your current threshold.\nJo Smith on May 2, 2011 at 9:59 am\nI disagree."}
    path = write_jsonl(tmp_path / "ac.jsonl", [row])
    (doc,) = read("articles_comments", path)
    labelled = [(doc.text[s:e], label) for s, e, label in doc.spans]
    assert labelled == [("Title", "news_body"), ("First paragraph.", "news_body"), ("Great read!", "opinion_comment"),
                        ("Reply", "other"), ("1 reply beneath your current threshold.", "other"),
                        ("Jo Smith on May 2, 2011 at 9:59 am", "opinion_comment"), ("I disagree.", "opinion_comment")]


def test_articles_comments_missing_key(tmp_path):
    path = write_jsonl(tmp_path / "ac.jsonl", [{"id": "p1", "article": "x"}])
    with pytest.raises(InputError, match=r"ac.jsonl:1: missing key 'comments'"):
        read("articles_comments", path)


def test_guess_reader(tmp_path):
    assert guess_reader(tmp_path) == "txt_folder"
    assert guess_reader(tmp_path / "a.jsonl") == "jsonl"
    assert guess_reader(tmp_path / "a.parquet") == "parquet" and guess_reader(tmp_path / "b.Warc.GZ") == "warc"
    with pytest.raises(InputError, match="cannot tell the format"):
        guess_reader(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match="cannot tell the format"):
        guess_reader(tmp_path / "a.gz")  # a gzip of what, is not known


def test_a_json_message_ending_in_at_is_not_doubled(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "a", "text": "x\x01y"}\n{"id": "b", "text": "no closing quote}')
    first, second = read("jsonl", path, keep_bad=True)
    assert first.meta["error"] == f"{path}:1: malformed JSON (Invalid control character at column 23)"
    assert second.meta["error"] == f"{path}:2: malformed JSON (Unterminated string starting at column 21)"


# Literal bytes, decoded as the readers decode them (UTF-8, undecodable bytes replaced).
NOT_TEXT_BYTES = {
    "nul": b"Headline\nBody\x00\x00\x00 text\n",  # NUL anywhere: a binary file
    "utf16": "Headline\nBody text\n".encode("utf-16"),  # every ASCII letter followed by a NUL
    "png_without_nul": b"\x89PNG\r\n\x1a\n" + bytes(range(0x80, 0x100)) * 8 + b"IHDR\x01\x02\x03\x7f",
    "controls": b"ab" + b"\x01\x02\x03\x1b\x7f" * 10,  # 50 of 52 characters are controls
}
TEXT_BYTES = {
    "latin1": "Caf\xe9 cr\xe8me, na\xefve fa\xe7ade: \xe0 la carte.\n".encode("latin-1"),  # 5 of 38 replaced
    "layout": b"Title\n\tIndented\r\nPage\x0cbreak\x0bvertical tab\n",  # whitespace controls are text
    "unicode": "Überschrift\nÉdition spéciale — 東京\n".encode(),
}


@pytest.mark.parametrize("name", NOT_TEXT_BYTES)
def test_binary_bytes_are_not_text(name):
    reason = not_text_reason(decode_bytes(NOT_TEXT_BYTES[name], name))
    assert reason is not None and reason.startswith("not text (")


@pytest.mark.parametrize("name", TEXT_BYTES)
def test_text_bytes_are_text(name):
    assert not_text_reason(decode_bytes(TEXT_BYTES[name], name)) is None


def test_not_text_is_a_share_of_the_first_characters():
    bad = "\ufffd" * int(NOT_TEXT_SHARE * 100)
    assert not_text_reason(bad + "x" * (100 - len(bad))) is None  # at the share: text
    assert not_text_reason(bad + "\x01" + "x" * (99 - len(bad))) is not None  # one more: not text
    # Only the first NOT_TEXT_WINDOW characters count: a long text with garbage after them is text.
    assert not_text_reason("x" * NOT_TEXT_WINDOW + "\ufffd" * NOT_TEXT_WINDOW) is None

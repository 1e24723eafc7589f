import logging

import pytest

from newsseg.readers import InputError, ReaderOptions, guess_reader, read_documents
from tests.conftest import write_jsonl


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

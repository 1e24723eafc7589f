"""Whole pages from HTML: flattening, aligning a reference article, partial labels, the html_reference reader."""

import json

import pytest

from newsseg.data.dataset import NOT_NEWS_BODY_ID, label_id

from newsseg.data.segment_rows import document_columns
from newsseg.io.html_pages import FLATTEN_VARIANTS, Reference, align_reference, comparable, flatten_html
from newsseg.labels import LABELS, NOT_NEWS_BODY
from newsseg.io.reader_base import InputError
from newsseg.io.readers import read_documents

PARAGRAPHS = [
    "The harbour board voted on Tuesday to close the old ferry pier for repairs until the spring.",
    "Engineers found that two of the pier's wooden piles had rotted through below the waterline last month.",
    "“We cannot let passengers walk on it as it is,” said the board’s chair, Ruth Calder, after the vote.",
]
MENU = ["Home", "News", "Sport", "Money", "Help"]
HTML = f"""<html><head><title>Pier closes</title></head><body>
<nav><ul>{''.join(f'<li><a href="/{m.lower()}">{m}</a></li>' for m in MENU)}</ul></nav>
<div class="most-read"><h3>Most read</h3><ul><li>Council approves new bus lanes on the coast road</li>
<li>Teacher wins award for school garden project</li></ul></div>
<article><h1>Old ferry pier to close for repairs</h1><p class="byline">By Jo Marsh</p>
<p>Published 3 March</p>
{''.join(f'<p>{p}</p>' for p in PARAGRAPHS)}
<p>Help</p>
</article>
<footer><p>© 2025 Harbour Gazette. All rights reserved.</p><p>Money</p></footer>
</body></html>"""
REFERENCE = Reference(title="Old ferry pier to close for repairs", byline="Jo Marsh",
                      text="\n".join(PARAGRAPHS + ["Help"]))


def labels_by_line(text: str, reference: Reference) -> dict[str, object]:
    return {text[s:e].lstrip("•* "): label for s, e, label in align_reference(text, reference)}


def test_flattening_keeps_the_whole_page_and_varies_by_setting():
    texts = {flatten_html(HTML, v) for v in range(len(FLATTEN_VARIANTS))}
    assert len(texts) > 1  # list bullets on and off
    for text in texts:
        assert "Most read" in text and "© 2025 Harbour Gazette" in text and PARAGRAPHS[0] in text


def test_reference_lines_are_the_article_and_the_rest_not():
    labels = labels_by_line(flatten_html(HTML, 1), REFERENCE)
    assert all(labels[p] == "news_body" for p in PARAGRAPHS)
    assert labels["Old ferry pier to close for repairs"] == "news_body"
    assert labels["By Jo Marsh"] == "news_body"
    # Between the title and the first paragraph: not known (the reference often omits the date line).
    assert labels["Published 3 March"] is None
    for line in ("Home", "News", "Sport", "Most read", "Council approves new bus lanes on the coast road",
                 "© 2025 Harbour Gazette. All rights reserved."):
        assert labels[line] == NOT_NEWS_BODY, line


def test_a_short_line_counts_only_inside_the_article_region():
    text = flatten_html(HTML, 1)
    spans = align_reference(text, REFERENCE)
    help_labels = [label for s, e, label in spans if text[s:e].lstrip("•* ") == "Help"]
    money_labels = [label for s, e, label in spans if text[s:e].lstrip("•* ") == "Money"]
    # "Help" is a whole reference line: the menu's copy is not the article, the one after the paragraphs is.
    assert help_labels == [NOT_NEWS_BODY, "news_body"]
    assert money_labels == [NOT_NEWS_BODY, NOT_NEWS_BODY]


def test_a_reprinted_paragraph_outside_the_article_is_not_the_article():
    text = "\n".join(["Menu", *PARAGRAPHS, *["Footer link"] * 3, "Related", PARAGRAPHS[0]])
    labels = [label for _, _, label in align_reference(text, REFERENCE)]
    assert labels[1:4] == ["news_body"] * 3 and labels[-1] == NOT_NEWS_BODY


def test_comparison_ignores_quotes_bullets_space_and_mis_decoded_apostrophes():
    assert comparable("•  “Board’s  chair”") == comparable('"Board\ufffds chair"') == "'board's chair'"


def test_no_aligned_line_leaves_every_line_not_the_article():
    labels = {label for _, _, label in align_reference("Home\nNews", REFERENCE)}
    assert labels == {NOT_NEWS_BODY}


def test_partial_label_rows_are_stored_apart_from_the_five_labels():
    assert label_id(NOT_NEWS_BODY) == NOT_NEWS_BODY_ID < 0
    assert [label_id(label) for label in LABELS] == list(range(len(LABELS)))


def write_pages(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_reader_reads_jsonl_pages_with_site_and_partial_labels(tmp_path):
    path = tmp_path / "pages.jsonl"
    write_pages(path, [{"id": "p1", "html": HTML, "reference": vars(REFERENCE), "meta": {"site": "gazette"}}])
    [doc] = read_documents("html_reference", path)
    assert doc.site == "gazette" and doc.meta["shape"] == "whole_page"
    assert {label for _, _, label in doc.spans} == {"news_body", NOT_NEWS_BODY}
    columns = document_columns([doc], "lines", 1500, 50)
    assert "news_body" in columns["label"] and NOT_NEWS_BODY in columns["label"]


def test_reader_reads_a_folder_of_pages_with_references(tmp_path):
    (tmp_path / "gazette").mkdir()
    (tmp_path / "gazette" / "pier.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "gazette" / "pier.txt").write_text(REFERENCE.title + "\n" + REFERENCE.text, encoding="utf-8")
    [doc] = read_documents("html_reference", tmp_path)
    assert doc.id == "pier" and doc.site == "gazette"
    assert any(label == "news_body" for _, _, label in doc.spans)


@pytest.mark.parametrize("row, message", [
    ({"id": "p1", "html": HTML}, "missing key 'reference'"),
    ({"id": "p1", "html": HTML, "reference": {"title": "x", "text": ""}}, "'reference.text' must hold"),
    ({"id": "p1", "html": HTML, "reference": {"title": "x", "text": "Words that the page does not hold at all."}},
     "reference article was not found"),
])
def test_reader_errors_name_the_line(tmp_path, row, message):
    path = tmp_path / "pages.jsonl"
    write_pages(path, [row])
    with pytest.raises(InputError, match=rf"pages.jsonl:1: .*{message}"):
        list(read_documents("html_reference", path))


def test_folder_page_without_reference_is_an_error(tmp_path):
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    with pytest.raises(InputError, match="page.html: no reference page.txt"):
        list(read_documents("html_reference", tmp_path))

"""Whole pages from HTML: flattening, aligning a reference article, partial labels, the html_reference reader."""

import json
from typing import get_args

import pytest
from pydantic import ValidationError

from newsseg.config import CreditLineSetting, DataConfig, SourceConfig
from newsseg.data.dataset import NOT_NEWS_BODY_ID, build_dataset, label_id, load_dataset_dict
from newsseg.features.cues import credit_line_label

from newsseg.data.segment_rows import document_columns
from newsseg.io.html_pages import (
    CREDIT_LINE_SETTINGS,
    FLATTEN_VARIANTS,
    Reference,
    align_reference,
    comparable,
    flatten_html,
)
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


# A reference that keeps an image credit, a caption ending in a credit, a source line and a copyright notice,
# as extracted articles do; LABELS.md calls the credit and the source line `other`, the notice `disclaimer`.
CREDITED_ARTICLE = [PARAGRAPHS[0], "Photo by Lee Park/Harbour Gazette", PARAGRAPHS[1],
                    "The old pier at dawn. Sam Reid/Reuters", PARAGRAPHS[2], "Source: Harbour Board minutes",
                    "Copyright 2025 Harbour Gazette. All rights reserved."]
CREDITED_REFERENCE = Reference(title="Old ferry pier to close for repairs", byline="Jo Marsh",
                               text="\n".join(CREDITED_ARTICLE))
CREDITED_PAGE = "\n".join(["Home", "News", "Old ferry pier to close for repairs", "By Jo Marsh", *CREDITED_ARTICLE,
                           "Money"])


@pytest.mark.parametrize("credit_lines, expected", [
    ("news_body", ["news_body"] * 4),
    ("unlabelled", [None] * 4),
    ("labelled", ["other", None, "other", "disclaimer"]),  # the caption may be the article's: left unlabelled
])
def test_credit_lines_of_the_reference_get_the_setting_and_the_article_keeps_news_body(credit_lines, expected):
    labels = {CREDITED_PAGE[s:e]: label for s, e, label in align_reference(CREDITED_PAGE, CREDITED_REFERENCE,
                                                                            credit_lines)}
    credit_lines_of_page = ["Photo by Lee Park/Harbour Gazette", "The old pier at dawn. Sam Reid/Reuters",
                            "Source: Harbour Board minutes", "Copyright 2025 Harbour Gazette. All rights reserved."]
    assert [labels[line] for line in credit_lines_of_page] == expected
    assert all(labels[p] == "news_body" for p in PARAGRAPHS)
    assert labels["Old ferry pier to close for repairs"] == labels["By Jo Marsh"] == "news_body"
    assert labels["Home"] == labels["Money"] == NOT_NEWS_BODY


def test_an_unknown_credit_line_setting_is_refused():
    with pytest.raises(ValueError, match="credit_lines must be one of"):
        align_reference(CREDITED_PAGE, CREDITED_REFERENCE, "other")


@pytest.mark.parametrize("line, label", [
    ("JANE ROE/AFP/Getty Images", "other"),
    ("(Sam Reid/Moodboard/Getty)", "other"),
    ("CreditJane Roe for The Example Times", "other"),
    ("Photo", "other"),
    ("Featured image via Example Commons", "other"),
    ("[责任编辑:王明]", "other"),
    ("Source: Example Wire", "other"),
    ("© 2025 Example Media", "disclaimer"),
    ("https://example.org/report", ""),  # a bare link: a source, or a link the article lists
    ("The pier at dawn. Image: Example Harbour Trust", ""),  # a caption that ends in a credit
    ("Creditors met on Monday.", None),
    ("Photographs from the trip hang in the town hall.", None),
    ("Source: the harbour board said on Tuesday that the pier would stay closed for repairs until spring", None),
])
def test_credit_line_cues(line, label):
    assert credit_line_label(line) == label


def test_the_config_setting_names_the_aligner_settings_and_only_for_references():
    assert get_args(CreditLineSetting) == CREDIT_LINE_SETTINGS
    SourceConfig(reader="html_reference", path="pages.jsonl", credit_lines="unlabelled")
    with pytest.raises(ValidationError, match="html_reference reader only"):
        SourceConfig(reader="jsonl", path="pages.jsonl", credit_lines="unlabelled")


def test_a_built_dataset_relabels_credit_lines_in_the_training_split_only(tmp_path):
    path = tmp_path / "pages.jsonl"
    html = "<html><body><p>Home</p>" + "".join(f"<p>{line}</p>" for line in CREDITED_ARTICLE) + "</body></html>"
    write_pages(path, [{"id": f"p{i}", "html": html, "reference": vars(CREDITED_REFERENCE), "meta": {"site": f"s{i}"}}
                       for i in range(6)])
    config = DataConfig(name="credits", output_dir=str(tmp_path / "out"), split={"validation": 0.2, "test": 0.2},
                        sources=[{"reader": "html_reference", "path": str(path), "credit_lines": "labelled"}])
    dataset = load_dataset_dict(build_dataset(config, progress=False).path)
    labels = {split: {(row["text"], row["label"]) for row in dataset[split]} for split in dataset}
    source_line = "Source: Harbour Board minutes"
    assert (source_line, LABELS.index("other")) in labels["train"]
    assert not any(text == "The old pier at dawn. Sam Reid/Reuters" for text, _ in labels["train"])
    for split in ("validation", "test"):
        assert (source_line, LABELS.index("news_body")) in labels[split], split

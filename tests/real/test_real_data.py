"""Checks on the real data in ../shared/data, read by path (skipped where it is absent)."""

import json
from collections import Counter

import pytest

from typer.testing import CliRunner

from newsseg.cli import app
from newsseg.data.segment_rows import document_rows
from newsseg.io.readers import read_documents
from newsseg.text.segmentation import normalize_for_model
from tests.helpers import SHARED_DATA, requires_shared
from tests.line_checks import check_cues, check_line_keys, check_phrase_counts, check_url_markers

SEED = SHARED_DATA / "seed" / "000_877fa22725c16c03.txt"


@requires_shared
def test_segment_command_on_the_seed_prints_28_segments_that_slice_the_file():
    result = CliRunner().invoke(app, ["segment", str(SEED)])
    assert result.exit_code == 0
    text = SEED.read_text(encoding="utf-8")
    lines = result.stdout.splitlines()
    assert len(lines) == 28
    for line in lines:
        index, start, end, preview = line.split(None, 3)
        piece = text[int(start):int(end)]
        assert piece == piece.strip() and piece.startswith(preview.removesuffix("...")[:50])


@requires_shared
def test_fnc_dev_reads_with_every_span_valid_and_labels_map_to_segments():
    docs = list(read_documents("jsonl", SHARED_DATA / "real" / "fnc_dev.jsonl"))
    assert len(docs) == 123
    labels = Counter()
    for doc in docs:
        rows = document_rows(doc, "lines", 1500, 100)
        assert all(r["label"] is not None for r in rows)
        labels.update(r["label"] for r in rows)
    assert set(labels) == {"news_body", "other", "ad", "disclaimer", "opinion_comment"}


@requires_shared
def test_dragnet_pages_are_labelled_by_construction():
    docs = list(read_documents("articles_comments", SHARED_DATA / "real" / "dragnet_articles_comments.jsonl"))
    assert len(docs) == 395
    labels = Counter(label for d in docs for _, _, label in d.spans)
    assert labels["opinion_comment"] > 10 * labels["other"] > 0


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [s for item in value for s in strings_in(item)] if isinstance(value, list) else []


@requires_shared
@pytest.mark.parametrize("name", ["fnc_dev.jsonl", "dragnet_articles_comments.jsonl"])
def test_phrase_lists_count_as_the_old_regexes_on_real_lines(name, monkeypatch):
    rows = (SHARED_DATA / "real" / name).read_text(encoding="utf-8").splitlines()
    lines = [line.lower() for row in rows for text in strings_in(json.loads(row)) for line in text.splitlines()]
    assert len(lines) > 1000
    check_phrase_counts(lines, monkeypatch)
    check_url_markers(lines, monkeypatch)


@requires_shared
@pytest.mark.parametrize("name", ["fnc_dev.jsonl", "dragnet_articles_comments.jsonl"])
def test_comment_cues_and_line_keys_match_the_per_line_definitions_on_real_lines(name, monkeypatch):
    rows = (SHARED_DATA / "real" / name).read_text(encoding="utf-8").splitlines()
    lines = [normalize_for_model(line) for row in rows for text in strings_in(json.loads(row))
             for line in text.splitlines()]
    assert len(lines) > 1000
    check_cues(lines, monkeypatch)
    check_line_keys(lines, monkeypatch)


@requires_shared
def test_readability_pages_align_most_of_each_reference_article():
    """The html_reference reader finds the reference article in the flattened page: on most pages nearly
    all of its text lands on lines labelled news_body, and the rest of the page is mostly not_news_body."""
    path = SHARED_DATA / "real" / "readability_pages.jsonl"
    references = {row["id"]: row["reference"]["text"] for row in map(json.loads, path.open(encoding="utf-8"))}
    docs = list(read_documents("html_reference", path))
    assert len(docs) == len(references) == 75
    coverage = []
    for doc in docs:
        body_chars = sum(end - start for start, end, label in doc.spans if label == "news_body")
        coverage.append(body_chars / len(references[doc.id].replace("\n", "")))
        assert doc.meta["shape"] == "whole_page" and doc.site
    coverage.sort()
    assert coverage[len(coverage) // 2] > 0.95  # median page
    assert sum(c > 0.8 for c in coverage) >= 0.9 * len(coverage)
    labels = Counter(label for doc in docs for _, _, label in doc.spans)
    assert labels["not_news_body"] > 2 * labels["news_body"] > 0

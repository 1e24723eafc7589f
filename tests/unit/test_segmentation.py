import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.text import segmentation
from newsseg.text.documents import Document, Segment
from newsseg.registry import Registry
from newsseg.text.segmentation import (EDGE_CHAR_STRING, iter_line_spans, needs_normalizing,
                                  normalize_for_model, normalize_lines, segment, segment_spans, split_long_span)

# What segmentation strips and normalizes, written out for the tests (newsseg keeps its own, private copies):
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # all C0 and C1 controls but \t and \n, which are white space
# Stripped from segment edges: white space, zero-width characters, controls.
EDGE_RE = re.compile(f"[\\s{ZERO_WIDTH}\x00-\x1f\x7f-\x9f]")
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def spans(text, **kw):
    return [(s.start, s.end, s.text) for s in segment(Document("d", text), **kw)]


def test_lines_are_stripped_and_empty_lines_skipped():
    text = "Headline\n\n  Body line one.  \n\t\nComments (3)\n"
    assert [s[2] for s in spans(text)] == ["Headline", "Body line one.", "Comments (3)"]


def test_crlf_nbsp_zero_width_and_controls_count_as_edges():
    text = "a\r\n\r\n\u00a0b\u200b \u00a0\r\n\x00c\rd"
    assert spans(text) == [(0, 1, "a"), (6, 7, "b"), (13, 14, "c"), (15, 16, "d")]


def test_paragraphs_join_lines_until_a_blank_line():
    text = "Title\nsubtitle\n\nPara one\ncontinues\n \nLast"
    assert [s[2] for s in spans(text, segmenter="paragraphs")] == ["Title\nsubtitle", "Para one\ncontinues", "Last"]


def test_long_line_is_split_at_sentence_ends_under_max_chars():
    text = " ".join(f"Sentence number {i} ends here." for i in range(100))
    pieces = spans(text, max_chars=200)
    assert all(len(p[2]) <= 200 for p in pieces)
    assert all(p[2].endswith(".") for p in pieces)
    assert "".join(p[2] for p in pieces).replace(" ", "") == text.replace(" ", "")


def test_unbreakable_text_is_cut_hard():
    assert [e - s for s, e in split_long_span("x" * 250, 0, 250, 100)] == [100, 100, 50]


def test_five_megabyte_single_line_is_segmented():
    text = "word " * 1_000_000
    segments = segment(Document("big", text), max_chars=1500)
    assert len(segments) > 3000 and max(len(s.text) for s in segments) <= 1500


def test_normalize_for_model():
    assert normalize_for_model(" a\u00a0\u200bb\x07c \n d\u200bd ") == "a b c dd"


@pytest.mark.parametrize("text, expected", [
    ("Already clean text.", "Already clean text."), ("two  spaces", "two spaces"), ("tab\there", "tab here"),
    ("trailing ", "trailing"), (" leading", "leading"), ("nbsp\u00a0here", "nbsp here"), ("ideographic\u3000space", "ideographic space"),
    ("zero\u200bwidth", "zerowidth"), ("bell\x07char", "bell char"), ("next\x85line", "next line"), ("", ""),
])
def test_normalize_for_model_changes_only_what_needs_it(text, expected):
    assert normalize_for_model(text) == expected


def normalized_by_definition(text: str) -> str:
    """Zero-width characters dropped, controls made spaces, runs of white space one space, the ends stripped."""
    text = re.sub(f"[{CONTROLS}]", " ", re.sub(f"[{ZERO_WIDTH}]", "", text))
    return re.sub("[\\s\u00a0]+", " ", text).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .\t\n\r\u00a0\u200b\u3000\x07\x85\ufeff\u00ad\u00e9")))
def test_normalize_for_model_matches_the_three_substitutions(text):
    expected = normalized_by_definition(text)
    assert normalize_for_model(text) == expected
    assert normalize_lines([text, "clean", text]) == [expected, "clean", expected]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["lines", "paragraphs"]), st.integers(min_value=1, max_value=60))
def test_offsets_always_slice_the_text(text, segmenter, max_chars):
    segments = segment(Document("d", text), segmenter, max_chars)
    previous_end = 0
    for i, seg in enumerate(segments):
        assert seg.index == i
        assert text[seg.start:seg.end] == seg.text
        assert 0 < len(seg.text) <= max_chars
        assert seg.start >= previous_end
        previous_end = seg.end


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), max_size=12))
def test_every_visible_character_is_in_some_line_segment(lines):
    text = "\n".join(lines)
    covered = set()
    for seg in segment(Document("d", text), "lines", 1500):
        covered.update(range(seg.start, seg.end))
    for i, ch in enumerate(text):
        if ch.isalnum():
            assert i in covered


def test_normalizing_leaves_every_printable_character_alone():
    # needs_normalizing skips its regex on printable text, which is exact only if this holds.
    printable = "x" + "x".join(c for c in EVERY_CHARACTER if c.isprintable()) + "x"
    assert not needs_normalizing(printable) and normalize_for_model(printable) == printable


def test_edge_char_string_holds_the_edge_characters_of_all_unicode():
    # Segments are stripped with the string; they must end where the edge character class says.
    assert "".join(EDGE_RE.findall(EVERY_CHARACTER)) == EDGE_CHAR_STRING


def regex_line_spans(text: str) -> list[tuple[int, int]]:
    """The reference: runs of characters other than \\r and \\n, as a regex finds them, edge characters stripped."""
    spans = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = match.group()
        start = match.start() + len(line) - len(line.lstrip(EDGE_CHAR_STRING))
        end = match.end() - (len(line) - len(line.rstrip(EDGE_CHAR_STRING)))
        if end > start:
            spans.append((start, end))
    return spans


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0\u200b\u2028\x0b\x0c\x1c\x85\x00é😀")))
def test_line_spans_are_the_stripped_runs_between_line_breaks(text):
    # Text without \r takes a str.split path: check it too.
    for variant in (text, text.replace("\r", "")):
        assert list(iter_line_spans(variant)) == regex_line_spans(variant)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!\t\n\r\u00a0\u200b\x85é")), st.sampled_from(["lines", "paragraphs"]),
       st.integers(min_value=1, max_value=30))
def test_segment_spans_are_the_segments_spans(text, segmenter, max_chars):
    doc = Document("d", text)
    assert segment_spans(doc, segmenter, max_chars) == [(s.start, s.end) for s in segment(doc, segmenter, max_chars)]


def test_the_line_segmenter_strips_every_edge_character_as_defined():
    # One line per character (line breaks aside): an edge character's line is empty. The Basic Multilingual
    # Plane and a sample of the planes beyond.
    characters = [c for c in EVERY_CHARACTER[:0x10000] + EVERY_CHARACTER[0x10000::97] if c not in "\r\n"]
    kept = {start // 2 for start, _ in segment_spans(Document("alone", "\n".join(characters)), "lines", 10)}
    assert [c for i, c in enumerate(characters) if i not in kept] == EDGE_RE.findall("".join(characters))


def test_segment_spans_of_a_registered_segmenter_come_from_its_segments(monkeypatch):
    def halves(doc, max_chars):
        middle = len(doc.text) // 2
        return [Segment.from_span(doc, 0, 0, middle), Segment.from_span(doc, 1, middle, len(doc.text))]

    segmenters = Registry("segmenter")
    segmenters.register("halves")(halves)
    monkeypatch.setattr(segmentation, "SEGMENTERS", segmenters)
    assert segment_spans(Document("d", "abcdef"), "halves") == [(0, 3), (3, 6)]

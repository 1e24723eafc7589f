"""Page-structure and character features of ``newsseg.features`` (its ``assembly`` and ``line_stats``) on literal
strings."""

import json
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.features.assembly import (LAYOUT_FEATURES_VERSION, LAYOUT_FEATURE_NAMES, check_layout_features,
                                       layout_features)
from newsseg.features.cues import is_comment_cue
from newsseg.features import line_stats
from newsseg.features.line_stats import PROSE_STRUCTURE_COLUMNS, char_class_counts, cue_flags, prose_structure
from newsseg.features.recurrence import page_shape_repeats
from tests.helpers import BUNDLED, TERMINAL_RE, frame_of

PROSE = "The council voted on Monday to approve a budget that funds two new bus routes across the city."


def counts_by_str_methods(texts: list[str]) -> list[list[int]]:
    return [[sum(c.isupper() for c in t), sum(c.isalpha() for c in t), sum(c.isdigit() for c in t),
             sum(not c.isalnum() and not c.isspace() for c in t), t.count(" "),
             len(t.split()), sum(w[:1].isupper() for w in t.split()), len(t)] for t in texts]


@pytest.mark.parametrize("no_jit", ["", "1"])
def test_char_class_counts_match_str_methods_including_astral_and_lone_surrogates(no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    texts = ["Hello World 42!", "", "Émile Zola – ×", "math 𝐀𝐁 and 😀", "bad \ud800 surrogate",
             "  Two\tspaces \u2003 Ünd end ", " ", "x", "😀Émile 𝐀b 😀 😀", "\u2003Ab"]
    assert char_class_counts(texts).tolist() == counts_by_str_methods(texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_char_class_counts_of_generated_text(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        for no_jit in ("", "1"):
            monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
            assert char_class_counts(texts).tolist() == counts_by_str_methods(texts)


@pytest.mark.parametrize("no_jit", ["", "1"])
def test_char_class_counts_of_empty_batches_are_zero(no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    assert char_class_counts([]).shape == (0, 8)
    assert char_class_counts(["", ""]).tolist() == [[0] * 8, [0] * 8]


def test_prose_structure_finds_the_first_prose_run_and_what_follows():
    lines = ["Menu", PROSE, "Photo: city hall", "Advertisement", PROSE, "Comments (2)", PROSE, "About us"]
    structure = prose_structure(lines, ["d"] * len(lines))
    in_run, after_run, _, after_last, before_first, _, _ = structure.T
    assert before_first.tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    # A caption and an ad inside the article stay in the run; a comment header ends it.
    assert in_run.tolist() == [0, 1, 1, 1, 1, 0, 0, 0]
    assert after_run.tolist() == [0, 0, 0, 0, 0, 1, 1, 1]
    assert after_last.tolist() == [0, 0, 0, 0, 0, 0, 0, 1]


def test_colon_list_marks_a_list_inside_the_article_not_one_before_comments():
    lines = [PROSE, "The report covers these regions:", "North America", "Europe", PROSE,
             "Related:", "Another story", "Comments (2)", PROSE]
    in_colon_list = prose_structure(lines, ["d"] * len(lines))[:, 5]
    assert in_colon_list.tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_sentence_list_marks_the_items_a_sentence_opens_even_at_the_end_of_the_page():
    lines = [PROSE, "The new timetable adds late buses on these three routes:", "Route 4", "Route 9",
             "More by Jane Doe:", "Another story", "Related:", "Other story",
             "The report covers the following regions of the world:", "Europe", PROSE, "Asia"]
    in_sentence_list = prose_structure(lines, ["d"] * len(lines))[:, 6]
    # A short header ("Related:", "More by Jane Doe:") opens no list; a prose line or a new colon line ends one.
    assert in_sentence_list.tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0]


def test_sentence_list_is_found_on_a_page_without_prose():
    lines = ["Opening hours", "The library opens on these days during the winter holidays:", "Monday", "Friday"]
    structure = prose_structure(lines, ["d"] * len(lines))
    assert structure[:, 0].tolist() == [0, 0, 0, 0]  # no line is prose
    assert structure[:, PROSE_STRUCTURE_COLUMNS.index("in_sentence_list")].tolist() == [0, 0, 1, 1]


def test_layout_features_take_the_prose_structure_columns_by_name():
    frame = frame_of({"p": ("x.com", "\n".join([PROSE, "The report covers the following regions of the world:",
                                                 "Europe", PROSE]) + "\n")})
    features = layout_features(frame)
    for name in PROSE_STRUCTURE_COLUMNS:
        assert name in LAYOUT_FEATURE_NAMES
    assert features[:, LAYOUT_FEATURE_NAMES.index("in_sentence_list")].tolist() == [0, 0, 1, 0]
    assert features[:, LAYOUT_FEATURE_NAMES.index("in_colon_list")].tolist() == [0, 0, 1, 0]
    assert features[:, LAYOUT_FEATURE_NAMES.index("in_first_prose_run")].tolist() == [1, 1, 1, 1]


def test_prose_structure_is_per_document():
    structure = prose_structure(["Menu", PROSE, "Menu", PROSE], ["a", "a", "b", "b"])
    assert structure[2, 4] == 1.0 and structure[1, 0] == 1.0 and structure[3, 0] == 1.0


@pytest.mark.parametrize("line, is_source", [
    ("Source: http://example.org/story", True), ("Via Reuters", True), ("https://example.org/a/b", True),
    ("Sources say the minister will resign.", False), ("See http://example.org for more", False),
])
def test_source_line_feature(line, is_source):
    frame = frame_of({"p": ("x.com", f"Headline\n{line}\n")})
    column = LAYOUT_FEATURE_NAMES.index("source_line")
    assert layout_features(frame)[1, column] == float(is_source)


def test_comment_cue_before_marks_lines_after_a_reply_button():
    frame = frame_of({"p": ("x.com", f"{PROSE}\nJane says:\nI disagree.\n")})
    features = layout_features(frame)
    cue, before = LAYOUT_FEATURE_NAMES.index("comment_cue"), LAYOUT_FEATURE_NAMES.index("comment_cue_before")
    assert features[:, cue].tolist() == [0, 1, 0] and features[:, before].tolist() == [0, 0, 1]


def test_model_with_older_features_is_refused_with_a_clear_error():
    class Old:
        family = "layout_gbt"
        layout_feature_names = LAYOUT_FEATURE_NAMES[:-3]

    with pytest.raises(ValueError, match="retrain"):
        check_layout_features(Old())


def test_model_with_an_older_feature_meaning_is_refused():
    class SameNamesUnversioned:  # saved before the features were versioned
        family = "layout_gbt"
        layout_feature_names = LAYOUT_FEATURE_NAMES

    with pytest.raises(ValueError, match="version 1, .* version .*: retrain it"):
        check_layout_features(SameNamesUnversioned())
    current = SameNamesUnversioned()
    current.layout_features_version = LAYOUT_FEATURES_VERSION
    check_layout_features(current)


def test_prose_threshold_adapts_to_short_pages():
    brief = ["Storm shuts coast road", "The road closed on Monday after heavy rain.", "Great, thanks!"]
    in_run = prose_structure(brief, ["d"] * 3)[:, 0]
    assert in_run.tolist() == [0, 1, 0]


@pytest.mark.parametrize("line, is_cue", [
    ("Comments (12)", True), ("12 likes", True), ("Like · Reply", True), ("Anna says:", True),
    ("March 3, 2019 at 4:12 pm", True), ("3 hours ago", True), ("This comment is awaiting moderation.", True),
    # Words that only look like comment furniture: they must not open the comment gate.
    ("Cloudy, feels like rain", False), ("Two key points", False), ("the Emergency Response Unit", False),
    ("6:45 PM", False), ("I hope they like the plan.", False),
])
def test_comment_cues_are_narrow(line, is_cue):
    assert is_comment_cue(line) is is_cue


def test_page_shape_repeats_marks_listing_entries_not_refrains():
    lines = ["Jun 29, 2008 — Jim Doe", "First teaser of a story.", "May 3, 2008 — Jim Doe", "Second teaser.",
             "I remained silent;", "I remained silent;", "Jun 29, 2008 — Jim Doe"]
    repeats = page_shape_repeats(lines, ["d"] * 6 + ["other page"])
    assert (repeats * 10).round().tolist() == [1, 0, 1, 0, 0, 0, 0]


@pytest.mark.parametrize("line, is_bio", [
    ("Jane R. Doe is a graduate of Northfield law school and worked as a lawyer for ten years.", True),
    ("Tom Marsh has been a teacher and a pastor since 1990, and his essays appear in many papers.", True),
    ("The Harbour Institute is an independent research organisation with offices in three cities.", True),
    ("Sam Lee is Commander of the county volunteer rescue team and writes about emergency planning.", True),
    # An article's sentences about named people, and a too-short line, are not bios.
    ("President Grant has been criticised by both parties for the delay in the new budget.", False),
    ("The mayor said the new budget is a compromise that nobody on the council really likes.", False),
    ("Jane Doe is a reporter.", False),
])
def test_bio_opening(line, is_bio):
    frame = frame_of({"p": ("x.com", f"{line}\n")})
    assert layout_features(frame)[0, LAYOUT_FEATURE_NAMES.index("bio_opening")] == float(is_bio)


def reference_prose_structure(texts: list[str], doc_ids: list[str]) -> np.ndarray:
    """``prose_structure`` as it was written before it was compiled: the reference."""
    is_cue = cue_flags(texts, doc_ids)[0]
    word_counts = [len(text.split()) for text in texts]
    out = np.zeros((len(texts), len(PROSE_STRUCTURE_COLUMNS)), dtype=np.float32)
    start = 0
    while start < len(texts):
        end = start
        while end < len(texts) and doc_ids[end] == doc_ids[start]:
            end += 1
        sentence_words = {i: word_counts[i] for i in range(start, end) if TERMINAL_RE.search(texts[i])}
        longest = max(sentence_words.values(), default=0)
        threshold = min(line_stats.PROSE_MIN_WORDS, max(line_stats.PROSE_MIN_WORDS_FLOOR, longest / 2))
        prose = [i for i, words in sentence_words.items() if words >= threshold]
        if prose:
            run_end = prose[0]
            for i in prose[1:]:
                gap = range(run_end + 1, i)
                if len(gap) > line_stats.PROSE_RUN_MAX_GAP or is_cue[gap.start:gap.stop].any():
                    break
                run_end = i
            for i in range(start, end):
                out[i, 0] = float(prose[0] <= i <= run_end)
                out[i, 1] = float(i > run_end)
                out[i, 2] = min(max(i - run_end, 0), 50) / 50
                out[i, 3] = float(i > prose[-1])
                out[i, 4] = float(i < prose[0])
            for before, after in zip(prose, prose[1:]):
                if 1 < after - before <= line_stats.COLON_LIST_MAX_LINES + 1 and not is_cue[before + 1:after].any():
                    colon_seen = texts[before].endswith(":")
                    for i in range(before + 1, after):
                        out[i, 5] = float(colon_seen)
                        colon_seen = colon_seen or texts[i].endswith(":")
        prose_set = set(prose)
        for i in range(start, end):
            if texts[i].endswith(":") and word_counts[i] >= line_stats.LIST_OPENER_MIN_WORDS:
                for j in range(i + 1, min(end, i + 1 + line_stats.COLON_LIST_MAX_LINES)):
                    if j in prose_set or is_cue[j] or texts[j].endswith(":"):
                        break
                    out[j, 6] = 1.0
        start = end
    return out


LINE_KINDS = ["Menu", "Comments (2)", "Reply", "The report covers:", "Two short words.", PROSE,
              "The timetable adds late buses on these routes and more:", "Fares rise in May", "Riverside Road",
              "A longer closing line of nine words ends here.", "Great article, thanks!", "Share this:", ""]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(LINE_KINDS)), max_size=40))
def test_prose_structure_matches_the_reference(lines):
    texts, doc_ids = [t for _, t in lines], [d for d, _ in lines]
    expected = reference_prose_structure(texts, doc_ids)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for no_jit in ("", "1"):
            monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
            assert np.array_equal(prose_structure(texts, doc_ids), expected)


def test_prose_structure_matches_the_reference_on_the_bundled_pages():
    pages = [json.loads(row) for row in BUNDLED.read_text(encoding="utf-8").splitlines()]
    texts = [line.strip() for page in pages for line in page["text"].splitlines() if line.strip()]
    doc_ids = [page["id"] for page in pages for line in page["text"].splitlines() if line.strip()]
    assert np.array_equal(prose_structure(texts, doc_ids), reference_prose_structure(texts, doc_ids))


def reference_page_shape_repeats(texts: list[str], doc_ids: list[str]) -> np.ndarray:
    """``page_shape_repeats`` as it was written before it skipped lines with no digit or month: the reference."""
    month_mask = (r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|"
                  r"oct(ober)?|nov(ember)?|dec(ember)?)\b\.?")
    lowered = [(doc, text.lower()) for doc, text in zip(doc_ids, texts)]
    shapes = [(doc, re.sub(month_mask, "m", re.sub(r"\d+", "0", text))) for doc, text in lowered]
    shape_counts, text_counts = Counter(shapes), Counter(lowered)
    return np.array([min(shape_counts[s] - text_counts[t], 10) / 10 for s, t in zip(shapes, lowered)], dtype=np.float32)


def test_page_shapes_match_the_reference(monkeypatch):
    pages = [json.loads(row) for row in BUNDLED.read_text(encoding="utf-8").splitlines()]
    lines = [(page["id"], line) for page in pages for line in page["text"].splitlines()]
    odd = ["Jun 2, 2008", "Jul 3, 2009", "x² y", "x³ y", "٣ May", "٤ May", "Sepember 5"]  # ² is a digit, not \d
    lines += [("x", text) for text in odd]
    texts, doc_ids = [t for _, t in lines], [d for d, _ in lines]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        assert np.array_equal(page_shape_repeats(texts, doc_ids), reference_page_shape_repeats(texts, doc_ids))


SHAPE_LINES = ["Jun 2, 2008 by J. Doe", "Jul 3, 2009 by J. Doe", "m 0, 0 by j. doe", "Jun 2, 2008 by J. Doe",
               "May", "m", "may", "Share", "share", "Page 1 of 3", "Page 2 of 3", "page 0 of 0", "x² y", "٣ May"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(SHAPE_LINES)), max_size=30))
def test_page_shapes_match_the_reference_on_generated_pages(lines):
    # Pages interleaved on purpose: a page's lines need not be contiguous.
    texts, doc_ids = [t for _, t in lines], [d for d, _ in lines]
    assert np.array_equal(page_shape_repeats(texts, doc_ids), reference_page_shape_repeats(texts, doc_ids))

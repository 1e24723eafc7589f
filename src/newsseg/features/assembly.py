"""The layout features: one row of ``LAYOUT_FEATURE_NAMES`` per segment, assembled column by column from the
line statistics, the cue catalogue, recurrence and page structure; their version check; and the neighbour
windows the models read.

Every function takes a pandas DataFrame of segment rows (``data.segment_rows.SEGMENT_COLUMNS``), in document order.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from newsseg.features.cues import (
    BIO_MIN_WORDS,
    BIO_OPENING_RE,
    CALL_TO_ACTION,
    CHROME,
    COMMENT_CUE_WORDS,
    COMMENT_HEADER,
    FIRST_PERSON,
    LEGAL,
    MONTHS,
    SECOND_PERSON,
    SOURCE_LINE,
    URL_MARKERS,
    caseless_lines,
)
from newsseg.features.line_forms import line_forms
from newsseg.features.line_stats import (
    CHAR_CLASS_COLUMNS,
    LINE_EDGE_COLUMNS,
    PROSE_STRUCTURE_COLUMNS,
    char_class_counts,
    cjk_word_equivalents,
    cue_flags,
    document_bounds,
    line_edge_flags,
    prose_structure,
    segments_since_comment_header,
)
from newsseg.features.page_structure import PAGE_STRUCTURE_COLUMNS, continues_on_next_line, page_structure
from newsseg.features.recurrence import BoilerplateIndex, page_shape_repeats, site_recurrence
from newsseg.text.phrase_lists import count_phrase_lists

LAYOUT_PHRASE_LISTS = {"first_person": FIRST_PERSON, "second_person": SECOND_PERSON, "call_to_action": CALL_TO_ACTION,
                       "legal_words": LEGAL, "chrome_words": CHROME, "months": MONTHS,
                       "comment_cue_words": COMMENT_CUE_WORDS}

LAYOUT_FEATURE_NAMES = (
    "position", "index", "segments_left", "log_n_segments", "log_chars", "log_words", "terminal_punct",
    "upper_ratio", "digit_ratio", "symbol_ratio", "space_ratio", "title_case_ratio", "has_url",
    "list_item", "first_person", "second_person", "call_to_action", "legal_words", "chrome_words",
    "is_comment_header", "after_comment_header", "segments_since_comment_header", "starts_lower",
    "ends_colon", "site_recurrence", "corpus_recurrence",
    "source_line", "comment_cue", "comment_cue_before", "in_first_prose_run", "after_first_prose_run",
    "segments_after_first_prose_run", "after_last_prose", "before_first_prose", "in_colon_list",
    "page_shape_repeats", "bio_opening", "in_sentence_list", *PAGE_STRUCTURE_COLUMNS,
)


# Bumped when a feature keeps its name but changes meaning (2: the narrow comment cues; 3: the page-structure
# columns, CJK words and sentence endings; 4: hard-wrapped lines count as prose for the main block), so that a
# model trained on the old meaning is refused instead of quietly mis-predicting.
LAYOUT_FEATURES_VERSION = 4


def check_layout_features(model) -> None:
    """A model pickled with an older feature set cannot be applied: say so instead of mis-predicting."""
    trained = tuple(getattr(model, "layout_feature_names", ()))
    if trained != LAYOUT_FEATURE_NAMES:
        raise ValueError(f"this {model.family} model was trained with {len(trained) or 'an older set of'} layout "
                         f"features, this newsseg computes {len(LAYOUT_FEATURE_NAMES)}: retrain it")
    version = getattr(model, "layout_features_version", 1)  # models saved before versioning: 1
    if version != LAYOUT_FEATURES_VERSION:
        raise ValueError(f"this {model.family} model was trained with layout features version {version}, "
                         f"this newsseg computes version {LAYOUT_FEATURES_VERSION}: retrain it")


def _capped(counts: np.ndarray, cap: int) -> np.ndarray:
    """``counts`` capped at ``cap``, over ``cap``."""
    return np.minimum(counts, cap).astype(np.float64) / cap


def _ratios(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """counts / totals, 0 where the total is 0."""
    return np.divide(counts, totals, out=np.zeros(len(counts)), where=totals > 0)


def layout_features(frame: pd.DataFrame, index: Optional[BoilerplateIndex] = None,
                    site_recurrence_values: Optional[np.ndarray] = None) -> np.ndarray:
    """One row of ``LAYOUT_FEATURE_NAMES`` per segment, built column by column over the batch."""
    forms = line_forms(frame)
    texts, lowered, keys = forms.texts, forms.lowered, forms.keys
    if site_recurrence_values is not None:
        site_rec = site_recurrence_values
    elif "site_recurrence" in frame.columns:  # computed by the pipeline over a stream (SiteMemory)
        site_rec = frame["site_recurrence"].to_numpy(dtype=np.float32)
    else:
        site_rec = site_recurrence(frame, keys=keys)
    doc_ids = frame["doc_id"].tolist()
    indexes = frame["index"].to_numpy(dtype=np.int64)
    n_segments = frame["n_segments"].to_numpy(dtype=np.int64)
    counts = dict(zip(CHAR_CLASS_COLUMNS, char_class_counts(texts).T))
    chars, words = counts["chars"], counts["words"] + cjk_word_equivalents(texts)
    phrase_counts = dict(zip(LAYOUT_PHRASE_LISTS, count_phrase_lists(tuple(LAYOUT_PHRASE_LISTS.values()), lowered).T))
    caseless = caseless_lines(texts)
    is_header = COMMENT_HEADER.matches(texts, lowered, caseless)
    # Computed once: the prose runs end at comment cues too.
    is_cue, cue_before = cue_flags(texts, doc_ids, lowered=lowered, word_counts=words,
                                   cue_word_counts=phrase_counts["comment_cue_words"], is_header=is_header,
                                   caseless=caseless)
    since_header = segments_since_comment_header(is_header, indexes.tolist(), doc_ids)
    columns = {
        "position": frame["position"].to_numpy(dtype=np.float64),
        "index": np.minimum(indexes, 200) / 200,
        "segments_left": np.minimum(n_segments - 1 - indexes, 200) / 200,
        "log_n_segments": np.log1p(n_segments),
        "log_chars": np.log1p(chars),
        "log_words": np.log1p(words),
        **dict(zip(LINE_EDGE_COLUMNS, line_edge_flags(texts).T)),
        "upper_ratio": _ratios(counts["upper"], counts["letters"]),
        "digit_ratio": _ratios(counts["digits"], chars),
        "symbol_ratio": _ratios(counts["symbols"], chars),
        "space_ratio": _ratios(counts["spaces"], chars),
        "title_case_ratio": _ratios(counts["capitalised_words"], words),
        "has_url": URL_MARKERS.found(lowered).astype(np.float64),

        "first_person": _capped(phrase_counts["first_person"], 5),
        "second_person": _capped(phrase_counts["second_person"], 5),
        "call_to_action": _capped(phrase_counts["call_to_action"], 3),
        "legal_words": _capped(phrase_counts["legal_words"], 3),
        "chrome_words": _capped(phrase_counts["chrome_words"], 3),
        "is_comment_header": is_header,
        "after_comment_header": (since_header > 0).astype(np.float64),
        "segments_since_comment_header": np.where(since_header >= 0, np.minimum(since_header, 50) / 50, -1.0),

        "site_recurrence": site_rec,
        "corpus_recurrence": index.recurrence(keys) if index is not None else np.zeros(len(texts)),
        "source_line": SOURCE_LINE.matches(texts, lowered, caseless),
        "comment_cue": is_cue,
        "comment_cue_before": cue_before,
        "page_shape_repeats": page_shape_repeats(texts, doc_ids, lowered, phrase_counts["months"], folded=forms.folded),
        "bio_opening": np.array([bool(n >= BIO_MIN_WORDS and BIO_OPENING_RE.match(text))
                                 for text, n in zip(texts, words.tolist())], dtype=np.float64),
    }
    structure = prose_structure(texts, doc_ids, is_cue, words, columns["terminal_punct"], columns["ends_colon"])
    columns.update(zip(PROSE_STRUCTURE_COLUMNS, structure.T))
    bounds = document_bounds(doc_ids)
    terminal = columns["terminal_punct"].astype(bool)
    columns.update(zip(PAGE_STRUCTURE_COLUMNS, page_structure(
        words, terminal, columns["title_case_ratio"], bounds,
        continued=continues_on_next_line(columns["starts_lower"], terminal, bounds)).T))
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in LAYOUT_FEATURE_NAMES]
                           ).astype(np.float32)


def with_neighbours(features: np.ndarray, frame: pd.DataFrame, window: int) -> np.ndarray:
    """Append the features of ``window`` segments on each side (zeros plus a flag past the edges).

    The result is column-major (Fortran order), as the trees read it: the columns are built as rows of
    its transpose, each neighbour's block a shifted slice of the features' transpose, so no big matrix is
    transposed after (that and stacking the blocks had cost a sixth of the trees' time)."""
    if window == 0:
        return features
    doc_codes = pd.factorize(frame["doc_id"].to_numpy())[0]  # compared as numbers, not as strings
    n, width = features.shape
    offsets = [o for o in range(-window, window + 1) if o != 0]
    # Every element is written below: each block's copied columns, then its edge columns and its flag row.
    by_column = np.empty((width + len(offsets) * (width + 1), n), dtype=features.dtype)
    by_column[:width] = features.T
    for k, offset in enumerate(offsets):
        block = by_column[width + k * (width + 1):width + (k + 1) * (width + 1)]
        src = np.arange(n) + offset
        valid = (src >= 0) & (src < n)
        valid[valid] &= doc_codes[src[valid]] == doc_codes[valid]
        if -n < offset < 0:  # row i takes row i + offset
            block[:width, -offset:] = by_column[:width, :n + offset]
        elif 0 < offset < n:
            block[:width, :n - offset] = by_column[:width, offset:]
        block[:width, np.flatnonzero(~valid)] = 0.0
        block[width] = ~valid
    return by_column.T

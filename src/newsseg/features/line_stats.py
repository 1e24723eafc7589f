"""Per-line statistics over a batch of lines: character classes and words, what a line's first and last
characters say, comment cues, and where each line sits relative to its page's prose. Each has a compiled
loop (``kernels.line_stats``) and a plain path that gives the same result.
"""

from __future__ import annotations

import functools
from typing import Optional

import numpy as np
import pandas as pd

from newsseg.features.cues import (
    COMMENT_CUE,
    COMMENT_CUE_MAX_WORDS,
    COMMENT_CUE_WORDS,
    COMMENT_HEADER,
    LIST_BULLETS,
    LIST_RE,
    TERMINAL_ENDINGS,
    TERMINAL_RE,
    caseless_lines,
    cjk_words,
    might_be_comment_cue,
)
from newsseg.features.line_forms import lowered_model_text, model_text
from newsseg.kernels import jit_enabled, python_version
from newsseg.kernels.code_points import ALPHA, DIGIT, SPACE, SYMBOL, UPPER, WHITESPACE, CodePointBatch
from newsseg.kernels.line_stats import char_class_count_loop, line_edge_loop, prose_structure_loop

CHAR_CLASS_COLUMNS = ("upper", "letters", "digits", "symbols", "spaces", "words", "capitalised_words", "chars")


def char_class_counts(texts: list[str]) -> np.ndarray:
    """Per text, the counts named by ``CHAR_CLASS_COLUMNS``: upper-case letters, letters, digits, symbols,
    spaces, words (``len(text.split())``), words whose first character is upper case, and characters
    (``len(text)``). Same result as ``str.isupper()`` etc. per character, over the whole batch at once."""
    if not texts:
        return np.zeros((0, len(CHAR_CLASS_COLUMNS)), dtype=np.int64)
    batch = CodePointBatch.of(texts)
    classes, starts, ends = batch.classes, batch.starts, batch.ends
    if jit_enabled():
        return char_class_count_loop(classes, starts, ends)
    per_class = [(classes >> bit) & 1 == 1 for bit in (UPPER, ALPHA, DIGIT, SYMBOL, SPACE)]
    # A word starts at a non-space character that opens its text or follows a space (str.split's words);
    # the line break between two texts is white space.
    space = (classes >> WHITESPACE) & 1 == 1
    after_space = np.empty_like(space)
    after_space[:1], after_space[1:] = True, space[:-1]
    word_start = after_space & ~space
    counted = np.vstack([*per_class, word_start, word_start & per_class[0]])
    # Running totals per class (a row each: contiguous, several times faster than down the columns).
    cumulative = np.zeros((counted.shape[0], len(classes) + 1), dtype=np.int64)
    np.cumsum(counted, axis=1, out=cumulative[:, 1:])
    return np.column_stack([(cumulative[:, ends] - cumulative[:, starts]).T, ends - starts])


def cjk_word_equivalents(texts: list[str]) -> np.ndarray:
    """Per text, ``cues.cjk_words``: words that white space does not separate. Without them a Chinese paragraph
    counted as one word, like a menu item."""
    return np.array([cjk_words(text) for text in texts], dtype=np.int64)


def ends_like_sentence(texts: list[str]) -> np.ndarray:
    """Per text: whether ``TERMINAL_RE`` finds its last character (before a final line break, as ``$``
    allows), without the regex trying every position."""
    return np.array([text.endswith(TERMINAL_ENDINGS) or (text.endswith("\n") and TERMINAL_RE.search(text) is not None)
                     for text in texts], dtype=np.float64)


# Columns of ``line_edge_flags``, named as in ``LAYOUT_FEATURE_NAMES``.
LINE_EDGE_COLUMNS = ("terminal_punct", "starts_lower", "ends_colon", "list_item")


def line_edge_flags(texts: list[str]) -> np.ndarray:
    """Per text, what its first and last characters say, in the columns ``LINE_EDGE_COLUMNS``: it ends like
    a sentence (``ends_like_sentence``), starts lower-case (``text[:1].islower()``), ends with ":", opens
    like a list item (``LIST_RE.match``). Compiled: one loop over the batch's code points (the batch the
    character counts read) instead of four passes over the strings, one of them a regex."""
    if not jit_enabled() or not texts:
        return np.column_stack([ends_like_sentence(texts), [text[:1].islower() for text in texts],
                                [text.endswith(":") for text in texts], _flags(LIST_RE.match, texts)]
                               ).astype(np.float64).reshape(len(texts), len(LINE_EDGE_COLUMNS))
    batch = CodePointBatch.of(texts)
    flags = line_edge_loop(batch.codes, batch.classes, batch.starts, batch.ends, _lower_case_table(),
                            _code_array(TERMINAL_ENDINGS), _code_array(LIST_BULLETS))
    # Beyond the Basic Multilingual Plane (no table there), the first character is asked in Python.
    opened = batch.starts < batch.ends
    for t in np.flatnonzero(opened)[batch.codes[batch.starts[opened]] > 0xFFFF]:
        flags[t, 1] = texts[t][:1].islower()
    return flags


@functools.cache
def _lower_case_table() -> np.ndarray:
    """Per Basic Multilingual Plane code point, ``str.islower``."""
    return np.array([chr(c).islower() for c in range(0x10000)], dtype=np.bool_)


def _code_array(characters) -> np.ndarray:
    return np.array([ord(c) for c in characters], dtype=np.uint32)


def _flags(find, texts: list[str]) -> np.ndarray:
    """Per text: whether ``find`` (a pattern's search or match) finds anything."""
    return np.array([find(text) is not None for text in texts], dtype=np.float64)


def cue_flags(texts: list[str], doc_ids: list[str], lowered: Optional[list[str]] = None,
              word_counts: Optional[np.ndarray] = None, cue_word_counts: Optional[np.ndarray] = None,
              is_header: Optional[np.ndarray] = None,
              caseless: Optional[list[bool]] = None) -> tuple[np.ndarray, np.ndarray]:
    """Per line: is it a comment cue (``is_comment_cue``), and is an earlier line of its document one.
    ``lowered``, ``word_counts`` (white-space words plus ``cjk_word_equivalents``, as the layout features
    count them), ``cue_word_counts`` (``COMMENT_CUE_WORDS`` in the lower-cased line), ``is_header`` (``COMMENT_HEADER_RE`` finds something), ``caseless``
    (``caseless_lines``): per line, when the caller has them."""
    if word_counts is None:
        word_counts = char_class_counts(texts)[:, CHAR_CLASS_COLUMNS.index("words")] + cjk_word_equivalents(texts)
    if lowered is None:
        lowered = [text.lower() for text in texts]
    if cue_word_counts is None:
        cue_word_counts = COMMENT_CUE_WORDS.count(lowered)
    if caseless is None:
        caseless = caseless_lines(texts)
    if is_header is None:
        is_header = COMMENT_HEADER.matches(texts, lowered, caseless)
    # is_comment_cue, with the regex only where it could match.
    fast, slow = COMMENT_CUE.without_flag.search, COMMENT_CUE.pattern.search
    is_cue = [bool(header) or (words <= COMMENT_CUE_MAX_WORDS and might_be_comment_cue(text, cue_words)
                               and (fast(low) if plain else slow(text)) is not None)
              for text, low, plain, header, words, cue_words in zip(texts, lowered, caseless, is_header.tolist(),
                                                                    word_counts.tolist(), cue_word_counts.tolist())]
    before, seen = [], set()
    for doc, cue in zip(doc_ids, is_cue):
        before.append(doc in seen)
        if cue:
            seen.add(doc)
    return np.array(is_cue, dtype=bool), np.array(before, dtype=bool)


def comment_cue_before(frame: pd.DataFrame) -> np.ndarray:
    """Per segment row: whether an earlier segment of its document is a comment cue (``cue_flags`` of the
    frame's model text), what the decoder's comment gate reads."""
    return cue_flags(model_text(frame), frame["doc_id"].tolist(), lowered_model_text(frame))[1]


# A prose line: long enough and ending like a sentence; the article is the first run of them. "Long
# enough" is PROSE_MIN_WORDS, or half the page's longest such line on short pages (news briefs).
PROSE_MIN_WORDS = 15
PROSE_MIN_WORDS_FLOOR = 6
PROSE_RUN_MAX_GAP = 2
# A list inside the article: the non-prose lines after a line ending in ":", with prose again after them
# and no comment cue between ("The report covers:" + regions, a recipe's ingredients). At most this many.
COLON_LIST_MAX_LINES = 30
# A list a sentence opens ("The timetable adds late buses on these routes:" + items), whether or not prose
# follows: the opener ends in ":" and has at least this many words, so that "Related:" or "More by Jane
# Doe:" open none. The list ends at a prose line, a comment cue or the next line ending in ":".
LIST_OPENER_MIN_WORDS = 8


PROSE_STRUCTURE_COLUMNS = ("in_first_prose_run", "after_first_prose_run", "segments_after_first_prose_run",
                           "after_last_prose", "before_first_prose", "in_colon_list", "in_sentence_list")


def document_bounds(doc_ids: list[str]) -> list[int]:
    """Where each document's rows start, and the end: document d is rows ``bounds[d]`` to ``bounds[d + 1]``
    (rows are in document order)."""
    return [0] + [i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]] + [len(doc_ids)]


def prose_structure(texts: list[str], doc_ids: list[str], is_cue: Optional[np.ndarray] = None,
                    word_counts: Optional[np.ndarray] = None, terminal: Optional[np.ndarray] = None,
                    ends_colon: Optional[np.ndarray] = None) -> np.ndarray:
    """Where each line sits relative to the page's prose, in the columns ``PROSE_STRUCTURE_COLUMNS``. Per
    line: inside the first run of prose lines (gaps of up to ``PROSE_RUN_MAX_GAP`` other lines allowed, e.g.
    a caption or an ad; a comment header or reply button ends the run), after that run, segments since its
    end, no prose line after it, no prose line before it, inside a colon-introduced list between prose lines
    (``COLON_LIST_MAX_LINES``), inside a list a sentence opens (``LIST_OPENER_MIN_WORDS``).
    ``is_cue``, ``word_counts``, ``terminal`` (ends like a sentence), ``ends_colon``: per line, when the caller
    has them.

    Why: on real pages the article is the first long run of prose; reader comments come after chrome
    that breaks the run (a header, a byline, a date), and chrome clusters after the last prose line."""
    if is_cue is None:
        is_cue = cue_flags(texts, doc_ids)[0]
    if word_counts is None:
        word_counts = [len(text.split()) for text in texts]
    if terminal is None:
        terminal = ends_like_sentence(texts)
    if ends_colon is None:
        ends_colon = [text.endswith(":") for text in texts]
    bounds = document_bounds(doc_ids)
    loop = prose_structure_loop if jit_enabled() else python_version(prose_structure_loop)
    return loop(np.asarray(terminal, dtype=np.bool_), np.asarray(word_counts, dtype=np.int64),
                np.asarray(is_cue, dtype=np.bool_), np.asarray(ends_colon, dtype=np.bool_),
                np.array(bounds if texts else [0], dtype=np.int64), PROSE_MIN_WORDS, PROSE_MIN_WORDS_FLOOR,
                PROSE_RUN_MAX_GAP, COLON_LIST_MAX_LINES, LIST_OPENER_MIN_WORDS)


def segments_since_comment_header(is_header: np.ndarray, indexes: list[int], doc_ids: list[str]) -> np.ndarray:
    """Per line: segments since the last comment header of its page at or before it, -1 where none."""
    # Python lists: element access on numpy arrays costs several times more per line.
    out = []
    last_header: dict[str, int] = {}
    for header, idx, doc in zip(np.asarray(is_header).tolist(), indexes, doc_ids):
        if header:
            last_header[doc] = idx
        last = last_header.get(doc)
        out.append(-1 if last is None else idx - last)
    return np.array(out, dtype=np.int64)

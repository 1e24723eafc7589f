"""Page structure: where the article's main prose block is, and what surrounds each line.

Why: on whole pages flattened to text (Common Crawl WET files) the article sits among 60-150 lines of
menus, section lists, "most read" headline lists and footers. Looked at one by one, a menu item or another
article's headline is a short title-case line like the article's own headline; what tells them apart is the
page around them: the article is the densest block of prose, chrome comes in long runs of short lines, and
headline lists are runs of headline-like lines away from that block.
"""

from __future__ import annotations

import numpy as np

from .kernels import compiled, jit_enabled, python_version

PAGE_STRUCTURE_COLUMNS = ("in_main_block", "lines_to_main_block", "above_main_block", "main_block_share",
                          "short_run_length", "headline_like", "headline_run", "prose_around", "short_around",
                          "headline_around")

# A line of at least this many words that ends like a sentence counts as prose for the main block.
PROSE_WORDS = 8
# What a non-prose line costs the block holding it, in words: a caption or an ad line inside the
# article costs little next to its paragraphs, a run of 40 menu items splits two blocks.
NON_PROSE_COST = 4
# Lines of fewer words are short (menu items, section names, share buttons).
SHORT_LINE_WORDS = 5
# A headline-like line: this many words, no sentence ending, most words capitalised or a capital first.
HEADLINE_WORDS = (3, 18)
# Headline-like lines counted within this many lines on each side.
HEADLINE_WINDOW = 3
# The share of prose, short and headline-like lines is also counted this many lines on each side.
WIDE_WINDOW = 10
# Distances in lines are scaled by this and capped at 1.
DISTANCE_SCALE = 50.0


def page_structure(word_counts: np.ndarray, terminal: np.ndarray, title_case_ratio: np.ndarray,
                   bounds: list[int]) -> np.ndarray:
    """Per line, the columns ``PAGE_STRUCTURE_COLUMNS``. ``word_counts``, ``terminal`` (ends like a sentence)
    and ``title_case_ratio`` (capitalised words / words) per line; page d is lines ``bounds[d]`` to
    ``bounds[d + 1]``.

    - in_main_block: inside the page's main prose block, the run of lines with the largest sum of prose
      words less NON_PROSE_COST per other line (the maximum-sum run, found in one pass);
    - lines_to_main_block: lines between the line and that block, scaled (0 inside; 1 on a page without
      prose);
    - above_main_block: the line comes before the block;
    - main_block_share: the block's share of the page's lines (small on whole pages, large on extractions);
    - short_run_length: length of the run of short lines holding the line, scaled (0 for other lines);
    - headline_like, headline_run: a headline-like line, and the share of headline-like lines around it;
    - prose_around, short_around, headline_around: the shares of prose, short and headline-like lines within
      WIDE_WINDOW lines (a list of teasers alternates headlines and prose; a paragraph's neighbours are prose)."""
    loop = _page_structure_loop if jit_enabled() else python_version(_page_structure_loop)
    return loop(np.asarray(word_counts, dtype=np.int64), np.asarray(terminal, dtype=np.bool_),
                np.asarray(title_case_ratio, dtype=np.float64), np.asarray(bounds, dtype=np.int64),
                PROSE_WORDS, NON_PROSE_COST, SHORT_LINE_WORDS, HEADLINE_WORDS[0], HEADLINE_WORDS[1],
                HEADLINE_WINDOW, WIDE_WINDOW, DISTANCE_SCALE)


@compiled
def _page_structure_loop(words, terminal, title_case_ratio, bounds, prose_words, non_prose_cost, short_line_words,
                         headline_min_words, headline_max_words, headline_window, wide_window, distance_scale):
    """``page_structure`` over per-line arrays (compiled: a Python loop per line cost a tenth of the features)."""
    n = len(words)
    out = np.zeros((n, 10), dtype=np.float32)
    headline = np.zeros(n, dtype=np.int64)
    prose = np.zeros(n, dtype=np.int64)
    short = np.zeros(n, dtype=np.int64)
    for i in range(n):
        prose[i] = 1 if terminal[i] and words[i] >= prose_words else 0
        short[i] = 1 if words[i] < short_line_words else 0
    for i in range(n):
        if not terminal[i] and headline_min_words <= words[i] <= headline_max_words and title_case_ratio[i] >= 0.5:
            headline[i] = 1
            out[i, 5] = 1.0
    for d in range(len(bounds) - 1):
        start, end = bounds[d], bounds[d + 1]
        if end <= start:
            continue
        # The main block: the run with the largest positive sum of gains (Kadane).
        best, block_start, block_end = 0, start, start
        total, run_start = 0, start
        for i in range(start, end):
            if total <= 0:
                total, run_start = 0, i
            total += words[i] if terminal[i] and words[i] >= prose_words else -non_prose_cost
            if total > best:
                best, block_start, block_end = total, run_start, i + 1
        for i in range(start, end):
            if block_end > block_start:
                distance = max(block_start - i, i - (block_end - 1), 0)
                out[i, 0] = 1.0 if distance == 0 else 0.0
                out[i, 1] = min(distance / distance_scale, 1.0)
                out[i, 2] = 1.0 if i < block_start else 0.0
                out[i, 3] = (block_end - block_start) / (end - start)
            else:  # no prose on the page: every line is far from any article
                out[i, 1] = 1.0
        # Runs of short lines.
        i = start
        while i < end:
            if words[i] < short_line_words:
                j = i
                while j < end and words[j] < short_line_words:
                    j += 1
                for k in range(i, j):
                    out[k, 4] = min((j - i) / distance_scale, 1.0)
                i = j
            else:
                i += 1
        _window_shares(headline, start, end, headline_window, out[:, 6])
        _window_shares(prose, start, end, wide_window, out[:, 7])
        _window_shares(short, start, end, wide_window, out[:, 8])
        _window_shares(headline, start, end, wide_window, out[:, 9])
    return out


@compiled
def _window_shares(flags, start, end, window, out):
    """out[i] = the share of ``flags`` set within ``window`` lines of i (of 2 window + 1), for i in [start, end)."""
    count = 0
    for i in range(start, min(end, start + window)):
        count += flags[i]
    for i in range(start, end):
        if i + window < end:
            count += flags[i + window]
        if i - window - 1 >= start:
            count -= flags[i - window - 1]
        out[i] = count / (2 * window + 1)

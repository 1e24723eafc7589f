"""Page structure: where the article's main prose block is, and what surrounds each line.

Why: on whole pages flattened to text (Common Crawl WET files) the article sits among 60-150 lines of
menus, section lists, "most read" headline lists and footers. Looked at one by one, a menu item or another
article's headline is a short title-case line like the article's own headline; what tells them apart is the
page around them: the article is the densest block of prose, chrome comes in long runs of short lines, and
headline lists are runs of headline-like lines away from that block.
"""

from __future__ import annotations

import numpy as np

PAGE_STRUCTURE_COLUMNS = ("in_main_block", "lines_to_main_block", "above_main_block", "main_block_share",
                          "short_run_length", "headline_like", "headline_run")

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
# Distances in lines are scaled by this and capped at 1.
DISTANCE_SCALE = 50.0


def page_structure(word_counts: np.ndarray, terminal: np.ndarray, title_case_ratio: np.ndarray,
                   bounds: list[int]) -> np.ndarray:
    """Per line, the columns ``PAGE_STRUCTURE_COLUMNS``. ``word_counts``, ``terminal`` (ends like a sentence)
    and ``title_case_ratio`` (capitalised words / words) per line; page d is lines ``bounds[d]`` to
    ``bounds[d + 1]``.

    - in_main_block: inside the page's main prose block, the run of lines with the largest sum of prose
      words less NON_PROSE_COST per other line (the maximum-sum run, found in one pass);
    - lines_to_main_block: lines between the line and that block, scaled (0 inside);
    - above_main_block: the line comes before the block;
    - main_block_share: the block's share of the page's lines (small on whole pages, large on extractions);
    - short_run_length: length of the run of short lines holding the line, scaled (0 for other lines);
    - headline_like, headline_run: a headline-like line, and the share of headline-like lines around it."""
    n = len(word_counts)
    out = np.zeros((n, len(PAGE_STRUCTURE_COLUMNS)), dtype=np.float32)
    words = np.asarray(word_counts, dtype=np.int64)
    terminal = np.asarray(terminal, dtype=bool)
    prose = terminal & (words >= PROSE_WORDS)
    gains = np.where(prose, words, -NON_PROSE_COST).tolist()
    short = words < SHORT_LINE_WORDS
    headline = (~terminal & (words >= HEADLINE_WORDS[0]) & (words <= HEADLINE_WORDS[1])
                & (np.asarray(title_case_ratio) >= 0.5))
    out[:, 5] = headline
    for d in range(len(bounds) - 1):
        start, end = bounds[d], bounds[d + 1]
        if end <= start:
            continue
        block_start, block_end = _max_sum_run(gains, start, end)
        index = np.arange(start, end)
        if block_end > block_start:
            before = block_start - index
            after = index - (block_end - 1)
            distance = np.maximum(np.maximum(before, after), 0)
            out[start:end, 0] = distance == 0
            out[start:end, 1] = np.minimum(distance / DISTANCE_SCALE, 1.0)
            out[start:end, 2] = before > 0
            out[start:end, 3] = (block_end - block_start) / (end - start)
        else:  # no prose on the page: every line is far from any article
            out[start:end, 1] = 1.0
        out[start:end, 4] = _run_lengths(short[start:end]) / DISTANCE_SCALE
        # Headline-like lines within HEADLINE_WINDOW of each line, from the running count.
        counts = np.concatenate([[0], np.cumsum(headline[start:end])])
        low = np.maximum(index - start - HEADLINE_WINDOW, 0)
        high = np.minimum(index - start + HEADLINE_WINDOW + 1, end - start)
        out[start:end, 6] = (counts[high] - counts[low]) / (2 * HEADLINE_WINDOW + 1)
    out[:, 4] = np.minimum(out[:, 4], 1.0)
    return out


def _max_sum_run(gains: list, start: int, end: int) -> tuple[int, int]:
    """The run [i, j) of ``gains[start:end]`` with the largest positive sum (Kadane); (start, start) if none."""
    best, best_run = 0, (start, start)
    total, run_start = 0, start
    for i in range(start, end):
        if total <= 0:
            total, run_start = 0, i
        total += gains[i]
        if total > best:
            best, best_run = total, (run_start, i + 1)
    return best_run


def _run_lengths(flags: np.ndarray) -> np.ndarray:
    """Per position, the length of the run of True holding it (0 where False)."""
    out = np.zeros(len(flags), dtype=np.float32)
    i = 0
    flags = flags.tolist()
    while i < len(flags):
        if flags[i]:
            j = i
            while j < len(flags) and flags[j]:
                j += 1
            out[i:j] = j - i
            i = j
        else:
            i += 1
    return out

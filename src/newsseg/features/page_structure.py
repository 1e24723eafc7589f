"""Page structure: where the article's main prose block is, and what surrounds each line.

Why: on whole pages flattened to text (Common Crawl WET files) the article sits among 60-150 lines of
menus, section lists, "most read" headline lists and footers. Looked at one by one, a menu item or another
article's headline is a short title-case line like the article's own headline; what tells them apart is the
page around them: the article is the densest block of prose, chrome comes in long runs of short lines, and
headline lists are runs of headline-like lines away from that block.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from newsseg.kernels import jit_enabled, python_version
from newsseg.kernels.page_structure import page_structure_loop

PAGE_STRUCTURE_COLUMNS = ("in_main_block", "lines_to_main_block", "above_main_block", "main_block_share",
                          "short_run_length", "headline_like", "headline_run", "prose_around", "short_around",
                          "headline_around")

# A line of at least this many words that ends like a sentence, or runs on into the next line (a hard-wrapped
# paragraph: RFCs, mailing lists, plain-text pages), counts as prose for the main block.
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
                   bounds: list[int], continued: Optional[np.ndarray] = None) -> np.ndarray:
    """Per line, the columns ``PAGE_STRUCTURE_COLUMNS``. ``word_counts``, ``terminal`` (ends like a sentence)
    and ``title_case_ratio`` (capitalised words / words) per line; page d is lines ``bounds[d]`` to
    ``bounds[d + 1]``; ``continued`` (default none): the line's sentence runs on into the next line
    (``continues_on_next_line``), so a long line of a hard-wrapped paragraph counts as prose too.

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
    loop = page_structure_loop if jit_enabled() else python_version(page_structure_loop)
    continued = np.zeros(len(word_counts), dtype=np.bool_) if continued is None else continued
    return loop(np.asarray(word_counts, dtype=np.int64), np.asarray(terminal, dtype=np.bool_),
                np.asarray(continued, dtype=np.bool_),
                np.asarray(title_case_ratio, dtype=np.float64), np.asarray(bounds, dtype=np.int64),
                PROSE_WORDS, NON_PROSE_COST, SHORT_LINE_WORDS, HEADLINE_WORDS[0], HEADLINE_WORDS[1],
                HEADLINE_WINDOW, WIDE_WINDOW, DISTANCE_SCALE)


def continues_on_next_line(starts_lower: np.ndarray, terminal: np.ndarray, bounds: list[int]) -> np.ndarray:
    """Per line, whether its sentence runs on into the next line of its page: it does not end like a sentence
    and the next line starts in lower case. Why: plain text wrapped at a fixed width (RFCs, mailing-list
    archives, preformatted pages) breaks every sentence over lines, none of which ends like one, and the
    main block would find no prose in the article at all."""
    starts_lower, terminal = np.asarray(starts_lower, dtype=bool), np.asarray(terminal, dtype=bool)
    out = np.zeros(len(terminal), dtype=bool)
    out[:-1] = starts_lower[1:] & ~terminal[:-1]
    last_lines = np.asarray(bounds[1:], dtype=np.int64) - 1
    out[last_lines[last_lines >= 0]] = False  # a page's last line runs on into nothing
    return out

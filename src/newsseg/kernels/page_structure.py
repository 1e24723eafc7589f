"""Compiled loop of the page-structure signals (``newsseg.features.page_structure``)."""

from __future__ import annotations

import numpy as np

from newsseg.kernels import compiled


@compiled
def page_structure_loop(words, terminal, continued, title_case_ratio, bounds, prose_words, non_prose_cost,
                        short_line_words, headline_min_words, headline_max_words, headline_window, wide_window,
                        distance_scale):
    """``features.page_structure.page_structure`` over per-line arrays (compiled: a Python loop per line cost a
    tenth of the features). Plain twin: this loop run as Python (``kernels.python_version``)."""
    n = len(words)
    out = np.zeros((n, 10), dtype=np.float32)
    headline = np.zeros(n, dtype=np.int64)
    prose = np.zeros(n, dtype=np.int64)
    short = np.zeros(n, dtype=np.int64)
    for i in range(n):
        prose[i] = 1 if (terminal[i] or continued[i]) and words[i] >= prose_words else 0
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
            total += words[i] if prose[i] else -non_prose_cost
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
        window_shares(headline, start, end, headline_window, out[:, 6])
        window_shares(prose, start, end, wide_window, out[:, 7])
        window_shares(short, start, end, wide_window, out[:, 8])
        window_shares(headline, start, end, wide_window, out[:, 9])
    return out


@compiled
def window_shares(flags, start, end, window, out):
    """out[i] = the share of ``flags`` set within ``window`` lines of i (of 2 window + 1), for i in [start, end).
    Plain twin: this loop run as Python (``kernels.python_version``), as ``page_structure_loop``'s plain twin
    runs it."""
    count = 0
    for i in range(start, min(end, start + window)):
        count += flags[i]
    for i in range(start, end):
        if i + window < end:
            count += flags[i + window]
        if i - window - 1 >= start:
            count -= flags[i - window - 1]
        out[i] = count / (2 * window + 1)

"""Kernels over texts as arrays of code points: the line finder of ``batch_segmentation`` and the class
lookup of ``code_points``."""

from __future__ import annotations

import numpy as np

from . import compiled

# Bits of ``batch_segmentation``'s character kinds: an edge character (stripped from segment edges), a
# character that normalize_for_model removes or replaces (zero-width, control, white space but the space).
EDGE_BIT, NORMALIZED_AWAY_BIT = 1, 2


@compiled
def look_up_classes(codes, table):
    """Per code point of the Basic Multilingual Plane, its byte in ``table``; and whether any lies beyond.
    Plain twin: the numpy lookup ``table[np.minimum(codes, 0xFFFF)]`` in ``code_points.class_bytes``."""
    classes = np.empty(len(codes), dtype=np.uint8)
    beyond = False
    for i in range(len(codes)):
        if codes[i] > 0xFFFF:
            beyond = True
        else:
            classes[i] = table[codes[i]]
    return classes, beyond


@compiled
def line_spans(codes, kinds, text_starts, text_ends):
    """The stripped, non-empty lines of each text (``codes[text_starts[t]:text_ends[t]]``; \\n and \\r end a
    line) as ``iter_line_spans`` finds them: their starts and ends within the text, whether each needs no
    normalizing (``needs_normalizing``: no character of ``NORMALIZED_AWAY_BIT``, no two spaces in a row;
    a stripped line neither starts nor ends with a space), and per text, how many. Plain twin:
    ``segmentation.segment_spans`` of each document (``batch_segmentation.spans_of_documents`` without JIT)."""
    n_max = len(text_starts)
    for i in range(len(codes)):
        if codes[i] == 10 or codes[i] == 13:
            n_max += 1
    span_starts = np.empty(n_max, dtype=np.int64)
    span_ends = np.empty(n_max, dtype=np.int64)
    normalized = np.empty(n_max, dtype=np.bool_)
    counts = np.zeros(len(text_starts), dtype=np.int64)
    n = 0
    for t in range(len(text_starts)):
        line_start, end = text_starts[t], text_ends[t]
        for i in range(line_start, end + 1):
            if i < end and codes[i] != 10 and codes[i] != 13:
                continue
            left, right = line_start, i
            while left < right and codes[left] < 0x10000 and kinds[codes[left]] & EDGE_BIT:
                left += 1
            while right > left and codes[right - 1] < 0x10000 and kinds[codes[right - 1]] & EDGE_BIT:
                right -= 1
            if right > left:
                clean = True
                for j in range(left, right):
                    if codes[j] < 0x10000 and (kinds[codes[j]] & NORMALIZED_AWAY_BIT
                                               or (codes[j] == 32 and j > left and codes[j - 1] == 32)):
                        clean = False
                        break
                span_starts[n], span_ends[n] = left - text_starts[t], right - text_starts[t]
                normalized[n] = clean
                counts[t] += 1
                n += 1
            line_start = i + 1
    return span_starts[:n], span_ends[:n], normalized[:n], counts

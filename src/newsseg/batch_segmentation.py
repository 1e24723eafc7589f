"""Segment spans of a batch of documents, for prediction: the built-in line segmenter as one compiled pass
over all the documents' code points, which also notes the lines that need no normalizing. Apart from
``segmentation`` so that the segmenters themselves load neither numpy nor numba."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from .kernels import compiled, jit_enabled
from .documents import Document
from .segmentation import (DEFAULT_MAX_CHARS, EDGE_CHAR_STRING, NORMALIZED_AWAY_RE, SEGMENTERS, _cut_spans,
                           segment_lines, segment_spans)


@dataclass(frozen=True)
class DocumentSpans:
    """A document's segment spans, and per span whether its text is already what ``normalize_for_model``
    makes of it (None where that was not worked out)."""

    spans: list[tuple[int, int]]
    normalized: Optional[list[bool]] = None


def spans_of_documents(docs: Sequence[Document], segmenter: str = "lines",
                       max_chars: int = DEFAULT_MAX_CHARS) -> list[DocumentSpans]:
    """``segment_spans`` of each document. The built-in line segmenter finds the lines of all documents in
    one compiled pass over their code points, where ``iter_line_spans`` splits and strips each line in
    Python (a tenth of prediction time on pages of short lines), and notes which need no normalizing
    (checking that per line in Python cost as much again)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    if not docs or not jit_enabled() or segmenter != "lines" or SEGMENTERS.get("lines") is not segment_lines:
        return [DocumentSpans(segment_spans(doc, segmenter, max_chars)) for doc in docs]
    texts = [doc.text for doc in docs]
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    text_ends = np.cumsum(lengths + 1) - 1
    span_starts, span_ends, normalized, counts = _line_span_loop(codes, _char_kinds(), text_ends - lengths, text_ends)
    # Lines longer than max_chars are rare: their documents' spans are cut in Python.
    to_cut = set(np.repeat(np.arange(len(docs)), counts)[span_ends - span_starts > max_chars].tolist())
    span_starts, span_ends, normalized = span_starts.tolist(), span_ends.tolist(), normalized.tolist()
    out, first = [], 0
    for k, (doc, count) in enumerate(zip(docs, counts.tolist())):
        spans = list(zip(span_starts[first:first + count], span_ends[first:first + count]))
        out.append(DocumentSpans(_cut_spans(doc.text, iter(spans), max_chars)) if k in to_cut
                   else DocumentSpans(spans, normalized[first:first + count]))
        first += count
    return out


# Bits of ``_char_kinds``: an edge character (stripped from segment edges), a character that
# normalize_for_model removes or replaces (zero-width, control, white space other than the space).
_EDGE_BIT, _NORMALIZED_AWAY_BIT = 1, 2


@functools.cache
def _char_kinds() -> np.ndarray:
    """Per Basic Multilingual Plane code point, its ``_EDGE_BIT`` and ``_NORMALIZED_AWAY_BIT`` (no character
    beyond has either: a test checks)."""
    kinds = np.zeros(0x10000, dtype=np.uint8)
    kinds[[ord(c) for c in EDGE_CHAR_STRING]] |= _EDGE_BIT
    kinds[[ord(c) for c in NORMALIZED_AWAY_RE.findall("".join(map(chr, range(0x10000))))]] |= _NORMALIZED_AWAY_BIT
    return kinds


@compiled
def _line_span_loop(codes, kinds, text_starts, text_ends):
    """The stripped, non-empty lines of each text (``codes[text_starts[t]:text_ends[t]]``; \\n and \\r end a
    line) as ``iter_line_spans`` finds them: their starts and ends within the text, whether each needs no
    normalizing (``needs_normalizing``: no character of ``_NORMALIZED_AWAY_BIT``, no two spaces in a row;
    a stripped line neither starts nor ends with a space), and per text, how many."""
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
            while left < right and codes[left] < 0x10000 and kinds[codes[left]] & _EDGE_BIT:
                left += 1
            while right > left and codes[right - 1] < 0x10000 and kinds[codes[right - 1]] & _EDGE_BIT:
                right -= 1
            if right > left:
                clean = True
                for j in range(left, right):
                    if codes[j] < 0x10000 and (kinds[codes[j]] & _NORMALIZED_AWAY_BIT
                                               or (codes[j] == 32 and j > left and codes[j - 1] == 32)):
                        clean = False
                        break
                span_starts[n], span_ends[n] = left - text_starts[t], right - text_starts[t]
                normalized[n] = clean
                counts[t] += 1
                n += 1
            line_start = i + 1
    return span_starts[:n], span_ends[:n], normalized[:n], counts

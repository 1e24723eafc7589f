"""Segment spans of a batch of documents, for prediction: the built-in line segmenter as one compiled pass
(``kernels.text.line_spans``) over all the documents' code points, which also notes the lines that need no
normalizing. Apart from ``segmentation`` so that the segmenters themselves load neither numpy nor numba."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from .kernels import jit_enabled
from .kernels.text import EDGE_BIT, NORMALIZED_AWAY_BIT, line_spans
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
    span_starts, span_ends, normalized, counts = line_spans(codes, _char_kinds(), text_ends - lengths, text_ends)
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


@functools.cache
def _char_kinds() -> np.ndarray:
    """Per Basic Multilingual Plane code point, its ``EDGE_BIT`` and ``NORMALIZED_AWAY_BIT`` (no character
    beyond has either: a test checks)."""
    kinds = np.zeros(0x10000, dtype=np.uint8)
    kinds[[ord(c) for c in EDGE_CHAR_STRING]] |= EDGE_BIT
    kinds[[ord(c) for c in NORMALIZED_AWAY_RE.findall("".join(map(chr, range(0x10000))))]] |= NORMALIZED_AWAY_BIT
    return kinds

"""Labels for segments: gold spans checked, and mapped onto segments."""

from __future__ import annotations

from typing import Optional, Sequence

from newsseg.labels import check_label
from newsseg.text.documents import Document, Segment


def validate_spans(doc: Document, where: str) -> list[tuple[int, int, str]]:
    """Check gold spans: well-formed, in range, known labels (the partial label NOT_NEWS_BODY included),
    sorted without overlap."""
    spans: list[tuple[int, int, str]] = []
    for i, span in enumerate(doc.spans or []):
        if not (isinstance(span, (list, tuple)) and len(span) == 3):
            raise ValueError(f"{where}: spans[{i}] must be [start, end, label], got {span!r}")
        start, end, label = span
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(doc.text):
            raise ValueError(f"{where}: spans[{i}] [{start}, {end}] is out of range for a text of {len(doc.text)} characters")
        check_label(label, f"{where}: spans[{i}]", partial=True)
        spans.append((start, end, label))
    spans.sort()
    for i in range(1, len(spans)):
        if spans[i][0] < spans[i - 1][1]:
            raise ValueError(f"{where}: spans {list(spans[i - 1])} and {list(spans[i])} overlap")
    return spans


def label_segments(segments: Sequence[Segment], spans: Sequence[tuple[int, int, str]]) -> list[Optional[str]]:
    """Give each segment the label of the gold spans covering most of its characters (None: no overlap).

    Works for any segmenter: a long line split in pieces gives each piece the line's label, a paragraph
    of lines with different labels takes the label of most of its characters.
    """
    labels: list[Optional[str]] = []
    span_index = 0
    for seg in segments:  # segments and spans are both sorted by offset
        while span_index < len(spans) and spans[span_index][1] <= seg.start:
            span_index += 1
        overlap: dict[str, int] = {}
        j = span_index
        while j < len(spans) and spans[j][0] < seg.end:
            start, end, label = spans[j]
            overlap[label] = overlap.get(label, 0) + min(end, seg.end) - max(start, seg.start)
            j += 1
        labels.append(max(overlap, key=overlap.__getitem__) if overlap else None)
    return labels

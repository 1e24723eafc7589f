"""Segmenters: split a Document into Segments with exact character offsets.

The document text is never modified, so offsets always slice the text as it was decoded. Carriage
returns, non-breaking and zero-width spaces and control characters count as white space at segment
edges; ``normalize_for_model`` cleans the inside of a segment for the models.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from newsseg.registry import SEGMENTERS
from newsseg.text.documents import Document, Segment

# Characters trimmed from segment edges: Unicode white space, zero-width marks, BOM, C0/C1 controls.
_ZERO_WIDTH_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_EDGE_CHARS = f"\\s{_ZERO_WIDTH_CHARS}\x00-\x1f\x7f-\x9f"
_EDGE_CHAR_RE = re.compile(f"[{_EDGE_CHARS}]")
# The same characters spelled out, for str.lstrip/rstrip: several times faster than a regex search for the
# trailing ones, which tries every position of the line. All lie in the Basic Multilingual Plane (a test
# checks the rest of Unicode).
EDGE_CHAR_STRING = "".join(_EDGE_CHAR_RE.findall("".join(map(chr, range(0x10000)))))
_LINE_RE = re.compile(r"[^\r\n]+")
# A sentence ends after . ! ? (optionally closed by quotes or brackets) followed by white space.
_SENTENCE_END_RE = re.compile("[.!?\u2026][\"'\u201d\u2019)\\]]*[\\s\u00a0]+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_WHITESPACE_RE = re.compile("[\\s\u00a0]+")
_CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # all but \t and \n, which are white space
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_CONTROL_RE = re.compile(f"[{_CONTROL_CHARS}]")

DEFAULT_MAX_CHARS = 1500

Segmenter = Callable[[Document, int], list[Segment]]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past edge characters; returns an empty span when nothing is left."""
    left_stripped = text[start:end].lstrip(EDGE_CHAR_STRING)
    if not left_stripped:
        return start, start
    new_start = end - len(left_stripped)
    return new_start, new_start + len(left_stripped.rstrip(EDGE_CHAR_STRING))


def iter_line_spans(text: str) -> Iterator[tuple[int, int]]:
    """Stripped, non-empty lines of ``text`` as (start, end); any of \\n, \\r\\n, \\r ends a line."""
    if "\r" in text:
        for match in _LINE_RE.finditer(text):
            start, end = _strip_span(text, match.start(), match.end())
            if end > start:
                yield start, end
        return
    # Only \n breaks lines: str.split finds the same lines as the regex, without a match object each.
    offset = 0
    for line in text.split("\n"):
        left_stripped = line.lstrip(EDGE_CHAR_STRING)
        if left_stripped:
            start = offset + len(line) - len(left_stripped)
            yield start, start + len(left_stripped.rstrip(EDGE_CHAR_STRING))
        offset += len(line) + 1


def split_long_span(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut [start, end) into pieces of at most ``max_chars``, at sentence ends where possible.

    Linear in the span length: each window of ``max_chars`` is scanned once, so a 5 MB single-line
    document costs no more than reading it.
    """
    pos = start
    while end - pos > max_chars:
        window_end = pos + max_chars
        cut = None
        for match in _SENTENCE_END_RE.finditer(text, pos, window_end):
            cut = match.end()
        if cut is None or cut <= pos:
            last_space = text.rfind(" ", pos + 1, window_end)
            cut = last_space + 1 if last_space > pos else window_end
        piece_start, piece_end = _strip_span(text, pos, cut)
        if piece_end > piece_start:
            yield piece_start, piece_end
        pos = cut
    piece_start, piece_end = _strip_span(text, pos, end)
    if piece_end > piece_start:
        yield piece_start, piece_end


def _cut_spans(text: str, spans: Iterator[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """``spans`` (stripped and non-empty, as the span iterators give them), cut to ``max_chars``."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start <= max_chars:  # most spans: already stripped, nothing to cut
            out.append((start, end))
        else:
            out.extend(split_long_span(text, start, end, max_chars))
    return out


def _to_segments(doc: Document, spans: Iterator[tuple[int, int]], max_chars: int) -> list[Segment]:
    return [Segment.from_span(doc, i, start, end)
            for i, (start, end) in enumerate(_cut_spans(doc.text, spans, max_chars))]


@SEGMENTERS.register("lines")
def segment_lines(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Segment]:
    """Every non-empty line, stripped."""
    return _to_segments(doc, iter_line_spans(doc.text), max_chars)


def iter_paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    """Blocks of consecutive non-empty lines (blank lines separate them)."""
    block_start = block_end = None
    previous_end = -1
    for start, end in iter_line_spans(text):
        blank_between = block_end is not None and len(_LINE_BREAK_RE.findall(text, previous_end, start)) >= 2
        if block_start is None:
            block_start = start
        elif blank_between:
            yield block_start, block_end
            block_start = start
        block_end = previous_end = end
    if block_start is not None:
        yield block_start, block_end


@SEGMENTERS.register("paragraphs")
def segment_paragraphs(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Segment]:
    """Blank-line separated blocks."""
    return _to_segments(doc, iter_paragraph_spans(doc.text), max_chars)


def segment(doc: Document, segmenter: str = "lines", max_chars: int = DEFAULT_MAX_CHARS) -> list[Segment]:
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    return SEGMENTERS.get(segmenter)(doc, max_chars)


# The built-in segmenters' span iterators, for ``segment_spans``.
_SPAN_ITERATORS = {"lines": (segment_lines, iter_line_spans), "paragraphs": (segment_paragraphs, iter_paragraph_spans)}


def segment_spans(doc: Document, segmenter: str = "lines", max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    """(start, end) of each of ``segment(doc, segmenter, max_chars)``, without building the Segment objects
    for the built-in segmenters (prediction needs only the spans and their text)."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    segment_function, spans = _SPAN_ITERATORS.get(segmenter, (None, None))
    if spans is not None and SEGMENTERS.get(segmenter) is segment_function:
        return _cut_spans(doc.text, spans(doc.text), max_chars)
    return [(seg.start, seg.end) for seg in SEGMENTERS.get(segmenter)(doc, max_chars)]


# The characters normalize_for_model removes or replaces (zero-width, control, white space but the space).
NORMALIZED_AWAY_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}{_CONTROL_CHARS}]|[^\\S ]")
# Anything normalize_for_model would change (those, or spaces in a row or at an edge); most lines have none,
# and one search is cheaper than three subs.
_NEEDS_NORMALIZING_RE = re.compile(NORMALIZED_AWAY_RE.pattern + "|  |^ | $")


def needs_normalizing(text: str) -> bool:
    """Whether ``normalize_for_model`` would change ``text``. Every zero-width, control and white-space
    character but the space is unprintable to ``str.isprintable`` (a test checks all of Unicode), and that
    check runs at C speed; the regex, which tries every position, runs only on the rare unprintable text."""
    if text.isprintable():
        return "  " in text or text.startswith(" ") or text.endswith(" ")
    return _NEEDS_NORMALIZING_RE.search(text) is not None


def normalize_for_model(text: str) -> str:
    """What models see: zero-width marks dropped, control characters and runs of white space as one space."""
    if not needs_normalizing(text):
        return text
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    return _WHITESPACE_RE.sub(" ", text).strip()


def normalize_lines(texts: list[str]) -> list[str]:
    """``normalize_for_model`` of each text, with ``needs_normalizing``'s common case (printable, no double,
    leading or trailing space) checked inline: two Python calls per line cost more than the checks."""
    return [text if text.isprintable() and "  " not in text and not text.startswith(" ") and not text.endswith(" ")
            else normalize_for_model(text) for text in texts]

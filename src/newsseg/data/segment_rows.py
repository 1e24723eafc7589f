"""Segment rows: one row per segment of a document, with its place on the page and its neighbours' text, the
frame that features, models and decoders read. Training rows add where the row came from (``source``), its
training ``weight`` and its ``label``; prediction frames (``Pipeline.frame``) do without them."""

from __future__ import annotations

from typing import Iterable

from newsseg.features.line_forms import MODEL_TEXT_COLUMN
from newsseg.text.documents import Document, Segment
from newsseg.text.labelling import label_segments
from newsseg.text.segmentation import normalize_lines, segment_spans

COLUMNS = ("doc_id", "site", "shape", "source", "index", "n_segments", "start", "end", "text",
           "prev_text", "next_text", "position", "weight", "label")
TRAINING_ONLY_COLUMNS = ("source", "weight", "label")
SEGMENT_COLUMNS = tuple(c for c in COLUMNS if c not in TRAINING_ONLY_COLUMNS)
NUMERIC_COLUMN_TYPES = {"index": "int32", "n_segments": "int32", "start": "int64", "end": "int64",
                        "position": "float32", "weight": "float32"}
STRING_COLUMNS = tuple(c for c in COLUMNS if c not in NUMERIC_COLUMN_TYPES and c != "label")


def document_columns(docs: Iterable[Document], segmenter: str, max_chars: int, context_chars: int,
                     weight: float = 1.0, source: str = "", model_texts: bool = False,
                     training_columns: bool = True) -> dict[str, list]:
    """The rows of ``document_rows`` for all ``docs``, column by column (``COLUMNS``; without
    ``training_columns``, ``SEGMENT_COLUMNS``): a DataFrame is built from columns about twice as fast as from
    row dicts. ``model_texts``: also ``MODEL_TEXT_COLUMN``, each text as ``normalize_for_model`` gives it."""
    columns: dict[str, list] = {name: [] for name in (COLUMNS if training_columns else SEGMENT_COLUMNS)}
    if model_texts:
        columns[MODEL_TEXT_COLUMN] = []
    docs = list(docs)
    for doc in docs:
        spans = segment_spans(doc, segmenter, max_chars)
        n = len(spans)
        texts = [doc.text[start:end] for start, end in spans]
        if model_texts:
            columns[MODEL_TEXT_COLUMN] += normalize_lines(texts)
        columns["doc_id"] += [doc.id] * n
        columns["site"] += [doc.site] * n
        columns["shape"] += [str(doc.meta.get("shape", ""))] * n
        columns["index"] += range(n)
        columns["n_segments"] += [n] * n
        columns["start"] += [start for start, _ in spans]
        columns["end"] += [end for _, end in spans]
        columns["text"] += texts
        # (A context of 0 characters keeps the whole neighbour: text[-0:] is all of it.)
        columns["prev_text"] += [""] + [text[-context_chars:] for text in texts[:-1]] if n else []
        columns["next_text"] += [text[:context_chars] for text in texts[1:]] + [""] if n else []
        last = max(n - 1, 1)
        columns["position"] += [i / last for i in range(n)]
        if not training_columns:
            continue
        columns["source"] += [source] * n
        columns["weight"] += [weight] * n
        if doc.spans is not None:
            segments = [Segment(doc.id, i, start, end, text)
                        for i, ((start, end), text) in enumerate(zip(spans, texts))]
            columns["label"] += label_segments(segments, doc.spans)
        else:
            columns["label"] += [None] * n
    return columns


def document_rows(doc: Document, segmenter: str, max_chars: int, context_chars: int,
                  weight: float = 1.0, source: str = "") -> list[dict]:
    """One row per segment of ``doc``, with its context; ``label`` is None where the doc has no gold."""
    columns = document_columns([doc], segmenter, max_chars, context_chars, weight, source)
    return [dict(zip(columns, values)) for values in zip(*columns.values())]

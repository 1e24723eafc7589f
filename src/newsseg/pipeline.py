"""The whole pipeline as one object (segmenter + model + decoder), saved to a folder and wrapped as an
MLflow pyfunc: raw document text in, labelled segments out."""

from __future__ import annotations

import gc
import json
import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import pandas as pd

from newsseg.data.segment_rows import (
    COLUMNS,
    NUMERIC_COLUMN_TYPES,
    SEGMENT_COLUMNS,
    STRING_COLUMNS,
    document_columns,
)
from newsseg.features.line_forms import LINE_FORM_COLUMNS, MODEL_TEXT_COLUMN, line_form_columns
from newsseg.features.line_stats import comment_cue_before
from newsseg.features.recurrence import SiteMemory, site_recurrence
from newsseg.io.readers import not_text_reason
from newsseg.labels import LABELS
from newsseg.models import SegmentModel, load_model_dir
from newsseg.models.decoders import Decoder
from newsseg.pipeline_settings import PIPELINE_FORMAT_VERSION, read_pipeline_settings
from newsseg.text.documents import Document

log = logging.getLogger(__name__)

# The numeric columns of ``document_columns`` (Python ints and floats), as pandas would type them.
_FRAME_NUMBER_TYPES = {name: np.int64 if kind.startswith("int") else np.float64
                       for name, kind in NUMERIC_COLUMN_TYPES.items()}


def with_unique_ids(docs: Sequence[Document]) -> Sequence[Document]:
    """``docs``, or, where an id is repeated among them, copies with ids made unique ("ID\\0POSITION", the site
    kept): the features, the decoder and the output group lines by page id, and two pages under one id would
    be read as one page, each given the segments of both."""
    ids = {doc.id for doc in docs}
    if len(ids) == len(docs):
        return docs
    return [Document(f"{doc.id}\0{position}", doc.text, {**doc.meta, "site": doc.site}, doc.spans)
            for position, doc in enumerate(docs)]


def unlabelled_reason(doc: Document) -> str | None:
    """Why ``doc`` is not labelled, or None: the error it was read with, or its text is empty or not text
    (``readers.not_text_reason``). Every reader and the pyfunc's frames come through here."""
    if doc.meta.get("error"):
        return doc.meta["error"]
    if not doc.text or doc.text.isspace():  # isspace(): no copy of a long text, as strip() would make
        return "empty document"
    return not_text_reason(doc.text)


@dataclass
class Pipeline:
    model: SegmentModel
    decoder: Decoder
    segmenter: str = "lines"
    max_chars: int = 1500
    context_chars: int = 300
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.model.family

    def frame(self, docs: Sequence[Document], memory: Optional[SiteMemory] = None,
              with_labels: bool = False) -> pd.DataFrame:
        """Segment rows of ``docs`` (``SEGMENT_COLUMNS``; ``with_labels``: the training columns too, labels from
        the documents' spans); with ``memory``, line recurrence is measured against earlier pages of the same
        site too (streamed prediction), and the pages are remembered."""
        columns = document_columns(docs, self.segmenter, self.max_chars, self.context_chars, model_texts=True,
                                   training_columns=with_labels)
        columns.update(line_form_columns(columns.pop(MODEL_TEXT_COLUMN), normalized=True))
        # Strings as Python objects: pandas' own string columns convert every value back on each tolist(),
        # and the features read the text columns several times per batch. Numbers as arrays of the dtype
        # pandas would infer from the values: its inference cost a third of building the frame. One index
        # object for all columns, so that pandas has none to align.
        index = pd.RangeIndex(len(columns["text"]))
        frame = pd.DataFrame({name: pd.Series(values, dtype=object, index=index)
                              if name in STRING_COLUMNS + LINE_FORM_COLUMNS
                              else np.array(values, dtype=_FRAME_NUMBER_TYPES[name]) if name in _FRAME_NUMBER_TYPES
                              and values else values for name, values in columns.items()},
                             columns=[*(COLUMNS if with_labels else SEGMENT_COLUMNS), *LINE_FORM_COLUMNS],
                             index=index)
        if memory is not None:
            frame["site_recurrence"] = site_recurrence(frame, memory)
        return frame

    def predict_frame(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Label ids and per-label scores for segment rows (in document order)."""
        if len(frame) == 0:
            return np.zeros(0, dtype=int), np.zeros((0, len(LABELS)))
        proba, model_cues = self.model.predict_proba_and_cues(frame)
        return self.decoder.decode(frame, proba, self.gate_cues(frame, model_cues))

    def gate_cues(self, frame: pd.DataFrame, model_cues: Optional[np.ndarray] = None) -> Optional[np.ndarray]:
        """What the decoder's comment gate reads: per row, whether an earlier row of its page is a comment cue
        (the model's own, ``predict_proba_and_cues``, where it worked them out on the way); None where the
        decoder does not gate comments."""
        if not self.decoder.gates_comments:
            return None
        return model_cues if model_cues is not None else comment_cue_before(frame)

    def predict_documents(self, docs: Sequence[Document], memory: Optional[SiteMemory] = None,
                          with_scores: bool = True) -> list[list[dict]]:
        """For each document, its segments: ``{start, end, label, score, scores}`` (without ``scores``, the
        per-label scores, unless ``with_scores``)."""
        docs = with_unique_ids(docs)
        frame = self.frame(docs, memory)
        labels, scores = self.predict_frame(frame)
        out: dict[str, list[dict]] = {doc.id: [] for doc in docs}
        # Python lists, not numpy rows: element access on numpy arrays costs several times more per segment.
        columns = (frame["doc_id"].tolist(), frame["start"].tolist(), frame["end"].tolist(), labels.tolist())
        if with_scores:
            for doc_id, start, end, label, row in zip(*columns, round_like_python(scores, 4)):
                out[doc_id].append({"start": start, "end": end, "label": LABELS[label], "score": row[label],
                                    "scores": dict(zip(LABELS, row))})
        else:
            chosen = round_like_python(scores[np.arange(len(labels)), labels][:, None], 4)
            for doc_id, start, end, label, (score,) in zip(*columns, chosen):
                out[doc_id].append({"start": start, "end": end, "label": LABELS[label], "score": score})
        return [out[doc.id] for doc in docs]

    def predict(self, texts: Iterable[str]) -> list[list[dict]]:
        docs = [Document(str(i), t) for i, t in enumerate(texts)]
        return self.predict_documents(docs)

    def label_documents(self, docs: Sequence[Document], memory: Optional[SiteMemory] = None,
                        with_scores: bool = True) -> list[tuple[list[dict], Optional[str]]]:
        """(segments, error) per document (segments as ``predict_documents`` gives them). Documents read with
        an error (``meta["error"]``) keep it, and empty ones or ones that are not text get one
        (``unlabelled_reason``); when the batch fails, documents are retried one by one, so a failure stays
        with its document."""
        reasons = [unlabelled_reason(d) for d in docs]
        good = [d for d, reason in zip(docs, reasons) if not reason]
        try:
            results = dict(zip((id(d) for d in good), self.predict_documents(good, memory, with_scores)))
            errors: dict[int, str] = {}
        except Exception:  # noqa: BLE001 - isolate the document that fails
            results, errors = {}, {}
            for doc in good:
                try:
                    results[id(doc)] = self.predict_documents([doc], with_scores=with_scores)[0]
                except Exception as exc:  # noqa: BLE001 - reported in the document's output
                    errors[id(doc)] = f"{type(exc).__name__}: {exc}"
        return [(results.get(id(d), []), reason or errors.get(id(d))) for d, reason in zip(docs, reasons)]

    def remember_documents(self, docs: Sequence[Document], memory: SiteMemory) -> None:
        """Feed ``memory`` the pages ``label_documents(docs, memory)`` would, without running the model: a
        resumed run passes the documents it already wrote through here, so that the later ones are
        labelled as in a run that was never interrupted. The memory takes each page's line keys from the
        batch's frame (``features.recurrence.site_recurrence``), so the frame is built as labelling builds it."""
        good = [d for d in docs if not unlabelled_reason(d)]
        if not good:
            return
        try:
            self.frame(with_unique_ids(good), memory)
        except Exception as exc:  # noqa: BLE001 - labelling failed on this batch too, and wrote why
            log.debug("documents already written: the site memory skips a batch that fails (%s)", exc)

    def save(self, path: Path | str) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save(path / "model")
        with open(path / "decoder.pkl", "wb") as fh:
            pickle.dump(self.decoder, fh)
        (path / "pipeline.json").write_text(json.dumps({
            "format_version": PIPELINE_FORMAT_VERSION, "family": self.family, "labels": list(LABELS),
            "segmenter": self.segmenter, "max_chars": self.max_chars, "context_chars": self.context_chars,
            "decoder": self.decoder.name, "metadata": self.metadata,
        }, indent=2, default=str))

    @classmethod
    def load(cls, path: Path | str) -> "Pipeline":
        path = Path(path)
        settings = read_pipeline_settings(path)
        with open(path / "decoder.pkl", "rb") as fh:
            decoder = pickle.load(fh)
        pipeline = cls(load_model_dir(path / "model", settings["family"]), decoder, settings["segmenter"],
                       settings["max_chars"], settings["context_chars"], settings.get("metadata", {}))
        # The first prediction imports what the libraries load lazily and loads the compiled loops: some
        # 50,000 more objects that live as long as the process. Make it here, on a small page.
        pipeline.predict_documents([Document("warm-up", WARM_UP_PAGE)])
        # Take what exists now (imported libraries, the model: some 220,000 objects) out of the cycle
        # collector's full passes. Prediction allocates many small containers, and each full pass over all
        # of those objects cost 12-30 ms: up to a third of the time on short lines.
        gc.collect()
        gc.freeze()
        return pipeline


# What Pipeline.load predicts once, so that every code path a page takes has run before the freeze.
WARM_UP_PAGE = """Council approves the 2026 budget
By Jane Doe | March 3, 2026
The council voted on Monday to approve a budget that funds two new bus routes across the city.
Read more at www.example.com
Subscribe to our newsletter: only $1 a week.
Comments (2)
Anna says:
I hope they like the plan. Reply
"""


def round_like_python(values: np.ndarray, digits: int) -> list[list[float]]:
    """``[[round(v, digits) for v in row] for row in values]``, in numpy. ``np.round`` rounds ``v * 10**digits``
    after that product was itself rounded to a double, so it can differ from Python's correctly rounded
    ``round`` where the product lies within a hair of half an integer: those few are rounded by ``round``."""
    scale = 10.0 ** digits
    scaled = values * scale
    rounded = np.rint(scaled) / scale
    # The product's error is below 1e-12 for values up to 1e3; 1e-6 leaves a wide margin.
    near_half = np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) < 1e-6
    near_half |= np.abs(values) > 1e3
    for i, j in zip(*np.nonzero(near_half)):
        rounded[i, j] = round(float(values[i, j]), digits)
    return rounded.tolist()


def documents_from_frame(model_input: pd.DataFrame) -> list[Document]:
    if "text" not in model_input.columns:
        raise ValueError("input needs a 'text' column (and optionally 'id')")
    ids = model_input["id"].astype(str) if "id" in model_input.columns else pd.Series(range(len(model_input))).astype(str)
    return [Document(i, "" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t))
            for i, t in zip(ids, model_input["text"])]


def predict_dataframe(pipeline: Pipeline, model_input: pd.DataFrame) -> pd.DataFrame:
    """DataFrame ``id, text`` → DataFrame ``id, segments, error``: ``segments`` a list of ``{start, end, label,
    score, scores}`` dicts (JSON objects when served), ``error`` None or why the document was not labelled."""
    docs = documents_from_frame(model_input)
    labelled = pipeline.label_documents(docs)
    # Object columns: a string column would hold NaN for "no error", which is not JSON.
    return pd.DataFrame({"id": [d.id for d in docs],
                         "segments": pd.Series([segments for segments, _ in labelled], dtype=object),
                         "error": pd.Series([error for _, error in labelled], dtype=object)})

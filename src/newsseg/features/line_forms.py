"""A batch's lines in the forms the feature steps read: the model's text, lower-cased, digit runs masked,
and the recurrence key; computed once per batch and kept as frame columns (``line_form_columns``).

Every function takes a pandas DataFrame of segment rows (``data.segment_rows.SEGMENT_COLUMNS``), in document order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

import pandas as pd

from newsseg.features.cues import DIGITS_RE
from newsseg.kernels import jit_enabled
from newsseg.kernels.code_points import CodePointBatch
from newsseg.kernels.line_stats import mask_decimal_runs_loop
from newsseg.text.segmentation import normalize_for_model, normalize_lines

# Columns the pipeline adds to each batch's frame (``line_form_columns``), so that the feature steps read these
# per-line values instead of each computing them again.
LINE_FORM_COLUMNS = ("model_text", "lowered_text", "folded_text", "line_key")
MODEL_TEXT_COLUMN = LINE_FORM_COLUMNS[0]


def model_text(frame: pd.DataFrame) -> list[str]:
    if MODEL_TEXT_COLUMN in frame.columns:
        return frame[MODEL_TEXT_COLUMN].tolist()
    return normalize_lines(frame["text"].tolist())


def line_key(text: str) -> str:
    """Key for recurrence counting: case and white space folded, digits masked (dates, counts)."""
    folded = DIGITS_RE.sub("0", normalize_for_model(text).lower())
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class LineForms:
    """A batch's lines as the feature steps read them: the model's text (``normalize_for_model``), that
    lower-cased, that with each run of decimal digits as "0" (``DIGITS_RE``; recurrence keys and page
    shapes read it), and the recurrence key (``line_key``)."""

    texts: list[str]
    lowered: list[str]
    folded: list[str]
    keys: list[str]

    @classmethod
    def of(cls, model_texts: list[str]) -> "LineForms":
        lowered = [text.lower() for text in model_texts]
        folded = mask_digit_runs(lowered)
        keys = [hashlib.blake2b(text.encode(), digest_size=8).hexdigest() for text in folded]
        return cls(model_texts, lowered, folded, keys)


def mask_digit_runs(texts: list[str]) -> list[str]:
    """``DIGITS_RE.sub("0", text)`` of each text. Compiled: one pass over the batch's code points, where the
    regex tries every position of every line; texts without a decimal digit are returned as they are."""
    if not jit_enabled() or not texts or any("\n" in text for text in texts):  # "\n" joins the texts below
        return [DIGITS_RE.sub("0", text) for text in texts]
    batch = CodePointBatch.of(texts)
    masked, has_decimal = mask_decimal_runs_loop(batch.codes, batch.is_decimal, batch.starts, batch.ends)
    if len(masked) == 0:
        return list(texts)
    masked_texts = iter(masked.tobytes().decode("utf-32-le", "surrogatepass").split("\n"))
    return [next(masked_texts) if decimal else text for text, decimal in zip(texts, has_decimal.tolist())]



def line_forms(frame: pd.DataFrame) -> LineForms:
    if all(column in frame.columns for column in LINE_FORM_COLUMNS):
        return LineForms(*(frame[column].tolist() for column in LINE_FORM_COLUMNS))
    return LineForms.of(model_text(frame))


def line_form_columns(texts: list[str], normalized: bool = False) -> dict[str, list[str]]:
    """The ``LineForms`` of lines ``texts`` (``normalized``: already as ``normalize_for_model`` gives them), as
    frame columns (``LINE_FORM_COLUMNS``)."""
    forms = LineForms.of(texts if normalized else normalize_lines(texts))
    return dict(zip(LINE_FORM_COLUMNS, (forms.texts, forms.lowered, forms.folded, forms.keys)))


def lowered_model_text(frame: pd.DataFrame) -> Optional[list[str]]:
    """The lower-cased model text of each line, where the frame has it (``line_form_columns``)."""
    return frame[LINE_FORM_COLUMNS[1]].tolist() if LINE_FORM_COLUMNS[1] in frame.columns else None


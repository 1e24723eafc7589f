"""Segment classifiers, by family name (``MODELS``), and sequence decoders (``DECODERS``).

A model maps a DataFrame of segment rows (``newsseg.data.segment_rows.SEGMENT_COLUMNS``, in document order) to an
``(n, len(LABELS))`` array of label probabilities. Families register themselves on import, which loads
no optional extra (torch, transformers): a family imports those when it builds or loads a model.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from newsseg.extras import require_extra
from newsseg.labels import LABELS
from newsseg.registry import MODELS

register = MODELS.register


class SegmentModel:
    """Base class: fit on labelled rows, return probabilities over all LABELS."""

    family: str = ""
    # The optional extra (pyproject.toml) the family needs beyond the base install, and the modules it brings.
    extra: str = ""
    extra_modules: tuple[str, ...] = ()

    def __init__(self, config: Any, seed: int = 13) -> None:
        self.config = config
        self.seed = seed

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        raise NotImplementedError

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def predict_proba_and_cues(self, frame: pd.DataFrame) -> tuple[np.ndarray, Optional[np.ndarray]]:
        """``predict_proba``, and per row whether an earlier row of its page is a comment cue where the model
        worked that out on the way (its features), else None: the decoder's comment gate reads it, and a
        model that has it saves the pipeline computing it again."""
        return self.predict_proba(frame), None

    # Pickle by default; families holding torch weights override both.
    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        with open(path / "model.pkl", "wb") as fh:
            pickle.dump(self, fh)

    @classmethod
    def load(cls, path: Path) -> "SegmentModel":
        with open(path / "model.pkl", "rb") as fh:
            return pickle.load(fh)


def full_proba(proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Spread a classifier's columns (the classes it saw) over all LABELS."""
    out = np.zeros((proba.shape[0], len(LABELS)), dtype=np.float64)
    out[:, np.asarray(classes, dtype=int)] = proba
    return out


def softmax(raw: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a copy of ``raw``, as ``sklearn.utils.extmath.softmax`` computes it on numpy arrays
    (a multinomial model's probabilities), operation for operation: the same numbers, without scikit-learn."""
    out = np.array(raw, copy=True)
    out -= np.reshape(np.max(out, axis=1), (-1, 1))
    np.exp(out, out=out)
    out /= np.reshape(np.sum(out, axis=1), (-1, 1))
    return out


def model_family(name: str) -> type[SegmentModel]:
    """The class of family ``name``; ``MissingExtra`` when the family needs an extra that is not installed."""
    family = MODELS.get(name)
    if family.extra:
        require_extra(family.extra, family.extra_modules, f"model {name!r}")
    return family


def build_model(config: Any, seed: int = 13) -> SegmentModel:
    return model_family(config.name)(config, seed)


def load_model_dir(path: Path, family: str) -> SegmentModel:
    return model_family(family).load(path)

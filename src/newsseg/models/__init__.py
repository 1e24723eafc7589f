"""Segment classifiers, by family name (``MODELS``), and sequence decoders (``DECODERS``).

A model maps a DataFrame of segment rows (``newsseg.dataset.COLUMNS``, in document order) to an
``(n, len(LABELS))`` array of label probabilities. Families register themselves on import.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from ..labels import LABELS
from ..registry import Registry

MODELS: Registry[type["SegmentModel"]] = Registry("model")
register = MODELS.register


class SegmentModel:
    """Base class: fit on labelled rows, return probabilities over all LABELS."""

    family: str = ""

    def __init__(self, config: Any, seed: int = 13) -> None:
        self.config = config
        self.seed = seed

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        raise NotImplementedError

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

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


def build_model(config: Any, seed: int = 13) -> SegmentModel:
    _import_families()
    return MODELS.get(config.name)(config, seed)


def load_model_dir(path: Path, family: str) -> SegmentModel:
    _import_families()
    return MODELS.get(family).load(path)


def _import_families() -> None:
    from . import sklearn_models  # noqa: F401
    from . import transformer_models  # noqa: F401

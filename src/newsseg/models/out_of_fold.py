"""Out-of-fold probabilities: for each training row, a model's probabilities from a copy fitted without the
row's site, as a model stacked on it or a decoder fitted on it will see them on pages of unseen sites."""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import pandas as pd

from newsseg.labels import LABELS
from newsseg.models import SegmentModel


def out_of_fold_proba(train: pd.DataFrame, new_model: Callable[[], SegmentModel], folds: int) -> Optional[np.ndarray]:
    """Per row of ``train``, the probabilities (a column per label of LABELS) of a ``new_model()`` fitted on the
    other folds of ``folds`` site-grouped folds (fewer where there are fewer sites); None where the rows hold
    fewer than two sites, so that no fold can be held out."""
    from sklearn.model_selection import GroupKFold

    groups = train["site"].to_numpy()
    n_folds = min(folds, len(set(groups)))
    if n_folds < 2:
        return None
    proba = np.zeros((len(train), len(LABELS)))
    for fit_idx, held_idx in GroupKFold(n_splits=n_folds).split(train, groups=groups):
        model = new_model()
        model.fit(train.iloc[fit_idx].reset_index(drop=True))
        proba[held_idx] = model.predict_proba(train.iloc[held_idx].reset_index(drop=True))
    return proba

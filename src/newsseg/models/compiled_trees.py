"""A fitted ``HistGradientBoostingClassifier``'s trees walked in one compiled loop.

Why: scikit-learn predicts tree by tree, a call each (hundreds per batch), and the per-call overhead is
most of the cost on batches of a few thousand segments. The walk below makes the same comparisons and
sums the leaves in the same order, so the raw scores are the same numbers; the probabilities come from
the classifier's own loss, as in ``predict_proba``. Models with categorical splits keep scikit-learn's.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Optional

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from ..compiled import compiled


@dataclass(frozen=True)
class CompiledTrees:
    """All trees' nodes in flat arrays; tree t starts at ``roots[t]`` and adds to class ``t % n_classes``."""

    classifier: HistGradientBoostingClassifier
    feature: np.ndarray
    threshold: np.ndarray
    missing_go_to_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    roots: np.ndarray

    @classmethod
    def from_classifier(cls, classifier: HistGradientBoostingClassifier) -> Optional["CompiledTrees"]:
        """None where the walk would not be scikit-learn's (categorical splits) or the internals it reads
        are not there (another scikit-learn version)."""
        try:
            trees = [predictor.nodes for iteration in classifier._predictors for predictor in iteration]
            loss, baseline = classifier._loss, classifier._baseline_prediction
        except AttributeError:
            return None
        if not trees or any(nodes["is_categorical"].any() for nodes in trees) or not hasattr(loss, "predict_proba") \
                or np.shape(baseline) != (1, classifier.n_trees_per_iteration_):
            return None
        sizes = np.array([len(nodes) for nodes in trees])
        roots = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
        nodes = np.concatenate(trees)
        offsets = np.repeat(roots, sizes)  # child indexes are per tree: make them global
        return cls(classifier, nodes["feature_idx"].astype(np.int64), nodes["num_threshold"].astype(np.float64),
                   nodes["missing_go_to_left"].astype(np.bool_), nodes["left"].astype(np.int64) + offsets,
                   nodes["right"].astype(np.int64) + offsets, nodes["is_leaf"].astype(np.bool_),
                   nodes["value"].astype(np.float64), roots)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        if features.ndim != 2 or features.shape[1] != self.classifier.n_features_in_:
            raise ValueError(f"expected {self.classifier.n_features_in_} features, got shape {features.shape}")
        raw = _raw_scores(np.ascontiguousarray(features), self.classifier._baseline_prediction[0].astype(np.float64),
                          self.feature, self.threshold, self.missing_go_to_left, self.left, self.right, self.is_leaf,
                          self.value, self.roots)
        return self.classifier._loss.predict_proba(raw)


# Built once per fitted classifier, and not pickled with the model.
_BUILT: "weakref.WeakKeyDictionary[HistGradientBoostingClassifier, Optional[CompiledTrees]]" = \
    weakref.WeakKeyDictionary()


def compiled_trees(classifier: HistGradientBoostingClassifier) -> Optional[CompiledTrees]:
    if classifier not in _BUILT:
        _BUILT[classifier] = CompiledTrees.from_classifier(classifier)
    return _BUILT[classifier]


@compiled
def _raw_scores(features: np.ndarray, baseline: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
                missing_go_to_left: np.ndarray, left: np.ndarray, right: np.ndarray, is_leaf: np.ndarray,
                value: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Per row and class: the baseline plus the leaf values of the class's trees, added in tree order as
    ``HistGradientBoostingClassifier._raw_predict`` does. A missing value (NaN) goes the side it went in
    training; otherwise ``value <= threshold`` goes left."""
    n_rows, n_classes = features.shape[0], baseline.shape[0]
    raw = np.empty((n_rows, n_classes))
    for row in range(n_rows):
        for k in range(n_classes):
            raw[row, k] = baseline[k]
    # Tree by tree, all rows through each (its nodes stay in cache): faster here than row by row.
    for tree in range(len(roots)):
        k = tree % n_classes
        for row in range(n_rows):
            node = roots[tree]
            while not is_leaf[node]:
                x = features[row, feature[node]]
                if np.isnan(x):
                    node = left[node] if missing_go_to_left[node] else right[node]
                elif x <= threshold[node]:
                    node = left[node]
                else:
                    node = right[node]
            raw[row, k] += value[node]
    return raw

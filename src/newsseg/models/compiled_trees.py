"""A fitted ``HistGradientBoostingClassifier``'s trees walked in one compiled loop.

Why: scikit-learn predicts tree by tree, a call each (hundreds per batch), and walks each row down
alone, stalling on every unpredictable turn; boosting was a fifth of prediction time. The walk
(``kernels.trees.raw_scores``) makes the same comparisons and sums the leaves in the same order, so the raw
scores are the same numbers (about 3x faster); the probabilities are the classifier's loss's own (the
logistic function, or softmax), computed as scikit-learn computes them. The arrays stand without the
classifier, so a saved model predicts without importing scikit-learn.
Models with categorical splits, or losses other than the two log losses, keep scikit-learn's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np

from newsseg.kernels.trees import logistic, raw_scores
from newsseg.models import softmax

if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier


@dataclass(frozen=True)
class CompiledTrees:
    """All trees' nodes in flat arrays; tree t starts at ``roots[t]``, is ``depths[t]`` levels deep and adds
    to class ``t % n_classes``. A leaf is its own left and right child (feature 0, threshold +inf), so that
    every row can take the same number of steps down a tree. ``packed``: the nodes again, one 16-byte record
    each, for float32 features without missing values (the common case). ``classes``, ``n_features`` and
    ``baseline`` (the raw score before any tree) are the classifier's."""

    classes: np.ndarray
    n_features: int
    baseline: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_go_to_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depths: np.ndarray
    packed: np.ndarray

    @classmethod
    def from_classifier(cls, classifier: "HistGradientBoostingClassifier") -> Optional["CompiledTrees"]:
        """None where the walk would not be scikit-learn's (categorical splits), the loss is not a log loss,
        or the internals it reads are not there (another scikit-learn version)."""
        try:
            trees = [predictor.nodes for iteration in classifier._predictors for predictor in iteration]
            loss, baseline = classifier._loss, classifier._baseline_prediction
        except AttributeError:
            return None
        if not trees or any(nodes["is_categorical"].any() for nodes in trees) \
                or type(loss).__name__ != LOG_LOSS[classifier.n_trees_per_iteration_ > 1] \
                or np.shape(baseline) != (1, classifier.n_trees_per_iteration_):
            return None
        sizes = np.array([len(nodes) for nodes in trees])
        roots = np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64)
        nodes = np.concatenate(trees)
        leaf = nodes["is_leaf"].astype(bool)
        itself = np.arange(len(nodes), dtype=np.int64)
        offsets = np.repeat(roots, sizes)  # child indexes are per tree: make them global
        feature = np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64)
        threshold = np.where(leaf, np.inf, nodes["num_threshold"]).astype(np.float64)
        left = np.where(leaf, itself, nodes["left"].astype(np.int64) + offsets)
        right = np.where(leaf, itself, nodes["right"].astype(np.int64) + offsets)
        packed = np.zeros(len(nodes), dtype=PACKED_NODE)
        packed["feature"], packed["left"], packed["right"] = feature, left, right
        packed["threshold"] = float32_threshold(threshold)
        return cls(np.asarray(classifier.classes_), int(classifier.n_features_in_),
                   np.asarray(baseline[0], dtype=np.float64), feature, threshold,
                   nodes["missing_go_to_left"].astype(np.bool_), left, right, nodes["value"].astype(np.float64), roots,
                   np.array([nodes["depth"].max() for nodes in trees], dtype=np.int64), packed)

    def raw_predict(self, features: np.ndarray) -> np.ndarray:
        """Per row and class (one column for two classes), the baseline plus the trees' leaves: the
        classifier's ``decision_function``, kept two-dimensional."""
        if features.ndim != 2 or features.shape[1] != self.n_features:
            raise ValueError(f"expected {self.n_features} features, got shape {features.shape}")
        by_column = np.ascontiguousarray(features.T)
        use_packed = features.dtype == np.float32 and not np.isnan(by_column).any()
        # The kernel indexes with unsigned integers; the indexes are never negative, so the same bits read
        # as unsigned are the same numbers (views: nothing is copied).
        return raw_scores(by_column, self.baseline, self.feature.view(np.uint64), self.threshold,
                          self.missing_go_to_left, self.left.view(np.uint64), self.right.view(np.uint64), self.value,
                          self.roots, self.depths, self.packed.view(PACKED_NODE), use_packed)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """The classifier's ``predict_proba``: its loss's ``predict_proba`` of the raw scores, step for step."""
        raw = self.raw_predict(features)
        if raw.shape[1] == 1:  # HalfBinomialLoss: the logistic function, its complement for class 0
            proba = np.empty((raw.shape[0], 2), dtype=raw.dtype)
            proba[:, 1] = logistic(raw[:, 0])
            proba[:, 0] = 1 - proba[:, 1]
            return proba
        return softmax(raw)


# The loss scikit-learn fits for two classes and for more, whose probabilities ``predict_proba`` computes.
LOG_LOSS = {False: "HalfBinomialLoss", True: "HalfMultinomialLoss"}


# Unsigned indexes (see ``kernels.trees.raw_scores``); models saved with signed ones are read through a view.
PACKED_NODE = np.dtype([("feature", np.uint32), ("threshold", np.float32), ("left", np.uint32), ("right", np.uint32)])


def float32_threshold(threshold: np.ndarray) -> np.ndarray:
    """Per float64 threshold t, the largest float32 at most t: for a float32 value x, ``x <= t`` exactly when
    ``x <= float32_threshold(t)``, as no float32 lies between the two."""
    with np.errstate(over="ignore"):  # beyond float32's range: inf, then stepped back to its largest value
        rounded = threshold.astype(np.float32)
    return np.where(rounded.astype(np.float64) > threshold, np.nextafter(rounded, np.float32(-np.inf)), rounded)


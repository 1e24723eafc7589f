"""Kernels of ``models.compiled_trees``: a fitted gradient-boosting classifier's trees (flattened by
``CompiledTrees``) walked for a batch of rows, and the logistic function of two-class scores."""

from __future__ import annotations

import math

import numpy as np

from newsseg.kernels import compiled


@compiled
def raw_scores(features_by_column: np.ndarray, baseline: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
               missing_go_to_left: np.ndarray, left: np.ndarray, right: np.ndarray, value: np.ndarray,
               roots: np.ndarray, depths: np.ndarray, packed: np.ndarray, use_packed: bool) -> np.ndarray:
    """Per row and class: the baseline plus the leaf values of the class's trees, added in tree order as
    ``HistGradientBoostingClassifier._raw_predict`` does. ``features_by_column``: (features, rows). A
    missing value (NaN) goes the side it went in training; otherwise ``value <= threshold`` goes left.
    ``use_packed``: float32 features with no missing value, walked on the packed nodes (one record read
    per step instead of five arrays: 1.5x).

    All rows go down a tree in lockstep, a level at a time, with no branch on the comparison: the CPU
    then works on many rows at once instead of waiting on each row's unpredictable turns (1.5x).

    Node and feature indexes are unsigned (``CompiledTrees.raw_predict`` passes them so): a signed index
    costs a check for negative values (counted from the end) at every step, and the walk took 1.75x as long.

    Plain twin: scikit-learn's own ``HistGradientBoostingClassifier.predict_proba`` (``compiled_trees``'
    caller, ``LayoutGbt``, uses it without JIT)."""
    n_rows, n_classes = features_by_column.shape[1], baseline.shape[0]
    raw = np.empty((n_rows, n_classes))
    for row in range(n_rows):
        for k in range(n_classes):
            raw[row, k] = baseline[k]
    node = np.empty(n_rows, dtype=np.uint32)
    for tree in range(len(roots)):
        node[:] = roots[tree]
        for _ in range(depths[tree]):
            if use_packed:
                for row in range(n_rows):
                    record = packed[node[row]]
                    go_left = features_by_column[record.feature, row] <= record.threshold
                    node[row] = record.left if go_left else record.right
            else:
                for row in range(n_rows):
                    at = node[row]
                    x = features_by_column[feature[at], row]
                    go_left = (x <= threshold[at]) | (np.isnan(x) & missing_go_to_left[at])
                    node[row] = left[at] if go_left else right[at]
        for row in range(n_rows):
            raw[row, tree % n_classes] += value[node[row]]
    return raw


@compiled
def logistic(raw: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` per value, as scipy's ``expit`` computes it in float64 (C's ``exp``): the
    two-class loss's probabilities without importing scipy.special.

    Plain twin: scipy's ``expit`` itself (without JIT, ``LayoutGbt`` predicts with the classifier)."""
    out = np.empty(raw.shape[0])
    for i in range(raw.shape[0]):
        out[i] = 1.0 / (1.0 + math.exp(-raw[i]))
    return out

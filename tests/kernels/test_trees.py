"""Compiled trees give scikit-learn's raw scores and probabilities, bit for bit."""

import dataclasses
import pickle

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from newsseg.models.compiled_trees import CompiledTrees, float32_threshold


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_compiled_trees_give_scikit_learns_probabilities_exactly(n_classes):
    rng = np.random.default_rng(n_classes)
    features = rng.normal(size=(400, 6)).astype(np.float32)
    features[:, 5] = np.round(features[:, 5])  # ties at thresholds
    labels = (features[:, 0] + features[:, 1] * features[:, 2] > 0).astype(int) + (features[:, 3] > 1) * (n_classes - 2)
    features[rng.random(features.shape) < 0.05] = np.nan  # missing values, in training and at prediction
    classifier = HistGradientBoostingClassifier(max_iter=15, max_leaf_nodes=7, random_state=0).fit(features, labels)
    trees = CompiledTrees.from_classifier(classifier)
    assert trees is not None
    trees = pickle.loads(pickle.dumps(trees))  # as a saved model holds them: arrays, no classifier
    test = rng.normal(size=(300, 6)).astype(np.float32)
    test[rng.random(test.shape) < 0.1] = np.nan
    test[:50] = features[:50]  # values on the thresholds themselves
    clean = np.nan_to_num(test, nan=0.25)
    # Missing values or float64: the general walk; float32 without missing values: the packed nodes.
    for rows in (test, clean, clean.astype(np.float64), np.nextafter(clean, np.float32(1))):
        raw = trees.raw_predict(rows)
        assert np.array_equal(raw[:, 0] if n_classes == 2 else raw, classifier.decision_function(rows))
        assert np.array_equal(trees.predict_proba(rows), classifier.predict_proba(rows))
    with pytest.raises(ValueError, match="expected 6 features"):
        trees.predict_proba(test[:, :5])


def test_compiled_trees_leave_categorical_models_to_scikit_learn():
    rng = np.random.default_rng(0)
    features = np.column_stack([rng.integers(0, 4, 200), rng.normal(size=200)])
    classifier = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0], random_state=0)
    classifier.fit(features, (features[:, 0] == 2).astype(int))
    assert CompiledTrees.from_classifier(classifier) is None


def test_float32_thresholds_compare_float32_values_as_the_float64_ones_do():
    rng = np.random.default_rng(3)
    thresholds = np.r_[rng.normal(size=2000), np.float64(np.float32(0.1)), 0.1, 1e300, -1e300, np.inf, 0.0]
    rounded = float32_threshold(thresholds)
    assert rounded.dtype == np.float32
    for step in (-2, -1, 0, 1, 2):  # float32 values at and next to each threshold
        with np.errstate(over="ignore"):
            values = thresholds.astype(np.float32)
        for _ in range(abs(step)):
            values = np.nextafter(values, np.float32(np.sign(step) * np.inf))
        assert np.array_equal(values.astype(np.float64) <= thresholds, values <= rounded)


def test_trees_saved_with_signed_packed_nodes_predict_the_same():
    # Models saved before the packed nodes' indexes were unsigned hold int32 fields: read through a view.
    rng = np.random.default_rng(7)
    features = rng.normal(size=(300, 4)).astype(np.float32)
    classifier = HistGradientBoostingClassifier(max_iter=10, max_leaf_nodes=7, random_state=0)
    classifier.fit(features, (features[:, 0] > features[:, 1]).astype(int))
    trees = CompiledTrees.from_classifier(classifier)
    signed = np.dtype([("feature", np.int32), ("threshold", np.float32), ("left", np.int32), ("right", np.int32)])
    old = dataclasses.replace(trees, packed=trees.packed.astype(signed))
    assert old.packed.dtype == signed
    assert np.array_equal(old.predict_proba(features), classifier.predict_proba(features))

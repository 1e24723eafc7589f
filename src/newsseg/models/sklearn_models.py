"""scikit-learn families: TF-IDF + logistic regression, and layout features + gradient boosting."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Optional

import numpy as np
import pandas as pd

from newsseg.config import TfidfLogregConfig
from newsseg.features.assembly import (
    LAYOUT_FEATURE_NAMES,
    LAYOUT_FEATURES_VERSION,
    check_layout_features,
    layout_features,
    with_neighbours,
)
from newsseg.features.line_forms import lowered_model_text, model_text
from newsseg.features.recurrence import BoilerplateIndex, site_recurrence
from newsseg.kernels import jit_enabled
from newsseg.labels import LABELS
from newsseg.models import SegmentModel, full_proba, register
from newsseg.models.batch_tfidf import FusedTfidf, text_pipeline_proba
from newsseg.models.compiled_trees import CompiledTrees
from newsseg.models.out_of_fold import out_of_fold_proba
from newsseg.models.pickled_until_used import PickledUntilUsed

# scikit-learn is imported where a model is fitted, or predicts without the compiled kernels: a saved model
# predicts from arrays of its own (CompiledTrees, FusedTfidf) wherever they give its estimators' numbers.
if TYPE_CHECKING:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline

log = logging.getLogger(__name__)  # stage lines of a fit (newsseg.progress shows them in `newsseg train`)

def _model_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"text": model_text(frame)})


def tfidf_pipeline(config: TfidfLogregConfig, seed: int) -> Pipeline:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    # The vectorizers take the DataFrame's "text" column (ColumnTransformer), one row per segment.
    vectorizers = [("word", TfidfVectorizer(ngram_range=tuple(config.word_ngrams), sublinear_tf=True, min_df=2,
                                            max_features=config.max_features, lowercase=True), "text")]
    if config.char_ngrams:
        vectorizers.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config.char_ngrams),
                                                    sublinear_tf=True, min_df=2, max_features=config.max_features,
                                                    lowercase=True), "text"))
    vectorizers = ColumnTransformer(vectorizers)
    classifier = LogisticRegression(C=config.C, class_weight="balanced", max_iter=config.max_iter,
                                    random_state=seed)
    return Pipeline([("features", vectorizers), ("classifier", classifier)])


@register("tfidf_logreg")
class TfidfLogreg(SegmentModel):
    family = "tfidf_logreg"

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        pipeline = tfidf_pipeline(self.config, self.seed)
        pipeline.fit(_model_frame(train), train["label"].to_numpy(),
                     classifier__sample_weight=train["weight"].to_numpy())
        self._pipeline = PickledUntilUsed(pipeline)
        self.fused = FusedTfidf.of(pipeline)  # None where its arrays would not give the pipeline's numbers

    @property
    def pipeline(self) -> Pipeline:
        """The fitted scikit-learn pipeline (unpickled on first use after loading)."""
        return self._pipeline.value

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        if self.fused is not None and jit_enabled():
            proba, classes = self.fused.predict_proba(model_text(frame), lowered_model_text(frame)), self.fused.classes
        else:
            proba, classes = text_pipeline_proba(self.pipeline, model_text(frame), lowered_model_text(frame)), \
                self.pipeline.classes_
        return full_proba(proba, classes)

    def __setstate__(self, state: dict) -> None:
        if "pipeline" in state:  # saved before the pipeline was kept pickled until used
            pipeline = state.pop("pipeline")
            state["_pipeline"], state["fused"] = PickledUntilUsed(pipeline), FusedTfidf.of(pipeline)
        self.__dict__.update(state)


def stacked_tfidf_config(char_ngrams: Optional[list[int]]) -> TfidfLogregConfig:
    # The TF-IDF model stacked under layout_gbt is fitted folds + 1 times, so it is a lighter one.
    return TfidfLogregConfig(name="tfidf_logreg", char_ngrams=tuple(char_ngrams) if char_ngrams else None,
                             max_features=50_000, max_iter=500)


def out_of_fold_tfidf(train: pd.DataFrame, seed: int, config: TfidfLogregConfig, folds: int = 3) -> np.ndarray:
    """TF-IDF probabilities for each training row from a model that did not see the row's site (zeros where
    the rows hold a single site)."""
    proba = out_of_fold_proba(train, lambda: TfidfLogreg(config, seed), folds)
    return np.zeros((len(train), len(LABELS))) if proba is None else proba


SITE_RECURRENCE_COLUMN = LAYOUT_FEATURE_NAMES.index("site_recurrence")
COMMENT_CUE_BEFORE_COLUMN = LAYOUT_FEATURE_NAMES.index("comment_cue_before")
# scikit-learn's default leaf size, counted in segments: each segment is in the rows twice, and leaves
# of 10 segments gave a much worse model on small training sets (a few dozen pages).
MIN_SEGMENTS_PER_LEAF = 20


@register("layout_gbt")
class LayoutGbt(SegmentModel):
    """Where a segment sits and what it looks like, for it and its neighbours, into gradient boosting."""

    family = "layout_gbt"

    def _segment_features(self, frame: pd.DataFrame, site_rec: Optional[np.ndarray] = None,
                          tfidf_proba: Optional[np.ndarray] = None) -> np.ndarray:
        """The features of each segment alone, before its neighbours' are added."""
        base = layout_features(frame, self.boilerplate, site_rec)
        if self.config.use_tfidf:
            proba = tfidf_proba if tfidf_proba is not None else self.tfidf.predict_proba(frame)
            base = np.hstack([base, proba.astype(np.float32)])
        return base

    def _features(self, frame: pd.DataFrame) -> np.ndarray:
        return with_neighbours(self._segment_features(frame), frame, self.config.neighbours)

    # Rows whose label is only "not news_body" (dataset.NOT_NEWS_BODY_ID) are learnt from, by the body stage.
    learns_partial_labels = True

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        """One 5-label classifier; or, when some rows carry only the partial label "not news_body", two
        stages: body or not, learnt from every row, and which of the other four labels, learnt from the fully
        labelled rows that are not news_body. So a line outside a reference article teaches that it is not
        the article, and nothing about which other label it has."""
        self.layout_feature_names, self.layout_features_version = LAYOUT_FEATURE_NAMES, LAYOUT_FEATURES_VERSION
        labels = train["label"].to_numpy()
        full = labels >= 0
        self.boilerplate = BoilerplateIndex.fit(train)
        site_rec = site_recurrence(train)
        tfidf_proba = None
        if self.config.use_tfidf:
            log.info("layout_gbt: stacked TF-IDF, out of fold and on all pages ...")
            tfidf_config = stacked_tfidf_config(self.config.tfidf_char_ngrams)
            self.tfidf = TfidfLogreg(tfidf_config, self.seed)
            fully_labelled = train[full].reset_index(drop=True)
            self.tfidf.fit(fully_labelled)
            tfidf_proba = np.zeros((len(train), len(LABELS)))
            tfidf_proba[full] = out_of_fold_tfidf(fully_labelled, self.seed, tfidf_config)
            if not full.all():  # partial rows: from the model of all fully labelled rows, none of which they are
                tfidf_proba[~full] = self.tfidf.predict_proba(train[~full].reset_index(drop=True))
        # Every training page twice, at half weight: with its site recurrence, and with it hidden, as on a
        # lone page where no other page of the site is there to compare with. (Hiding it on a random half
        # of the pages did the same with more noise: macro-F1 moved by 0.006 between seeds.)
        log.info("layout_gbt: layout features of %d segments ...", len(train))
        own = self._segment_features(train, site_rec, tfidf_proba)
        hidden = own.copy()
        hidden[:, SITE_RECURRENCE_COLUMN] = 0.0
        features = np.vstack([with_neighbours(own, train, self.config.neighbours),
                              with_neighbours(hidden, train, self.config.neighbours)])
        labels, weights = np.tile(labels, 2), np.tile(train["weight"].to_numpy() * 0.5, 2)
        rounds = f"{self.config.max_iter} rounds on {len(labels)} rows"
        body_classifier = None
        if full.all():
            log.info("layout_gbt: gradient boosting, %s ...", rounds)
            classifier = self._boosting().fit(features, labels, sample_weight=weights)
        else:
            body = LABELS.index("news_body")
            log.info("layout_gbt: gradient boosting 1/2 (body or not), %s ...", rounds)
            is_body = (labels == body).astype(int)
            if self.config.body_stage_balance == "labels":
                body_classifier = self._boosting(class_weight=None).fit(
                    features, is_body, sample_weight=weights * label_balance(labels))
            else:
                body_classifier = self._boosting().fit(features, is_body, sample_weight=weights)
            rest = (labels >= 0) & (labels != body)
            log.info("layout_gbt: gradient boosting 2/2 (which other label), %d rounds on %d rows ...",
                     self.config.max_iter, int(rest.sum()))
            classifier = self._boosting().fit(features[rest], labels[rest], sample_weight=weights[rest])
        self._set_classifiers(classifier, body_classifier)

    def _set_classifiers(self, classifier: HistGradientBoostingClassifier,
                         body_classifier: Optional[HistGradientBoostingClassifier]) -> None:
        """The fitted stages, and their trees as arrays (None where those would not give the classifier's
        numbers: then, as without the compiled kernels, the classifier predicts)."""
        self._classifiers = PickledUntilUsed((classifier, body_classifier))
        self.trees = CompiledTrees.from_classifier(classifier)
        self.body_trees = None if body_classifier is None else CompiledTrees.from_classifier(body_classifier)
        self.two_stages = body_classifier is not None

    @property
    def classifier(self) -> HistGradientBoostingClassifier:
        """The label stage (all five labels, or the four that are not news_body after a body stage)."""
        return self._classifiers.value[0]

    @property
    def body_classifier(self) -> Optional[HistGradientBoostingClassifier]:
        """The body-or-not stage; None for a one-stage model."""
        return self._classifiers.value[1]

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "classifier" in state:  # saved before the classifiers were kept pickled until used
            self._set_classifiers(state["classifier"], state["body_classifier"])
            del self.__dict__["classifier"], self.__dict__["body_classifier"]

    def _boosting(self, class_weight: Optional[str] = "balanced") -> HistGradientBoostingClassifier:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            learning_rate=self.config.learning_rate, max_iter=self.config.max_iter,
            max_leaf_nodes=self.config.max_leaf_nodes, max_depth=self.config.max_depth,
            l2_regularization=self.config.l2_regularization,
            min_samples_leaf=2 * MIN_SEGMENTS_PER_LEAF,  # each segment is in the rows twice
            class_weight=class_weight, early_stopping=False, random_state=self.seed)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.predict_proba_and_cues(frame)[0]

    def predict_proba_and_cues(self, frame: pd.DataFrame) -> tuple[np.ndarray, Optional[np.ndarray]]:
        check_layout_features(self)
        segment_features = self._segment_features(frame)
        cue_before = segment_features[:, COMMENT_CUE_BEFORE_COLUMN] > 0.5
        return self._proba(with_neighbours(segment_features, frame, self.config.neighbours)), cue_before

    def _proba(self, features: np.ndarray) -> np.ndarray:
        proba = full_proba(*self._stage_proba(self.trees, 0, features))
        if not self.two_stages:
            return proba
        body = LABELS.index("news_body")
        p_body = self._stage_proba(self.body_trees, 1, features)[0][:, 1]  # classes: [0, 1], 1 = news_body
        proba *= (1.0 - p_body)[:, None]  # P(label) = P(not body) P(label | not body)
        proba[:, body] = p_body
        return proba

    def _stage_proba(self, trees: Optional[CompiledTrees], stage: int,
                     features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A stage's probabilities (a column per class) and its classes: from its compiled trees, or without
        them (no JIT, or trees the walk cannot reproduce) from the classifier itself."""
        if trees is not None and jit_enabled():
            return trees.predict_proba(features), trees.classes
        classifier = self._classifiers.value[stage]
        # Column-major: each tree reads a few feature columns for every row, so rows of one column side by
        # side stay in cache (1.6x faster prediction than row-major rows of some 200 features, same values).
        return classifier.predict_proba(np.asfortranarray(features)), classifier.classes_


def label_balance(labels: np.ndarray) -> np.ndarray:
    """Per row, the weight that gives each label (the partial label -1 counted as one) the same total, as
    scikit-learn's "balanced" class weight does for the labels it is trained on. With it, the body stage
    weighs body against the four other labels and the partial one as the one-stage model does: binary
    balance gave body half the weight, and lines of chrome near the article (credits, "Source:" lines,
    reader polls) came out as body more often on real pages of unseen sites."""
    groups, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return (len(labels) / (len(groups) * counts))[inverse]

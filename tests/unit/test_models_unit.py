import numpy as np
import pandas as pd
import pytest

from newsseg.config import DecoderConfig
from newsseg.data.dataset import split_sites
from newsseg.evaluation import evaluate_labels
from newsseg.features.assembly import LAYOUT_FEATURE_NAMES, layout_features, with_neighbours
from newsseg.features.line_forms import line_key
from newsseg.features.line_stats import comment_cue_before
from newsseg.features.recurrence import BoilerplateIndex, site_recurrence
from newsseg.labels import LABELS, LABEL_TO_ID
from newsseg.models import decoders
from newsseg.models.decoders import build_decoder
from tests.helpers import frame_of


PAGES = {
    "a1": ("a.com", "Home\nWorld\nCouncil approves budget\nThe council met on Monday.\nComments (2)\nGreat news!\n"),
    "a2": ("a.com", "Home\nWorld\nRiver floods again\nWater rose overnight.\n"),
    "b1": ("b.com", "Menu\nMarkets slide\nStocks fell.\nSubscribe now for $1\n"),
}


def test_layout_features_shape_and_comment_header_distance():
    frame = frame_of(PAGES)
    features = layout_features(frame)
    assert features.shape == (len(frame), len(LAYOUT_FEATURE_NAMES))
    col = LAYOUT_FEATURE_NAMES.index("after_comment_header")
    after = dict(zip(frame["text"], features[:, col]))
    assert after["Great news!"] == 1.0 and after["The council met on Monday."] == 0.0


def test_site_recurrence_marks_repeated_menu_lines():
    frame = frame_of(PAGES)
    rec = dict(zip(zip(frame["doc_id"], frame["text"]), site_recurrence(frame)))
    assert rec[("a1", "Home")] == 1.0 and rec[("a1", "Council approves budget")] == 0.0
    assert rec[("b1", "Menu")] == 0.0  # the only page of its site


def test_boilerplate_index_counts_documents():
    index = BoilerplateIndex.fit(frame_of(PAGES), min_docs=2)
    keys = [line_key("home"), line_key("Stocks fell.")]
    assert index.recurrence(keys).tolist() == [pytest.approx(np.log1p(2)), 0.0]


def test_with_neighbours_does_not_cross_documents():
    frame = frame_of(PAGES)
    base = np.arange(len(frame), dtype=np.float32)[:, None]
    wide = with_neighbours(base, frame, 1)
    first_of_a2 = frame.index[(frame["doc_id"] == "a2") & (frame["index"] == 0)][0]
    assert wide[first_of_a2].tolist() == [first_of_a2, 0.0, 1.0, first_of_a2 + 1, 0.0]


def reference_with_neighbours(features: np.ndarray, doc_ids: np.ndarray, window: int) -> np.ndarray:
    """``with_neighbours`` as it was written before it built the columns directly: the reference."""
    n, width = features.shape
    parts = [features]
    for offset in [o for o in range(-window, window + 1) if o != 0]:
        shifted = np.zeros((n, width + 1), dtype=np.float32)
        src = np.arange(n) + offset
        valid = (src >= 0) & (src < n)
        valid[valid] &= doc_ids[src[valid]] == doc_ids[valid]
        shifted[valid, :width] = features[src[valid]]
        shifted[~valid, width] = 1.0
        parts.append(shifted)
    return np.hstack(parts)


@pytest.mark.parametrize("n_rows", [1, 2, 3, 7, 40])
@pytest.mark.parametrize("window", [1, 2, 5])
def test_with_neighbours_matches_the_reference(n_rows, window):
    rng = np.random.default_rng(n_rows * 10 + window)
    features = rng.normal(size=(n_rows, 4)).astype(np.float32)
    doc_ids = np.sort(rng.choice(["a", "b", "c"], size=n_rows))
    wide = with_neighbours(features, pd.DataFrame({"doc_id": doc_ids}), window)
    assert wide.dtype == np.float32 and np.array_equal(wide, reference_with_neighbours(features, doc_ids, window))


def test_split_sites_is_grouped_and_reproducible():
    sites = [f"s{i}" for i in range(40)]
    first = split_sites(sites, 0.2, 0.2, seed=5)
    assert first == split_sites(list(reversed(sites)), 0.2, 0.2, seed=5)
    assert set(first.values()) == {"train", "validation", "test"}
    assert first != split_sites(sites, 0.2, 0.2, seed=6)


def test_a_site_keeps_its_split_when_other_sites_are_added():
    sites = [f"site-{i}.example" for i in range(200)]
    before = split_sites(sites, 0.15, 0.15, seed=13)
    after = split_sites(sites + [f"new-{i}.example" for i in range(75)], 0.15, 0.15, seed=13)
    assert all(after[site] == split for site, split in before.items())
    shares = {split: list(before.values()).count(split) / len(sites) for split in ("test", "validation")}
    assert 0.08 < shares["test"] < 0.22 and 0.08 < shares["validation"] < 0.22


def labelled_frame():
    frame = frame_of(PAGES)
    gold = ["other", "other", "news_body", "news_body", "other", "opinion_comment",
            "other", "other", "news_body", "news_body", "other", "news_body", "news_body", "ad"]
    frame["label"] = [LABEL_TO_ID[g] for g in gold]
    return frame


@pytest.mark.parametrize("name", ["none", "viterbi", "crf"])
def test_decoders_return_labels_and_normalised_scores(name):
    frame = labelled_frame()
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(len(LABELS)), size=len(frame))
    proba[np.arange(len(frame)), frame["label"]] += 2
    proba /= proba.sum(1, keepdims=True)
    decoder = build_decoder(DecoderConfig(name=name, max_iterations=20))
    decoder.fit(frame, proba, comment_cue_before(frame))
    labels, scores = decoder.decode(frame, proba, comment_cue_before(frame))
    assert labels.shape == (len(frame),) and scores.shape == proba.shape
    assert np.allclose(scores.sum(1), 1.0, atol=1e-6)
    assert (labels == frame["label"].to_numpy()).mean() > 0.8


def test_viterbi_smooths_an_isolated_flip():
    frame = labelled_frame()
    decoder = build_decoder(DecoderConfig(name="viterbi"))
    decoder.fit(pd.concat([frame] * 5, ignore_index=True), None)
    body = LABELS.index("news_body")
    proba = np.full((4, len(LABELS)), 0.02)
    proba[:, body] = 0.92
    proba[2] = 0.02
    proba[2, LABELS.index("ad")] = 0.5
    proba[2, body] = 0.44
    page = pd.DataFrame({"doc_id": ["p"] * 4, "text": ["Headline", "First paragraph.", "Buy now", "Last paragraph."]})
    labels, _ = decoder.decode(page, proba / proba.sum(1, keepdims=True), comment_cue_before(page))
    assert labels.tolist() == [body] * 4


@pytest.mark.parametrize("max_padded", [50_000, 5])
def test_viterbi_decodes_a_batch_as_each_document_alone(max_padded, monkeypatch):
    # The numpy path decodes the documents of a batch together in groups, padded to the longest: padding
    # must not leak. (The compiled path, compared with it in tests/kernels/test_viterbi.py, decodes one at a time.)
    monkeypatch.setattr(decoders, "MAX_PADDED_POSITIONS", max_padded)
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    frame = labelled_frame()
    decoder = build_decoder(DecoderConfig(name="viterbi", comments_need_cue=False))
    decoder.fit(frame, None)
    proba = np.random.default_rng(1).dirichlet(np.ones(len(LABELS)) * 0.5, size=len(frame))
    labels, scores = decoder.decode(frame, proba)
    for _, rows in frame.groupby("doc_id", sort=False).indices.items():
        alone_labels, alone_scores = decoder.decode(frame.iloc[rows].reset_index(drop=True), proba[rows])
        assert alone_labels.tolist() == labels[rows].tolist()
        assert np.allclose(alone_scores, scores[rows])


def test_evaluate_labels_macro_over_present_labels_and_char_f1():
    gold = np.array([0, 0, 3, 3])
    pred = np.array([0, 3, 3, 3])
    result = evaluate_labels(gold, pred, lengths=np.array([100, 10, 5, 5]), sites=np.array(["x", "x", "y", "y"]))
    m = result["metrics"]
    assert m["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert m["news_body_char_f1"] == pytest.approx(2 * 100 / (2 * 100 + 10))
    assert result["details"]["macro_f1_per_site"]["y"] == 1.0
    assert result["details"]["confusion_matrix"][0][3] == 1


def test_comment_gate_removes_comments_before_the_first_cue():
    frame = frame_of({"p": ("x.com", "Headline\nI think this is great.\nComments (1)\nI think this is great.\n")})
    proba = np.tile([0.2, 0.6, 0.0, 0.0, 0.2], (len(frame), 1))
    gated = build_decoder(DecoderConfig(name="none")).gate(proba, comment_cue_before(frame))
    assert LABELS[gated[1].argmax()] == "news_body" and LABELS[gated[3].argmax()] == "opinion_comment"
    assert np.allclose(gated.sum(1), 1.0)
    ungated = build_decoder(DecoderConfig(name="none", comments_need_cue=False)).gate(proba, None)
    assert np.array_equal(ungated, proba)


def test_layout_gbt_trains_on_every_page_with_and_without_its_site_recurrence(monkeypatch):
    from newsseg.config import LayoutGbtConfig
    from newsseg.models import sklearn_models

    train = frame_of(PAGES)
    train["label"] = [LABEL_TO_ID["other"] if t in ("Home", "World", "Menu") else LABEL_TO_ID["news_body"]
                      for t in train["text"]]
    train["weight"] = 2.0
    from sklearn.ensemble import HistGradientBoostingClassifier

    seen = {}
    fit = HistGradientBoostingClassifier.fit
    monkeypatch.setattr(HistGradientBoostingClassifier, "fit",
                        lambda self, X, y, sample_weight: seen.update(X=X, y=y, w=sample_weight) or fit(self, X, y, sample_weight))
    sklearn_models.LayoutGbt(LayoutGbtConfig(name="layout_gbt", use_tfidf=False, max_iter=10, neighbours=0)).fit(train)
    n, column = len(train), LAYOUT_FEATURE_NAMES.index("site_recurrence")
    assert seen["X"].shape[0] == 2 * n and seen["y"].tolist() == train["label"].tolist() * 2
    assert seen["X"][:n, column].tolist() == site_recurrence(train).tolist() and seen["X"][:n, column].any()
    assert not seen["X"][n:, column].any()
    assert (np.delete(seen["X"][:n], column, axis=1) == np.delete(seen["X"][n:], column, axis=1)).all()
    assert seen["w"].tolist() == [1.0] * (2 * n)  # half of each page's weight in each copy


@pytest.mark.parametrize("max_depth", [1, 2])  # unlimited, these pages grow trees 4 levels deep
def test_layout_gbt_trees_keep_to_max_depth(max_depth):
    from newsseg.config import LayoutGbtConfig
    from newsseg.models import sklearn_models

    # Enough segments for leaves of MIN_SEGMENTS_PER_LEAF below the root's children.
    train = frame_of({f"{page}-{copy}": page_of for copy in range(20) for page, page_of in PAGES.items()})
    train["label"] = [LABEL_TO_ID["other"] if t in ("Home", "World", "Menu") else LABEL_TO_ID["ad"]
                      if t.startswith("Subscribe") else LABEL_TO_ID["news_body"] for t in train["text"]]
    model = sklearn_models.LayoutGbt(LayoutGbtConfig(name="layout_gbt", use_tfidf=False, max_iter=10, neighbours=0,
                                                     max_depth=max_depth))
    model.fit(train)
    # Private to scikit-learn, but the only place its boosted trees' depths can be read.
    depths = [predictor.nodes["depth"].max() for iteration in model.classifier._predictors for predictor in iteration]
    assert max(depths) == max_depth


def train_with_a_partial_page() -> pd.DataFrame:
    """The labelled pages, and a page whose first two lines carry only the partial label "not news_body"."""
    from newsseg.data.dataset import NOT_NEWS_BODY_ID

    train = labelled_frame()
    partial_page = frame_of({"c1": ("c.com", "Sign in\nWeather\nBridge reopens\nTraffic flowed again today.\n")})
    partial_page["label"] = [NOT_NEWS_BODY_ID, NOT_NEWS_BODY_ID, LABEL_TO_ID["news_body"], LABEL_TO_ID["news_body"]]
    train = pd.concat([train, partial_page], ignore_index=True)
    return train


def test_layout_gbt_learns_partial_labels_in_a_body_stage_only(monkeypatch):
    """Rows labelled only "not news_body" train the body-or-not stage; the stage for the other four labels
    never sees them, so they cannot teach that everything outside the article is `other`."""
    from newsseg.config import LayoutGbtConfig
    from newsseg.data.dataset import NOT_NEWS_BODY_ID
    from newsseg.models import sklearn_models

    train = train_with_a_partial_page()
    from sklearn.ensemble import HistGradientBoostingClassifier

    fitted = []
    fit = HistGradientBoostingClassifier.fit
    monkeypatch.setattr(HistGradientBoostingClassifier, "fit",
                        lambda self, X, y, sample_weight: fitted.append(np.asarray(y)) or fit(self, X, y, sample_weight))
    model = sklearn_models.LayoutGbt(LayoutGbtConfig(name="layout_gbt", use_tfidf=False, max_iter=10, neighbours=1))
    model.fit(train)
    body_targets, rest_targets = fitted
    body = LABEL_TO_ID["news_body"]
    assert body_targets.tolist() == (train["label"] == body).astype(int).tolist() * 2
    assert NOT_NEWS_BODY_ID not in rest_targets and body not in rest_targets
    assert len(rest_targets) == 2 * ((train["label"] >= 0) & (train["label"] != body)).sum()
    proba = model.predict_proba(train)
    assert np.allclose(proba.sum(1), 1.0)
    features = with_neighbours(layout_features(train, model.boilerplate), train, 1)  # no TF-IDF, one neighbour
    p_body = model.body_classifier.predict_proba(features)[:, 1]
    assert np.allclose(proba[:, body], p_body)


def test_label_balance_gives_each_label_and_the_partial_label_the_same_total():
    from newsseg.data.dataset import NOT_NEWS_BODY_ID
    from newsseg.models.sklearn_models import label_balance

    labels = np.array([0] * 6 + [4] * 3 + [NOT_NEWS_BODY_ID] * 2 + [2])
    weights = label_balance(labels)
    totals = {label: weights[labels == label].sum() for label in set(labels.tolist())}
    assert np.allclose(list(totals.values()), len(labels) / 4)  # four groups, each a quarter of the rows' weight
    assert weights[labels == 2][0] == 6 * weights[labels == 0][0]  # a label six times rarer weighs six times more


@pytest.mark.parametrize("balance", ["binary", "labels"])
def test_body_stage_balance_sets_the_body_stage_weights(monkeypatch, balance):
    """binary: scikit-learn balances body against not-body; labels: the rows carry label_balance weights and
    the classifier adds no class weight of its own."""
    from newsseg.config import LayoutGbtConfig
    from newsseg.models import sklearn_models

    train = train_with_a_partial_page()
    from sklearn.ensemble import HistGradientBoostingClassifier

    fitted = []
    fit = HistGradientBoostingClassifier.fit
    monkeypatch.setattr(HistGradientBoostingClassifier, "fit",
                        lambda self, X, y, sample_weight: fitted.append((self.class_weight, sample_weight))
                        or fit(self, X, y, sample_weight))
    config = LayoutGbtConfig(name="layout_gbt", use_tfidf=False, max_iter=10, neighbours=0, body_stage_balance=balance)
    sklearn_models.LayoutGbt(config).fit(train)
    (body_class_weight, body_weights), (rest_class_weight, _) = fitted
    row_weights = np.tile(train["weight"].to_numpy() * 0.5, 2)
    assert rest_class_weight == "balanced"
    if balance == "binary":
        assert body_class_weight == "balanced" and np.allclose(body_weights, row_weights)
    else:
        labels = np.tile(train["label"].to_numpy(), 2)
        assert body_class_weight is None
        assert np.allclose(body_weights, row_weights * sklearn_models.label_balance(labels))


def copies_of_the_labelled_pages(copies: int = 4) -> pd.DataFrame:
    """The labelled pages on ``copies`` sites, and a partially labelled page: enough words for the stacked
    TF-IDF (terms in two or more segments) and sites for its out-of-fold copies."""
    from newsseg.data.dataset import NOT_NEWS_BODY_ID

    labels = labelled_frame()["label"].tolist()
    train = frame_of({f"{page}-{copy}": (f"{copy}.{site}", text) for copy in range(copies)
                      for page, (site, text) in PAGES.items()})
    train["label"] = labels * copies
    partial_page = frame_of({"c1": ("c.com", "Sign in\nWeather\nBridge reopens\nTraffic flowed again today.\n")})
    partial_page["label"] = [NOT_NEWS_BODY_ID, NOT_NEWS_BODY_ID, LABEL_TO_ID["news_body"], LABEL_TO_ID["news_body"]]
    return pd.concat([train, partial_page], ignore_index=True)


def test_a_saved_layout_gbt_predicts_from_its_arrays_and_unpickles_its_estimators_only_when_asked():
    import pickle

    from newsseg.config import LayoutGbtConfig
    from newsseg.models import sklearn_models

    train = copies_of_the_labelled_pages()
    model = sklearn_models.LayoutGbt(LayoutGbtConfig(name="layout_gbt", max_iter=10, neighbours=1))
    model.fit(train)
    expected = model.predict_proba(train)
    assert model.trees is not None and model.body_trees is not None and model.tfidf.fused is not None
    loaded = pickle.loads(pickle.dumps(model))
    assert np.array_equal(loaded.predict_proba(train), expected)
    # The compiled trees and fused TF-IDF did the work: the scikit-learn estimators are still bytes.
    assert loaded._classifiers._pickled is not None and loaded.tfidf._pipeline._pickled is not None
    assert loaded.body_classifier.classes_.tolist() == [0, 1] and loaded._classifiers._pickled is None

    # A model pickled before (the estimators as plain attributes) loads and predicts the same.
    old = pickle.loads(pickle.dumps(model))
    new_only = ("_classifiers", "trees", "body_trees", "two_stages")
    old_state = {k: v for k, v in old.__dict__.items() if k not in new_only}
    old_state.update(classifier=old.classifier, body_classifier=old.body_classifier)
    old_tfidf = {k: v for k, v in old.tfidf.__dict__.items() if k not in ("_pipeline", "fused")}
    old_tfidf["pipeline"] = old.tfidf.pipeline
    old_state["tfidf"] = object.__new__(sklearn_models.TfidfLogreg)
    old_state["tfidf"].__setstate__(old_tfidf)
    migrated = object.__new__(sklearn_models.LayoutGbt)
    migrated.__setstate__(old_state)
    assert np.array_equal(migrated.predict_proba(train), expected)


def test_without_the_kernels_a_layout_gbt_predicts_with_its_estimators(monkeypatch):
    import pickle

    from newsseg.config import LayoutGbtConfig
    from newsseg.models import sklearn_models

    train = copies_of_the_labelled_pages()
    model = sklearn_models.LayoutGbt(LayoutGbtConfig(name="layout_gbt", max_iter=10, neighbours=1))
    model.fit(train)
    compiled = model.predict_proba(train)
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    loaded = pickle.loads(pickle.dumps(model))
    assert np.array_equal(loaded.predict_proba(train), compiled)  # the compiled paths give the same numbers
    assert loaded._classifiers._pickled is None and loaded.tfidf._pipeline._pickled is None

"""Batch-wise TF-IDF must give exactly scikit-learn's matrix and probabilities."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from newsseg.models.batch_tfidf import supports_batch_transform, text_pipeline_proba, tfidf_transform

TRAIN = [
    "Subscribe now and save 20% on your first order",
    "The council approved the budget on Monday, officials said.",
    "The council met again on Tuesday; the budget vote was close.",
    "I think the council is wrong. Great article, thanks!",
    "Share on Facebook | Share on Twitter | Email",
    "Copyright 2024 Example News. All rights reserved.",
    "Réunion du conseil: le budget approuvé à l'unanimité",
    "Subscribe to our newsletter for the budget news",
]
ODD = ["", "a", "I a b c", "  the   the THE the  ", "budget-budget_budget", "Café CAFÉ café naïve",
       "ǅemal x_y 12 ab", "\u00a0council\u200bmet\n\nagain\tsaid", "save save save save 20 20 %",
       "the council the council the council", "ﬁnance ΣΟΦΟΣ", "on our first order, save", "", "ab"]
WITH_BREAK = ["a null\x00byte in the council text"]  # the batch tokeniser's text break: text by text then


def fitted(ngram_range=(1, 2), **options) -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=ngram_range, **options).fit(TRAIN + ODD)


@pytest.mark.parametrize("options", [
    {}, {"ngram_range": (1, 1)}, {"ngram_range": (2, 3)}, {"ngram_range": (1, 3)}, {"lowercase": False},
    {"sublinear_tf": True, "min_df": 2}, {"use_idf": False}, {"norm": "l1"}, {"norm": None},
    {"max_features": 12, "sublinear_tf": True}, {"token_pattern": r"(?u)\b\w+\b"}, {"dtype": np.float32},
])
@pytest.mark.parametrize("no_jit", ["", "1"])  # compiled token lookup, or n-gram strings in a dict
def test_same_matrix_as_scikit_learn(options, no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    vectorizer = fitted(**options)
    assert supports_batch_transform(vectorizer)
    for texts in (TRAIN + ODD + [t.upper() for t in ODD], ODD[-1:], ODD + WITH_BREAK):
        expected, got = vectorizer.transform(texts), tfidf_transform(vectorizer, texts)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got.indptr, expected.indptr) and np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)  # bit for bit, not approximately


def test_empty_batch_gives_an_empty_matrix():  # where scikit-learn refuses a batch with no text
    vectorizer = fitted()
    assert tfidf_transform(vectorizer, []).shape == (0, len(vectorizer.vocabulary_))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cA_Éé1.,'-\u00a0\u200b\u0130\u03a3\n\x00😀𝐀"), max_size=30),
                min_size=1, max_size=8))
def test_same_matrix_on_any_text(texts):
    vectorizer = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit(
        ["ab ab ca", "a_b éé", "ab cA", "1. ab, 'ab'", "ΣΣ σσ ab-ab", "i̇ab ab", "𝐀𝐀 ab 😀ab"])
    expected = vectorizer.transform(texts)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for no_jit in ("", "1"):
            monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
            got = tfidf_transform(vectorizer, texts)
            assert (got != expected).nnz == 0 and np.array_equal(got.indices, expected.indices)


def test_other_vectorizers_take_their_own_transform():
    assert not supports_batch_transform(TfidfVectorizer(analyzer="char_wb").fit(TRAIN))
    assert not supports_batch_transform(TfidfVectorizer(stop_words=["the"]).fit(TRAIN))
    assert not supports_batch_transform(TfidfVectorizer(tokenizer=str.split, token_pattern=None).fit(TRAIN))
    assert not supports_batch_transform(TfidfVectorizer())  # not fitted


@pytest.mark.parametrize("char_ngrams", [False, True])
def test_pipeline_probabilities_equal_scikit_learn(char_ngrams):
    vectorizers = [("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), "text")]
    if char_ngrams:
        vectorizers.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)), "text"))
    pipeline = Pipeline([("features", ColumnTransformer(vectorizers)), ("classifier", LogisticRegression())])
    labels = [0, 1, 1, 2, 3, 4, 1, 0]
    pipeline.fit(pd.DataFrame({"text": TRAIN}), labels)
    texts = ODD + TRAIN
    assert np.array_equal(text_pipeline_proba(pipeline, texts), pipeline.predict_proba(pd.DataFrame({"text": texts})))


@pytest.mark.parametrize("options", [{"sublinear_tf": True}, {"norm": None}, {"use_idf": False, "ngram_range": (1, 3)},
                                     {"norm": "l1"}, {"dtype": np.float32}])
@pytest.mark.parametrize("labels", [[0, 1, 1, 2, 3, 4, 1, 0], [0, 1, 1, 0, 0, 1, 1, 0]])
def test_pipeline_probabilities_equal_scikit_learn_bit_for_bit(options, labels):
    # Multinomial (five classes) takes the fused TF-IDF + logistic regression path where it can; binary and
    # the other norms and dtypes do not; all must give scikit-learn's numbers exactly.
    pipeline = Pipeline([("features", ColumnTransformer([("word", TfidfVectorizer(**options), "text")])),
                         ("classifier", LogisticRegression(C=10.0))])
    pipeline.fit(pd.DataFrame({"text": TRAIN}), labels)
    for texts in (ODD + TRAIN + [t.upper() for t in TRAIN], ["", "zzz unknown words only"], ODD[:1]):
        expected = pipeline.predict_proba(pd.DataFrame({"text": texts}))
        assert np.array_equal(text_pipeline_proba(pipeline, texts), expected)

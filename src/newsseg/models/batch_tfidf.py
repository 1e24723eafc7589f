"""TF-IDF features of a whole batch of segments at once, for fitted scikit-learn vectorizers.

Same matrix as ``TfidfVectorizer.transform``, several times faster on short texts such as lines:
scikit-learn analyses and counts one document at a time in Python, with a dict per document; here every
n-gram of the batch is looked up in one pass (``map`` over ``dict.get``) and counted in numpy. Only the
word analyzer with scikit-learn's own tokenizer takes this path; other vectorizers (``char_wb``, custom
tokenizers, stop words) use their own ``transform``.
"""

from __future__ import annotations

import re
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize


def supports_batch_transform(vectorizer) -> bool:
    """Whether ``tfidf_transform`` reproduces ``vectorizer``: a fitted word-level TfidfVectorizer
    on plain strings, with no custom preprocessing, tokenizer or stop words."""
    return (isinstance(vectorizer, TfidfVectorizer) and vectorizer.analyzer == "word"
            and vectorizer.input == "content" and vectorizer.preprocessor is None and vectorizer.tokenizer is None
            and vectorizer.stop_words is None and vectorizer.strip_accents is None and not vectorizer.binary
            and re.compile(vectorizer.token_pattern).groups == 0 and hasattr(vectorizer, "vocabulary_"))


# scikit-learn's default token pattern, and a faster one with the same matches: a greedy run of two or
# more word characters always spans a whole run, so the word boundaries add nothing but cost (1.3x).
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_FAST_DEFAULT_TOKEN_RE = re.compile(r"(?u)\w\w+")
# Between texts when the whole batch is tokenised at once: matched as a token of its own, and no n-gram
# holding it is in a vocabulary, so it marks where each text's tokens start and no n-gram spans two texts.
_TEXT_BREAK = "\x00"
_BATCH_TOKEN_RE = re.compile(r"(?u)\w\w+|\x00")


def _token_finder(token_pattern: str):
    return (_FAST_DEFAULT_TOKEN_RE if token_pattern == DEFAULT_TOKEN_PATTERN else re.compile(token_pattern)).findall


def _ngrams_of_length(tokens: list[str], n: int) -> list[str]:
    """The n-grams of ``tokens`` with n tokens each, in order, joined by a space as scikit-learn joins them."""
    return tokens if n == 1 else list(map(" ".join, zip(*(tokens[i:] for i in range(n)))))


def _batch_ngrams(vectorizer: TfidfVectorizer, texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Every n-gram of ``texts`` and the row of each, in any order (they are counted per row)."""
    lowered = [text.lower() if vectorizer.lowercase else text for text in texts]
    joined = _TEXT_BREAK.join(lowered)
    min_n, max_n = vectorizer.ngram_range
    if vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN and joined.count(_TEXT_BREAK) == len(texts) - 1:
        # One regex call for the batch. An n-gram's row is its first token's: the text breaks before it.
        tokens = _BATCH_TOKEN_RE.findall(joined)
        token_rows = np.cumsum([token == _TEXT_BREAK for token in tokens], dtype=np.int64)
        grams = [_ngrams_of_length(tokens, n) for n in range(min_n, max_n + 1)]
        gram_rows = np.concatenate([token_rows[:len(of_length)] for of_length in grams])
        return list(chain.from_iterable(grams)), gram_rows
    # Other token patterns (or a text holding the break character): text by text.
    find_tokens = _token_finder(vectorizer.token_pattern)
    per_text = [list(chain.from_iterable(_ngrams_of_length(tokens, n) for n in range(min_n, max_n + 1)))
                for tokens in map(find_tokens, lowered)]
    gram_rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(grams) for grams in per_text])
    return list(chain.from_iterable(per_text)), gram_rows


def count_matrix(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_array:
    """Term counts, as ``CountVectorizer.transform``: rows of ``texts``, columns of the vocabulary,
    column indices sorted within each row."""
    grams, rows = _batch_ngrams(vectorizer, texts)
    columns = np.array(list(map(vectorizer.vocabulary_.get, grams, repeat(-1))), dtype=np.int64)
    known = columns >= 0
    n_columns = len(vectorizer.vocabulary_)
    # One key per (row, column): np.unique sorts them, which is CSR order, and counts repeats.
    cells, counts = np.unique(rows[known] * n_columns + columns[known], return_counts=True)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(cells // n_columns, minlength=len(texts)), out=indptr[1:])
    index_dtype = np.int32 if len(cells) <= np.iinfo(np.int32).max else np.int64
    return sp.csr_array((counts.astype(vectorizer.dtype), (cells % n_columns).astype(index_dtype),
                         indptr.astype(index_dtype)), shape=(len(texts), n_columns))


def tfidf_transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_array:
    """``vectorizer.transform(texts)`` for a vectorizer ``supports_batch_transform`` accepts: the same steps on the
    same counts (sublinear tf, idf, norm), so the same floating-point values."""
    matrix = count_matrix(vectorizer, texts)
    if vectorizer.sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
    if vectorizer.use_idf:
        matrix.data *= vectorizer.idf_[matrix.indices]
    if vectorizer.norm is not None and matrix.shape[0]:  # normalize refuses an empty matrix
        matrix = normalize(matrix, norm=vectorizer.norm, copy=False)
    return matrix


def text_pipeline_proba(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """``pipeline.predict_proba`` of a ColumnTransformer of text vectorizers (each on the "text" column)
    followed by a classifier, with word-level TF-IDF computed batch-wise."""
    columns, classifier = pipeline[0], pipeline[-1]
    blocks = []
    for _, transformer, _ in columns.transformers_:
        if isinstance(transformer, str):  # "drop" (the remainder)
            continue
        blocks.append(tfidf_transform(transformer, texts) if supports_batch_transform(transformer)
                      else transformer.transform(texts))
    if columns.sparse_output_:
        features = sp.hstack(blocks).tocsr()
    else:
        features = np.hstack([b.toarray() if sp.issparse(b) else b for b in blocks])
    return classifier.predict_proba(features)

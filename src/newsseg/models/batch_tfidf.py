"""TF-IDF features of a whole batch of segments at once, for fitted scikit-learn vectorizers.

Same matrix as ``TfidfVectorizer.transform``, several times faster on short texts such as lines:
scikit-learn analyses and counts one document at a time in Python, with a dict per document; here every
n-gram of the batch is looked up in one pass (``map`` over ``dict.get``) and counted in numpy. With
numba, a compiled loop finds the tokens and their ids instead (``TokenVocabulary``; the loops are in
``kernels.tfidf``), and n-grams are looked up as numbers, not strings. Only the word analyzer with
scikit-learn's own tokenizer takes this path; other vectorizers (``char_wb``, custom tokenizers, stop words)
use their own ``transform``.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TYPE_CHECKING, Optional

import numpy as np

from newsseg.kernels import jit_enabled
from newsseg.kernels.code_points import CodePointBatch
from newsseg.kernels.tfidf import (
    fill_hash_table,
    fill_key_table,
    ngram_cells,
    normed_linear_scores,
    token_ids,
    unigram_cells,
)
from newsseg.models import softmax

# scikit-learn and scipy are imported where a fitted vectorizer is read: a saved model's FusedTfidf
# predicts without either (their imports are 1.5 s of a one-page start-up).
if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline


def supports_batch_transform(vectorizer) -> bool:
    """Whether ``tfidf_transform`` reproduces ``vectorizer``: a fitted word-level TfidfVectorizer
    on plain strings, with no custom preprocessing, tokenizer or stop words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

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


@dataclass(frozen=True)
class TokenVocabulary:
    """A vocabulary for the compiled path: its n-grams as tuples of token ids, looked up by number.

    Every token of a vocabulary n-gram gets an id; a hash table (open addressing, code points compared
    on a hit, so collisions cannot mislabel) finds a token's id from its code points. An n-gram of ids
    (a, b, c) has the key ``(a * n_tokens + b) * n_tokens + c``, found in a hash table per length (keys
    and columns of its slots); a single token's column is read off by its id."""

    token_codes: np.ndarray
    token_starts: np.ndarray
    table: np.ndarray
    key_tables: dict[int, tuple[np.ndarray, np.ndarray]]
    unigram_columns: np.ndarray  # per token id: its column, -1 where the token alone is not in the vocabulary

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer) -> Optional["TokenVocabulary"]:
        """None where the keys would overflow 63 bits."""
        id_of_token: dict[str, int] = {}
        split = {gram: gram.split(" ") for gram in vectorizer.vocabulary_}
        for tokens in split.values():
            for token in tokens:
                id_of_token.setdefault(token, len(id_of_token))
        n_tokens, (min_n, max_n) = max(len(id_of_token), 1), vectorizer.ngram_range
        if n_tokens ** max_n >= 2 ** 62:
            return None
        keys: dict[int, list[int]] = {n: [] for n in range(min_n, max_n + 1)}
        columns: dict[int, list[int]] = {n: [] for n in range(min_n, max_n + 1)}
        for gram, column in vectorizer.vocabulary_.items():
            key = 0
            for token in split[gram]:
                key = key * n_tokens + id_of_token[token]
            keys[len(split[gram])].append(key)
            columns[len(split[gram])].append(column)
        tokens = list(id_of_token)
        codes = [np.frombuffer(t.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) for t in tokens]
        token_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint32)
        token_starts = np.r_[0, np.cumsum([len(c) for c in codes])].astype(np.int64)
        table = np.full(1 << max(4, (2 * len(tokens)).bit_length()), -1, dtype=np.int64)
        fill_hash_table(table, token_codes, token_starts)
        unigram_columns = np.full(n_tokens, -1, dtype=np.int64)
        if 1 in keys:
            unigram_columns[keys[1]] = columns[1]
        key_tables = {}
        for n in keys:
            if n > 1 and keys[n]:
                slot_keys = np.full(1 << (2 * len(keys[n])).bit_length(), -1, dtype=np.int64)
                slot_columns = np.full(len(slot_keys), -1, dtype=np.int64)
                fill_key_table(slot_keys, slot_columns, np.array(keys[n], dtype=np.int64),
                               np.array(columns[n], dtype=np.int64))
                key_tables[n] = slot_keys, slot_columns
        return cls(token_codes, token_starts, table, key_tables, unigram_columns)

    def gram_columns(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows and vocabulary columns of every n-gram of ``texts`` that is in the vocabulary."""
        batch = CodePointBatch.of(texts)
        ids, token_rows = token_ids(batch.codes, batch.is_word, batch.starts, batch.ends, self.token_codes,
                                    self.token_starts, self.table)
        n_tokens = max(len(self.token_starts) - 1, 1)
        rows, columns = [], []
        for n in [1, *self.key_tables]:
            if n == 1:
                gram_rows, gram_columns = unigram_cells(ids, token_rows, self.unigram_columns)
            else:
                gram_rows, gram_columns = ngram_cells(ids, token_rows, n, n_tokens, *self.key_tables[n])
            rows.append(gram_rows)
            columns.append(gram_columns)
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(columns)


_TOKEN_VOCABULARIES: "weakref.WeakKeyDictionary[TfidfVectorizer, Optional[TokenVocabulary]]" = \
    weakref.WeakKeyDictionary()


def token_vocabulary(vectorizer: TfidfVectorizer) -> Optional[TokenVocabulary]:
    """Built once per fitted vectorizer, for the default token pattern only (runs of two or more word
    characters, which the compiled tokenizer finds); None without JIT, where the plain path runs."""
    if not jit_enabled():
        return None
    if vectorizer not in _TOKEN_VOCABULARIES:
        _TOKEN_VOCABULARIES[vectorizer] = (TokenVocabulary.of(vectorizer)
                                           if vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN else None)
    return _TOKEN_VOCABULARIES[vectorizer]


def count_matrix(vectorizer: TfidfVectorizer, texts: list[str], lowered: Optional[list[str]] = None) -> sp.csr_array:
    """Term counts, as ``CountVectorizer.transform``: rows of ``texts``, columns of the vocabulary,
    column indices sorted within each row. ``lowered``: the texts lower-cased, when the caller has them."""
    import scipy.sparse as sp

    counts, indices, indptr = _count_arrays(vectorizer, texts, lowered)
    index_dtype = np.int32 if len(counts) <= np.iinfo(np.int32).max else np.int64
    return sp.csr_array((counts, indices.astype(index_dtype), indptr.astype(index_dtype)),
                        shape=(len(texts), len(vectorizer.vocabulary_)))


def _count_arrays(vectorizer: TfidfVectorizer, texts: list[str],
                  lowered: Optional[list[str]] = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``count_matrix``'s data (in the vectorizer's dtype), column indices and row pointers (int64)."""
    vocabulary = token_vocabulary(vectorizer)
    if vocabulary is not None:
        if vectorizer.lowercase:
            texts = lowered if lowered is not None else [t.lower() for t in texts]
        rows, columns = vocabulary.gram_columns(texts)
    else:
        grams, rows = _batch_ngrams(vectorizer, texts)
        columns = np.array(list(map(vectorizer.vocabulary_.get, grams, repeat(-1))), dtype=np.int64)
    return _csr_counts(rows, columns, len(texts), len(vectorizer.vocabulary_), vectorizer.dtype)


def _csr_counts(rows: np.ndarray, columns: np.ndarray, n_texts: int, n_columns: int,
                dtype) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The counts of (row, column) pairs (column -1: not in the vocabulary) as CSR data, column indices and
    row pointers."""
    known = columns >= 0
    # One key per (row, column): np.unique sorts them, which is CSR order, and counts repeats.
    cells, counts = np.unique(rows[known] * n_columns + columns[known], return_counts=True)
    indptr = np.zeros(n_texts + 1, dtype=np.int64)
    np.cumsum(np.bincount(cells // n_columns, minlength=n_texts), out=indptr[1:])
    return counts.astype(dtype), cells % n_columns, indptr


def tfidf_transform(vectorizer: TfidfVectorizer, texts: list[str], lowered: Optional[list[str]] = None) -> sp.csr_array:
    """``vectorizer.transform(texts)`` for a vectorizer ``supports_batch_transform`` accepts: the same steps on the
    same counts (sublinear tf, idf, norm), so the same floating-point values. ``lowered``: as in ``count_matrix``."""
    from sklearn.preprocessing import normalize

    matrix = count_matrix(vectorizer, texts, lowered)
    _weigh_counts(matrix.data, matrix.indices, vectorizer.sublinear_tf, vectorizer.idf_ if vectorizer.use_idf else None)
    if vectorizer.norm is not None and matrix.shape[0]:  # normalize refuses an empty matrix
        matrix = normalize(matrix, norm=vectorizer.norm, copy=False)
    return matrix


def _weigh_counts(data: np.ndarray, indices: np.ndarray, sublinear_tf: bool, idf: Optional[np.ndarray]) -> None:
    """Counts to TF-IDF weights in place, before the norm, as ``TfidfTransformer.transform`` computes them."""
    if sublinear_tf:
        np.log(data, data)
        data += 1.0
    if idf is not None:
        data *= idf[indices]


def text_pipeline_proba(pipeline: Pipeline, texts: list[str], lowered: Optional[list[str]] = None) -> np.ndarray:
    """``pipeline.predict_proba`` of a ColumnTransformer of text vectorizers (each on the "text" column)
    followed by a classifier, with word-level TF-IDF computed batch-wise. ``lowered``: the texts lower-cased,
    when the caller has them."""
    fused = FusedTfidf.of(pipeline)
    if fused is not None:
        return fused.predict_proba(texts, lowered)
    import scipy.sparse as sp

    columns, classifier = pipeline[0], pipeline[-1]
    blocks = []
    for _, transformer, _ in columns.transformers_:
        if isinstance(transformer, str):  # "drop" (the remainder)
            continue
        blocks.append(tfidf_transform(transformer, texts, lowered) if supports_batch_transform(transformer)
                      else transformer.transform(texts))
    if columns.sparse_output_:
        features = sp.hstack(blocks).tocsr()
    else:
        features = np.hstack([b.toarray() if sp.issparse(b) else b for b in blocks])
    return classifier.predict_proba(features)


@dataclass(frozen=True)
class FusedTfidf:
    """A fitted TF-IDF + multinomial logistic regression pipeline as plain arrays, predicting without a
    sparse matrix or scikit-learn's checks between the two: the counts weighed as ``tfidf_transform`` weighs
    them, then in one compiled loop the l2 norm as scikit-learn's ``inplace_csr_row_normalize_l2`` and the
    scores as scipy's sparse times dense product compute them (same operations in the same order), then the
    intercept and scikit-learn's softmax. Why: the matrix, the norm, the stacking and the classifier's checks
    cost about as much as finding the n-grams; and a saved model predicts without importing scikit-learn."""

    vocabulary: TokenVocabulary
    n_columns: int
    lowercase: bool
    sublinear_tf: bool
    idf: Optional[np.ndarray]
    l2_norm: bool
    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray

    @classmethod
    def of(cls, pipeline: Pipeline) -> Optional["FusedTfidf"]:
        """None unless the fused path computes what ``pipeline`` would: one word-level vectorizer of the
        compiled path, in float64 with the l2 norm (or none), under a sparse ColumnTransformer, into a fitted
        multinomial logistic regression (more than two classes: softmax over dense coefficients)."""
        from sklearn.linear_model import LogisticRegression

        columns, classifier = pipeline[0], pipeline[-1]
        vectorizers = [transformer for _, transformer, _ in columns.transformers_ if not isinstance(transformer, str)]
        if len(vectorizers) != 1:
            return None
        vectorizer = vectorizers[0]
        applies = (supports_batch_transform(vectorizer) and token_vocabulary(vectorizer) is not None
                   and vectorizer.dtype == np.float64 and vectorizer.norm in ("l2", None)
                   and getattr(columns, "sparse_output_", False) and isinstance(classifier, LogisticRegression)
                   and hasattr(classifier, "coef_") and len(classifier.classes_) > 2
                   and isinstance(classifier.coef_, np.ndarray) and classifier.coef_.dtype == np.float64
                   and classifier.coef_.shape[1] == len(vectorizer.vocabulary_))
        if not applies:
            return None
        return cls(token_vocabulary(vectorizer), len(vectorizer.vocabulary_), bool(vectorizer.lowercase),
                   bool(vectorizer.sublinear_tf), vectorizer.idf_ if vectorizer.use_idf else None,
                   vectorizer.norm == "l2", np.ascontiguousarray(classifier.coef_), classifier.intercept_,
                   np.asarray(classifier.classes_))

    def predict_proba(self, texts: list[str], lowered: Optional[list[str]] = None) -> np.ndarray:
        """The pipeline's ``predict_proba`` of ``texts`` (a column per class of ``classes``), the same numbers.
        ``lowered``: the texts lower-cased, when the caller has them."""
        if self.lowercase:
            texts = lowered if lowered is not None else [t.lower() for t in texts]
        rows, columns = self.vocabulary.gram_columns(texts)
        counts, indices, indptr = _csr_counts(rows, columns, len(texts), self.n_columns, np.float64)
        _weigh_counts(counts, indices, self.sublinear_tf, self.idf)
        scores = normed_linear_scores(counts, indices, indptr, self.coef, self.l2_norm)
        return softmax(scores + self.intercept)

"""Kernels of ``models.batch_tfidf``: a batch's tokens looked up in a fitted vocabulary by their code points
(``batch_tfidf.TokenVocabulary``), its n-grams found by number, and TF-IDF rows normed and multiplied by a
linear model's coefficients."""

from __future__ import annotations

import numpy as np

from newsseg.kernels import compiled

# FNV-1a, over code points: the start value, and each code point's step (``token_ids`` takes the steps as
# it finds the token's end). The hash is the final value shifted right by one, a non-negative int64.
_FNV_OFFSET = np.uint64(14695981039346656037)


@compiled
def _fnv_step(value, code):
    return (value ^ np.uint64(code)) * np.uint64(1099511628211)


@compiled
def _token_hash(codes: np.ndarray, start: int, end: int) -> int:
    """FNV-1a over the code points of codes[start:end], as a non-negative int64."""
    value = _FNV_OFFSET
    for i in range(start, end):
        value = _fnv_step(value, codes[i])
    return np.int64(value >> np.uint64(1))


@compiled
def _key_slot(key: int, mask: int) -> int:
    """Fibonacci hashing: the key times 2**64 / golden ratio, bits from the 32nd up (mask + 1: a power of 2)."""
    return np.int64((np.uint64(key) * np.uint64(11400714819323198485)) >> np.uint64(32)) & mask


@compiled
def fill_key_table(slot_keys: np.ndarray, slot_columns: np.ndarray, keys: np.ndarray, columns: np.ndarray) -> None:
    """The n-gram keys and their columns put in an open-addressing table (slots of -1 are free), for
    ``ngram_cells``. Plain twin: none, only the compiled path looks n-grams up by number; without JIT,
    ``batch_tfidf`` looks their strings up in ``vocabulary_``."""
    mask = len(slot_keys) - 1
    for i in range(len(keys)):
        slot = _key_slot(keys[i], mask)
        while slot_keys[slot] >= 0:
            slot = (slot + 1) & mask
        slot_keys[slot], slot_columns[slot] = keys[i], columns[i]


@compiled
def fill_hash_table(table: np.ndarray, token_codes: np.ndarray, token_starts: np.ndarray) -> None:
    """The vocabulary's tokens (ids) put in an open-addressing table by the hash of their code points, for
    ``token_ids``. Plain twin: none, as for ``fill_key_table``."""
    mask = len(table) - 1
    for token in range(len(token_starts) - 1):
        slot = _token_hash(token_codes, token_starts[token], token_starts[token + 1]) & mask
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = token


@compiled
def token_ids(codes, is_word, text_starts, text_ends, token_codes, token_starts, table):
    """Per token of the texts (a run of two or more word characters, as the default token pattern
    ``\\b\\w\\w+\\b`` finds them), in order: its id in the vocabulary's tokens (-1 if none) and the
    index of its text. Plain twin: the token regex and ``vocabulary_`` lookups of ``batch_tfidf._batch_ngrams``
    and ``_count_arrays``."""
    n_max = 0
    for t in range(len(text_starts)):
        n_max += (text_ends[t] - text_starts[t] + 1) // 2
    ids = np.empty(n_max, dtype=np.int64)
    rows = np.empty(n_max, dtype=np.int64)
    mask = len(table) - 1
    n = 0
    for t in range(len(text_starts)):
        i, end = text_starts[t], text_ends[t]
        while i < end:
            if not is_word[i]:
                i += 1
                continue
            # The token's end and its hash (``_token_hash``) in one pass.
            value = _FNV_OFFSET
            j = i
            while j < end and is_word[j]:
                value = _fnv_step(value, codes[j])
                j += 1
            if j - i >= 2:
                token_id = -1
                slot = np.int64(value >> np.uint64(1)) & mask
                while table[slot] >= 0:
                    candidate = table[slot]
                    start = token_starts[candidate]
                    if token_starts[candidate + 1] - start == j - i:
                        same = True
                        for k in range(j - i):
                            if token_codes[start + k] != codes[i + k]:
                                same = False
                                break
                        if same:
                            token_id = candidate
                            break
                    slot = (slot + 1) & mask
                ids[n], rows[n] = token_id, t
                n += 1
            i = j
    return ids[:n], rows[:n]


@compiled
def unigram_cells(ids, token_rows, unigram_columns):
    """Rows and columns of the tokens (ids, -1: not a vocabulary token) that are in the vocabulary alone.
    Plain twin: the unigrams' ``vocabulary_`` lookups in ``batch_tfidf._count_arrays``."""
    rows = np.empty(len(ids), dtype=np.int64)
    columns = np.empty(len(ids), dtype=np.int64)
    n = 0
    for i in range(len(ids)):
        if ids[i] >= 0 and unigram_columns[ids[i]] >= 0:
            rows[n], columns[n] = token_rows[i], unigram_columns[ids[i]]
            n += 1
    return rows[:n], columns[:n]


@compiled
def ngram_cells(ids, token_rows, length, n_tokens, slot_keys, slot_columns):
    """Rows and columns of the n-grams of ``length`` consecutive tokens of one text, all vocabulary tokens,
    whose key (``TokenVocabulary``) is in the table. Plain twin: the n-gram strings' ``vocabulary_`` lookups in
    ``batch_tfidf._count_arrays``."""
    rows = np.empty(max(len(ids) - length + 1, 0), dtype=np.int64)
    columns = np.empty(len(rows), dtype=np.int64)
    mask = len(slot_keys) - 1
    n = 0
    for i in range(len(rows)):
        if token_rows[i] != token_rows[i + length - 1]:
            continue
        key = 0
        for offset in range(length):
            token = ids[i + offset]
            if token < 0:
                key = -1
                break
            key = key * n_tokens + token
        if key < 0:
            continue
        slot = _key_slot(key, mask)
        while slot_keys[slot] >= 0:
            if slot_keys[slot] == key:
                rows[n], columns[n] = token_rows[i], slot_columns[slot]
                n += 1
                break
            slot = (slot + 1) & mask
    return rows[:n], columns[:n]


@compiled
def normed_linear_scores(data, indices, indptr, coef, l2_norm):
    """Per row of the CSR matrix (data, indices, indptr): divided by its l2 norm (if ``l2_norm`` and the norm
    is not 0), times ``coef.T``, terms added in the row's order. Plain twin: scikit-learn's ``normalize`` and
    the classifier's sparse product (``batch_tfidf.tfidf_transform`` then ``predict_proba``)."""
    n_classes = coef.shape[0]
    scores = np.zeros((len(indptr) - 1, n_classes))
    for row in range(len(indptr) - 1):
        start, end = indptr[row], indptr[row + 1]
        if l2_norm:
            total = 0.0
            for j in range(start, end):
                total += data[j] * data[j]
            if total != 0.0:
                total = np.sqrt(total)
                for j in range(start, end):
                    data[j] /= total
        for j in range(start, end):
            for k in range(n_classes):
                scores[row, k] += data[j] * coef[k, indices[j]]
    return scores

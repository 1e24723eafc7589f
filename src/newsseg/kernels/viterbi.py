"""Kernel of ``models.decoders``: Viterbi paths and forward-backward marginals of a batch of documents."""

from __future__ import annotations

import numpy as np

from newsseg.kernels import compiled


@compiled
def viterbi_and_marginals(emit: np.ndarray, emit_proba: np.ndarray, bounds: np.ndarray, log_start: np.ndarray,
                          log_trans: np.ndarray, start_proba: np.ndarray,
                          trans_proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ViterbiDecoder._viterbi`` and ``_marginals`` as loops, a document at a time: rows ``bounds[d]`` to
    ``bounds[d + 1]`` are document d. ``emit_proba``, ``start_proba``, ``trans_proba``: the probabilities
    whose logs are ``emit``, ``log_start``, ``log_trans``. Viterbi makes the same comparisons as the numpy
    path, so it gives the same labels. The marginals come from forward-backward in probability space, each step
    scaled to sum 1 (the scales cancel in the posteriors): the log-space recursion's values up to rounding
    (about 1e-15), without the exp and log of a log-sum-exp per label and step (4x faster).
    Plain twin: ``decoders.ViterbiDecoder._viterbi`` and ``_marginals`` (numpy, documents padded in groups)."""
    n_rows, n_labels = emit.shape
    labels = np.zeros(n_rows, dtype=np.int64)
    post = np.zeros((n_rows, n_labels))
    back = np.zeros((n_rows, n_labels), dtype=np.int64)
    alpha = np.zeros((n_rows, n_labels))
    beta = np.zeros((n_rows, n_labels))
    score = np.zeros(n_labels)
    new_score = np.zeros(n_labels)
    for d in range(len(bounds) - 1):
        start, end = bounds[d], bounds[d + 1]
        if end == start:
            continue
        # Viterbi: best predecessor per label (the first of equal ones, as argmax), then backtrack.
        for j in range(n_labels):
            score[j] = log_start[j] + emit[start, j]
        for t in range(start + 1, end):
            for j in range(n_labels):
                best, best_i = score[0] + log_trans[0, j], 0
                for i in range(1, n_labels):
                    candidate = score[i] + log_trans[i, j]
                    if candidate > best:
                        best, best_i = candidate, i
                back[t, j] = best_i
                new_score[j] = best + emit[t, j]
            score[:] = new_score
        current = np.argmax(score)
        labels[end - 1] = current
        for t in range(end - 1, start, -1):
            current = back[t, current]
            labels[t - 1] = current
        # Forward-backward, scaled.
        for j in range(n_labels):
            alpha[start, j] = start_proba[j] * emit_proba[start, j]
        _scale_to_one(alpha[start])
        for t in range(start + 1, end):
            for j in range(n_labels):
                total = 0.0
                for i in range(n_labels):
                    total += alpha[t - 1, i] * trans_proba[i, j]
                alpha[t, j] = total * emit_proba[t, j]
            _scale_to_one(alpha[t])
        beta[end - 1, :] = 1.0
        for t in range(end - 2, start - 1, -1):
            for i in range(n_labels):
                total = 0.0
                for j in range(n_labels):
                    total += trans_proba[i, j] * emit_proba[t + 1, j] * beta[t + 1, j]
                beta[t, i] = total
            _scale_to_one(beta[t])
        for t in range(start, end):
            for j in range(n_labels):
                post[t, j] = alpha[t, j] * beta[t, j]
            _scale_to_one(post[t])
    return labels, post


@compiled
def _scale_to_one(values: np.ndarray) -> None:
    """``values`` divided by their sum, in place (left as they are where it is not positive)."""
    total = values.sum()
    if total > 0.0:
        for j in range(len(values)):
            values[j] /= total

"""The Viterbi decoder, compiled (numba) and numpy, against exhaustive search: on short pages, the decoded
labels are the best of all label sequences, and the scores are the brute-force marginals."""

import itertools

import numpy as np
import pandas as pd
import pytest

from newsseg.config import DecoderConfig
from newsseg.kernels import jit_enabled
from newsseg.labels import LABELS
from newsseg.models.decoders import build_decoder

N_LABELS = len(LABELS)


def viterbi_decoder(rng: np.random.Generator):
    decoder = build_decoder(DecoderConfig(name="viterbi", comments_need_cue=False))
    labels = rng.integers(0, N_LABELS, size=60)
    decoder.fit(pd.DataFrame({"doc_id": np.repeat(["a", "b", "c"], 20), "label": labels, "text": "x"}), None)
    return decoder


def sequence_log_scores(decoder, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every label sequence of a page (rows of ``proba``) and its log score: start, transitions, and the
    emissions the decoder uses (probabilities clipped to [1e-9, 1])."""
    emit = np.log(np.clip(proba, 1e-9, 1.0))
    sequences = np.array(list(itertools.product(range(N_LABELS), repeat=len(proba))))
    positions = np.arange(len(proba))
    scores = decoder.log_start[sequences[:, 0]] + emit[positions, sequences].sum(1)
    scores += decoder.log_trans[sequences[:, :-1], sequences[:, 1:]].sum(1)
    return sequences, scores


@pytest.mark.parametrize("no_jit", ["", "1"])  # the compiled loops, or the numpy path
@pytest.mark.parametrize("seed", range(4))
def test_viterbi_finds_the_best_sequence_and_brute_force_marginals(seed, no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    rng = np.random.default_rng(seed)
    decoder = viterbi_decoder(rng)
    lengths = [1, 2, 3, 4, 5, 3]  # 5 labels: at most 5**5 sequences per page
    frame = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(len(lengths))], lengths), "text": "x"})
    proba = rng.dirichlet(np.ones(N_LABELS) * 0.5, size=len(frame))
    proba[rng.random(len(frame)) < 0.2, 0] = 1e-12  # clipped emissions
    labels, scores = decoder.decode(frame, proba)
    start = 0
    for length in lengths:
        rows = slice(start, start + length)
        sequences, log_scores = sequence_log_scores(decoder, proba[rows])
        best = log_scores.max()
        chosen = np.flatnonzero((sequences == labels[rows]).all(1))[0]
        assert log_scores[chosen] == pytest.approx(best, rel=0, abs=1e-9)
        weights = np.exp(log_scores - best)
        marginals = np.stack([np.bincount(sequences[:, t], weights, minlength=N_LABELS) for t in range(length)])
        assert np.allclose(scores[rows], marginals / weights.sum(), rtol=0, atol=1e-12)
        start += length


@pytest.mark.skipif(not jit_enabled(), reason="numba is not installed or switched off: no compiled path")
@pytest.mark.parametrize("seed", range(5))
def test_compiled_viterbi_matches_the_numpy_path(seed, monkeypatch):
    # Longer pages than exhaustive search allows, and ties between labels (uniform rows), which both paths
    # must break the same way (the first of equal scores).
    rng = np.random.default_rng(seed)
    decoder = viterbi_decoder(rng)
    lengths = rng.integers(1, 40, size=12)  # documents of one segment included
    frame = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(len(lengths))], lengths), "text": "x"})
    proba = rng.dirichlet(np.ones(N_LABELS) * 0.3, size=len(frame))
    proba[rng.random(len(frame)) < 0.1] = 1.0 / N_LABELS  # ties between labels
    fast_labels, fast_scores = decoder.decode(frame, proba)
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    assert not jit_enabled()
    labels, scores = decoder.decode(frame, proba)
    assert fast_labels.tolist() == labels.tolist()
    assert np.allclose(fast_scores, scores, rtol=0, atol=1e-12)

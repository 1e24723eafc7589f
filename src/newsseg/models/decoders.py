"""Sequence decoding: label a document's segments jointly from the base model's probabilities.

Labels on a page are not independent (comments follow the article, disclaimers cluster at the end).
- ``none``: argmax of each segment.
- ``viterbi``: an HMM-style decoder; emissions are the base probabilities, transitions are learned
  from the training label sequences. Scores are forward-backward marginals.
- ``crf``: a linear-chain CRF (sklearn-crfsuite) over the base probabilities and a few layout cues.
"""

from __future__ import annotations

from typing import Iterator, Optional

import numpy as np
import pandas as pd

from newsseg.config import DecoderConfig
from newsseg.kernels import jit_enabled
from newsseg.kernels.viterbi import viterbi_and_marginals
from newsseg.labels import LABELS
from newsseg.registry import DECODERS

N = len(LABELS)
COMMENT = LABELS.index("opinion_comment")
MAX_PADDED_POSITIONS = 50_000  # documents x positions decoded at once by the Viterbi decoder


def document_slices(frame: pd.DataFrame) -> Iterator[slice]:
    """Row ranges of consecutive rows of one document."""
    doc = frame["doc_id"].to_numpy()
    if len(doc) == 0:
        return
    bounds = np.flatnonzero(doc[1:] != doc[:-1]) + 1
    starts = np.r_[0, bounds]
    ends = np.r_[bounds, len(doc)]
    for s, e in zip(starts, ends):
        yield slice(int(s), int(e))


class Decoder:
    name = "none"
    # Whether fit() needs base-model probabilities (costly: out-of-fold models) or only gold labels.
    needs_probabilities = False

    def __init__(self, config: DecoderConfig) -> None:
        self.config = config

    def fit(self, frame: pd.DataFrame, proba: Optional[np.ndarray],
            cue_before: Optional[np.ndarray] = None) -> None:
        """Learn from gold labels in ``frame['label']`` and base-model probabilities ``proba`` (gated as at
        decoding time, so a decoder learns from what it will see; ``cue_before`` as ``decode`` takes it)."""
        self._fit(frame, None if proba is None else self.gate(proba, cue_before))

    def decode(self, frame: pd.DataFrame, proba: np.ndarray,
               cue_before: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (label ids, per-label scores) for every row, after ``gate``. ``cue_before``: per row, whether an
        earlier row of its page is a comment cue (``features.line_stats.comment_cue_before``); needed where the
        decoder gates comments (``comments_need_cue``)."""
        return self._decode(frame, self.gate(proba, cue_before))

    # What each decoder implements, on gated probabilities.
    def _fit(self, frame: pd.DataFrame, proba: Optional[np.ndarray]) -> None:
        pass

    def _decode(self, frame: pd.DataFrame, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return proba.argmax(1), proba

    @property
    def gates_comments(self) -> bool:
        """Whether ``decode`` and ``fit`` need each row's ``cue_before``. Decoders pickled before the option
        existed keep the old behaviour (no gate)."""
        return bool(getattr(self.config, "comments_need_cue", False))

    def gate(self, proba: np.ndarray, cue_before: Optional[np.ndarray]) -> np.ndarray:
        """With ``comments_need_cue``, no opinion_comment probability on rows without a comment cue before them
        on their page (``cue_before``).

        Why: a reader-comment thread is announced on the page (a header, reply buttons, timestamps, the
        comment form); without that, late first-person article paragraphs were taken for comments on
        real pages of unseen sites."""
        if not self.gates_comments or len(proba) == 0:
            return proba
        if cue_before is None:
            raise ValueError("this decoder gates comments on comment cues: pass each row's cue_before")
        gated = proba.copy()
        gated[~np.asarray(cue_before, dtype=bool), COMMENT] = 0.0
        return gated / np.clip(gated.sum(1, keepdims=True), 1e-12, None)


DECODERS.register("none")(Decoder)


def _emission_probabilities(proba: np.ndarray) -> np.ndarray:
    # The base models are trained with balanced class weights, so their probabilities already behave like
    # likelihoods scaled by a flat prior: no division by the label prior here.
    return np.clip(proba, 1e-9, 1.0)


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


@DECODERS.register("viterbi")
class ViterbiDecoder(Decoder):
    name = "viterbi"

    def _fit(self, frame: pd.DataFrame, proba: np.ndarray) -> None:
        labels = frame["label"].to_numpy().astype(int)
        start = np.ones(N)
        trans = np.ones((N, N))  # add-one smoothing: unseen transitions stay possible
        for sl in document_slices(frame):
            seq = labels[sl]
            start[seq[0]] += 1
            np.add.at(trans, (seq[:-1], seq[1:]), 1)
        self.log_start = np.log(start / start.sum())
        self.log_trans = np.log(trans / trans.sum(1, keepdims=True))

    def _emissions(self, proba: np.ndarray) -> np.ndarray:
        return np.log(_emission_probabilities(proba))

    def _decode(self, frame: pd.DataFrame, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if jit_enabled():
            bounds = np.array([sl.start for sl in document_slices(frame)] + [len(frame)], dtype=np.int64)
            emit_proba = _emission_probabilities(proba)
            return viterbi_and_marginals(np.log(emit_proba), emit_proba, bounds, self.log_start, self.log_trans,
                                         np.exp(self.log_start), np.exp(self.log_trans))
        # Documents of similar length are decoded together, padded to the longest of their group: the
        # loops run over positions, not over documents (a Python loop per document and position was a
        # tenth of inference time). Groups bound the padding: one long page in a pyfunc call of 10,000
        # short ones is not padded against all of them.
        slices = sorted(document_slices(frame), key=lambda sl: sl.stop - sl.start)
        groups: list[list[slice]] = []
        for sl in slices:
            if not groups or (len(groups[-1]) + 1) * (sl.stop - sl.start) > MAX_PADDED_POSITIONS:
                groups.append([])
            groups[-1].append(sl)
        labels = np.zeros(len(frame), dtype=int)
        scores = np.zeros_like(proba)
        for group in groups:
            lengths = np.array([sl.stop - sl.start for sl in group])
            rows = np.concatenate([np.arange(sl.start, sl.stop) for sl in group])
            doc = np.repeat(np.arange(len(group)), lengths)
            pos = np.concatenate([np.arange(n) for n in lengths])
            emit = np.zeros((len(group), lengths.max(), N))
            emit[doc, pos] = self._emissions(proba[rows])
            labels[rows] = self._viterbi(emit, lengths)[doc, pos]
            scores[rows] = self._marginals(emit, lengths)[doc, pos]
        return labels, scores

    def _viterbi(self, emit: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Best label path per document; ``emit`` is (documents, positions, labels), zero-padded."""
        n_docs, T, _ = emit.shape
        score = self.log_start + emit[:, 0]
        back = np.zeros((n_docs, T, N), dtype=int)
        for t in range(1, T):
            cand = score[:, :, None] + self.log_trans
            back[:, t] = cand.argmax(1)
            score = np.where((t < lengths)[:, None], cand.max(1) + emit[:, t], score)
        path = np.zeros((n_docs, T), dtype=int)
        rows = np.arange(n_docs)
        current = score.argmax(1)
        path[rows, lengths - 1] = current
        for t in range(T - 1, 0, -1):
            active = t < lengths
            current = np.where(active, back[rows, t, current], current)
            path[active, t - 1] = current[active]
        return path

    def _marginals(self, emit: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Forward-backward posteriors per document and position (padding rows are meaningless)."""
        n_docs, T, _ = emit.shape
        alpha = np.zeros((n_docs, T, N))
        beta = np.zeros((n_docs, T, N))
        alpha[:, 0] = self.log_start + emit[:, 0]
        for t in range(1, T):
            alpha[:, t] = _logsumexp(alpha[:, t - 1, :, None] + self.log_trans, 1) + emit[:, t]
        for t in range(T - 2, -1, -1):
            inner = _logsumexp(self.log_trans + (emit[:, t + 1] + beta[:, t + 1])[:, None, :], 2)
            beta[:, t] = np.where((t < lengths - 1)[:, None], inner, 0.0)
        post = alpha + beta
        post -= _logsumexp(post, 2)[:, :, None]
        return np.exp(post)


def _crf_features(frame: pd.DataFrame, proba: np.ndarray, sl: slice) -> list[dict]:
    p = proba[sl]
    texts = frame["text"].to_numpy()[sl]
    positions = frame["position"].to_numpy()[sl]
    feats = []
    for i in range(len(p)):
        f = {"bias": 1.0, f"pos_{int(positions[i] * 4)}": 1.0, "short": float(len(texts[i]) < 40)}
        for j, label in enumerate(LABELS):
            f[f"p_{label}"] = float(p[i, j])
            f[f"top_{label}"] = float(p[i].argmax() == j)
            if i > 0:
                f[f"prev_p_{label}"] = float(p[i - 1, j])
            if i + 1 < len(p):
                f[f"next_p_{label}"] = float(p[i + 1, j])
        if i == 0:
            f["first"] = 1.0
        if i + 1 == len(p):
            f["last"] = 1.0
        feats.append(f)
    return feats


@DECODERS.register("crf")
class CrfDecoder(Decoder):
    name = "crf"
    needs_probabilities = True

    def _fit(self, frame: pd.DataFrame, proba: np.ndarray) -> None:
        import sklearn_crfsuite

        labels = frame["label"].to_numpy().astype(int)
        X = [_crf_features(frame, proba, sl) for sl in document_slices(frame)]
        y = [[LABELS[i] for i in labels[sl]] for sl in document_slices(frame)]
        self.crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=self.config.c1, c2=self.config.c2,
                                        max_iterations=self.config.max_iterations,
                                        all_possible_transitions=True)
        self.crf.fit(X, y)

    def _decode(self, frame: pd.DataFrame, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        labels = np.zeros(len(frame), dtype=int)
        scores = np.zeros_like(proba)
        for sl in document_slices(frame):
            features = _crf_features(frame, proba, sl)
            marginals = self.crf.predict_marginals_single(features)
            scores[sl] = np.array([[row.get(label, 0.0) for label in LABELS] for row in marginals])
            labels[sl] = [LABELS.index(label) for label in self.crf.predict_single(features)]
        return labels, scores


def build_decoder(config: Optional[DecoderConfig]) -> Decoder:
    config = config or DecoderConfig()
    return DECODERS.get(config.name)(config)

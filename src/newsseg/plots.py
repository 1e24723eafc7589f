"""Figures for a run: confusion matrix, per-label F1, and the precision-recall curve of news_body."""

from __future__ import annotations

import numpy as np

from .labels import LABELS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_figure(matrix: list[list[int]], title: str):
    plt = _pyplot()
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.imshow(m / np.maximum(m.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=35, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def f1_bars_figure(metrics: dict, title: str):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    values = [metrics[f"f1_{label}"] for label in LABELS]
    ax.bar(LABELS, values, color="#4477aa")
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title(f"{title} (macro-F1 {metrics['macro_f1']:.3f})")
    ax.tick_params(axis="x", rotation=25)
    fig.tight_layout()
    return fig


def news_body_pr_figure(gold: np.ndarray, scores: np.ndarray, title: str):
    from sklearn.metrics import precision_recall_curve

    plt = _pyplot()
    body = LABELS.index("news_body")
    precision, recall, _ = precision_recall_curve(gold == body, scores[:, body])
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot(recall, precision)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    fig.tight_layout()
    return fig

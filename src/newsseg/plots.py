"""Figures for a run: confusion matrix, per-label F1, and the precision-recall curve of news_body."""

from __future__ import annotations

import numpy as np

from newsseg.labels import LABELS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# A cell's text is white where its colour is darker than this (relative luminance, 0 black to 1 white).
DARK_CELL_LUMINANCE = 0.5


def text_colours(shares: np.ndarray, cmap_name: str = "Blues") -> list[list[str]]:
    """White or black text for each cell of a heat map of ``shares`` (0 to 1), whichever contrasts."""
    from matplotlib import colormaps

    rgb = colormaps[cmap_name](np.asarray(shares, dtype=float))[..., :3]
    luminance = rgb @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(luminance < DARK_CELL_LUMINANCE, "white", "black").tolist()


def confusion_figure(matrix: list[list[int]], title: str):
    """Counts and row shares (the share of each gold label's segments given each prediction)."""
    plt = _pyplot()
    m = np.asarray(matrix)
    shares = m / np.maximum(m.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of the gold label's segments")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=35, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    colours = text_colours(shares)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, f"{m[i, j]}\n{shares[i, j]:.0%}", ha="center", va="center", fontsize=8,
                    color=colours[i][j])
    ax.set_title(title)
    fig.tight_layout()
    return fig


def f1_bars_figure(metrics: dict, title: str):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    values = [metrics[f"f1_{label}"] for label in LABELS]
    bars = ax.bar(LABELS, values, color="#4477aa")
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in values], padding=2, fontsize=8)
    ax.set_ylim(0, 1.1)  # room for the value above a bar of 1.0
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

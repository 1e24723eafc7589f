"""Evaluation of segment labels against gold: one function, used by training, `evaluate` and benchmarks."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from newsseg.labels import LABELS


def evaluate_labels(gold: np.ndarray, pred: np.ndarray, lengths: Optional[np.ndarray] = None,
                    sites: Optional[np.ndarray] = None) -> dict:
    """Per-label precision / recall / F1, macro-F1 over the labels present in gold, accuracy,
    character-weighted F1 of news_body, confusion matrix (rows gold, columns predicted), macro-F1 per site."""
    gold, pred = np.asarray(gold, dtype=int), np.asarray(pred, dtype=int)
    all_ids = list(range(len(LABELS)))
    present = sorted(set(gold.tolist()))
    p, r, f, support = precision_recall_fscore_support(gold, pred, labels=all_ids, zero_division=0)
    metrics: dict = {
        "macro_f1": float(f1_score(gold, pred, labels=present, average="macro", zero_division=0)) if present else 0.0,
        "accuracy": float((gold == pred).mean()) if len(gold) else 0.0,
        "segments": int(len(gold)),
    }
    for i, label in enumerate(LABELS):
        metrics[f"f1_{label}"] = float(f[i])
        metrics[f"precision_{label}"] = float(p[i])
        metrics[f"recall_{label}"] = float(r[i])
        metrics[f"support_{label}"] = int(support[i])
    body = LABELS.index("news_body")
    if lengths is not None and len(gold):
        metrics["news_body_char_f1"] = float(f1_score(gold == body, pred == body, sample_weight=lengths,
                                                      zero_division=0))
    details = {
        "labels_present": [LABELS[i] for i in present],
        "confusion_matrix": confusion_matrix(gold, pred, labels=all_ids).tolist(),
    }
    if sites is not None:
        per_site = {}
        for site in sorted(set(sites)):
            mask = sites == site
            site_present = sorted(set(gold[mask].tolist()))
            per_site[str(site)] = float(f1_score(gold[mask], pred[mask], labels=site_present, average="macro",
                                                 zero_division=0))
        details["macro_f1_per_site"] = per_site
    return {"metrics": metrics, "details": details}


def evaluate_body(gold: np.ndarray, pred: np.ndarray, lengths: np.ndarray,
                  label_sources: Optional[np.ndarray] = None) -> dict:
    """The article against the rest, on every row (partial labels included: a gold label below 0 is
    "not news_body"): news_body precision / recall / F1, its character-weighted F1, and the F1 of the rest
    (``boilerplate_f1``). With ``label_sources``, the body F1 of each source's rows too."""
    body = LABELS.index("news_body")
    gold_body, pred_body = np.asarray(gold) == body, np.asarray(pred) == body
    p, r, f, _ = precision_recall_fscore_support(gold_body, pred_body, labels=[True], zero_division=0)
    metrics = {"body_precision": float(p[0]), "body_recall": float(r[0]), "body_f1": float(f[0]),
               "body_char_f1": float(f1_score(gold_body, pred_body, sample_weight=lengths, zero_division=0)),
               "boilerplate_f1": float(f1_score(~gold_body, ~pred_body, zero_division=0))}
    if label_sources is not None:
        for source in sorted(set(label_sources)):
            mask = label_sources == source
            metrics[f"body_f1_{source}"] = float(f1_score(gold_body[mask], pred_body[mask], zero_division=0))
    return metrics


def evaluate_frame(frame: pd.DataFrame, pred: np.ndarray, scores: np.ndarray, n_errors: int = 50) -> dict:
    """``evaluate_labels`` on a frame of gold segment rows, plus the worst errors with their text."""
    gold = frame["label"].to_numpy().astype(int)
    lengths = (frame["end"] - frame["start"]).to_numpy()
    result = evaluate_labels(gold, pred, lengths, frame["site"].to_numpy())
    wrong = np.flatnonzero(gold != pred)
    confidence = scores[wrong, pred[wrong]] if len(wrong) else np.array([])
    worst = wrong[np.argsort(-confidence)][:n_errors]
    result["errors"] = pd.DataFrame({
        "doc_id": frame["doc_id"].to_numpy()[worst],
        "index": frame["index"].to_numpy()[worst],
        "gold": [LABELS[i] for i in gold[worst]],
        "predicted": [LABELS[i] for i in pred[worst]],
        "score": scores[worst, pred[worst]].round(4) if len(worst) else [],
        "text": [t[:300] for t in frame["text"].to_numpy()[worst]],
    })
    return result


def format_report(metrics: dict) -> str:
    lines = [f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for label in LABELS:
        lines.append(f"{label:<16}{metrics[f'precision_{label}']:>10.3f}{metrics[f'recall_{label}']:>10.3f}"
                     f"{metrics[f'f1_{label}']:>10.3f}{metrics[f'support_{label}']:>10}")
    lines.append(f"macro-F1 (labels present) {metrics['macro_f1']:.3f}   accuracy {metrics['accuracy']:.3f}"
                 + (f"   news_body char-F1 {metrics['news_body_char_f1']:.3f}" if "news_body_char_f1" in metrics else ""))
    return "\n".join(lines)

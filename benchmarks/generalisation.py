"""Quality on real pages of unseen sites (the figures of issue 5), for BENCHMARKS.md.

- Leave-sites-out on fnc_dev.jsonl: folds grouped by ``meta.domain``; each fold trains on the bundled
  corpus + composed Dragnet pages + the other folds' sites, and labels the held-out sites' pages
  together (so line recurrence across a site's pages is available, as in `newsseg predict`).
  Figures are pooled over the folds.
- Zero-shot: trained without any of fnc_dev, tested on all of it.
- Comments: composed Dragnet pages, folds grouped by page; opinion_comment F1.
- Reference systems (keep every line, C4 line rules, jusText) on the same lines.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
sys.path.insert(0, str(ROOT / "src"))

from newsseg.baselines import REFERENCE_SYSTEMS  # noqa: E402
from newsseg.data.composition import compose_pages  # noqa: E402
from newsseg.config import DecoderConfig, LayoutGbtConfig, MinilmEmbedLrConfig, TfidfLogregConfig  # noqa: E402
from newsseg.data.dataset import label_id  # noqa: E402
from newsseg.data.segment_rows import COLUMNS, document_rows  # noqa: E402
from newsseg.evaluation import evaluate_labels  # noqa: E402
from newsseg.features.line_stats import comment_cue_before  # noqa: E402
from newsseg.labels import LABELS  # noqa: E402
from newsseg.models import build_model  # noqa: E402
from newsseg.models.decoders import build_decoder  # noqa: E402
from newsseg.io.html_pages import CREDIT_LINE_SETTINGS  # noqa: E402
from newsseg.io.reader_base import ReaderOptions  # noqa: E402
from newsseg.io.readers import read_documents  # noqa: E402
from newsseg.training import fully_labelled_rows  # noqa: E402

MODEL_SPECS = {
    "tfidf_logreg": lambda: TfidfLogregConfig(name="tfidf_logreg"),
    "layout_gbt": lambda: LayoutGbtConfig(name="layout_gbt"),
    "minilm_embed_lr": lambda: MinilmEmbedLrConfig(name="minilm_embed_lr", cache_dir=str(ROOT / "data/cache/embeddings")),
}


def frame_of(docs, weight: float = 1.0) -> pd.DataFrame:
    rows = [r for d in docs for r in document_rows(d, "lines", 1500, 300, weight)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame[frame["label"].notna()].reset_index(drop=True)
    frame["label"] = frame["label"].map(label_id).astype(int)  # the partial label "not news_body": -1
    return frame


def load_sources(whole_page_share: float = 0.0):
    """The bundled pages, fnc_dev's pages, and Dragnet's articles composed into pages (``whole_page_share``
    of them as template-based whole pages)."""
    bundled = list(read_documents("jsonl", ROOT / "data/corpus/bundled.jsonl"))
    fnc = list(read_documents("jsonl", REAL / "fnc_dev.jsonl"))
    dragnet = list(compose_pages(read_documents("articles_comments", REAL / "dragnet_articles_comments.jsonl"),
                                 ROOT / "data/raw/pools", variants=1, seed=13, max_comment_lines=15,
                                 whole_page_share=whole_page_share))
    return bundled, fnc, dragnet


def recommended_settings() -> dict:
    """What ``configs/data/real.yaml`` trains on, as this benchmark's options: the share of composed
    Dragnet pages built as whole pages, and the weight of the readability pages (0: not used)."""
    import yaml

    sources = yaml.safe_load((ROOT / "configs/data/real.yaml").read_text())["sources"]
    compose = next((s.get("compose") or {} for s in sources if s["reader"] == "articles_comments"), {})
    silver = [s.get("weight", 1.0) for s in sources if s["reader"] == "html_reference"]
    return {"whole_page_share": float(compose.get("whole_page_share", 0.0)),
            "silver_weight": float(silver[0]) if silver else 0.0}


def silver_frame(weight: float, credit_lines: str = "news_body") -> pd.DataFrame:
    """The readability pages (whole pages, partial labels), as the html_reference reader reads them;
    ``credit_lines``: what the references' credit lines get (``html_pages.CREDIT_LINE_SETTINGS``)."""
    options = ReaderOptions(credit_lines=credit_lines)
    return frame_of(read_documents("html_reference", REAL / "readability_pages.jsonl", options), weight)


def fit_predict(family: str, train: pd.DataFrame, test: pd.DataFrame, seed: int = 13,
                decoders: tuple[str, ...] = ("none", "viterbi")) -> dict[str, tuple]:
    """(labels, scores) per decoder (of ``decoders``) for one model trained on ``train`` and applied to
    ``test``."""
    model = build_model(MODEL_SPECS[family](), seed)
    fully_labelled = fully_labelled_rows(train)  # as training does: partial labels only where a model learns them
    model.fit(train if getattr(model, "learns_partial_labels", False) else fully_labelled)
    proba = model.predict_proba(test)
    cue_before = comment_cue_before(test)
    out = {"none": build_decoder(DecoderConfig(name="none")).decode(test, proba, cue_before)}
    if "viterbi" not in decoders:
        return out
    viterbi = build_decoder(DecoderConfig(name="viterbi"))
    viterbi.fit(fully_labelled, None)
    out["viterbi"] = viterbi.decode(test, proba, cue_before)
    return out


def reference_predictions(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    body, other = LABELS.index("news_body"), LABELS.index("other")
    out = {}
    for name, keep_fn in REFERENCE_SYSTEMS.items():
        pred = np.full(len(frame), other)
        for doc_id, positions in frame.groupby("doc_id", sort=False).indices.items():
            kept = keep_fn(list(frame["text"].to_numpy()[positions]))
            pred[positions] = np.where(kept, body, other)
        out[name] = pred
    return out


def metrics_of(frame: pd.DataFrame, pred: np.ndarray) -> dict:
    lengths = (frame["end"] - frame["start"]).to_numpy()
    return evaluate_labels(frame["label"].to_numpy(), pred, lengths)["metrics"]


def run(families=("tfidf_logreg", "layout_gbt", "minilm_embed_lr"), folds: int = 5, log=print,
        whole_page_share: float = 0.0, silver_weight: float = 0.0, credit_lines: str = "news_body",
        decoders: tuple[str, ...] = ("none", "viterbi"), lso_only: bool = False) -> dict:
    """``whole_page_share``: share of the composed Dragnet pages built as whole pages; ``silver_weight``:
    train with the readability pages (partial labels) at this weight (0: without them); ``credit_lines``:
    what their references' credit lines get; ``decoders``: "none" and / or "viterbi"; ``lso_only``: only
    leave-sites-out on fnc_dev (no zero-shot, no comment folds)."""
    bundled, fnc, dragnet = load_sources(whole_page_share)
    bundled_frame, dragnet_frame = frame_of(bundled), frame_of(dragnet, 0.5)
    if silver_weight:  # every training set below starts from the bundled pages: the silver pages go with them
        bundled_frame = pd.concat([bundled_frame, silver_frame(silver_weight, credit_lines)], ignore_index=True)
    fnc_frame = frame_of(fnc)
    results: dict = {"lso": {}, "zero_shot": {}, "comments": {}, "sizes": {
        "bundled_segments": len(bundled_frame), "dragnet_composed_segments": len(dragnet_frame),
        "fnc_segments": len(fnc_frame), "fnc_sites": int(fnc_frame["site"].nunique())}}

    # Leave-sites-out on fnc_dev, pooled over folds.
    pooled: dict[str, np.ndarray] = {}
    order = []
    splitter = GroupKFold(n_splits=folds)
    for k, (train_idx, test_idx) in enumerate(splitter.split(fnc_frame, groups=fnc_frame["site"])):
        test = fnc_frame.iloc[test_idx].reset_index(drop=True)
        train = pd.concat([bundled_frame, dragnet_frame, fnc_frame.iloc[train_idx].assign(weight=2.0)],
                          ignore_index=True)
        order.append(test)
        log(f"  fold {k + 1}/{folds}: test sites {sorted(test['site'].unique())}")
        for family in families:
            started = time.perf_counter()
            for decoder, (labels, _) in fit_predict(family, train, test, decoders=decoders).items():
                pooled.setdefault(f"{family}+{decoder}", []).append(labels)
            log(f"    {family}: {time.perf_counter() - started:.0f} s")
        for name, pred in reference_predictions(test).items():
            pooled.setdefault(name, []).append(pred)
    lso_frame = pd.concat(order, ignore_index=True)
    gold_other = (lso_frame["label"] == LABELS.index("other")).to_numpy()
    for system, parts in pooled.items():
        pred = np.concatenate(parts)
        results["lso"][system] = metrics_of(lso_frame, pred)
        results.setdefault("lso_other_called_body", {})[system] = int(
            (gold_other & (pred == LABELS.index("news_body"))).sum())
    if lso_only:
        return results

    # Zero-shot: no fnc_dev in training.
    log("  zero-shot")
    train = pd.concat([bundled_frame, dragnet_frame], ignore_index=True)
    for family in families:
        for decoder, (labels, _) in fit_predict(family, train, fnc_frame).items():
            results["zero_shot"][f"{family}+{decoder}"] = metrics_of(fnc_frame, labels)
        if family != "minilm_embed_lr":
            results["zero_shot"][f"{family}+none (bundled only)"] = metrics_of(
                fnc_frame, fit_predict(family, bundled_frame, fnc_frame)["none"][0])
    for name, pred in reference_predictions(fnc_frame).items():
        results["zero_shot"][name] = metrics_of(fnc_frame, pred)

    # Comments: composed Dragnet pages grouped by site (a page of its own for the extraction-shaped ones, a
    # fictional site of several pages, sharing a template, for the whole pages).
    log("  comments (Dragnet, grouped by site)")
    groups = dragnet_frame["site"]
    pooled, order = {}, []
    for train_idx, test_idx in GroupKFold(n_splits=3).split(dragnet_frame, groups=groups):
        test = dragnet_frame.iloc[test_idx].reset_index(drop=True)
        train = pd.concat([bundled_frame, dragnet_frame.iloc[train_idx]], ignore_index=True)
        order.append(test)
        for family in [f for f in families if f != "minilm_embed_lr"]:
            for decoder, (labels, _) in fit_predict(family, train, test).items():
                pooled.setdefault(f"{family}+{decoder}", []).append(labels)
        for name, pred in reference_predictions(test).items():
            pooled.setdefault(name, []).append(pred)
    comments_frame = pd.concat(order, ignore_index=True)
    whole = (comments_frame["shape"] == "whole_page").to_numpy()
    for system, parts in pooled.items():
        pred = np.concatenate(parts)
        results["comments"][system] = metrics_of(comments_frame, pred)
        if whole.any():
            results.setdefault("composed_whole", {})[system] = metrics_of(
                comments_frame[whole].reset_index(drop=True), pred[whole])
            results.setdefault("composed_extraction", {})[system] = metrics_of(
                comments_frame[~whole].reset_index(drop=True), pred[~whole])
    return results


def fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def tables(results: dict) -> str:
    out = [f"Data: bundled corpus {results['sizes']['bundled_segments']} segments; composed Dragnet pages "
           f"{results['sizes']['dragnet_composed_segments']} segments; fnc_dev {results['sizes']['fnc_segments']} "
           f"segments from {results['sizes']['fnc_sites']} sites. Reference systems keep or drop a line: kept = "
           "news_body, dropped = other.", ""]
    sections = (("lso", "Leave-sites-out on fnc_dev.jsonl (5 folds grouped by domain, pooled)"),
                ("zero_shot", "Zero-shot on fnc_dev.jsonl (no fnc_dev page in training)"),
                ("comments", "Comment-bearing composed Dragnet pages (3 folds grouped by site, pooled)"),
                ("composed_whole", "… of them, the composed whole pages"),
                ("composed_extraction", "… of them, the extraction-shaped composed pages"))
    for key, title in sections:
        if not results.get(key):
            continue
        # fnc_dev has a single reader-comment line: macro-F1 without that label is shown beside it.
        without_comments = key in ("lso", "zero_shot")
        out += [f"### {title}", "",
                "| system | macro-F1 | " + ("macro-F1 without opinion_comment | " if without_comments else "")
                + " | ".join(f"F1 {l}" for l in LABELS) + " | news_body char-F1 |",
                "|---|---|" + ("---|" if without_comments else "") + "---|" * len(LABELS) + "---|"]
        for system, m in results[key].items():
            others = [m[f"f1_{l}"] for l in LABELS if l != "opinion_comment" and m[f"support_{l}"]]
            out.append(f"| {system} | {fmt(m['macro_f1'])} | "
                       + (f"{fmt(sum(others) / len(others))} | " if without_comments else "")
                       + " | ".join(fmt(m[f'f1_{l}']) if m[f'support_{l}'] else "–" for l in LABELS)
                       + f" | {fmt(m.get('news_body_char_f1'))} |")
        out.append("")
        if key == "lso":
            out += ["`other` lines called news_body (of " + str(results["lso_other_called_body"]["keep_all"]) + "): "
                    + "; ".join(f"{system} {n}" for system, n in results["lso_other_called_body"].items()), ""]
    return "\n".join(out)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--families", default="tfidf_logreg,layout_gbt,minilm_embed_lr")
    parser.add_argument("--whole-page-share", type=float, default=0.0,
                        help="share of composed Dragnet pages built as whole pages")
    parser.add_argument("--silver-weight", type=float, default=0.0,
                        help="train with the readability pages at this weight (0: without)")
    parser.add_argument("--credit-lines", default="news_body", choices=CREDIT_LINE_SETTINGS,
                        help="what the readability references' credit lines get in training")
    parser.add_argument("--decoders", default="none,viterbi", help="comma-separated, of none and viterbi")
    parser.add_argument("--lso-only", action="store_true", help="only leave-sites-out on fnc_dev")
    args = parser.parse_args()
    print(tables(run(tuple(args.families.split(",")), args.folds, lambda m: print(m, file=sys.stderr, flush=True),
                     args.whole_page_share, args.silver_weight, args.credit_lines,
                     tuple(args.decoders.split(",")), args.lso_only)))

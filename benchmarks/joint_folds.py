"""Both real sets from one set of models: a quicker trial of a setting (issue 25).

``whole_pages.py`` and ``generalisation.py --lso-only`` train ten models between them (20 minutes each on
one core). Here every source of ``configs/data/real.yaml``'s data (the bundled corpus, the composed Dragnet
pages, fnc_dev at weight 2, the readability pages at weight 1) is split into 5 folds grouped by site, each
source on its own (the readability pages' and fnc_dev's folds are those of the two scripts); fold k of the
whole is fold k of every source. Five `layout_gbt` models, each trained without one fold, label the held-out
fold, so every line gets a label from a model that never saw its site, and both sets are scored from the
same five models:

- the readability pages (whole pages, silver): body precision / recall / F1, body char-F1, boilerplate F1;
- fnc_dev (extraction-shaped, gold): macro-F1 and the F1 of each label;
- the composed Dragnet pages that are whole pages: macro-F1 and the F1 of each label.

Training sets differ from the two scripts' (a fifth of the bundled and Dragnet pages is held out as well,
and the other set's held-out fold), so figures are close to theirs, not equal: compare settings within this
script. Ablations: ``--no-wrapped-sites`` (no composed site flattened as hard-wrapped plain text) and
``--no-wrapped-prose`` (a hard-wrapped line is not prose for the main block). ``--save-proba`` keeps the
pooled out-of-fold probabilities, with the frame, for trials of decoders or second stages on top of them.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generalisation import MODEL_SPECS, frame_of, load_sources, silver_frame  # noqa: E402
from newsseg.config import DecoderConfig  # noqa: E402
from newsseg.evaluation import evaluate_body, evaluate_labels  # noqa: E402
from newsseg.features.line_stats import comment_cue_before  # noqa: E402
from newsseg.labels import LABELS  # noqa: E402
from newsseg.models import build_model  # noqa: E402
from newsseg.models.decoders import build_decoder  # noqa: E402

FOLDS = 5


def apply_ablations(no_wrapped_sites: bool, no_wrapped_prose: bool) -> None:
    """Switch off, in this process, what an ablation leaves out."""
    if no_wrapped_sites:
        import newsseg.data.page_templates as page_templates

        page_templates.WRAPPED_SITE_SHARE = 0.0
    if no_wrapped_prose:
        import newsseg.features.assembly as assembly

        assembly.continues_on_next_line = lambda starts_lower, terminal, bounds: np.zeros(len(terminal), dtype=bool)


def joint_frame() -> pd.DataFrame:
    """Every source's segment rows with columns ``source`` and ``fold`` (site-grouped, per source)."""
    bundled, fnc, dragnet = load_sources(whole_page_share=0.5)
    parts = {"bundled": frame_of(bundled), "dragnet": frame_of(dragnet, 0.5), "fnc": frame_of(fnc, 2.0),
             "readability": silver_frame(1.0)}
    frames = []
    for source, frame in parts.items():
        frame = frame.assign(source=source, fold=-1)
        for k, (_, held) in enumerate(GroupKFold(n_splits=FOLDS).split(frame, groups=frame["site"])):
            frame.loc[frame.index[held], "fold"] = k
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def held_out_proba(frame: pd.DataFrame, k: int, ablations: tuple[bool, bool]) -> np.ndarray:
    """Probabilities for fold ``k``'s rows from a model trained on the other folds."""
    from threadpoolctl import threadpool_limits

    apply_ablations(*ablations)
    with threadpool_limits(1):  # a core per fold: two jobs' OpenMP threads on the same cores slow both
        model = build_model(MODEL_SPECS["layout_gbt"](), 13)
        model.fit(frame[frame["fold"] != k].reset_index(drop=True))
        return model.predict_proba(frame[frame["fold"] == k].reset_index(drop=True))


def run(workers: int = 2, no_wrapped_sites: bool = False, no_wrapped_prose: bool = False, log=print) -> tuple:
    """(metrics by set, frame, pooled probabilities)."""
    apply_ablations(no_wrapped_sites, no_wrapped_prose)
    frame = joint_frame()
    proba = np.zeros((len(frame), len(LABELS)))
    started = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        futures = {k: pool.submit(held_out_proba, frame, k, (no_wrapped_sites, no_wrapped_prose))
                   for k in range(FOLDS)}
        for k, future in futures.items():
            proba[(frame["fold"] == k).to_numpy()] = future.result()
            log(f"  fold {k + 1}/{FOLDS} done, {time.perf_counter() - started:.0f} s")
    pred = build_decoder(DecoderConfig(name="none")).decode(frame, proba, comment_cue_before(frame))[0]
    gold, lengths = frame["label"].to_numpy(), (frame["end"] - frame["start"]).to_numpy()
    source = frame["source"].to_numpy()
    rows = {"readability": source == "readability", "fnc": source == "fnc",
            "dragnet whole pages": (source == "dragnet") & (frame["shape"] == "whole_page").to_numpy()}
    metrics = {"readability": evaluate_body(gold[rows["readability"]], pred[rows["readability"]],
                                            lengths[rows["readability"]])}
    for name in ("fnc", "dragnet whole pages"):
        metrics[name] = evaluate_labels(gold[rows[name]], pred[rows[name]], lengths[rows[name]])["metrics"]
    return metrics, frame, proba


def table(metrics: dict, title: str) -> str:
    body = metrics["readability"]
    out = [f"### {title}", "",
           "| readability body P | R | F1 | char-F1 | boilerplate F1 | fnc_dev macro-F1 | ad | other | "
           "Dragnet whole pages macro-F1 | opinion_comment |", "|---|---|---|---|---|---|---|---|---|---|",
           f"| {body['body_precision']:.3f} | {body['body_recall']:.3f} | {body['body_f1']:.3f} | "
           f"{body['body_char_f1']:.3f} | {body['boilerplate_f1']:.3f} | {metrics['fnc']['macro_f1']:.3f} | "
           f"{metrics['fnc']['f1_ad']:.3f} | {metrics['fnc']['f1_other']:.3f} | "
           f"{metrics['dragnet whole pages']['macro_f1']:.3f} | "
           f"{metrics['dragnet whole pages']['f1_opinion_comment']:.3f} |"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="folds trained at once (one core each)")
    parser.add_argument("--no-wrapped-sites", action="store_true",
                        help="ablation: no composed site flattened as hard-wrapped plain text")
    parser.add_argument("--no-wrapped-prose", action="store_true",
                        help="ablation: hard-wrapped lines are not prose for the main block")
    parser.add_argument("--save-proba", type=Path, help="write the frame and the out-of-fold probabilities here "
                                                        "(a pickle and an .npy)")
    args = parser.parse_args()
    metrics, frame, proba = run(args.workers, args.no_wrapped_sites, args.no_wrapped_prose,
                                log=lambda m: print(m, file=sys.stderr, flush=True))
    if args.save_proba:
        args.save_proba.mkdir(parents=True, exist_ok=True)
        frame.to_pickle(args.save_proba / "frame.pkl")
        np.save(args.save_proba / "proba.npy", proba)
    ablations = [name for name, on in (("no wrapped sites", args.no_wrapped_sites),
                                       ("no wrapped prose", args.no_wrapped_prose)) if on]
    print(table(metrics, "Joint site-grouped folds" + (f" ({', '.join(ablations)})" if ablations else "")))

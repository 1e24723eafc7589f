"""Whole pages flattened to text: leave-sites-out on the Mozilla Readability test pages (issue 25).

Protocol: ``../shared/data/real/readability_pages.jsonl`` (75 real pages, 57 sites) is read with the
``html_reference`` reader (whole-page text from resiliparse, the reference article aligned to its lines:
``news_body`` and the partial label "not news_body"; some lines unlabelled). 5 folds grouped by site; each
fold trains on the bundled corpus, the composed Dragnet pages, fnc_dev (weight 2) and the other folds'
readability pages (silver, partial labels), and labels the held-out sites' pages together. Figures are
pooled over the folds, on the labelled lines: body precision / recall / F1, body character-F1, and the F1
of the rest (boilerplate). ``--no-silver`` trains without the readability pages (what the model knew
before). ``--credit-lines`` changes what the training folds' references' credit lines get
(``html_pages.CREDIT_LINE_SETTINGS``); the held-out pages keep the default labels, so figures compare, and
the layout_gbt systems are also scored without the lines the setting changes ("… without changed lines").

The same lines are scored for keep-all, the C4 line rules and jusText (they see the text, as newsseg
does), and for trafilatura and resiliparse's main-content extraction, which see the page's HTML: a line
counts as kept when it aligns to the extractor's output, with the aligner that labelled the reference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
PAGES = REAL / "readability_pages.jsonl"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generalisation import fit_predict, frame_of, load_sources, reference_predictions  # noqa: E402
from newsseg.evaluation import evaluate_body  # noqa: E402
from newsseg.io.html_pages import Reference, align_reference  # noqa: E402
from newsseg.labels import LABELS  # noqa: E402
from newsseg.io.html_pages import CREDIT_LINE_SETTINGS  # noqa: E402
from newsseg.io.reader_base import ReaderOptions  # noqa: E402
from newsseg.io.readers import read_documents  # noqa: E402

BODY, OTHER = LABELS.index("news_body"), LABELS.index("other")


def html_extractor_predictions(docs, frame: pd.DataFrame, html_of: dict[str, str]) -> dict[str, np.ndarray]:
    """Per HTML extractor, kept (news_body) or dropped (other) for each row of ``frame``; ``html_of``: each
    page's HTML by id."""
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    extractors = {
        "trafilatura (HTML)": lambda html: trafilatura.extract(html, include_comments=False) or "",
        "resiliparse main content (HTML)": lambda html: extract_plain_text(HTMLTree.parse(html), main_content=True),
    }
    out = {}
    for name, extract in extractors.items():
        kept: dict[tuple[str, int], bool] = {}
        for doc in docs:
            extracted = extract(html_of[doc.id])
            for start, _, label in align_reference(doc.text, Reference(text=extracted)):
                kept[(doc.id, start)] = label == "news_body"
        out[name] = np.array([BODY if kept.get((d, s)) else OTHER
                              for d, s in zip(frame["doc_id"], frame["start"])])
    return out


def changed_lines(docs, training_docs) -> set[tuple[str, int]]:
    """(doc id, start) of the lines whose label differs between two readings of the same pages."""
    def labels(doc):
        return {start: label for start, _, label in doc.spans}

    changed = set()
    for doc, other in zip(docs, training_docs):
        before, after = labels(doc), labels(other)
        changed |= {(doc.id, start) for start in before.keys() | after.keys() if before.get(start) != after.get(start)}
    return changed


def run(folds: int = 5, silver_weight: float = 1.0, with_silver: bool = True, whole_page_share: float = 0.0,
        log=print, credit_lines: str = "news_body", decoders: tuple[str, ...] = ("none", "viterbi"),
        newsseg_only: bool = False, leave_out_lines_of: str = "") -> dict:
    """``credit_lines``: what the training folds' references' credit lines get; ``decoders``: layout_gbt's
    decoders; ``newsseg_only``: no reference systems or HTML extractors; ``leave_out_lines_of``: the
    setting whose changed lines the "without changed lines" figures leave out (default ``credit_lines``;
    another setting scores the baseline on the lines a setting changes)."""
    bundled, fnc, dragnet = load_sources(whole_page_share)
    docs = list(read_documents("html_reference", PAGES))
    html_of = {row["id"]: row["html"] for row in map(json.loads, PAGES.open(encoding="utf-8"))}
    base = pd.concat([frame_of(bundled), frame_of(dragnet, 0.5), frame_of(fnc, 2.0)], ignore_index=True)
    pages = frame_of(docs, silver_weight)
    # The training folds' pages under the setting; the held-out pages keep the default labels.
    def pages_under(setting: str) -> list:  # flattening the pages again only where a setting changes labels
        return docs if setting == "news_body" else list(
            read_documents("html_reference", PAGES, ReaderOptions(credit_lines=setting)))

    training_docs = pages_under(credit_lines)
    training_pages = pages if training_docs is docs else frame_of(training_docs, silver_weight)
    leave_out_lines_of = leave_out_lines_of or credit_lines
    changed = changed_lines(docs, training_docs if leave_out_lines_of == credit_lines else
                            pages_under(leave_out_lines_of))
    log(f"  {len(changed)} lines labelled otherwise under {leave_out_lines_of} (training: {credit_lines})")
    pooled: dict[str, list] = {}
    order = []
    for k, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=folds).split(pages, groups=pages["site"])):
        test = pages.iloc[test_idx].reset_index(drop=True)
        train_pages = training_pages[training_pages["site"].isin(set(pages["site"].iloc[train_idx]))]
        train = pd.concat([base, train_pages] if with_silver else [base], ignore_index=True)
        started = time.perf_counter()
        for decoder, (pred, _) in fit_predict("layout_gbt", train, test, decoders=decoders).items():
            pooled.setdefault(f"layout_gbt+{decoder}", []).append(pred)
        log(f"  fold {k + 1}/{folds}: {test['site'].nunique()} sites, {time.perf_counter() - started:.0f} s")
        order.append(test)
        if newsseg_only:
            continue
        for name, pred in reference_predictions(test).items():
            pooled.setdefault(name, []).append(pred)
        test_docs = [d for d in docs if d.id in set(test["doc_id"])]
        for name, pred in html_extractor_predictions(test_docs, test, html_of).items():
            pooled.setdefault(name, []).append(pred)
    frame = pd.concat(order, ignore_index=True)
    lengths = (frame["end"] - frame["start"]).to_numpy()
    systems = {name: evaluate_body(frame["label"].to_numpy(), np.concatenate(parts), lengths)
               for name, parts in pooled.items()}
    kept = np.array([(d, s) not in changed for d, s in zip(frame["doc_id"], frame["start"])])
    if changed and not kept.all():
        for name in [n for n in pooled if n.startswith("layout_gbt+")]:
            systems[f"{name} without changed lines ({(~kept).sum()})"] = evaluate_body(
                frame["label"].to_numpy()[kept], np.concatenate(pooled[name])[kept], lengths[kept])
    return {"pages": len(docs), "sites": int(pages["site"].nunique()), "lines": len(frame),
            "body_lines": int((frame["label"] == BODY).sum()), "systems": systems}


def table(results: dict, title: str) -> str:
    out = [f"### {title}", "",
           f"{results['pages']} pages of {results['sites']} sites; {results['lines']} labelled lines, "
           f"{results['body_lines']} of them the article.", "",
           "| system | body precision | body recall | body F1 | body char-F1 | boilerplate F1 |",
           "|---|---|---|---|---|---|"]
    for name, m in results["systems"].items():
        out.append(f"| {name} | {m['body_precision']:.3f} | {m['body_recall']:.3f} | {m['body_f1']:.3f} | "
                   f"{m['body_char_f1']:.3f} | {m['boilerplate_f1']:.3f} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--silver-weight", type=float, default=1.0, help="training weight of the readability pages")
    parser.add_argument("--no-silver", action="store_true", help="train without the readability pages")
    parser.add_argument("--whole-page-share", type=float, default=0.0,
                        help="share of composed Dragnet pages built as whole pages")
    parser.add_argument("--credit-lines", default="news_body", choices=CREDIT_LINE_SETTINGS,
                        help="what the training folds' references' credit lines get")
    parser.add_argument("--decoders", default="none,viterbi", help="layout_gbt's decoders, of none and viterbi")
    parser.add_argument("--newsseg-only", action="store_true", help="no reference systems or HTML extractors")
    parser.add_argument("--leave-out-lines-of", default="", choices=("", *CREDIT_LINE_SETTINGS),
                        help="also score without the lines this setting changes (default: --credit-lines)")
    args = parser.parse_args()
    title = ("Leave-sites-out on the readability pages" +
             (", trained without them" if args.no_silver else f" (silver weight {args.silver_weight})") +
             f", composed whole-page share {args.whole_page_share}" +
             ("" if args.credit_lines == "news_body" else f", credit lines {args.credit_lines} in training"))
    print(table(run(args.folds, args.silver_weight, not args.no_silver, args.whole_page_share,
                    log=lambda m: print(m, file=sys.stderr, flush=True), credit_lines=args.credit_lines,
                    decoders=tuple(args.decoders.split(",")), newsseg_only=args.newsseg_only,
                    leave_out_lines_of=args.leave_out_lines_of), title))

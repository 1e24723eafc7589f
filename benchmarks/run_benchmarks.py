"""`make bench`: train every model family with each decoder and write the tables of BENCHMARKS.md.

Each row is one `newsseg train` run (the command is in the table): macro-F1 and per-label F1 on the
bundled test split (5 fictional sites never trained on) and, where ../shared/data/real is present,
on fnc_dev.jsonl as an unseen real test set (the model never trains on it); training time and
inference segments/s. Runs are logged to the MLflow experiment ``benchmark`` and not registered.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FNC_DEV = ROOT.parent / "shared" / "data" / "real" / "fnc_dev.jsonl"
LABELS = ("news_body", "opinion_comment", "disclaimer", "ad", "other")
ROWS = [
    ("configs/train/tfidf_logreg.yaml", "none"),
    ("configs/train/tfidf_logreg.yaml", "viterbi"),
    ("configs/train/tfidf_logreg.yaml", "crf"),
    ("configs/train/layout_gbt.yaml", "none"),
    ("configs/train/layout_gbt.yaml", "viterbi"),
    ("configs/train/layout_gbt.yaml", "crf"),
    ("configs/train/minilm_embed_lr.yaml", "none"),
    ("configs/train/minilm_embed_lr.yaml", "viterbi"),
    ("configs/train/minilm_finetune_smoke.yaml", "none"),
]


def fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def run_row(config: str, decoder: str) -> dict:
    from newsseg.training import train

    overrides = [f"decoder.name={decoder}", "tracking.experiment=benchmark", "tracking.register_model=false"]
    if decoder == "crf" and "finetune" in config:
        overrides.append("decoder.train_on=validation")
    if FNC_DEV.exists():
        overrides.append(f"eval_sets={{fnc_dev: {FNC_DEV}}}")
    result = train(ROOT / config, overrides, progress=False)
    command = f"newsseg train {config} --set decoder.name={decoder}" + (
        f" --set 'eval_sets={{fnc_dev: ../shared/data/real/fnc_dev.jsonl}}'" if FNC_DEV.exists() else "")
    return {"config": config, "decoder": decoder, "metrics": result.metrics, "run_id": result.run_id,
            "command": command}


def quality_tables(rows: list[dict]) -> str:
    out = []
    for prefix, title in (("test", "Bundled test split (5 unseen fictional sites)"),
                          ("fnc_dev", "fnc_dev.jsonl: real pages of 15 sites, never trained on (zero-shot)")):
        if not any(f"{prefix}_macro_f1" in r["metrics"] for r in rows):
            out.append(f"### {title}\n\nNot run: {FNC_DEV} is absent.\n")
            continue
        out.append(f"### {title}\n")
        out.append("| model | decoder | macro-F1 | " + " | ".join(f"F1 {l}" for l in LABELS)
                   + " | news_body char-F1 | train s | segments/s |")
        out.append("|---|---|---|" + "---|" * len(LABELS) + "---|---|---|")
        for r in rows:
            m = r["metrics"]
            family = Path(r["config"]).stem
            out.append(f"| {family} | {r['decoder']} | {fmt(m.get(f'{prefix}_macro_f1'))} | "
                       + " | ".join(fmt(m.get(f"{prefix}_f1_{l}")) for l in LABELS)
                       + f" | {fmt(m.get(f'{prefix}_news_body_char_f1'))} | {m['train_seconds']:.0f}"
                       + f" | {m.get('test_segments_per_second', 0):.0f} |")
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the tables")
    parser.add_argument("--only", default="", help="comma-separated config stems to run (default: all)")
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    rows = []
    for config, decoder in ROWS:
        if only and Path(config).stem not in only:
            continue
        print(f"== {config} decoder={decoder}", file=sys.stderr, flush=True)
        rows.append(run_row(config, decoder))
    stamp = datetime.date.today().isoformat()
    text = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python benchmarks/run_benchmarks.py`) on {stamp}, {platform.machine()}, "
        "2 CPU cores, no GPU. Every row is one training run from its config; the exact commands are listed "
        "below the tables. Segments/s is inference of the whole pipeline (features, model, decoder) on the "
        "test split, in one process.",
        "",
        "## Model quality",
        "",
        quality_tables(rows),
        "## Commands",
        "",
        *[f"- `{r['command']}` (MLflow run `{r['run_id']}`)" for r in rows],
        "",
    ]
    args.output.write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
from typing import Optional

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


READING_NOTES = """How to read these figures:

- macro-F1 is over the labels present in the gold data. fnc_dev holds a single reader-comment line,
  so its `opinion_comment` F1 is 1.0 only when that line is found and nothing else is called a
  comment, and near 0 otherwise: it weighs a fifth of every fnc_dev macro-F1 and swings it by up to
  0.2. Compare the per-label columns, not only macro-F1.
- In the first section, `minilm_embed_lr` segments/s are measured with the embedding cache warm
  (the test split was encoded during training); the speed section measures it cold.
- `minilm_finetune_smoke` is a few-minute smoke run on 600 segments, not a usable model; the full
  `minilm_finetune` config (about 15-20 minutes on 2 cores) is not part of `make bench`.
- Reference systems only keep or drop lines: kept lines count as news_body, dropped ones as other."""


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
        " --set 'eval_sets={fnc_dev: ../shared/data/real/fnc_dev.jsonl}'" if FNC_DEV.exists() else "")
    return {"config": config, "decoder": decoder, "metrics": result.metrics, "run_id": result.run_id,
            "model_uri": result.model_uri, "command": command}


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


# The MiniLM pipelines label about 70 segments/s here: a few pages of each input are enough.
MINILM_SPEED_PAGES = {"bundled": 40, "fnc": 25}
# The pipeline measured a second time with newsseg's compiled kernels off (NEWSSEG_NO_JIT=1), in the row
# after its own: what the kernels buy end to end.
KERNELS_OFF_PIPELINE = "layout_gbt+viterbi"
KERNELS_OFF_SUFFIX = ", kernels off"


def speed_rows(model_rows: list[dict]) -> list[dict]:
    """Per-core speed and peak memory of the trained pipelines and of the reference systems, on the bundled
    pages and, when ../shared has it, on fnc_dev's pages (real FakeNewsCorpus pages: longer lines)."""
    import json
    import tempfile

    from newsseg import tracking

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from speed import run_measure

    bundled = [json.loads(l) for l in (ROOT / "data/corpus/bundled.jsonl").read_text(encoding="utf-8").splitlines()]
    fnc = [json.loads(l) for l in FNC_DEV.read_text(encoding="utf-8").splitlines()] if FNC_DEV.exists() else []
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {}  # (which pages, small?) -> JSONL of {id, text}
        for pages, docs in (("bundled", bundled), ("fnc", fnc)):
            if not docs:
                continue
            for small, subset in ((False, docs), (True, docs[:MINILM_SPEED_PAGES[pages]])):
                path = Path(tmp) / f"{pages}{'_small' if small else ''}.jsonl"
                path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in subset))
                inputs[pages, small] = path

        def measure_both(system: str, pipeline_dir: Path | None = None, small: bool = False,
                         kernels: bool = True) -> dict:
            passes = 2 if small else 3  # the MiniLM rows: a pass takes a quarter of a minute
            result = run_measure(system, inputs["bundled", small], pipeline_dir, passes, kernels)
            if ("fnc", small) in inputs:
                result["fnc"] = run_measure(system, inputs["fnc", small], pipeline_dir, passes, kernels)
            return result

        for system in ("keep_all", "c4_rules", "justext"):
            print(f"== speed {system}", file=sys.stderr, flush=True)
            out.append(measure_both(system))
        seen = set()
        for row in model_rows:
            name = f"{Path(row['config']).stem}+{row['decoder']}"
            if row["decoder"] == "crf" or name in seen:
                continue
            seen.add(name)
            print(f"== speed {name}", file=sys.stderr, flush=True)
            pipeline_dir = tracking.download_pipeline(row["model_uri"])
            result = measure_both("pipeline", pipeline_dir, small="minilm" in name)
            result["system"] = name
            out.append(result)
            if name == KERNELS_OFF_PIPELINE:
                out.append(kernels_off_row(measure_both, pipeline_dir, name))
    return out


def kernels_off_row(measure_both, pipeline_dir: Path, name: str) -> dict:
    """The speed row of the pipeline in ``pipeline_dir`` with newsseg's compiled kernels switched off (their
    plain numpy / Python twins run), measured as its own row is (``measure_both``)."""
    print(f"== speed {name}{KERNELS_OFF_SUFFIX}", file=sys.stderr, flush=True)
    result = measure_both("pipeline", pipeline_dir, kernels=False)
    result["system"] = f"{name}{KERNELS_OFF_SUFFIX}"
    return result


def default_pipeline_row(model_rows: list[dict]) -> dict | None:
    """The run of the default pipeline (layout_gbt + viterbi, the `make train` configuration), if trained."""
    return next((r for r in model_rows if Path(r["config"]).stem == "layout_gbt" and r["decoder"] == "viterbi"), None)


def scale_section(model_rows: list[dict], memory_mb: float, memory_minutes: float) -> str:
    from newsseg import tracking

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import scale

    default = default_pipeline_row(model_rows)
    if default is None:
        return "Not run: the layout_gbt + viterbi row was not trained in this run."
    return scale.table(scale.run(tracking.download_pipeline(default["model_uri"]), speedup_mb=60,
                                 memory_mb=memory_mb, memory_minutes=memory_minutes))


def end_to_end_section(model_rows: list[dict]) -> str:
    from newsseg import tracking

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import end_to_end

    default = default_pipeline_row(model_rows)
    if default is None:
        return "Not run: the layout_gbt + viterbi row was not trained in this run."
    sizes = [30.0, 200.0]
    result = end_to_end.run(tracking.download_pipeline(default["model_uri"]), sizes, repeats=2)
    return end_to_end.table(result, "python benchmarks/end_to_end.py PIPELINE_DIR --sizes-mb 30 200 --repeats 2")


def transformer_section(model_rows: list[dict]) -> str:
    from newsseg import tracking

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from transformer_speed import HEADING, transformer_speed_section

    finetuned = next((r for r in model_rows if "minilm_finetune" in r["config"]), None)
    if finetuned is None:
        return f"{HEADING}\n\nNot run: no minilm_finetune row was trained in this run."
    return transformer_speed_section(tracking.download_pipeline(finetuned["model_uri"]),
                                     log=lambda m: print(m, file=sys.stderr, flush=True))


# A worked estimate for the whole FakeNewsCorpus on a Spark cluster, from the measured per-core rates.
CORPUS_GB = 27.0  # FakeNewsCorpus: about 9.4 million pages, 27 GB of text
CLUSTER_CORES = 160  # assumed: 10 workers x 16 cores
CORE_HOUR_USD = 0.05  # assumed: on-demand price of one vCPU-hour (memory included) on a general-purpose VM


def speed_table(rows: list[dict]) -> str:
    with_fnc = all("fnc" in r for r in rows)
    basis = "fnc_dev's pages" if with_fnc else "the bundled pages"
    lines = ["| system | bundled pages: MB | MB/s per core, first pass | … steady | segments/s per core | "
             "fnc_dev pages: MB | MB/s per core, first pass | … steady | segments/s per core | peak RSS MB | "
             f"FakeNewsCorpus: core-hours | … wall time on {CLUSTER_CORES} cores "
             f"| … cost at ${CORE_HOUR_USD}/core-hour |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def rate_cells(result: Optional[dict]) -> str:
        if result is None:
            return "– | – | – | –"
        steady = result.get("mb_per_s_steady")
        steady_cell = "–" if steady is None else f"{steady:.3f}"
        return f"{result['megabytes']:.2f} | {result['mb_per_s']:.3f} | {steady_cell} | {result['segments_per_s']:.0f}"

    for r in rows:
        fnc = r.get("fnc")
        basis_result = fnc if with_fnc else r
        core_hours = CORPUS_GB * 1000 / (basis_result.get("mb_per_s_steady") or basis_result["mb_per_s"]) / 3600
        wall = core_hours / CLUSTER_CORES
        peak = max(r["peak_rss_mb"], fnc["peak_rss_mb"] if fnc else 0)
        lines.append(f"| {r['system']} | {rate_cells(r)} | {rate_cells(fnc)} | {peak:.0f} | {core_hours:,.0f} | "
                     f"{wall * 60:,.0f} min | ${core_hours * CORE_HOUR_USD:,.0f} |")

    def bytes_per_segment(result: dict) -> float:
        return result["megabytes"] * 1e6 / result["segments"]

    lines += ["", "Each process labels its input several times over (`speed.py measure`, 3 passes; 2 for MiniLM): "
              "the first pass starts with cold caches and fresh memory, as a single file does; the steady rate is the "
              "median of the passes after it, as on a long stream. newsseg models label as `newsseg predict` does, "
              "less reading and writing: batches of its default size (64 documents), a site memory over the stream, "
              "no per-label scores."
              + (f" The row \"{KERNELS_OFF_PIPELINE}{KERNELS_OFF_SUFFIX}\" is the row above it measured again with "
                 "newsseg's compiled kernels switched off (`NEWSSEG_NO_JIT=1`): their plain numpy and Python twins "
                 "run instead, with the same output."
                 if any(r["system"].endswith(KERNELS_OFF_SUFFIX) for r in rows) else ""),
              "", f"The estimate uses the steady per-core rate on {basis}"
              + (f" (a sample of FakeNewsCorpus itself; its lines average {bytes_per_segment(rows[0]['fnc']):.0f} "
                 f"bytes against {bytes_per_segment(rows[0]):.0f} on the bundled pages, and much of the work is per "
                 "line)" if with_fnc else "")
              + f", near-linear scaling over {CLUSTER_CORES} cores (10 workers x 16 cores; Spark runs one single-threaded "
              f"Python worker per core) and ${CORE_HOUR_USD} per core-hour; it ignores start-up and I/O. The MiniLM "
              f"rows run on the first {MINILM_SPEED_PAGES['bundled']} bundled pages"
              + (f" and {MINILM_SPEED_PAGES['fnc']} fnc_dev pages." if with_fnc else ".")]
    return "\n".join(lines)


def rerun_speed(path: Path) -> int:
    """Replace the speed table of an existing BENCHMARKS.md, measuring the same runs' pipelines."""
    import re

    text = path.read_text(encoding="utf-8")
    rows = [{"config": config, "decoder": decoder, "model_uri": f"runs:/{run_id}/model"}
            for config, decoder, run_id in re.findall(
                r"newsseg train (\S+) --set decoder.name=(\w+).*?MLflow run `(\w+)`", text)]
    table = speed_table(speed_rows(rows))
    start = text.index("| system | bundled pages: MB |")
    end = text.index("\n#", start) - 1  # the next heading: the corpus-scale and transformer sections stay
    note = (f"\n\nSpeed last measured on {datetime.date.today().isoformat()} with "
            "`python benchmarks/run_benchmarks.py --speed-only` (same trained pipelines).")
    path.write_text(text[:start] + table + note + text[end:], encoding="utf-8")
    print(f"updated the speed section of {path}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the tables")
    parser.add_argument("--only", default="", help="comma-separated config stems to run (default: all)")
    parser.add_argument("--skip-generalisation", action="store_true", help="skip the real-data section")
    parser.add_argument("--skip-speed", action="store_true", help="skip the speed section")
    parser.add_argument("--memory-mb", type=float, default=1000.0,
                        help="MB of text for the peak-memory run of `newsseg predict --workers 2` (0: skip)")
    parser.add_argument("--memory-minutes", type=float, default=0.0,
                        help="stop the peak-memory run after this many minutes (0: run to the end; 1 GB takes "
                             "about 25 minutes with layout_gbt on 2 cores)")
    parser.add_argument("--speed-only", action="store_true",
                        help="re-measure only the speed section, with the pipelines of the runs listed in the "
                             "existing BENCHMARKS.md, and replace that section")
    args = parser.parse_args(argv)
    if args.speed_only:
        return rerun_speed(args.output)
    only = {s for s in args.only.split(",") if s}
    rows = []
    for config, decoder in ROWS:
        if only and Path(config).stem not in only:
            continue
        print(f"== {config} decoder={decoder}", file=sys.stderr, flush=True)
        rows.append(run_row(config, decoder))
    generalisation = whole = ""
    if not args.skip_generalisation:
        if FNC_DEV.exists():
            sys.path.insert(0, str(ROOT / "benchmarks"))
            import generalisation as gen

            log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
            settings = gen.recommended_settings()
            print("== generalisation (leave-sites-out, zero-shot, comments)", file=sys.stderr, flush=True)
            generalisation = gen.tables(gen.run(log=log))
            print(f"== generalisation, trained as configs/data/real.yaml ({settings})", file=sys.stderr, flush=True)
            generalisation += (
                f"\n### Trained as `configs/data/real.yaml` (composed whole-page share "
                f"{settings['whole_page_share']}, readability pages at weight {settings['silver_weight']})\n\n"
                "layout_gbt only; the readability pages (partial labels) join every training set.\n\n"
                + gen.tables(gen.run(("layout_gbt",), log=log, **settings)))
            import page_stats
            import whole_pages

            print("== whole pages (readability leave-sites-out)", file=sys.stderr, flush=True)
            whole = "\n".join([
                whole_pages.table(whole_pages.run(whole_page_share=settings["whole_page_share"], with_silver=False,
                                                  log=log), "Trained without the readability pages"),
                whole_pages.table(whole_pages.run(silver_weight=settings["silver_weight"] or 1.0,
                                                  whole_page_share=settings["whole_page_share"], log=log),
                                  "Trained as `configs/data/real.yaml`, the other folds' readability pages included"),
                "### Composed whole pages next to real flattened pages", "",
                "`python benchmarks/page_stats.py`", "", page_stats.stats_table(), ""])
        else:
            generalisation = f"Not run: {FNC_DEV} is absent."
            whole = generalisation
    speed = speed_table(speed_rows(rows)) if not args.skip_speed else "Not run (--skip-speed)."
    scale_text = scale_section(rows, args.memory_mb, args.memory_minutes) if not args.skip_speed else "Not run (--skip-speed)."
    end_to_end_text = end_to_end_section(rows) if not args.skip_speed else "Not run (--skip-speed)."
    transformer = transformer_section(rows) if not args.skip_speed else "Not run (--skip-speed)."
    stamp = datetime.date.today().isoformat()
    text = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python benchmarks/run_benchmarks.py{''.join(' ' + a for a in sys.argv[1:])}`) "
        f"on {stamp}, {platform.machine()}, "
        "2 CPU cores, no GPU, in one run. Every row of the first section is one training run from its config "
        "(commands below); segments/s there is inference of the whole pipeline (features, model, decoder) on "
        "the test split, in one process with both cores.",
        "",
        READING_NOTES,
        "",
        "## Models on the bundled corpus, and zero-shot on real pages",
        "",
        quality_tables(rows),
        "## Real pages from unseen sites",
        "",
        "`python benchmarks/generalisation.py` (part of `make bench`): see its docstring for the protocol.",
        "",
        generalisation,
        "## Whole pages flattened to text",
        "",
        "`python benchmarks/whole_pages.py` (part of `make bench`): see its docstring for the protocol. Lines "
        "are the readability pages' labelled lines (the reference article's lines, and lines known not to be it).",
        "",
        whole,
        "## Speed and memory",
        "",
        "`python benchmarks/speed.py` (part of `make bench`): each system in its own process with one thread "
        "(OMP_NUM_THREADS=1), on the raw text of the bundled pages and of fnc_dev's pages (when ../shared has "
        "them); peak RSS of that process (the larger of the two inputs). Pipelines are those trained above.",
        "",
        speed,
        "",
        "### Corpus scale: `newsseg predict` with 1 and 2 workers, and peak memory on a large input",
        "",
        "`python benchmarks/scale.py` (part of `make bench`), with the default pipeline (layout_gbt + viterbi, "
        "the `make train` configuration) trained above.",
        "",
        scale_text,
        "",
        end_to_end_text,
        "",
        transformer,
        "",
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

"""`newsseg predict` as users run it: whole commands, from a cold start to the written file (issue 29).

    python benchmarks/end_to_end.py PIPELINE_DIR [--sizes-mb 30 200] [--repeats 2] [--output FILE]

What it measures, each in its own process, in one run (rates on this machine drift by 2x between days, so
only figures of the same run compare):
- **one page** (`newsseg predict page.txt`, the default worker count, best of 5) against
  `python -c "import numpy, pandas, sklearn"` (best of 5);
- **JSONL inputs** of each size in ``--sizes-mb``, made of FakeNewsCorpus pages (fnc_dev's pages repeated under
  fresh ids, when ../shared has them; else the bundled pages): the whole command with 1 and 2 workers,
  taking turns, best of ``--repeats`` (one run for inputs of 100 MB or more); MB of text per second;
- the **C4 rules and jusText on one core**, on the same pages (`speed.py measure`: text already in memory);
- **where one worker's time goes** (stages), on the first input, in this process: the labelling loop that
  `newsseg predict --workers 1` runs, with timers around each stage.
Every newsseg process runs with Python's bytecode cache on, as an installed package has it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FNC_DEV = ROOT.parent / "shared" / "data" / "real" / "fnc_dev.jsonl"
BUNDLED = ROOT / "data" / "corpus" / "bundled.jsonl"
NEWSSEG = Path(sys.executable).parent / "newsseg"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

HEADING = "### End to end: `newsseg predict` as a whole command"


def command_env() -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MLFLOW_DISABLE_TELEMETRY": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled
    return env


def source_pages() -> tuple[list[dict], str]:
    path, name = (FNC_DEV, "FakeNewsCorpus pages (fnc_dev)") if FNC_DEV.exists() else (BUNDLED, "the bundled pages")
    pages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return pages, name


def write_pages(path: Path, pages: list[dict], megabytes: float) -> float:
    """``pages`` repeated under fresh ids into ``path`` until it holds ``megabytes`` of text; returns the MB."""
    written, copy = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < megabytes * 1e6:
            for page in pages:
                meta = page.get("meta") or {}
                record = {"id": f"{page['id']}#{copy}", "text": page["text"], "meta": {"domain": meta.get("domain")}}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += len(page["text"].encode("utf-8"))
                if written >= megabytes * 1e6:
                    break
            copy += 1
    return written / 1e6


def timed(command: list[str], cwd: Path) -> float:
    """Wall seconds of ``command`` (it must succeed)."""
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=command_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed: {proc.stderr[-2000:]}")
    return seconds


def predict_command(pipeline_dir: Path, input_path: Path, output: Path, workers: int | None) -> list[str]:
    command = [str(NEWSSEG), "predict", "--model", str(pipeline_dir), str(input_path), "--output", str(output)]
    return command + (["--workers", str(workers)] if workers else [])


def one_page(pipeline_dir: Path, work: Path, page_text: str, repeats: int = 5) -> dict:
    page = work / "page.txt"
    page.write_text(page_text, encoding="utf-8")
    command = predict_command(pipeline_dir, page, work / "page.jsonl", None)
    imports = [sys.executable, "-c", "import numpy, pandas, sklearn"]
    timed(command, work)  # warm-up: bytecode and numba's cache written, files in the page cache
    predict_s, imports_s = [], []
    for _ in range(repeats):
        predict_s.append(timed(command, work))
        imports_s.append(timed(imports, work))
    return {"page_bytes": len(page_text.encode("utf-8")), "predict_s": min(predict_s), "imports_s": min(imports_s)}


def jsonl_runs(pipeline_dir: Path, work: Path, input_path: Path, megabytes: float, repeats: int) -> dict:
    """Best wall seconds with 1 and 2 workers (taking turns), and the segment labels that differ between the
    two (each worker's site memory holds only the pages it labelled)."""
    from scale import label_differences

    best: dict[int, float] = {}
    for _ in range(repeats if megabytes < 100 else 1):
        for workers in (1, 2):
            seconds = timed(predict_command(pipeline_dir, input_path, work / f"out-{workers}.jsonl", workers), work)
            best[workers] = min(best.get(workers, seconds), seconds)
    differences = label_differences(work / "out-1.jsonl", work / "out-2.jsonl")
    return {"megabytes": megabytes, "seconds": best, **differences}


def reference_rates(sample: Path) -> dict[str, float]:
    """MB/s on one core (steady passes, text in memory) of the C4 rules and jusText on ``sample``."""
    from speed import run_measure

    return {system: run_measure(system, sample)["mb_per_s_steady"] for system in ("c4_rules", "justext")}


@contextmanager
def stage_timers(pipeline):
    """Wraps the functions `newsseg predict --workers 1` calls per batch with timers; yields the seconds per
    stage (inclusive: ``stage_seconds`` makes them exclusive)."""
    from newsseg import pipeline as pipeline_module
    from newsseg.serving import runner

    seconds: dict[str, float] = defaultdict(float)
    originals = []

    def wrap(owner, name: str, stage: str) -> None:
        function = getattr(owner, name)
        originals.append((owner, name, function))

        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - started
        setattr(owner, name, timed_call)

    model = pipeline.model
    wrap(pipeline_module, "document_columns", "segmentation")
    wrap(pipeline_module, "line_form_columns", "line forms")
    wrap(pipeline_module, "site_recurrence", "site recurrence")
    wrap(model, "predict_proba_and_cues", "features and model")
    if hasattr(model, "_proba"):
        wrap(model, "_proba", "model")
    wrap(pipeline.decoder, "decode", "decoding")
    wrap(pipeline, "predict_documents", "predict_documents")
    wrap(pipeline, "label_documents", "label_documents")
    wrap(runner, "write_batch", "serialising")
    try:
        yield seconds
    finally:
        for owner, name, function in reversed(originals):
            setattr(owner, name, function)


def stage_profile(pipeline_dir: Path, input_path: Path) -> dict[str, float]:
    """Seconds per stage of one worker labelling ``input_path`` in this process, as `--workers 1` does."""
    started = time.perf_counter()
    from newsseg.features.recurrence import SiteMemory
    from newsseg.io.writers import OutputSettings
    from newsseg.pipeline import Pipeline
    from newsseg.serving.inputs import DEFAULT_BATCH_SIZE, JsonlLines, iter_input_batches
    from newsseg.serving.runner import label_batch

    imported = time.perf_counter()
    pipeline = Pipeline.load(pipeline_dir)
    loaded = time.perf_counter()
    settings = OutputSettings("jsonl", frozenset(), with_headers=True)
    memory = SiteMemory()
    totals = {"imports": imported - started, "loading the model": loaded - imported}
    reading = parsing = writing = 0.0
    with open(os.devnull, "w", encoding="utf-8") as out, stage_timers(pipeline) as seconds:
        writer = settings.writer(out)
        writer.start()
        batches = iter(iter_input_batches([input_path], DEFAULT_BATCH_SIZE, "id", "text"))
        while True:
            at = time.perf_counter()
            batch = next(batches, None)
            reading += time.perf_counter() - at
            if batch is None:
                break
            if isinstance(batch, JsonlLines):  # label_batch parses it: parse here, timed, and hand it documents
                at = time.perf_counter()
                batch = batch.documents()
                parsing += time.perf_counter() - at
            written = label_batch(pipeline, memory, settings, batch)
            at = time.perf_counter()
            writer.put(written)
            writing += time.perf_counter() - at
        writer.finish()
    # Exclusive seconds: each stage less the stages inside it.
    features_and_model = seconds["features and model"]
    labelling = seconds["predict_documents"]
    inner = sum(seconds[s] for s in ("segmentation", "line forms", "site recurrence", "features and model", "decoding"))
    totals.update({"reading": reading, "parsing (JSON)": parsing, "segmentation": seconds["segmentation"],
                   "line forms": seconds["line forms"], "site recurrence": seconds["site recurrence"],
                   "features": features_and_model - seconds["model"], "model": seconds["model"],
                   "decoding": seconds["decoding"], "segment frame and output rows": labelling - inner,
                   "document checks": seconds["label_documents"] - labelling,
                   "serialising (JSON)": seconds["serialising"], "writing": writing})
    return totals


def run(pipeline_dir: Path, sizes_mb: list[float], repeats: int) -> dict:
    pages, source = source_pages()
    with tempfile.TemporaryDirectory(prefix="newsseg-e2e-") as tmp:
        work = Path(tmp)
        sample = work / "sample.jsonl"
        sample_mb = write_pages(sample, pages, 0.5)
        result = {"source": source, "sample_mb": sample_mb, "one_page": one_page(pipeline_dir, work, pages[0]["text"])}
        print(f"one page: {result['one_page']}", file=sys.stderr, flush=True)
        result["references"] = reference_rates(sample)
        print(f"references: {result['references']}", file=sys.stderr, flush=True)
        result["inputs"] = []
        for megabytes in sizes_mb:
            input_path = work / f"in-{megabytes:g}.jsonl"
            written = write_pages(input_path, pages, megabytes)
            runs = jsonl_runs(pipeline_dir, work, input_path, written, repeats)
            print(f"{megabytes:g} MB: {runs}", file=sys.stderr, flush=True)
            result["inputs"].append(runs)
            if megabytes == sizes_mb[0]:
                result["stages"] = stage_profile(pipeline_dir, input_path)
                result["stages_mb"] = written
            input_path.unlink()
        result["references"]["c4_rules (after)"] = reference_rates(sample)["c4_rules"]
    return result


def table(result: dict, command: str) -> str:
    page, refs = result["one_page"], result["references"]
    c4 = (refs["c4_rules"] + refs["c4_rules (after)"]) / 2
    lines = [HEADING, "", f"`{command}`, on {result['source']}; each figure a whole `newsseg predict` command "
             "(start-up, reading, labelling, writing), best of the runs. Reference rates on one core, text in "
             f"memory (`speed.py measure`, on {result['sample_mb']:.1f} MB of the same pages): the C4 rules "
             f"{c4:.2f} MB/s (mean of a measurement before and after the commands), "
             f"jusText {refs['justext']:.2f} MB/s.",
             "", f"One page ({page['page_bytes']} bytes, `newsseg predict page.txt`): **{page['predict_s']:.2f} s**; "
             f"`python -c \"import numpy, pandas, sklearn\"` {page['imports_s']:.2f} s: "
             f"**{page['predict_s'] / page['imports_s']:.2f}x**.", "",
             "| input MB of text | workers | seconds | MB/s end to end | x the C4 rules (one core) "
             "| x jusText (one core) | speed-up vs 1 worker | labels differing from 1 worker |", "|---|---|---|---|---|---|---|---|"]
    for runs in result["inputs"]:
        for workers, seconds in sorted(runs["seconds"].items(), key=lambda item: int(item[0])):
            rate = runs["megabytes"] / seconds
            two = int(workers) == 2
            speedup = runs["seconds"][1] / seconds if two else 1.0
            differing = f"{runs['labels_differing']:,} of {runs['labels']:,}" if two else "–"
            lines.append(f"| {runs['megabytes']:.1f} | {workers} | {seconds:.1f} | {rate:.2f} | {rate / c4:.2f}x | "
                         f"{rate / refs['justext']:.1f}x | {speedup:.2f}x | {differing} |")
    stages = result["stages"]
    total = sum(stages.values())
    lines += ["", f"Where one worker's time goes ({result['stages_mb']:.1f} MB, the labelling loop of `--workers 1` "
              "in one process, timers around each stage; total "
              f"{total:.1f} s, {result['stages_mb'] / total:.2f} MB/s):", "",
              "| stage | seconds | share |", "|---|---|---|"]
    lines += [f"| {stage} | {seconds:.2f} | {seconds / total:.0%} |" for stage, seconds in stages.items()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pipeline_dir", type=Path, help="a saved pipeline folder (pipeline.json inside)")
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[30, 200], help="JSONL inputs, MB of text")
    parser.add_argument("--repeats", type=int, default=2, help="runs per worker count (inputs under 100 MB)")
    parser.add_argument("--output", type=Path, help="also write the result as JSON here")
    args = parser.parse_args(argv)
    if not (args.pipeline_dir / "pipeline.json").is_file():
        parser.error(f"{args.pipeline_dir}: no pipeline.json (give a saved pipeline folder)")
    result = run(args.pipeline_dir.resolve(), args.sizes_mb, args.repeats)
    if args.output:
        args.output.write_text(json.dumps(result, indent=1), encoding="utf-8")
    sizes = " ".join(f"{size:g}" for size in args.sizes_mb)
    print(table(result, f"python benchmarks/end_to_end.py PIPELINE_DIR --sizes-mb {sizes} --repeats {args.repeats}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

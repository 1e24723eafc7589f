"""`newsseg predict` at corpus scale: speed-up from 1 to 2 workers, and peak memory on a large input.

    python benchmarks/scale.py PIPELINE_DIR [--speedup-mb 8] [--repeats 3] [--memory-mb 1000 [--memory-minutes 10]]

The input is the bundled pages' raw text repeated (fresh ids, ``meta.domain`` kept) up to the size asked
for, written as JSONL to a temporary folder. Each measurement runs the real CLI (`newsseg predict`) in a
subprocess; memory is the peak of the summed RSS of the whole process tree (the main process and its
workers), sampled every 0.2 s. 1 and 2 workers take turns, three runs each (the fastest is kept), and the
outputs are compared: labels that differ between 1 and 2 workers, and whether 2 workers gave the same output
in every run. Start-up (importing, spawning the workers, loading the model) is measured
apart, as the best of three runs on a one-page input: the speed-up is given with it and without it, since
on a corpus it is paid once. Two copies of the work at once are measured too: the same labelling run in one
process alone, then in two independent processes at once (no reading, writing or coordination shared):
what two cores of this machine give two copies of the labelling work (`--workers 2` can pass it a little,
since its main process takes the reading and writing off the workers).
"""

from __future__ import annotations

import argparse
import itertools
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import psutil

ROOT = Path(__file__).resolve().parents[1]
NEWSSEG = Path(sys.executable).parent / "newsseg"


def write_input(path: Path, megabytes: float) -> float:
    """Repeat the bundled pages into ``path`` until it holds ``megabytes`` of raw text; returns the MB."""
    pages = [json.loads(line) for line in (ROOT / "data/corpus/bundled.jsonl").read_text(encoding="utf-8").splitlines()]
    written, copy = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < megabytes * 1e6:
            for page in pages:
                record = {"id": f"{page['id']}#{copy}", "text": page["text"], "meta": {"domain": page["meta"].get("domain")}}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += len(page["text"].encode("utf-8"))
            copy += 1
    return written / 1e6


def run_predict(pipeline_dir: Path, input_path: Path, workers: int, output: Path,
                max_seconds: Optional[float] = None, threads: int = 0) -> dict:
    """Run `newsseg predict` and sample the summed RSS of its process tree every 0.2 s: wall seconds, peak MB,
    the tree's RSS at each minute, and the MB of text labelled. With ``max_seconds`` the run is interrupted
    (Ctrl-C) then; what it labelled is counted from its partial output."""
    command = [str(NEWSSEG), "predict", "--model", str(pipeline_dir), str(input_path), "--output", str(output),
               "--workers", str(workers), "--threads", str(threads)]
    log = output.with_suffix(".log")
    started = time.perf_counter()
    peak, per_minute, interrupted = 0, [], False
    with log.open("w") as stderr:  # a file, not a pipe: the progress bar would fill a pipe and block
        # SIGINT back to its default in the child: a background job (`make bench &`) inherits it ignored.
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)] if p.is_running())
                peak = max(peak, rss)
            except psutil.Error:  # a process ended between listing and reading it
                pass
            elapsed = time.perf_counter() - started
            if elapsed >= 60 * (len(per_minute) + 1):
                per_minute.append(peak / 2**20)
            if max_seconds and elapsed > max_seconds and not interrupted:
                proc.send_signal(signal.SIGINT)
                interrupted = True
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 and not interrupted:
        raise RuntimeError(f"`{' '.join(command)}` failed: {log.read_text()[-2000:]}")
    # The output keeps the input's order: the documents labelled are the first `done` of the input.
    written = output if output.exists() else output.with_name(f".{output.name}.partial")
    with written.open(encoding="utf-8") as fh:
        done = sum(1 for line in fh if line.endswith("\n"))
    with input_path.open(encoding="utf-8") as fh:
        text_bytes = sum(len(json.loads(line)["text"].encode("utf-8")) for line in itertools.islice(fh, done))
    return {"workers": workers, "threads": threads, "seconds": seconds, "peak_rss_mb": peak / 2**20, "interrupted": interrupted,
            "labelled_mb": text_bytes / 1e6, "peak_by_minute_mb": per_minute}


def independent_runs_speedup(pipeline_dir: Path, input_path: Path, repeats: int = 3) -> dict:
    """Labelling throughput of two independent single-threaded processes at once, against one alone
    (``benchmarks/speed.py measure``, best of ``repeats`` each): what two cores give two copies of the work."""
    from speed import finish_measure, start_measure  # benchmarks/ is on the path (this folder, or run_benchmarks)

    def rates(copies: int) -> list[float]:
        procs = [start_measure("pipeline", input_path, pipeline_dir, passes=1) for _ in range(copies)]
        return [finish_measure(proc, "pipeline")["mb_per_s"] for proc in procs]

    alone = max(rates(1)[0] for _ in range(repeats))
    together = max(sum(rates(2)) for _ in range(repeats))
    return {"alone_mb_per_s": alone, "two_at_once_mb_per_s": together, "speedup": together / alone}


def label_differences(first: Path, second: Path) -> dict:
    """Segment labels that differ between two outputs of the same input (their segments are the same)."""
    differing = total = 0
    with first.open(encoding="utf-8") as a, second.open(encoding="utf-8") as b:
        for line_a, line_b in zip(a, b, strict=True):
            segments_a, segments_b = json.loads(line_a)["segments"], json.loads(line_b)["segments"]
            total += len(segments_a)
            differing += sum(x["label"] != y["label"] for x, y in zip(segments_a, segments_b, strict=True))
    return {"labels_differing": differing, "labels": total}


def run(pipeline_dir: Path, speedup_mb: float = 8.0, memory_mb: float = 0.0, memory_minutes: float = 0.0,
        repeats: int = 3) -> dict:
    results: dict = {"speedup": [], "memory": None}
    with tempfile.TemporaryDirectory() as tmp:
        small, one_page = Path(tmp) / "pages.jsonl", Path(tmp) / "one-page.jsonl"
        write_input(small, 1.0)
        print("== scale: one labelling process alone and two at once", file=sys.stderr, flush=True)
        results["two_copies"] = independent_runs_speedup(pipeline_dir, small)
        megabytes = write_input(small, speedup_mb)
        with small.open(encoding="utf-8") as fh:
            one_page.write_text(fh.readline(), encoding="utf-8")
        # Interleaved rounds, the fastest run of each kept: the machine's rates drift between runs.
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for round_number in range(repeats):
            for workers in (1, 2):
                print(f"== scale: {megabytes:.1f} MB with --workers {workers} (round {round_number + 1} of {repeats})",
                      file=sys.stderr, flush=True)
                # One math thread per worker: the number of workers is then the only thing that changes
                # (by default a lone worker also gets the second core for the boosting's OpenMP loops).
                output = Path(tmp) / f"out{workers}-{round_number}.jsonl"
                runs[workers].append(dict(run_predict(pipeline_dir, small, workers, output, threads=1), output=output))
        for workers in (1, 2):
            row = min(runs[workers], key=lambda r: r["seconds"])
            startup = min(run_predict(pipeline_dir, one_page, workers, Path(tmp) / f"one{workers}.jsonl",
                                      threads=1)["seconds"] for _ in range(3))
            results["speedup"].append(dict(row, output=None, megabytes=megabytes, mb_per_s=megabytes / row["seconds"],
                                           startup_seconds=startup, runs=len(runs[workers]),
                                           labelling_mb_per_s=megabytes / max(row["seconds"] - startup, 1e-9)))
        two_worker_outputs = [r["output"].read_bytes() for r in runs[2]]
        results["outputs"] = dict(label_differences(runs[1][0]["output"], runs[2][0]["output"]),
                                  two_workers_same_each_run=len(set(two_worker_outputs)) == 1)
        if memory_mb:
            large = Path(tmp) / "large.jsonl"
            megabytes = write_input(large, memory_mb)
            print(f"== scale: peak memory on {megabytes:.0f} MB with --workers 2", file=sys.stderr, flush=True)
            row = run_predict(pipeline_dir, large, 2, Path(tmp) / "large-out.jsonl", 60 * memory_minutes or None)
            results["memory"] = dict(row, megabytes=megabytes, input_bytes=large.stat().st_size)
    return results


def table(results: dict) -> str:
    rows = results["speedup"]
    base, labelling_base = rows[0]["mb_per_s"], rows[0]["labelling_mb_per_s"]
    lines = [f"`--threads 1` (one math thread per worker) in both rows; each row is the fastest of {rows[0]['runs']} "
             "runs, 1 and 2 workers taking turns. Start-up: the best of three runs on a one-page input (imports, "
             "spawning the workers, loading the model); \"after start-up\" takes it off "
             "the run's seconds, which is what a corpus-sized input sees.", "",
             "| workers | input MB of text | seconds | MB/s | speed-up vs 1 worker | start-up s | "
             "MB/s after start-up | speed-up after start-up | peak RSS MB (process tree) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['workers']} | {r['megabytes']:.1f} | {r['seconds']:.1f} | {r['mb_per_s']:.3f} | "
                     f"{r['mb_per_s'] / base:.2f}x | {r['startup_seconds']:.1f} | {r['labelling_mb_per_s']:.3f} | "
                     f"{r['labelling_mb_per_s'] / labelling_base:.2f}x | {r['peak_rss_mb']:.0f} |")
    outputs = results.get("outputs")
    if outputs:
        lines += ["", f"Output: {outputs['labels_differing']} of {outputs['labels']:,} segment labels differ between "
                      "1 and 2 workers (each worker's site memory holds only the pages it labelled); the 2-worker output was "
                      + ("byte-identical in every run." if outputs["two_workers_same_each_run"]
                         else "**not** the same in every run.")]
    two_copies = results.get("two_copies")
    if two_copies:
        lines += ["", f"Two copies at once: the same labelling (`benchmarks/speed.py measure`, 1 MB, one thread) ran at "
                      f"{two_copies['alone_mb_per_s']:.3f} MB/s in one process alone and {two_copies['two_at_once_mb_per_s']:.3f} "
                      f"MB/s summed over two independent processes at once (best of 3 each): **{two_copies['speedup']:.2f}x**: what "
                      "this machine's two cores give two copies of the labelling work. `--workers 2` can pass it, since its "
                      "main process also takes the reading and writing off the workers; the rates also drift by up to a "
                      "third between runs on this shared machine."]
    memory = results["memory"]
    if memory:
        ran = (f"stopped (Ctrl-C) after {memory['seconds'] / 60:.0f} min, having labelled "
               f"{memory['labelled_mb']:.0f} MB of its text" if memory["interrupted"]
               else f"the whole input in {memory['seconds'] / 60:.1f} min")
        rate = memory["labelled_mb"] / memory["seconds"]
        lines += ["", f"Large input: a {memory['input_bytes'] / 1e9:.2f} GB JSONL ({memory['megabytes']:.0f} MB of text) "
                      f"with `--workers 2`, {ran} ({rate:.3f} MB/s, {rate / labelling_base:.2f}x the 1-worker rate after "
                      f"start-up above): peak RSS of the process tree **{memory['peak_rss_mb']:.0f} MB**; "
                      "peak so far at each minute: " + ", ".join(f"{mb:.0f}" for mb in memory["peak_by_minute_mb"])
                      + " MB."]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pipeline_dir", type=Path, help="a saved newsseg Pipeline folder (or any --model value)")
    parser.add_argument("--speedup-mb", type=float, default=8.0, help="MB of text for the 1-vs-2-workers runs")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each worker count (the fastest is kept)")
    parser.add_argument("--memory-mb", type=float, default=0.0, help="MB of text for the peak-memory run (0: skip)")
    parser.add_argument("--memory-minutes", type=float, default=0.0,
                        help="stop the peak-memory run after this many minutes (0: run to the end)")
    args = parser.parse_args()
    print(table(run(args.pipeline_dir, args.speedup_mb, args.memory_mb, args.memory_minutes, args.repeats)))

"""Speed and peak memory of each system on the same text, one process per system, one thread.

`python benchmarks/speed.py measure SYSTEM INPUT.jsonl [PIPELINE_DIR]` prints one JSON line:
MB of raw text per second, segments per second and peak RSS. SYSTEM is a reference system
(keep_all, c4_rules, justext) or `pipeline` (a saved newsseg Pipeline folder).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                 "TOKENIZERS_PARALLELISM": "false"}


def measure(system: str, input_path: str, pipeline_dir: str | None = None) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from newsseg.readers import ReaderOptions, read_documents
    from newsseg.segmentation import segment

    docs = list(read_documents("jsonl", input_path, ReaderOptions(read_spans=False)))
    megabytes = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    if system == "pipeline":
        from newsseg.inference import Pipeline

        pipeline = Pipeline.load(pipeline_dir)
        pipeline.predict_documents(docs[:2])  # warm-up: lazy imports, model load
        started = time.perf_counter()
        segments = 0
        for i in range(0, len(docs), 32):
            segments += sum(len(s) for s in pipeline.predict_documents(docs[i:i + 32]))
    else:
        from newsseg.baselines import REFERENCE_SYSTEMS

        keep = REFERENCE_SYSTEMS[system]
        keep([d.text[:200] for d in docs[:2]])
        started = time.perf_counter()
        segments = 0
        for doc in docs:
            lines = [s.text for s in segment(doc)]
            keep(lines)
            segments += len(lines)
    seconds = time.perf_counter() - started
    return {"system": system, "documents": len(docs), "megabytes": round(megabytes, 3), "seconds": round(seconds, 2),
            "segments": segments, "mb_per_s": megabytes / seconds, "segments_per_s": segments / seconds,
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the parent's
    high-water mark across fork and exec, so a small child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_measure(system: str, input_path: Path, pipeline_dir: Path | None = None) -> subprocess.Popen:
    """``measure`` started in a fresh single-threaded process (so peak memory is the system's own)."""
    command = [sys.executable, __file__, "measure", system, str(input_path)] + ([str(pipeline_dir)] if pipeline_dir else [])
    return subprocess.Popen(command, env=dict(os.environ, **SINGLE_THREAD), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish_measure(proc: subprocess.Popen, system: str) -> dict:
    stdout, stderr = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"speed run of {system} failed: {stderr[-2000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def run_measure(system: str, input_path: Path, pipeline_dir: Path | None = None) -> dict:
    return finish_measure(start_measure(system, input_path, pipeline_dir), system)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)))
    else:
        print(__doc__)
        sys.exit(2)

"""Speed and peak memory of each system on the same text, one process per system, one thread.

`python benchmarks/speed.py measure SYSTEM INPUT.jsonl [PIPELINE_DIR] [--passes N]` prints one JSON line:
MB of raw text per second and segments per second in the first pass over the input, MB per second in
the passes after it (the median: the steady rate of a long stream, without the first pass's cold
caches and fresh memory), and peak RSS. SYSTEM is a reference system (keep_all, c4_rules, justext) or
`pipeline` (a saved newsseg Pipeline folder, labelling as `newsseg predict` does). With
`NEWSSEG_NO_JIT=1` in its environment, newsseg runs without its compiled kernels (``run_measure(...,
kernels=False)`` starts such a process): the rate the kernels buy.
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
# newsseg reads the switch when it labels, so a measurement with the kernels off needs a process of its own.
KERNELS_SWITCH = "NEWSSEG_NO_JIT"


def measure(system: str, input_path: str, pipeline_dir: str | None = None, passes: int = 3) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from newsseg.kernels import jit_enabled
    from newsseg.io.readers import ReaderOptions, read_documents
    from newsseg.text.segmentation import segment

    docs = list(read_documents("jsonl", input_path, ReaderOptions(read_spans=False)))
    megabytes = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    if system == "pipeline":
        from newsseg.features.recurrence import SiteMemory
        from newsseg.pipeline import Pipeline
        from newsseg.serving.inputs import DEFAULT_BATCH_SIZE

        pipeline = Pipeline.load(pipeline_dir)
        pipeline.predict_documents(docs[:2])  # warm-up: lazy imports, model load

        def one_pass() -> int:
            # What `newsseg predict` does with each batch, less reading and writing: its batch size, a site
            # memory over the stream, no per-label scores.
            memory, size = SiteMemory(), DEFAULT_BATCH_SIZE
            return sum(len(segments) for i in range(0, len(docs), size)
                       for segments, _ in pipeline.label_documents(docs[i:i + size], memory, with_scores=False))
    else:
        from newsseg.baselines import REFERENCE_SYSTEMS

        keep = REFERENCE_SYSTEMS[system]
        keep([d.text[:200] for d in docs[:2]])

        def one_pass() -> int:
            segments = 0
            for doc in docs:
                lines = [s.text for s in segment(doc)]
                keep(lines)
                segments += len(lines)
            return segments
    seconds = []
    for _ in range(max(passes, 1)):
        started = time.perf_counter()
        segments = one_pass()
        seconds.append(time.perf_counter() - started)
    later = sorted(seconds[1:])
    steady = later[len(later) // 2] if later else None
    return {"system": system, "documents": len(docs), "megabytes": round(megabytes, 3), "seconds": round(seconds[0], 2),
            "segments": segments, "mb_per_s": megabytes / seconds[0], "segments_per_s": segments / seconds[0],
            "mb_per_s_steady": megabytes / steady if steady else None, "passes": len(seconds),
            "peak_rss_mb": peak_rss_mb(), "kernels": jit_enabled()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss keeps the parent's
    high-water mark across fork and exec, so a small child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_measure(system: str, input_path: Path, pipeline_dir: Path | None = None, passes: int = 3,
                  kernels: bool = True) -> subprocess.Popen:
    """``measure`` started in a fresh single-threaded process (so peak memory is the system's own); with
    ``kernels`` False, newsseg's compiled kernels switched off in it (their plain twins run)."""
    command = [sys.executable, __file__, "measure", system, str(input_path),
               *([str(pipeline_dir)] if pipeline_dir else []), "--passes", str(passes)]
    env = dict(os.environ, **SINGLE_THREAD, **{KERNELS_SWITCH: "" if kernels else "1"})
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_measure(proc: subprocess.Popen, system: str) -> dict:
    stdout, stderr = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"speed run of {system} failed: {stderr[-2000:]}")
    return json.loads(stdout.strip().splitlines()[-1])


def run_measure(system: str, input_path: Path, pipeline_dir: Path | None = None, passes: int = 3,
                kernels: bool = True) -> dict:
    return finish_measure(start_measure(system, input_path, pipeline_dir, passes, kernels), system)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    passes = 3
    if "--passes" in arguments:
        at = arguments.index("--passes")
        passes = int(arguments[at + 1])
        del arguments[at:at + 2]
    if len(arguments) in (3, 4) and arguments[0] == "measure":
        print(json.dumps(measure(arguments[1], arguments[2], arguments[3] if len(arguments) > 3 else None, passes)))
    else:
        print(__doc__)
        sys.exit(2)

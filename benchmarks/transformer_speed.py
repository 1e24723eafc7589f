"""Transformer inference speed (issue 6): newsseg's ``minilm_finetune`` inference against a plain
``transformers`` text-classification pipeline, on the same segments, threads and machine.

`python benchmarks/transformer_speed.py PIPELINE_DIR [EVAL.jsonl] [--limit N]` prints the markdown section.
PIPELINE_DIR is a saved newsseg Pipeline (``Pipeline.save``) of the ``minilm_finetune`` family. Segments:
the bundled corpus test split, or the labelled segments of EVAL.jsonl; the first ``limit`` of them.
Model only: no decoder. Rows:

- plain pipeline: ``transformers.pipeline("text-classification", batch_size=32)`` fed the same
  (segment, context) pairs as newsseg (``pair_inputs``), same truncation and max_length, argmax label;
- newsseg fp32: ``MinilmFinetune.predict_proba`` (pairs tokenized once, batches of similar token
  counts, ``torch.inference_mode``);
- newsseg int8: the same with dynamic int8 quantisation of the Linear layers;
- newsseg onnx fp32 / int8: the same batches run by ONNX Runtime (``runtime: onnx``) on an ONNX export of
  the model, int8 by ONNX Runtime's dynamic quantisation (skipped when onnxruntime is not installed).

Each path is warmed up on a few segments, then timed ``repeats`` times, interleaved; the best time counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsseg.labels import LABEL_TO_ID, LABELS  # noqa: E402

HEADING = "### Transformer inference: newsseg vs a plain transformers pipeline"
PLAIN_BATCH_SIZE = 32


def bundled_test_frame() -> pd.DataFrame:
    """The test split of the bundled corpus, as ``configs/data/bundled.yaml`` builds it (built in a temp folder)."""
    from datasets.utils.logging import disable_progress_bar

    from newsseg.config import load_data_config
    from newsseg.data.dataset import build_dataset, load_dataset_dict

    disable_progress_bar()
    config = load_data_config(ROOT / "configs/data/bundled.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        config = config.model_copy(update={
            "output_dir": tmp,
            "sources": [s.model_copy(update={"path": str(ROOT / s.path)}) for s in config.sources]})
        built = build_dataset(config, progress=False)
        frame = load_dataset_dict(built.path)["test"].to_pandas()
    frame["label"] = frame["label"].astype(int)
    return frame


def eval_frame(pipeline, eval_path: Path) -> pd.DataFrame:
    """Labelled segments of a gold JSONL file, segmented as the pipeline does."""
    from newsseg.io.readers import read_documents

    frame = pipeline.frame(list(read_documents("jsonl", eval_path)))
    frame = frame[frame["label"].notna()].reset_index(drop=True)
    frame["label"] = frame["label"].map(LABEL_TO_ID).astype(int)
    return frame


def plain_pipeline(hf_dir: Path):
    from transformers import pipeline

    return pipeline("text-classification", model=str(hf_dir), tokenizer=str(hf_dir), device="cpu",
                    batch_size=PLAIN_BATCH_SIZE)


def plain_inputs(model, frame: pd.DataFrame) -> list:
    from newsseg.models.transformer_models import pair_inputs

    texts, context = pair_inputs(frame, model.config.context)
    if context is None:
        return texts
    return [{"text": t, "text_pair": c} for t, c in zip(texts, context)]


def plain_labels(classifier, inputs: list, max_length: int, truncation) -> np.ndarray:
    out = classifier(inputs, truncation=truncation, max_length=max_length)
    return np.array([LABEL_TO_ID[o["label"] if isinstance(o, dict) else o[0]["label"]] for o in out])


def plain_proba(classifier, inputs: list, max_length: int, truncation) -> np.ndarray:
    out = classifier(inputs, truncation=truncation, max_length=max_length, top_k=None)
    proba = np.zeros((len(inputs), len(LABELS)))
    for i, scores in enumerate(out):
        for s in scores:
            proba[i, LABEL_TO_ID[s["label"]]] = s["score"]
    return proba


def measure(pipeline_dir: Path, eval_path: Optional[Path] = None, limit: int = 1500, repeats: int = 3,
            warmup: int = 16, check: int = 64, log=print) -> dict:
    import torch

    from newsseg.evaluation import evaluate_labels
    from newsseg.pipeline import Pipeline
    from newsseg.torch_threads import set_torch_threads

    pipeline = Pipeline.load(pipeline_dir)
    model = pipeline.model
    if model.family != "minilm_finetune":
        raise ValueError(f"{pipeline_dir}: a {model.family} pipeline; this benchmark needs minilm_finetune")
    frame = eval_frame(pipeline, eval_path) if eval_path else bundled_test_frame()
    frame = frame.iloc[:limit].reset_index(drop=True)
    gold = frame["label"].to_numpy()
    config = model.config
    max_length = config.max_length
    truncation = "longest_first" if config.context else True
    set_torch_threads()  # what newsseg's inference does; the plain pipeline then runs on the same threads
    threads = torch.get_num_threads()

    classifier = plain_pipeline(pipeline_dir / "model" / "hf")
    inputs = plain_inputs(model, frame)

    def run_plain(part: slice) -> np.ndarray:
        return plain_labels(classifier, inputs[part], max_length, truncation)

    int8_model = type(model).load(pipeline_dir / "model").with_inference(quantize="int8")
    started = time.perf_counter()
    int8_model._inference_model()  # builds the quantised copy (once per loaded model)
    quantize_seconds = time.perf_counter() - started

    def run_newsseg(segment_model):
        return lambda part: segment_model.predict_proba(frame.iloc[part]).argmax(1)

    onnx_paths, onnx_seconds = {}, {}
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        pass
    else:
        for quantize in ("none", "int8"):
            onnx_model = type(model).load(pipeline_dir / "model").with_inference(quantize=quantize, runtime="onnx")
            started = time.perf_counter()
            onnx_model.predict_proba(frame.iloc[:1])  # exports and builds the session (once per loaded model)
            name = f"newsseg onnx {'fp32' if quantize == 'none' else 'int8'}"
            onnx_seconds[name] = time.perf_counter() - started
            onnx_paths[name] = run_newsseg(onnx_model)

    # Sanity check: the plain pipeline and newsseg fp32 compute the same probabilities.
    sample = slice(0, min(check, len(frame)))
    ours = model.predict_proba(frame.iloc[sample])
    theirs = plain_proba(classifier, inputs[sample], max_length, truncation)
    sanity = {"segments": len(ours), "max_abs_diff": float(np.abs(ours - theirs).max()),
              "labels_agree": int((ours.argmax(1) == theirs.argmax(1)).sum())}

    paths = {"plain transformers pipeline": run_plain, "newsseg fp32": run_newsseg(model),
             "newsseg int8 (dynamic)": run_newsseg(int8_model), **onnx_paths}
    for run in paths.values():
        run(slice(0, warmup))
    seconds = {name: float("inf") for name in paths}
    labels: dict[str, np.ndarray] = {}
    for r in range(repeats):
        for name, run in paths.items():
            started = time.perf_counter()
            labels[name] = run(slice(None))
            elapsed = time.perf_counter() - started
            seconds[name] = min(seconds[name], elapsed)
            log(f"  run {r + 1}/{repeats} {name}: {len(frame) / elapsed:.1f} segments/s")

    rows = {}
    base = "plain transformers pipeline"
    base_f1 = evaluate_labels(gold, labels[base])["metrics"]["macro_f1"]
    for name in paths:
        f1 = evaluate_labels(gold, labels[name])["metrics"]["macro_f1"]
        rows[name] = {"segments_per_s": len(frame) / seconds[name], "speedup": seconds[base] / seconds[name],
                      "macro_f1": f1, "delta_f1": abs(f1 - base_f1),
                      "agreement": float((labels[name] == labels[base]).mean())}
    return {"segments": len(frame), "source": str(eval_path) if eval_path else "bundled corpus, test split",
            "threads": threads, "max_length": max_length, "batch_size": config.inference_batch_size,
            "repeats": repeats, "quantize_seconds": quantize_seconds, "onnx_seconds": onnx_seconds,
            "sanity": sanity, "rows": rows}


def format_section(result: dict) -> str:
    s = result["sanity"]
    lines = [
        HEADING, "",
        (f"{result['segments']} segments ({result['source']}), model only (no decoder), "
         f"{result['threads']} torch threads for every row, max_length {result['max_length']}; "
         f"plain pipeline batch_size {PLAIN_BATCH_SIZE} (input order), newsseg batches of "
         f"{result['batch_size']} by token count. Best of {result['repeats']} interleaved runs after a warm-up."),
        "",
        "| path | segments/s | speed-up | macro-F1 | abs ΔF1 vs plain | label agreement with plain |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in result["rows"].items():
        lines.append(f"| {name} | {row['segments_per_s']:.1f} | {row['speedup']:.2f}x | {row['macro_f1']:.4f} | "
                     f"{row['delta_f1']:.4f} | {row['agreement']:.2%} |")
    lines += [
        "",
        (f"Sanity check, first {s['segments']} segments: newsseg fp32 vs the plain pipeline, max |Δ probability| "
         f"{s['max_abs_diff']:.1e}, labels agree {s['labels_agree']}/{s['segments']}. "
         f"Building the int8 copy took {result['quantize_seconds']:.1f} s (once per loaded model, not "
         "in its time)."),
        "",
    ]
    if result["onnx_seconds"]:
        builds = ", ".join(f"{name}: {t:.1f} s" for name, t in result["onnx_seconds"].items())
        lines += [(f"Exporting to ONNX and building the ONNX Runtime session ({builds}) is also once per loaded "
                   "model, not in its time."), ""]
    else:
        lines += ["ONNX Runtime rows skipped: onnxruntime is not installed (`pip install -e '.[onnx]'`).", ""]
    return "\n".join(lines)


def transformer_speed_section(pipeline_dir: Path, eval_path: Optional[Path] = None, limit: int = 1500,
                              repeats: int = 3, log=print) -> str:
    return format_section(measure(Path(pipeline_dir), Path(eval_path) if eval_path else None, limit, repeats,
                                  log=log))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pipeline_dir", type=Path, help="saved newsseg Pipeline folder (minilm_finetune)")
    parser.add_argument("eval_path", type=Path, nargs="?", help="gold JSONL; default: bundled test split")
    parser.add_argument("--limit", type=int, default=1500, help="segments measured")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per path (best counts)")
    args = parser.parse_args(argv)
    print(transformer_speed_section(args.pipeline_dir, args.eval_path, args.limit, args.repeats,
                                    log=lambda m: print(m, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Plain helpers shared by test modules: paths, writers of test inputs, a model-less pipeline, training
configs, segment frames. Test modules import from here, never from one another or from conftest.py
(which holds the fixtures)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BUNDLED = ROOT / "data" / "corpus" / "bundled.jsonl"

requires_shared = pytest.mark.skipif(
    not (SHARED_DATA / "real").is_dir(),
    reason=f"real data not available at {SHARED_DATA} (it is not shipped with newsseg)",
)

# What "ends like a sentence" means, written out for the tests (newsseg keeps its own, private copy):
# the last character, before a final line break, is one of these, full-width CJK endings included.
TERMINAL_RE = re.compile("[.!?\"')\u201d\u2019\u3002\uff01\uff1f\u300d\u300f]$")


def bundled_lines() -> list[str]:
    """Every line of the bundled pages, as written (empty ones too)."""
    return [line for row in BUNDLED.read_text(encoding="utf-8").splitlines()
            for line in json.loads(row)["text"].splitlines()]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def stub_pipeline():
    """A Pipeline without a model that labels each document it is given one news_body segment: the paths
    around the model (reading, failed documents, output) without training one."""
    from newsseg.pipeline import Pipeline
    from newsseg.labels import LABELS

    class StubPipeline(Pipeline):
        def predict_documents(self, docs, memory=None, with_scores=True):
            scores = {"scores": {label: float(label == "news_body") for label in LABELS}} if with_scores else {}
            return [[{"start": 0, "end": len(d.text), "label": "news_body", "score": 1.0, **scores}] for d in docs]

    return StubPipeline(model=None, decoder=None)


def tiny_data_yaml(workdir: Path) -> str:
    """A data config over the first pages of the bundled corpus (several sites), built under workdir."""
    return (f"name: tiny\nsources:\n  - reader: jsonl\n    path: {BUNDLED}\n    limit: 48\n"
            f"split: {{validation: 0.2, test: 0.2, seed: 3}}\noutput_dir: {workdir / 'processed'}\n")


def train_config(workdir: Path, data_config: Path, model: dict, decoder: str = "none", name: str = "smoke",
                 **extra) -> Path:
    import yaml

    config = {"name": name, "data": str(data_config), "model": model,
              "decoder": {"name": decoder, **({"train_on": "validation"} if model["name"] == "minilm_finetune" else {})},
              "seed": 7, **extra}
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def subprocess_env() -> dict:
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def frame_of(pages: dict[str, tuple[str, str]]):
    """Segment rows (the dataset's columns) of pages given as {doc_id: (site, text)}."""
    import pandas as pd

    from newsseg.data.segment_rows import COLUMNS, document_rows
    from newsseg.text.documents import Document

    rows = []
    for doc_id, (site, text) in pages.items():
        rows += document_rows(Document(doc_id, text, {"domain": site}), "lines", 1500, 100)
    return pd.DataFrame(rows, columns=list(COLUMNS))

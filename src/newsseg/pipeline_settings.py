"""A saved pipeline folder's ``pipeline.json``: its format version and labels, checked without loading the
model, so that a process that only hands the folder on (``predict``'s parent, with workers) imports neither
numpy nor pandas."""

from __future__ import annotations

import json
from pathlib import Path

from newsseg.labels import LABELS

# 2: the package's modules moved into subpackages (text, io, data, features, serving), so a pickled model of
# format 1 names modules that no longer exist.
PIPELINE_FORMAT_VERSION = 2


def read_pipeline_settings(path: Path | str) -> dict:
    """The folder's ``pipeline.json``, checked against this newsseg (cheap: loads no model)."""
    path = Path(path)
    if not (path / "pipeline.json").is_file():
        raise FileNotFoundError(f"{path}: not a newsseg model folder (no pipeline.json)")
    settings = json.loads((path / "pipeline.json").read_text())
    if settings.get("format_version") != PIPELINE_FORMAT_VERSION:
        raise ValueError(f"{path}: a model saved by another newsseg version (pipeline format "
                         f"{settings.get('format_version')}, this newsseg reads {PIPELINE_FORMAT_VERSION}): "
                         "train it again with this version")
    if settings["labels"] != list(LABELS):
        raise ValueError(f"{path}: model labels {settings['labels']} differ from this newsseg's {list(LABELS)}")
    return settings

"""newsseg: label the segments of scraped news pages (article, reader comments, disclaimers, ads, chrome)."""

import os

# No network at run time: never let transformers / datasets / mlflow reach out.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")

from newsseg.labels import LABELS  # noqa: E402
from newsseg.text.documents import Document, Segment  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Document", "Segment", "LABELS", "load", "__version__"]


def load(model: str = "champion"):
    """Load a saved newsseg model: ``champion``, ``latest``, ``runs:/…``, ``models:/…`` or a folder."""
    from newsseg.tracking import load_model

    return load_model(model)

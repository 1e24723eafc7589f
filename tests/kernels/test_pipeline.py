"""A trained layout_gbt + Viterbi pipeline (the suite's shared tiny model) labels pages the same with its
compiled loops as without them: every kernel family at once, end to end."""

import numpy as np
import pytest

from newsseg.tracking import load_model
from newsseg.kernels import jit_enabled
from newsseg.io.readers import read_documents
from tests.helpers import BUNDLED


@pytest.mark.smoke
@pytest.mark.skipif(not jit_enabled(), reason="numba is not installed or switched off: no compiled path to compare")
def test_compiled_and_plain_paths_label_pages_the_same(workdir_with_model, trained, monkeypatch):
    pipeline = load_model(trained.model_uri)
    docs = list(read_documents("jsonl", BUNDLED))[60:120]  # pages the tiny model did not train on
    for doc in docs:
        doc.spans = None
    batches = [docs[i:i + 16] for i in range(0, len(docs), 16)]
    compiled = [pipeline.predict_documents(batch) for batch in batches]
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    plain = [pipeline.predict_documents(batch) for batch in batches]
    pages = [page for batch in compiled for page in batch]
    assert sum(len(page) for page in pages) > 1000
    for compiled_page, plain_page in zip(pages, [page for batch in plain for page in batch]):
        assert [(s["start"], s["end"], s["label"]) for s in compiled_page] == \
               [(s["start"], s["end"], s["label"]) for s in plain_page]
        # Scores are rounded to 4 places; the two forward-backward recursions differ by about 1e-15.
        scores = np.array([list(s["scores"].values()) for s in compiled_page])
        assert np.allclose(scores, [list(s["scores"].values()) for s in plain_page], rtol=0, atol=1e-4)

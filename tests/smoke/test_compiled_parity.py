"""A trained layout_gbt + Viterbi pipeline labels pages the same with its compiled loops as without them."""

import numpy as np
import pandas as pd
import pytest

from newsseg.kernels import jit_enabled
from newsseg.config import DecoderConfig, LayoutGbtConfig
from newsseg.dataset import COLUMNS, document_rows
from newsseg.inference import Pipeline
from newsseg.labels import LABEL_TO_ID
from newsseg.models.decoders import build_decoder
from newsseg.models.sklearn_models import LayoutGbt
from newsseg.readers import read_documents
from tests.helpers import BUNDLED


@pytest.mark.smoke
@pytest.mark.skipif(not jit_enabled(), reason="numba is not installed: there is no compiled path to compare")
def test_compiled_and_plain_paths_label_pages_the_same(monkeypatch):
    docs = list(read_documents("jsonl", BUNDLED))
    train_docs, test_docs = docs[:60], docs[60:120]
    train = pd.DataFrame([row for doc in train_docs for row in document_rows(doc, "lines", 1500, 300)],
                         columns=list(COLUMNS))
    train["label"] = train["label"].map(LABEL_TO_ID)
    model = LayoutGbt(LayoutGbtConfig(name="layout_gbt", max_iter=30), seed=13)
    model.fit(train)
    decoder = build_decoder(DecoderConfig(name="viterbi"))
    decoder.fit(train, None)
    pipeline = Pipeline(model, decoder)
    for doc in test_docs:
        doc.spans = None
    batches = [test_docs[i:i + 16] for i in range(0, len(test_docs), 16)]
    monkeypatch.setenv("NEWSSEG_NO_JIT", "")
    compiled = [pipeline.predict_documents(batch) for batch in batches]
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    plain = [pipeline.predict_documents(batch) for batch in batches]
    pages = [page for batch in compiled for page in batch]
    assert sum(len(page) for page in pages) > 1000
    for compiled_page, plain_page in zip(pages, [page for batch in plain for page in batch]):
        assert [(s["start"], s["end"], s["label"]) for s in compiled_page] == \
               [(s["start"], s["end"], s["label"]) for s in plain_page]
        scores = np.array([list(s["scores"].values()) for s in compiled_page])
        assert np.allclose(scores, [list(s["scores"].values()) for s in plain_page], rtol=0, atol=1e-4)

"""The kernels over code points (kernels.text), against plain Python: the batch line finder gives each page's
``segment_spans``, and the class lookup gives ``char_class_byte`` of every character.

(The line finder's generated-text and every-character checks live with the segmenters, in
tests/unit/test_segmentation.py.)"""

import json

import numpy as np
import pytest

from newsseg.batch_segmentation import spans_of_documents
from newsseg.code_points import char_class_byte, class_bytes
from newsseg.documents import Document
from newsseg.segmentation import needs_normalizing, segment_spans
from tests.helpers import BUNDLED

TRICKY = ["", "\n", "\r\n\r\n", "a", " a ", "a\rb\r\nc\n\rd", "\u00a0 lead and trail \u200b", "two  spaces  here",
          "tab\tinside", "\x00\x07bell\x1f", "ok\u2028still one line?", "\ufeffbom", "😀 emoji 𝐀 math", "x" * 70,
          "short\n" + "long " * 30 + "\nshort again", "café\u0301 naïve", "\x85next line\x85",
          "lone \ud800 surrogate"]


def bundled_documents() -> list[Document]:
    rows = map(json.loads, BUNDLED.read_text(encoding="utf-8").splitlines())
    return [Document(row["id"], row["text"]) for row in rows]


@pytest.mark.parametrize("no_jit", ["", "1"])  # the compiled line finder, or the per-document Python path
@pytest.mark.parametrize("max_chars", [1500, 40])  # 40: long lines are cut after the batch pass
def test_batch_spans_are_each_pages_segment_spans(no_jit, max_chars, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    docs = bundled_documents() + [Document(f"t{i}", text) for i, text in enumerate(TRICKY)]
    found = spans_of_documents(docs, "lines", max_chars)
    assert sum(len(document.spans) for document in found) > 3000
    for doc, document in zip(docs, found):
        assert document.spans == segment_spans(doc, "lines", max_chars), doc.id
        if document.normalized is not None:  # worked out on the compiled path only
            assert document.normalized == [not needs_normalizing(doc.text[a:b]) for a, b in document.spans], doc.id


@pytest.mark.parametrize("no_jit", ["", "1"])
def test_class_bytes_of_every_character_are_char_class_byte(no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    # The Basic Multilingual Plane (looked up in a table) and a sample beyond it (classified one by one).
    codes = np.r_[np.arange(0x10000), np.arange(0x10000, 0x110000, 251)].astype(np.uint32)
    assert class_bytes(codes).tolist() == [char_class_byte(chr(code)) for code in codes.tolist()]

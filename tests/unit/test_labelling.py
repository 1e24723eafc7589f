from newsseg.text.documents import Document
from newsseg.text.labelling import label_segments
from newsseg.text.segmentation import segment


def test_gold_line_labels_map_onto_split_pieces_and_paragraphs():
    text = "Headline\nBody one. Body two. Body three.\n\nBuy now!\n"
    spans = [(0, 8, "news_body"), (9, 40, "news_body"), (42, 50, "ad")]
    doc = Document("d", text, spans=spans)
    pieces = segment(doc, "lines", max_chars=12)
    assert set(label_segments(pieces, spans)[:-1]) == {"news_body"} and label_segments(pieces, spans)[-1] == "ad"
    paragraphs = segment(doc, "paragraphs")
    assert label_segments(paragraphs, spans) == ["news_body", "ad"]


def test_segment_outside_every_span_gets_none():
    doc = Document("d", "kept\nunlabelled\n")
    assert label_segments(segment(doc), [(0, 4, "other")]) == ["other", None]

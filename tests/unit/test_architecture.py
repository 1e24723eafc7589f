"""The package's layers and the absence of import cycles, as pyproject.toml's import-linter contracts state
them (ARCHITECTURE.md draws the layers)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_graph_keeps_the_layers_and_has_no_cycle():
    # In a process of its own: import-linter reconfigures logging, which would silence later tests' logs.
    result = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                             "lint_imports_command()", "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout

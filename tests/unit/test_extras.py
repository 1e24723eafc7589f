"""Optional extras: code that needs one that is not installed stops with one line naming the extra to
install, before any work (a train config of a transformer family does not build its data first)."""

import importlib.util

import pytest
from typer.testing import CliRunner

from newsseg.cli import app
from newsseg.extras import MissingExtra
from newsseg.models import model_family
from tests.helpers import train_config

TRANSFORMER_EXTRA = r"pip install 'newsseg\[transformer\]'"


@pytest.fixture
def without_torch(monkeypatch):
    """As if torch were not installed: the extras check finds no spec for it."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr("newsseg.extras.find_spec", lambda name: None if name == "torch" else find_spec(name))


def test_a_transformer_family_without_its_extra_names_the_extra(without_torch):
    with pytest.raises(MissingExtra, match=rf"model 'minilm_finetune' needs the optional 'transformer' extra "
                                           rf"\(torch not installed\): {TRANSFORMER_EXTRA}"):
        model_family("minilm_finetune")
    assert model_family("layout_gbt").family == "layout_gbt"  # the base install's families need no extra


def test_train_without_the_extra_is_one_line_before_the_data_is_built(without_torch, workdir, tiny_data_config,
                                                                     monkeypatch):
    # No progress handler: it would keep writing to this runner's stream after the test.
    monkeypatch.setattr("newsseg.progress.show_progress", lambda: None)
    config = train_config(workdir, tiny_data_config, {"name": "minilm_embed_lr"})
    result = CliRunner().invoke(app, ["train", str(config)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "needs the optional 'transformer' extra" in result.stderr
    assert not (workdir / "processed").exists()


def test_justext_without_the_bench_extra_names_it(monkeypatch):
    from newsseg.baselines import justext_keep

    monkeypatch.setattr("newsseg.extras.find_spec", lambda name: None)
    with pytest.raises(MissingExtra, match=r"pip install 'newsseg\[bench\]'"):
        justext_keep(["A line of text."])

from pathlib import Path

import pytest

from newsseg.config import ConfigError, load_data_config, load_train_config, split_overrides
from newsseg.models import build_model
from newsseg.models.decoders import build_decoder
from newsseg.registry import MODELS, READERS, SEGMENTERS

ROOT = Path(__file__).resolve().parents[2]
DATA_CONFIGS = sorted((ROOT / "configs" / "data").glob("*.yaml"))
TRAIN_CONFIGS = sorted((ROOT / "configs" / "train").glob("*.yaml"))


def test_configs_exist():
    assert {p.stem for p in DATA_CONFIGS} >= {"bundled", "real"}
    assert {p.stem for p in TRAIN_CONFIGS} >= {"tfidf_logreg", "layout_gbt", "minilm_embed_lr", "minilm_finetune",
                                               "minilm_finetune_smoke", "default"}


@pytest.mark.parametrize("path", DATA_CONFIGS, ids=lambda p: p.stem)
def test_every_data_config_loads(path):
    config = load_data_config(path)
    assert all(source.reader in READERS for source in config.sources)


@pytest.mark.parametrize("path", TRAIN_CONFIGS, ids=lambda p: p.stem)
def test_every_train_config_loads_and_builds(path):
    config = load_train_config(path)
    load_data_config(ROOT / config.data)
    model = build_model(config.model, config.seed)
    assert model.family == config.model.name
    assert build_decoder(config.decoder).name == config.decoder.name


def write(tmp_path, text):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_unknown_key_is_one_line_naming_the_key(tmp_path):
    path = write(tmp_path, "name: x\nmodel:\n  name: tfidf_logreg\n  CC: 3\n")
    with pytest.raises(ConfigError) as info:
        load_train_config(path)
    assert str(info.value) == f"{path}: model.tfidf_logreg.CC: unknown key"


def test_wrong_type_is_one_line_naming_the_key(tmp_path):
    path = write(tmp_path, "name: x\nsources:\n  - reader: jsonl\n    path: a.jsonl\nsegmenter:\n  max_chars: lots\n")
    with pytest.raises(ConfigError, match=r"segmenter.max_chars: Input should be a valid integer") as info:
        load_data_config(path)
    assert "\n" not in str(info.value)


def test_an_unregistered_reader_is_one_line_listing_the_registered_ones(tmp_path):
    path = write(tmp_path, "name: x\nsources:\n  - reader: jsnl\n    path: a.jsonl\n")
    with pytest.raises(ConfigError) as info:
        load_data_config(path)
    message = str(info.value)
    assert "sources.0.reader" in message and "unknown reader 'jsnl'" in message and "jsonl" in message
    assert "\n" not in message


def test_a_newly_registered_segmenter_is_accepted_by_configs(tmp_path):
    # One decorated function is all a new segmenter needs.
    SEGMENTERS.register("test_sentences")(lambda doc, max_chars: [])
    try:
        path = write(tmp_path, "name: x\nsources:\n  - reader: jsonl\n    path: a.jsonl\nsegmenter:\n"
                               "  name: test_sentences\n")
        assert load_data_config(path).segmenter.name == "test_sentences"
    finally:
        SEGMENTERS.unregister("test_sentences")
    with pytest.raises(ConfigError, match="unknown segmenter 'test_sentences'"):
        load_data_config(path)


def test_every_model_config_names_a_registered_family():
    from typing import get_args

    from newsseg.config import ModelConfig

    config_names = {cls.model_fields["name"].annotation.__args__[0] for cls in get_args(get_args(ModelConfig)[0])}
    assert config_names == set(MODELS.names())


def test_unknown_model_family_is_an_error(tmp_path):
    path = write(tmp_path, "name: x\nmodel:\n  name: bert_magic\n")
    with pytest.raises(ConfigError, match="model"):
        load_train_config(path)


def test_overrides_set_nested_keys_and_list_items():
    config = load_data_config(ROOT / "configs/data/real.yaml",
                              ["split.seed=99", "sources.1.path=/elsewhere/fnc.jsonl", "segmenter.name=paragraphs"])
    assert config.split.seed == 99 and config.sources[1].path == "/elsewhere/fnc.jsonl"
    assert config.segmenter.name == "paragraphs"


def test_override_of_missing_list_item_is_an_error():
    with pytest.raises(ConfigError, match="sources.9: no such list item"):
        load_data_config(ROOT / "configs/data/real.yaml", ["sources.9.path=x"])


def test_override_with_wrong_type_is_an_error():
    with pytest.raises(ConfigError, match="model.tfidf_logreg.C"):
        load_train_config(ROOT / "configs/train/tfidf_logreg.yaml", ["model.C=strong"])


def test_split_overrides_routes_data_keys():
    assert split_overrides(["data.split.seed=3", "seed=4"]) == (["split.seed=3"], ["seed=4"])


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "name: x\nmodel: [unclosed\n")
    with pytest.raises(ConfigError, match=r"c.yaml:\d+: invalid YAML"):
        load_train_config(path)

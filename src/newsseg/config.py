"""Configs: YAML files validated by pydantic models. Unknown keys and wrong types are errors.

``load_data_config`` / ``load_train_config`` read a YAML file, apply ``--set a.b=value`` overrides
(values parsed as YAML), validate, and raise ``ConfigError`` with one line naming the file and key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Sequence, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from newsseg.registry import DECODERS, READERS, SEGMENTERS, Registry

ROOT = Path(__file__).resolve().parents[2]


class ConfigError(ValueError):
    """A config that cannot be read or does not validate; the message is one line."""


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def registered(registry: Registry) -> Any:
    """A string field whose value must be a name in ``registry`` (the registry is the one list of names)."""
    return Annotated[str, AfterValidator(registry.check), registry]


# ---------------------------------------------------------------- data configs
class ComposeConfig(StrictModel):
    pools_dir: str = Field("data/raw/pools", description="folder of pool files (ad.txt, disclaimer.txt, menu.txt, ...)")
    variants: int = Field(1, ge=1, le=20, description="composed pages per source document")
    seed: int = Field(13, description="seed of the composition")
    max_comment_lines: int = Field(30, ge=0, description="comment-section lines kept per page (a random window)")
    listing_share: float = Field(0.05, ge=0, le=1, description="share of composed pages that are listing pages "
                                 "(an author's archive: dated teasers, all `other`)")
    whole_page_share: float = Field(0.0, ge=0, le=1, description="share of source documents composed as whole "
                                    "pages of fictional sites (a site template of menus, sidebar, footer and "
                                    "notices repeated on 3-8 pages, story lists of other articles; see "
                                    "newsseg.data.page_templates)")


# What a reference article's credit lines get in the training split (``io.html_pages.CREDIT_LINE_SETTINGS``,
# which a test keeps in step).
CreditLineSetting = Literal["news_body", "unlabelled", "labelled"]


class SourceConfig(StrictModel):
    reader: registered(READERS) = Field(description="reader that parses the source")
    path: str = Field(description="file or folder, relative to the working directory")
    weight: float = Field(1.0, gt=0, description="training weight of this source's segments")
    id_column: str = Field("id", description="id field (jsonl, csv, parquet)")
    text_column: str = Field("text", description="text field (jsonl, csv, parquet)")
    limit: Optional[int] = Field(None, ge=1, description="read at most this many documents")
    skip_bad: bool = Field(False, description="report and skip bad records instead of failing")
    weak_labels: bool = Field(False, description="label unlabelled documents with the labelling functions "
                              "(newsseg.data.weak_labels); segments where they abstain are not trained on")
    compose: Optional[ComposeConfig] = Field(
        None, description="wrap each labelled document in sampled page furniture (see newsseg.data.composition)")
    credit_lines: CreditLineSetting = Field(
        "news_body", description="html_reference only: in the training split, what the reference's short credit, "
        "source and copyright lines get (news_body: as aligned; unlabelled: not trained on; labelled: other or "
        "disclaimer where the cue decides, else not trained on); validation and test keep news_body")

    @model_validator(mode="after")
    def _credit_lines_of_references_only(self) -> "SourceConfig":
        if self.credit_lines != "news_body" and self.reader != "html_reference":
            raise ValueError("credit_lines applies to the html_reference reader only")
        return self


class SegmenterConfig(StrictModel):
    name: registered(SEGMENTERS) = Field("lines", description="how documents are cut into segments")
    max_chars: int = Field(1500, ge=50, description="longer units are split at sentence ends")


class SplitConfig(StrictModel):
    validation: float = Field(0.15, ge=0, lt=1, description="share of segments for validation (whole sites)")
    test: float = Field(0.15, ge=0, lt=1, description="share of segments for test (whole sites)")
    seed: int = Field(13, description="seed of the site shuffle")

    @model_validator(mode="after")
    def _leaves_training_data(self) -> "SplitConfig":
        if self.validation + self.test >= 0.9:
            raise ValueError("validation + test must leave at least 10% for training")
        return self


class DataConfig(StrictModel):
    name: str = Field(description="dataset name; output goes to <output_dir>/<name>/")
    description: str = Field("", description="free text")
    sources: list[SourceConfig] = Field(min_length=1, description="inputs to read")
    segmenter: SegmenterConfig = Field(default_factory=SegmenterConfig, description="segmentation settings")
    split: SplitConfig = Field(default_factory=SplitConfig, description="site-grouped split settings")
    context_chars: int = Field(300, ge=0, description="characters of previous/next segment kept as context")
    output_dir: str = Field("data/processed", description="where built datasets are written")


# ---------------------------------------------------------------- model configs
class TfidfLogregConfig(StrictModel):
    name: Literal["tfidf_logreg"]
    word_ngrams: tuple[int, int] = Field((1, 2), description="word n-gram range")
    char_ngrams: Optional[tuple[int, int]] = Field(
        (2, 5), description="character n-gram range (within word bounds); null: word n-grams only")
    max_features: int = Field(200_000, ge=100, description="vocabulary cap per vectorizer")
    C: float = Field(4.0, gt=0, description="inverse regularisation strength")
    max_iter: int = Field(2000, ge=10, description="solver iterations")

    model_config = ConfigDict(extra="forbid", strict=False)  # YAML lists → tuples


class LayoutGbtConfig(StrictModel):
    name: Literal["layout_gbt"]
    use_tfidf: bool = Field(True, description="add out-of-fold TF-IDF probabilities as features")
    tfidf_char_ngrams: Optional[list[int]] = Field(
        None, min_length=2, max_length=2, description="character n-grams of that TF-IDF model, e.g. [2, 5]; null: word n-grams only (twice as "
                          "fast, and better on real pages of unseen sites in the zero-shot benchmark)")
    neighbours: int = Field(2, ge=0, le=5, description="segments on each side whose features are added")
    # 100 rounds at 0.15 rather than 150 at 0.1: as good on real pages of held-out sites (leave-sites-out
    # macro-F1 0.851 against 0.847; 70 at 0.2 gave 0.843: noise), with a third fewer trees per segment.
    learning_rate: float = Field(0.15, gt=0, description="boosting learning rate")
    max_iter: int = Field(100, ge=10, description="boosting rounds")
    max_leaf_nodes: int = Field(31, ge=2, description="leaves per tree")
    # Unlimited by default: at 6, prediction ran 12-20% faster (the trees are a fifth to a third of it), but
    # `other`, the weakest label, lost 0.01-0.03 F1 in three of four leave-sites-out / zero-shot runs on fnc_dev.
    max_depth: Optional[int] = Field(None, ge=1, description="levels per tree; null: no limit (6: 12-20% faster "
                                     "prediction, F1 of `other` up to 0.03 lower on real pages)")
    l2_regularization: float = Field(1.0, ge=0, description="L2 penalty on leaf values")
    # labels, tried with real.yaml's data: fnc_dev leave-sites-out macro-F1 0.814 against 0.834, readability
    # pages' body F1 0.785 against 0.799 (BENCHMARKS.md, "Why fnc_dev fell").
    body_stage_balance: Literal["binary", "labels"] = Field(
        "binary", description="class balance of the body-or-not stage (trained when some rows carry only the "
                              "partial label not_news_body): binary: body and not-body weigh the same; labels: each "
                              "of the five labels and the partial label weighs the same, as in the one-stage model")


class MinilmEmbedLrConfig(StrictModel):
    name: Literal["minilm_embed_lr"]
    model_path: Optional[str] = Field(None, description="encoder folder; default: the packaged all-MiniLM-L6-v2")
    max_length: int = Field(128, ge=8, description="tokens per segment")
    batch_size: int = Field(64, ge=1, description="encoding batch size")
    C: float = Field(2.0, gt=0, description="inverse regularisation strength")
    cache_dir: str = Field("data/cache/embeddings", description="embedding cache (keyed by model and text)")


class MinilmFinetuneConfig(StrictModel):
    name: Literal["minilm_finetune"]
    model_path: Optional[str] = Field(None, description="encoder folder; default: the packaged all-MiniLM-L6-v2")
    tiny_random: bool = Field(False, description="use a tiny randomly initialised BERT (tests only)")
    context: bool = Field(True, description="pair each segment with its neighbours as the second sequence")
    epochs: float = Field(2.0, gt=0, description="training epochs")
    learning_rate: float = Field(5e-5, gt=0, description="peak learning rate")
    batch_size: int = Field(16, ge=1, description="training batch size")
    max_length: int = Field(160, ge=8, description="tokens per (segment, context) pair")
    max_train_samples: Optional[int] = Field(None, ge=1, description="train on at most this many segments")
    max_eval_samples: Optional[int] = Field(None, ge=1, description="evaluate on at most this many segments")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay")
    warmup_ratio: float = Field(0.06, ge=0, lt=1, description="share of steps for warm-up")
    class_weights: bool = Field(True, description="weight the loss by inverse class frequency")
    early_stopping_patience: int = Field(2, ge=1, description="epochs without validation gain before stopping")
    quantize: Literal["none", "int8"] = Field(
        "none", description="inference only: 'int8' applies dynamic int8 quantisation to the Linear layers "
        "(CPU; the saved weights stay fp32)")
    runtime: Literal["torch", "onnx"] = Field(
        "torch", description="inference only: 'onnx' runs ONNX Runtime on an ONNX export of the fp32 model, made "
        "in memory when first needed (CPU; needs the 'onnx' extra); with quantize 'int8', ONNX Runtime's "
        "dynamic int8 quantisation")
    inference_batch_size: int = Field(64, ge=1, description="segments per inference batch (batches of similar length)")


ModelConfig = Annotated[
    Union[TfidfLogregConfig, LayoutGbtConfig, MinilmEmbedLrConfig, MinilmFinetuneConfig],
    Field(discriminator="name"),
]


class DecoderConfig(StrictModel):
    name: registered(DECODERS) = Field("none", description="joint decoding of each document's labels")
    train_on: Literal["oof", "validation"] = Field(
        "oof", description="CRF only: base-model probabilities it learns from: out-of-fold on train, or validation"
    )
    folds: int = Field(3, ge=2, description="site-grouped folds for out-of-fold probabilities")
    comments_need_cue: bool = Field(
        True, description="label a segment opinion_comment only after a comment cue earlier on its page (a header "
                          "such as 'Comments (3)', a reply button, a comment timestamp, the comment form)")
    c1: float = Field(0.05, ge=0, description="CRF L1 penalty")
    c2: float = Field(0.05, ge=0, description="CRF L2 penalty")
    max_iterations: int = Field(200, ge=1, description="CRF training iterations")


class TrackingConfig(StrictModel):
    experiment: Optional[str] = Field(None, description="MLflow experiment; default: the config name")
    register_model: bool = Field(True, description="register the model as 'newsseg' (newest version = 'latest')")


class TrainConfig(StrictModel):
    name: str = Field(description="run name; also the default experiment")
    data: str = Field("configs/data/bundled.yaml", description="data config to train on")
    model: ModelConfig = Field(description="model family and its settings (model.name picks the family)")
    decoder: DecoderConfig = Field(default_factory=DecoderConfig, description="sequence decoding")
    seed: int = Field(13, description="random seed")
    eval_sets: dict[str, str] = Field(
        default_factory=dict, description="extra gold JSONL files evaluated after training, by name"
    )
    tracking: TrackingConfig = Field(default_factory=TrackingConfig, description="MLflow settings")


# ---------------------------------------------------------------- loading
M = TypeVar("M", bound=BaseModel)


def parse_override(item: str) -> tuple[list[str], Any]:
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {item!r}: expected key.path=value")
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else ""


def apply_overrides(data: dict, overrides: Sequence[str]) -> dict:
    """Set each ``a.b.c=value``; a numeric part indexes a list (``sources.1.path=...``)."""
    for item in overrides:
        keys, value = parse_override(item)
        node: Any = data
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    raise ConfigError(f"--set {item}: {'.'.join(keys[:depth + 1])}: no such list item")
                if last:
                    node[int(key)] = value
                else:
                    node = node[int(key)]
                continue
            if last:
                node[key] = value
            else:
                if not isinstance(node.get(key), (dict, list)):
                    node[key] = {}
                node = node[key]
    return data


def _one_line(error: ValidationError) -> str:
    parts = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-")) or "(top level)"
        if err["type"] == "extra_forbidden":
            parts.append(f"{loc}: unknown key")
        else:
            parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def validate_config(cls: type[M], data: Any, where: str) -> M:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top level")
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_one_line(exc)}") from None


def read_yaml(path: str | os.PathLike) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    return data if data is not None else {}


def load_data_config(path: str | os.PathLike, overrides: Sequence[str] = ()) -> DataConfig:
    return validate_config(DataConfig, apply_overrides(read_yaml(path), overrides), str(path))


def load_train_config(path: str | os.PathLike, overrides: Sequence[str] = ()) -> TrainConfig:
    """A train config; ``data.<key>=v`` overrides go to its data config (see ``split_overrides``)."""
    return validate_config(TrainConfig, apply_overrides(read_yaml(path), overrides), str(path))


def split_overrides(overrides: Sequence[str]) -> tuple[list[str], list[str]]:
    """Separate ``data.x=v`` (for the data config a train config names) from the train config's own."""
    data_overrides, own = [], []
    for item in overrides:
        (data_overrides if item.startswith("data.") else own).append(item)
    return [o[len("data."):] for o in data_overrides], own


# ---------------------------------------------------------------- reference docs
def _type_name(annotation: Any, metadata: Sequence = ()) -> str:
    names = [entry.names() for entry in metadata if isinstance(entry, Registry)]
    if names:
        return " \\| ".join(names[0])
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return " \\| ".join(str(a) for a in args)
    if origin is Union:
        return " or ".join("null" if a is type(None) else _type_name(a) for a in args)
    if origin is tuple:
        return "[" + ", ".join(_type_name(a) for a in args) + "]"
    if origin is dict:
        return f"mapping {_type_name(args[0])} → {_type_name(args[1])}"
    return getattr(annotation, "__name__", str(annotation))


def _reference_rows(cls: type[BaseModel], prefix: str = "") -> list[str]:
    rows = []
    for name, field in cls.model_fields.items():
        annotation = field.annotation
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        optional_models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if get_origin(annotation) is Union and optional_models:  # an optional block, e.g. sources[].compose
            rows.append(f"| `{prefix}{name}` | mapping or null | `null` | {field.description or ''} |")
            rows += _reference_rows(optional_models[0], f"{prefix}{name}.")
            continue
        if nested is None and getattr(annotation, "__origin__", None) is list:
            (item,) = annotation.__args__
            if isinstance(item, type) and issubclass(item, BaseModel):
                rows += _reference_rows(item, f"{prefix}{name}[]." )
                continue
        if nested is not None:
            rows += _reference_rows(nested, f"{prefix}{name}.")
            continue
        if field.is_required():
            default = "required"
        else:
            value = field.get_default(call_default_factory=True)
            default = f"`{json.dumps(value) if not isinstance(value, BaseModel) else '{}'}`"
        rows.append(f"| `{prefix}{name}` | {_type_name(annotation, field.metadata)} | {default} | {field.description or ''} |")
    return rows


def reference_markdown() -> str:
    """The config reference in the README, generated from these models so it cannot drift."""
    parts = ["### Data configs (`configs/data/*.yaml`)", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    parts += _reference_rows(DataConfig)
    parts += ["", "### Train configs (`configs/train/*.yaml`)", "", "| key | type | default | meaning |",
              "|---|---|---|---|"]
    parts += [r for r in _reference_rows(TrainConfig) if not r.startswith("| `model`")]
    for model_cls in (TfidfLogregConfig, LayoutGbtConfig, MinilmEmbedLrConfig, MinilmFinetuneConfig):
        family = model_cls.model_fields["name"].annotation.__args__[0]
        parts += ["", f"#### `model` when `model.name: {family}`", "", "| key | type | default | meaning |",
                  "|---|---|---|---|"]
        parts += [r for r in _reference_rows(model_cls, "model.") if not r.startswith("| `model.name`")]
    return "\n".join(parts) + "\n"

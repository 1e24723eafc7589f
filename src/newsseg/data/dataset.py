"""Dataset building: data config → labelled segments → site-grouped HuggingFace DatasetDict on disk.

``build_dataset`` writes ``<output_dir>/<name>/`` with the DatasetDict (train / validation / test),
``stats.json`` and ``fingerprint.json``; it skips the build when neither the config nor the inputs
changed since the last build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from newsseg.config import DataConfig, SourceConfig
from newsseg.data.segment_rows import COLUMNS, NUMERIC_COLUMN_TYPES, document_rows
from newsseg.data.weak_labels import majority_vote, vote_matrix
from newsseg.io.html_pages import credit_line_training_label
from newsseg.io.reader_base import InputError, ReaderOptions, ReadReport
from newsseg.io.readers import read_documents
from newsseg.labels import LABEL_TO_ID, LABELS, NOT_NEWS_BODY
from newsseg.text.documents import Document

log = logging.getLogger(__name__)

# Bump when the row layout or split logic changes, so that old builds are rebuilt.
# 2: sites split by a hash of their name; partial labels; the label_source column.
DATASET_FORMAT_VERSION = 2
SPLITS = ("train", "validation", "test")
# Built datasets hold one more column: where each label came from (LABEL_SOURCES), so that training can
# weight it and evaluation report it apart. Inference frames do without it.
LABEL_SOURCES = ("gold", "silver", "weak", "composed")
DATASET_COLUMNS = (*COLUMNS, "label_source")
# The ``label`` of a segment whose label is only known not to be news_body (``NOT_NEWS_BODY``, e.g. a
# line outside a page's reference article): one of the other four, which one unknown.
NOT_NEWS_BODY_ID = -1



def _features():
    from datasets import ClassLabel, Features, Value

    spec = {c: Value(NUMERIC_COLUMN_TYPES.get(c, "string")) for c in DATASET_COLUMNS if c != "label"}
    spec["label"] = ClassLabel(names=list(LABELS))
    return Features(spec)


def weak_label_stream(docs: Iterable[Document], chunk_size: int = 2000) -> Iterator[Document]:
    """``weak_label_documents`` over a stream, a chunk at a time (recurrence is measured per chunk)."""
    iterator = iter(docs)
    while chunk := list(islice(iterator, chunk_size)):
        yield from weak_label_documents(chunk)


def weak_label_documents(docs: list[Document]) -> list[Document]:
    """Give documents without gold spans the majority-vote labels of their segments (``weak_labels``;
    abstentions are left out, so those segments are not trained on)."""
    rows = [row for doc in docs for row in document_rows(doc, "lines", 10**9, 0)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    labels = majority_vote(vote_matrix(frame)) if len(frame) else []
    spans: dict[str, list] = {doc.id: [] for doc in docs}
    for doc_id, start, end, label in zip(frame["doc_id"], frame["start"], frame["end"], labels):
        if label is not None:
            spans[doc_id].append((int(start), int(end), label))
    for doc in docs:
        doc.spans = spans[doc.id]
        doc.meta["weakly_labelled"] = True
    return docs


def _source_signature(path: Path) -> list:
    if path.is_dir():
        return [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in sorted(path.rglob("*")) if p.is_file()]
    if path.exists():
        return [[str(path), path.stat().st_size, path.stat().st_mtime_ns]]
    return [[str(path), None]]


def fingerprint(config: DataConfig) -> str:
    """Hash of the config and of its inputs' names, sizes and modification times."""
    inputs = [_source_signature(Path(s.path)) for s in config.sources]
    inputs += [_source_signature(Path(s.compose.pools_dir)) for s in config.sources if s.compose]
    payload = {"version": DATASET_FORMAT_VERSION, "config": config.model_dump(mode="json"), "inputs": inputs}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def label_source_of(source: SourceConfig) -> str:
    """Where a source's labels come from (one of LABEL_SOURCES)."""
    if source.compose or source.reader == "articles_comments":
        return "composed"
    if source.weak_labels:
        return "weak"
    if source.reader == "html_reference":
        return "silver"
    return "gold"


def label_id(label: str) -> int:
    """A row's label as stored: its index in LABELS, or NOT_NEWS_BODY_ID for the partial label."""
    return NOT_NEWS_BODY_ID if label == NOT_NEWS_BODY else LABEL_TO_ID[label]


def read_source(source: SourceConfig) -> tuple[Iterator[Document], ReadReport]:
    options = ReaderOptions(id_column=source.id_column, text_column=source.text_column, skip_bad=source.skip_bad)
    docs = read_documents(source.reader, source.path, options)
    if source.limit:
        docs = (doc for i, doc in zip(range(source.limit), docs))
    if source.weak_labels:
        docs = weak_label_stream(docs)
    if source.compose:
        from newsseg.data.composition import compose_pages

        c = source.compose
        docs = compose_pages(docs, c.pools_dir, c.variants, c.seed, c.max_comment_lines, c.listing_share,
                             whole_page_share=c.whole_page_share)
    return docs, options.report


def _site_draw(site: str, seed: int) -> float:
    """A number in [0, 1) from a hash of the site's name and the seed."""
    digest = hashlib.blake2b(f"{seed}\x00{site}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2 ** 64


def split_sites(sites: Iterable[str], validation: float, test: float, seed: int) -> dict[str, str]:
    """Each site's split, from its name and the seed alone: its draw (``_site_draw``) falls in the test
    share, the validation share after it, or train. So adding a source or a site never moves another site
    (a shuffle over all sites did: adding 75 pages moved 141 of 440 sites). Shares are of sites, not of
    segments. With very few sites a draw can leave a split with a share empty; then the train site of
    lowest draw moves to it, so that tiny datasets still have every split."""
    draws = {site: _site_draw(site, seed) for site in sorted(set(sites))}
    assignment = {site: "test" if u < test else "validation" if u < test + validation else "train"
                  for site, u in draws.items()}
    for split, share in (("test", test), ("validation", validation)):
        train_sites = sorted((u, site) for site, u in draws.items() if assignment[site] == "train")
        if share > 0 and split not in assignment.values() and len(train_sites) > 1:
            assignment[train_sites[0][1]] = split
    return assignment


@dataclass
class BuildResult:
    path: Path
    built: bool
    stats: dict


def build_dataset(config: DataConfig, force: bool = False, progress: bool = True) -> BuildResult:
    from datasets import Dataset, DatasetDict
    from tqdm.auto import tqdm

    out_dir = Path(config.output_dir) / config.name
    stamp = fingerprint(config)
    stamp_file = out_dir / "fingerprint.json"
    if not force and stamp_file.exists() and json.loads(stamp_file.read_text()).get("fingerprint") == stamp:
        return BuildResult(out_dir, False, json.loads((out_dir / "stats.json").read_text()))

    for source in config.sources:  # fail before any work when an input is missing
        if not Path(source.path).exists():
            raise InputError(f"{source.path}: no such file")
    rows: list[dict] = []
    reports: dict[str, ReadReport] = {}
    unlabelled = 0
    bar = tqdm(desc=f"building {config.name}", unit=" docs", disable=not progress)
    for source in config.sources:
        docs, report = read_source(source)
        reports[source.path] = report
        label_source = label_source_of(source)
        for doc in docs:
            if doc.spans is None:
                raise InputError(f"{source.path}: document {doc.id!r} has no gold 'spans'; "
                                 "training sources must be labelled")
            for row in document_rows(doc, config.segmenter.name, config.segmenter.max_chars,
                                     config.context_chars, source.weight, source.path):
                if row["label"] is None:
                    unlabelled += 1  # segment outside every gold span: no target to learn
                else:
                    row["label"] = label_id(row["label"])
                    row["label_source"] = label_source
                    rows.append(row)
            bar.update(1)
    bar.close()
    if not rows:
        raise InputError(f"data config {config.name!r}: its sources hold no labelled segments")

    assignment = split_sites((r["site"] for r in rows), config.split.validation, config.split.test,
                             config.split.seed)
    credit_lines = {s.path: s.credit_lines for s in config.sources if s.credit_lines != "news_body"}
    by_split: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for r in rows:
        split = assignment[r["site"]]
        if split == "train" and r["source"] in credit_lines and not _credit_line_relabelled(r, credit_lines):
            unlabelled += 1
            continue
        by_split[split].append(r)

    features = _features()
    dataset = DatasetDict({
        split: Dataset.from_dict({c: [r[c] for r in split_rows] for c in DATASET_COLUMNS}, features=features)
        for split, split_rows in by_split.items()
    })
    stats = {
        "name": config.name,
        "fingerprint": stamp,
        "segments": {s: len(by_split[s]) for s in SPLITS},
        "documents": {s: len({r["doc_id"] for r in by_split[s]}) for s in SPLITS},
        "sites": {s: sorted({r["site"] for r in by_split[s]}) for s in SPLITS},
        "labels": {s: _label_counts(by_split[s]) for s in SPLITS},
        "label_sources": {s: dict(Counter(r["label_source"] for r in by_split[s])) for s in SPLITS},
        "unlabelled_segments_dropped": unlabelled,
        "skipped_records": {p: r.skipped for p, r in reports.items()},
    }
    tmp_dir = out_dir.with_name(out_dir.name + ".tmp")
    shutil.rmtree(tmp_dir, ignore_errors=True)
    with _quiet_datasets():  # a bar per split would repeat what the build's own bar said
        dataset.save_to_disk(str(tmp_dir))
    (tmp_dir / "stats.json").write_text(json.dumps(stats, indent=2))
    (tmp_dir / "fingerprint.json").write_text(json.dumps({"fingerprint": stamp}))
    (tmp_dir / "data_config.json").write_text(config.model_dump_json(indent=2))
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp_dir.rename(out_dir)  # a half-written build is never mistaken for a finished one
    return BuildResult(out_dir, True, stats)


def _credit_line_relabelled(row: dict, credit_lines: dict[str, str]) -> bool:
    """Give a training row of a reference-aligned source the label its source's ``credit_lines`` setting
    gives it (``html_pages.credit_line_training_label``); False where that leaves it unlabelled. Only the
    training split is relabelled: validation and test keep the aligned labels, so that figures compare."""
    label = LABELS[row["label"]] if row["label"] >= 0 else NOT_NEWS_BODY
    new_label = credit_line_training_label(label, row["text"], credit_lines[row["source"]])
    if new_label is None:
        return False
    row["label"] = label_id(new_label)
    return True


@contextlib.contextmanager
def _quiet_datasets() -> Iterator[None]:
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def _label_counts(rows: list[dict]) -> dict[str, int]:
    """Rows per label (every label, zeros included), and per the partial label where there are any."""
    counts = Counter(r["label"] for r in rows)
    out = {label: counts[i] for i, label in enumerate(LABELS)}
    if counts[NOT_NEWS_BODY_ID]:
        out[NOT_NEWS_BODY] = counts[NOT_NEWS_BODY_ID]
    return out


def load_dataset_dict(path: Path | str):
    from datasets import load_from_disk

    return load_from_disk(str(path))


def stats_table(stats: dict) -> str:
    """Segments per label per split, as a plain-text table."""
    header = f"{'label':<16}" + "".join(f"{s:>12}" for s in SPLITS)
    lines = [header, "-" * len(header)]
    for label in (*LABELS, NOT_NEWS_BODY):
        if label == NOT_NEWS_BODY and not any(stats["labels"][s].get(label) for s in SPLITS):
            continue
        lines.append(f"{label:<16}" + "".join(f"{stats['labels'][s].get(label, 0):>12}" for s in SPLITS))
    lines.append("-" * len(header))
    lines.append(f"{'segments':<16}" + "".join(f"{stats['segments'][s]:>12}" for s in SPLITS))
    lines.append(f"{'documents':<16}" + "".join(f"{stats['documents'][s]:>12}" for s in SPLITS))
    lines.append(f"{'sites':<16}" + "".join(f"{len(stats['sites'][s]):>12}" for s in SPLITS))
    return "\n".join(lines)


def iter_rows_by_document(rows: Iterable[dict]) -> Iterator[list[dict]]:
    """Group consecutive rows of one document (rows are stored in document order)."""
    current: list[dict] = []
    for row in rows:
        if current and row["doc_id"] != current[0]["doc_id"]:
            yield current
            current = []
        current.append(row)
    if current:
        yield current

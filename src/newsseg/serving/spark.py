"""Batch inference on Spark: a newsseg model applied to a DataFrame of ``(id, text)``, written as a Parquet
table of segments ``(id, index, start, end, label, score, error)``.

The labels are those ``newsseg predict --workers 1`` gives the same rows in the same order. A page's labels
depend on the pages of its site before it (the site memory) and beside it in its batch (line recurrence),
so the rows are partitioned by site, and each partition labelled in input order with one
``features.recurrence.SiteMemory``, its pages in the batches ``predict`` puts them in (``predict_batches``), by the
library call ``predict`` makes (``Pipeline.label_documents``).

Needs the optional extra: ``pip install -e '.[spark]'`` (and Java 17).
"""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from newsseg.io.reader_base import web_files
from newsseg.serving.inputs import DEFAULT_BATCH_SIZE, input_items
from newsseg.text.documents import Document

SEGMENT_SCHEMA = "array<struct<start:long,end:long,label:string,score:double>>"
LABELLED_SCHEMA = f"id string, segments {SEGMENT_SCHEMA}, error string"
# Web pages as the readers give them: a Document's id, text and meta (its error, where it failed).
WEB_SCHEMA = "id string, text string, meta struct<source:string,url:string,domain:string,error:string>"
WEB_ROWS_PER_FRAME = 256  # pages handed to Arrow at a time: a WARC file holds tens of thousands
# monotonically_increasing_id() holds the partition's index above its low 33 bits, the row's number in it below.
ROW_NUMBER_BITS = 33
_LOADED: dict = {}  # per Python worker: the pipelines loaded, by shipped folder name


def predict_spark_dataframe(spark, frame, model_uri: str, id_column: str = "id", text_column: str = "text",
                            batch_size: int = DEFAULT_BATCH_SIZE, partitions: int | None = None):
    """Segments of every row of ``frame`` (one output row per segment; a failed document gets one row with
    ``index`` null and its ``error``). A row's site is its ``domain`` column, else its ``url``'s host, or
    those of a ``meta`` struct (as JSONL's ``meta``), as ``predict`` reads them; a ``meta.error`` leaves
    the row unlabelled with that error, as in ``predict``. The labels equal ``predict
    --workers 1 --batch-size BATCH_SIZE`` on the rows in the frame's order (its partitions in turn: a file's
    order when read from one file; ``orderBy`` first for another). ``partitions``: how many site partitions
    are labelled in parallel (default: ``spark.sql.shuffle.partitions``)."""
    from pyspark.sql import functions as F

    rows = _in_frame_order(frame.select(F.col(id_column).cast("string").alias("id"), F.col(text_column).alias("text"),
                                        _site_column(frame).alias("site"), _meta_text(frame, "error").alias("error")))
    site_key = F.coalesce("site", "id")  # Document.site: a page without one is a site of its own
    by_site = rows.repartition(partitions, site_key) if partitions else rows.repartition(site_key)
    labelled = by_site.sortWithinPartitions("position").select("id", "text", "site", "error", "position").mapInPandas(
        functools.partial(_label_partition, _ship_model(spark, model_uri), batch_size), LABELLED_SCHEMA)
    exploded = labelled.select("id", "error", F.posexplode_outer("segments").alias("index", "segment"))
    return exploded.select(
        "id", F.col("index").cast("int").alias("index"), F.col("segment.start").alias("start"),
        F.col("segment.end").alias("end"), F.col("segment.label").alias("label"),
        F.col("segment.score").alias("score"), "error")


def predict_batches(rows: Iterable[tuple[int, Document]], batch_size: int) -> Iterator[list[Document]]:
    """The documents of whole sites (``rows``: (position in the input, document), in input order), grouped
    as ``predict`` labels them: those of one batch (``position // batch_size``) together. A page's labels
    depend only on the pages of its own site, in its batch and before it, so consecutive batches go
    together where no site is in two of them, up to ``batch_size`` documents: calls are not tiny."""
    group: list[Document] = []
    group_sites: set[str] = set()
    for _, batch_rows in itertools.groupby(rows, key=lambda row: row[0] // batch_size):
        batch = [doc for _, doc in batch_rows]
        sites = {doc.site for doc in batch}
        if group and (sites & group_sites or len(group) + len(batch) > batch_size):
            yield group
            group, group_sites = [], set()
        group += batch
        group_sites |= sites
    if group:
        yield group


def _label_partition(model: str, batch_size: int, frames):
    """mapInPandas: a partition's rows (whole sites, in input order) labelled with one site memory."""
    from newsseg.features.recurrence import SiteMemory

    pipeline = _shipped_pipeline(model)
    memory = SiteMemory()
    rows = ((int(position), _document(doc_id, text, site, error))
            for frame in frames
            for doc_id, text, site, error, position in zip(frame["id"], frame["text"], frame["site"], frame["error"],
                                                           frame["position"]))
    for docs in predict_batches(rows, batch_size):
        labelled = pipeline.label_documents(docs, memory, with_scores=False)
        yield pd.DataFrame({"id": [d.id for d in docs], "segments": [segments for segments, _ in labelled],
                            "error": [error for _, error in labelled]})


def _document(doc_id: str, text, site, error) -> Document:
    """A row as ``predict`` reads it: its site, and the error it was read with, in its meta. A null comes
    as NaN (truthy): without a site, a page is a site of its own, not of the site "nan"."""
    meta = {"domain": site} if isinstance(site, str) and site else {}
    if isinstance(error, str) and error:
        meta["error"] = error
    return Document(doc_id, text if isinstance(text, str) else "", meta)


def _in_frame_order(rows):
    """``rows`` with ``position``: each row's place in the frame, its partitions in turn, from 0. One job
    counts the rows of each partition."""
    from pyspark.sql import functions as F

    numbered = rows.withColumn("row_id", F.monotonically_increasing_id())
    partition = F.shiftright("row_id", ROW_NUMBER_BITS)
    counts = sorted((r["partition"], r["count"]) for r in numbered.groupBy(partition.alias("partition")).count().collect())
    offsets, total = [], 0
    for index, count in counts:
        offsets += [F.lit(index).cast("long"), F.lit(total).cast("long")]
        total += count
    offset = F.element_at(F.create_map(*offsets), partition) if offsets else F.lit(0).cast("long")
    return numbered.withColumn("position", F.col("row_id") - F.shiftleft(partition, ROW_NUMBER_BITS) + offset)


def _site_column(frame):
    """Each row's site as ``predict`` reads it (``readers.record_site``, then ``meta.site``), or null."""
    from pyspark.sql import functions as F

    def column_text(name: str):
        return F.col(name).cast("string") if name in frame.columns else F.lit(None).cast("string")

    sites = F.pandas_udf(_sites, "string")
    return sites(column_text("domain"), column_text("url"), *(_meta_text(frame, name) for name in ("domain", "url", "site")))


def _meta_text(frame, name: str):
    """The ``meta`` struct's field ``name`` as a string column; null where the frame has no such field."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StructType

    meta = frame.schema["meta"].dataType if "meta" in frame.columns else None
    present = isinstance(meta, StructType) and name in meta.fieldNames()
    return F.col(f"meta.{name}").cast("string") if present else F.lit(None).cast("string")


def _sites(domain: pd.Series, url: pd.Series, meta_domain: pd.Series, meta_url: pd.Series,
           meta_site: pd.Series) -> pd.Series:
    from newsseg.io.reader_base import record_site

    def text(value):
        return value if isinstance(value, str) else None

    return pd.Series([record_site(text(d), text(u), {"domain": text(md), "url": text(mu)}) or text(ms)
                      for d, u, md, mu, ms in zip(domain, url, meta_domain, meta_url, meta_site)], dtype=object)


def _ship_model(spark, model_uri: str) -> str:
    """The model's pipeline folder, added to the job's files under a name of its own (a local copy, removed
    when this process ends); returns the name."""
    from newsseg.tracking import model_folder

    name = f"newsseg-model-{uuid.uuid4().hex}"
    copy = Path(tempfile.mkdtemp(prefix="newsseg-spark-")) / name
    shutil.copytree(model_folder(model_uri), copy)
    atexit.register(shutil.rmtree, copy.parent, ignore_errors=True)
    spark.sparkContext.addFile(str(copy), recursive=True)
    return name


def _shipped_pipeline(name: str):
    """The pipeline ``_ship_model`` added, loaded once per Python worker."""
    from pyspark import SparkFiles

    from newsseg.pipeline import Pipeline

    if name not in _LOADED:
        _LOADED[name] = Pipeline.load(SparkFiles.get(name))
    return _LOADED[name]


def read_web_files(spark, files: list[str]):
    """A DataFrame ``(id, text, meta)`` of the pages of ``files``, in their order, read on the workers by the
    readers ``predict`` uses, a file's pages in its order: the rows' order is the frame's, as
    ``predict_spark_dataframe`` takes it. Read once (persisted): it is numbered, then labelled."""
    slices = min(len(files), 4 * spark.sparkContext.defaultParallelism)  # whole files per task, in order
    paths = spark.sparkContext.parallelize([(f,) for f in files], slices).toDF("path string")
    return paths.mapInPandas(_read_web_partition, WEB_SCHEMA).persist()


def _read_web_partition(frames):
    """mapInPandas: the pages of the partition's files, as ``predict`` reads each (an unreadable file is one
    error row named after it)."""
    docs = (doc for frame in frames for doc in input_items([Path(p) for p in frame["path"]], 1, "id", "text"))
    while chunk := list(itertools.islice(docs, WEB_ROWS_PER_FRAME)):
        yield pd.DataFrame({"id": [d.id for d in chunk], "text": [d.text for d in chunk],
                            "meta": [{k: d.meta.get(k) for k in ("source", "url", "domain", "error")} for d in chunk]})


def read_input(spark, path: str):
    """A Spark DataFrame from a .jsonl / .csv / .parquet file or folder, or of the pages of web files
    (``reader_base.web_files``)."""
    files = web_files(path)
    if files is not None:
        return read_web_files(spark, files)
    if path.endswith((".jsonl", ".json")):
        return spark.read.json(path)
    if path.endswith(".csv"):
        return spark.read.option("header", True).option("multiLine", True).option("escape", '"').csv(path)
    return spark.read.parquet(path)


def spark_predict(model: str, input_path: str, output_path: str, master: str = "local[*]",
                  id_column: str = "id", text_column: str = "text", partitions: int | None = None,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Label ``input_path`` with ``model`` on Spark and write Parquet to ``output_path``; returns the row count.
    The labels are ``predict --workers 1 --batch-size BATCH_SIZE``'s on the same file."""
    from pyspark.sql import SparkSession

    # Local workers must run this interpreter (the one with newsseg's dependencies), not the system's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (SparkSession.builder.master(master).appName("newsseg")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        frame = read_input(spark, input_path)
        if web_files(input_path) is not None:  # pages come with ids and texts of their own
            id_column, text_column = "id", "text"
        result = predict_spark_dataframe(spark, frame, model, id_column, text_column, batch_size, partitions)
        result.write.mode("overwrite").parquet(output_path)
        return spark.read.parquet(output_path).count()
    finally:
        spark.stop()

"""Batch inference on Spark: a logged newsseg model applied to a DataFrame of ``(id, text)`` through
``mlflow.pyfunc.spark_udf``, written as a Parquet table of segments ``(id, index, start, end, label, score)``.

Needs the optional extra: ``pip install -e '.[spark]'`` (and Java 17).
"""

from __future__ import annotations

import os
import sys
from typing import Optional

SEGMENT_SCHEMA = "array<struct<start:long,end:long,label:string,score:double>>"


def predict_spark_dataframe(spark, frame, model_uri: str, id_column: str = "id", text_column: str = "text"):
    """Segments of every row of ``frame`` (one output row per segment; a failed document gets one row
    with ``label`` null and its ``error``)."""
    import mlflow.pyfunc
    from pyspark.sql import functions as F

    # The pyfunc's segments are lists of dicts: the UDF reads the fields it names from each.
    udf = mlflow.pyfunc.spark_udf(spark, model_uri, env_manager="local",
                                  result_type=f"id string, segments {SEGMENT_SCHEMA}, error string")
    labelled = frame.select(F.col(id_column).cast("string").alias("id"), F.col(text_column).alias("text")) \
                    .withColumn("prediction", udf(F.struct(F.col("id"), F.col("text"))))
    parsed = labelled.select("id", F.col("prediction.segments").alias("segments"),
                             F.col("prediction.error").alias("error"))
    exploded = parsed.select("id", "error", F.posexplode_outer("segments").alias("index", "segment"))
    return exploded.select(
        "id", F.col("index").cast("int").alias("index"), F.col("segment.start").alias("start"),
        F.col("segment.end").alias("end"), F.col("segment.label").alias("label"),
        F.col("segment.score").alias("score"), "error")


WEB_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz", ".html", ".htm")


def read_input(spark, path: str):
    """A Spark DataFrame from a .jsonl / .csv / .parquet file or folder."""
    if path.lower().endswith(WEB_SUFFIXES):  # Spark reads no web archives or pages: they go through Parquet
        raise ValueError(f"{path}: spark-predict reads .jsonl, .csv or Parquet; label WARC, WET and HTML with "
                         "`newsseg predict INPUT --format parquet -o OUT.parquet` (it writes the same table)")
    if path.endswith(".jsonl") or path.endswith(".json"):
        return spark.read.json(path)
    if path.endswith(".csv"):
        return spark.read.option("header", True).option("multiLine", True).option("escape", '"').csv(path)
    return spark.read.parquet(path)


def spark_predict(model: str, input_path: str, output_path: str, master: str = "local[*]",
                  id_column: str = "id", text_column: str = "text", partitions: Optional[int] = None) -> int:
    """Label ``input_path`` with ``model`` on Spark and write Parquet to ``output_path``; returns the row count."""
    from pyspark.sql import SparkSession

    from . import tracking

    uri = tracking.resolve_model_uri(model) if not model.startswith(("/", ".")) else model
    tracking.configure()
    # Local workers must run this interpreter (the one with newsseg's dependencies), not the system's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (SparkSession.builder.master(master).appName("newsseg")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        frame = read_input(spark, input_path)
        if partitions:
            frame = frame.repartition(partitions)
        result = predict_spark_dataframe(spark, frame, uri, id_column, text_column)
        result.write.mode("overwrite").parquet(output_path)
        return spark.read.parquet(output_path).count()
    finally:
        spark.stop()

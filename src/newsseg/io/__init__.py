"""Readers of every input format (JSONL, CSV, Parquet, text folders, HTML, WARC/WET) and the writers
of predictions."""

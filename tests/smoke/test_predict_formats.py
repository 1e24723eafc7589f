"""`newsseg predict` over the web inputs (WARC, WET, HTML pages, Parquet) and into Parquet: every document once,
in order, the same segments as the JSONL output, the site memory fed by the WARC's URLs."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from newsseg.cli import app
from tests.helpers import BUNDLED
from tests.warc_files import PAGE_HTML, crawl_records, write_warc

runner = CliRunner()


def segments_by_id(jsonl: str) -> list[tuple]:
    """(id, segments or error) per document of a JSONL output."""
    rows = [json.loads(line) for line in jsonl.splitlines()]
    return [(r["id"], [(s["start"], s["end"], s["label"], s["score"]) for s in r["segments"]] if "segments" in r
             else r["error"]) for r in rows]


def segments_of_parquet(table: pa.Table) -> list[tuple]:
    """The same from a Parquet output (a row per segment, one row for a document without segments)."""
    out: list[tuple] = []
    for row in table.to_pylist():
        if not out or out[-1][0] != row["id"] or row["index"] is None:
            out.append((row["id"], row["error"] if row["error"] else []))
        if row["index"] is not None:
            out[-1][1].append((row["start"], row["end"], row["label"], row["score"]))
    return out


@pytest.mark.smoke
def test_web_inputs_into_parquet_match_the_jsonl_output(workdir_with_model, trained):
    workdir = workdir_with_model
    write_warc(workdir / "crawl.warc.gz", crawl_records())
    write_warc(workdir / "crawl.wet.gz", [("conversion", "wet1", "https://quay.example/a",
                                           b"Quay news\nThe pier reopens.\nShare this\n", "text/plain")])
    (workdir / "site").mkdir()
    (workdir / "site" / "ferry.html").write_text(PAGE_HTML.format(price="two pounds"))
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": ["Pier page\nThe pier reopens.\n", " "]}),
                   workdir / "rows.parquet")
    inputs = [str(workdir / name) for name in ("crawl.warc.gz", "crawl.wet.gz", "site", "rows.parquet")]
    model = ["--model", trained.model_uri, "--workers", "1"]

    jsonl = runner.invoke(app, ["predict", *model, *inputs])
    out = workdir / "labelled.parquet"
    result = runner.invoke(app, ["predict", *model, *inputs, "--format", "parquet", "-o", str(out)])
    assert result.exit_code == jsonl.exit_code == 1  # the blank page and the blank row failed
    assert "7 documents, 2 failed" in result.output
    expected = segments_by_id(jsonl.stdout)
    assert [doc_id for doc_id, _ in expected] == ["<urn:uuid:page1>", "<urn:uuid:page2>", "<urn:uuid:blank>",
                                                   "<urn:uuid:wet1>", "ferry", "p1", "p2"]
    table = pq.read_table(out)
    assert table.schema.names == ["id", "index", "start", "end", "label", "score", "error"]
    assert segments_of_parquet(table) == expected
    assert not (workdir / ".labelled.parquet.partial").exists()

    two = workdir / "two_workers.parquet"
    assert runner.invoke(app, ["predict", "--model", trained.model_uri, "--workers", "2", *inputs,
                               "--format", "parquet", "-o", str(two)]).exit_code == 1
    assert pq.read_table(two).equals(table)

    to_stdout = runner.invoke(app, ["predict", *model, *inputs, "--format", "parquet"])
    assert to_stdout.exit_code == 1 and "error: --format parquet needs an --output file" in to_stdout.output


@pytest.mark.smoke
def test_the_site_memory_knows_a_warc_page_by_its_url(workdir_with_model, trained):
    """WET pages of several sites label as the same pages given as JSONL with their domains, and not as pages
    with no site: the URL's host feeds the site memory."""
    workdir = workdir_with_model
    pages = [json.loads(line) for line in BUNDLED.read_text(encoding="utf-8").splitlines()[:24]]
    write_warc(workdir / "sites.wet", [("conversion", f"p{i}", f"https://www.{p['meta']['domain']}/{i}",
                                        p["text"].encode(), "text/plain") for i, p in enumerate(pages)])

    def labelled(rows: list[dict]) -> str:
        (workdir / "sites.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        return runner.invoke(app, ["predict", "--model", trained.model_uri, "--workers", "1", "--batch-size", "2",
                                   str(workdir / "sites.jsonl")]).stdout

    from_wet = runner.invoke(app, ["predict", "--model", trained.model_uri, "--workers", "1", "--batch-size", "2",
                                   str(workdir / "sites.wet")]).stdout
    ids = [f"<urn:uuid:p{i}>" for i in range(len(pages))]
    with_sites = labelled([{"id": i, "text": p["text"], "meta": {"domain": p["meta"]["domain"]}}
                           for i, p in zip(ids, pages)])
    without_sites = labelled([{"id": i, "text": p["text"]} for i, p in zip(ids, pages)])
    assert from_wet == with_sites
    assert from_wet != without_sites  # on these pages the memory changes the labels

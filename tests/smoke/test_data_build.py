import json

from typer.testing import CliRunner

from newsseg.cli import app
from newsseg.config import load_data_config
from newsseg.data.dataset import build_dataset, load_dataset_dict

runner = CliRunner()


def test_build_prints_table_groups_sites_and_skips_when_unchanged(tiny_data_config, workdir):
    result = runner.invoke(app, ["data", "build", str(tiny_data_config)])
    assert result.exit_code == 0, result.output
    assert "built:" in result.output and "opinion_comment" in result.output and "sites" in result.output
    out = workdir / "processed" / "tiny"
    stats = json.loads((out / "stats.json").read_text())
    sites = [set(stats["sites"][s]) for s in ("train", "validation", "test")]
    assert not (sites[0] & sites[1] or sites[0] & sites[2] or sites[1] & sites[2])
    dataset = load_dataset_dict(out)
    row = dataset["train"][0]
    assert set(row) >= {"doc_id", "site", "index", "start", "end", "text", "label", "prev_text", "next_text", "position"}
    assert dataset["train"].features["label"].names[0] == "news_body"

    again = runner.invoke(app, ["data", "build", str(tiny_data_config)])
    assert "up to date" in again.output
    forced = runner.invoke(app, ["data", "build", str(tiny_data_config), "--force"])
    assert "built:" in forced.output


def test_build_is_reproducible_and_seed_changes_split(tiny_data_config):
    config = load_data_config(tiny_data_config)
    first = build_dataset(config, force=True, progress=False).stats["sites"]
    second = build_dataset(config, force=True, progress=False).stats["sites"]
    assert first == second
    other = build_dataset(load_data_config(tiny_data_config, ["split.seed=11"]), force=True, progress=False)
    assert other.stats["sites"] != first


def test_offsets_slice_the_source_text(tiny_data_config):
    from newsseg.io.readers import read_documents

    config = load_data_config(tiny_data_config)
    build_dataset(config, progress=False)
    texts = {d.id: d.text for d in read_documents("jsonl", config.sources[0].path)}
    for split in load_dataset_dict(f"{config.output_dir}/tiny").values():
        for row in split.select(range(min(200, len(split)))):
            assert texts[row["doc_id"]][row["start"]:row["end"]] == row["text"]


def test_bad_data_config_exits_with_one_line(workdir):
    (workdir / "bad.yaml").write_text("name: x\nsources:\n  - reader: jsonl\n    path: nowhere.jsonl\n")
    result = runner.invoke(app, ["data", "build", str(workdir / "bad.yaml")])
    assert result.exit_code == 1
    assert result.output.strip() == "error: nowhere.jsonl: no such file"


def test_segment_command_prints_offsets(workdir):
    (workdir / "page.txt").write_text("Title\n\nBody text here.\nShare this\n")
    result = runner.invoke(app, ["segment", str(workdir / "page.txt")])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split() == ["1", "7", "22", "Body", "text", "here."]


def test_composed_and_weakly_labelled_sources(workdir):
    from tests.helpers import write_jsonl

    pools = workdir / "pools"
    pools.mkdir()
    for name, lines in {"ad": ["Subscribe to {site} for $1 a week"], "disclaimer": ["© {date} {site}. All rights reserved."],
                        "menu": ["Home", "World"], "chrome": ["Share this:"], "related_headline": ["Another story"],
                        "author_bio": ["{author} covers the courts."], "comment_chrome": ["Comments ({n})"]}.items():
        (pools / f"{name}.txt").write_text("\n".join(lines) + "\n")
    write_jsonl(workdir / "ac.jsonl", [{"id": f"p{i}", "article": f"Title {i}\n\nThe first paragraph of story {i}.",
                                        "comments": "Great read, thanks for writing it!\nReply"} for i in range(12)])
    write_jsonl(workdir / "raw.jsonl", [{"id": "r1", "text": "Subscribe now for $1 a week\n© 2025 Site. All rights reserved.\n"}])
    (workdir / "mixed.yaml").write_text(
        "name: mixed\nsources:\n"
        f"  - {{reader: articles_comments, path: {workdir / 'ac.jsonl'}, compose: {{pools_dir: {pools}, variants: 2}}}}\n"
        f"  - {{reader: jsonl, path: {workdir / 'raw.jsonl'}, weak_labels: true, weight: 0.3}}\n"
        "split: {validation: 0.2, test: 0.2}\n"
        f"output_dir: {workdir / 'processed'}\n")
    result = runner.invoke(app, ["data", "build", str(workdir / "mixed.yaml")])
    assert result.exit_code == 0, result.output
    stats = json.loads((workdir / "processed" / "mixed" / "stats.json").read_text())
    totals = {label: sum(stats["labels"][s][label] for s in stats["labels"]) for label in stats["labels"]["train"]}
    # Every article line of every variant is kept; a composed page drops its comment section now and then.
    assert totals["news_body"] == 12 * 2 * 2 and 0 < totals["opinion_comment"] <= 12 * 2
    assert totals["ad"] >= 1 and totals["disclaimer"] >= 1
    # Two variants of a page share its group: no page in two splits.
    docs = {s: set(d.split("~")[0] for d in load_dataset_dict(workdir / "processed" / "mixed")[s]["doc_id"])
            for s in ("train", "validation", "test")}
    assert not (docs["train"] & docs["test"] or docs["train"] & docs["validation"])


def test_skip_bad_flag_reports_skipped_records(workdir):
    from tests.helpers import write_jsonl

    rows = [{"id": f"d{i}", "text": "Title\nBody line.\n", "spans": [[0, 5, "news_body"], [6, 16, "news_body"]],
             "meta": {"domain": f"s{i}.com"}} for i in range(6)]
    write_jsonl(workdir / "gold.jsonl", rows[:3] + ["{broken"] + rows[3:])
    (workdir / "g.yaml").write_text(f"name: g\nsources:\n  - reader: jsonl\n    path: {workdir / 'gold.jsonl'}\n"
                                    f"output_dir: {workdir / 'processed'}\n")
    strict = runner.invoke(app, ["data", "build", str(workdir / "g.yaml")])
    assert strict.exit_code == 1 and "gold.jsonl:4: malformed JSON" in strict.output
    lenient = runner.invoke(app, ["data", "build", str(workdir / "g.yaml"), "--skip-bad"])
    assert lenient.exit_code == 0, lenient.output
    assert "skipped 1 bad record(s)" in lenient.output

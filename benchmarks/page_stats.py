"""Shape of composed pages next to real whole pages flattened to text: a markdown table.

Per page, over its non-empty lines: how many lines, the share of news_body lines, the mean length of
runs of consecutive short lines (< 6 words: menus, link lists), and where the article starts (index of
the first news_body line / lines). Medians over pages, with p10-p90 for the line count.

- composed whole pages: Dragnet articles + comments through newsseg.data.page_templates (whole_page_share 1);
- composed pages (today): the same sources through compose_page (whole_page_share 0), both shapes;
- real flattened pages: ../shared/data/real/readability_pages.jsonl (75 pages), flattened and labelled
  by the ``html_reference`` reader (lines it leaves unlabelled count as not the article).

Usage: .venv/bin/python benchmarks/page_stats.py [--max-comment-lines 15] [--seed 13]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
sys.path.insert(0, str(ROOT / "src"))

from newsseg.data.composition import compose_pages  # noqa: E402
from newsseg.io.readers import read_documents  # noqa: E402

SHORT_WORDS = 6

PageLines = list[tuple[str, bool]]  # (line, is news_body), non-empty lines only


def _collapse(line: str) -> str:
    return re.sub(r"\s+", " ", line).strip()


def labelled_lines(doc) -> PageLines:
    """Non-empty lines of a labelled Document; body when a news_body span covers the line's start."""
    body_starts = {s for s, _, label in doc.spans or [] if label == "news_body"}
    lines, offset = [], 0
    for raw in doc.text.split("\n"):
        start = offset + len(raw) - len(raw.lstrip())
        if raw.strip():
            lines.append((_collapse(raw), start in body_starts or offset in body_starts))
        offset += len(raw) + 1
    return lines


def real_pages() -> list[PageLines]:
    return [labelled_lines(d) for d in read_documents("html_reference", REAL / "readability_pages.jsonl")]


def short_run_mean(lines: PageLines) -> float:
    runs, run = [], 0
    for line, _ in lines:
        if len(line.split()) < SHORT_WORDS:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    if run:
        runs.append(run)
    return statistics.mean(runs) if runs else 0.0


def row(name: str, pages: list[PageLines]) -> str:
    pages = [p for p in pages if p]
    counts = [len(p) for p in pages]
    deciles = statistics.quantiles(counts, n=10)
    body = [sum(b for _, b in p) / len(p) for p in pages]
    starts = [next(i for i, (_, b) in enumerate(p) if b) / len(p) for p in pages if any(b for _, b in p)]
    return (f"| {name} | {len(pages)} | {statistics.median(counts):.0f} | {deciles[0]:.0f} | {deciles[-1]:.0f} | "
            f"{statistics.median(sum(b for _, b in p) for p in pages):.0f} | "
            f"{statistics.median(body):.2f} | {statistics.median(map(short_run_mean, pages)):.1f} | "
            f"{statistics.median(starts):.2f} |")


def stats_table(max_comment_lines: int = 15, seed: int = 13) -> str:
    def composed(share: float) -> list[PageLines]:
        sources = read_documents("articles_comments", REAL / "dragnet_articles_comments.jsonl")
        return [labelled_lines(d) for d in compose_pages(sources, ROOT / "data/raw/pools", seed=seed,
                                                          max_comment_lines=max_comment_lines,
                                                          listing_share=0.0, whole_page_share=share)]

    return "\n".join([
        "| pages | n | lines median | lines p10 | lines p90 | news_body lines | news_body share "
        "| short-line run mean | article start (first body line / lines) |",
        "|---|---|---|---|---|---|---|---|---|",
        row("composed whole pages (page_templates)", composed(1.0)),
        row("composed pages (extraction-shaped and the older whole-page shape)", composed(0.0)),
        row("real flattened pages (readability)", real_pages()),
        "", f"Medians over pages; short lines: < {SHORT_WORDS} words."])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-comment-lines", type=int, default=15, help="as configs/data/real.yaml")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(stats_table(args.max_comment_lines, args.seed))

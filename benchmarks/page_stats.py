"""Shape of composed pages next to real whole pages flattened to text: a markdown table.

Per page, over its non-empty lines: how many lines, the share of news_body lines, the mean length of
runs of consecutive short lines (< 6 words: menus, link lists), and where the article starts (index of
the first news_body line / lines). Medians over pages, with p10-p90 for the line count.

- composed whole pages: Dragnet articles + comments through newsseg.page_templates (whole_page_share 1);
- composed pages (today): the same sources through compose_page (whole_page_share 0), both shapes;
- real flattened pages: ../shared/data/real/readability_pages.jsonl (75 pages). Flattened with
  ``newsseg.html_pages.flatten_html`` and labelled by its ``html_reference`` reader when they exist;
  otherwise with resiliparse directly (whole page, list bullets, no alt texts), counting as body the
  lines equal (whitespace collapsed) to a line of the reference text. That alignment misses article
  lines that the reference wraps differently, so the real body share is a lower bound.

Usage: .venv/bin/python benchmarks/page_stats.py [--max-comment-lines 15] [--seed 13]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
sys.path.insert(0, str(ROOT / "src"))

from newsseg.composition import compose_pages  # noqa: E402
from newsseg.readers import read_documents  # noqa: E402

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


def real_pages() -> tuple[list[PageLines], str]:
    path = REAL / "readability_pages.jsonl"
    try:
        docs = list(read_documents("html_reference", path))
        return [labelled_lines(d) for d in docs], "newsseg.html_pages (html_reference reader)"
    except Exception:  # the reader is not there yet (or differs): flatten here
        pass
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    pages = []
    for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        text = extract_plain_text(HTMLTree.parse(row["html"]), main_content=False, list_bullets=True,
                                  alt_texts=False)
        reference = {_collapse(l) for l in row["reference"]["text"].splitlines() if l.strip()}
        pages.append([(_collapse(l), _collapse(l) in reference) for l in text.splitlines() if l.strip()])
    return pages, "resiliparse, body = lines equal to a reference line"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-comment-lines", type=int, default=15, help="as configs/data/real.yaml")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    def composed(share: float) -> list[PageLines]:
        sources = read_documents("articles_comments", REAL / "dragnet_articles_comments.jsonl")
        return [labelled_lines(d) for d in compose_pages(sources, ROOT / "data/raw/pools", seed=args.seed,
                                                          max_comment_lines=args.max_comment_lines,
                                                          listing_share=0.0, whole_page_share=share)]

    real, how = real_pages()
    print("| pages | n | lines median | lines p10 | lines p90 | news_body lines | news_body share "
          "| short-line run mean | article start (first body line / lines) |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(row("composed whole pages (page_templates)", composed(1.0)))
    print(row("composed pages (today)", composed(0.0)))
    print(row("real flattened pages (readability)", real))
    print(f"\nReal pages flattened with: {how}. Medians over pages; short lines: < {SHORT_WORDS} words.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

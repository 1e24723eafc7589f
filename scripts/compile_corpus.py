"""Compile the hand-written tagged pages in data/raw/pages/ into the gold JSONL corpus.

Authoring format (one file per page, ``data/raw/pages/<domain>/<name>.txt``)::

    # site: harbourgazette.com
    # name: The Harbour Gazette
    # shape: extraction            (or: page — a whole page flattened to text)
    # topic: local politics
    B|Council votes to close the old ferry pier
    <blank line>
    B|By Mara Lindqvist
    A|Subscribe for $1 a week

Header lines start with ``#``; every other non-blank line starts with a label code and ``|``:
B news_body, C opinion_comment, D disclaimer, A ad, O other. Text after the ``|`` is the line as it
appears on the page (leading spaces kept). Blank lines are kept as they are.

Usage:
    python scripts/compile_corpus.py --check [FILES...]   # validate and print label counts
    python scripts/compile_corpus.py                      # write data/corpus/bundled.jsonl
"""

from __future__ import annotations

import argparse
import collections
import json
import pathlib
import sys

CODES = {"B": "news_body", "C": "opinion_comment", "D": "disclaimer", "A": "ad", "O": "other"}
SHAPES = {"extraction", "page"}
REQUIRED_HEADERS = ("site", "name", "shape", "topic")
ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "data" / "raw" / "pages"
OUT_PATH = ROOT / "data" / "corpus" / "bundled.jsonl"


class TaggedPageError(ValueError):
    pass


def parse_tagged_page(path: pathlib.Path) -> dict:
    """Turn one tagged page into a gold record {id, text, spans, meta}."""
    raw = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    page_lines: list[str] = []
    spans: list[list] = []
    offset = 0
    in_header = True
    for line_no, line in enumerate(raw.split("\n"), start=1):
        if in_header and line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if not sep:
                raise TaggedPageError(f"{path}:{line_no}: header line needs 'key: value'")
            meta[key.strip()] = value.strip()
            continue
        if in_header and not line.strip():
            continue
        in_header = False
        if not line.strip():
            page_lines.append("")
            offset += 1
            continue
        code, sep, text = line.partition("|")
        if not sep or code not in CODES:
            raise TaggedPageError(f"{path}:{line_no}: line must start with one of {'/'.join(CODES)} and '|': {line[:60]!r}")
        if not text.strip():
            raise TaggedPageError(f"{path}:{line_no}: labelled line has no text")
        text = text.rstrip("\n")
        stripped = text.strip()
        start = offset + text.index(stripped)
        spans.append([start, start + len(stripped), CODES[code]])
        page_lines.append(text)
        offset += len(text) + 1
    missing = [k for k in REQUIRED_HEADERS if k not in meta]
    if missing:
        raise TaggedPageError(f"{path}: missing header(s): {', '.join(missing)}")
    if meta["shape"] not in SHAPES:
        raise TaggedPageError(f"{path}: shape must be one of {sorted(SHAPES)}, got {meta['shape']!r}")
    if not spans:
        raise TaggedPageError(f"{path}: page has no labelled lines")
    while page_lines and page_lines[-1] == "":
        page_lines.pop()
    text = "\n".join(page_lines) + "\n"
    for start, end, _ in spans:
        assert text[start:end].strip() == text[start:end] and end <= len(text)
    domain = meta["site"]
    return {
        "id": f"{domain}/{path.stem}",
        "text": text,
        "spans": spans,
        "meta": {"domain": domain, "site_name": meta["name"], "shape": meta["shape"],
                 "topic": meta["topic"], "source": "newsseg-bundled"},
    }


def shared_long_lines() -> set[str]:
    """Lines of 80+ characters from the licensed shared data, to catch accidental copying."""
    real = ROOT.parent / "shared" / "data" / "real"
    lines: set[str] = set()
    for p in sorted(real.glob("*.jsonl")) if real.is_dir() else []:
        for row in map(json.loads, p.open(encoding="utf-8")):
            for field in ("text", "article", "comments"):
                lines.update(l.strip() for l in row.get(field, "").split("\n") if len(l.strip()) >= 80)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=pathlib.Path, help="tagged pages (default: all under data/raw/pages)")
    parser.add_argument("--check", action="store_true", help="validate and print counts; write nothing")
    args = parser.parse_args(argv)
    files = args.files or sorted(PAGES_DIR.glob("*/*.txt"))
    copied = shared_long_lines()
    records, errors = [], []
    for path in files:
        try:
            records.append(parse_tagged_page(path))
        except TaggedPageError as exc:
            errors.append(str(exc))
            continue
        for start, end, _ in records[-1]["spans"]:
            if records[-1]["text"][start:end] in copied:
                errors.append(f"{path}: line copied from ../shared/data/real: {records[-1]['text'][start:start+60]!r}")
    labels = collections.Counter(s[2] for r in records for s in r["spans"])
    shapes = collections.Counter(r["meta"]["shape"] for r in records)
    sites = {r["meta"]["domain"] for r in records}
    pages_without = {lab: sum(1 for r in records if lab not in {s[2] for s in r["spans"]})
                     for lab in ("opinion_comment", "ad", "disclaimer")}
    print(f"{len(records)} pages, {len(sites)} sites, shapes {dict(shapes)}")
    print("segments per label:", {lab: labels.get(lab, 0) for lab in CODES.values()})
    print("pages without:", pages_without)
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    if errors:
        return 1
    if not args.check:
        OUT_PATH.parent.mkdir(parents=True, exist_ok=True)
        with OUT_PATH.open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {OUT_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

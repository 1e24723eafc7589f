"""Batch prediction over files: read documents as a stream, label them, write jsonl / text / html.

Nothing is lost: every input document appears in the output exactly once, in input order; one that
cannot be read or labelled appears with an ``error`` field. Output goes to a temporary file that is
renamed at the end, so a crashed run never leaves a half-written result under the final name.
"""

from __future__ import annotations

import html
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Sequence

from .documents import Document
from .features import SiteMemory
from .inference import Pipeline
from .labels import LABELS
from .readers import InputError, ReaderOptions, guess_reader, read_documents

FORMATS = ("jsonl", "text", "html")
LABEL_COLOURS = {"news_body": "#ffffff", "opinion_comment": "#cfe8ff", "disclaimer": "#ffe0b3",
                 "ad": "#ffc9c9", "other": "#e6e6e6"}


@dataclass
class PredictSummary:
    documents: int = 0
    failed: int = 0
    characters: int = 0


def iter_input_documents(paths: Sequence[Path], id_column: str = "id", text_column: str = "text") -> Iterator[Document]:
    """Documents from every input in order; unreadable inputs and bad records become error documents."""
    for path in paths:
        options = ReaderOptions(id_column=id_column, text_column=text_column, keep_bad=True, read_spans=False)
        try:
            yield from read_documents(guess_reader(path), path, options)
        except InputError as exc:  # the whole input is unreadable: one error record for it
            yield Document(str(path), "", {"error": str(exc)})


def label_batch(pipeline: Pipeline, docs: list[Document],
                memory: Optional[SiteMemory] = None) -> list[tuple[list[dict], Optional[str]]]:
    """(segments, error) per document; a failure is retried document by document, so it stays local."""
    good = [d for d in docs if not d.meta.get("error")]
    try:
        results = dict(zip((id(d) for d in good), pipeline.predict_documents(good, memory)))
        errors: dict[int, str] = {}
    except Exception:  # noqa: BLE001 - isolate the document that fails
        results, errors = {}, {}
        for doc in good:
            try:
                results[id(doc)] = pipeline.predict_documents([doc])[0]
            except Exception as exc:  # noqa: BLE001 - reported in the document's output
                errors[id(doc)] = f"{type(exc).__name__}: {exc}"
    return [(results.get(id(d), []), d.meta.get("error") or errors.get(id(d))) for d in docs]


class Writer:
    def __init__(self, out: IO[str], keep: set[str], with_headers: bool) -> None:
        self.out, self.keep, self.with_headers = out, keep, with_headers

    def start(self) -> None:
        pass

    def write(self, doc: Document, segments: list[dict], error: Optional[str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class JsonlWriter(Writer):
    def write(self, doc, segments, error):
        record: dict = {"id": doc.id}
        if error:
            record["error"] = error
        else:
            record["segments"] = [{k: s[k] for k in ("start", "end", "label", "score")} for s in segments]
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")


class TextWriter(Writer):
    """The cleaned document: the kept segments in order, one per line."""

    def write(self, doc, segments, error):
        if self.with_headers:
            self.out.write(f"### {doc.id}" + (f"  [error: {error}]" if error else "") + "\n")
        elif error:
            print(f"error: {doc.id}: {error}", file=sys.stderr)
        kept = [doc.text[s["start"]:s["end"]] for s in segments if s["label"] in self.keep]
        self.out.write("\n".join(kept) + ("\n\n" if self.with_headers else "\n"))


class HtmlWriter(Writer):
    """One self-contained page: segments coloured by label, the score on hover, a legend."""

    def start(self):
        legend = "".join(f'<span class="seg {label}">{label}</span> ' for label in LABELS)
        css = "".join(f".{label}{{background:{colour}}}" for label, colour in LABEL_COLOURS.items())
        self.out.write(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>newsseg</title><style>"
            "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            ".seg{display:block;padding:2px 6px;margin:2px 0;border-left:4px solid #999;white-space:pre-wrap}"
            ".seg.news_body{border-color:#2a7}.seg.opinion_comment{border-color:#27c}.seg.disclaimer{border-color:#e90}"
            ".seg.ad{border-color:#d33}.seg.other{border-color:#888}"
            "h2{font-size:1em;border-bottom:1px solid #ccc}.error{color:#b00}"
            f"{css}.legend .seg{{display:inline-block}}</style></head><body>"
            f"<div class='legend'>{legend}</div>\n")

    def write(self, doc, segments, error):
        self.out.write(f"<h2>{html.escape(doc.id)}</h2>\n")
        if error:
            self.out.write(f"<p class='error'>error: {html.escape(error)}</p>\n")
        for s in segments:
            hover = f"{s['label']} {s['score']:.2f}"
            self.out.write(f"<span class='seg {s['label']}' title='{html.escape(hover)}'>"
                           f"{html.escape(doc.text[s['start']:s['end']])}</span>\n")

    def finish(self):
        self.out.write("</body></html>\n")


WRITERS = {"jsonl": JsonlWriter, "text": TextWriter, "html": HtmlWriter}


def batched(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def predict_files(pipeline: Pipeline, inputs: Sequence[Path], output: Optional[Path], fmt: str = "jsonl",
                  keep: Sequence[str] = ("news_body",), id_column: str = "id", text_column: str = "text",
                  batch_size: int = 32, progress: bool = True) -> PredictSummary:
    from tqdm.auto import tqdm

    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    unknown = set(keep) - set(LABELS)
    if unknown:
        raise ValueError(f"--keep: unknown label(s) {', '.join(sorted(unknown))} (labels: {', '.join(LABELS)})")
    single_text = len(inputs) == 1 and inputs[0].suffix == ".txt"
    summary = PredictSummary()
    if output is None:
        out, tmp_path = sys.stdout, None
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
        out, tmp_path = os.fdopen(fd, "w", encoding="utf-8"), Path(name)
    writer = WRITERS[fmt](out, set(keep), with_headers=not single_text)
    bar = tqdm(desc="labelling", unit=" docs", disable=not progress, file=sys.stderr)
    try:
        writer.start()
        memory = SiteMemory()  # pages of one site seen earlier in the stream: line recurrence
        for batch in batched(iter_input_documents(inputs, id_column, text_column), batch_size):
            for doc, (segments, error) in zip(batch, label_batch(pipeline, batch, memory)):
                writer.write(doc, segments, error)
                summary.documents += 1
                summary.failed += bool(error)
                summary.characters += len(doc.text)
            bar.update(len(batch))
            bar.set_postfix(MB=f"{summary.characters / 1e6:.1f}", failed=summary.failed, refresh=False)
        writer.finish()
    except BaseException:
        if tmp_path is not None:
            out.close()
            tmp_path.unlink(missing_ok=True)
        raise
    finally:
        bar.close()
    if tmp_path is not None:
        out.close()
        os.replace(tmp_path, output)
    else:
        out.flush()
    return summary

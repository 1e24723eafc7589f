"""Line recurrence: lines a page shares with other pages of its site (in the batch, in a stream's memory, in
the training corpus), and lines that repeat one shape within a page. Boilerplate recurs; an article does not.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict, defaultdict, deque
from typing import Optional

import numpy as np
import pandas as pd

from newsseg.features.cues import MONTHS
from newsseg.features.line_forms import line_forms, mask_digit_runs


class BoilerplateIndex:
    """How many training documents each (folded) line occurs in; stored with the model so a single
    page at inference still knows which lines are site boilerplate seen before."""

    def __init__(self, doc_counts: Optional[dict[str, int]] = None, n_docs: int = 0) -> None:
        self.doc_counts = doc_counts or {}
        self.n_docs = n_docs

    @classmethod
    def fit(cls, frame: pd.DataFrame, min_docs: int = 3) -> "BoilerplateIndex":
        doc_keys: dict[str, set] = defaultdict(set)
        for doc, key in zip(frame["doc_id"].tolist(), line_forms(frame).keys):
            doc_keys[doc].add(key)
        counts = Counter(key for keys in doc_keys.values() for key in keys)
        return cls({k: v for k, v in counts.items() if v >= min_docs}, len(doc_keys))

    def recurrence(self, keys: list[str]) -> np.ndarray:
        """Per line key (``line_key``), log(1 + training documents holding the line)."""
        return np.array([math.log1p(self.doc_counts.get(key, 0)) for key in keys], dtype=np.float32)


class SiteMemory:
    """The line keys of the last pages seen per site, so that prediction over a stream of pages can
    measure line recurrence across batches. Bounded: ``pages_per_site`` pages for ``max_sites`` sites.
    Per site, how many of its remembered pages hold each key is kept up to date as pages come and go, so
    that a line is looked up once, not once per remembered page."""

    def __init__(self, pages_per_site: int = 20, max_sites: int = 20_000) -> None:
        self.pages_per_site, self.max_sites = pages_per_site, max_sites
        self.pages: "OrderedDict[str, deque[frozenset[str]]]" = OrderedDict()
        self.key_pages: dict[str, Counter] = {}

    def recent(self, site: str) -> list[frozenset[str]]:
        return list(self.pages.get(site, ()))

    def page_count(self, site: str) -> int:
        return len(self.pages.get(site, ()))

    def pages_holding(self, site: str) -> Counter:
        """Per line key, how many of the site's remembered pages hold it."""
        return self.key_pages.get(site, Counter())

    def remember(self, site: str, keys: frozenset[str]) -> None:
        if site not in self.pages:
            self.pages[site] = deque(maxlen=self.pages_per_site)
            self.key_pages[site] = Counter()
            if len(self.pages) > self.max_sites:
                forgotten, _ = self.pages.popitem(last=False)
                del self.key_pages[forgotten]
        self.pages.move_to_end(site)
        pages, counts = self.pages[site], self.key_pages[site]
        if pages.maxlen == 0:
            return
        if len(pages) == pages.maxlen:  # the oldest page is about to drop out
            counts.subtract(pages[0])
            for key in [key for key in pages[0] if counts[key] <= 0]:
                del counts[key]
        pages.append(keys)
        counts.update(keys)


def site_recurrence(frame: pd.DataFrame, memory: Optional[SiteMemory] = None,
                    keys: Optional[list[str]] = None) -> np.ndarray:
    """Share of the other pages of the same site (in this frame, and in ``memory``) holding the line.
    ``keys``: the lines' ``line_key``, when the caller has them."""
    # Plain lists: iterating pandas string columns element by element is several times slower.
    if keys is None:
        keys = line_forms(frame).keys
    sites, docs = frame["site"].tolist(), frame["doc_id"].tolist()
    # Per site, per doc id: the page's line keys. A page's lines come one after another, so the dicts are
    # looked up where the page changes, not per line (no (site, doc) tuple per line).
    pages: dict[str, dict[str, set]] = {}
    doc_site: dict[str, str] = {}  # per doc id, in order of first appearance: its last site (memory's order)
    page, last_site, last_doc = set(), None, None
    for key, site, doc in zip(keys, sites, docs):
        if doc is not last_doc or site is not last_site:
            page = pages.setdefault(site, {}).setdefault(doc, set())
            doc_site[doc] = site
            last_site, last_doc = site, doc
        page.add(key)
    # Per site: how many of its pages here hold each key, how many other pages (here and remembered) a
    # line's page has, and how many remembered pages hold each key.
    per_site = {}
    for site, site_pages in pages.items():
        holding_here: Counter = Counter()
        for keys_of_page in site_pages.values():
            holding_here.update(keys_of_page)
        remembered_pages, held = (memory.page_count(site), memory.pages_holding(site)) if memory else (0, {})
        per_site[site] = (holding_here, len(site_pages) - 1 + remembered_pages, held)
    shares = []
    last_site = None
    for key, site in zip(keys, sites):
        if site is not last_site:
            holding_here, others, held = per_site[site]
            last_site = site
        shares.append((holding_here[key] - 1 + held.get(key, 0)) / others if others > 0 else 0.0)
    if memory is not None:
        doc_keys: dict[str, set] = defaultdict(set)
        for site_pages in pages.values():
            for doc, keys_of_page in site_pages.items():
                doc_keys[doc] |= keys_of_page
        for doc, site in doc_site.items():
            memory.remember(site, frozenset(doc_keys[doc]))
    return np.array(shares, dtype=np.float32)


def page_shape_repeats(texts: list[str], doc_ids: list[str], lowered_texts: Optional[list[str]] = None,
                       month_counts: Optional[np.ndarray] = None, folded: Optional[list[str]] = None) -> np.ndarray:
    """Per line: how many lines of its page have its shape (digits and month names masked) but other
    text, capped at 10, over 10. Why: the entries of a listing repeat one shape with other dates ("Jun 2,
    2008 — J. Doe" before each teaser of an archive page); a poem's refrain repeats its very text.
    ``lowered_texts``, ``month_counts`` (``MONTHS`` in them), ``folded`` (them with digit runs masked,
    ``LineForms.folded``): per line, when the caller has them."""
    if lowered_texts is None:
        lowered_texts = [text.lower() for text in texts]
    if folded is None:
        folded = mask_digit_runs(lowered_texts)
    # Only lines naming a month have one replaced (masking digits leaves the word boundaries as they were,
    # so a month is found before masking iff after).
    if month_counts is None:
        month_counts = MONTHS.count(lowered_texts)
    shapes = list(folded)
    month_lines = np.flatnonzero(month_counts).tolist()
    for i, shape in zip(month_lines, MONTHS.replace([folded[i] for i in month_lines], "m", ".")):
        shapes[i] = shape
    # Per line, (lines of the page with its shape) - (lines of the page with its text). A shape is a function
    # of the text, so lines of one text share one shape. A line whose shape is its text ("unchanged": no
    # digit, no month, most lines) then counts just the changed lines of its page with that shape; a
    # changed line counts the unchanged lines whose text is its shape, plus the changed lines with its
    # shape, less those with its text. Only the changed lines, and the lines whose text is one of their
    # shapes, are counted by page, instead of every line by (page, shape) and (page, text).
    changed = [i for i, (shape, text) in enumerate(zip(shapes, lowered_texts)) if shape != text]
    repeats = np.zeros(len(texts), dtype=np.int64)
    if changed:
        changed_shapes = Counter((doc_ids[i], shapes[i]) for i in changed)
        changed_texts = Counter((doc_ids[i], lowered_texts[i]) for i in changed)
        changed_shape_set = {shapes[i] for i in changed}
        unchanged_texts: Counter = Counter()
        for i, text in enumerate(lowered_texts):
            if text in changed_shape_set and shapes[i] == text:
                key = (doc_ids[i], text)
                unchanged_texts[key] += 1
                repeats[i] = changed_shapes[key]
        for i in changed:
            shape_key = (doc_ids[i], shapes[i])
            repeats[i] = (unchanged_texts[shape_key] + changed_shapes[shape_key]
                          - changed_texts[(doc_ids[i], lowered_texts[i])])
    return (np.minimum(repeats, 10) / 10).astype(np.float32)

"""Building blocks of composed pages, shared by the extraction-shaped composer (``composition``) and the
whole-page templates (``page_templates``): a fictional site's identity, a page builder that keeps each
line's label, and a labelled source's article and comment lines."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Optional

from newsseg.text.documents import Document

# Pools of multi-line blocks (blank-line separated), every line of a block with one label: the runs of
# promotion (a press release's "buy the report" and contact lines) and of chrome (a source list, an author
# box) that real pages end with, and the lists inside an article (a sentence ending in ":" and its items: a
# report's regions, a recipe's ingredients), which are the article's own although their short lines look
# like a menu. Optional: a pools folder without them composes pages without them.
BLOCK_POOL_NAMES = {"ad_blocks": "ad", "other_blocks": "other", "article_list": "news_body"}

AUTHORS = ("Dana Whitlow", "R. K. Menon", "Lucia Ferraro", "Tom Okafor", "Jenny Marsh", "Piotr Zielinski",
           "Amara Bello", "Sam Carver", "Helen Ng", "Marcus Reid")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class SiteIdentity:
    name: str
    domain: str
    author: str
    date: str


class PageBuilder:
    """Accumulates (text, label) lines and blank-line separators, then renders a labelled Document."""

    def __init__(self, rng: random.Random, site: SiteIdentity, paragraph_gap: float) -> None:
        self.rng, self.site, self.gap = rng, site, paragraph_gap
        self.lines: list[tuple[str, Optional[str]]] = []

    def fill(self, template: str) -> str:
        return re.sub(r"\{(site|domain|n|author|date)\}", lambda m: {
            "site": self.site.name, "domain": self.site.domain, "n": str(self.rng.randint(1, 240)),
            "author": self.site.author, "date": self.site.date}[m.group(1)], template)

    def add(self, text: str, label: str, gap: Optional[float] = None) -> None:
        text = self.fill(text).strip()
        if not text:
            return
        self.lines.append((text, label))
        if self.rng.random() < (self.gap if gap is None else gap):
            self.lines.append(("", None))

    def add_pool(self, pools: dict, pool: str, label: str, k: int, gap: Optional[float] = None) -> None:
        for item in self.rng.sample(pools[pool], min(k, len(pools[pool]))):
            self.add(item, label, gap)

    def add_block(self, pools: dict, pool: str, rng: Optional[random.Random] = None,
                  gaps: tuple[float, float] = (0.3, 0.3)) -> None:
        """One block of a block pool, drawn with ``rng`` (default: the page's); ``gaps``: the chance of a
        blank line after its first line and after each later one."""
        first, *rest = (rng or self.rng).choice(pools[pool])
        self.add(first, BLOCK_POOL_NAMES[pool], gap=gaps[0])
        for line in rest:
            self.add(line, BLOCK_POOL_NAMES[pool], gap=gaps[1])

    def document(self, doc_id: str, meta: dict) -> Document:
        text_parts, spans, offset = [], [], 0
        for text, label in self.lines:
            if label is not None:
                spans.append((offset, offset + len(text), label))
            text_parts.append(text)
            offset += len(text) + 1
        return Document(doc_id, "\n".join(text_parts) + "\n", meta, spans)


def article_and_comments(source: Document, rng: random.Random,
                         max_comment_lines: int) -> tuple[list[str], list[tuple[str, str]]]:
    """A labelled source's article lines, and its comment-section lines with their labels: a random window of
    at most ``max_comment_lines`` of them, which keeps pages page-sized."""
    article = [source.text[s:e] for s, e, label in source.spans if label == "news_body"]
    comment_section = [(source.text[s:e], label) for s, e, label in source.spans if label != "news_body"]
    if len(comment_section) > max_comment_lines:
        start = rng.randrange(len(comment_section) - max_comment_lines + 1)
        comment_section = comment_section[start:start + max_comment_lines]
    return article, comment_section

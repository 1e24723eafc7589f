"""Whole web pages as users' corpora hold them: HTML flattened to text, and a reference article aligned
to the flattened lines as partial labels.

A page's reference article (e.g. Mozilla Readability's hand-checked extraction) says which lines are
the article. It says nothing about the rest: a line outside it is *not the article*, not known to be
chrome (it may be a reader comment, an ad or a notice). So aligned lines get ``news_body`` and the other
lines the partial label ``NOT_NEWS_BODY``; training learns from such lines only whether they are the
article (see ``LayoutGbt``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from newsseg.features.cues import credit_line_label
from newsseg.labels import NOT_NEWS_BODY
from newsseg.text.segmentation import iter_line_spans

# Flattener settings, varied by page so that a model does not learn one setting's quirks (bullets before
# list items or not, images' alt texts as lines or not).
FLATTEN_VARIANTS: tuple[dict, ...] = (
    {"list_bullets": True, "alt_texts": True},
    {"list_bullets": False, "alt_texts": False},
    {"list_bullets": True, "alt_texts": False},
    {"list_bullets": False, "alt_texts": True},
)


def flatten_html(html: str, variant: int = 0) -> str:
    """The whole page as plain text, one block a line (menus, sidebars and footers included), as
    Common Crawl-scale pipelines flatten pages: resiliparse's ``extract_plain_text`` without its
    main-content heuristics. ``variant`` picks one of ``FLATTEN_VARIANTS``."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    options = FLATTEN_VARIANTS[variant % len(FLATTEN_VARIANTS)]
    return extract_plain_text(HTMLTree.parse(html), preserve_formatting=True, main_content=False, **options)


# Quotes of every kind (and U+FFFD, which mis-decoded references hold in their place) compare as one
# character; dashes as "-".
_QUOTES = str.maketrans({**{q: "'" for q in "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb\"\ufffd"},
                         "\u2013": "-", "\u2014": "-", "\u00a0": " "})
_BULLET_RE = re.compile(r"^\s*(?:[\u2022\u25aa\u25ba\u00bb\u00b7*\-]|\d{1,3}[.)])\s+")
_SPACE_RE = re.compile(r"\s+")


def comparable(text: str) -> str:
    """A line as the aligner compares it: Unicode-compatible forms, plain quotes and dashes, no list
    bullet, white space collapsed, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE_RE.sub(" ", _BULLET_RE.sub("", text)).strip().lower()


def display_width(text: str) -> int:
    """Characters, wide ones (CJK) counted twice: a Chinese line of 20 characters says as much as an
    English one of 40."""
    return len(text) + sum(1 for ch in text if ord(ch) >= 0x1100 and unicodedata.east_asian_width(ch) in "WF")


# A line of at least this many characters (``display_width``) may match any part of a reference block (flatteners split
# blocks at <br>, inline lists and the like); a shorter line must equal a whole reference line, and lie in
# the article's region, or the menus ("Help", "Money") would come back as the article.
LONG_LINE_CHARS = 40
# Anchors (long aligned lines) further apart than this many lines are not taken as one region (charts and
# galleries inside an article can hold a hundred short lines).
ANCHOR_MAX_GAP = 150
# The title or byline is looked for at most this many lines above the region.
HEADER_SEARCH_LINES = 30
# Where no line is like the title, this many lines above the region are left unlabelled.
UNKNOWN_HEADER_LINES = 6
# Lines of the region that the reference lacks and that are this long are left unlabelled rather than
# called not-article: the reference sometimes drops a caption or a paragraph.
UNMATCHED_PROSE_WORDS = 12
# What the reference's credit lines get (short lines with an image-credit, source or copyright cue:
# ``cues.credit_line_label``), which references keep as the article and LABELS.md does not: "news_body" (as
# the reference says), "unlabelled" (None: not trained on), "labelled" (the label the cue decides, ``other``
# or ``disclaimer``; None where the cue may be the article's).
CREDIT_LINE_SETTINGS = ("news_body", "unlabelled", "labelled")


@dataclass(frozen=True)
class Reference:
    title: str = ""
    byline: str = ""
    text: str = ""


def align_reference(text: str, reference: Reference,
                    credit_lines: str = "news_body") -> list[tuple[int, int, Optional[str]]]:
    """Per non-empty line of ``text``: (start, end, label) with label ``news_body`` (the line is the
    reference article's), ``NOT_NEWS_BODY`` (it is not) or None (not known: lines between the title and the
    first paragraph, where the reference often omits the standfirst and the date line; long lines of the
    article's region that the reference lacks). ``credit_lines``: one of CREDIT_LINE_SETTINGS, what the
    reference's credit lines get."""
    if credit_lines not in CREDIT_LINE_SETTINGS:
        raise ValueError(f"credit_lines must be one of {CREDIT_LINE_SETTINGS}, not {credit_lines!r}")
    spans = list(iter_line_spans(text))
    lines = [comparable(text[start:end]) for start, end in spans]
    ref_lines = [comparable(line) for line in reference.text.splitlines()]
    ref_lines = [line for line in ref_lines if line]
    whole_lines = set(ref_lines)
    joined = " \n ".join(ref_lines)

    def long_match(line: str) -> bool:
        return display_width(line) >= LONG_LINE_CHARS and (line in whole_lines or line in joined)

    anchors = [i for i, line in enumerate(lines) if long_match(line)]
    labels: list[Optional[str]] = [NOT_NEWS_BODY] * len(lines)
    if not anchors:
        return [(s, e, lab) for (s, e), lab in zip(spans, labels)]
    region = _article_anchors(anchors, [joined.find(lines[i]) for i in anchors], [len(lines[i]) for i in anchors])
    first, last = region[0], region[-1]
    # Short closing lines of the reference ("Help", a credit) right after the last anchor are the article's.
    while last + 1 < len(lines) and lines[last + 1] in whole_lines:
        last += 1
    for i in range(first, last + 1):
        line = lines[i]
        if long_match(line) or line in whole_lines:
            labels[i] = "news_body"
        elif len(line.split()) >= UNMATCHED_PROSE_WORDS:
            labels[i] = None
    # Above the region: the title (the nearest line like it) and the byline are the article's; lines between
    # the title and the region are left unlabelled. Without a title line, the few lines just above the region
    # are left unlabelled: the headline is likely among them, under another wording than the reference's.
    title, byline = comparable(reference.title), comparable(reference.byline)
    header_top = max(0, first - HEADER_SEARCH_LINES)
    title_at = next((i for i in range(first - 1, header_top - 1, -1) if title and _like_title(lines[i], title)), None)
    if title_at is None:
        for i in range(max(0, first - UNKNOWN_HEADER_LINES), first):
            labels[i] = "news_body" if lines[i] in whole_lines else None
    else:
        labels[title_at] = "news_body"
        for i in range(title_at + 1, first):
            short_byline = byline and byline in lines[i] and len(lines[i].split()) <= 3 * len(byline.split()) + 8
            labels[i] = "news_body" if short_byline or lines[i] in whole_lines else None
    if credit_lines != "news_body":
        labels = [credit_line_training_label(label, text[start:end], credit_lines)
                  for (start, end), label in zip(spans, labels)]
    return [(s, e, lab) for (s, e), lab in zip(spans, labels)]


def credit_line_training_label(label: Optional[str], line: str, credit_lines: str) -> Optional[str]:
    """A line's aligned ``label`` under the ``credit_lines`` setting: a ``news_body`` line with a credit,
    source or copyright cue (``cues.credit_line_label``) becomes None ("unlabelled"), or the label its cue
    decides, None where the cue may be the article's ("labelled"); any other line keeps its label."""
    if credit_lines == "news_body" or label != "news_body":
        return label
    cue_label = credit_line_label(line)
    if cue_label is None:
        return label
    return cue_label if credit_lines == "labelled" and cue_label else None


def _like_title(line: str, title: str) -> bool:
    """The line is the headline the reference calls ``title`` (both ``comparable``): the same, or most of it
    (page titles add the site's name: "Headline - Site"), or most of the same words."""
    if line == title:
        return True
    if display_width(line) >= 12 and display_width(line) >= display_width(title) / 2 and line in title:
        return True
    line_words, title_words = set(line.split()), set(title.split())
    return len(line_words) >= 3 and len(line_words & title_words) / len(line_words | title_words) >= 0.6


def _article_anchors(anchors: list[int], ref_positions: list[int], sizes: list[int]) -> list[int]:
    """The anchors of the article's region: the chain of anchors whose places in the reference rise with
    their places on the page, holding the most aligned characters (a reference paragraph reprinted
    elsewhere, such as a teaser in a "related" list, falls out of order), with no gap over ANCHOR_MAX_GAP."""
    best = list(sizes)  # best[k]: characters of the heaviest chain ending at anchor k
    previous = [-1] * len(anchors)
    for k in range(len(anchors)):
        for j in range(k):
            if ref_positions[j] <= ref_positions[k] and anchors[k] - anchors[j] <= ANCHOR_MAX_GAP \
                    and best[j] + sizes[k] > best[k]:
                best[k], previous[k] = best[j] + sizes[k], j
    k = max(range(len(anchors)), key=best.__getitem__)
    chain = []
    while k >= 0:
        chain.append(anchors[k])
        k = previous[k]
    return chain[::-1]


def labelled_spans(text: str, reference: Reference, credit_lines: str = "news_body") -> list[tuple[int, int, str]]:
    """``align_reference`` without the unlabelled lines: gold-format spans (labels ``news_body`` and
    ``NOT_NEWS_BODY``; with ``credit_lines="labelled"``, also ``other`` and ``disclaimer``)."""
    return [(s, e, label) for s, e, label in align_reference(text, reference, credit_lines) if label is not None]

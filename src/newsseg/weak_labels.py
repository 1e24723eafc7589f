"""Weak supervision: small named labelling functions that vote a label for a segment or abstain,
aggregated by majority vote, to label raw pages (e.g. a CSV of scraped pages) for training.

Each function sees one segment row and its page (``PageView``). ``evaluate_functions`` reports each
function's coverage, conflicts and, where gold labels exist, accuracy.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import pandas as pd

from .features import COMMENT_HEADER_RE, site_recurrence
from .registry import Registry
from .segmentation import normalize_for_model

ABSTAIN: Optional[str] = None


@dataclass
class PageView:
    """What a labelling function may look at besides the segment: its page and its site."""

    texts: list[str]
    comment_header_at: Optional[int]  # index of the first comment-section header on the page
    recurrence: np.ndarray  # share of the site's other pages (in the batch) holding each line


LabellingFunction = Callable[[int, PageView], Optional[str]]
LABELLING_FUNCTIONS: Registry[LabellingFunction] = Registry("labelling function")
lf = LABELLING_FUNCTIONS.register

_LEGAL = re.compile(
    r"all rights reserved|©|\bcopyright\b|not necessarily (reflect|represent|the views)|views expressed|"
    r"\bconsult (your|a|with a) (doctor|physician|professional|financial)|not (intended|meant) (as|to be|to)|"
    r"not (medical|financial|investment|legal) advice|for (entertainment|informational) purposes|\bsatir(e|ical)\b|"
    r"affiliate (link|commission)|we may (earn|receive) a (small )?commission|fair use|uses cookies|"
    r"cannot guarantee|not affiliated with|full disclosure|comment policy|terms of (use|service) apply|"
    r"reproduction (in whole or in part|without permission)|content (is )?owned by", re.I)
_CALL_TO_ACTION = re.compile(
    r"\b(subscribe (now|today|for)|sign up (now|today|for|to)|donate (now|today)|click here|free (report|gift|trial|ebook)|"
    r"buy now|order (now|today)|shop now|sponsored|advertisement|download (the|our) app|\d+% off|limited time|"
    r"support (us|our|independent)|become a (member|patron|subscriber)|chip in|get (instant )?access)\b|^headline:", re.I)
_CHROME_WORDS = re.compile(
    r"^(share|tweet|email|print|read more|continue reading|related|tags?:|filed under|posted in|home|menu|search|"
    r"log ?in|sign in|previous|next|back to top|follow us|advertise|about us|contact|privacy policy|terms)\b", re.I)
_FIRST_OR_SECOND_PERSON = re.compile(r"\b(i|i'm|my|me|you|your)\b", re.I)
_TERMINAL = re.compile("[.!?\"'\u201d\u2019)]$")


def _words(text: str) -> int:
    return len(text.split())


@lf("legal_phrasing")
def legal_phrasing(i: int, page: PageView) -> Optional[str]:
    return "disclaimer" if _LEGAL.search(page.texts[i]) else ABSTAIN


@lf("call_to_action")
def call_to_action(i: int, page: PageView) -> Optional[str]:
    text = page.texts[i]
    return "ad" if _CALL_TO_ACTION.search(text) and _words(text) <= 40 else ABSTAIN


@lf("comment_section_header")
def comment_section_header(i: int, page: PageView) -> Optional[str]:
    return "other" if COMMENT_HEADER_RE.search(page.texts[i]) else ABSTAIN


@lf("after_comment_header")
def after_comment_header(i: int, page: PageView) -> Optional[str]:
    """Prose after the comment-section header, in the first or second person, is a reader's comment."""
    text = page.texts[i]
    if page.comment_header_at is None or i <= page.comment_header_at or page.recurrence[i] > 0:
        return ABSTAIN
    if _words(text) >= 8 and _FIRST_OR_SECOND_PERSON.search(text) and not _LEGAL.search(text):
        return "opinion_comment"
    return ABSTAIN


@lf("numbered_after_comment_header")
def numbered_after_comment_header(i: int, page: PageView) -> Optional[str]:
    after = page.comment_header_at is not None and i > page.comment_header_at
    return "opinion_comment" if after and re.match(r"^\d{1,3}\.\s+\S", page.texts[i]) and _words(page.texts[i]) >= 6 else ABSTAIN


@lf("chrome_pattern")
def chrome_pattern(i: int, page: PageView) -> Optional[str]:
    text = page.texts[i]
    return "other" if _words(text) <= 6 and _CHROME_WORDS.search(text) and not _TERMINAL.search(text) else ABSTAIN


@lf("short_fragment")
def short_fragment(i: int, page: PageView) -> Optional[str]:
    """Lines of one or two words without sentence punctuation in the last third of the page are chrome
    (higher up they are too often the article's subheadings)."""
    text = page.texts[i]
    late = i >= 2 * len(page.texts) / 3
    return "other" if late and _words(text) <= 2 and not _TERMINAL.search(text) else ABSTAIN


@lf("cross_page_repetition")
def cross_page_repetition(i: int, page: PageView) -> Optional[str]:
    """A line found on many pages of the same site is boilerplate, never the article."""
    if page.recurrence[i] < 0.3:
        return ABSTAIN
    text = page.texts[i]
    if _LEGAL.search(text):
        return "disclaimer"
    if _CALL_TO_ACTION.search(text):
        return "ad"
    return "other"


@lf("article_prose")
def article_prose(i: int, page: PageView) -> Optional[str]:
    """Long sentences before any comment section that no other page of the site repeats."""
    text = page.texts[i]
    before_comments = page.comment_header_at is None or i < page.comment_header_at
    if before_comments and _words(text) >= 20 and _TERMINAL.search(text) and page.recurrence[i] == 0 \
            and not _LEGAL.search(text) and not _CALL_TO_ACTION.search(text):
        return "news_body"
    return ABSTAIN


def page_views(frame: pd.DataFrame) -> list[tuple[np.ndarray, PageView]]:
    """(row positions, PageView) per document of a frame of segment rows."""
    recurrence = site_recurrence(frame)
    views = []
    texts_all = [normalize_for_model(t) for t in frame["text"]]
    for _, positions in frame.groupby("doc_id", sort=False).indices.items():
        texts = [texts_all[p] for p in positions]
        header = next((j for j, t in enumerate(texts) if COMMENT_HEADER_RE.search(t)), None)
        views.append((positions, PageView(texts, header, recurrence[positions])))
    return views


def vote_matrix(frame: pd.DataFrame, names: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """One column per labelling function, one row per segment: the label voted, or None."""
    names = list(names or LABELLING_FUNCTIONS.names())
    votes = {name: [None] * len(frame) for name in names}
    for positions, view in page_views(frame):
        for j, position in enumerate(positions):
            for name in names:
                votes[name][position] = LABELLING_FUNCTIONS.get(name)(j, view)
    return pd.DataFrame(votes, index=frame.index, dtype=object)  # object: keep None, not NaN


def majority_vote(votes: pd.DataFrame) -> list[Optional[str]]:
    """The most voted label; None where every function abstains or the top labels tie."""
    out: list[Optional[str]] = []
    for row in votes.itertuples(index=False):
        counts = Counter(v for v in row if isinstance(v, str)).most_common(2)
        if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
            out.append(None)
        else:
            out.append(counts[0][0])
    return out


def evaluate_functions(frame: pd.DataFrame) -> pd.DataFrame:
    """Coverage, conflict rate and (with a gold ``label`` column of names) accuracy per function,
    plus a row for the majority vote."""
    votes = vote_matrix(frame)
    gold = frame["label"].tolist() if "label" in frame.columns else None
    rows = []
    for name in list(votes.columns) + ["majority_vote"]:
        column = pd.Series(majority_vote(votes) if name == "majority_vote" else votes[name].tolist(), dtype=object)
        covered = column.map(lambda v: isinstance(v, str))
        row = {"function": name, "coverage": covered.mean()}
        if name != "majority_vote":
            others = votes.drop(columns=name).to_numpy()
            conflict = [isinstance(c, str) and any(isinstance(o, str) and o != c for o in others[k])
                        for k, c in enumerate(column)]
            row["conflicts"] = float(np.mean(conflict))
            row["label"] = Counter(column[covered]).most_common(1)[0][0] if covered.any() else "-"
        if gold is not None and covered.any():
            row["accuracy"] = float(np.mean([column[k] == gold[k] for k in np.flatnonzero(covered)]))
        rows.append(row)
    return pd.DataFrame(rows)


def weak_label_stream(docs, chunk_size: int = 2000):
    """``weak_label_documents`` over a stream, a chunk at a time (recurrence is measured per chunk)."""
    from itertools import islice

    iterator = iter(docs)
    while chunk := list(islice(iterator, chunk_size)):
        yield from weak_label_documents(chunk)


def weak_label_documents(docs: list) -> list:
    """Give documents without gold spans the majority-vote labels of their segments (abstentions are
    left out, so those segments are not trained on)."""
    from .dataset import COLUMNS, document_rows

    rows = [row for doc in docs for row in document_rows(doc, "lines", 10**9, 0)]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    labels = majority_vote(vote_matrix(frame)) if len(frame) else []
    spans: dict[str, list] = {doc.id: [] for doc in docs}
    for doc_id, start, end, label in zip(frame["doc_id"], frame["start"], frame["end"], labels):
        if label is not None:
            spans[doc_id].append((int(start), int(end), label))
    for doc in docs:
        doc.spans = spans[doc.id]
        doc.meta["weakly_labelled"] = True
    return docs


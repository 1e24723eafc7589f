"""Weak supervision: small named labelling functions that vote a label for a segment or abstain,
aggregated by majority vote, to label raw pages (e.g. a CSV of scraped pages) for training.

Each function sees one segment row and its page (``PageView``). ``evaluate_functions`` reports each
function's coverage, conflicts and, where gold labels exist, accuracy.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import pandas as pd

from newsseg.features.cues import (
    CALL_TO_ACTION_RE,
    CHROME_LINE_RE,
    COMMENT_HEADER_RE,
    FIRST_OR_SECOND_PERSON_RE,
    LATIN_TERMINAL_RE,
    LEGAL_PHRASING_RE,
    NUMBERED_LINE_RE,
)
from newsseg.features.recurrence import site_recurrence
from newsseg.registry import LABELLING_FUNCTIONS
from newsseg.text.segmentation import normalize_for_model

ABSTAIN: Optional[str] = None


@dataclass
class PageView:
    """What a labelling function may look at besides the segment: its page and its site."""

    texts: list[str]
    comment_header_at: Optional[int]  # index of the first comment-section header on the page
    recurrence: np.ndarray  # share of the site's other pages (in the batch) holding each line


LabellingFunction = Callable[[int, PageView], Optional[str]]
lf = LABELLING_FUNCTIONS.register


def _words(text: str) -> int:
    return len(text.split())


@lf("legal_phrasing")
def legal_phrasing(i: int, page: PageView) -> Optional[str]:
    return "disclaimer" if LEGAL_PHRASING_RE.search(page.texts[i]) else ABSTAIN


@lf("call_to_action")
def call_to_action(i: int, page: PageView) -> Optional[str]:
    text = page.texts[i]
    return "ad" if CALL_TO_ACTION_RE.search(text) and _words(text) <= 40 else ABSTAIN


@lf("comment_section_header")
def comment_section_header(i: int, page: PageView) -> Optional[str]:
    return "other" if COMMENT_HEADER_RE.search(page.texts[i]) else ABSTAIN


@lf("after_comment_header")
def after_comment_header(i: int, page: PageView) -> Optional[str]:
    """Prose after the comment-section header, in the first or second person, is a reader's comment."""
    text = page.texts[i]
    if page.comment_header_at is None or i <= page.comment_header_at or page.recurrence[i] > 0:
        return ABSTAIN
    if _words(text) >= 8 and FIRST_OR_SECOND_PERSON_RE.search(text) and not LEGAL_PHRASING_RE.search(text):
        return "opinion_comment"
    return ABSTAIN


@lf("numbered_after_comment_header")
def numbered_after_comment_header(i: int, page: PageView) -> Optional[str]:
    after = page.comment_header_at is not None and i > page.comment_header_at
    return "opinion_comment" if after and NUMBERED_LINE_RE.match(page.texts[i]) and _words(page.texts[i]) >= 6 else ABSTAIN


@lf("chrome_pattern")
def chrome_pattern(i: int, page: PageView) -> Optional[str]:
    text = page.texts[i]
    return "other" if _words(text) <= 6 and CHROME_LINE_RE.search(text) and not LATIN_TERMINAL_RE.search(text) else ABSTAIN


@lf("short_fragment")
def short_fragment(i: int, page: PageView) -> Optional[str]:
    """Lines of one or two words without sentence punctuation in the last third of the page are chrome
    (higher up they are too often the article's subheadings)."""
    text = page.texts[i]
    late = i >= 2 * len(page.texts) / 3
    return "other" if late and _words(text) <= 2 and not LATIN_TERMINAL_RE.search(text) else ABSTAIN


@lf("cross_page_repetition")
def cross_page_repetition(i: int, page: PageView) -> Optional[str]:
    """A line found on many pages of the same site is boilerplate, never the article."""
    if page.recurrence[i] < 0.3:
        return ABSTAIN
    text = page.texts[i]
    if LEGAL_PHRASING_RE.search(text):
        return "disclaimer"
    if CALL_TO_ACTION_RE.search(text):
        return "ad"
    return "other"


@lf("article_prose")
def article_prose(i: int, page: PageView) -> Optional[str]:
    """Long sentences before any comment section that no other page of the site repeats."""
    text = page.texts[i]
    before_comments = page.comment_header_at is None or i < page.comment_header_at
    if before_comments and _words(text) >= 20 and LATIN_TERMINAL_RE.search(text) and page.recurrence[i] == 0 \
            and not LEGAL_PHRASING_RE.search(text) and not CALL_TO_ACTION_RE.search(text):
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

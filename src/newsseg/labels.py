"""The five segment labels, defined once (annotation rules: ../shared/data/LABELS.md)."""

from __future__ import annotations

LABEL_DESCRIPTIONS: dict[str, str] = {
    "news_body": "the article: headline, byline, paragraphs, captions, quotes",
    "opinion_comment": "text posted by readers below the article (not op-eds)",
    "disclaimer": "legal / editorial / policy notices",
    "ad": "promotions and calls to action: sponsored, subscribe, donate, buy",
    "other": "page chrome: navigation, share prompts, 'Comments (26)', bios, credits",
}
LABELS: tuple[str, ...] = tuple(LABEL_DESCRIPTIONS)
LABEL_TO_ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
# A partial label, allowed in training data: the segment is not news_body, and which of the other four it
# is is not known (a line outside a page's reference article; see newsseg.io.html_pages).
NOT_NEWS_BODY = "not_news_body"


def check_label(label: str, where: str, partial: bool = False) -> str:
    """Return ``label`` if it is one of LABELS (or, with ``partial``, NOT_NEWS_BODY), else raise ValueError
    naming ``where``."""
    if label not in LABEL_TO_ID and not (partial and label == NOT_NEWS_BODY):
        expected = ", ".join((*LABELS, NOT_NEWS_BODY) if partial else LABELS)
        raise ValueError(f"{where}: unknown label {label!r} (expected one of {expected})")
    return label

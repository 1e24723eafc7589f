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


def check_label(label: str, where: str) -> str:
    """Return ``label`` if it is one of LABELS, else raise ValueError naming ``where``."""
    if label not in LABEL_TO_ID:
        raise ValueError(f"{where}: unknown label {label!r} (expected one of {', '.join(LABELS)})")
    return label

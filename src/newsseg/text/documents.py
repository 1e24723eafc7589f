"""Core types: a Document (page text) and its Segments (character spans with an optional label)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Document:
    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    # Gold annotation, when the source has one: [start, end, label] character spans into ``text``.
    spans: Optional[list[tuple[int, int, str]]] = None

    @property
    def site(self) -> str:
        """The grouping key for site-disjoint splits: the page's domain, else its own id."""
        return str(self.meta.get("domain") or self.meta.get("site") or self.id)


@dataclass
class Segment:
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    label: Optional[str] = None

    @classmethod
    def from_span(cls, doc: Document, index: int, start: int, end: int, label: Optional[str] = None) -> "Segment":
        # Built from the document so that ``doc.text[start:end] == segment.text`` always holds.
        return cls(doc.id, index, start, end, doc.text[start:end], label)

"""Reference systems that newsseg is compared with, applied line by line: keep every line as the
article; the C4 line rules; jusText. They only keep or drop a line, so a kept line counts as
``news_body`` and a dropped one as ``other`` (they cannot tell a comment from the article, or an ad
from a notice)."""

from __future__ import annotations

import html
import re
from typing import Callable, Sequence

from newsseg.extras import require_extra

_TERMINAL = ("." , "!", "?", '"', "\u201d", "'", "\u2019")
_C4_POLICY = re.compile(r"terms of use|privacy policy|cookie policy|uses cookies|use of cookies|use cookies|"
                        r"lorem ipsum", re.I)


def keep_all(lines: Sequence[str]) -> list[bool]:
    return [True] * len(lines)


def c4_keep_line(line: str) -> bool:
    """C4's line filter: terminal punctuation, at least 3 words, no 'javascript', no policy phrases, no '{'."""
    line = line.strip()
    return (line.endswith(_TERMINAL) and len(line.split()) >= 3 and "javascript" not in line.lower()
            and not _C4_POLICY.search(line) and "{" not in line)


def c4_keep(lines: Sequence[str]) -> list[bool]:
    return [c4_keep_line(l) for l in lines]


def justext_keep(lines: Sequence[str]) -> list[bool]:
    """jusText with each line given to it as one paragraph (English stoplist)."""
    require_extra("bench", ("justext",), "the justext reference system")
    import justext

    if not lines:
        return []
    page = "<html><body>" + "".join(f"<p>{html.escape(l)}</p>" for l in lines) + "</body></html>"
    paragraphs = justext.justext(page, justext.get_stoplist("English"))
    kept = [not p.is_boilerplate for p in paragraphs]
    # jusText drops paragraphs it cannot parse; keep the alignment by text where counts differ.
    if len(kept) != len(lines):
        by_text = {p.text.strip(): not p.is_boilerplate for p in paragraphs}
        kept = [by_text.get(" ".join(l.split()), False) for l in lines]
    return kept


REFERENCE_SYSTEMS: dict[str, Callable[[Sequence[str]], list[bool]]] = {
    "keep_all": keep_all,
    "c4_rules": c4_keep,
    "justext": justext_keep,
}

"""Phrase-list patterns: ``\\b(?:phrase|phrase|...)\\b``, counted per text with Python's ``re`` or with a
compiled matcher that finds the same matches (``kernels.phrases``).

Why: the layout features count such phrases (first-person words, calls to action, legal words) in every
line; ``re`` tries each alternative at every position of the text, and that was a fifth of prediction time.

A phrase is literal text, optionally ending in ``*`` (any further word characters, ``\\w*``) or ``+`` (at least
one, ``\\w+``). Order matters as in a regex alternation: at a position, the first phrase that matches and
ends on a word boundary wins, and counting goes on after it (``len(pattern.findall(text))``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from newsseg.kernels import jit_enabled
from newsseg.kernels.code_points import CodePointBatch
from newsseg.kernels.phrases import FIRST_CODE_LIMIT, count_phrases, find_markers, replace_phrases

# Phrase endings and their regex.
_SUFFIX_KINDS = {"": 0, "*": 1, "+": 2}
_SUFFIX_REGEX = {0: "", 1: r"\w*", 2: r"\w+"}


@dataclass(frozen=True)
class PhraseList:
    phrases: tuple[str, ...]
    # Also count "$" followed by a digit (prices), outside the word boundaries.
    dollar_digit: bool = False

    @functools.cached_property
    def regex(self) -> re.Pattern:
        alternatives = "|".join(re.escape(text) + _SUFFIX_REGEX[kind] for text, kind in self._parsed)
        return re.compile(rf"\b(?:{alternatives})\b" + (r"|\$\d" if self.dollar_digit else ""))

    @functools.cached_property
    def _parsed(self) -> tuple[tuple[str, int], ...]:
        parsed = []
        for phrase in self.phrases:
            kind = _SUFFIX_KINDS.get(phrase[-1:], 0) if len(phrase) > 1 else 0
            parsed.append((phrase[:-1] if kind else phrase, kind))
        return tuple(parsed)

    def count(self, texts: list[str]) -> np.ndarray:
        """Per text, ``len(self.regex.findall(text))``."""
        return count_phrase_lists((self,), texts)[:, 0]

    def replacement_regex(self, optional_suffix: str) -> re.Pattern:
        """``self.regex``, each match taking ``optional_suffix`` after it too where that follows."""
        if self.dollar_digit:
            raise ValueError("replacement_regex: a list that counts \"$\" and a digit is not supported")
        return _suffixed_regex(self.regex.pattern, optional_suffix)

    def replace(self, texts: list[str], replacement: str, optional_suffix: str = "") -> list[str]:
        """Per text, ``self.replacement_regex(optional_suffix).sub(replacement, text)``. Compiled, one pass
        over the batch, where the regex tries every alternative at every position; texts without a match
        are returned as they are."""
        regex = self.replacement_regex(optional_suffix)
        if (not jit_enabled() or not texts or len(optional_suffix) > 1 or any("\n" in text for text in texts)
                or "\\" in replacement):  # "\n" joins the texts below; a backslash would be a group reference
            return [regex.sub(replacement, text) for text in texts]
        batch = CodePointBatch.of(texts)
        codes, starts, kinds, _, _, by_opening, opening_starts, opens_a_phrase = _matcher_tables((self,))
        replaced, changed = replace_phrases(
            batch.codes, batch.is_word, batch.starts, batch.ends, codes, starts, kinds, by_opening, opening_starts,
            opens_a_phrase,
            np.frombuffer(replacement.encode("utf-32-le", "surrogatepass"), dtype=np.uint32),
            ord(optional_suffix) if optional_suffix else -1)
        if not changed.any():
            return list(texts)
        replaced_texts = iter(replaced.tobytes().decode("utf-32-le", "surrogatepass").split("\n"))
        return [next(replaced_texts) if text_changed else text for text, text_changed in zip(texts, changed.tolist())]


@functools.lru_cache(maxsize=16)
def _suffixed_regex(pattern: str, optional_suffix: str) -> re.Pattern:
    return re.compile(pattern + (f"(?:{re.escape(optional_suffix)})?" if optional_suffix else ""))


def count_phrase_lists(lists: tuple[PhraseList, ...], texts: list[str]) -> np.ndarray:
    """Per text and list, ``len(phrase_list.regex.findall(text))``. Compiled, all lists are matched in one
    pass over the texts."""
    if not jit_enabled() or not texts:
        return np.array([[len(phrases.regex.findall(text)) for phrases in lists] for text in texts],
                        dtype=np.int64).reshape(len(texts), len(lists))
    batch = CodePointBatch.of(texts)
    return count_phrases(batch.codes, batch.is_word, batch.is_decimal, batch.starts, batch.ends,
                         *_matcher_tables(lists))


@functools.lru_cache(maxsize=64)
def _matcher_tables(lists: tuple[PhraseList, ...]) -> tuple[np.ndarray, ...]:
    """The phrases of ``lists`` for the compiled matcher: their code points, where each phrase starts in
    them, suffix kinds, the list of each phrase, and which lists count "$" and a digit; then the phrases by
    their opening: per first character (a code point under 256) the one-character phrases, and per first
    two characters (both under 256) the longer ones, each group in phrase order (by list, then in the list's
    order), as indexes into ``by_opening`` between ``opening_starts``; and which code points under 256 open a
    phrase (most word ends, at a space or a comma, open none: the scan skips them without the lookups)."""
    parsed = [(text, kind, n) for n, phrases in enumerate(lists) for text, kind in phrases._parsed]
    texts = [text for text, _, _ in parsed]
    if any(ord(c) >= FIRST_CODE_LIMIT for text in texts for c in text[:2]):
        raise ValueError(f"phrases must start with two Latin-1 characters: {[p.phrases for p in lists]}")
    codes = np.array([ord(c) for text in texts for c in text], dtype=np.int64)
    starts = np.r_[0, np.cumsum([len(t) for t in texts])].astype(np.int64)
    kinds = np.array([kind for _, kind, _ in parsed], dtype=np.int64)
    list_of_phrase = np.array([n for _, _, n in parsed], dtype=np.int64)
    # Group g: a one-character opening c is g = c; a two-character one (c, d) is 256 + 256 c + d. A stable
    # sort keeps phrase order within a group (in numpy: a list per group cost 0.1 s of every start-up).
    group = np.array([ord(text[0]) if len(text) == 1 else FIRST_CODE_LIMIT * (1 + ord(text[0])) + ord(text[1])
                      for text in texts], dtype=np.int64)
    by_opening = np.argsort(group, kind="stable").astype(np.int64)
    opening_starts = np.r_[0, np.cumsum(np.bincount(group, minlength=FIRST_CODE_LIMIT * (FIRST_CODE_LIMIT + 1)))]
    opening_starts = opening_starts.astype(np.int64)
    dollar_digit = np.array([phrases.dollar_digit for phrases in lists], dtype=np.bool_)
    opens_a_phrase = np.zeros(FIRST_CODE_LIMIT, dtype=np.bool_)
    opens_a_phrase[[ord(text[0]) for text in texts]] = True
    return codes, starts, kinds, list_of_phrase, dollar_digit, by_opening, opening_starts, opens_a_phrase


@dataclass(frozen=True)
class MarkerList:
    """Literal markers looked for anywhere in a text, each optionally only where a word ends right after it
    (``\\b``): which texts hold any (``regex.search``), e.g. the parts of a web address."""

    markers: tuple[tuple[str, bool], ...]  # (literal, needs a word boundary after it)

    @functools.cached_property
    def regex(self) -> re.Pattern:
        return re.compile("|".join(re.escape(text) + (r"\b" if boundary else "") for text, boundary in self.markers))

    @functools.cached_property
    def _tables(self) -> tuple[np.ndarray, ...]:
        """The markers' code points, where each starts in them, which need a boundary, and which code points
        under 256 start a marker (the markers must start with one)."""
        if any(ord(text[0]) >= FIRST_CODE_LIMIT for text, _ in self.markers):
            raise ValueError(f"markers must start with a Latin-1 character: {self.markers}")
        codes = np.array([ord(c) for text, _ in self.markers for c in text], dtype=np.int64)
        starts = np.r_[0, np.cumsum([len(text) for text, _ in self.markers])].astype(np.int64)
        starts_a_marker = np.zeros(FIRST_CODE_LIMIT, dtype=np.bool_)
        starts_a_marker[[ord(text[0]) for text, _ in self.markers]] = True
        return codes, starts, np.array([boundary for _, boundary in self.markers], dtype=np.bool_), starts_a_marker

    def found(self, texts: list[str]) -> np.ndarray:
        """Per text, whether ``self.regex.search`` finds anything."""
        if not jit_enabled() or not texts:
            return np.array([self.regex.search(text) is not None for text in texts], dtype=np.bool_)
        batch = CodePointBatch.of(texts)
        return find_markers(batch.codes, batch.is_word, batch.starts, batch.ends, *self._tables)

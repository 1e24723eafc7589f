"""Phrase-list patterns: ``\\b(?:phrase|phrase|...)\\b``, counted per text with Python's ``re`` or with a
compiled matcher that finds the same matches.

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

from .code_points import CodePointBatch
from .kernels import compiled, jit_enabled

# Phrase endings and their regex.
_SUFFIX_KINDS = {"": 0, "*": 1, "+": 2}
_SUFFIX_REGEX = {0: "", 1: r"\w*", 2: r"\w+"}
_FIRST_CODE_LIMIT = 256  # the matcher indexes phrases by first character: Latin-1 only


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
        replaced, changed = _replace_phrases(
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
    return _count_phrases(batch.codes, batch.is_word, batch.is_decimal, batch.starts, batch.ends,
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
    if any(ord(c) >= _FIRST_CODE_LIMIT for text in texts for c in text[:2]):
        raise ValueError(f"phrases must start with two Latin-1 characters: {[p.phrases for p in lists]}")
    codes = np.array([ord(c) for text in texts for c in text], dtype=np.int64)
    starts = np.r_[0, np.cumsum([len(t) for t in texts])].astype(np.int64)
    kinds = np.array([kind for _, kind, _ in parsed], dtype=np.int64)
    list_of_phrase = np.array([n for _, _, n in parsed], dtype=np.int64)
    # Group g: a one-character opening c is g = c; a two-character one (c, d) is 256 + 256 c + d.
    groups: list[list[int]] = [[] for _ in range(_FIRST_CODE_LIMIT * (_FIRST_CODE_LIMIT + 1))]
    for i, text in enumerate(texts):
        first = ord(text[0])
        groups[first if len(text) == 1 else _FIRST_CODE_LIMIT * (1 + first) + ord(text[1])].append(i)
    by_opening = np.array([i for group in groups for i in group], dtype=np.int64)
    opening_starts = np.r_[0, np.cumsum([len(g) for g in groups])].astype(np.int64)
    dollar_digit = np.array([phrases.dollar_digit for phrases in lists], dtype=np.bool_)
    opens_a_phrase = np.zeros(_FIRST_CODE_LIMIT, dtype=np.bool_)
    opens_a_phrase[[ord(text[0]) for text in texts]] = True
    return codes, starts, kinds, list_of_phrase, dollar_digit, by_opening, opening_starts, opens_a_phrase


@compiled
def _count_phrases(codes, is_word, is_decimal, text_starts, text_ends, phrase_codes, phrase_starts, phrase_kinds,
                   list_of_phrase, dollar_digit, by_opening, opening_starts, opens_a_phrase):
    """Per text (``codes[text_starts[t]:text_ends[t]]``) and list: non-overlapping matches, leftmost first,
    of the list's ``\\b(?:phrases)\\b`` (or ``\\$\\d``), as ``re.findall`` counts them. Each list scans on
    from the end of its last match (``resume``). ``\\b`` at i: the characters at i - 1 and i differ in being
    word characters, outside the text counting as non-word. At each boundary, the phrases that could match
    there (the one-character phrases of its character, the longer ones of its first two) are tried in
    phrase order, merged from their two groups."""
    n_lists = len(dollar_digit)
    limit = _FIRST_CODE_LIMIT
    counts = np.zeros((len(text_starts), n_lists), dtype=np.int64)
    resume = np.zeros(n_lists, dtype=np.int64)
    for t in range(len(text_starts)):
        start, end = text_starts[t], text_ends[t]
        resume[:] = start
        for i in range(start, end):
            code = codes[i]
            if (i > start and is_word[i - 1]) != is_word[i] and code < limit and opens_a_phrase[code]:
                # _candidate_groups and _next_candidate, written out: called, they made counting a fifth slower.
                one, one_end = opening_starts[code], opening_starts[code + 1]
                two = two_end = 0
                if i + 1 < end and codes[i + 1] < limit:
                    group = limit * (1 + code) + codes[i + 1]
                    two, two_end = opening_starts[group], opening_starts[group + 1]
                while one < one_end or two < two_end:
                    if two >= two_end or (one < one_end and by_opening[one] < by_opening[two]):
                        p = by_opening[one]
                        one += 1
                    else:
                        p = by_opening[two]
                        two += 1
                    n = list_of_phrase[p]
                    if i < resume[n]:  # inside this list's last match, or matched at i already
                        continue
                    # _phrase_end, written out: called, even inlined by numba, it made counting twice as slow.
                    length = phrase_starts[p + 1] - phrase_starts[p]
                    j = i + length
                    if j > end:
                        continue
                    same = True
                    for k in range(2, length):  # the first two are the group's
                        if codes[i + k] != phrase_codes[phrase_starts[p] + k]:
                            same = False
                            break
                    if not same:
                        continue
                    if phrase_kinds[p] == 2:  # \\w+: at least one more word character
                        if j >= end or not is_word[j]:
                            continue
                    if phrase_kinds[p] > 0:  # then greedily all of them (a boundary always follows)
                        while j < end and is_word[j]:
                            j += 1
                    if is_word[j - 1] != (j < end and is_word[j]):
                        counts[t, n] += 1
                        resume[n] = j
            if code == 36 and i + 1 < end and is_decimal[i + 1]:
                for n in range(n_lists):
                    if dollar_digit[n] and i >= resume[n]:
                        counts[t, n] += 1
                        resume[n] = i + 2
    return counts


@compiled
def _replace_phrases(codes, is_word, text_starts, text_ends, phrase_codes, phrase_starts, phrase_kinds, by_opening,
                     opening_starts, opens_a_phrase, replacement, suffix):
    """``PhraseList.replace`` of one list: the texts holding a match, each match (and the code point
    ``suffix`` right after it, if any; -1: none) replaced, joined by a line break; and per text, whether it
    is one of them. Matches are found as ``_count_phrases`` finds them (leftmost, non-overlapping, the first
    phrase in the list's order)."""
    limit = _FIRST_CODE_LIMIT
    out = np.empty(len(codes) + 1 + len(replacement) * len(codes), dtype=codes.dtype)
    changed = np.zeros(len(text_starts), dtype=np.bool_)
    n = 0  # code points written: the changed texts so far, a line break after each
    for t in range(len(text_starts)):
        start, end = text_starts[t], text_ends[t]
        m = n
        i = start
        while i < end:
            code = codes[i]
            j = -1
            if (i > start and is_word[i - 1]) != is_word[i] and code < limit and opens_a_phrase[code]:
                one, one_end, two, two_end = _candidate_groups(codes, i, end, opening_starts)
                while j < 0 and (one < one_end or two < two_end):
                    p, one, two = _next_candidate(by_opening, one, one_end, two, two_end)
                    j = _phrase_end(codes, is_word, i, end, p, phrase_codes, phrase_starts, phrase_kinds)
            if j < 0:
                out[m] = code
                m += 1
                i += 1
                continue
            changed[t] = True
            for k in range(len(replacement)):
                out[m] = replacement[k]
                m += 1
            i = j + 1 if j < end and codes[j] == suffix else j
        if changed[t]:
            out[m] = 10
            n = m + 1
    return out[:n - 1] if n > 0 else out[:0], changed


@compiled
def _candidate_groups(codes, i, end, opening_starts):
    """The phrases that could match at i, as two ranges of ``by_opening``: the one-character phrases of the
    character at i, and the longer ones of the two characters there (empty past the text's end)."""
    code = codes[i]
    two = two_end = 0
    if i + 1 < end and codes[i + 1] < _FIRST_CODE_LIMIT:
        group = _FIRST_CODE_LIMIT * (1 + code) + codes[i + 1]
        two, two_end = opening_starts[group], opening_starts[group + 1]
    return opening_starts[code], opening_starts[code + 1], two, two_end


@compiled
def _next_candidate(by_opening, one, one_end, two, two_end):
    """The next phrase, in phrase order, of the two candidate ranges; and the ranges' new starts."""
    if two >= two_end or (one < one_end and by_opening[one] < by_opening[two]):
        return by_opening[one], one + 1, two
    return by_opening[two], one, two + 1


@compiled
def _phrase_end(codes, is_word, i, end, p, phrase_codes, phrase_starts, phrase_kinds):
    """Where phrase p's match at i ends, followed by a word boundary (the text ends at ``end``); -1 where it
    does not match there. The caller has compared the phrase's first two characters (its group's)."""
    length = phrase_starts[p + 1] - phrase_starts[p]
    j = i + length
    if j > end:
        return -1
    for k in range(2, length):
        if codes[i + k] != phrase_codes[phrase_starts[p] + k]:
            return -1
    if phrase_kinds[p] == 2:  # \\w+: at least one more word character
        if j >= end or not is_word[j]:
            return -1
    if phrase_kinds[p] > 0:  # then greedily all of them (a boundary always follows)
        while j < end and is_word[j]:
            j += 1
    return j if is_word[j - 1] != (j < end and is_word[j]) else -1


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
        if any(ord(text[0]) >= _FIRST_CODE_LIMIT for text, _ in self.markers):
            raise ValueError(f"markers must start with a Latin-1 character: {self.markers}")
        codes = np.array([ord(c) for text, _ in self.markers for c in text], dtype=np.int64)
        starts = np.r_[0, np.cumsum([len(text) for text, _ in self.markers])].astype(np.int64)
        starts_a_marker = np.zeros(_FIRST_CODE_LIMIT, dtype=np.bool_)
        starts_a_marker[[ord(text[0]) for text, _ in self.markers]] = True
        return codes, starts, np.array([boundary for _, boundary in self.markers], dtype=np.bool_), starts_a_marker

    def found(self, texts: list[str]) -> np.ndarray:
        """Per text, whether ``self.regex.search`` finds anything."""
        if not jit_enabled() or not texts:
            return np.array([self.regex.search(text) is not None for text in texts], dtype=np.bool_)
        batch = CodePointBatch.of(texts)
        return _find_markers(batch.codes, batch.is_word, batch.starts, batch.ends, *self._tables)


@compiled
def _find_markers(codes, is_word, text_starts, text_ends, marker_codes, marker_starts, needs_boundary, starts_a_marker):
    """Per text (``codes[text_starts[t]:text_ends[t]]``): does any marker occur in it, followed by a word
    boundary where ``needs_boundary`` (the marker's last character and the next differ in being word
    characters, past the text's end counting as non-word)."""
    found = np.zeros(len(text_starts), dtype=np.bool_)
    for t in range(len(text_starts)):
        start, end = text_starts[t], text_ends[t]
        for i in range(start, end):
            if codes[i] >= len(starts_a_marker) or not starts_a_marker[codes[i]]:
                continue
            for m in range(len(marker_starts) - 1):
                length = marker_starts[m + 1] - marker_starts[m]
                j = i + length
                if j > end or codes[i] != marker_codes[marker_starts[m]]:
                    continue
                same = True
                for k in range(1, length):
                    if codes[i + k] != marker_codes[marker_starts[m] + k]:
                        same = False
                        break
                if same and (not needs_boundary[m] or is_word[j - 1] != (j < end and is_word[j])):
                    found[t] = True
                    break
            if found[t]:
                break
    return found

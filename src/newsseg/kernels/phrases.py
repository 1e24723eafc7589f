"""Kernels of ``phrase_lists``: phrase lists counted and replaced, and literal markers found, in one pass
over a batch of texts (``code_points.CodePointBatch``). The tables they read come from ``phrase_lists``."""

from __future__ import annotations

import numpy as np

from newsseg.kernels import compiled

FIRST_CODE_LIMIT = 256  # the matcher indexes phrases by first character: Latin-1 only


@compiled
def count_phrases(codes, is_word, is_decimal, text_starts, text_ends, phrase_codes, phrase_starts, phrase_kinds,
                  list_of_phrase, dollar_digit, by_opening, opening_starts, opens_a_phrase):
    """Per text (``codes[text_starts[t]:text_ends[t]]``) and list: non-overlapping matches, leftmost first,
    of the list's ``\\b(?:phrases)\\b`` (or ``\\$\\d``), as ``re.findall`` counts them. Each list scans on
    from the end of its last match (``resume``). ``\\b`` at i: the characters at i - 1 and i differ in being
    word characters, outside the text counting as non-word. At each boundary, the phrases that could match
    there (the one-character phrases of its character, the longer ones of its first two) are tried in
    phrase order, merged from their two groups. Plain twin: ``len(phrase_list.regex.findall(text))`` per list
    (``phrase_lists.count_phrase_lists`` without JIT)."""
    n_lists = len(dollar_digit)
    limit = FIRST_CODE_LIMIT
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
def replace_phrases(codes, is_word, text_starts, text_ends, phrase_codes, phrase_starts, phrase_kinds, by_opening,
                    opening_starts, opens_a_phrase, replacement, suffix):
    """``PhraseList.replace`` of one list: the texts holding a match, each match (and the code point
    ``suffix`` right after it, if any; -1: none) replaced, joined by a line break; and per text, whether it
    is one of them. Matches are found as ``count_phrases`` finds them (leftmost, non-overlapping, the first
    phrase in the list's order). Plain twin: ``PhraseList.replacement_regex(suffix).sub`` per text."""
    limit = FIRST_CODE_LIMIT
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
    if i + 1 < end and codes[i + 1] < FIRST_CODE_LIMIT:
        group = FIRST_CODE_LIMIT * (1 + code) + codes[i + 1]
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


@compiled
def find_markers(codes, is_word, text_starts, text_ends, marker_codes, marker_starts, needs_boundary, starts_a_marker):
    """Per text (``codes[text_starts[t]:text_ends[t]]``): does any marker occur in it, followed by a word
    boundary where ``needs_boundary`` (the marker's last character and the next differ in being word
    characters, past the text's end counting as non-word). Plain twin: ``MarkerList.regex.search`` per text."""
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

"""Compiled loops of the per-line statistics (``newsseg.features.line_stats``) and of the line forms' digit
masking (``newsseg.features.line_forms``): one pass over a batch's code points or per-line arrays each."""

from __future__ import annotations

import numpy as np

from newsseg.kernels import compiled
from newsseg.kernels.code_points import ALPHA, DECIMAL, DIGIT, SPACE, SYMBOL, UPPER, WHITESPACE


@compiled
def mask_decimal_runs_loop(codes, is_decimal, starts, ends):
    """The texts (``codes[starts[t]:ends[t]]``) holding a decimal digit, each run of decimal digits replaced
    by one "0", joined by a line break; and per text, whether it is one of them. Plain twin: the digit regex
    of ``features.line_forms.mask_digit_runs``."""
    out = np.empty(len(codes) + len(starts), dtype=codes.dtype)
    has_decimal = np.zeros(len(starts), dtype=np.bool_)
    n = 0
    for t in range(len(starts)):
        for i in range(starts[t], ends[t]):
            if is_decimal[i]:
                has_decimal[t] = True
                break
        if not has_decimal[t]:
            continue
        if n > 0:
            out[n] = 10
            n += 1
        in_run = False
        for i in range(starts[t], ends[t]):
            if is_decimal[i]:
                if not in_run:
                    out[n] = 48
                    n += 1
                in_run = True
            else:
                out[n] = codes[i]
                n += 1
                in_run = False
    return out[:n], has_decimal


@compiled
def char_class_count_loop(classes, starts, ends):
    """``features.line_stats.char_class_counts`` as one loop over the characters' class bytes
    (``code_points.class_bytes``). Plain twin: the numpy running totals of ``char_class_counts``."""
    counts = np.zeros((len(starts), 8), dtype=np.int64)
    for t in range(len(starts)):
        after_space = True
        upper = letters = digits = symbols = spaces = words = capitalised = 0
        for i in range(starts[t], ends[t]):
            bits = classes[i]
            upper += (bits >> UPPER) & 1
            letters += (bits >> ALPHA) & 1
            digits += (bits >> DIGIT) & 1
            symbols += (bits >> SYMBOL) & 1
            spaces += (bits >> SPACE) & 1
            is_space = (bits >> WHITESPACE) & 1 == 1
            if after_space and not is_space:
                words += 1
                capitalised += (bits >> UPPER) & 1
            after_space = is_space
        counts[t, 0], counts[t, 1], counts[t, 2], counts[t, 3] = upper, letters, digits, symbols
        counts[t, 4], counts[t, 5], counts[t, 6], counts[t, 7] = spaces, words, capitalised, ends[t] - starts[t]
    return counts



@compiled
def line_edge_loop(codes, classes, starts, ends, is_lower, terminal_codes, bullet_codes):
    """``features.line_stats.line_edge_flags`` of the texts ``codes[starts[t]:ends[t]]``. The list pattern, by
    hand: white space, then 1-3 decimal digits and "." or ")", a bullet, or "(", decimal digits and ")"; then white
    space (the regex cannot backtrack into another reading: each alternative opens with a different character).
    Plain twin: the per-text string tests of ``line_edge_flags`` (``ends_like_sentence``, ``str.islower``, the
    list regex)."""
    out = np.zeros((len(starts), 4))
    for t in range(len(starts)):
        start, end = starts[t], ends[t]
        if end == start:
            continue
        last = codes[end - 1]
        terminal = False
        for c in terminal_codes:
            if last == c or (last == 10 and end - 2 >= start and codes[end - 2] == c):  # $: before a final "\n"
                terminal = True
        out[t, 0] = terminal
        out[t, 1] = codes[start] < 0x10000 and is_lower[codes[start]]
        out[t, 2] = last == 58  # ":"
        i = start
        while i < end and (classes[i] >> WHITESPACE) & 1:
            i += 1
        after = -1  # where the white space after the item's marker must be
        if i < end and (classes[i] >> DECIMAL) & 1:
            k = i
            while k < end and (classes[k] >> DECIMAL) & 1:
                k += 1
            if k - i <= 3 and k < end and (codes[k] == 46 or codes[k] == 41):  # "." or ")"
                after = k + 1
        elif i < end and codes[i] == 40:  # "("
            k = i + 1
            while k < end and (classes[k] >> DECIMAL) & 1:
                k += 1
            if k > i + 1 and k < end and codes[k] == 41:
                after = k + 1
        elif i < end:
            for c in bullet_codes:
                if codes[i] == c:
                    after = i + 1
        out[t, 3] = 0 <= after < end and (classes[after] >> WHITESPACE) & 1 == 1
    return out


@compiled
def prose_structure_loop(terminal, word_counts, is_cue, ends_colon, bounds, prose_min_words, prose_min_words_floor,
                         run_max_gap, colon_list_max_lines, list_opener_min_words):
    """``features.line_stats.prose_structure`` over per-line arrays; document d is lines ``bounds[d]`` to
    ``bounds[d + 1]``. Plain twin: this loop run as Python (``kernels.python_version``)."""
    out = np.zeros((len(terminal), 7), dtype=np.float32)
    is_prose = np.zeros(len(terminal), dtype=np.bool_)
    for d in range(len(bounds) - 1):
        start, end = bounds[d], bounds[d + 1]
        longest = 0
        for i in range(start, end):
            if terminal[i] and word_counts[i] > longest:
                longest = word_counts[i]
        threshold = min(prose_min_words, max(prose_min_words_floor, longest / 2))
        prose = [i for i in range(start, end) if terminal[i] and word_counts[i] >= threshold]
        for i in prose:
            is_prose[i] = True
        if len(prose) > 0:
            run_end = prose[0]
            for i in prose[1:]:
                if i - run_end - 1 > run_max_gap or is_cue[run_end + 1:i].any():
                    break
                run_end = i
            for i in range(start, end):
                out[i, 0] = 1.0 if prose[0] <= i <= run_end else 0.0
                out[i, 1] = 1.0 if i > run_end else 0.0
                out[i, 2] = min(max(i - run_end, 0), 50) / 50
                out[i, 3] = 1.0 if i > prose[-1] else 0.0
                out[i, 4] = 1.0 if i < prose[0] else 0.0
            for k in range(len(prose) - 1):
                before, after = prose[k], prose[k + 1]
                if 1 < after - before <= colon_list_max_lines + 1 and not is_cue[before + 1:after].any():
                    colon_seen = ends_colon[before]
                    for i in range(before + 1, after):
                        out[i, 5] = 1.0 if colon_seen else 0.0
                        colon_seen = colon_seen or ends_colon[i]
        for i in range(start, end):
            if ends_colon[i] and word_counts[i] >= list_opener_min_words:
                for j in range(i + 1, min(end, i + 1 + colon_list_max_lines)):
                    if is_prose[j] or is_cue[j] or ends_colon[j]:
                        break
                    out[j, 6] = 1.0
    return out

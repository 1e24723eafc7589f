"""Texts as arrays of code points, and the classes of each code point as the bits of one byte, for the
compiled loops that scan them (character counts, phrase lists, tokens)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# Bit k of a code point's class byte: str.isupper, isalpha, isdigit, symbol (neither alphanumeric nor
# space), the space " ", isspace, re's \w (alphanumeric or "_"), re's \d (isdecimal).
UPPER, ALPHA, DIGIT, SYMBOL, SPACE, WHITESPACE, WORD, DECIMAL = range(8)


def char_class_byte(c: str) -> int:
    flags = (c.isupper(), c.isalpha(), c.isdigit(), not c.isalnum() and not c.isspace(), c == " ", c.isspace(),
             c.isalnum() or c == "_", c.isdecimal())
    return sum(flag << bit for bit, flag in enumerate(flags))


@functools.cache
def _bmp_class_bytes() -> np.ndarray:
    """The class byte of every Basic Multilingual Plane code point (``char_class_byte``): a lookup table, built
    once per process, one string method at a time over all characters (0.6 s a character at a time, paid by
    every prediction worker at start-up)."""
    chars = [chr(c) for c in range(0x10000)]

    def flags(test) -> np.ndarray:
        return np.fromiter(map(test, chars), dtype=bool, count=len(chars))

    alnum, space = flags(str.isalnum), flags(str.isspace)
    bits = {UPPER: flags(str.isupper), ALPHA: flags(str.isalpha), DIGIT: flags(str.isdigit), SYMBOL: ~alnum & ~space,
            SPACE: np.arange(0x10000) == ord(" "), WHITESPACE: space, WORD: alnum | (np.arange(0x10000) == ord("_")),
            DECIMAL: flags(str.isdecimal)}
    table = np.zeros(0x10000, dtype=np.uint8)
    for bit, flag in bits.items():
        table |= flag.astype(np.uint8) << bit
    return table


def class_bytes(codes: np.ndarray) -> np.ndarray:
    """Per code point, its class byte."""
    # A numpy lookup: a compiled loop bought 2-4 % of labelling time, under the 10 % a kernel must earn.
    # ``take`` of the code points as they are, where all are in the table (almost every batch), is 3x faster
    # than indexing with the clipped codes: 3-4 % of labelling time.
    table = _bmp_class_bytes()
    if len(codes) == 0 or codes.max() <= 0xFFFF:
        return table.take(codes)
    classes = table.take(np.minimum(codes, 0xFFFF))
    for i in np.flatnonzero(codes > 0xFFFF):  # rare (emoji, math letters): one by one
        classes[i] = char_class_byte(chr(int(codes[i])))
    return classes


@dataclass(frozen=True)
class CodePointBatch:
    """Texts joined by a line break as code points, with each text's bounds, each code point's class byte
    (``class_bytes``), and which code points are word characters (``re``'s ``\\w``) and decimal digits
    (``\\d``). The line break is not a word character, so no word or phrase match crosses from one text into
    the next; scanners still stop at each text's end, so that its edges count as the string's edges."""

    codes: np.ndarray
    classes: np.ndarray
    is_word: np.ndarray
    is_decimal: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> "CodePointBatch":
        # The last batches, kept: a batch's lower-cased lines are scanned three times (digit masking, phrase
        # counts, TF-IDF tokens), its model texts once more (character counts), in between. Found by list
        # equality, which compares the same string objects by identity: keyed by the texts (a tuple hashed
        # on every call), hashing fresh strings cost 2 % of labelling time.
        global _recent_batches
        texts = texts if isinstance(texts, list) else list(texts)  # a list equals only a list
        for position, (seen, batch) in enumerate(_recent_batches):
            if seen == texts:
                if position:  # the most recently used first: the one not used longest goes
                    _recent_batches = (_recent_batches[position], *_recent_batches[:position],
                                       *_recent_batches[position + 1:])
                return batch
        batch = _code_point_batch(texts)
        _recent_batches = ((list(texts), batch), *_recent_batches[:RECENT_BATCHES - 1])  # one atomic assignment
        return batch


RECENT_BATCHES = 2
_recent_batches: tuple[tuple[list[str], CodePointBatch], ...] = ()


def _code_point_batch(texts: list[str]) -> CodePointBatch:
    """The batch of ``texts``, its arrays read-only, so that no caller can change what the next one is given."""
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    ends = np.cumsum(lengths + 1) - 1
    classes = class_bytes(codes)
    arrays = (codes, classes, (classes >> WORD) & 1 == 1, (classes >> DECIMAL) & 1 == 1, ends - lengths, ends)
    for array in arrays:
        array.flags.writeable = False
    return CodePointBatch(*arrays)

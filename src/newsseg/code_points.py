"""Texts as arrays of code points, for the compiled loops that scan them (phrase lists, tokens)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CodePointBatch:
    """Texts joined by a line break as code points, with each text's bounds and which code points are word
    characters (``re``'s ``\\w``) and decimal digits (``\\d``). The line break is not a word character, so
    no word or phrase match crosses from one text into the next; scanners still stop at each text's end,
    so that its edges count as the string's edges."""

    codes: np.ndarray
    is_word: np.ndarray
    is_decimal: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> "CodePointBatch":
        codes = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.array([len(text) for text in texts], dtype=np.int64)
        ends = np.cumsum(lengths + 1) - 1
        return cls(codes, *word_and_decimal(codes), ends - lengths, ends)


@functools.cache
def bmp_word_and_decimal() -> tuple[np.ndarray, np.ndarray]:
    """``re``'s ``\\w`` (alphanumeric or "_") and ``\\d`` (decimal) for every Basic Multilingual Plane code point."""
    chars = [chr(c) for c in range(0x10000)]
    return (np.array([c.isalnum() or c == "_" for c in chars], dtype=np.bool_),
            np.array([c.isdecimal() for c in chars], dtype=np.bool_))


def word_and_decimal(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per code point: is it a word character, is it a decimal digit."""
    word_table, decimal_table = bmp_word_and_decimal()
    bmp = np.minimum(codes, 0xFFFF)
    is_word, is_decimal = word_table[bmp], decimal_table[bmp]
    astral = np.flatnonzero(codes > 0xFFFF)
    for i in astral:  # rare (emoji, math letters): one by one
        c = chr(int(codes[i]))
        is_word[i], is_decimal[i] = c.isalnum() or c == "_", c.isdecimal()
    return is_word, is_decimal

"""The batch shortcuts of ``newsseg.features`` give what the per-line definitions give: comment cues that skip
the cue regex where it cannot match, line keys that skip the digit regex on lines without a digit, the
sentence ending read from the last character instead of a regex search, anchored patterns matched at the
start instead of searched, and case-insensitive patterns matched on lower-cased lines without the flag."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.features import cues, line_stats
from newsseg.features.cues import might_be_comment_cue
from newsseg.features.line_forms import LineForms, line_key
from newsseg.features.line_stats import ends_like_sentence
from newsseg.text.segmentation import normalize_for_model
from tests.helpers import TERMINAL_RE, bundled_lines
from tests.line_checks import check_cues, check_line_keys

# The characters beyond ASCII that re.IGNORECASE matches to an ASCII letter: the dotted and dotless i,
# Kelvin, long s.
CASE_FOLDING_SPECIALS = "\u0130\u0131\u212a\u017f"
CUE_LINES = [
    "Comments (12)", "12 likes", "Like · Reply", "Anna says:", "March 3, 2019 at 4:12 pm", "3 hours ago",
    "This comment is awaiting moderation.", "Cloudy, feels like rain", "Two key points", "6:45 PM", "",
    "Your email address will not be published.", "myemail address will not be published", "▲ 4 ▼",
    # Characters that re.IGNORECASE matches to an ASCII letter: the dotted and dotless i, Kelvin, long s.
    "ſort by newest", "Two centſ", "Dİscussion", "upvote", "Trac\u212aback", "pıngback", "Stocks fell 3% on Monday",
    "Liked this", "liked this a lot, more than anything else I read this week in the paper", "Éloge: reply",
    "Replies", "commenting", "x comments", "xcomments", "sort\tby", "Join the discussion", "Leave a Reply",
    # eight words and two CJK characters: ten white-space words, eleven with the characters counted as a word
    "Comments Comments Comments Comments Comments Comments Comments Comments \u3400 \u3400",
    "Comments Comments Comments Comments Comments Comments Comments \u3400\u3400",
]


def test_comment_cues_on_literal_lines(monkeypatch):
    check_cues(CUE_LINES, monkeypatch)


CUE_TOKENS = ["Comments", "comment", "ſort", "by", "Reply", "3", "hours", "ago", "at", "4:12", "pm", "says", ":",
              "▲", "İ", "ı", "\u212a", "like", "Likes", "two", "cents", "x", "é", "avatar", "said", "Response",
              "to",
              "points", "email", "address", "Discussion", "12", "(", ")", "_", "-"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(CUE_TOKENS), st.text(max_size=4)), max_size=12)
                .flatmap(lambda tokens: st.sampled_from([" ", "", "\u00a0"]).map(lambda sep: sep.join(tokens))),
                max_size=8))
def test_comment_cues_on_generated_lines(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        check_cues(texts, monkeypatch)


def test_comment_cues_and_line_keys_on_the_bundled_lines(monkeypatch):
    check_cues([normalize_for_model(line) for line in bundled_lines()], monkeypatch)
    check_line_keys(bundled_lines(), monkeypatch)


def test_only_the_special_characters_fold_onto_ascii_letters():
    """The cue shortcut compares lower-cased text with ASCII words; any character beyond ASCII that
    re.IGNORECASE matches to an ASCII letter, or that lower-cases to one, must send its line to the regex."""
    folding = [chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000
               and (re.fullmatch("[a-z]", chr(c), re.IGNORECASE) or any(ord(x) < 128 for x in chr(c).lower()))]
    assert folding and all(might_be_comment_cue(c, 0) for c in folding)  # a line of it alone goes to the regex


def test_lower_case_keeps_the_character_classes_the_caseless_patterns_read():
    """CaselessPattern matches lower-cased lines without IGNORECASE: outside the case-folding specials, lower()
    must keep the length and whether a character is a word character, a decimal digit or white space."""
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    specials = {c for c, caseless in zip(characters, cues.caseless_lines(characters)) if not caseless}
    changed = [c for c in characters if c not in specials
               and (len(c.lower()) != 1 or any(getattr(c, m)() != getattr(c.lower(), m)()
                                               for m in ("isalnum", "isdecimal", "isspace")))]
    assert changed == []


def test_caseless_patterns_have_no_upper_case_literal():
    for pattern in (cues.COMMENT_HEADER, cues.COMMENT_CUE, cues.SOURCE_LINE):
        assert pattern.pattern.flags & re.IGNORECASE
        assert not re.search("[A-Z]", re.sub(r"\\.", "", pattern.pattern.pattern))  # escapes (\S, \W) aside


def check_caseless(texts: list[str]) -> None:
    for caseless in (cues.COMMENT_HEADER, cues.COMMENT_CUE, cues.SOURCE_LINE):
        for text in texts:
            for find, reference in ((caseless.match, caseless.pattern.match), (caseless.search, caseless.pattern.search)):
                found, expected = find(text, text.lower()), reference(text)
                assert (found and found.span()) == (expected and expected.span()), (caseless.pattern.pattern, text)


def test_caseless_lines_are_those_without_a_case_folding_special():
    lines = ["plain", "café", "", *(f"x{c}y" for c in CASE_FOLDING_SPECIALS), "\u0130\u017f"]
    assert cues.caseless_lines(lines) == [True, True, True, False, False, False, False, False]


def test_caseless_patterns_on_literal_and_bundled_lines():
    check_caseless(CUE_LINES + ["SOURCE: AP", "Via Example News", "H/T the desk", "WWW.EXAMPLE.COM", "İ Comments",
                                "COMMENTS (3)", "ſource: x", "Read More At the site"] + bundled_lines())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(CUE_TOKENS + ["Source", "VIA", "h/t", "https://", "www."]),
                                   st.text(max_size=4)), max_size=8).map(" ".join), max_size=6))
def test_caseless_patterns_on_generated_lines(texts):
    check_caseless(texts)


def test_line_keys_mask_every_decimal_digit(monkeypatch):
    texts = ["Posted 12 May 2019", "posted 99 may 1999", "x² y", "٣ May", "  Two\tspaces  ", "", "no digits",
             "𝟘 math digit", "\u200bzero width 7"]
    check_line_keys(texts, monkeypatch)
    keys = LineForms.of([normalize_for_model(text) for text in texts]).keys
    assert keys[0] == keys[1] and keys[2] != line_key("x0 y")  # "²" is a digit but not a decimal: kept


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), max_size=8))
def test_line_keys_of_generated_text(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        check_line_keys(texts, monkeypatch)



@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=".!?\"')\u201d\u2019\n ab", max_size=6) | st.text(), max_size=8))
def test_ends_like_sentence_matches_the_regex(texts):
    expected = [TERMINAL_RE.search(text) is not None for text in texts]
    assert ends_like_sentence(texts).astype(bool).tolist() == expected
    assert ends_like_sentence(texts).dtype == np.float64


def top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a regex: split at each "|" outside groups and character classes."""
    alternatives, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1  # the escaped character is a literal
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # a "]" right after "[" or "[^" is a literal, not the end of the class
            i += 2 if pattern.startswith("[^]", i) else 1 if pattern.startswith("[]", i) else 0
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*alternatives, pattern[start:]]


def test_top_level_alternatives():
    assert top_level_alternatives(r"^a(b|c)|^[|(]d\||^[]|]e") == ["^a(b|c)", r"^[|(]d\|", "^[]|]e"]


@pytest.mark.parametrize("pattern", [cues.COMMENT_HEADER_RE, cues.SOURCE_LINE.pattern])
def test_anchored_patterns_match_where_they_search(pattern):
    """The layout features call match() on patterns whose every alternative opens with "^"."""
    assert not pattern.flags & (re.MULTILINE | re.VERBOSE)
    assert all(alternative.startswith("^") for alternative in top_level_alternatives(pattern.pattern))
    for text in ["Comments (3)", "via example.com", "x Comments (3)", "Leave a reply", "Source: AP", "read more at x",
                 "https://x.y", " https://x.y", "3 thoughts on this"]:
        assert bool(pattern.match(text)) == bool(pattern.search(text))


OLD_LIST_RE = re.compile(r"^\s*(\d{1,3}[.)]|[-*•▪►»·]|\(\d+\))\s")  # the list pattern as first written


def check_line_edges(texts: list[str], monkeypatch) -> None:
    expected = [[TERMINAL_RE.search(t) is not None, t[:1].islower(), t.endswith(":"),
                 OLD_LIST_RE.match(t) is not None] for t in texts]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        flags = line_stats.line_edge_flags(texts)
        assert flags.shape == (len(texts), 4) and flags.dtype == np.float64
        assert flags.astype(bool).tolist() == expected


def test_line_edges_on_literal_lines(monkeypatch):
    check_line_edges(["1. First", "12) x", "1234. no", "(3) item", "() no", "(12)x", "- dash", "•\tbullet", "  * star",
                      "» quote", "1.", "-", "٣. arabic digit", "²) superscript", "end.", "end.\n", "end\n.", "Said:",
                      "ésprit", "Éclat", "𝐚 math small a", "𝐀 math capital", "ǅ titlecase", "", " ", "(1)\u00a0nbsp",
                      "“Quote.”", "x)", "a ’"], monkeypatch)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("12345.)(-*•» \t\n\u00a0aA:!?\"'\u201d’é𝐚٣²"), max_size=8), max_size=8))
def test_line_edges_on_generated_lines(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        check_line_edges(texts, monkeypatch)


def test_line_edges_on_the_bundled_lines(monkeypatch):
    check_line_edges([normalize_for_model(line) for line in bundled_lines()], monkeypatch)

"""Phrase lists count what the layout features' regexes counted, with re and with the compiled matcher."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg import features
from newsseg.phrase_lists import PhraseList, count_phrase_lists
from newsseg.features import URL_MARKERS
from tests.conftest import bundled_lines

# The regexes of the layout features before phrase lists (LAYOUT_FEATURES_VERSION 2): the reference.
REFERENCE = {
    "FIRST_PERSON": r"\b(i|i'm|i've|i'd|me|my|mine|we|us|our)\b",
    "SECOND_PERSON": r"\b(you|your|you're|yours)\b",
    "CALL_TO_ACTION": r"\b(subscribe|sign up|click|donate|buy|order|shop|download|join|get (the|your|our)|try|free|"
                      r"offer|deal|save|sponsored|advertis\w*|newsletter|support us|membership|learn more|register|"
                      r"purchase|inquir\w*|enquir\w*|discount|coupon|promo( code)?|price|sale)\b|\$\d",
    "LEGAL": r"\b(copyright|©|all rights reserved|disclaimer|not necessarily|views? expressed|liability|"
             r"not (intended|meant) to|consult|affiliate|terms of (use|service)|privacy|cookies?|fair use|"
             r"satir\w+|endorse\w*|responsib\w+|policy|guarantee)\b",
    "CHROME": r"\b(share|tweet|facebook|twitter|email|print|read more|continue reading|related|tags?|filed under|"
              r"menu|home|log ?in|sign in|search|posted in|categories|previous|next|archives?|image via|photo:|"
              r"credit)\b",
    "MONTHS": r"\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
              r"nov(ember)?|dec(ember)?)\b",
}
OLD_MONTH_MASK = REFERENCE["MONTHS"] + r"\.?"  # page shapes replace month names, and a dot after, by "m"
LITERAL = [
    "", "i", "i'm here, i've seen it; i'd say mine", "x©y © a©", "photo:jane photo: jane", "pay $5 or $ 5 or $x",
    "advertisement advertis advertising_deal", "satir satire satirical", "promo code promo codes promos",
    "get the deal get your get our", "view expressed views expressed", "login log in log  in", "tags tag tagged",
    "İstanbul i̇ café_sign up", "you're yours you_re", "sign up\nsign\nup", "email-share|tweet", "١٢$٣ $٣",
    "ours our'", "free\u00a0offer", "jan. 5, sept 3 sepember sep.t mayday may_ 12jun jun12 dec.",
    "responsib responsible endorse endorsed", "𝐢 my 😀my my😀",
]


def reference_counts(name: str, texts: list[str]) -> list[int]:
    return [len(re.findall(REFERENCE[name], text)) for text in texts]


def check_phrase_counts(texts: list[str], monkeypatch) -> None:
    for name in REFERENCE:
        phrases: PhraseList = getattr(features, name)
        expected = reference_counts(name, texts)
        monkeypatch.setenv("NEWSSEG_NO_JIT", "")
        assert phrases.count(texts).tolist() == expected, name
        monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
        assert phrases.count(texts).tolist() == expected, name
    check_replacements(texts, monkeypatch)


def check_replacements(texts: list[str], monkeypatch) -> None:
    """``PhraseList.replace`` as ``re.sub`` with the reference regexes, for page shapes' month mask and for
    other lists, suffixes and replacements; texts with a line break take the regex path, so also without."""
    cases = [("MONTHS", "m", ".")] + [(name, replacement, suffix) for name in ("LEGAL", "CHROME", "FIRST_PERSON")
                                      for replacement, suffix in (("", ""), ("<x>", ":"))]
    for batch in (texts, [text.replace("\n", " ") for text in texts]):
        for name, replacement, suffix in cases:
            suffix_regex = f"(?:{re.escape(suffix)})?" if suffix else ""
            expected = [re.sub(REFERENCE[name] + suffix_regex, replacement, text) for text in batch]
            for no_jit in ("", "1"):
                monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
                assert getattr(features, name).replace(batch, replacement, suffix) == expected, (name, no_jit)
    assert [re.sub(REFERENCE["MONTHS"] + r"\.?", "m", t) for t in texts] == [re.sub(OLD_MONTH_MASK, "m", t) for t in texts]


def test_literal_strings(monkeypatch):
    check_phrase_counts(LITERAL, monkeypatch)
    assert features.CALL_TO_ACTION.count(["sign up now, sign up for $5"]).tolist() == [3]
    assert features.MONTHS.replace(["jan. 5 and may", "no month", "dec.."], "m", ".") == ["m 5 and m", "no month", "m."]
    with pytest.raises(ValueError, match="not supported"):
        features.CALL_TO_ACTION.replace(["buy"], "x")


FRAGMENTS = ["i", "'m", "my", "you", "r", "s", "sign", " up", "get", " the", "advertis", "ing", "satir", "e",
             "©", "photo", ":", "$", "5", "٣", "log", "in", " ", "\n", "_", "é", "İ", "😀", "-", "promo", " code",
             "tag", "views", " expressed", "not", " meant", " to", "responsib", "le", "x", "sep", "t", "ember", "jan",
             "uary", ".", "may"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join), min_size=1, max_size=6))
def test_generated_text(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        check_phrase_counts(texts, monkeypatch)


def test_bundled_corpus_lines(monkeypatch):
    lines = [line.lower() for line in bundled_lines()]
    check_phrase_counts(lines, monkeypatch)
    check_url_markers(lines, monkeypatch)


def test_phrases_must_start_with_two_latin1_characters(monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", "")
    with pytest.raises(ValueError, match="Latin-1"):
        PhraseList(("ok", "Ωmega")).count(["ok"])
    with pytest.raises(ValueError, match="Latin-1"):
        PhraseList(("ok", "oΩ")).count(["ok"])
    assert PhraseList(("o", "©")).count(["o ©"]).tolist() == [1]
    assert np.array_equal(PhraseList(("ok",)).count([]), np.zeros(0))


@pytest.mark.parametrize("no_jit", ["", "1"])
def test_several_lists_in_one_pass_count_as_each_alone(no_jit, monkeypatch):
    monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
    lists = (features.CALL_TO_ACTION, PhraseList(("sign", "up now", "$")), features.MONTHS, features.CALL_TO_ACTION)
    texts = LITERAL + ["sign up now $5 sign $ 5 may sign-up", "up now up nowhere"]
    together = count_phrase_lists(lists, texts)
    assert together.shape == (len(texts), len(lists))
    for n, phrases in enumerate(lists):
        assert together[:, n].tolist() == [len(phrases.regex.findall(text)) for text in texts]


# The has_url regex as it was written before it became URL_MARKERS: the reference.
URL_REFERENCE = re.compile(r"https?://|www\.|\.(com|org|net|co\.uk|io|in|ca)\b")


def check_url_markers(texts: list[str], monkeypatch) -> None:
    expected = [URL_REFERENCE.search(text) is not None for text in texts]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        assert URL_MARKERS.found(texts).tolist() == expected


def test_url_markers_on_literal_strings(monkeypatch):
    texts = ["see https://x.org", "http:/x", "www.x", "wwwx", "example.com", "example.comedy", "a.co.uk.", "x.co.ukx",
             "x.in", "x.info", ".ca", "é.caé", "h", "", "x.com_", "https:// é", ".io!"]
    check_url_markers(texts, monkeypatch)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["http", "s", "://", ":/", "www", ".", "com", "co", "uk", "in", "io", "ca",
                                          "org", "net", "x", " ", "é", "_", "1"]), max_size=10).map("".join),
                max_size=8))
def test_url_markers_on_generated_text(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        check_url_markers(texts, monkeypatch)


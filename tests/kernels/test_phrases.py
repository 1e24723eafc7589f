"""Phrase lists count what the layout features' regexes counted, with re and with the compiled matcher."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.features import cues
from newsseg.text.phrase_lists import PhraseList, count_phrase_lists
from tests.helpers import bundled_lines
from tests.line_checks import check_phrase_counts, check_url_markers

LITERAL = [
    "", "i", "i'm here, i've seen it; i'd say mine", "x©y © a©", "photo:jane photo: jane", "pay $5 or $ 5 or $x",
    "advertisement advertis advertising_deal", "satir satire satirical", "promo code promo codes promos",
    "get the deal get your get our", "view expressed views expressed", "login log in log  in", "tags tag tagged",
    "İstanbul i̇ café_sign up", "you're yours you_re", "sign up\nsign\nup", "email-share|tweet", "١٢$٣ $٣",
    "ours our'", "free\u00a0offer", "jan. 5, sept 3 sepember sep.t mayday may_ 12jun jun12 dec.",
    "responsib responsible endorse endorsed", "𝐢 my 😀my my😀",
]


def test_literal_strings(monkeypatch):
    check_phrase_counts(LITERAL, monkeypatch)
    assert cues.CALL_TO_ACTION.count(["sign up now, sign up for $5"]).tolist() == [3]
    assert cues.MONTHS.replace(["jan. 5 and may", "no month", "dec.."], "m", ".") == ["m 5 and m", "no month", "m."]
    with pytest.raises(ValueError, match="not supported"):
        cues.CALL_TO_ACTION.replace(["buy"], "x")


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
    lists = (cues.CALL_TO_ACTION, PhraseList(("sign", "up now", "$")), cues.MONTHS, cues.CALL_TO_ACTION)
    texts = LITERAL + ["sign up now $5 sign $ 5 may sign-up", "up now up nowhere"]
    together = count_phrase_lists(lists, texts)
    assert together.shape == (len(texts), len(lists))
    for n, phrases in enumerate(lists):
        assert together[:, n].tolist() == [len(phrases.regex.findall(text)) for text in texts]


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


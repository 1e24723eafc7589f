"""Checks of the line features' batch shortcuts against per-line reference definitions (the regexes they
replaced, the per-line functions), shared by the unit tests and the real-data tests."""

import re

from newsseg.features import cues
from newsseg.features.cues import URL_MARKERS, is_comment_cue
from newsseg.features.line_forms import LineForms, line_key
from newsseg.features.line_stats import cue_flags
from newsseg.text.phrase_lists import PhraseList
from newsseg.text.segmentation import normalize_for_model

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


def reference_counts(name: str, texts: list[str]) -> list[int]:
    return [len(re.findall(REFERENCE[name], text)) for text in texts]


def check_phrase_counts(texts: list[str], monkeypatch) -> None:
    for name in REFERENCE:
        phrases: PhraseList = getattr(cues, name)
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
                assert getattr(cues, name).replace(batch, replacement, suffix) == expected, (name, no_jit)


# The has_url regex as it was written before it became URL_MARKERS: the reference.
URL_REFERENCE = re.compile(r"https?://|www\.|\.(com|org|net|co\.uk|io|in|ca)\b")


def check_url_markers(texts: list[str], monkeypatch) -> None:
    expected = [URL_REFERENCE.search(text) is not None for text in texts]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        assert URL_MARKERS.found(texts).tolist() == expected


def check_cues(texts: list[str], monkeypatch) -> None:
    """``cue_flags`` (compiled and plain) against ``is_comment_cue`` line by line, with the cue lines after
    them, on a single document and on one document per line."""
    expected = [is_comment_cue(text) for text in texts]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        is_cue, before = cue_flags(texts, ["page"] * len(texts))
        assert is_cue.tolist() == expected
        assert before.tolist() == [any(expected[:i]) for i in range(len(texts))]
        assert cue_flags(texts, [str(i) for i in range(len(texts))])[1].tolist() == [False] * len(texts)


def check_line_keys(texts: list[str], monkeypatch) -> None:
    expected = [line_key(text) for text in texts]
    for no_jit in ("", "1"):
        monkeypatch.setenv("NEWSSEG_NO_JIT", no_jit)
        assert LineForms.of([normalize_for_model(text) for text in texts]).keys == expected

"""The catalogue of line rules: phrase lists, legal / call-to-action / chrome patterns, comment-section cues,
attribution and author-bio openings, sentence endings. Every rule that reads a line's wording is written here
once; the layout features, the weak labels and labelling by construction read it from here.

Two kinds of rule live side by side: phrase lists counted per line as layout features (``LEGAL``,
``CALL_TO_ACTION``, ``CHROME``: broad, a count), and the narrower regexes the weak-labelling functions vote
with (``LEGAL_PHRASING_RE``, ``CALL_TO_ACTION_RE``, ``CHROME_LINE_RE``: a yes or no). They differ on purpose
(a feature may be loose, a vote must be precise), and merging them would change both models' inputs.
"""

from __future__ import annotations

import re
from typing import Optional

import numpy as np

from newsseg.text.phrase_lists import MarkerList, PhraseList

# The cue patterns below are matched against the lower-cased line: one lower() per line is about twice
# as fast as IGNORECASE in every pattern.
# The only characters beyond ASCII that re.IGNORECASE matches to an ASCII letter other than their own case:
# "\u0130" and "\u0131" to i, the Kelvin sign to k, the long s to s (a test checks all of Unicode).
CASE_FOLDING_SPECIALS = "\u0130\u0131\u212a\u017f"


class CaselessPattern:
    """A re.IGNORECASE pattern whose literal letters are lower-case ASCII, matched on the lower-cased line
    without the flag (about 1.4x faster), except on a line holding one of CASE_FOLDING_SPECIALS: there
    lower() and IGNORECASE differ, and the line takes the pattern itself. On other lines lower() keeps
    each character's class (word character, decimal digit, white space) and the length (a test checks all
    of Unicode), so both find the same."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern
        self.without_flag = re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)

    def match(self, text: str, lowered: str) -> Optional[re.Match]:
        return self.without_flag.match(lowered) if caseless_lines([text])[0] else self.pattern.match(text)

    def search(self, text: str, lowered: str) -> Optional[re.Match]:
        return self.without_flag.search(lowered) if caseless_lines([text])[0] else self.pattern.search(text)

    def matches(self, texts: list[str], lowered: list[str], caseless: Optional[list[bool]] = None) -> np.ndarray:
        """Per line, whether ``self.pattern.match`` finds anything. ``caseless``: ``caseless_lines(texts)``,
        when the caller has it."""
        if caseless is None:
            caseless = caseless_lines(texts)
        fast, slow = self.without_flag.match, self.pattern.match  # bound once: a method call per line costs
        return np.array([(fast(low) if plain else slow(text)) is not None
                         for text, low, plain in zip(texts, lowered, caseless)], dtype=np.float64)


def caseless_lines(texts: list[str]) -> list[bool]:
    """Per line, whether a ``CaselessPattern`` can match its lower-cased form without IGNORECASE: ASCII, or
    none of CASE_FOLDING_SPECIALS in it (spelled out: four ``in`` tests are five times faster than a regex)."""
    dotted_i, dotless_i, kelvin, long_s = CASE_FOLDING_SPECIALS
    return [text.isascii() or not (dotted_i in text or dotless_i in text or kelvin in text or long_s in text)
            for text in texts]


# Parts of a web address ("https://", "www.", ".com" ending a word).
URL_MARKERS = MarkerList((("http://", False), ("https://", False), ("www.", False), (".com", True), (".org", True),
                          (".net", True), (".co.uk", True), (".io", True), (".in", True), (".ca", True)))
LIST_BULLETS = "-*•▪►»·"
LIST_RE = re.compile(rf"^\s*(\d{{1,3}}[.)]|[{re.escape(LIST_BULLETS)}]|\(\d+\))\s")
# Phrase lists counted per line (a trailing "*": any further word characters, "+": at least one).
FIRST_PERSON = PhraseList(("i", "i'm", "i've", "i'd", "me", "my", "mine", "we", "us", "our"))
SECOND_PERSON = PhraseList(("you", "your", "you're", "yours"))
CALL_TO_ACTION = PhraseList((
    "subscribe", "sign up", "click", "donate", "buy", "order", "shop", "download", "join", "get the", "get your",
    "get our", "try", "free", "offer", "deal", "save", "sponsored", "advertis*", "newsletter", "support us",
    "membership", "learn more", "register", "purchase", "inquir*", "enquir*", "discount", "coupon", "promo code",
    "promo", "price", "sale"), dollar_digit=True)
LEGAL = PhraseList((
    "copyright", "©", "all rights reserved", "disclaimer", "not necessarily", "views expressed", "view expressed",
    "liability", "not intended to", "not meant to", "consult", "affiliate", "terms of use", "terms of service",
    "privacy", "cookies", "cookie", "fair use", "satir+", "endorse*", "responsib+", "policy", "guarantee"))
CHROME = PhraseList((
    "share", "tweet", "facebook", "twitter", "email", "print", "read more", "continue reading", "related", "tags",
    "tag", "filed under", "menu", "home", "log in", "login", "sign in", "search", "posted in", "categories",
    "previous", "next", "archives", "archive", "image via", "photo:", "credit"))
# Lines that open a comment section ("Comments (26)", "12 Responses", "Leave a Reply", ...). Every
# alternative here and in SOURCE_LINE_RE opens with "^", so match() finds what search() finds, without
# trying every position (a test checks).
COMMENT_HEADER_RE = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|discussion|reader comments|join the (discussion|conversation))"
    r"(\s*\(\d+\))?:?$|^(leave|post|add) a (comment|reply)|^comments? (are|is) closed|^\d+ thoughts? on ", re.I)
DIGITS_RE = re.compile(r"\d+")
# Month names, as the regex "jan(uary)?|...|sept?(ember)?|..." spelled them out ("sepember" included).
MONTHS = PhraseList((
    "january", "jan", "february", "feb", "march", "mar", "april", "apr", "may", "june", "jun", "july", "jul",
    "august", "aug", "september", "sept", "sepember", "sep", "october", "oct", "november", "nov", "december", "dec"))
# Sentence endings: those of Latin-script text, and the full-width ones of Chinese and Japanese text.
SENTENCE_ENDINGS = tuple(".!?\"'\u201d\u2019)")
CJK_SENTENCE_ENDINGS = tuple("\u3002\uff01\uff1f\u300d\u300f")
TERMINAL_ENDINGS = SENTENCE_ENDINGS + CJK_SENTENCE_ENDINGS
TERMINAL_RE = re.compile(f"[{re.escape(''.join(TERMINAL_ENDINGS))}]$")
# The weak labels' sentence ending: the Latin-script endings only (their rules predate the CJK ones; adding
# those would change the weak labels).
LATIN_TERMINAL_RE = re.compile(f"[{re.escape(''.join(SENTENCE_ENDINGS))}]$")
# Short lines that belong to a comment section: reply/like buttons, "X says:", comment timestamps, the
# comment form ("Your email address will not be published"), anything naming comments or replies. Narrow
# on purpose ("12 likes", not any "like"; "at 3:06 pm", not any time): a cue opens the comment gate, and
# loose cues ("feels like rain", "Two key points", "the Emergency Response Unit") opened it on article pages.
COMMENT_CUE_RE = re.compile(
    r"\b(comments?|commenting|commenters?|repl(y|ies)|responses? to|discussion|conversation|thoughts on|avatar|"
    r"moderat(or|ion|ed)|upvotes?|downvotes?|two cents|sort by|disqus|pingbacks?|trackbacks?)\b"
    r"|^\d+\s+(likes?|points?|responses?)$|\bliked this\b|^like\b"
    r"|[▲▼]|\b(says|said):|email address will not be published"
    r"|\b(at|@)\s*\d{1,2}:\d{2}\s*(am|pm)\b|^\d+ (minutes?|hours?|days?|weeks?|months?|years?) ago$", re.I)
COMMENT_CUE_MAX_WORDS = 10
# A line can match COMMENT_CUE_RE only if its lower-cased text holds one of these words (as a word's
# start: every alternative above opens with a word boundary, is anchored, or follows a space), or a ":",
# or a character of CUE_SPECIAL_CHARS: the arrows, and CASE_FOLDING_SPECIALS. Lines with none of them
# skip the regex, which tries every position.
COMMENT_CUE_WORDS = PhraseList((
    "comment*", "repl*", "response*", "discussion*", "conversation*", "thoughts*", "avatar*", "moderat*",
    "upvote*", "downvote*", "two*", "sort*", "disqus*", "pingback*", "trackback*", "like*", "point*", "says*",
    "said*", "address*", "ago*"))
CUE_SPECIAL_CHARS = "\u25b2\u25bc" + CASE_FOLDING_SPECIALS
COMMENT_CUE = CaselessPattern(COMMENT_CUE_RE)
# Attribution lines: "Source: …", "Via …", "h/t …", a bare link.
SOURCE_LINE_RE = re.compile(
    r"^(sources?|via|h/t|hat tip|originally (published|appeared)( at| on| in)?)\s*[:\-\u2013\u2014]"
    r"|^(via|h/t) \S+( \S+){0,3}$|^read (more|the rest) at\b|^\W*(https?://|www\.)\S+$", re.I)
COMMENT_HEADER, SOURCE_LINE = CaselessPattern(COMMENT_HEADER_RE), CaselessPattern(SOURCE_LINE_RE)
# "Jane Doe is a graduate of …", "The Example Institute is an independent …": an author bio or an
# organisation's box, which closes many real articles. Case-sensitive: the name's capitals are the cue.
BIO_OPENING_RE = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w.'’-]*(?:,?\s+[A-Z][\w.'’-]*){1,4},?\s+"
    r"(?:(?:is|was) (?:a|an|the|also|currently|now|senior|chief|executive|managing|contributing|co-?founder|founder|"
    r"editor|author|director|president|professor|commander)\b|has (?:been (?:a|an|the)|authored|written|worked|"
    r"spent|served|taught|published|appeared|contributed)\b|was born\b|(?:writes|blogs) (?:for|about|at|on)\b|"
    r"holds an? \b|is (?:the )?[A-Z][a-z]+ (?:of|at|for|with)\b)")
BIO_MIN_WORDS = 10

# Credit lines under or inside an article: an image's credit ("Photo by …", "JIM WATSON/AFP/Getty Images",
# "CreditJane Doe"), a bare "Photo" standing for an image, an editor's credit ("[责任编辑:…]"). LABELS.md
# calls them `other`; the reference articles of extracted pages keep them, so aligning a reference labels
# them the article (see ``html_pages.align_reference``). IMAGE_CREDIT_RE: the cue opens the line (the line
# is the credit); CREDIT_CUE_RE: the cue anywhere ("The cabaret in Paris Benoit Tessier/Reuters": a caption,
# the article's, that ends in a credit).
IMAGE_CREDIT_RE = re.compile(
    r"^(?i:(photo|image|picture)s?|credits?)$|^Credit(?=[A-Z])"
    r"|^(?i:\W*(featured |main )?(photo(graph)?|image|picture|illustration|graphic)s?\s*(by|via|courtesy|credit)\b)"
    r"|^(?i:\W*(featured |main )?(photo(graph)?|image|picture)s?( credit)?\s*:)|^(?i:\W*(photo |image )?credits?\s*:)"
    r"|^(?i:\W*courtesy of\b)|^\W*责任编辑")
CREDIT_CUE_RE = re.compile(
    r"\b(photo(graph)?|image|picture|illustration|graphic)s?\s*(by|via|courtesy|credit|:)|\bcourtesy of\b"
    r"|^\W*(原标题|作者|出品)", re.I)
# Photo agencies, as they close a credit ("Kane Skennar/Photodisc/Getty Images").
PHOTO_AGENCY_RE = re.compile(r"\b(getty|reuters|afp|ap photo|istock|shutterstock|epa|corbis)\b", re.I)
# Copyright notices in Chinese ("reproduction without permission forbidden", "all rights reserved").
CJK_RIGHTS_RE = re.compile(r"未经授权|不得转载|版权所有")
CREDIT_LINE_MAX_WORDS = 12
# An agency credit is names between slashes, a few words each ("Spencer Platt/Getty Images News/Getty Images").
AGENCY_CREDIT_PART_MAX_WORDS = 4


def credit_line_label(text: str) -> Optional[str]:
    """For a short line (at most CREDIT_LINE_MAX_WORDS words) with a credit, source or copyright cue: the
    label LABELS.md gives it where the cue decides it (``other`` for an image credit, a "Source: …" line, an
    editor's credit; ``disclaimer`` for a copyright notice), ``""`` where the cue may belong to the article
    (a caption ending in a credit, a bare link, a closing "作者" line), None for any other line."""
    line = text.strip()
    if not line or len(line.split()) > CREDIT_LINE_MAX_WORDS:
        return None
    if LEGAL_PHRASING_RE.search(line) or CJK_RIGHTS_RE.search(line):
        return "disclaimer"
    if IMAGE_CREDIT_RE.match(line) or _is_agency_credit(line):
        return "other"
    if SOURCE_LINE_RE.match(line):
        return "" if re.match(r"^\W*(https?://|www\.)", line) else "other"
    if CREDIT_CUE_RE.search(line) or PHOTO_AGENCY_RE.search(line):
        return ""
    return None


def _is_agency_credit(line: str) -> bool:
    parts = line.strip("()[] ").split("/")
    return (len(parts) > 1 and bool(PHOTO_AGENCY_RE.search(line))
            and all(0 < len(part.split()) <= AGENCY_CREDIT_PART_MAX_WORDS for part in parts))


# Chinese, Japanese and Korean ideographs and kana: text without spaces between words.
CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# About two such characters say what one English word does.
CJK_CHARS_PER_WORD = 2


def cjk_words(text: str) -> int:
    """Words of ``text`` that white space does not separate: its CJK characters / CJK_CHARS_PER_WORD (0 for
    ASCII text, which is not scanned)."""
    return 0 if text.isascii() else len(CJK_RE.findall(text)) // CJK_CHARS_PER_WORD


def is_comment_cue(text: str) -> bool:
    """A comment-section cue: a comment header, or a short line (a CJK line's characters counted as words, as
    the layout features count them) that COMMENT_CUE_RE finds something in."""
    return bool(COMMENT_HEADER_RE.search(text)) or (
        len(text.split()) + cjk_words(text) <= COMMENT_CUE_MAX_WORDS and bool(COMMENT_CUE_RE.search(text)))


def might_be_comment_cue(text: str, cue_word_count: int) -> bool:
    """Whether ``COMMENT_CUE_RE`` could match ``text``, given ``COMMENT_CUE_WORDS.count`` of its lower-cased
    form: False only where it cannot."""
    if cue_word_count or ":" in text:
        return True
    return not text.isascii() and any(c in text for c in CUE_SPECIAL_CHARS)


# The weak-labelling functions' rules (``weak_labels``): a line's wording votes disclaimer, ad or chrome.
LEGAL_PHRASING_RE = re.compile(
    r"all rights reserved|©|\bcopyright\b|not necessarily (reflect|represent|the views)|views expressed|"
    r"\bconsult (your|a|with a) (doctor|physician|professional|financial)|not (intended|meant) (as|to be|to)|"
    r"not (medical|financial|investment|legal) advice|for (entertainment|informational) purposes|\bsatir(e|ical)\b|"
    r"affiliate (link|commission)|we may (earn|receive) a (small )?commission|fair use|uses cookies|"
    r"cannot guarantee|not affiliated with|full disclosure|comment policy|terms of (use|service) apply|"
    r"reproduction (in whole or in part|without permission)|content (is )?owned by", re.I)
CALL_TO_ACTION_RE = re.compile(
    r"\b(subscribe (now|today|for)|sign up (now|today|for|to)|donate (now|today)|click here|free (report|gift|trial|ebook)|"
    r"buy now|order (now|today)|shop now|sponsored|advertisement|download (the|our) app|\d+% off|limited time|"
    r"support (us|our|independent)|become a (member|patron|subscriber)|chip in|get (instant )?access)\b|^headline:", re.I)
CHROME_LINE_RE = re.compile(
    r"^(share|tweet|email|print|read more|continue reading|related|tags?:|filed under|posted in|home|menu|search|"
    r"log ?in|sign in|previous|next|back to top|follow us|advertise|about us|contact|privacy policy|terms)\b", re.I)
FIRST_OR_SECOND_PERSON_RE = re.compile(r"\b(i|i'm|my|me|you|your)\b", re.I)
NUMBERED_LINE_RE = re.compile(r"^\d{1,3}\.\s+\S")

# Comment-section chrome in articles+comments sources (``reader_base.article_comments_page``): these lines are
# `other`, the rest `opinion_comment`.
COMMENT_CHROME_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(reply|replies|report|flag|share|quote|permalink|like|edit|delete)\b\W*$",
        r"^\d+\s+(reply|replies)\s+beneath your current threshold\.?$",
        r"^(total\s+)?comments?\s*\(\d+\)$",
        r"^\d+\s+(comments?|responses?|replies|votes?|points?|likes?|fans?)$",
        r"^(the )?comments (to this entry )?are (now )?closed\.?$",
        r"^(leave|post|add) a (comment|reply)\b.*$",
        r"^(read|show|load|view) (the rest of this comment|more comments|all comments|more)\b.*$",
        r"^this comment has (been well-received|sparked a hot debate)!.*$",
        r"^comment author avatar",
        r"^[+-]?\d+$",
    )
)


def is_comment_chrome(line: str) -> bool:
    line = line.strip()
    return any(p.search(line) for p in COMMENT_CHROME_PATTERNS)

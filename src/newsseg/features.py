"""Segment features shared by the models: text for TF-IDF, layout features, cross-page recurrence.

Every function takes a pandas DataFrame of segment rows (``dataset.COLUMNS``), in document order.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter, OrderedDict, defaultdict, deque
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from .code_points import ALPHA, DECIMAL, DIGIT, SPACE, SYMBOL, UPPER, WHITESPACE, CodePointBatch
from .kernels import compiled, jit_enabled, python_version
from .page_structure import PAGE_STRUCTURE_COLUMNS, page_structure
from .phrase_lists import MarkerList, PhraseList, count_phrase_lists
from .segmentation import normalize_for_model, normalize_lines

# The cue patterns below are matched against the lower-cased line: one lower() per line is about twice
# as fast as IGNORECASE in every pattern.
# The only characters beyond ASCII that re.IGNORECASE matches to an ASCII letter other than their own case:
# "\u0130" and "\u0131" to i, the Kelvin sign to k, the long s to s (a test checks all of Unicode).
_CASE_FOLDING_SPECIALS = "\u0130\u0131\u212a\u017f"


class CaselessPattern:
    """A re.IGNORECASE pattern whose literal letters are lower-case ASCII, matched on the lower-cased line
    without the flag (about 1.4x faster), except on a line holding one of _CASE_FOLDING_SPECIALS: there
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
    none of _CASE_FOLDING_SPECIALS in it (spelled out: four ``in`` tests are five times faster than a regex)."""
    dotted_i, dotless_i, kelvin, long_s = _CASE_FOLDING_SPECIALS
    return [text.isascii() or not (dotted_i in text or dotless_i in text or kelvin in text or long_s in text)
            for text in texts]


# Parts of a web address ("https://", "www.", ".com" ending a word).
URL_MARKERS = MarkerList((("http://", False), ("https://", False), ("www.", False), (".com", True), (".org", True),
                          (".net", True), (".co.uk", True), (".io", True), (".in", True), (".ca", True)))
_LIST_BULLETS = "-*•▪►»·"
_LIST_RE = re.compile(rf"^\s*(\d{{1,3}}[.)]|[{re.escape(_LIST_BULLETS)}]|\(\d+\))\s")
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
# alternative here and in _SOURCE_LINE_RE opens with "^", so match() finds what search() finds, without
# trying every position (a test checks).
COMMENT_HEADER_RE = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|discussion|reader comments|join the (discussion|conversation))"
    r"(\s*\(\d+\))?:?$|^(leave|post|add) a (comment|reply)|^comments? (are|is) closed|^\d+ thoughts? on ", re.I)
_DIGITS_RE = re.compile(r"\d+")
# Month names, as the regex "jan(uary)?|...|sept?(ember)?|..." spelled them out ("sepember" included).
MONTHS = PhraseList((
    "january", "jan", "february", "feb", "march", "mar", "april", "apr", "may", "june", "jun", "july", "jul",
    "august", "aug", "september", "sept", "sepember", "sep", "october", "oct", "november", "nov", "december", "dec"))
# Sentence endings; the full-width ones of Chinese and Japanese text too.
_TERMINAL_ENDINGS = tuple(".!?\"'\u201d\u2019)\u3002\uff01\uff1f\u300d\u300f")
_TERMINAL_RE = re.compile(f"[{re.escape(''.join(_TERMINAL_ENDINGS))}]$")
# Short lines that belong to a comment section: reply/like buttons, "X says:", comment timestamps, the
# comment form ("Your email address will not be published"), anything naming comments or replies. Narrow
# on purpose ("12 likes", not any "like"; "at 3:06 pm", not any time): a cue opens the comment gate, and
# loose cues ("feels like rain", "Two key points", "the Emergency Response Unit") opened it on article pages.
_COMMENT_CUE_RE = re.compile(
    r"\b(comments?|commenting|commenters?|repl(y|ies)|responses? to|discussion|conversation|thoughts on|avatar|"
    r"moderat(or|ion|ed)|upvotes?|downvotes?|two cents|sort by|disqus|pingbacks?|trackbacks?)\b"
    r"|^\d+\s+(likes?|points?|responses?)$|\bliked this\b|^like\b"
    r"|[▲▼]|\b(says|said):|email address will not be published"
    r"|\b(at|@)\s*\d{1,2}:\d{2}\s*(am|pm)\b|^\d+ (minutes?|hours?|days?|weeks?|months?|years?) ago$", re.I)
COMMENT_CUE_MAX_WORDS = 10
# A line can match _COMMENT_CUE_RE only if its lower-cased text holds one of these words (as a word's
# start: every alternative above opens with a word boundary, is anchored, or follows a space), or a ":",
# or a character of _CUE_SPECIAL_CHARS: the arrows, and _CASE_FOLDING_SPECIALS. Lines with none of them
# skip the regex, which tries every position.
COMMENT_CUE_WORDS = PhraseList((
    "comment*", "repl*", "response*", "discussion*", "conversation*", "thoughts*", "avatar*", "moderat*",
    "upvote*", "downvote*", "two*", "sort*", "disqus*", "pingback*", "trackback*", "like*", "point*", "says*",
    "said*", "address*", "ago*"))
_CUE_SPECIAL_CHARS = "\u25b2\u25bc" + _CASE_FOLDING_SPECIALS
COMMENT_CUE = CaselessPattern(_COMMENT_CUE_RE)
# Attribution lines: "Source: …", "Via …", "h/t …", a bare link.
_SOURCE_LINE_RE = re.compile(
    r"^(sources?|via|h/t|hat tip|originally (published|appeared)( at| on| in)?)\s*[:\-\u2013\u2014]"
    r"|^(via|h/t) \S+( \S+){0,3}$|^read (more|the rest) at\b|^\W*(https?://|www\.)\S+$", re.I)
COMMENT_HEADER, SOURCE_LINE = CaselessPattern(COMMENT_HEADER_RE), CaselessPattern(_SOURCE_LINE_RE)
# A prose line: long enough and ending like a sentence; the article is the first run of them. "Long
# enough" is PROSE_MIN_WORDS, or half the page's longest such line on short pages (news briefs).
PROSE_MIN_WORDS = 15
PROSE_MIN_WORDS_FLOOR = 6
PROSE_RUN_MAX_GAP = 2
# A list inside the article: the non-prose lines after a line ending in ":", with prose again after them
# and no comment cue between ("The report covers:" + regions, a recipe's ingredients). At most this many.
COLON_LIST_MAX_LINES = 30
# A list a sentence opens ("The timetable adds late buses on these routes:" + items), whether or not prose
# follows: the opener ends in ":" and has at least this many words, so that "Related:" or "More by Jane
# Doe:" open none. The list ends at a prose line, a comment cue or the next line ending in ":".
LIST_OPENER_MIN_WORDS = 8
# "Jane Doe is a graduate of …", "The Example Institute is an independent …": an author bio or an
# organisation's box, which closes many real articles. Case-sensitive: the name's capitals are the cue.
_BIO_OPENING_RE = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?[A-Z][\w.'’-]*(?:,?\s+[A-Z][\w.'’-]*){1,4},?\s+"
    r"(?:(?:is|was) (?:a|an|the|also|currently|now|senior|chief|executive|managing|contributing|co-?founder|founder|"
    r"editor|author|director|president|professor|commander)\b|has (?:been (?:a|an|the)|authored|written|worked|"
    r"spent|served|taught|published|appeared|contributed)\b|was born\b|(?:writes|blogs) (?:for|about|at|on)\b|"
    r"holds an? \b|is (?:the )?[A-Z][a-z]+ (?:of|at|for|with)\b)")
BIO_MIN_WORDS = 10
LAYOUT_PHRASE_LISTS = {"first_person": FIRST_PERSON, "second_person": SECOND_PERSON, "call_to_action": CALL_TO_ACTION,
                       "legal_words": LEGAL, "chrome_words": CHROME, "months": MONTHS,
                       "comment_cue_words": COMMENT_CUE_WORDS}

LAYOUT_FEATURE_NAMES = (
    "position", "index", "segments_left", "log_n_segments", "log_chars", "log_words", "terminal_punct",
    "upper_ratio", "digit_ratio", "symbol_ratio", "space_ratio", "title_case_ratio", "has_url",
    "list_item", "first_person", "second_person", "call_to_action", "legal_words", "chrome_words",
    "is_comment_header", "after_comment_header", "segments_since_comment_header", "starts_lower",
    "ends_colon", "site_recurrence", "corpus_recurrence",
    "source_line", "comment_cue", "comment_cue_before", "in_first_prose_run", "after_first_prose_run",
    "segments_after_first_prose_run", "after_last_prose", "before_first_prose", "in_colon_list",
    "page_shape_repeats", "bio_opening", "in_sentence_list", *PAGE_STRUCTURE_COLUMNS,
)


# Bumped when a feature keeps its name but changes meaning (2: the narrow comment cues; 3: the page-structure
# columns, CJK words and sentence endings), so that a model trained on the old meaning is refused instead of
# quietly mis-predicting.
LAYOUT_FEATURES_VERSION = 3


def check_layout_features(model) -> None:
    """A model pickled with an older feature set cannot be applied: say so instead of mis-predicting."""
    trained = tuple(getattr(model, "layout_feature_names", ()))
    if trained != LAYOUT_FEATURE_NAMES:
        raise ValueError(f"this {model.family} model was trained with {len(trained) or 'an older set of'} layout "
                         f"features, this newsseg computes {len(LAYOUT_FEATURE_NAMES)}: retrain it")
    version = getattr(model, "layout_features_version", 1)  # models saved before versioning: 1
    if version != LAYOUT_FEATURES_VERSION:
        raise ValueError(f"this {model.family} model was trained with layout features version {version}, "
                         f"this newsseg computes version {LAYOUT_FEATURES_VERSION}: retrain it")


# Columns the pipeline adds to each batch's frame (``line_form_columns``), so that the feature steps and the
# decoder read these per-line values instead of each computing them again: the ``LineForms``, then the
# comment cues once the layout features have computed them.
LINE_FORM_COLUMNS = ("model_text", "lowered_text", "folded_text", "line_key")
MODEL_TEXT_COLUMN = LINE_FORM_COLUMNS[0]
COMMENT_CUE_COLUMN, COMMENT_CUE_BEFORE_COLUMN = "comment_cue", "comment_cue_before"


def model_text(frame: pd.DataFrame) -> list[str]:
    if MODEL_TEXT_COLUMN in frame.columns:
        return frame[MODEL_TEXT_COLUMN].tolist()
    return normalize_lines(frame["text"].tolist())


def line_key(text: str) -> str:
    """Key for recurrence counting: case and white space folded, digits masked (dates, counts)."""
    folded = _DIGITS_RE.sub("0", normalize_for_model(text).lower())
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class LineForms:
    """A batch's lines as the feature steps read them: the model's text (``normalize_for_model``), that
    lower-cased, that with each run of decimal digits as "0" (``_DIGITS_RE``; recurrence keys and page
    shapes read it), and the recurrence key (``line_key``)."""

    texts: list[str]
    lowered: list[str]
    folded: list[str]
    keys: list[str]

    @classmethod
    def of(cls, model_texts: list[str]) -> "LineForms":
        lowered = [text.lower() for text in model_texts]
        folded = _mask_digit_runs(lowered)
        keys = [hashlib.blake2b(text.encode(), digest_size=8).hexdigest() for text in folded]
        return cls(model_texts, lowered, folded, keys)


def _mask_digit_runs(texts: list[str]) -> list[str]:
    """``_DIGITS_RE.sub("0", text)`` of each text. Compiled: one pass over the batch's code points, where the
    regex tries every position of every line; texts without a decimal digit are returned as they are."""
    if not jit_enabled() or not texts or any("\n" in text for text in texts):  # "\n" joins the texts below
        return [_DIGITS_RE.sub("0", text) for text in texts]
    batch = CodePointBatch.of(texts)
    masked, has_decimal = _mask_decimal_runs_loop(batch.codes, batch.is_decimal, batch.starts, batch.ends)
    if len(masked) == 0:
        return list(texts)
    masked_texts = iter(masked.tobytes().decode("utf-32-le", "surrogatepass").split("\n"))
    return [next(masked_texts) if decimal else text for text, decimal in zip(texts, has_decimal.tolist())]


@compiled
def _mask_decimal_runs_loop(codes, is_decimal, starts, ends):
    """The texts (``codes[starts[t]:ends[t]]``) holding a decimal digit, each run of decimal digits replaced
    by one "0", joined by a line break; and per text, whether it is one of them."""
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


def line_forms(frame: pd.DataFrame) -> LineForms:
    if all(column in frame.columns for column in LINE_FORM_COLUMNS):
        return LineForms(*(frame[column].tolist() for column in LINE_FORM_COLUMNS))
    return LineForms.of(model_text(frame))


def line_form_columns(texts: list[str], normalized: bool = False) -> dict[str, list[str]]:
    """The ``LineForms`` of lines ``texts`` (``normalized``: already as ``normalize_for_model`` gives them), as
    frame columns (``LINE_FORM_COLUMNS``)."""
    forms = LineForms.of(texts if normalized else normalize_lines(texts))
    return dict(zip(LINE_FORM_COLUMNS, (forms.texts, forms.lowered, forms.folded, forms.keys)))


def lowered_model_text(frame: pd.DataFrame) -> Optional[list[str]]:
    """The lower-cased model text of each line, where the frame has it (``line_form_columns``)."""
    return frame[LINE_FORM_COLUMNS[1]].tolist() if LINE_FORM_COLUMNS[1] in frame.columns else None


class BoilerplateIndex:
    """How many training documents each (folded) line occurs in; stored with the model so a single
    page at inference still knows which lines are site boilerplate seen before."""

    def __init__(self, doc_counts: Optional[dict[str, int]] = None, n_docs: int = 0) -> None:
        self.doc_counts = doc_counts or {}
        self.n_docs = n_docs

    @classmethod
    def fit(cls, frame: pd.DataFrame, min_docs: int = 3) -> "BoilerplateIndex":
        doc_keys: dict[str, set] = defaultdict(set)
        for doc, key in zip(frame["doc_id"].tolist(), line_forms(frame).keys):
            doc_keys[doc].add(key)
        counts = Counter(key for keys in doc_keys.values() for key in keys)
        return cls({k: v for k, v in counts.items() if v >= min_docs}, len(doc_keys))

    def recurrence(self, keys: list[str]) -> np.ndarray:
        """Per line key (``line_key``), log(1 + training documents holding the line)."""
        return np.array([math.log1p(self.doc_counts.get(key, 0)) for key in keys], dtype=np.float32)


class SiteMemory:
    """The line keys of the last pages seen per site, so that prediction over a stream of pages can
    measure line recurrence across batches. Bounded: ``pages_per_site`` pages for ``max_sites`` sites.
    Per site, how many of its remembered pages hold each key is kept up to date as pages come and go, so
    that a line is looked up once, not once per remembered page."""

    def __init__(self, pages_per_site: int = 20, max_sites: int = 20_000) -> None:
        self.pages_per_site, self.max_sites = pages_per_site, max_sites
        self.pages: "OrderedDict[str, deque[frozenset[str]]]" = OrderedDict()
        self.key_pages: dict[str, Counter] = {}

    def recent(self, site: str) -> list[frozenset[str]]:
        return list(self.pages.get(site, ()))

    def page_count(self, site: str) -> int:
        return len(self.pages.get(site, ()))

    def pages_holding(self, site: str) -> Counter:
        """Per line key, how many of the site's remembered pages hold it."""
        return self.key_pages.get(site, Counter())

    def remember(self, site: str, keys: frozenset[str]) -> None:
        if site not in self.pages:
            self.pages[site] = deque(maxlen=self.pages_per_site)
            self.key_pages[site] = Counter()
            if len(self.pages) > self.max_sites:
                forgotten, _ = self.pages.popitem(last=False)
                del self.key_pages[forgotten]
        self.pages.move_to_end(site)
        pages, counts = self.pages[site], self.key_pages[site]
        if pages.maxlen == 0:
            return
        if len(pages) == pages.maxlen:  # the oldest page is about to drop out
            counts.subtract(pages[0])
            for key in [key for key in pages[0] if counts[key] <= 0]:
                del counts[key]
        pages.append(keys)
        counts.update(keys)


def site_recurrence(frame: pd.DataFrame, memory: Optional[SiteMemory] = None,
                    keys: Optional[list[str]] = None) -> np.ndarray:
    """Share of the other pages of the same site (in this frame, and in ``memory``) holding the line.
    ``keys``: the lines' ``line_key``, when the caller has them."""
    # Plain lists: iterating pandas string columns element by element is several times slower.
    if keys is None:
        keys = line_forms(frame).keys
    sites, docs = frame["site"].tolist(), frame["doc_id"].tolist()
    # Per site, per doc id: the page's line keys. A page's lines come one after another, so the dicts are
    # looked up where the page changes, not per line (no (site, doc) tuple per line).
    pages: dict[str, dict[str, set]] = {}
    doc_site: dict[str, str] = {}  # per doc id, in order of first appearance: its last site (memory's order)
    page, last_site, last_doc = set(), None, None
    for key, site, doc in zip(keys, sites, docs):
        if doc is not last_doc or site is not last_site:
            page = pages.setdefault(site, {}).setdefault(doc, set())
            doc_site[doc] = site
            last_site, last_doc = site, doc
        page.add(key)
    # Per site: how many of its pages here hold each key, how many other pages (here and remembered) a
    # line's page has, and how many remembered pages hold each key.
    per_site = {}
    for site, site_pages in pages.items():
        holding_here: Counter = Counter()
        for keys_of_page in site_pages.values():
            holding_here.update(keys_of_page)
        remembered_pages, held = (memory.page_count(site), memory.pages_holding(site)) if memory else (0, {})
        per_site[site] = (holding_here, len(site_pages) - 1 + remembered_pages, held)
    shares = []
    last_site = None
    for key, site in zip(keys, sites):
        if site is not last_site:
            holding_here, others, held = per_site[site]
            last_site = site
        shares.append((holding_here[key] - 1 + held.get(key, 0)) / others if others > 0 else 0.0)
    if memory is not None:
        doc_keys: dict[str, set] = defaultdict(set)
        for site_pages in pages.values():
            for doc, keys_of_page in site_pages.items():
                doc_keys[doc] |= keys_of_page
        for doc, site in doc_site.items():
            memory.remember(site, frozenset(doc_keys[doc]))
    return np.array(shares, dtype=np.float32)


def page_shape_repeats(texts: list[str], doc_ids: list[str], lowered_texts: Optional[list[str]] = None,
                       month_counts: Optional[np.ndarray] = None, folded: Optional[list[str]] = None) -> np.ndarray:
    """Per line: how many lines of its page have its shape (digits and month names masked) but other
    text, capped at 10, over 10. Why: the entries of a listing repeat one shape with other dates ("Jun 2,
    2008 — J. Doe" before each teaser of an archive page); a poem's refrain repeats its very text.
    ``lowered_texts``, ``month_counts`` (``MONTHS`` in them), ``folded`` (them with digit runs masked,
    ``LineForms.folded``): per line, when the caller has them."""
    if lowered_texts is None:
        lowered_texts = [text.lower() for text in texts]
    if folded is None:
        folded = _mask_digit_runs(lowered_texts)
    # Only lines naming a month have one replaced (masking digits leaves the word boundaries as they were,
    # so a month is found before masking iff after).
    if month_counts is None:
        month_counts = MONTHS.count(lowered_texts)
    shapes = list(folded)
    month_lines = np.flatnonzero(month_counts).tolist()
    for i, shape in zip(month_lines, MONTHS.replace([folded[i] for i in month_lines], "m", ".")):
        shapes[i] = shape
    # Per line, (lines of the page with its shape) - (lines of the page with its text). A shape is a function
    # of the text, so lines of one text share one shape. A line whose shape is its text ("unchanged": no
    # digit, no month, most lines) then counts just the changed lines of its page with that shape; a
    # changed line counts the unchanged lines whose text is its shape, plus the changed lines with its
    # shape, less those with its text. Only the changed lines, and the lines whose text is one of their
    # shapes, are counted by page, instead of every line by (page, shape) and (page, text).
    changed = [i for i, (shape, text) in enumerate(zip(shapes, lowered_texts)) if shape != text]
    repeats = np.zeros(len(texts), dtype=np.int64)
    if changed:
        changed_shapes = Counter((doc_ids[i], shapes[i]) for i in changed)
        changed_texts = Counter((doc_ids[i], lowered_texts[i]) for i in changed)
        changed_shape_set = {shapes[i] for i in changed}
        unchanged_texts: Counter = Counter()
        for i, text in enumerate(lowered_texts):
            if text in changed_shape_set and shapes[i] == text:
                key = (doc_ids[i], text)
                unchanged_texts[key] += 1
                repeats[i] = changed_shapes[key]
        for i in changed:
            shape_key = (doc_ids[i], shapes[i])
            repeats[i] = (unchanged_texts[shape_key] + changed_shapes[shape_key]
                          - changed_texts[(doc_ids[i], lowered_texts[i])])
    return (np.minimum(repeats, 10) / 10).astype(np.float32)


CHAR_CLASS_COLUMNS = ("upper", "letters", "digits", "symbols", "spaces", "words", "capitalised_words", "chars")


def char_class_counts(texts: list[str]) -> np.ndarray:
    """Per text, the counts named by ``CHAR_CLASS_COLUMNS``: upper-case letters, letters, digits, symbols,
    spaces, words (``len(text.split())``), words whose first character is upper case, and characters
    (``len(text)``). Same result as ``str.isupper()`` etc. per character, over the whole batch at once."""
    if not texts:
        return np.zeros((0, len(CHAR_CLASS_COLUMNS)), dtype=np.int64)
    batch = CodePointBatch.of(texts)
    classes, starts, ends = batch.classes, batch.starts, batch.ends
    if jit_enabled():
        return _char_class_count_loop(classes, starts, ends)
    per_class = [(classes >> bit) & 1 == 1 for bit in (UPPER, ALPHA, DIGIT, SYMBOL, SPACE)]
    # A word starts at a non-space character that opens its text or follows a space (str.split's words);
    # the line break between two texts is white space.
    space = (classes >> WHITESPACE) & 1 == 1
    after_space = np.empty_like(space)
    after_space[:1], after_space[1:] = True, space[:-1]
    word_start = after_space & ~space
    counted = np.vstack([*per_class, word_start, word_start & per_class[0]])
    # Running totals per class (a row each: contiguous, several times faster than down the columns).
    cumulative = np.zeros((counted.shape[0], len(classes) + 1), dtype=np.int64)
    np.cumsum(counted, axis=1, out=cumulative[:, 1:])
    return np.column_stack([(cumulative[:, ends] - cumulative[:, starts]).T, ends - starts])


@compiled
def _char_class_count_loop(classes, starts, ends):
    """``char_class_counts`` as one loop over the characters' class bytes (``code_points.class_bytes``)."""
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


# Chinese, Japanese and Korean ideographs and kana: text without spaces between words.
_CJK_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# About two such characters say what one English word does.
CJK_CHARS_PER_WORD = 2


def cjk_word_equivalents(texts: list[str]) -> np.ndarray:
    """Per text, words that white space does not separate: its CJK characters / CJK_CHARS_PER_WORD (0 for
    ASCII text, which is not scanned). Without it a Chinese paragraph counted as one word, like a menu item."""
    return np.array([0 if text.isascii() else len(_CJK_RE.findall(text)) // CJK_CHARS_PER_WORD for text in texts],
                    dtype=np.int64)


def _capped(counts: np.ndarray, cap: int) -> np.ndarray:
    """``counts`` capped at ``cap``, over ``cap``."""
    return np.minimum(counts, cap).astype(np.float64) / cap


def ends_like_sentence(texts: list[str]) -> np.ndarray:
    """Per text: whether ``_TERMINAL_RE`` finds its last character (before a final line break, as ``$``
    allows), without the regex trying every position."""
    return np.array([text.endswith(_TERMINAL_ENDINGS) or (text.endswith("\n") and _TERMINAL_RE.search(text) is not None)
                     for text in texts], dtype=np.float64)


# Columns of ``line_edge_flags``, named as in ``LAYOUT_FEATURE_NAMES``.
LINE_EDGE_COLUMNS = ("terminal_punct", "starts_lower", "ends_colon", "list_item")


def line_edge_flags(texts: list[str]) -> np.ndarray:
    """Per text, what its first and last characters say, in the columns ``LINE_EDGE_COLUMNS``: it ends like
    a sentence (``ends_like_sentence``), starts lower-case (``text[:1].islower()``), ends with ":", opens
    like a list item (``_LIST_RE.match``). Compiled: one loop over the batch's code points (the batch the
    character counts read) instead of four passes over the strings, one of them a regex."""
    if not jit_enabled() or not texts:
        return np.column_stack([ends_like_sentence(texts), [text[:1].islower() for text in texts],
                                [text.endswith(":") for text in texts], _flags(_LIST_RE.match, texts)]
                               ).astype(np.float64).reshape(len(texts), len(LINE_EDGE_COLUMNS))
    batch = CodePointBatch.of(texts)
    flags = _line_edge_loop(batch.codes, batch.classes, batch.starts, batch.ends, _lower_case_table(),
                            _code_array(_TERMINAL_ENDINGS), _code_array(_LIST_BULLETS))
    # Beyond the Basic Multilingual Plane (no table there), the first character is asked in Python.
    opened = batch.starts < batch.ends
    for t in np.flatnonzero(opened)[batch.codes[batch.starts[opened]] > 0xFFFF]:
        flags[t, 1] = texts[t][:1].islower()
    return flags


@functools.cache
def _lower_case_table() -> np.ndarray:
    """Per Basic Multilingual Plane code point, ``str.islower``."""
    return np.array([chr(c).islower() for c in range(0x10000)], dtype=np.bool_)


def _code_array(characters) -> np.ndarray:
    return np.array([ord(c) for c in characters], dtype=np.uint32)


@compiled
def _line_edge_loop(codes, classes, starts, ends, is_lower, terminal_codes, bullet_codes):
    """``line_edge_flags`` of the texts ``codes[starts[t]:ends[t]]``. The list pattern, by hand: white space,
    then 1-3 decimal digits and "." or ")", a bullet, or "(", decimal digits and ")"; then white space (the
    regex cannot backtrack into another reading: each alternative opens with a different character)."""
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


def _flags(find, texts: list[str]) -> np.ndarray:
    """Per text: whether ``find`` (a pattern's search or match) finds anything."""
    return np.array([find(text) is not None for text in texts], dtype=np.float64)


def _ratios(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """counts / totals, 0 where the total is 0."""
    return np.divide(counts, totals, out=np.zeros(len(counts)), where=totals > 0)


def is_comment_cue(text: str) -> bool:
    return bool(COMMENT_HEADER_RE.search(text)) or (
        len(text.split()) <= COMMENT_CUE_MAX_WORDS and bool(_COMMENT_CUE_RE.search(text)))


def might_be_comment_cue(text: str, cue_word_count: int) -> bool:
    """Whether ``_COMMENT_CUE_RE`` could match ``text``, given ``COMMENT_CUE_WORDS.count`` of its lower-cased
    form: False only where it cannot."""
    if cue_word_count or ":" in text:
        return True
    return not text.isascii() and any(c in text for c in _CUE_SPECIAL_CHARS)


def cue_flags(texts: list[str], doc_ids: list[str], lowered: Optional[list[str]] = None,
              word_counts: Optional[np.ndarray] = None, cue_word_counts: Optional[np.ndarray] = None,
              is_header: Optional[np.ndarray] = None,
              caseless: Optional[list[bool]] = None) -> tuple[np.ndarray, np.ndarray]:
    """Per line: is it a comment cue (``is_comment_cue``), and is an earlier line of its document one.
    ``lowered``, ``word_counts`` (``len(text.split())``), ``cue_word_counts`` (``COMMENT_CUE_WORDS`` in the
    lower-cased line), ``is_header`` (``COMMENT_HEADER_RE`` finds something), ``caseless``
    (``caseless_lines``): per line, when the caller has them."""
    if word_counts is None:
        word_counts = char_class_counts(texts)[:, CHAR_CLASS_COLUMNS.index("words")]
    if lowered is None:
        lowered = [text.lower() for text in texts]
    if cue_word_counts is None:
        cue_word_counts = COMMENT_CUE_WORDS.count(lowered)
    if caseless is None:
        caseless = caseless_lines(texts)
    if is_header is None:
        is_header = COMMENT_HEADER.matches(texts, lowered, caseless)
    # is_comment_cue, with the regex only where it could match.
    fast, slow = COMMENT_CUE.without_flag.search, COMMENT_CUE.pattern.search
    is_cue = [bool(header) or (words <= COMMENT_CUE_MAX_WORDS and might_be_comment_cue(text, cue_words)
                               and (fast(low) if plain else slow(text)) is not None)
              for text, low, plain, header, words, cue_words in zip(texts, lowered, caseless, is_header.tolist(),
                                                                    word_counts.tolist(), cue_word_counts.tolist())]
    before, seen = [], set()
    for doc, cue in zip(doc_ids, is_cue):
        before.append(doc in seen)
        if cue:
            seen.add(doc)
    return np.array(is_cue, dtype=bool), np.array(before, dtype=bool)


def frame_cue_flags(frame: pd.DataFrame, texts: Optional[list[str]] = None, **known) -> tuple[np.ndarray, np.ndarray]:
    """``cue_flags`` of the frame's lines (``texts``: their model text, ``known``: ``cue_flags``' optional
    inputs). A pipeline's frame (``line_form_columns``) keeps them as columns once computed: the layout
    features compute them, the decoder's gate reads them again."""
    if COMMENT_CUE_COLUMN in frame.columns:
        return frame[COMMENT_CUE_COLUMN].to_numpy(), frame[COMMENT_CUE_BEFORE_COLUMN].to_numpy()
    is_cue, before = cue_flags(model_text(frame) if texts is None else texts, frame["doc_id"].tolist(), **known)
    if MODEL_TEXT_COLUMN in frame.columns:
        frame[COMMENT_CUE_COLUMN], frame[COMMENT_CUE_BEFORE_COLUMN] = is_cue, before
    return is_cue, before


def comment_cue_before(frame: pd.DataFrame) -> np.ndarray:
    """Per segment row: whether an earlier segment of its document is a comment cue."""
    return frame_cue_flags(frame)[1]


# Columns of ``prose_structure``, named as in ``LAYOUT_FEATURE_NAMES``.
PROSE_STRUCTURE_COLUMNS = ("in_first_prose_run", "after_first_prose_run", "segments_after_first_prose_run",
                           "after_last_prose", "before_first_prose", "in_colon_list", "in_sentence_list")


def document_bounds(doc_ids: list[str]) -> list[int]:
    """Where each document's rows start, and the end: document d is rows ``bounds[d]`` to ``bounds[d + 1]``
    (rows are in document order)."""
    return [0] + [i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]] + [len(doc_ids)]


def prose_structure(texts: list[str], doc_ids: list[str], is_cue: Optional[np.ndarray] = None,
                    word_counts: Optional[np.ndarray] = None, terminal: Optional[np.ndarray] = None,
                    ends_colon: Optional[np.ndarray] = None) -> np.ndarray:
    """Where each line sits relative to the page's prose, in the columns ``PROSE_STRUCTURE_COLUMNS``. Per
    line: inside the first run of prose lines (gaps of up to ``PROSE_RUN_MAX_GAP`` other lines allowed, e.g.
    a caption or an ad; a comment header or reply button ends the run), after that run, segments since its
    end, no prose line after it, no prose line before it, inside a colon-introduced list between prose lines
    (``COLON_LIST_MAX_LINES``), inside a list a sentence opens (``LIST_OPENER_MIN_WORDS``).
    ``is_cue``, ``word_counts``, ``terminal`` (ends like a sentence), ``ends_colon``: per line, when the caller
    has them.

    Why: on real pages the article is the first long run of prose; reader comments come after chrome
    that breaks the run (a header, a byline, a date), and chrome clusters after the last prose line."""
    if is_cue is None:
        is_cue = cue_flags(texts, doc_ids)[0]
    if word_counts is None:
        word_counts = [len(text.split()) for text in texts]
    if terminal is None:
        terminal = ends_like_sentence(texts)
    if ends_colon is None:
        ends_colon = [text.endswith(":") for text in texts]
    bounds = document_bounds(doc_ids)
    loop = _prose_structure_loop if jit_enabled() else python_version(_prose_structure_loop)
    return loop(np.asarray(terminal, dtype=np.bool_), np.asarray(word_counts, dtype=np.int64),
                np.asarray(is_cue, dtype=np.bool_), np.asarray(ends_colon, dtype=np.bool_),
                np.array(bounds if texts else [0], dtype=np.int64), PROSE_MIN_WORDS, PROSE_MIN_WORDS_FLOOR,
                PROSE_RUN_MAX_GAP, COLON_LIST_MAX_LINES, LIST_OPENER_MIN_WORDS)


@compiled
def _prose_structure_loop(terminal, word_counts, is_cue, ends_colon, bounds, prose_min_words, prose_min_words_floor,
                          run_max_gap, colon_list_max_lines, list_opener_min_words):
    """``prose_structure`` over per-line arrays; document d is lines ``bounds[d]`` to ``bounds[d + 1]``."""
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


def segments_since_comment_header(is_header: np.ndarray, indexes: list[int], doc_ids: list[str]) -> np.ndarray:
    """Per line: segments since the last comment header of its page at or before it, -1 where none."""
    # Python lists: element access on numpy arrays costs several times more per line.
    out = []
    last_header: dict[str, int] = {}
    for header, idx, doc in zip(np.asarray(is_header).tolist(), indexes, doc_ids):
        if header:
            last_header[doc] = idx
        last = last_header.get(doc)
        out.append(-1 if last is None else idx - last)
    return np.array(out, dtype=np.int64)


def layout_features(frame: pd.DataFrame, index: Optional[BoilerplateIndex] = None,
                    site_recurrence_values: Optional[np.ndarray] = None) -> np.ndarray:
    """One row of ``LAYOUT_FEATURE_NAMES`` per segment, built column by column over the batch."""
    forms = line_forms(frame)
    texts, lowered, keys = forms.texts, forms.lowered, forms.keys
    if site_recurrence_values is not None:
        site_rec = site_recurrence_values
    elif "site_recurrence" in frame.columns:  # computed by the pipeline over a stream (SiteMemory)
        site_rec = frame["site_recurrence"].to_numpy(dtype=np.float32)
    else:
        site_rec = site_recurrence(frame, keys=keys)
    doc_ids = frame["doc_id"].tolist()
    indexes = frame["index"].to_numpy(dtype=np.int64)
    n_segments = frame["n_segments"].to_numpy(dtype=np.int64)
    counts = dict(zip(CHAR_CLASS_COLUMNS, char_class_counts(texts).T))
    chars, words = counts["chars"], counts["words"] + cjk_word_equivalents(texts)
    phrase_counts = dict(zip(LAYOUT_PHRASE_LISTS, count_phrase_lists(tuple(LAYOUT_PHRASE_LISTS.values()), lowered).T))
    caseless = caseless_lines(texts)
    is_header = COMMENT_HEADER.matches(texts, lowered, caseless)
    # Computed once: the prose runs end at comment cues too.
    is_cue, cue_before = frame_cue_flags(frame, texts, lowered=lowered, word_counts=words,
                                         cue_word_counts=phrase_counts["comment_cue_words"], is_header=is_header,
                                         caseless=caseless)
    since_header = segments_since_comment_header(is_header, indexes.tolist(), doc_ids)
    columns = {
        "position": frame["position"].to_numpy(dtype=np.float64),
        "index": np.minimum(indexes, 200) / 200,
        "segments_left": np.minimum(n_segments - 1 - indexes, 200) / 200,
        "log_n_segments": np.log1p(n_segments),
        "log_chars": np.log1p(chars),
        "log_words": np.log1p(words),
        **dict(zip(LINE_EDGE_COLUMNS, line_edge_flags(texts).T)),
        "upper_ratio": _ratios(counts["upper"], counts["letters"]),
        "digit_ratio": _ratios(counts["digits"], chars),
        "symbol_ratio": _ratios(counts["symbols"], chars),
        "space_ratio": _ratios(counts["spaces"], chars),
        "title_case_ratio": _ratios(counts["capitalised_words"], words),
        "has_url": URL_MARKERS.found(lowered).astype(np.float64),

        "first_person": _capped(phrase_counts["first_person"], 5),
        "second_person": _capped(phrase_counts["second_person"], 5),
        "call_to_action": _capped(phrase_counts["call_to_action"], 3),
        "legal_words": _capped(phrase_counts["legal_words"], 3),
        "chrome_words": _capped(phrase_counts["chrome_words"], 3),
        "is_comment_header": is_header,
        "after_comment_header": (since_header > 0).astype(np.float64),
        "segments_since_comment_header": np.where(since_header >= 0, np.minimum(since_header, 50) / 50, -1.0),

        "site_recurrence": site_rec,
        "corpus_recurrence": index.recurrence(keys) if index is not None else np.zeros(len(texts)),
        "source_line": SOURCE_LINE.matches(texts, lowered, caseless),
        "comment_cue": is_cue,
        "comment_cue_before": cue_before,
        "page_shape_repeats": page_shape_repeats(texts, doc_ids, lowered, phrase_counts["months"], folded=forms.folded),
        "bio_opening": np.array([bool(n >= BIO_MIN_WORDS and _BIO_OPENING_RE.match(text))
                                 for text, n in zip(texts, words.tolist())], dtype=np.float64),
    }
    structure = prose_structure(texts, doc_ids, is_cue, words, columns["terminal_punct"], columns["ends_colon"])
    columns.update(zip(PROSE_STRUCTURE_COLUMNS, structure.T))
    columns.update(zip(PAGE_STRUCTURE_COLUMNS, page_structure(
        words, columns["terminal_punct"].astype(bool), columns["title_case_ratio"], document_bounds(doc_ids)).T))
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in LAYOUT_FEATURE_NAMES]
                           ).astype(np.float32)


def with_neighbours(features: np.ndarray, frame: pd.DataFrame, window: int) -> np.ndarray:
    """Append the features of ``window`` segments on each side (zeros plus a flag past the edges).

    The result is column-major (Fortran order), as the trees read it: the columns are built as rows of
    its transpose, each neighbour's block a shifted slice of the features' transpose, so no big matrix is
    transposed after (that and stacking the blocks had cost a sixth of the trees' time)."""
    if window == 0:
        return features
    doc_codes = pd.factorize(frame["doc_id"].to_numpy())[0]  # compared as numbers, not as strings
    n, width = features.shape
    offsets = [o for o in range(-window, window + 1) if o != 0]
    # Every element is written below: each block's copied columns, then its edge columns and its flag row.
    by_column = np.empty((width + len(offsets) * (width + 1), n), dtype=features.dtype)
    by_column[:width] = features.T
    for k, offset in enumerate(offsets):
        block = by_column[width + k * (width + 1):width + (k + 1) * (width + 1)]
        src = np.arange(n) + offset
        valid = (src >= 0) & (src < n)
        valid[valid] &= doc_codes[src[valid]] == doc_codes[valid]
        if -n < offset < 0:  # row i takes row i + offset
            block[:width, -offset:] = by_column[:width, :n + offset]
        elif 0 < offset < n:
            block[:width, :n - offset] = by_column[:width, offset:]
        block[:width, np.flatnonzero(~valid)] = 0.0
        block[width] = ~valid
    return by_column.T

"""Segment features shared by the models: text for TF-IDF, layout features, cross-page recurrence.

Every function takes a pandas DataFrame of segment rows (``dataset.COLUMNS``), in document order.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import Counter, OrderedDict, defaultdict, deque
from typing import Optional

import numpy as np
import pandas as pd

from .code_points import ALPHA, DIGIT, SPACE, SYMBOL, UPPER, WHITESPACE, class_bytes
from .compiled import compiled, jit_enabled, python_version
from .phrase_lists import PhraseList, count_phrase_lists
from .segmentation import normalize_for_model

# The cue patterns below are matched against the lower-cased line: one lower() per line is about twice
# as fast as IGNORECASE in every pattern.
_URL_RE = re.compile(r"https?://|www\.|\.(com|org|net|co\.uk|io|in|ca)\b")
_LIST_RE = re.compile(r"^\s*(\d{1,3}[.)]|[-*•▪►»·]|\(\d+\))\s")
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
# Lines that open a comment section ("Comments (26)", "12 Responses", "Leave a Reply", ...).
COMMENT_HEADER_RE = re.compile(
    r"^(\d+\s+)?(comments?|responses?|replies|discussion|reader comments|join the (discussion|conversation))"
    r"(\s*\(\d+\))?:?$|^(leave|post|add) a (comment|reply)|^comments? (are|is) closed|^\d+ thoughts? on ", re.I)
_DIGITS_RE = re.compile(r"\d+")
# Month names, as the regex "jan(uary)?|...|sept?(ember)?|..." spelled them out ("sepember" included).
MONTHS = PhraseList((
    "january", "jan", "february", "feb", "march", "mar", "april", "apr", "may", "june", "jun", "july", "jul",
    "august", "aug", "september", "sept", "sepember", "sep", "october", "oct", "november", "nov", "december", "dec"))
_MONTH_RE = re.compile(MONTHS.regex.pattern + r"\.?")
# Counted together in one pass by the layout features.
LAYOUT_PHRASE_LISTS = {"first_person": FIRST_PERSON, "second_person": SECOND_PERSON, "call_to_action": CALL_TO_ACTION,
                       "legal_words": LEGAL, "chrome_words": CHROME, "months": MONTHS}
_TERMINAL_RE = re.compile("[.!?\"'\u201d\u2019)]$")
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
# Attribution lines: "Source: …", "Via …", "h/t …", a bare link.
_SOURCE_LINE_RE = re.compile(
    r"^(sources?|via|h/t|hat tip|originally (published|appeared)( at| on| in)?)\s*[:\-\u2013\u2014]"
    r"|^(via|h/t) \S+( \S+){0,3}$|^read (more|the rest) at\b|^\W*(https?://|www\.)\S+$", re.I)
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

LAYOUT_FEATURE_NAMES = (
    "position", "index", "segments_left", "log_n_segments", "log_chars", "log_words", "terminal_punct",
    "upper_ratio", "digit_ratio", "symbol_ratio", "space_ratio", "title_case_ratio", "has_url",
    "list_item", "first_person", "second_person", "call_to_action", "legal_words", "chrome_words",
    "is_comment_header", "after_comment_header", "segments_since_comment_header", "starts_lower",
    "ends_colon", "site_recurrence", "corpus_recurrence",
    "source_line", "comment_cue", "comment_cue_before", "in_first_prose_run", "after_first_prose_run",
    "segments_after_first_prose_run", "after_last_prose", "before_first_prose", "in_colon_list",
    "page_shape_repeats", "bio_opening", "in_sentence_list",
)


# Bumped when a feature keeps its name but changes meaning (2: the narrow comment cues), so that a model
# trained on the old meaning is refused instead of quietly mis-predicting.
LAYOUT_FEATURES_VERSION = 2


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


def model_text(frame: pd.DataFrame) -> list[str]:
    return [normalize_for_model(t) for t in frame["text"].tolist()]


@functools.lru_cache(maxsize=16384)  # a batch keys each line twice: site recurrence, then the stored index
def line_key(text: str) -> str:
    """Key for recurrence counting: case and white space folded, digits masked (dates, counts)."""
    folded = _DIGITS_RE.sub("0", normalize_for_model(text).lower())
    return hashlib.blake2b(folded.encode(), digest_size=8).hexdigest()


class BoilerplateIndex:
    """How many training documents each (folded) line occurs in; stored with the model so a single
    page at inference still knows which lines are site boilerplate seen before."""

    def __init__(self, doc_counts: Optional[dict[str, int]] = None, n_docs: int = 0) -> None:
        self.doc_counts = doc_counts or {}
        self.n_docs = n_docs

    @classmethod
    def fit(cls, frame: pd.DataFrame, min_docs: int = 3) -> "BoilerplateIndex":
        counts: Counter = Counter()
        for _, group in frame.groupby("doc_id", sort=False):
            counts.update({line_key(t) for t in group["text"]})
        return cls({k: v for k, v in counts.items() if v >= min_docs}, frame["doc_id"].nunique())

    def recurrence(self, texts: list[str]) -> np.ndarray:
        return np.array([math.log1p(self.doc_counts.get(line_key(t), 0)) for t in texts], dtype=np.float32)


class SiteMemory:
    """The line keys of the last pages seen per site, so that prediction over a stream of pages can
    measure line recurrence across batches. Bounded: ``pages_per_site`` pages for ``max_sites`` sites."""

    def __init__(self, pages_per_site: int = 20, max_sites: int = 20_000) -> None:
        self.pages_per_site, self.max_sites = pages_per_site, max_sites
        self.pages: "OrderedDict[str, deque[frozenset[str]]]" = OrderedDict()

    def recent(self, site: str) -> list[frozenset[str]]:
        return list(self.pages.get(site, ()))

    def remember(self, site: str, keys: frozenset[str]) -> None:
        if site not in self.pages:
            self.pages[site] = deque(maxlen=self.pages_per_site)
            if len(self.pages) > self.max_sites:
                self.pages.popitem(last=False)
        self.pages.move_to_end(site)
        self.pages[site].append(keys)


def site_recurrence(frame: pd.DataFrame, memory: Optional[SiteMemory] = None) -> np.ndarray:
    """Share of the other pages of the same site (in this frame, and in ``memory``) holding the line."""
    # Plain lists: iterating pandas string columns element by element is several times slower.
    keys = [line_key(t) for t in frame["text"].tolist()]
    sites, docs = frame["site"].tolist(), frame["doc_id"].tolist()
    docs_with: dict[tuple[str, str], set] = defaultdict(set)
    site_docs: dict[str, set] = defaultdict(set)
    doc_keys: dict[str, set] = defaultdict(set)
    for key, site, doc in zip(keys, sites, docs):
        docs_with[(site, key)].add(doc)
        site_docs[site].add(doc)
        doc_keys[doc].add(key)
    recent = {site: memory.recent(site) if memory else [] for site in site_docs}
    out = np.zeros(len(frame), dtype=np.float32)
    for i, (key, site, doc) in enumerate(zip(keys, sites, docs)):
        others = len(site_docs[site]) - 1 + len(recent[site])
        if others > 0:
            in_memory = sum(key in page for page in recent[site])
            out[i] = (len(docs_with[(site, key)]) - 1 + in_memory) / others
    if memory is not None:
        for doc, site in dict(zip(docs, sites)).items():
            memory.remember(site, frozenset(doc_keys[doc]))
    return out


def page_shape_repeats(texts: list[str], doc_ids: list[str], lowered_texts: Optional[list[str]] = None,
                       month_counts: Optional[np.ndarray] = None, digit_counts: Optional[np.ndarray] = None
                       ) -> np.ndarray:
    """Per line: how many lines of its page have its shape (digits and month names masked) but other
    text, capped at 10, over 10. Why: the entries of a listing repeat one shape with other dates ("Jun 2,
    2008 — J. Doe" before each teaser of an archive page); a poem's refrain repeats its very text.
    ``lowered_texts``, ``month_counts`` (``MONTHS`` in them), ``digit_counts`` (``str.isdigit`` characters):
    per line, when the caller has them."""
    if lowered_texts is None:
        lowered_texts = [text.lower() for text in texts]
    lowered = list(zip(doc_ids, lowered_texts))
    # Only lines naming a month need the month regex, which tries every position (masking digits leaves
    # the word boundaries as they were, so a month is found before masking iff after), and only lines with
    # digits the digit one (no lower-casing makes a digit, and \d's decimals are all str.isdigit).
    if month_counts is None:
        month_counts = MONTHS.count(lowered_texts)
    if digit_counts is None:
        digit_counts = np.array([sum(c.isdigit() for c in text) for text in texts])
    shapes = [(doc, _MONTH_RE.sub("m", _DIGITS_RE.sub("0", text)) if month else
               _DIGITS_RE.sub("0", text) if digit else text)
              for (doc, text), month, digit in zip(lowered, (month_counts > 0).tolist(), (digit_counts > 0).tolist())]
    shape_counts, text_counts = Counter(shapes), Counter(lowered)
    return np.array([min(shape_counts[shape] - text_counts[line], 10) / 10 for shape, line in zip(shapes, lowered)],
                    dtype=np.float32)


CHAR_CLASS_COLUMNS = ("upper", "letters", "digits", "symbols", "spaces", "words", "capitalised_words", "chars")


def char_class_counts(texts: list[str]) -> np.ndarray:
    """Per text, the counts named by ``CHAR_CLASS_COLUMNS``: upper-case letters, letters, digits, symbols,
    spaces, words (``len(text.split())``), words whose first character is upper case, and characters
    (``len(text)``). Same result as ``str.isupper()`` etc. per character, over the whole batch at once."""
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(codes) == 0:  # no text, or only empty texts: every count is 0
        return np.zeros((len(texts), len(CHAR_CLASS_COLUMNS)), dtype=np.int64)
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    classes = class_bytes(codes)
    if jit_enabled():
        return _char_class_count_loop(classes, starts, ends)
    per_class = [(classes >> bit) & 1 == 1 for bit in (UPPER, ALPHA, DIGIT, SYMBOL, SPACE)]
    # A word starts at a non-space character that opens its text or follows a space (str.split's words).
    space = (classes >> WHITESPACE) & 1 == 1
    after_space = np.empty_like(space)
    after_space[0], after_space[1:] = True, space[:-1]
    after_space[starts[starts < len(codes)]] = True
    word_start = after_space & ~space
    counted = np.vstack([*per_class, word_start, word_start & per_class[0]])
    # Running totals per class (a row each: contiguous, several times faster than down the columns).
    cumulative = np.zeros((counted.shape[0], len(codes) + 1), dtype=np.int64)
    np.cumsum(counted, axis=1, out=cumulative[:, 1:])
    return np.column_stack([(cumulative[:, ends] - cumulative[:, starts]).T, lengths])


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


def _capped(counts: np.ndarray, cap: int) -> np.ndarray:
    """``counts`` capped at ``cap``, over ``cap``."""
    return np.minimum(counts, cap).astype(np.float64) / cap


def _flags(find, texts: list[str]) -> np.ndarray:
    """Per text: whether ``find`` (a pattern's search or match) finds anything."""
    return np.array([find(text) is not None for text in texts], dtype=np.float64)


def _ratios(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """counts / totals, 0 where the total is 0."""
    return np.divide(counts, totals, out=np.zeros(len(counts)), where=totals > 0)


@functools.lru_cache(maxsize=16384)  # asked per line by the layout features and again by the decoders' gate
def is_comment_cue(text: str) -> bool:
    return bool(COMMENT_HEADER_RE.search(text)) or (
        len(text.split()) <= COMMENT_CUE_MAX_WORDS and bool(_COMMENT_CUE_RE.search(text)))


def cue_flags(texts: list[str], doc_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: is it a comment cue (``is_comment_cue``), and is an earlier line of its document one."""
    is_cue, before = np.zeros(len(texts), dtype=bool), np.zeros(len(texts), dtype=bool)
    seen: set[str] = set()
    for i, (text, doc) in enumerate(zip(texts, doc_ids)):
        before[i] = doc in seen
        is_cue[i] = is_comment_cue(text)
        if is_cue[i]:
            seen.add(doc)
    return is_cue, before


def comment_cue_before(frame: pd.DataFrame) -> np.ndarray:
    """Per segment row: whether an earlier segment of its document is a comment cue."""
    return cue_flags(model_text(frame), frame["doc_id"].tolist())[1]


# Columns of ``prose_structure``, named as in ``LAYOUT_FEATURE_NAMES``.
PROSE_STRUCTURE_COLUMNS = ("in_first_prose_run", "after_first_prose_run", "segments_after_first_prose_run",
                           "after_last_prose", "before_first_prose", "in_colon_list", "in_sentence_list")


def prose_structure(texts: list[str], doc_ids: list[str], is_cue: Optional[np.ndarray] = None,
                    word_counts: Optional[np.ndarray] = None, terminal: Optional[np.ndarray] = None) -> np.ndarray:
    """Where each line sits relative to the page's prose, in the columns ``PROSE_STRUCTURE_COLUMNS``. Per
    line: inside the first run of prose lines (gaps of up to ``PROSE_RUN_MAX_GAP`` other lines allowed, e.g.
    a caption or an ad; a comment header or reply button ends the run), after that run, segments since its
    end, no prose line after it, no prose line before it, inside a colon-introduced list between prose lines
    (``COLON_LIST_MAX_LINES``), inside a list a sentence opens (``LIST_OPENER_MIN_WORDS``).
    ``is_cue``, ``word_counts``, ``terminal`` (ends like a sentence): per line, when the caller has them.

    Why: on real pages the article is the first long run of prose; reader comments come after chrome
    that breaks the run (a header, a byline, a date), and chrome clusters after the last prose line."""
    if is_cue is None:
        is_cue = cue_flags(texts, doc_ids)[0]
    if word_counts is None:
        word_counts = [len(text.split()) for text in texts]
    if terminal is None:
        terminal = _flags(_TERMINAL_RE.search, texts)
    bounds = [0] + [i for i in range(1, len(doc_ids)) if doc_ids[i] != doc_ids[i - 1]] + [len(doc_ids)]
    loop = _prose_structure_loop if jit_enabled() else python_version(_prose_structure_loop)
    return loop(np.asarray(terminal, dtype=np.bool_), np.asarray(word_counts, dtype=np.int64),
                np.asarray(is_cue, dtype=np.bool_), np.array([text.endswith(":") for text in texts], dtype=np.bool_),
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
    out = np.full(len(indexes), -1, dtype=np.int64)
    last_header: dict[str, int] = {}
    for i, (header, idx, doc) in enumerate(zip(is_header, indexes, doc_ids)):
        if header:
            last_header[doc] = idx
        if doc in last_header:
            out[i] = idx - last_header[doc]
    return out


def layout_features(frame: pd.DataFrame, index: Optional[BoilerplateIndex] = None,
                    site_recurrence_values: Optional[np.ndarray] = None) -> np.ndarray:
    """One row of ``LAYOUT_FEATURE_NAMES`` per segment, built column by column over the batch."""
    texts = model_text(frame)
    if site_recurrence_values is not None:
        site_rec = site_recurrence_values
    elif "site_recurrence" in frame.columns:  # computed by the pipeline over a stream (SiteMemory)
        site_rec = frame["site_recurrence"].to_numpy(dtype=np.float32)
    else:
        site_rec = site_recurrence(frame)
    doc_ids = frame["doc_id"].tolist()
    indexes = frame["index"].to_numpy(dtype=np.int64)
    n_segments = frame["n_segments"].to_numpy(dtype=np.int64)
    counts = dict(zip(CHAR_CLASS_COLUMNS, char_class_counts(texts).T))
    chars, words = counts["chars"], counts["words"]
    lowered = [text.lower() for text in texts]
    phrase_counts = dict(zip(LAYOUT_PHRASE_LISTS, count_phrase_lists(tuple(LAYOUT_PHRASE_LISTS.values()), lowered).T))
    is_cue, cue_before = cue_flags(texts, doc_ids)  # computed once: the prose runs end at comment cues too
    is_header = _flags(COMMENT_HEADER_RE.search, texts)
    since_header = segments_since_comment_header(is_header, indexes.tolist(), doc_ids)
    columns = {
        "position": frame["position"].to_numpy(dtype=np.float64),
        "index": np.minimum(indexes, 200) / 200,
        "segments_left": np.minimum(n_segments - 1 - indexes, 200) / 200,
        "log_n_segments": np.log1p(n_segments),
        "log_chars": np.log1p(chars),
        "log_words": np.log1p(words),
        "terminal_punct": _flags(_TERMINAL_RE.search, texts),
        "upper_ratio": _ratios(counts["upper"], counts["letters"]),
        "digit_ratio": _ratios(counts["digits"], chars),
        "symbol_ratio": _ratios(counts["symbols"], chars),
        "space_ratio": _ratios(counts["spaces"], chars),
        "title_case_ratio": _ratios(counts["capitalised_words"], words),
        "has_url": _flags(_URL_RE.search, lowered),
        "list_item": _flags(_LIST_RE.match, texts),
        "first_person": _capped(phrase_counts["first_person"], 5),
        "second_person": _capped(phrase_counts["second_person"], 5),
        "call_to_action": _capped(phrase_counts["call_to_action"], 3),
        "legal_words": _capped(phrase_counts["legal_words"], 3),
        "chrome_words": _capped(phrase_counts["chrome_words"], 3),
        "is_comment_header": is_header,
        "after_comment_header": (since_header > 0).astype(np.float64),
        "segments_since_comment_header": np.where(since_header >= 0, np.minimum(since_header, 50) / 50, -1.0),
        "starts_lower": np.array([text[:1].islower() for text in texts], dtype=np.float64),
        "ends_colon": np.array([text.endswith(":") for text in texts], dtype=np.float64),
        "site_recurrence": site_rec,
        "corpus_recurrence": index.recurrence(texts) if index is not None else np.zeros(len(texts)),
        "source_line": _flags(_SOURCE_LINE_RE.search, texts),
        "comment_cue": is_cue,
        "comment_cue_before": cue_before,
        "page_shape_repeats": page_shape_repeats(texts, doc_ids, lowered, phrase_counts["months"], counts["digits"]),
        "bio_opening": np.array([bool(n >= BIO_MIN_WORDS and _BIO_OPENING_RE.match(text))
                                 for text, n in zip(texts, words)], dtype=np.float64),
    }
    structure = prose_structure(texts, doc_ids, is_cue, words, columns["terminal_punct"])
    columns.update(zip(PROSE_STRUCTURE_COLUMNS, structure.T))
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in LAYOUT_FEATURE_NAMES]
                           ).astype(np.float32)


def with_neighbours(features: np.ndarray, frame: pd.DataFrame, window: int) -> np.ndarray:
    """Append the features of ``window`` segments on each side (zeros plus a flag past the edges)."""
    if window == 0:
        return features
    doc_ids = frame["doc_id"].to_numpy()
    n, width = features.shape
    parts = [features]
    for offset in [o for o in range(-window, window + 1) if o != 0]:
        shifted = np.zeros((n, width + 1), dtype=np.float32)
        src = np.arange(n) + offset
        valid = (src >= 0) & (src < n)
        valid[valid] &= doc_ids[src[valid]] == doc_ids[valid]
        shifted[valid, :width] = features[src[valid]]
        shifted[~valid, width] = 1.0
        parts.append(shifted)
    return np.hstack(parts)

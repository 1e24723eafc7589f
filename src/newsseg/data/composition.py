"""Composed training pages: labelled articles (and their reader comments) wrapped in page furniture
drawn from pools of ads, disclaimers and chrome that we wrote (``data/raw/pools/``).

Real pages from unseen sites differ from our hand-written ones in the furniture around the article;
composing many varied pages around real article and comment text teaches the models what transfers.
Each composed page is labelled by construction and keeps the id (and so the split group) of its source.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Iterator, Optional

from newsseg.data.page_parts import AUTHORS, BLOCK_POOL_NAMES, MONTHS, PageBuilder, SiteIdentity, article_and_comments
from newsseg.data.page_templates import WholePageComposer
from newsseg.text.documents import Document

POOL_NAMES = ("ad", "disclaimer", "menu", "chrome", "related_headline", "author_bio", "comment_chrome")
# Optional line pools. teaser: the ledes that listings print under each entry (for the "more by this
# author" listing below an article; a listing page of its own takes its teasers from its source).
OPTIONAL_POOL_NAMES = ("teaser",)
_FIRST = ("Daily", "Morning", "Free", "True", "Valley", "Harbor", "Patriot", "Green", "Open", "Metro", "Coastal",
          "Northern", "Liberty", "Global", "Prairie", "Civic", "Evening", "Pacific", "Union", "Summit")
_SECOND = ("Ledger", "Courier", "Post", "Report", "Wire", "Herald", "Dispatch", "Observer", "Signal", "Times",
           "Gazette", "Beacon", "Chronicle", "Digest", "Bulletin", "Insider", "Voice", "Journal", "Tribune")
_SOURCE_LINES = ("Source: https://www.{domain}/{n}/{date}-report", "Source: http://{domain}/news/{n}.html",
                 "Source: {site}", "https://{domain}/{n}/article/", "Source link: https://www.{domain}/?p={n}",
                 "http://www.{domain}/story/{n}#more", "Via: {domain}", "Sources: {domain}, wire reports")
# Listing pages (an author's archive, a category or tag page): entries of one shape, a date line and a
# teaser (the lede of a story), with no article of their own. Every line is `other`.
_LISTING_HEADERS = ("Most Recent Articles by {author}:", "More from {author}", "{author}", "Archive",
                    "Latest from {site}", "Category: Politics", "Posts tagged: economy", "Showing posts by {author}",
                    "Search results", "Columns by {author}", "Older posts")
# Headers of the "more by this author" listing that many sites print below an article.
_RECENT_HEADERS = ("Most Recent Articles by {author}:", "More from {author}", "More by {author}", "Recent Posts",
                   "Latest from {site}", "More stories by {author}", "Also by {author}:", "From the archive",
                   "{author}'s latest", "Other articles by this author")
# Share of composed article pages with that listing.
RECENT_LISTING_SHARE = 0.1
# Share of composed article pages (of three paragraphs or more) with a list between two paragraphs. 0.4
# rather than 0.2: better on every label of leave-sites-out on fnc_dev (macro-F1 0.875 against 0.867).
ARTICLE_LIST_SHARE = 0.4
_LISTING_FOOTERS = ("Older posts", "« Previous 1 2 3 … 18 Next »", "Load more", "Page 1 of 12", "Next page →")


def load_pools(pools_dir: Path | str) -> dict[str, list]:
    """Line pools (a list of lines each) and block pools (a list of blocks, each a list of lines)."""
    pools_dir = Path(pools_dir)
    pools: dict[str, list] = {}
    for name in (*POOL_NAMES, *BLOCK_POOL_NAMES, *OPTIONAL_POOL_NAMES):
        path = pools_dir / f"{name}.txt"
        if not path.is_file():
            if name not in POOL_NAMES:  # optional
                pools[name] = []
                continue
            raise FileNotFoundError(f"{path}: pool file missing (needed to compose pages)")
        text = path.read_text(encoding="utf-8")
        if name in BLOCK_POOL_NAMES:
            pools[name] = [[l.strip() for l in block.splitlines() if l.strip()]
                           for block in re.split(r"\n\s*\n", text) if block.strip()]
        else:
            pools[name] = [l.strip() for l in text.splitlines() if l.strip()]
    return pools


def _random_site(rng: random.Random) -> SiteIdentity:
    first, second = rng.choice(_FIRST), rng.choice(_SECOND)
    domain = f"{first}{second}".lower() + rng.choice([".com", ".net", ".org", ".co.uk", ".info"])
    date = f"{rng.choice(['Jan', 'March', 'May', 'July', 'Sept.', 'November'])} {rng.randint(1, 28)}, {rng.randint(2012, 2025)}"
    return SiteIdentity(f"{rng.choice(['The ', ''])}{first} {second}", domain, rng.choice(AUTHORS), date)


def compose_page(source: Document, pools: dict[str, list[str]], rng: random.Random, variant: int = 0,
                 max_comment_lines: int = 30, page_shape_share: float = 0.5,
                 recent_rng: Optional[random.Random] = None, list_rng: Optional[random.Random] = None) -> Document:
    """Wrap the news_body and opinion_comment lines of ``source`` in sampled furniture. ``recent_rng``
    draws whether (and how) the page gets a "more by this author" listing, ``list_rng`` whether (and
    where) a list goes inside the article; each has its own generator, so that pages without them come
    out as they did before they existed."""
    assert source.spans is not None, "composition needs a labelled source"
    article, comment_section = article_and_comments(source, rng, max_comment_lines)
    whole_page = rng.random() < page_shape_share
    site = _random_site(rng)
    page = PageBuilder(rng, site, paragraph_gap=0.1 if whole_page else 0.8)

    if whole_page:
        page.add_pool(pools, "menu", "other", rng.randint(4, 16), gap=0.05)
        if rng.random() < 0.4:
            page.add_pool(pools, "disclaimer", "disclaimer", 1)  # e.g. a cookie banner
        if rng.random() < 0.3:
            page.add_pool(pools, "ad", "ad", 1)
    ad_slots = {rng.randrange(1, max(2, len(article))) for _ in range(rng.choice([0, 0, 1, 1, 2]))}
    list_after = None  # the list goes after this paragraph, so that prose comes before and after it
    if (list_rng is not None and pools.get("article_list") and len(article) >= 3
            and list_rng.random() < ARTICLE_LIST_SHARE):
        list_after = list_rng.randrange(0, len(article) - 1)
    for i, line in enumerate(article):
        if i in ad_slots:
            page.add(rng.choice(pools["ad"]), "ad")
        page.add(line, "news_body")
        if i == list_after:  # the opener, then items with hardly a blank line between
            page.add_block(pools, "article_list", rng=list_rng, gaps=(0.1, 0.05))
        if i == 1 and rng.random() < 0.2:
            page.add(rng.choice(pools["chrome"]), "other")  # an image credit or share prompt mid-page

    if article and rng.random() < 0.1:  # a feed's repost line: the article's own, says LABELS.md
        repost = rng.choice(["The post", "This post"])
        page.add(f"{repost} {article[0].strip()} appeared first on {{site}}.", "news_body")
    if rng.random() < 0.15:  # aggregators end a reposted article with where it came from
        page.add(rng.choice(_SOURCE_LINES), "other")
    tail_blocks = []
    if rng.random() < 0.6:
        tail_blocks.append(lambda: page.add_pool(pools, "chrome", "other", rng.randint(1, 4)))
    if rng.random() < 0.35:
        tail_blocks.append(lambda: page.add_pool(pools, "author_bio", "other", rng.randint(1, 2)))
    if rng.random() < 0.5:
        tail_blocks.append(lambda: page.add_pool(pools, "disclaimer", "disclaimer", rng.randint(1, 3)))
    if rng.random() < 0.5:
        tail_blocks.append(lambda: page.add_pool(pools, "ad", "ad", rng.randint(1, 3)))
    if rng.random() < 0.25 and pools.get("ad_blocks"):
        tail_blocks.append(lambda: page.add_block(pools, "ad_blocks"))
    if rng.random() < 0.3 and pools.get("other_blocks"):
        tail_blocks.append(lambda: page.add_block(pools, "other_blocks"))
    if rng.random() < 0.4:
        def related() -> None:
            page.add(rng.choice(["Related:", "Related Articles", "You may also like", "MOST READ", "Trending Now",
                                 "More from {site}", "Recommended"]), "other")
            page.add_pool(pools, "related_headline", "other", rng.randint(2, 6), gap=0.1)
        tail_blocks.append(related)
    rng.shuffle(tail_blocks)
    if recent_rng is not None and pools.get("teaser") and recent_rng.random() < RECENT_LISTING_SHARE:
        def recent() -> None:
            page.add(recent_rng.choice(_RECENT_HEADERS), "other")
            teasers = recent_rng.sample(pools["teaser"], min(10, len(pools["teaser"])))
            _add_listing_entries(page, pools, recent_rng, teasers, 3, 10)
        tail_blocks.insert(recent_rng.randint(0, len(tail_blocks)), recent)
    for block in tail_blocks:
        block()

    # A thread is nearly always announced (a header, a count, the comment form): 97%, not less, or
    # late first-person paragraphs of articles are learnt as comments.
    if comment_section and rng.random() < 0.97:
        page.add(rng.choice(pools["comment_chrome"]), "other")
        for text, label in comment_section:
            page.add(text, label, gap=0.5)
            if rng.random() < 0.08:
                page.add(rng.choice(pools["comment_chrome"]), "other")
        if rng.random() < 0.4:
            page.add(rng.choice(pools["comment_chrome"]), "other")

    if whole_page:
        page.add_pool(pools, "chrome", "other", rng.randint(2, 8), gap=0.05)
        if rng.random() < 0.7:
            page.add_pool(pools, "disclaimer", "disclaimer", 1)
    meta = dict(source.meta, composed=True, shape="page" if whole_page else "extraction", variant=variant)
    return page.document(f"{source.id}~{variant}", meta)


def _add_listing_entries(page: PageBuilder, pools: dict[str, list], rng: random.Random, teasers: list[str],
                         min_entries: int, max_entries: int) -> None:
    """Listing entries, all ``other``, in one shape per page as a template renders them: (headline?,
    date line?, teaser), for the first ``min_entries``..``max_entries`` of ``teasers``."""
    date_style = rng.choice(["{mon} {day}, {year} — {author}", "{mon} {day}, {year}",
                             "By {author} | {mon} {day}, {year}", "Posted on {day} {mon} {year} by {author}",
                             "{year}-{mm}-{day}"])
    with_headline, with_date = rng.random() < 0.5, rng.random() < 0.85
    more = rng.choice(["", "", " … Read More", " [...]", "…"])
    year = rng.randint(2008, 2024)
    for teaser in teasers[:rng.randint(min_entries, max_entries)]:
        if with_headline:
            page.add(rng.choice(pools["related_headline"]), "other", gap=0.1)
        if with_date:
            month = rng.randrange(12)
            page.add(date_style.format(mon=MONTHS[month], mm=f"{month + 1:02d}", day=rng.randint(1, 28),
                                       year=year, author="{author}"), "other", gap=0.1)
        page.add(teaser + more, "other")


def compose_listing(source: Document, pools: dict[str, list], rng: random.Random,
                    variant: int = 0) -> Optional[Document]:
    """A listing page whose teasers are the ledes of ``source``'s paragraphs; None if it has too few."""
    assert source.spans is not None, "composition needs a labelled source"
    ledes = [re.split(r"(?<=[.!?])\s", source.text[s:e].strip())[0] for s, e, label in source.spans
             if label == "news_body"]
    ledes = [lede for lede in ledes if len(lede.split()) >= 8 and lede[:1].isalnum()]
    if len(ledes) < 4:
        return None
    site = _random_site(rng)
    page = PageBuilder(rng, site, paragraph_gap=0.3)
    whole_page = rng.random() < 0.5
    if whole_page:
        page.add_pool(pools, "menu", "other", rng.randint(4, 12), gap=0.05)
    page.add(rng.choice(_LISTING_HEADERS), "other")
    if rng.random() < 0.4:
        page.add_pool(pools, "author_bio", "other", 1)
    _add_listing_entries(page, pools, rng, ledes, 6, 16)
    if rng.random() < 0.7:
        page.add(rng.choice(_LISTING_FOOTERS), "other")
    if whole_page:
        page.add_pool(pools, "chrome", "other", rng.randint(2, 6), gap=0.05)
    meta = dict(source.meta, composed=True, shape="listing", variant=variant)
    return page.document(f"{source.id}~{variant}", meta)


def compose_pages(sources: Iterator[Document], pools_dir: Path | str, variants: int = 1, seed: int = 13,
                  max_comment_lines: int = 30, listing_share: float = 0.05,
                  whole_page_share: float = 0.0) -> Iterator[Document]:
    """``variants`` composed pages per source; ``listing_share`` of them are listing pages, and the pages
    of ``whole_page_share`` of the sources are whole pages of fictional sites (newsseg.data.page_templates),
    yielded a site at a time."""
    pools = load_pools(pools_dir)
    whole_pages = None
    if whole_page_share > 0:

        whole_pages = WholePageComposer(pools, seed, variants, max_comment_lines)
    for doc in sources:
        if whole_pages is not None:
            whole_pages.remember(doc)  # its headline, for other pages' story lists
            # Its own generator, so that the other pages come out as they do without whole pages.
            if random.Random(f"{seed}:{doc.id}:whole_page").random() < whole_page_share:
                yield from whole_pages.add(doc)
                continue
        for variant in range(variants):
            # One generator per (doc, variant): the same page comes out whatever else is read. The listing
            # draw has its own, so that changing its share leaves the other pages as they were.
            rng = random.Random(f"{seed}:{doc.id}:{variant}")
            if random.Random(f"{seed}:{doc.id}:{variant}:listing").random() < listing_share:
                listing = compose_listing(doc, pools, rng, variant)
                if listing is not None:
                    yield listing
                    continue
            yield compose_page(doc, pools, rng, variant, max_comment_lines,
                               recent_rng=random.Random(f"{seed}:{doc.id}:{variant}:recent"),
                               list_rng=random.Random(f"{seed}:{doc.id}:{variant}:list"))
    if whole_pages is not None:
        yield from whole_pages.flush()

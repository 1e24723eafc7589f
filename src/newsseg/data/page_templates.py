"""Whole composed pages: real articles (and their comments) inside the template of a fictional site, laid
out as a whole web page flattened to text (Common Crawl WET style).

Flattened real pages carry far more chrome than composition.py's pages: 60-150 lines of menus, "most
read" and "related" lists of other stories, sidebars and multi-column footers around 10-40 article lines.
Each fictional site here has one seeded template (masthead, navigation, sidebar, footer, notices) that is
rendered identically on every page of the site, so that line recurrence across a site's pages behaves as
on a real crawl; only the article, its comments, the breadcrumb and the story lists change per page. The
story lists are made of other articles of the stream (their headlines and first sentences). All text
here is ours. Labels follow ../shared/data/LABELS.md: chrome and story lists `other`, copyright and
cookie notices `disclaimer`, promotions and "Advertisement" markers `ad` (LABELS.md lists "Advertisements"
under ad, as the ad pool does). A share of the sites (``WRAPPED_SITE_SHARE``) show their articles and comments
as plain text wrapped at a fixed width.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections import deque
from dataclasses import dataclass, field
from typing import Iterator, Optional

from newsseg.data.page_parts import AUTHORS, MONTHS, PageBuilder, SiteIdentity, article_and_comments
from newsseg.data.site_furniture import (
    AD_MARKERS,
    APP_PROMOS,
    COOKIE_BUTTONS,
    COOKIE_TEXT,
    COPYRIGHT,
    FOOTER_COLUMNS,
    FOOTER_HEADERS,
    MOST_READ_HEADERS,
    NEWSLETTER_BUTTONS,
    NEWSLETTER_PROMOS,
    OWNERS,
    PAPERS,
    PLACES,
    RELATED_HEADERS,
    REPRODUCTION,
    SECTIONS,
    SEPARATORS,
    SHARE_LINES,
    SIDEBAR_WIDGETS,
    SOCIAL,
    SUBSCRIBE_PROMOS,
    TAG_HEADERS,
    TLDS,
    TOP_BAR,
    TOPICS,
    TRENDING_HEADERS,
)
from newsseg.text.documents import Document

Line = tuple[str, str]  # (text, label)

# Some sites' pages flatten as plain text wrapped at a fixed width (RFCs, mailing-list archives, preformatted
# pages): every paragraph of the article and of the comments broken over lines of at most this many characters.
WRAPPED_SITE_SHARE = 0.15
WRAP_WIDTHS = (60, 80)


@dataclass
class SiteTemplate:
    """What every page of one fictional site shares: its name, domain, owner and the chrome blocks
    rendered identically on each page, plus the layout choices that shape the per-page parts."""

    name: str
    domain: str
    owner: str
    sections: list[str]
    header: list[Line]  # top bar, cookie notice, masthead, navigation
    sidebar: list[Line]
    footer: list[Line]
    after_article: list[Line]  # newsletter / subscribe promo under the article
    share_bar: list[Line]
    layout: dict = field(default_factory=dict)


def _fmt(text: str, **values: str) -> str:
    return text.format(**values) if "{" in text else text


def _nav_lines(rng: random.Random, sections: list[str], style: str, with_subsections: bool,
               size_cap: int) -> list[str]:
    """A navigation menu: sections (and their sub-sections) in one of the shapes flatteners leave."""
    items: list[tuple[str, int]] = [("Home", 0)] if rng.random() < 0.7 else []
    for section in sections:
        items.append((section, 0))
        subs = list(SECTIONS[section])
        if with_subsections and subs:
            items += [(s, 1) for s in rng.sample(subs, rng.randint(max(1, len(subs) // 2), len(subs)))]
    items = items[:size_cap]
    if style == "pipes":  # several items on one line, as inline menus flatten
        per_line, sep = rng.randint(4, 9), rng.choice(SEPARATORS)
        names = [name for name, _ in items]
        return [sep.join(names[i:i + per_line]) for i in range(0, len(names), per_line)]
    bullet = {"bullets": "• ", "stars": "* ", "plain": "", "numbered": ""}[style]
    lines, number = [], 0
    for name, depth in items:
        if style == "numbered" and depth == 0:
            number += 1
            lines.append(f"{number}. {name}")
        else:
            lines.append(f"{'• ' if style == 'numbered' else bullet}{name}")
    return lines


def _footer(rng: random.Random, values: dict, sections: list[str]) -> list[Line]:
    lines: list[Line] = []
    columns = rng.sample(list(FOOTER_COLUMNS), rng.randint(2, 5))
    if rng.random() < 0.5:  # a column of the site's sections
        lines.append((rng.choice(["Sections", "News", "Browse"]), "other"))
        lines += [(s, "other") for s in sections[:rng.randint(5, len(sections))]]
    for column in columns:
        if rng.random() < 0.8:
            lines.append((rng.choice(FOOTER_HEADERS[column]), "other"))
        links = FOOTER_COLUMNS[column]
        lines += [(link, "other") for link in rng.sample(links, rng.randint(3, len(links)))]
    if rng.random() < 0.7:
        social = rng.sample(SOCIAL, rng.randint(3, 7))
        lines.append((rng.choice(["Follow us", "Connect with us", "Find us on", "Follow {site}"]), "other"))
        if rng.random() < 0.4:
            lines.append((rng.choice(SEPARATORS).join(social), "other"))
        else:
            lines += [(s, "other") for s in social]
    if rng.random() < 0.4:
        lines.append((rng.choice(APP_PROMOS), "ad"))
    if rng.random() < 0.3:
        lines.append((rng.choice(["Back to top", "Top", "↑ Back to top"]), "other"))
    lines.append((rng.choice(COPYRIGHT), "disclaimer"))
    if rng.random() < 0.5:
        lines.append((rng.choice(REPRODUCTION), "disclaimer"))
    if rng.random() < 0.3:  # a bottom row of legal links after the notice
        lines.append((rng.choice(SEPARATORS).join(rng.sample(FOOTER_COLUMNS["Legal"], 3)), "other"))
    return [(_fmt(text, **values), label) for text, label in lines]


def random_template(rng: random.Random, taken_domains: Optional[set] = None) -> SiteTemplate:
    """A seeded site template; ``taken_domains`` (updated) keeps domains, and so split groups, distinct."""
    taken = taken_domains if taken_domains is not None else set()
    for attempt in range(1000):
        place, paper = rng.choice(PLACES), rng.choice(PAPERS)
        name = f"{rng.choice(['The ', '', ''])}{place} {paper}"
        domain = re.sub(r"[^a-z]", "", f"{place}{paper}".lower()) + (str(attempt) if attempt > 50 else "")
        domain += rng.choice(TLDS)
        if domain not in taken:
            break
    taken.add(domain)
    year = rng.randint(2014, 2025)
    owner = rng.choice(OWNERS).format(place=place, name=paper)
    values = dict(site=name, owner=owner, year=str(year), first=str(rng.randint(1995, year - 1)))
    section_names = [s for s in SECTIONS if s not in ("News",)]
    sections = ["News", *rng.sample(section_names, rng.randint(4, min(14, len(section_names))))]
    # Scale: a small site or blog (a short menu, no sidebar or story lists, a one-line footer), a usual
    # news site, or a sprawling portal (mega-menus, a sitemap footer, many section rails).
    scale = rng.choices(["minimal", "usual", "sprawling"], weights=[0.2, 0.6, 0.2])[0]
    minimal, sprawling = scale == "minimal", scale == "sprawling"

    header: list[Line] = []
    cookie_at_top = rng.random() < 0.5
    cookie: list[Line] = []
    if rng.random() < 0.5:
        cookie = [(_fmt(t, **values), "disclaimer") for t in rng.sample(COOKIE_TEXT, rng.randint(1, 2))]
        cookie += [(b, "other") for b in rng.sample(COOKIE_BUTTONS, rng.randint(1, 3))]
    if cookie and cookie_at_top:
        header += cookie
    header += [(t, "other") for t in rng.sample(TOP_BAR, rng.randint(2, 8))]
    if rng.random() < 0.3:
        header.append((rng.choice(AD_MARKERS), "ad"))  # the leaderboard slot above the masthead
    header.append((name, "other"))
    if rng.random() < 0.3:
        header.append((rng.choice(["Your local news since 1887", "News that matters to {site} readers",
                                   "Independent. Local. Trusted.", "Serving the valley every day"]), "other"))
    style = rng.choice(["plain", "plain", "bullets", "bullets", "stars", "numbered", "pipes"])
    # Log-uniform from 8 to 150 items: most menus are short, a few sites have mega-menus.
    nav_size = 8 if minimal else 150 if sprawling else int(8 * (150 / 8) ** rng.random())
    nav = _nav_lines(rng, sections, style, with_subsections=rng.random() < 0.6, size_cap=nav_size)
    header += [(t, "other") for t in nav]
    mobile_nav: list[Line] = []
    if sprawling or (not minimal and rng.random() < 0.25):  # the mobile menu, flattened as a second copy of the navigation
        mobile_nav = [(t, "other") for t in _nav_lines(rng, sections, rng.choice(["plain", "bullets"]), False, 40)]
        if rng.random() < 0.5:
            header += mobile_nav
            mobile_nav = []
    if rng.random() < 0.3:
        header.append((rng.choice(SUBSCRIBE_PROMOS), "ad"))

    sidebar: list[Line] = []
    if not minimal and rng.random() < 0.6:
        sidebar.append((rng.choice(["Popular topics", "Topics", "In focus", "Explore topics"]), "other"))
        sidebar += [(t, "other") for t in rng.sample(TOPICS, rng.randint(5, 14))]
    if rng.random() < 0.5:
        sidebar.append((rng.choice(AD_MARKERS), "ad"))
    if rng.random() < 0.4:
        sidebar.append((rng.choice(SIDEBAR_WIDGETS), "other"))
    if rng.random() < 0.4:
        sidebar.append((rng.choice(["Follow us", "Stay connected", "Social"]), "other"))
        sidebar += [(s, "other") for s in rng.sample(SOCIAL, rng.randint(2, 5))]
    if rng.random() < 0.4:
        sidebar.append((rng.choice(NEWSLETTER_PROMOS), "ad"))
        sidebar.append((rng.choice(NEWSLETTER_BUTTONS), "ad"))

    after_article: list[Line] = []
    if rng.random() < 0.5:
        after_article.append((rng.choice(NEWSLETTER_PROMOS + SUBSCRIBE_PROMOS), "ad"))
        if rng.random() < 0.5:
            after_article.append((rng.choice(NEWSLETTER_BUTTONS), "ad"))
    share_bar = [(t, "other") for t in rng.sample(SHARE_LINES, rng.randint(0, 6))]

    footer = mobile_nav
    if sprawling or (not minimal and rng.random() < 0.2):  # a sitemap footer: every section with its sub-sections
        footer += [(t, "other") for t in _nav_lines(rng, sections, rng.choice(["plain", "bullets"]), True, 150)]
    footer += [(rng.choice(COPYRIGHT).format(**values), "disclaimer")] if minimal else _footer(rng, values, sections)
    if cookie and not cookie_at_top:
        footer += cookie
    layout = dict(
        sidebar_first=rng.random() < 0.3,  # a left rail flattens before the article
        most_read_first=rng.random() < 0.2,
        trending_bar=not minimal and rng.random() < 0.4,
        breadcrumb=rng.random() < 0.7,
        breadcrumb_sep=rng.choice([" › ", " > ", " / ", " » "]),
        read_time=rng.random() < 0.3,
        ads_in_article=rng.choice([0, 0, 1, 2, 3]),
        inline_links=rng.random() < 0.3,
        tags=rng.random() < 0.5,
        comments=rng.random() < 0.8,
        related=rng.random() < 0.8,
        related_teasers=rng.random() < 0.6,
        latest=sprawling or (not minimal and rng.random() < 0.5),  # a "latest news" block of headlines and ledes
        latest_header=rng.choice(["Latest news", "Latest", "Just in", "More news", "Top stories", "Editor's picks"]),
        dated_entries=rng.random() < 0.3,
        # Section rails above the footer ("More in Sport": a few headlines each); a few sites stack many.
        rails=rng.sample(sections, 0 if minimal else min(len(sections), rng.randint(6, 12) if sprawling
                                                             else rng.choice([0, 0, 0, 0, 1, 2, 2, 3, 4]))),
        rail_teasers=rng.random() < 0.3,
        most_read=not minimal and rng.random() < 0.7,
        numbered_most_read=rng.random() < 0.5,
        related_header=rng.choice(RELATED_HEADERS),
        most_read_header=rng.choice(MOST_READ_HEADERS),
        trending_header=rng.choice(TRENDING_HEADERS),
        tag_header=rng.choice(TAG_HEADERS),
        gap=rng.choice([0.05, 0.1, 0.2]),
        scale=scale,
    )
    # Drawn apart from the page's other choices, so that the sites not wrapped keep their pages as they were.
    wrap_rng = random.Random(f"wrap:{domain}")
    layout["wrap_width"] = wrap_rng.randint(*WRAP_WIDTHS) if wrap_rng.random() < WRAPPED_SITE_SHARE else 0
    fill = lambda lines: [(_fmt(t, **values), label) for t, label in lines]  # noqa: E731
    return SiteTemplate(name, domain, owner, sections, fill(header), fill(sidebar), footer, fill(after_article),
                        share_bar, layout)


# ---------------------------------------------------------------- other articles as story lists
@dataclass(frozen=True)
class Story:
    """Another article of the stream as story lists show it: its headline and first sentence."""

    source_id: str
    headline: str
    teaser: str


def story_of(doc: Document) -> Optional[Story]:
    """The headline (first body line of 3-25 words that is not a byline) and teaser of a labelled page."""
    body = [doc.text[s:e].strip() for s, e, label in (doc.spans or []) if label == "news_body"]
    headline = next((l for l in body if 3 <= len(l.split()) <= 25 and not l.lower().startswith(("by ", "posted"))),
                    None)
    if headline is None:
        return None
    paragraph = next((l for l in body if len(l.split()) >= 20), "")
    teaser = re.split(r"(?<=[.!?])\s", paragraph)[0] if paragraph else ""
    return Story(doc.id, headline, teaser if len(teaser.split()) >= 8 else "")


def _story_lines(rng: random.Random, stories: list[Story], header: str, numbered: bool, teasers: bool,
                 k: int, dated: bool = False) -> list[Line]:
    """A story list, all ``other``: a header, then per story its headline (numbered or not), and its
    first sentence and a date line when the list shows them."""
    picked = rng.sample(stories, min(k, len(stories)))
    if not picked:
        return []
    lines: list[Line] = [(header, "other")]
    for i, story in enumerate(picked, 1):
        lines.append((f"{i}. {story.headline}" if numbered else story.headline, "other"))
        if dated:
            lines.append((rng.choice([f"{rng.randint(1, 23)} hours ago", f"{rng.randint(2, 59)} minutes ago",
                                      f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"]), "other"))
        if teasers and story.teaser:
            lines.append((story.teaser, "other"))
    return lines


# ---------------------------------------------------------------- one page
def render_page(template: SiteTemplate, source: Document, stories: list[Story], rng: random.Random,
                variant: int = 0, max_comment_lines: int = 30, comment_chrome: tuple = ()) -> Document:
    """``source``'s article (and, if the site shows them, its comments) in ``template``; ``stories``:
    other articles for the story lists (the source's own is left out)."""
    assert source.spans is not None, "composition needs a labelled source"
    article, comments = article_and_comments(source, rng, max_comment_lines)
    stories = [s for s in stories if s.source_id != source.id]
    layout = template.layout
    # The page's own author and date, for the {author} / {date} of comment-chrome pool lines.
    date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2012, 2025)}"
    site = SiteIdentity(template.name, template.domain, rng.choice(AUTHORS), date)
    page = PageBuilder(rng, site, paragraph_gap=layout["gap"])
    section = rng.choice(template.sections)

    def add(lines: list[Line], gap: Optional[float] = None) -> None:
        for text, label in lines:
            page.add(text, label, gap)

    def add_paragraph(text: str, label: str, gap: float) -> None:
        """A paragraph of the article or a comment: one line, or on a plain-text site lines of at most
        ``wrap_width`` characters with no blank line between them."""
        width = layout["wrap_width"]
        wrapped = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) if width else []
        lines = wrapped or [text]
        for k, line in enumerate(lines):
            page.add(line, label, gap if k == len(lines) - 1 else 0.0)

    def most_read() -> None:
        if layout["most_read"]:
            add(_story_lines(rng, stories, layout["most_read_header"], layout["numbered_most_read"], False,
                             rng.randint(5, 10)))

    add(template.header)
    if layout["trending_bar"]:
        add(_story_lines(rng, stories, layout["trending_header"], False, False, rng.randint(2, 5)))
    if layout["sidebar_first"]:
        add(template.sidebar)
    if layout["most_read_first"]:
        most_read()
    if layout["breadcrumb"]:
        subs = SECTIONS[section]
        crumbs = ["Home", section, *([rng.choice(subs)] if subs and rng.random() < 0.5 else [])]
        page.add(layout["breadcrumb_sep"].join(crumbs), "other")
    else:
        page.add(section, "other")
    ad_slots = {rng.randrange(2, max(3, len(article))) for _ in range(layout["ads_in_article"])}
    link_slot = rng.randrange(2, max(3, len(article))) if layout["inline_links"] and stories else None
    for i, line in enumerate(article):
        if i in ad_slots:
            page.add(rng.choice(AD_MARKERS), "ad")
        if i == link_slot:
            page.add(f"{rng.choice(['Read more:', 'Related:', 'See also:', 'READ MORE:'])} "
                     f"{rng.choice(stories).headline}", "other")
        add_paragraph(line, "news_body", gap=0.6)
        if i == min(1, len(article) - 1):  # the share bar and read time under the headline and byline
            if layout["read_time"]:
                page.add(f"{rng.randint(2, 12)} min read", "other")
            add(template.share_bar)
    if layout["tags"]:
        page.add(layout["tag_header"], "other")
        add([(t, "other") for t in rng.sample(TOPICS, rng.randint(2, 6))])
    add(template.after_article)
    if layout["comments"] and comments:
        if comment_chrome and rng.random() < 0.97:  # a thread is nearly always announced
            page.add(rng.choice(comment_chrome), "other")
        for text, label in comments:
            add_paragraph(text, label, gap=0.5)
    if layout["related"]:
        header = _fmt(layout["related_header"], site=template.name, section=section)
        add(_story_lines(rng, stories, header, False, layout["related_teasers"], rng.randint(3, 8),
                         layout["dated_entries"]))
    if layout["latest"]:
        add(_story_lines(rng, stories, layout["latest_header"], False, True, rng.randint(4, 10),
                         layout["dated_entries"]))
    if not layout["sidebar_first"]:
        add(template.sidebar)
    if not layout["most_read_first"]:
        most_read()
    for rail in layout["rails"]:
        add(_story_lines(rng, stories, rail, False, layout["rail_teasers"], rng.randint(3, 6)))
    add(template.footer)
    meta = dict(source.meta, composed=True, shape="whole_page", variant=variant, domain=template.domain,
                site_name=template.name)
    return page.document(f"{source.id}~{variant}", meta)


# ---------------------------------------------------------------- sites over a stream
class WholePageComposer:
    """Groups the sources it is given into fictional sites of ``pages_per_site`` sources (all variants
    of a source on one site, so that the site-grouped split never separates them) and renders each site's
    pages in its template. Story lists come from the last ``remembered_stories`` sources of the stream
    seen through ``remember``; full sites wait until ``min_stories`` are known, so that the first sites
    of a stream do not list the same few stories. Deterministic for a seed and a stream."""

    def __init__(self, pools: dict, seed: int = 13, variants: int = 1, max_comment_lines: int = 30,
                 pages_per_site: tuple[int, int] = (3, 8), remembered_stories: int = 400,
                 min_stories: int = 40) -> None:
        self.pools, self.seed, self.variants, self.max_comment_lines = pools, seed, variants, max_comment_lines
        self.pages_per_site, self.min_stories = pages_per_site, min_stories
        self.stories: deque[Story] = deque(maxlen=remembered_stories)
        self.full_sites: list[list[Document]] = []  # sites waiting to be rendered
        self.pending: list[Document] = []  # the site being filled
        self.site_count = 0
        self.domains: set[str] = set()
        self.templates: dict[str, SiteTemplate] = {}  # per domain, for inspection

    def _site_size(self) -> int:
        site_index = self.site_count + len(self.full_sites)
        return random.Random(f"{self.seed}:site-size:{site_index}").randint(*self.pages_per_site)

    def remember(self, doc: Document) -> None:
        story = story_of(doc)
        if story is not None:
            self.stories.append(story)

    def add(self, doc: Document) -> Iterator[Document]:
        """Queue ``doc`` on the site being filled; yields the pages of full sites once enough stories
        are known."""
        self.pending.append(doc)
        if len(self.pending) >= self._site_size():
            self.full_sites.append(self.pending)
            self.pending = []
        if len(self.stories) >= self.min_stories:
            yield from self._render_full_sites()

    def flush(self) -> Iterator[Document]:
        """The pages of every site still waiting, the one being filled included however few its sources."""
        if self.pending:
            self.full_sites.append(self.pending)
            self.pending = []
        yield from self._render_full_sites()

    def _render_full_sites(self) -> Iterator[Document]:
        stories = list(self.stories)
        comment_chrome = tuple(self.pools.get("comment_chrome", ()))
        for docs in self.full_sites:
            template = random_template(random.Random(f"{self.seed}:site:{self.site_count}"), self.domains)
            self.templates[template.domain] = template
            for doc in docs:
                for variant in range(self.variants):
                    rng = random.Random(f"{self.seed}:{doc.id}:{variant}:whole_page")
                    yield render_page(template, doc, stories, rng, variant, self.max_comment_lines, comment_chrome)
            self.site_count += 1
        self.full_sites = []

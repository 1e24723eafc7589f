import random
from collections import defaultdict

import pytest

from newsseg.data.composition import compose_pages
from newsseg.config import ComposeConfig
from newsseg.io.reader_base import article_comments_page
from newsseg.labels import LABELS
from newsseg.data.page_templates import WholePageComposer, random_template, render_page, story_of

POOLS_DIR = "data/raw/pools"


def source(i: int, comments: str = "I disagree with the council.\nReply\nSo do I, and loudly."):
    article = (f"Harbour story number {i} makes the front page today\n\nBy Staff Writer\n\n"
               f"Paragraph one of story {i} tells at length how the harbour board voted on the dredging plan "
               "after a long night of debate.\n\n"
               f"Paragraph two of story {i} adds what the ferry operators said, and what happens next week "
               "when the plan goes to the council.\n\nA closing line of the article.")
    return article_comments_page(f"src-{i}", article, comments, {"domain": f"articles_comments:src-{i}"})


def pages(n: int = 24, seed: int = 13, variants: int = 1, composer=None):
    composer = composer or WholePageComposer({"comment_chrome": ["Comments", "Leave a reply"]}, seed, variants,
                                             min_stories=5)
    out = []
    for i in range(n):
        doc = source(i)
        composer.remember(doc)
        out += list(composer.add(doc))
    return out + list(composer.flush())


def chrome_lines(template) -> list:
    """Lines that every page of the template's site carries, as rendered."""
    return [*template.header, *template.sidebar, *template.footer, *template.after_article, *template.share_bar]


def lines(page):
    return [(page.text[s:e], label) for s, e, label in page.spans]


def test_spans_slice_the_text_exactly_and_carry_known_labels():
    for page in pages():
        assert page.meta["shape"] == "whole_page" and page.meta["composed"]
        for (start, end, label), next_span in zip(page.spans, page.spans[1:] + [None]):
            text = page.text[start:end]
            assert text == text.strip() and text and "\n" not in text and label in LABELS
            assert next_span is None or next_span[0] > end
        assert "{" not in page.text


def test_template_chrome_recurs_identically_on_every_page_of_a_site():
    composer = WholePageComposer({}, 13, min_stories=5)
    by_site = defaultdict(list)
    for page in pages(40, composer=composer):
        by_site[page.meta["domain"]].append(page)
    assert len(by_site) >= 4 and all(3 <= len(p) <= 8 for p in list(by_site.values())[:-1])
    for domain, site_pages in by_site.items():
        template = composer.templates[domain]
        for page in site_pages:
            rendered = lines(page)  # the header opens every page and the footer closes it, line for line
            assert rendered[:len(template.header)] == template.header
            assert rendered[len(rendered) - len(template.footer):] == template.footer
            assert page.meta["site_name"] == template.name
        line_sets = [{t for t, _ in lines(p)} for p in site_pages]
        assert {t for t, _ in chrome_lines(template)} <= set.intersection(*line_sets)


def test_template_lines_are_rendered_with_their_labels():
    rng = random.Random(3)
    for _ in range(30):
        template = random_template(rng)
        page = render_page(template, source(1), [story_of(source(2))], random.Random(1))
        rendered = lines(page)
        for line in chrome_lines(template):
            assert line in rendered
        assert any(label == "disclaimer" and ("©" in t or "Copyright" in t) for t, label in template.footer)


def test_labels_by_construction():
    for page in pages():
        got = dict(lines(page))
        n = int(page.id.split("~")[0].split("-")[1])
        assert got[f"Harbour story number {n} makes the front page today"] == "news_body"
        assert got["A closing line of the article."] == "news_body"
        if "So do I, and loudly." in got:
            assert got["So do I, and loudly."] == "opinion_comment" and got["Reply"] == "other"
        for text, label in got.items():
            if text in ("Advertisement", "ADVERTISEMENT"):
                assert label == "ad"
            if text.startswith(("©", "Copyright ©")):
                assert label == "disclaimer"
            if text.rstrip(".").endswith(" makes the front page today") and "number " + str(n) + " " not in text:
                assert label == "other"  # another article's headline in a story list


def test_ids_keep_the_source_and_sites_keep_all_variants_of_a_source():
    site_of = defaultdict(set)
    for page in pages(20, variants=2):
        source_id, variant = page.id.split("~")
        site_of[source_id].add(page.meta["domain"])
        assert page.meta["variant"] == int(variant)
    assert len(site_of) == 20 and all(len(domains) == 1 for domains in site_of.values())


def test_deterministic_for_a_seed():
    first, again, other = pages(seed=5), pages(seed=5), pages(seed=6)
    assert [(p.id, p.text, p.spans) for p in first] == [(p.id, p.text, p.spans) for p in again]
    assert [p.text for p in first] != [p.text for p in other]


def test_compose_pages_share_leaves_the_other_pages_unchanged():
    sources = [source(i) for i in range(30)]
    without = list(compose_pages(iter(sources), POOLS_DIR, listing_share=0.0))
    some = list(compose_pages(iter(sources), POOLS_DIR, listing_share=0.0, whole_page_share=0.5))
    whole = [p for p in some if p.meta["shape"] == "whole_page"]
    assert 0 < len(whole) < len(some) and len(some) == len(without)
    before = {p.id: p.text for p in without}
    assert all(before[p.id] == p.text for p in some if p.meta["shape"] != "whole_page")


def test_config_validates_the_share():
    assert ComposeConfig().whole_page_share == 0.0
    assert ComposeConfig(whole_page_share=0.3).whole_page_share == 0.3
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError):
            ComposeConfig(whole_page_share=bad)


def test_some_sites_wrap_their_articles_and_comments_as_plain_text():
    rng = random.Random(3)
    templates = [random_template(rng) for _ in range(200)]
    wrapped = [t for t in templates if t.layout["wrap_width"]]
    assert 10 <= len(wrapped) <= 50  # WRAPPED_SITE_SHARE of the sites
    template = wrapped[0]
    width = template.layout["wrap_width"]
    page = render_page(template, source(1), [story_of(source(2))], random.Random(1))
    body = [text for text, label in lines(page) if label == "news_body"]
    paragraph = source(1).text.split("\n\n")[2]
    assert len(paragraph) > width and " ".join(body).find(paragraph) >= 0  # its lines, in order, are the paragraph
    assert all(len(line) <= width for line in body)
    # no blank line inside a wrapped paragraph: its lines follow each other in the text
    first = next(i for i, line in enumerate(body) if paragraph.startswith(line))
    assert f"{body[first]}\n{body[first + 1]}" in page.text

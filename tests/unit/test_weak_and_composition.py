import random

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.baselines import c4_keep_line, justext_keep
from newsseg.data.composition import POOL_NAMES, compose_listing, compose_page, compose_pages, load_pools
from newsseg.data.dataset import weak_label_documents
from newsseg.data.segment_rows import COLUMNS, document_rows
from newsseg.text.documents import Document
from newsseg.features.recurrence import SiteMemory, site_recurrence
from newsseg.io.reader_base import article_comments_page
from newsseg.data.weak_labels import evaluate_functions, majority_vote, vote_matrix


def frame_of(docs):
    return pd.DataFrame([r for d in docs for r in document_rows(d, "lines", 1500, 0)], columns=list(COLUMNS))


PAGE = ("Council approves new harbour budget after long debate\n"
        "The council voted on Monday to approve the budget, which adds money for dredging and for the ferry.\n"
        "Subscribe now for $1 a week and never miss a story\n"
        "© 2025 Harbour Gazette. All rights reserved.\n"
        "Comments (2)\n"
        "I think this is a waste of our money and you all know it.\n"
        "Share\n")


def test_labelling_functions_vote_and_majority_decides():
    frame = frame_of([Document("p", PAGE)])
    labels = majority_vote(vote_matrix(frame))
    # The headline and the 19-word paragraph get no vote (article_prose wants 20+ words).
    assert labels == [None, None, "ad", "disclaimer", "other", "opinion_comment", "other"]


def test_cross_page_repetition_marks_site_boilerplate():
    pages = [Document(f"p{i}", f"Unique story {'ABCD'[i]} is told here at length, with detail after detail after detail.\n"
                              "Follow The Gazette on every platform you like\n", {"domain": "g.com"}) for i in range(4)]
    frame = frame_of(pages)
    votes = vote_matrix(frame)
    assert set(votes["cross_page_repetition"][frame["index"] == 1]) == {"other"}
    assert set(votes["cross_page_repetition"][frame["index"] == 0]) == {None}


def test_evaluate_functions_reports_coverage_conflicts_accuracy():
    doc = Document("p", PAGE)
    frame = frame_of([doc])
    frame["label"] = ["news_body", "news_body", "ad", "disclaimer", "other", "opinion_comment", "other"]
    report = evaluate_functions(frame).set_index("function")
    assert report.loc["call_to_action", "coverage"] == pytest.approx(1 / 7)
    assert report.loc["call_to_action", "accuracy"] == 1.0
    assert report.loc["majority_vote", "accuracy"] == 1.0
    assert {"coverage", "conflicts", "accuracy"} <= set(report.columns)


def test_weak_label_documents_leaves_abstentions_unlabelled():
    (doc,) = weak_label_documents([Document("p", PAGE)])
    labelled = {PAGE[s:e]: label for s, e, label in doc.spans}
    assert labelled["Subscribe now for $1 a week and never miss a story"] == "ad"
    assert "Council approves new harbour budget after long debate" not in labelled


POOLS = {"ad": ["Subscribe to {site} for $1"], "disclaimer": ["© {date} {site}. All rights reserved."],
         "menu": ["Home", "World", "Sport", "Log in"], "chrome": ["Share this:", "Read more"],
         "related_headline": ["Other story one", "Other story two"], "author_bio": ["{author} covers the courts."],
         "comment_chrome": ["Comments ({n})", "Reply"],
         "ad_blocks": [["Buy the full report at {domain}", "Call sales: 555 0100"]],
         "other_blocks": [["Sources:", "https://{domain}/story/{n}"]]}


@pytest.mark.parametrize("seed", range(20))
def test_composed_page_is_labelled_by_construction(seed):
    source = article_comments_page("a1", "Title\n\nFirst paragraph.\n\nSecond paragraph.",
                                   "Great piece!\nReply\nI disagree with all of it.", {"domain": "x"})
    page = compose_page(source, POOLS, random.Random(seed))
    spans = page.spans
    texts = [(page.text[s:e], label) for s, e, label in spans]
    body = [t for t, label in texts if label == "news_body" and " appeared first on " not in t]
    assert body == ["Title", "First paragraph.", "Second paragraph."]
    reposts = [(t, label) for t, label in texts if " appeared first on " in t]  # the article's own line
    assert all(label == "news_body" and t.split(" ", 2)[2].startswith("Title appeared") for t, label in reposts)
    assert all(page.text[s:e] == page.text[s:e].strip() and e > s for s, e, _ in spans)
    assert all(label == "ad" for t, label in texts if t.startswith(("Subscribe to", "Buy the full", "Call sales")))
    assert all(label == "other" for t, label in texts if t.startswith(("Sources:", "https://")))
    assert "{" not in page.text
    assert page.id == "a1~0" and page.meta["domain"] == "x"


def test_site_memory_carries_recurrence_across_batches():
    memory = SiteMemory(pages_per_site=5)
    first = frame_of([Document("a", "Menu line\nStory A\n", {"domain": "s"})])
    assert site_recurrence(first, memory).tolist() == [0.0, 0.0]
    second = frame_of([Document("b", "Menu line\nStory B\n", {"domain": "s"})])
    assert site_recurrence(second, memory).tolist() == [1.0, 0.0]


def test_c4_rules_and_justext():
    assert c4_keep_line("The council met on Monday to vote.")
    assert not c4_keep_line("Read our privacy policy.") and not c4_keep_line("Two words.")
    assert not c4_keep_line("Enable javascript to view comments.")
    lines = ["Home", "News"] + [f"The council met on Monday and discussed the budget for the harbour in detail, "
                                f"with speakers from every ward of the town taking part, and the mayor said that the "
                                f"vote would be held again in the spring if the money was not found, item {i}."
                                for i in range(6)]
    kept = justext_keep(lines)
    assert len(kept) == len(lines) and not kept[0] and any(kept[2:])


def test_block_pools_are_read_as_blank_line_separated_blocks_and_are_optional(tmp_path):
    for name in POOL_NAMES:
        (tmp_path / f"{name}.txt").write_text("one line\n")
    assert load_pools(tmp_path)["ad_blocks"] == []
    (tmp_path / "ad_blocks.txt").write_text("Buy the report\nCall us\n\n\nAbout us:\n  We sell reports.\n")
    assert load_pools(tmp_path)["ad_blocks"] == [["Buy the report", "Call us"], ["About us:", "We sell reports."]]


ARTICLE = "\n\n".join(f"Paragraph {i} says the harbour board met again on Monday. It voted." for i in range(8))


def test_listing_page_is_all_other_with_ledes_as_teasers():
    source = article_comments_page("a1", ARTICLE, "", {"domain": "x"})
    for seed in range(10):
        page = compose_listing(source, POOLS, random.Random(seed))
        lines = [(page.text[s:e], label) for s, e, label in page.spans]
        assert {label for _, label in lines} == {"other"} and page.meta["shape"] == "listing"
        teasers = [t for t, _ in lines if t.startswith("Paragraph")]
        assert len(teasers) >= 6 and all("It voted" not in t for t in teasers)  # the first sentence only
        assert "{" not in page.text
    short = article_comments_page("a2", "Title\n\nOne paragraph only, but long enough to be a lede.", "", {})
    assert compose_listing(short, POOLS, random.Random(0)) is None


def test_listing_share_leaves_the_other_composed_pages_unchanged(tmp_path):
    for name, lines in POOLS.items():
        blocks = ["\n".join(b) for b in lines] if name.endswith("_blocks") else lines
        (tmp_path / f"{name}.txt").write_text(("\n\n" if name.endswith("_blocks") else "\n").join(blocks) + "\n")
    sources = [article_comments_page(f"a{i}", ARTICLE, "Nice.", {"domain": "x"}) for i in range(30)]
    without = list(compose_pages(iter(sources), tmp_path, listing_share=0.0))
    some = list(compose_pages(iter(sources), tmp_path, listing_share=0.3))
    listings = [p for p in some if p.meta["shape"] == "listing"]
    assert 0 < len(listings) < len(some)
    assert all(a.text == b.text for a, b in zip(without, some) if b.meta["shape"] != "listing")


def test_recent_articles_listing_follows_the_article_and_is_all_other():
    source = article_comments_page("a1", ARTICLE, "I disagree.", {"domain": "x"})
    pools = dict(POOLS, teaser=[f"Teaser {i} tells of a flood in the valley town on Sunday." for i in range(12)])
    with_listing = 0
    for seed in range(40):
        page = compose_page(source, pools, random.Random(seed), recent_rng=random.Random(f"r{seed}"))
        lines = [(page.text[s:e], label) for s, e, label in page.spans]
        teasers = [i for i, (t, _) in enumerate(lines) if t.startswith("Teaser")]
        if not teasers:
            continue
        with_listing += 1
        assert all(lines[i][1] == "other" for i in teasers) and len(teasers) >= 3
        last_body = max(i for i, (_, label) in enumerate(lines) if label == "news_body")
        first_comment = min(i for i, (_, label) in enumerate(lines) if label == "opinion_comment")
        assert last_body < teasers[0] and teasers[-1] < first_comment
        assert all(label == "other" for _, label in lines[teasers[0] - 1:teasers[-1]])  # header, dates, headlines
        assert "{" not in page.text
    assert 0 < with_listing < 40
    # Without a teaser pool (it is optional), or without recent_rng, no page has one.
    assert not any(t.startswith("Teaser") for t in compose_page(source, POOLS, random.Random(1),
                                                                 recent_rng=random.Random("r1")).text.splitlines())


def test_article_list_sits_between_paragraphs_and_is_news_body():
    source = article_comments_page("a1", ARTICLE, "I disagree.", {"domain": "x"})
    pools = dict(POOLS, article_list=[["The board named these harbours for dredging this year:", "North Quay",
                                       "Eastern Basin", "Old Pier"]])
    with_list = 0
    for seed in range(40):
        page = compose_page(source, pools, random.Random(seed), list_rng=random.Random(f"l{seed}"))
        lines = [(page.text[s:e], label) for s, e, label in page.spans]
        texts = [t for t, _ in lines]
        if "North Quay" not in texts:
            continue
        with_list += 1
        opener = texts.index("The board named these harbours for dredging this year:")
        assert texts[opener + 1:opener + 4] == ["North Quay", "Eastern Basin", "Old Pier"]
        assert all(label == "news_body" for _, label in lines[opener:opener + 4])
        body = [t for t, label in lines if label == "news_body"]  # an ad may sit between list and paragraph
        after = body.index("Old Pier") + 1
        assert body[after - 5].startswith("Paragraph") and body[after].startswith("Paragraph")
    assert 0 < with_list < 40
    # Without the pool (it is optional), or without list_rng, no page has one.
    assert "North Quay" not in compose_page(source, POOLS, random.Random(1), list_rng=random.Random("l1")).text
    assert "North Quay" not in compose_page(source, pools, random.Random(1)).text


def reference_site_recurrence(frame, memory: SiteMemory) -> list[float]:
    """``site_recurrence`` with memory as first written: each line looked up in every remembered page."""
    from collections import defaultdict

    from newsseg.features.line_forms import line_key

    keys, sites, docs = [line_key(t) for t in frame["text"]], frame["site"].tolist(), frame["doc_id"].tolist()
    docs_with, site_docs, doc_keys = defaultdict(set), defaultdict(set), defaultdict(set)
    for key, site, doc in zip(keys, sites, docs):
        docs_with[(site, key)].add(doc)
        site_docs[site].add(doc)
        doc_keys[doc].add(key)
    out = []
    for key, site in zip(keys, sites):
        recent = memory.recent(site)
        others = len(site_docs[site]) - 1 + len(recent)
        out.append((len(docs_with[(site, key)]) - 1 + sum(key in page for page in recent)) / others if others else 0.0)
    for doc, site in dict(zip(docs, sites)).items():
        memory.remember(site, frozenset(doc_keys[doc]))
    return out


PAGE_LINES = st.lists(st.sampled_from(["Menu", "Home", "Story 1", "Story 22", "Footer"]), min_size=1, max_size=4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from("st"), PAGE_LINES), min_size=1, max_size=3), max_size=8),
       st.integers(0, 3), st.integers(1, 3), st.booleans())
def test_site_memory_counts_as_a_lookup_in_every_remembered_page(batches, pages_per_site, max_sites, same_ids):
    memory, reference = SiteMemory(pages_per_site, max_sites), SiteMemory(pages_per_site, max_sites)
    for b, batch in enumerate(batches):
        # same_ids: two pages of a batch may share an id (even across sites), as a careless input can.
        frame = frame_of([Document(f"{b}-{i % 2 if same_ids else i}", "\n".join(lines) + "\n", {"domain": site})
                          for i, (site, lines) in enumerate(batch)])
        expected = reference_site_recurrence(frame, reference)
        assert site_recurrence(frame, memory).tolist() == pytest.approx(expected)
        assert [memory.recent(site) for site in "st"] == [reference.recent(site) for site in "st"]

"""Page structure: the main prose block, runs of short lines, headline lists."""

import numpy as np
import pytest

from newsseg.kernels import numba
from newsseg.features.page_structure import PAGE_STRUCTURE_COLUMNS, continues_on_next_line, page_structure

MENU = ["Home", "News", "Sport", "Money", "Help", "Sign in"]
HEADLINES = ["Council Approves New Bus Lanes On Coast Road", "Teacher Wins Award For School Garden",
             "Storm Closes Harbour Road Again"]
ARTICLE = ["Old ferry pier to close for repairs",
           "The harbour board voted on Tuesday to close the old ferry pier for repairs until spring.",
           "Engineers found that two of the pier's wooden piles had rotted through below the waterline.",
           "Advertisement",
           "The board's chair said passengers could not be allowed to walk on it as it is now."]
PAGE = MENU + ARTICLE + ["Most read"] + HEADLINES + ["© 2025 Harbour Gazette. All rights reserved."]


def columns_of(lines: list[str], bounds=None) -> dict[str, np.ndarray]:
    words = [len(line.split()) for line in lines]
    terminal = [line.endswith((".", "!", "?")) for line in lines]
    title_case = [sum(w[0].isupper() for w in line.split()) / max(len(line.split()), 1) for line in lines]
    out = page_structure(words, terminal, title_case, bounds or [0, len(lines)])
    return dict(zip(PAGE_STRUCTURE_COLUMNS, out.T))


def test_the_main_block_is_the_article_with_its_inline_advertisement():
    cols = columns_of(PAGE)
    inside = [PAGE[i] for i in np.flatnonzero(cols["in_main_block"])]
    assert inside == ARTICLE[1:]
    assert cols["above_main_block"][:len(MENU) + 1].all() and not cols["above_main_block"][-1]
    at = PAGE.index(HEADLINES[1])
    assert cols["lines_to_main_block"][at] == pytest.approx((at - PAGE.index(ARTICLE[-1])) / 50)
    assert cols["main_block_share"][0] == pytest.approx(4 / len(PAGE))


def test_short_runs_and_headline_runs():
    cols = columns_of(PAGE)
    assert cols["short_run_length"][0] == pytest.approx(len(MENU) / 50)
    assert cols["short_run_length"][PAGE.index(ARTICLE[1])] == 0
    at = PAGE.index(HEADLINES[1])
    assert cols["headline_like"][at] == 1 and cols["headline_run"][at] == pytest.approx(3 / 7)
    assert cols["headline_like"][PAGE.index(ARTICLE[1])] == 0
    assert cols["headline_around"][at] == pytest.approx(3 / 21)
    assert cols["prose_around"][PAGE.index(ARTICLE[2])] == pytest.approx(3 / 21)
    assert cols["short_around"][0] == pytest.approx((len(MENU) + 1) / 21)  # the menu and "Advertisement"


def test_pages_are_measured_apart_and_a_page_without_prose_is_far_from_any_article():
    cols = columns_of(MENU + PAGE, bounds=[0, len(MENU), len(MENU) + len(PAGE)])
    assert (cols["lines_to_main_block"][:len(MENU)] == 1).all() and not cols["in_main_block"][:len(MENU)].any()
    assert cols["short_run_length"][0] == pytest.approx(len(MENU) / 50)  # the second page's menu is its own run
    assert cols["in_main_block"][len(MENU):].sum() == 4


@pytest.mark.skipif(numba is None, reason="numba is not installed: there is one path only")
def test_compiled_and_plain_loops_agree(monkeypatch):
    rng = np.random.default_rng(3)
    n = 400
    args = (rng.integers(0, 40, n), rng.random(n) < 0.5, rng.random(n), [0, 7, 7, 150, 399, 400])
    continued = rng.random(n) < 0.3
    monkeypatch.setenv("NEWSSEG_NO_JIT", "")
    compiled = page_structure(*args, continued=continued)
    monkeypatch.setenv("NEWSSEG_NO_JIT", "1")
    assert np.array_equal(compiled, page_structure(*args, continued=continued))


WRAPPED_ARTICLE = ["The harbour board voted on Tuesday to close the old ferry pier for",
                   "repairs until spring. Engineers found that two of the pier's wooden",
                   "piles had rotted through below the waterline, and the chair said",
                   "passengers could not be allowed to walk on it as it is now."]


def test_a_hard_wrapped_paragraph_is_prose_for_the_main_block():
    page = MENU + WRAPPED_ARTICLE + ["Most read"] + HEADLINES
    words = [len(line.split()) for line in page]
    terminal = [line.endswith((".", "!", "?")) for line in page]
    starts_lower = [line[:1].islower() for line in page]
    title_case = [sum(w[0].isupper() for w in line.split()) / len(line.split()) for line in page]
    bounds = [0, len(page)]
    continued = continues_on_next_line(np.array(starts_lower), np.array(terminal), bounds)
    assert [page[i] for i in np.flatnonzero(continued)] == WRAPPED_ARTICLE[:3]
    without = dict(zip(PAGE_STRUCTURE_COLUMNS, page_structure(words, terminal, title_case, bounds).T))
    with_wrapping = dict(zip(PAGE_STRUCTURE_COLUMNS, page_structure(words, terminal, title_case, bounds,
                                                                    continued=continued).T))
    # without the wrapping only the closing line ends like a sentence; with it the whole paragraph is the block
    assert [page[i] for i in np.flatnonzero(without["in_main_block"])] == WRAPPED_ARTICLE[3:]
    assert [page[i] for i in np.flatnonzero(with_wrapping["in_main_block"])] == WRAPPED_ARTICLE


def test_a_page_last_line_runs_on_into_nothing():
    starts_lower, terminal = np.array([False, True, True, True]), np.zeros(4, dtype=bool)
    assert continues_on_next_line(starts_lower, terminal, [0, 2, 4]).tolist() == [True, False, True, False]

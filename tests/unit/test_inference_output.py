"""Prediction output: scores rounded as Python's round() rounds them."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newsseg.inference import round_like_python


def python_rounding(values: np.ndarray) -> list[list[str]]:
    return [[repr(round(v, 4)) for v in row] for row in values.tolist()]


def test_round_like_python_on_halves_and_edges():
    rng = np.random.default_rng(0)
    halves = (rng.integers(0, 20_000, size=(500, 5)) + 0.5) / 1e4  # v * 1e4 at (or a hair off) .5
    edges = np.array([[0.00005, 0.00015, 0.99995, 1.0, 0.0], [-0.00005, np.nan, 0.12345, 2500.00005, 2.5e-5]])
    near_halves = (halves, np.nextafter(halves, 1.0), np.nextafter(halves, 0.0))
    for values in (*near_halves, edges, rng.dirichlet(np.ones(5), 500)):
        assert [[repr(v) for v in row] for row in round_like_python(values, 4)] == python_rounding(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-2.0, max_value=2.0), min_size=5, max_size=5))
def test_round_like_python_on_any_float(row):
    values = np.array([row])
    assert [[repr(v) for v in r] for r in round_like_python(values, 4)] == python_rounding(values)

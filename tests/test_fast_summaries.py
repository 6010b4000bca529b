"""The Monte Carlo's summaries computed faster must be the same numbers (issue 22 item 4):
percentiles from bracketed order statistics against a full sort, and the curves' places
by arithmetic against numpy's binary search."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.uncertainty.psa import places
from peervalue.uncertainty.summary import BRACKET_MIN_SIZE, PERCENTILES, percentiles


def sorted_percentiles(draws: np.ndarray) -> list[float]:
    """The oracle: a full sort, and linear interpolation between neighbours."""
    ordered = np.sort(draws)
    out = []
    for q in PERCENTILES:
        position = q / 100 * (draws.size - 1)
        k = int(np.floor(position))
        low = float(ordered[k])
        high = float(ordered[min(k + 1, draws.size - 1)])
        out.append(low + (position - k) * (high - low))
    return out


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.sampled_from([1, 2, 7, 1000, BRACKET_MIN_SIZE - 1, BRACKET_MIN_SIZE, 200_003]),
    ties=st.sampled_from([0.0, 0.3, 0.9]),
    shape=st.sampled_from(["normal", "heavy", "steps"]),
)
def test_percentiles_are_those_of_a_full_sort(
    seed: int, size: int, ties: float, shape: str
) -> None:
    rng = np.random.default_rng(seed)
    if shape == "normal":
        x = rng.standard_normal(size)
    elif shape == "heavy":
        x = rng.standard_normal(size) / rng.random(size) ** 2  # far tails
    else:
        x = np.floor(rng.random(size) * 5)  # five values only
    x[rng.random(size) < ties] = 1.5  # many equal draws
    draws = x.astype(np.float32)
    assert percentiles(draws) == sorted_percentiles(draws)


def test_percentiles_with_a_nan_match_numpys_partition() -> None:
    # NaN sorts last in numpy; the bracketing is skipped, so the old answer stands
    x = np.random.default_rng(1).standard_normal(BRACKET_MIN_SIZE * 2).astype(np.float32)
    x[::1000] = np.nan
    assert percentiles(x)[:2] == sorted_percentiles(x)[:2]


@settings(max_examples=50, deadline=None)
@given(
    first=st.floats(-1e4, 1e4),
    step=st.floats(1e-3, 1e3),
    k=st.integers(1, 60),
    seed=st.integers(0, 2**32 - 1),
)
def test_places_match_a_binary_search(first: float, step: float, k: int, seed: int) -> None:
    grid = (first + step * np.arange(k)).astype(np.float64)
    rng = np.random.default_rng(seed)
    x = np.concatenate(
        [
            rng.uniform(first - 2 * step, first + (k + 1) * step, 2000),
            grid,
            np.nextafter(grid, np.inf),
            np.nextafter(grid, -np.inf),
            [np.nan, np.inf, -np.inf, 0.0],
        ]
    )
    np.testing.assert_array_equal(places(grid, x), np.searchsorted(grid, x, side="right"))
    uneven = np.sort(np.concatenate([grid, grid[:1] + step / 3])).astype(np.float64)
    np.testing.assert_array_equal(places(uneven, x), np.searchsorted(uneven, x, side="right"))

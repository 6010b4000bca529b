"""No draw leaves a quantity's stated range (issue 18, 7d).

A value at one end of its range gets a one-sided PERT; a reported or derived value inside
its range reads the range as a 95% interval, cut to the range; a declared unbounded kind
(normal, log-normal, gamma, beta) on a quantity with a range is cut to it too.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from peervalue.model.spec import Parameter
from peervalue.provenance import Quantity
from peervalue.uncertainty.distributions import (
    SD_PER_95_INTERVAL,
    ParameterDistribution,
    distributions_of,
)

SOURCE: dict[str, object] = {"citation": "test"}


def _parameter(
    value: float,
    low: float,
    high: float,
    status: str,
    unit: str = "GBP/year",
    field: str = "x",
    distribution: dict[str, object] | None = None,
) -> Parameter:
    extras: dict[str, dict[str, object]] = {
        "reported": {"source": SOURCE},
        "derived": {"formula": "a formula"},
        "assumed": {"rationale": "a reason"},
    }
    extra = extras[status]
    data: dict[str, object] = {
        "value": value,
        "unit": unit,
        "status": status,
        "range": [low, high],
        **extra,
    }
    if unit == "GBP/year":
        data["price_year"] = "2011-12"
    if distribution is not None:
        data["distribution"] = distribution
    return Parameter(
        owner="s", field=field, quantity=Quantity.model_validate(data), factor=1.0, model_unit=unit
    )


# (low, mode, high) with low <= mode <= high, each in a plausible band for its unit; the
# mode is placed by a share of the width, often exactly at an end
shares = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0, 1))


@st.composite
def ranges(
    draw: st.DrawFn, lowest: float, highest: float, places: int = 4
) -> tuple[float, float, float]:
    """Figures rounded to ``places`` decimals (the files' figures are never 1e-300); the
    rounded mode stays between the rounded ends, as rounding is monotone."""
    a = round(draw(st.floats(lowest, highest)), places)
    b = round(draw(st.floats(lowest, highest)), places)
    low, high = min(a, b), max(a, b)
    mode = round(low + draw(shares) * (high - low), places)
    return low, min(max(mode, low), high), high


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        ranges(1.0, 1e5).map(lambda r: (*r, "GBP/year", "x")),
        ranges(0.0, 1.0).map(lambda r: (*r, "proportion", "x")),
        ranges(-50.0, 50.0).map(lambda r: (*r, "bed-days/patient", "outcome.saved_per_patient")),
    ),
    st.sampled_from(["assumed", "derived", "reported"]),
    st.integers(0, 2**32 - 1),
)
def test_no_draw_leaves_the_stated_range(
    case: tuple[float, float, float, str, str], status: str, seed: int
) -> None:
    low, mode, high, unit, field = case
    (d,) = distributions_of([_parameter(mode, low, high, status, unit, field)])
    drawn = d.sample(np.random.default_rng(seed), 2_000)
    assert drawn.min() >= low and drawn.max() <= high, d.describe()
    assert d.stated_range == (low, high)
    lo_i, hi_i = d.interval()
    assert low <= lo_i <= hi_i <= high
    assert low - 1e-9 * max(1.0, abs(low)) <= d.mean() <= high + 1e-9 * max(1.0, abs(high))


@settings(max_examples=100, deadline=None)
@given(
    ranges(-1e4, 1e4),
    st.sampled_from(["uniform", "triangular", "pert"]),
    st.integers(0, 2**32 - 1),
)
def test_bounded_kinds_stay_inside(r: tuple[float, float, float], kind: str, seed: int) -> None:
    # low + (high - low) x u can round one bit past high; the draws are clipped
    low, mode, high = r
    d = ParameterDistribution("x", kind, mode, low=low, high=high)  # type: ignore[arg-type]
    drawn = d.sample(np.random.default_rng(seed), 1_000)
    assert drawn.min() >= low and drawn.max() <= high


@pytest.mark.parametrize("status", ["derived", "reported"])
@pytest.mark.parametrize("end", ["low", "high"])
def test_value_at_an_end_gets_a_one_sided_pert(status: str, end: str) -> None:
    # 10 in [10, 20] (or 20 in [10, 20]): PERT shapes 1 and 5, mean (10 + 4 x 10 + 20) / 6
    # = 11.667 (or (10 + 80 + 20) / 6 = 18.333); P(draw in the far half) = (1/2)^5
    value = 10.0 if end == "low" else 20.0
    (d,) = distributions_of([_parameter(value, 10.0, 20.0, status)])
    assert (d.kind, d.low, d.value, d.high) == ("pert", 10.0, value, 20.0)
    assert d.mean() == pytest.approx(70 / 6 if end == "low" else 110 / 6)
    drawn = d.sample(np.random.default_rng(5), 200_000)
    far = drawn > 15 if end == "low" else drawn < 15
    assert far.mean() == pytest.approx(1 / 32, abs=0.002)


def test_interior_value_reads_the_range_as_a_truncated_95_interval() -> None:
    # 100 in [80, 120], reported: gamma with sd 40 / 3.92 = 10.2, cut to [80, 120]; the
    # draws kept are exactly the untruncated gamma's draws that fall inside, in order
    (d,) = distributions_of([_parameter(100.0, 80.0, 120.0, "reported")])
    assert d.kind == "gamma" and d.is_truncated
    assert d.sd == pytest.approx(40 / SD_PER_95_INTERVAL)
    n = 50_000
    drawn = d.sample(np.random.default_rng(9), n)
    untruncated = ParameterDistribution("x", "gamma", 100.0, sd=d.sd)
    raw = untruncated.sample(np.random.default_rng(9), 2 * n)
    np.testing.assert_array_equal(drawn, raw[(raw >= 80) & (raw <= 120)][:n])
    # its mean and interval are the truncated gamma's (scipy, conditional expectation)
    sd = 40 / SD_PER_95_INTERVAL
    shape, scale = (100 / sd) ** 2, sd**2 / 100
    g = stats.gamma(shape, scale=scale)
    inside = g.cdf(120) - g.cdf(80)
    truncated_mean = g.expect(lambda x: x, lb=80, ub=120) / inside
    assert d.mean() == pytest.approx(truncated_mean, rel=1e-6)
    assert drawn.mean() == pytest.approx(truncated_mean, rel=0.002)
    low, high = d.interval()
    assert np.mean((drawn >= low) & (drawn <= high)) == pytest.approx(0.95, abs=0.005)


def test_truncated_normal_variance_by_hand() -> None:
    # a normal cut at its own 95% interval, mean 0 sd 1 on [-1.96, 1.96]: variance
    # 1 - 2 x 1.96 x phi(1.96) / 0.95 = 1 - 2 x 1.96 x 0.058441 / 0.950004 = 0.758855
    d = ParameterDistribution("x", "normal", 0.0, sd=1.0, low=-1.959964, high=1.959964)
    drawn = d.sample(np.random.default_rng(2), 400_000)
    assert drawn.var() == pytest.approx(0.758855, rel=0.01)
    assert d.mean() == pytest.approx(0.0, abs=1e-9)


def test_truncated_draws_do_not_depend_on_the_chunking() -> None:
    d = ParameterDistribution("x", "beta", 0.3, sd=0.1, low=0.2, high=0.5)
    whole = d.sample(np.random.default_rng(4), 10_000)
    rng = np.random.default_rng(4)
    pieces = np.concatenate([d.sample(rng, k) for k in (1, 999, 3_000, 6_000)])
    np.testing.assert_array_equal(whole, pieces)


def test_a_narrow_cut_is_drawn_by_inversion() -> None:
    # [3, 4] holds 1 - Phi(3) = 0.0013 of a standard normal: rejection would loop for long,
    # so the cut is drawn by inverting the CDF; the draws stay inside and the mean is the
    # truncated normal's, (phi(3) - phi(4)) / (Phi(4) - Phi(3))
    # = (0.00443185 - 0.00013383) / (0.99996833 - 0.99865010) = 3.26045
    d = ParameterDistribution("x", "normal", 0.0, sd=1.0, low=3.0, high=4.0)
    drawn = d.sample(np.random.default_rng(8), 100_000)
    assert drawn.min() >= 3 and drawn.max() <= 4
    exact = (stats.norm.pdf(3) - stats.norm.pdf(4)) / (stats.norm.cdf(4) - stats.norm.cdf(3))
    assert d.mean() == pytest.approx(exact, rel=1e-6)
    assert drawn.mean() == pytest.approx(exact, rel=0.002)
    assert math.isclose(exact, 3.26045, rel_tol=1e-5)


def test_declared_gamma_on_a_ranged_quantity_is_cut_to_the_range() -> None:
    p = _parameter(100.0, 95.0, 130.0, "reported", distribution={"kind": "gamma", "sd": 20.0})
    (d,) = distributions_of([p])
    assert (d.kind, d.low, d.high) == ("gamma", 95.0, 130.0)
    drawn = d.sample(np.random.default_rng(1), 20_000)
    assert drawn.min() >= 95 and drawn.max() <= 130


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_pert_inverse_table_is_within_3e_6_of_the_exact_inverse(share: float, seed: int) -> None:
    # a PERT's shapes are a = 1 + 4 s and b = 1 + 4 (1 - s) for its mode at share s of the
    # range; the table's values against scipy's exact inverse, at uniforms spread over the
    # body, the tails (below 1/64 and above 63/64) and the last millionth at each end
    from scipy.special import betaincinv

    from peervalue.uncertainty.distributions import TAIL, beta_inverse

    a, b = 1 + 4 * share, 1 + 4 * (1 - share)
    rng = np.random.default_rng(seed)
    u = np.concatenate(
        [
            rng.random(20_000),
            TAIL * 1.5 * rng.random(5_000),
            1 - TAIL * 1.5 * rng.random(5_000),
            1e-6 * rng.random(500),
            1 - 1e-6 * rng.random(500),
        ]
    )
    u = u[u < 1]
    got = beta_inverse(a, b)(u)
    assert np.abs(got - betaincinv(a, b, u)).max() < 3e-6


def test_pert_draws_match_the_pert_distribution() -> None:
    # PERT(8, mode 15, 25): shapes 1 + 4 x 7/17 and 1 + 4 x 10/17; the table's draws against
    # the exact CDF (Kolmogorov-Smirnov on 200,000 draws: a departure of 0.4% would show)
    d = ParameterDistribution("x", "pert", 15.0, low=8.0, high=25.0)
    a, b = d._pert_shapes()
    drawn = d.sample(np.random.default_rng(12), 200_000)
    assert stats.kstest(drawn, stats.beta(a, b, loc=8, scale=17).cdf).pvalue > 0.001
    assert drawn.mean() == pytest.approx((8 + 4 * 15 + 25) / 6, rel=0.002)


def test_the_mean_of_a_beta_cut_where_its_density_has_no_bound() -> None:
    """hypothesis found a beta (0.9766, sd 0.0638, cut to [0.75, 1]) whose density has no
    bound at 1: scipy's quad gave an infinite mean. The mean of the quantiles agrees with
    the sample mean of 400,000 draws within 5 standard errors."""
    d = ParameterDistribution(
        name="s:x",
        kind="beta",
        value=0.9766,
        sd=0.06377668211558174,
        low=0.75,
        high=1.0,
        origin="range read as a 95% interval, cut to the range",
        stated_range=(0.75, 1.0),
    )
    mean = d.mean()
    drawn = d.sample(np.random.default_rng(1), 400_000)
    assert 0.75 <= mean <= 1.0
    assert mean == pytest.approx(float(np.mean(drawn)), abs=5 * float(np.std(drawn)) / 632.4)

"""The pure model functions: hand-computed cases and properties (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from peervalue.model import core

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)
ratios = st.floats(min_value=-50, max_value=50, allow_nan=False)


def test_per_study_chain_by_hand() -> None:
    # Sledge 2011 arithmetic: 19.08 - 10.08 = 9 days saved per patient, 38 mentees,
    # 1.9 FTE-years (38 patients x 0.75 years / 15 per FTE), 334 per bed-day, 30,000 per FTE-year.
    d = core.difference(19.08, 10.08)
    big_d = core.total_saved(d, 38)
    fte_years = core.fte_years_from_caseload(38, 0.75, 15)
    b = core.per_fte_year(big_d, fte_years)
    assert d == pytest.approx(9.0)
    assert big_d == pytest.approx(342.0)
    assert fte_years == pytest.approx(1.9)
    assert b == pytest.approx(180.0)
    assert core.ratio(core.benefit(b, 334), 30_000) == pytest.approx(180 * 334 / 30_000)


def test_break_even_by_hand() -> None:
    # 30,000 / 334 = 89.82 bed-days (an illustrative 30,000 per FTE-year at the 2011-12
    # bed-day); 61,803 / 575 = 107.48 (PSSRU Unit Costs 2024: band 4 full cost and the
    # adult acute mental health bed-day, both 2023/24).
    assert core.break_even_bed_days(30_000, 334) == pytest.approx(89.82, abs=0.01)
    assert core.break_even_bed_days(61_803, 575) == pytest.approx(107.48, abs=0.01)


def test_peer_worker_cost_components() -> None:
    assert core.peer_worker_cost(20_000, [0.1, 0.14, 0.5, 0.26]) == pytest.approx(40_000)
    # PSSRU Unit Costs 2024 Manual, Table 8.2.1, band 4 (2023/24): salary 26,399 plus
    # on-costs 8,165, management and administration 7,708, non-staff 11,842 and capital
    # 7,689 = 61,803 a year.
    amounts = [8_165, 7_708, 11_842, 7_689]
    assert core.peer_worker_cost(26_399, [], amounts) == pytest.approx(61_803)
    # rates and amounts together: 20,000 x 1.3 + 5,000
    assert core.peer_worker_cost(20_000, [0.1, 0.2], [5_000]) == pytest.approx(31_000)


def test_classify_boundaries() -> None:
    got = core.classify(np.array([-0.01, 0.0, 1e-9, 1.0, 1.0001]))
    assert got.tolist() == [
        core.NEGATIVE,
        core.ZERO,
        core.BETWEEN_ZERO_AND_ONE,
        core.BETWEEN_ZERO_AND_ONE,
        core.ABOVE_ONE,
    ]


def test_weighted_mean_and_ratio_of_sums_differ() -> None:
    # Two studies: ratios 4 and 0.5, weights 10 and 90 patients; FTE-years 1 and 9.
    r = np.array([4.0, 0.5])
    assert core.weighted_mean(r, np.array([10.0, 90.0])) == pytest.approx((40 + 45) / 100)
    benefit_totals = np.array([4.0 * 1, 0.5 * 9]) * 1000
    cost_totals = np.array([1.0, 9.0]) * 1000
    ratio_of_sums = core.sum_studies(benefit_totals) / core.sum_studies(cost_totals)
    assert ratio_of_sums == pytest.approx(8.5 / 10)


def test_sum_over_studies_does_not_depend_on_memory_layout() -> None:
    # 1e16 + 1 + 1 ... loses the ones when added in order, but not when added pairwise:
    # a fixed order gives the same bits whether the study axis is contiguous or not.
    x = np.array([1e16] + [1.0] * 15)
    contiguous = core.sum_studies(x[np.newaxis, :])
    strided = core.sum_studies(np.asfortranarray(np.vstack([x, x]))[:1])
    assert contiguous[0] == strided[0] == 1e16  # each 1.0 is below half an ulp of 1e16


def test_broadcasts_over_draws() -> None:
    draws = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # (3 draws, 2 studies)
    w = np.array([1.0, 3.0])
    got = core.weighted_mean(draws, w)
    assert got.shape == (3,)
    np.testing.assert_allclose(got, [(1 + 6) / 4, (3 + 12) / 4, (5 + 18) / 4])


@given(
    arrays(np.float64, st.integers(1, 12), elements=ratios),
    st.data(),
)
def test_weighted_mean_lies_between_min_and_max(r: np.ndarray, data: st.DataObject) -> None:
    w = data.draw(arrays(np.float64, r.shape, elements=st.floats(1, 1e4)))
    m = core.weighted_mean(r, w)
    assert r.min() - 1e-9 <= m <= r.max() + 1e-9


@given(
    arrays(np.float64, st.integers(1, 8), elements=st.floats(-500, 500)),
    positive,
    positive,
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_scaling_both_unit_costs_leaves_ratio_unchanged(
    b: np.ndarray, c_bed: float, c_psw: float, k: float
) -> None:
    base = core.ratio(core.benefit(b, c_bed), c_psw)
    scaled = core.ratio(core.benefit(b, c_bed * k), c_psw * k)
    np.testing.assert_allclose(scaled, base, rtol=1e-9, atol=1e-12)


@given(st.floats(-1e4, 1e4), positive, positive)
def test_doubling_fte_halves_bed_days_per_fte_year(total: float, fte: float, years: float) -> None:
    once = core.per_fte_year(total, core.fte_years_from_fte(fte, years))
    twice = core.per_fte_year(total, core.fte_years_from_fte(2 * fte, years))
    assert twice == pytest.approx(once / 2, rel=1e-12, abs=1e-12)


@given(
    arrays(np.float64, st.integers(2, 10), elements=ratios),
    st.data(),
)
def test_study_order_does_not_matter(r: np.ndarray, data: st.DataObject) -> None:
    w = data.draw(arrays(np.float64, r.shape, elements=st.floats(1, 1e4)))
    perm = data.draw(st.permutations(range(r.size)))
    idx = np.array(perm)
    assert core.weighted_mean(r[idx], w[idx]) == pytest.approx(
        core.weighted_mean(r, w), rel=1e-9, abs=1e-9
    )
    costs = w * 10.0
    benefit = r * costs
    assert core.sum_studies(benefit[idx]) / core.sum_studies(costs[idx]) == pytest.approx(
        core.sum_studies(benefit) / core.sum_studies(costs), rel=1e-9, abs=1e-9
    )

"""Meta-analysis of bed-days saved per patient-year: hand-worked cases, a published
data set, statsmodels, properties (hypothesis), and the effects read from evidence."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import statsmodels.stats.meta_analysis as sm_meta
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from peervalue.evidence.load import load_evidence
from peervalue.uncertainty.meta import (
    METHODS,
    Method,
    meta_analyse,
    meta_table,
    study_effects,
)
from peervalue.uncertainty.results import MetaResult
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, edit_yaml

FloatArray = npt.NDArray[np.float64]

# --- tolerances ---------------------------------------------------------------
#: fixed-effect and DerSimonian-Laird results are closed-form, so against
#: statsmodels (the same formulas, summed in another order) only rounding differs
ESTIMATE_RTOL = 1e-8
SE_RTOL = 1e-8
Q_RTOL = 1e-8
TAU2_RTOL = 1e-8
#: I^2 and tau^2 near zero are differences of nearly equal numbers; compare absolutely
NEAR_ZERO_ATOL = 1e-10
#: REML is an iterative optimum. Ours is found to a relative 1e-10 (Brent's root
#: finder on the score), but the brute-force reference below maximises the
#: likelihood by comparing function values, and a function is flat at its
#: maximum: values resolve the argmax only to about sqrt(machine epsilon)
#: ~ 1.5e-8 of its scale, and much less where the likelihood is nearly flat
#: (a few studies, tau^2 poorly determined: 7e-7 on one data set tried).
#: Hence a looser tolerance for tau^2 ...
REML_TAU2_RTOL = 1e-5
#: ... and for what tau^2 feeds into: the elasticity of se^2 in tau^2 is below 1,
#: so se is no further off than tau^2; the estimate moves smoothly with it too.
REML_DERIVED_RTOL = 1e-5
#: figures printed to 4 decimals in published output agree to half a unit in the last place
PUBLISHED_ATOL = 5e-5
#: reordering the studies changes only the order of floating-point sums
PERMUTATION_RTOL = 1e-9
#: ... except REML, where rounding steers the root finder's path to a slightly
#: different stopping point within its 1e-10 tolerance
REML_PERMUTATION_RTOL = 1e-7
#: examples per property test: enough to exercise 1..10 studies, and quick
PROPERTY_EXAMPLES = 50
#: statsmodels stops its Paule-Mandel iteration at about 1e-6 relative
PM_RTOL = 1e-5


def result(effects: list[float], variances: list[float], method: Method) -> MetaResult:
    return meta_analyse(effects, variances, method=method)


# --- hand-computed examples -----------------------------------------------------


def test_three_studies_by_hand_fixed_effect() -> None:
    # effects y = (0, 4, 12), variances v = (0.25, 0.5, 0.5)
    # weights w = 1/v = (4, 2, 2), W = sum(w) = 8
    # estimate = (4*0 + 2*4 + 2*12) / 8 = 32 / 8 = 4
    # se = sqrt(1 / W) = sqrt(1/8) = 0.35355339...
    # Q = 4*(0-4)^2 + 2*(4-4)^2 + 2*(12-4)^2 = 64 + 0 + 128 = 192, df = 2
    # I^2 = (Q - df) / Q = 190 / 192 = 0.98958333...
    r = result([0, 4, 12], [0.25, 0.5, 0.5], "fixed")
    assert r.estimate == pytest.approx(4.0, rel=1e-12)
    assert r.se == pytest.approx(math.sqrt(1 / 8), rel=1e-12)
    assert r.q == pytest.approx(192.0, rel=1e-12)
    assert r.q_df == 2
    assert r.i2 == pytest.approx(190 / 192, rel=1e-12)
    assert r.tau2 == 0.0
    assert r.weights == pytest.approx((0.5, 0.25, 0.25), rel=1e-12)
    # 95% CI: 4 +/- 1.959964 * 0.353553 = 4 -/+ 0.692952
    assert (r.ci_low, r.ci_high) == pytest.approx((3.307048, 4.692952), abs=1e-6)
    # no prediction interval under a fixed effect
    assert math.isnan(r.pi_low) and math.isnan(r.pi_high)


def test_three_studies_by_hand_dersimonian_laird() -> None:
    # Same data. C = W - sum(w^2) / W = 8 - (16 + 4 + 4) / 8 = 8 - 3 = 5
    # tau^2 = (Q - df) / C = (192 - 2) / 5 = 38
    # random-effects weights w* = 1 / (v + 38) = (1/38.25, 1/38.5, 1/38.5)
    # estimate = (0/38.25 + 4/38.5 + 12/38.5) / (1/38.25 + 2/38.5)
    #          (multiply through by 38.25 * 38.5)
    #          = 16 * 38.25 / (38.5 + 2 * 38.25) = 612 / 115 = 5.32173913...
    # se^2 = 1 / sum(w*) = 38.25 * 38.5 / 115 = 1472.625 / 115 = 12.80543478...
    # Q and I^2 come from the fixed-effect weights, as before.
    r = result([0, 4, 12], [0.25, 0.5, 0.5], "dersimonian-laird")
    assert r.tau2 == pytest.approx(38.0, rel=1e-12)
    assert r.estimate == pytest.approx(612 / 115, rel=1e-12)
    assert r.se == pytest.approx(math.sqrt(1472.625 / 115), rel=1e-12)
    assert r.q == pytest.approx(192.0, rel=1e-12)
    assert r.i2 == pytest.approx(190 / 192, rel=1e-12)
    # prediction interval, k - 2 = 1 degree of freedom: t_{0.975, 1} = 12.7062047...
    # half-width = 12.7062047 * sqrt(38 + 12.8054348) = 12.7062047 * 7.1277931 = 90.5672
    half = 12.706204736174705 * math.sqrt(38 + 1472.625 / 115)
    assert (r.pi_low, r.pi_high) == pytest.approx((612 / 115 - half, 612 / 115 + half))


def test_homogeneous_studies_truncate_tau2_at_zero() -> None:
    # y = (3, 4, 5), v = (4, 4, 4): w = 1/4 each, estimate 4,
    # Q = 0.25 * (1 + 0 + 1) = 0.5 < df = 2, so DL's (Q - df) / C < 0 -> tau^2 = 0,
    # I^2 = 0, and every method gives the fixed-effect answer (se = sqrt(4/3)).
    for method in METHODS:
        r = result([3, 4, 5], [4, 4, 4], method)
        assert r.tau2 == 0.0
        assert r.i2 == 0.0
        assert r.q == pytest.approx(0.5, rel=1e-12)
        assert r.estimate == pytest.approx(4.0, rel=1e-12)
        assert r.se == pytest.approx(math.sqrt(4 / 3), rel=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_single_study(method: Method) -> None:
    r = meta_analyse([12.0], [37.0], method=method)
    assert (r.k, r.estimate, r.se, r.tau2, r.q, r.q_df, r.i2) == (
        1,
        12.0,
        math.sqrt(37.0),
        0.0,
        0.0,
        0,
        0.0,
    )
    assert r.weights == (1.0,)
    assert math.isnan(r.q_p_value) and math.isnan(r.pi_low) and math.isnan(r.pi_high)
    data = r.to_dict()
    assert data["q_p_value"] is None and data["pi_low"] is None
    json.dumps(data, allow_nan=False)  # JSON-safe


def test_two_studies_have_no_prediction_interval() -> None:
    r = meta_analyse([0.0, 10.0], [1.0, 1.0], method="dersimonian-laird")
    assert r.tau2 > 0 and math.isnan(r.pi_low)


def test_level_changes_interval_width() -> None:
    # the 90% normal quantile is 1.644854, the 95% one 1.959964
    r90 = meta_analyse([0, 4, 12], [0.25, 0.5, 0.5], level=0.90)
    assert (r90.ci_high - r90.ci_low) / 2 == pytest.approx(1.6448536 * math.sqrt(1 / 8))
    assert r90.level == 0.90


# --- a published data set ---------------------------------------------------------

# BCG vaccine trials (Colditz et al. 1994): TB cases and non-cases, vaccinated then not.
BCG_TRIALS = [
    (4, 119, 11, 128),
    (6, 300, 29, 274),
    (3, 228, 11, 209),
    (62, 13536, 248, 12619),
    (33, 5036, 47, 5761),
    (180, 1361, 372, 1079),
    (8, 2537, 10, 619),
    (505, 87886, 499, 87892),
    (29, 7470, 45, 7232),
    (17, 1699, 65, 1600),
    (186, 50448, 141, 27197),
    (5, 2493, 3, 2338),
    (27, 16886, 29, 17825),
]


def bcg_log_risk_ratios() -> tuple[FloatArray, FloatArray]:
    a, b, c, d = (np.array(col, dtype=np.float64) for col in zip(*BCG_TRIALS, strict=True))
    y = np.log((a / (a + b)) / (c / (c + d)))
    v = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return y, v


def test_bcg_trials_match_published_values() -> None:
    # The values metafor prints for this data set (Viechtbauer 2010, J Stat Softw
    # 36(3); and its test suite, which checks them against Stata's metan):
    #   fixed effect -0.4303 (95% CI -0.5097 to -0.3509), Q = 152.2330 on 12 df;
    #   DL  tau^2 0.3088, estimate -0.7141 (se 0.1787, CI -1.0644 to -0.3638);
    #   REML tau^2 0.3132, estimate -0.7145 (se 0.1798).
    # This is an independent check of REML, which statsmodels does not offer.
    y, v = bcg_log_risk_ratios()
    fe = meta_analyse(y, v, "fixed")
    assert (fe.estimate, fe.ci_low, fe.ci_high, fe.q) == pytest.approx(
        (-0.4303, -0.5097, -0.3509, 152.2330), abs=PUBLISHED_ATOL
    )
    # Q-based I^2 = (152.233 - 12) / 152.233 = 92.12%
    assert fe.i2 == pytest.approx(0.9212, abs=PUBLISHED_ATOL)
    dl = meta_analyse(y, v, "dersimonian-laird")
    assert (dl.tau2, dl.estimate, dl.se, dl.ci_low, dl.ci_high) == pytest.approx(
        (0.3088, -0.7141, 0.1787, -1.0644, -0.3638), abs=PUBLISHED_ATOL
    )
    reml = meta_analyse(y, v, "reml")
    assert (reml.tau2, reml.estimate, reml.se) == pytest.approx(
        (0.3132, -0.7145, 0.1798), abs=PUBLISHED_ATOL
    )


# --- statsmodels -------------------------------------------------------------------

DATASETS: dict[str, tuple[list[float], list[float]]] = {
    # strongly heterogeneous (I^2 = 92%)
    "bcg": tuple(arr.tolist() for arr in bcg_log_risk_ratios()),
    # homogeneous: Q < df, so DL's moment estimate is negative before truncation
    "homogeneous": ([1.0, 1.2, 0.9, 1.1], [0.2, 0.3, 0.25, 0.4]),
    # bed-days saved per patient-year on the scale of the bundled studies
    "bed-days": ([12.0, 3.0, 20.0, 7.0, -2.0], [37.0, 20.0, 55.0, 15.0, 40.0]),
    "two studies": ([5.0, 15.0], [4.0, 9.0]),
}


def statsmodels_results(y: list[float], v: list[float], level: float) -> Any:
    # combine_effects does not convert lists itself; use_t=False gives normal-quantile CIs
    return sm_meta.combine_effects(
        np.asarray(y), np.asarray(v), method_re="dl", use_t=False, alpha=1 - level
    )


#: with a negative DL tau^2 statsmodels takes square roots of negative numbers
#: (in random-effects figures we do not compare for that data set)
statsmodels_sqrt_warning = pytest.mark.filterwarnings(
    "ignore:invalid value encountered in sqrt:RuntimeWarning"
)


@statsmodels_sqrt_warning
@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("level", [0.95, 0.8])
def test_fixed_effect_matches_statsmodels(name: str, level: float) -> None:
    y, v = DATASETS[name]
    ref = statsmodels_results(y, v, level)
    ours = meta_analyse(y, v, "fixed", level)
    assert ours.estimate == pytest.approx(ref.mean_effect_fe, rel=ESTIMATE_RTOL)
    assert ours.se == pytest.approx(ref.sd_eff_w_fe, rel=SE_RTOL)
    assert ours.q == pytest.approx(ref.q, rel=Q_RTOL)
    # statsmodels leaves I^2 = 1 - df/Q negative when Q < df; we truncate at 0
    assert ours.i2 == pytest.approx(max(0.0, ref.i2), rel=Q_RTOL, abs=NEAR_ZERO_ATOL)
    assert ours.q_p_value == pytest.approx(ref.test_homogeneity().pvalue, rel=Q_RTOL)
    ci_fe = ref.conf_int(alpha=1 - level, use_t=False)[0]
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci_fe), rel=ESTIMATE_RTOL)


@statsmodels_sqrt_warning
@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("level", [0.95, 0.8])
def test_dersimonian_laird_matches_statsmodels(name: str, level: float) -> None:
    y, v = DATASETS[name]
    ref = statsmodels_results(y, v, level)
    ours = meta_analyse(y, v, "dersimonian-laird", level)
    assert ours.q == pytest.approx(ref.q, rel=Q_RTOL)
    assert ours.i2 == pytest.approx(max(0.0, ref.i2), rel=Q_RTOL, abs=NEAR_ZERO_ATOL)
    ci_fe, ci_re = ref.conf_int(alpha=1 - level, use_t=False)[:2]
    if ref.tau2 > 0:
        assert ours.tau2 == pytest.approx(ref.tau2, rel=TAU2_RTOL)
        assert ours.estimate == pytest.approx(ref.mean_effect_re, rel=ESTIMATE_RTOL)
        assert ours.se == pytest.approx(ref.sd_eff_w_re, rel=SE_RTOL)
        assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci_re), rel=ESTIMATE_RTOL)
    else:
        # statsmodels does not truncate tau^2 (it would weight by 1/(v + negative));
        # truncated at zero, DL is the fixed-effect model
        assert name == "homogeneous"
        assert ours.tau2 == 0.0
        assert ours.estimate == pytest.approx(ref.mean_effect_fe, rel=ESTIMATE_RTOL)
        assert ours.se == pytest.approx(ref.sd_eff_w_fe, rel=SE_RTOL)
        assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci_fe), rel=ESTIMATE_RTOL)


def restricted_log_likelihood(tau2: float, y: FloatArray, v: FloatArray) -> float:
    """The restricted (REML) log-likelihood of the random-effects model, up to a constant."""
    w = 1 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    return -0.5 * float(
        np.sum(np.log(v + tau2)) + math.log(float(np.sum(w))) + np.sum(w * (y - mu) ** 2)
    )


def brute_force_reml_tau2(y: FloatArray, v: FloatArray) -> float:
    """REML tau^2 found apart from the module: the highest point of a dense grid,
    polished by scipy's bounded minimiser on the negated likelihood."""
    top = 10 * float(np.ptp(y) ** 2 + np.max(v))
    grid = np.concatenate([[0.0], np.geomspace(top * 1e-9, top, 2000)])
    values = [restricted_log_likelihood(t, y, v) for t in grid]
    best = int(np.argmax(values))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    found = optimize.minimize_scalar(
        lambda t: -restricted_log_likelihood(t, y, v),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-14 * (high + 1)},
    )
    candidates = [float(found.x), float(grid[best])]
    return max(candidates, key=lambda t: restricted_log_likelihood(t, y, v))


@pytest.mark.parametrize("name", DATASETS)
def test_reml_matches_brute_force_likelihood_maximum(name: str) -> None:
    # statsmodels' combine_effects offers only DL and Paule-Mandel, not REML, so
    # REML is checked against the restricted likelihood written out above and
    # maximised by grid search and scipy's bounded Brent method (and against
    # published values, in test_bcg_trials_match_published_values).
    y_list, v_list = DATASETS[name]
    y, v = np.asarray(y_list), np.asarray(v_list)
    ours = meta_analyse(y, v, "reml")
    expected = brute_force_reml_tau2(y, v)
    scale = float(np.mean(v))
    assert ours.tau2 == pytest.approx(expected, rel=REML_TAU2_RTOL, abs=REML_TAU2_RTOL * scale)
    assert restricted_log_likelihood(ours.tau2, y, v) >= restricted_log_likelihood(
        expected, y, v
    ) - 1e-12 * (1 + abs(restricted_log_likelihood(expected, y, v)))
    w = 1 / (v + expected)
    assert ours.estimate == pytest.approx(
        float(np.sum(w * y) / np.sum(w)), rel=REML_DERIVED_RTOL, abs=REML_DERIVED_RTOL
    )
    se = math.sqrt(1 / float(np.sum(w)))
    assert ours.se == pytest.approx(se, rel=REML_DERIVED_RTOL)
    z = float(stats.norm.ppf(0.975))
    mean = float(np.sum(w * y) / np.sum(w))
    assert (ours.ci_low, ours.ci_high) == pytest.approx(
        (mean - z * se, mean + z * se), rel=REML_DERIVED_RTOL, abs=REML_DERIVED_RTOL
    )
    # Q and I^2 are the fixed-effect ones whatever the method
    fe = meta_analyse(y, v, "fixed")
    assert (ours.q, ours.i2) == (fe.q, fe.i2)


def test_reml_is_zero_for_homogeneous_data() -> None:
    y, v = DATASETS["homogeneous"]
    assert meta_analyse(y, v, "reml").tau2 == 0.0


# --- properties ------------------------------------------------------------------

effect = st.floats(-300, 300, allow_nan=False, allow_infinity=False)
variance = st.floats(0.01, 1000, allow_nan=False, allow_infinity=False)


@st.composite
def studies(
    draw: st.DrawFn, min_size: int = 1, max_size: int = 10
) -> tuple[FloatArray, FloatArray]:
    pairs = draw(st.lists(st.tuples(effect, variance), min_size=min_size, max_size=max_size))
    y, v = zip(*pairs, strict=True)
    return np.array(y), np.array(v)


def width(r: MetaResult) -> float:
    return r.ci_high - r.ci_low


@settings(deadline=None, max_examples=PROPERTY_EXAMPLES)
@given(studies())
def test_fixed_estimate_lies_within_the_effects(data: tuple[FloatArray, FloatArray]) -> None:
    y, v = data
    r = meta_analyse(y, v, "fixed")
    slack = 1e-12 * (1 + float(np.max(np.abs(y))))
    assert float(np.min(y)) - slack <= r.estimate <= float(np.max(y)) + slack


@settings(deadline=None, max_examples=PROPERTY_EXAMPLES)
@given(studies())
def test_statistics_stay_in_range(data: tuple[FloatArray, FloatArray]) -> None:
    y, v = data
    fe = meta_analyse(y, v, "fixed")
    for method in METHODS:
        r = meta_analyse(y, v, method)
        assert r.tau2 >= 0
        assert 0 <= r.i2 < 1
        assert r.q >= 0 and r.q_df == len(y) - 1
        assert sum(r.weights) == pytest.approx(1.0)
        assert all(w > 0 for w in r.weights)
        # random effects never narrow the interval
        assert width(r) >= width(fe) * (1 - 1e-12)
        if method != "fixed" and len(y) >= 3:
            # the prediction interval contains the confidence interval
            assert r.pi_low <= r.ci_low and r.ci_high <= r.pi_high


@settings(deadline=None, max_examples=PROPERTY_EXAMPLES)
@given(studies(min_size=2))
def test_reml_is_at_least_as_likely_as_dl_and_zero(data: tuple[FloatArray, FloatArray]) -> None:
    y, v = data
    reml = meta_analyse(y, v, "reml").tau2
    dl = meta_analyse(y, v, "dersimonian-laird").tau2
    at_reml = restricted_log_likelihood(reml, y, v)
    slack = 1e-9 * (1 + abs(at_reml))
    assert at_reml >= restricted_log_likelihood(dl, y, v) - slack
    assert at_reml >= restricted_log_likelihood(0.0, y, v) - slack


@settings(deadline=None, max_examples=PROPERTY_EXAMPLES)
@given(studies(), st.randoms(use_true_random=False))
def test_order_of_studies_does_not_matter(data: tuple[FloatArray, FloatArray], rnd: Any) -> None:
    y, v = data
    order = list(range(len(y)))
    rnd.shuffle(order)
    scale = float(np.mean(v))
    for method in METHODS:
        rtol = REML_PERMUTATION_RTOL if method == "reml" else PERMUTATION_RTOL
        a = meta_analyse(y, v, method)
        b = meta_analyse(y[order], v[order], method)
        assert b.estimate == pytest.approx(a.estimate, rel=rtol, abs=rtol * (1 + abs(a.estimate)))
        assert b.se == pytest.approx(a.se, rel=rtol)
        assert b.tau2 == pytest.approx(a.tau2, rel=rtol, abs=rtol * scale)
        assert b.q == pytest.approx(a.q, rel=rtol, abs=rtol)
        assert b.i2 == pytest.approx(a.i2, rel=rtol, abs=rtol)
        assert b.weights == pytest.approx([a.weights[i] for i in order], rel=rtol, abs=1e-15)


@settings(deadline=None, max_examples=PROPERTY_EXAMPLES)
@given(effect, variance, st.sampled_from(METHODS))
def test_any_single_study_is_its_own_estimate(y: float, v: float, method: Method) -> None:
    r = meta_analyse([y], [v], method)
    assert (r.estimate, r.tau2, r.q, r.i2, r.q_df) == (y, 0.0, 0.0, 0.0, 0)
    assert r.se == pytest.approx(math.sqrt(v), rel=1e-15)


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effects", "variances", "message"),
    [
        ([], [], "empty"),
        ([1.0, 2.0], [1.0], "differ in length"),
        ([1.0, math.nan], [1.0, 1.0], "effects must be finite"),
        ([1.0, 2.0], [1.0, math.inf], "variances must be finite"),
        ([1.0, 2.0], [1.0, 0.0], "greater than zero; position 1"),
        ([1.0, 2.0], [-1.0, 1.0], "greater than zero; position 0"),
        ([[1.0, 2.0]], [[1.0, 2.0]], "flat list"),
        (["a"], [1.0], "list of numbers"),
    ],
)
def test_bad_arrays_raise_value_error(effects: Any, variances: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        meta_analyse(effects, variances)


def test_bad_method_and_level() -> None:
    with pytest.raises(ValueError, match="unknown method 'ml'"):
        meta_analyse([1.0], [1.0], method="ml")  # type: ignore[arg-type]
    for level in (0.0, 1.0, 95.0, math.nan):
        with pytest.raises(ValueError, match="level must lie strictly between 0 and 1"):
            meta_analyse([1.0], [1.0], level=level)


# --- effects from evidence -------------------------------------------------------


def test_synthetic_evidence() -> None:
    effects, excluded = study_effects(load_evidence(SYNTHETIC).studies)
    # alpha: 12 months = 1 year, 40 patients per arm, 10 +/- 5 vs 20 +/- 8 bed-days
    #   effect = (20 - 10) / 1 = 10 bed-days saved per patient-year
    #   variance = (8^2/40 + 5^2/40) / 1^2 = (1.6 + 0.625) = 2.225
    assert [e.id for e in effects] == ["alpha"]
    alpha = effects[0]
    assert alpha.effect == pytest.approx(10.0, rel=1e-12)
    assert alpha.variance == pytest.approx(2.225, rel=1e-12)
    assert (alpha.n_intervention, alpha.n_control, alpha.support_years) == (40, 40, 1.0)
    assert excluded == {
        "beta": "outcome reported as a total, without a standard error",
        "gamma": "outcome reported as admissions and length of stay, without a standard error",
    }


def test_bundled_evidence_only_sledge_qualifies() -> None:
    evidence = load_evidence()
    effects, excluded = study_effects(evidence.studies)
    # Sledge et al. 2011: support (assumed) and follow-up 9 months = 0.75 years;
    # 38 mentored, 36 usual care;
    # hospital days 10.08 +/- 17.31 (mentor) vs 19.08 +/- 21.63 (usual care).
    #   effect   = (19.08 - 10.08) / 0.75 = 9 / 0.75 = 12 bed-days per patient-year
    #   variance = (21.63^2/36 + 17.31^2/38) / 0.75^2
    #            = (467.8569/36 + 299.6361/38) / 0.5625
    #            = (12.996025 + 7.885160526) / 0.5625 = 20.881185526 / 0.5625
    #            = 37.12210760 (se 6.0928)
    assert [e.id for e in effects] == ["sledge2011"]
    sledge = effects[0]
    assert sledge.effect == pytest.approx(12.0, rel=1e-12)
    assert sledge.variance == pytest.approx(37.12210760, rel=1e-9)
    assert (sledge.n_intervention, sledge.n_control) == (38, 36)
    assert sledge.support_years == pytest.approx(0.75)  # support lasts the 9 months
    no_se = "saving per patient given without a standard error (no normal distribution)"
    total = "outcome reported as a total, without a standard error"
    assert excluded == {
        "chinman2001": no_se,
        "klein1998": no_se,
        "lawn2008": total,
        "min2007": total,
        "rivera2007": no_se,
    }
    assert set(excluded) | {"sledge2011"} == set(evidence.ids)

    table = meta_table(evidence.studies)
    assert table.message is None and set(table.results) == set(METHODS)
    for r in table.results.values():
        # one study: the pooled estimate is Sledge's, CI 12 +/- 1.959964 * 6.092791
        assert r.k == 1 and r.estimate == pytest.approx(12.0)
        assert (r.ci_low, r.ci_high) == pytest.approx((0.058348, 23.941652), abs=1e-6)
    data = json.loads(json.dumps(table.to_dict(), allow_nan=False))
    assert data["studies"][0]["id"] == "sledge2011"
    assert data["results"]["reml"]["pi_low"] is None
    assert data["excluded"]["lawn2008"] == total


def _write_per_patient_study(folder: Path, dist: dict[str, Any] | None) -> None:
    """Turn alpha into a 6-month study reporting 4.5 bed-days saved per patient."""

    def edit(data: dict[str, Any]) -> None:
        data["follow_up"]["value"] = 6
        quantity: dict[str, Any] = {
            "value": 4.5,
            "unit": "bed-days/patient",
            "status": "reported",
            "source": {"citation": "synthetic"},
        }
        if dist is not None:
            quantity["distribution"] = dist
        data["outcome"] = {"kind": "bed_days_saved_per_patient", "saved_per_patient": quantity}

    edit_yaml(folder / "alpha.yaml", edit)


def test_saved_per_patient_with_a_normal_distribution(synthetic_copy: Path) -> None:
    # 4.5 bed-days saved over 6 months (0.5 years), sd 1.5:
    #   effect = 4.5 / 0.5 = 9 per patient-year; variance = (1.5 / 0.5)^2 = 9
    _write_per_patient_study(synthetic_copy, {"kind": "normal", "sd": 1.5})
    effects, _ = study_effects(load_evidence(synthetic_copy).studies)
    assert [(e.id, e.effect, e.variance) for e in effects] == [("alpha", 9.0, 9.0)]


@pytest.mark.parametrize(
    ("dist", "reason"),
    [
        (None, "without a standard error"),
        ({"kind": "lognormal", "sd": 1.5}, "has a lognormal distribution"),
        ({"kind": "normal", "sd": 0.0}, "standard error of zero"),
    ],
)
def test_saved_per_patient_without_a_usable_sd(
    synthetic_copy: Path, dist: dict[str, Any] | None, reason: str
) -> None:
    _write_per_patient_study(synthetic_copy, dist)
    effects, excluded = study_effects(load_evidence(synthetic_copy).studies)
    assert effects == []
    assert reason in excluded["alpha"]


@pytest.mark.parametrize(
    ("drop", "reason"),
    [
        (["intervention_sd", "control_sd"], "no standard deviations reported"),
        (["intervention_sd"], "control arm only"),
        (["control_sd"], "intervention arm only"),
    ],
)
def test_mean_bed_days_without_both_sds(synthetic_copy: Path, drop: list[str], reason: str) -> None:
    def edit(data: dict[str, Any]) -> None:
        for key in drop:
            del data["outcome"][key]

    edit_yaml(synthetic_copy / "alpha.yaml", edit)
    table = meta_table(load_evidence(synthetic_copy).studies)
    assert reason in table.excluded["alpha"]
    # nothing left to pool: the table says so instead of raising
    assert table.results == {} and table.studies == []
    assert table.message is not None and "nothing to meta-analyse" in table.message
    assert table.to_dict()["results"] == {}


def test_follow_up_in_weeks(synthetic_copy: Path) -> None:
    # 26 weeks = 26 * 7 / 365.25 = 0.498289 years; effect = 10 / 0.498289 = 20.0687
    edit_yaml(
        synthetic_copy / "alpha.yaml",
        lambda data: data["follow_up"].update(value=26, unit="weeks"),
    )
    (alpha,), _ = study_effects(load_evidence(synthetic_copy).studies)
    years = 26 * 7 / 365.25
    assert alpha.effect == pytest.approx(10 / years, rel=1e-12)
    assert alpha.variance == pytest.approx(2.225 / years**2, rel=1e-12)


# --- Paule-Mandel, Hartung-Knapp-Sidik-Jonkman and the conventions ----------------------


@statsmodels_sqrt_warning
@pytest.mark.parametrize("name", ["bcg", "bed-days", "homogeneous"])
def test_paule_mandel_matches_statsmodels(name: str) -> None:
    y, v = DATASETS[name]
    ours = meta_analyse(y, v, "paule-mandel", 0.95)
    ref = sm_meta.combine_effects(np.asarray(y), np.asarray(v), method_re="pm", use_t=False)
    # statsmodels iterates Paule-Mandel to its own tolerance (about 1e-6 relative); ours
    # solves the defining equation to 1e-10, checked exactly below
    assert ours.tau2 == pytest.approx(max(float(ref.tau2), 0.0), rel=PM_RTOL, abs=NEAR_ZERO_ATOL)
    assert ours.estimate == pytest.approx(float(ref.mean_effect_re), rel=PM_RTOL)
    # the defining equation: the generalised Q at tau^2 equals its expectation k - 1
    if ours.tau2 > 0:
        w = 1 / (np.asarray(v) + ours.tau2)
        mu = float(np.sum(w * np.asarray(y)) / np.sum(w))
        assert float(np.sum(w * (np.asarray(y) - mu) ** 2)) == pytest.approx(len(y) - 1, rel=1e-9)


@statsmodels_sqrt_warning
@pytest.mark.parametrize(("name", "method_re"), [("bcg", "dl"), ("bcg", "pm"), ("bed-days", "dl")])
def test_hksj_interval_matches_statsmodels(name: str, method_re: str) -> None:
    y, v = DATASETS[name]
    method: Method = "dersimonian-laird" if method_re == "dl" else "paule-mandel"
    ours = meta_analyse(y, v, method, 0.95, interval="hksj")
    ref = sm_meta.combine_effects(np.asarray(y), np.asarray(v), method_re=method_re, use_t=True)
    low, high = ref.conf_int(alpha=0.05, use_t=True)[3]  # random effects, HKSJ scale
    assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), rel=1e-6)
    assert ours.interval == "hksj"


def test_prediction_and_i2_conventions_by_hand() -> None:
    # three studies: effects 1, 2, 4; variances 0.5, 0.5, 1
    y, v = [1.0, 2.0, 4.0], [0.5, 0.5, 1.0]
    t_style = meta_analyse(y, v, "dersimonian-laird", 0.95)
    normal = meta_analyse(y, v, "dersimonian-laird", 0.95, prediction="normal")
    se = math.sqrt(1 / sum(1 / (vi + t_style.tau2) for vi in v))
    half = stats.norm.ppf(0.975) * math.sqrt(t_style.tau2 + se**2)
    assert (normal.pi_low, normal.pi_high) == pytest.approx(
        (t_style.estimate - half, t_style.estimate + half)
    )
    assert normal.pi_high - normal.pi_low < t_style.pi_high - t_style.pi_low  # z < t_1
    # I^2 from tau^2 (metafor): tau^2 / (tau^2 + s^2), s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2)
    w = [2.0, 2.0, 1.0]
    s2 = 2 * sum(w) / (sum(w) ** 2 - sum(x**2 for x in w))
    from_tau2 = meta_analyse(y, v, "dersimonian-laird", 0.95, i2_from="tau2")
    assert from_tau2.i2 == pytest.approx(t_style.tau2 / (t_style.tau2 + s2))
    # for DerSimonian-Laird both definitions agree (the moment estimate is built from Q)
    assert from_tau2.i2 == pytest.approx(t_style.i2)


def test_hksj_prediction_interval_as_metafor_predict_by_hand() -> None:
    # Issue 18, 7a. Effects 1, 2, 4; variances 0.5, 0.5, 1; DerSimonian-Laird.
    # Fixed weights 2, 2, 1: mu_FE = (2 + 4 + 4) / 5 = 2, Q = 2*1 + 0 + 1*4 = 6,
    # C = 5 - 9/5 = 3.2, tau^2 = (6 - 2) / 3.2 = 1.25.
    # RE weights 1/1.75, 1/1.75, 1/2.25 = 4/7, 4/7, 4/9 (sum 100/63): mu = (12/7 + 16/9) /
    # (100/63) = 2.2. HKSJ: sum w (y - mu)^2 = 4/7 (1.44 + 0.04) + 4/9 * 3.24 = 16/7, over
    # k - 1 = 2 gives 8/7; se^2 = (8/7) / (100/63) = 0.72.
    # metafor's predict() on a knha fit: 2.2 +/- t_{2, 0.975} sqrt(1.25 + 0.72),
    # t_{2, 0.975} = 4.302653, so the half-width is 4.302653 x 1.403567 = 6.03907.
    fit = meta_analyse([1.0, 2.0, 4.0], [0.5, 0.5, 1.0], "dersimonian-laird", interval="hksj")
    assert fit.tau2 == pytest.approx(1.25)
    assert fit.se**2 == pytest.approx(0.72)
    assert (fit.pi_low, fit.pi_high) == pytest.approx((2.2 - 6.03907, 2.2 + 6.03907), rel=1e-5)
    # never narrower than its own confidence interval (2.2 +/- 4.302653 x sqrt(0.72))
    assert fit.ci_high - fit.ci_low == pytest.approx(2 * 4.302653 * math.sqrt(0.72), rel=1e-6)
    assert fit.pi_high - fit.pi_low > fit.ci_high - fit.ci_low
    # with two studies: t_1 and the HKSJ se still give an interval (k - 1 = 1 df)
    two = meta_analyse([1.0, 3.0], [0.5, 0.5], "dersimonian-laird", interval="hksj")
    assert math.isfinite(two.pi_low) and two.pi_high - two.pi_low > two.ci_high - two.ci_low


def test_fixed_effect_i2_from_tau2_is_metafors_q_based_value() -> None:
    # Issue 18, 7b. Same data: Q = 6 on 2 df, so metafor's FE model reports
    # I^2 = (Q - df) / Q = 4/6; the fixed effect has no tau^2, so 0 would be wrong.
    fit = meta_analyse([1.0, 2.0, 4.0], [0.5, 0.5, 1.0], "fixed", i2_from="tau2")
    assert fit.i2 == pytest.approx(2 / 3)
    assert fit.tau2 == 0.0


def test_meta_command_options(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(
        run_cli(
            capsys, "meta", "--method", "paule-mandel", "--interval", "hksj", "--format", "json"
        ).out
    )
    results = data["meta_analysis"]["results"]
    assert list(results) == ["paule-mandel"] and results["paule-mandel"]["interval"] == "hksj"

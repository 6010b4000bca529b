"""EVSI, ENBS and the best trial size (``peervalue evsi``): closed forms, a nested Monte
Carlo, the ordering EVSI <= EVPPI, growth with n, hand-worked ENBS, the CLI and the figure."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.uncertainty import evsi as ev
from tests.cli_helpers import run_cli

#: Monte Carlo tolerance of a regression EVSI on 200,000 draws against a closed form:
#: the estimate's bootstrap SE there is about 0.5% of the value; 3% is six SEs
CLOSED_FORM_RTOL = 0.03
#: regression against the nested Monte Carlo (2,000 outer data sets: SE about 3%)
NESTED_RTOL = 0.08


# --- the closed form itself ------------------------------------------------------------


def test_expected_positive_part_by_hand() -> None:
    # E[max(X, 0)] for X ~ N(0, 1) is phi(0) = 1 / sqrt(2 pi) = 0.398942
    assert ev.expected_positive_part(0.0, 1.0) == pytest.approx(0.3989423, abs=1e-7)
    # N(1, 1): 1 x Phi(1) + phi(1) = 0.841345 + 0.241971 = 1.083316
    assert ev.expected_positive_part(1.0, 1.0) == pytest.approx(1.0833155, abs=1e-6)


def test_closed_form_by_hand() -> None:
    # NB = 1000 theta, theta ~ N(0, 1), sigma = 1: the preposterior variance of the
    # posterior mean is s^4 / (s^2 + sigma^2) = 1/2, so E[NB | X] ~ N(0, 1000^2 / 2) and
    # EVSI = 1000 x sqrt(1/2) x phi(0) = 1000 x 0.707107 x 0.398942 = 282.095
    assert ev.evsi_normal_linear(0.0, 1000.0, 0.0, 1.0, 1.0) == pytest.approx(282.095, abs=1e-3)
    # sigma = 0 is perfect information: 1000 x 0.398942
    assert ev.evsi_normal_linear(0.0, 1000.0, 0.0, 1.0, 0.0) == pytest.approx(398.942, abs=1e-3)


def test_closed_form_against_numerical_integration() -> None:
    """An independent route: integrate max(E[NB | x], 0) over the prior predictive of x."""
    from scipy import integrate, stats

    a, b, m, s, sigma = -2000.0, -30000.0, -0.2, 0.3, 0.5

    def integrand(x: float) -> float:
        post_mean = (sigma**2 * m + s**2 * x) / (s**2 + sigma**2)
        predictive = stats.norm.pdf(x, m, math.sqrt(s**2 + sigma**2))
        return float(max(a + b * post_mean, 0.0) * predictive)

    value, _ = integrate.quad(integrand, m - 12, m + 12, limit=200)
    expected = value - max(a + b * m, 0.0)
    assert ev.evsi_normal_linear(a, b, m, s, sigma) == pytest.approx(expected, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(-5e4, 5e4),
    b=st.floats(-1e5, 1e5),
    m=st.floats(-1, 1),
    s=st.floats(0.05, 1),
    sigmas=st.lists(st.floats(0, 5), min_size=2, max_size=2),
)
def test_closed_form_falls_with_noise_and_stays_below_evppi(
    a: float, b: float, m: float, s: float, sigmas: list[float]
) -> None:
    lo, hi = sorted(sigmas)
    evppi = ev.evsi_normal_linear(a, b, m, s, 0.0)
    more_data = ev.evsi_normal_linear(a, b, m, s, lo)
    less_data = ev.evsi_normal_linear(a, b, m, s, hi)
    tol = 1e-9 * (abs(a) + abs(b) + 1)
    assert -tol <= less_data <= more_data + tol <= evppi + 2 * tol


# --- the regression against the closed form and a nested Monte Carlo ------------------


@pytest.mark.parametrize("n", [5, 20, 80, 320])
def test_regression_matches_the_conjugate_normal_closed_form(n: int) -> None:
    """theta ~ N(-0.3, 0.4^2); one trial estimate X ~ N(theta, 2 cv^2 / n), cv = 1.5;
    NB = -12,000 + 60,000 x (-theta) is linear, so EVSI has the closed form."""
    rng = np.random.default_rng(20260101)
    draws = 200_000
    theta = rng.normal(-0.3, 0.4, draws)
    nb = -12_000.0 - 60_000.0 * theta
    cv = np.full(draws, 1.5)
    stat = ev.bed_days_statistic(theta, cv, n, np.random.default_rng(5))
    estimate = ev.evsi_regression(stat, nb)
    sigma = 1.5 * math.sqrt(2.0 / n)
    exact = ev.evsi_normal_linear(-12_000.0, -60_000.0, -0.3, 0.4, sigma)
    assert estimate == pytest.approx(exact, rel=CLOSED_FORM_RTOL)


@pytest.mark.parametrize("n", [20, 200])
def test_regression_matches_a_nested_monte_carlo_for_the_readmission_trial(n: int) -> None:
    """The readmission design with an uncertain control risk and a non-linear net benefit:
    the regression (one sample of 20,000 draws) against a nested Monte Carlo (2,000
    simulated trials from independent draws, each trial's posterior mean of NB by
    importance weights over the 20,000 draws, 250 trials at a time)."""
    rng = np.random.default_rng(3)
    draws = 20_000
    theta = rng.normal(-0.3, 0.35, draws)
    risk = rng.beta(83, 133, draws)
    nb = 60_000.0 * (1.0 - np.exp(theta)) - 12_000.0 + rng.normal(0.0, 5_000.0, draws)
    stat = ev.readmission_statistic(theta, risk, n, np.random.default_rng(7))
    regression = ev.evsi_regression(stat, nb)
    outer = np.random.default_rng(11)
    m = 2_000
    theta_o = outer.normal(-0.3, 0.35, m)
    risk_o = outer.beta(83, 133, m)
    x_c = outer.binomial(n, risk_o)
    x_t = outer.binomial(n, np.clip(risk_o * np.exp(theta_o), 0.0, 1.0))
    means = np.concatenate(
        [
            ev.posterior_means(
                nb, ev.readmission_loglik(x_t[i : i + 250], x_c[i : i + 250], n, theta, risk)
            )
            for i in range(0, m, 250)
        ]
    )
    nested = ev.nested_value(means, nb)
    assert regression == pytest.approx(nested, rel=NESTED_RTOL)


def test_evsi_below_the_evppi_of_the_effect_and_rising_with_n() -> None:
    """EVSI <= EVPPI(theta) within Monte Carlo error, and rising with n (the same draws
    and noise stream for each n) towards it."""
    rng = np.random.default_rng(9)
    draws = 100_000
    theta = rng.normal(-0.4, 0.5, draws)
    caseload = rng.triangular(8, 15, 25, draws)
    nb = caseload * (1.0 - np.exp(theta)) * 48.0 * 719.1 - 64_000.0
    evppi = ev.evsi_regression(theta, nb)
    values = []
    for n in (10, 40, 160, 640, 2560):
        stat = ev.bed_days_statistic(theta, np.full(draws, 1.5), n, np.random.default_rng(1))
        values.append(ev.evsi_regression(stat, nb))
    se = 0.01 * evppi  # the bootstrap SE of these estimates is under 1% of the EVPPI
    assert all(v <= evppi + 2 * se for v in values)
    assert all(later >= earlier - 2 * se for earlier, later in itertools.pairwise(values))
    assert values[-1] >= 0.9 * evppi > values[0]


def test_bootstrap_counts_resample_every_draw_once_per_row() -> None:
    counts = ev.bootstrap_counts(1_000, 7, np.random.default_rng(2))
    assert counts.shape == (7, 1_000)
    assert (counts.sum(axis=1) == 1_000).all()
    g = np.linspace(-1, 2, 1_000)
    # with every weight 1, the bootstrap value is the plain one: mean(max(g, 0)) - max(mean, 0)
    ones = ev.evsi_bootstrap(g, g, np.ones((1, 1_000), dtype=np.int32))
    assert ones[0] == pytest.approx(np.mean(np.maximum(g, 0)) - np.mean(g))


# --- ENBS -----------------------------------------------------------------------------


def test_enbs_by_hand() -> None:
    # 100 a arm: 1,000,000 - (500,000 + 1,500 x 200) = 200,000;
    # 200 a arm: 2,000,000 - (500,000 + 1,500 x 400) = 900,000
    out = ev.enbs(np.array([1e6, 2e6]), 500_000.0, 1_500.0, [100, 200])
    assert out.tolist() == [200_000.0, 900_000.0]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    from peervalue.service.evsi import run_evsi
    from peervalue.service.requests import EvsiRequest

    return run_evsi(EvsiRequest(n=(50, 200, 800), draws=20_000, bootstrap=50))


def test_service_population_and_enbs_arithmetic(result) -> None:  # type: ignore[no-untyped-def]
    # 500 FTE over 10 years at 3.5%, year 0 undiscounted:
    # sum_{t=0}^{9} 1.035^-t = (1 - 1.035^-10) / (1 - 1/1.035) = 8.60769; x 500 = 4,303.84
    assert result.population_multiplier == pytest.approx(4303.84, abs=0.01)
    for p in result.points:
        assert p.participants == 2 * p.n_per_arm
        assert p.trial_cost == 500_000 + 1_500 * 2 * p.n_per_arm
        assert p.evsi_population == pytest.approx(p.evsi_per_fte_year * 4303.843, rel=1e-6)
        assert p.enbs == pytest.approx(p.evsi_population - p.trial_cost)
        # worst case: 250 FTE and the dearest trial (1,000,000 + 3,000 per participant)
        worst = p.evsi_per_fte_year * 250 * 8.607686 - (1_000_000 + 3_000 * 2 * p.n_per_arm)
        assert p.enbs_worst_case == pytest.approx(worst, rel=1e-6)
        assert p.evsi_per_fte_year_low <= p.evsi_per_fte_year <= p.evsi_per_fte_year_high
    best = max(result.points, key=lambda p: p.enbs)
    assert result.optimal_n_per_arm == best.n_per_arm
    assert result.optimal_n_low <= result.optimal_n_per_arm <= result.optimal_n_high
    assert result.evppi_effect_per_fte_year <= result.evpi_per_fte_year


def test_cli_json_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "evsi.json"
    args = ["evsi", "--n", "100,400", "--draws", "5000", "--bootstrap", "20"]
    run = run_cli(capsys, *args, "--format", "json", "--output", str(out))
    assert run.code == 0, run.err
    data = json.loads(out.read_text())
    assert [p["n_per_arm"] for p in data["points"]] == [100, 400]
    assert data["design"] == "rct-readmission"
    run = run_cli(capsys, *args, "--design", "rct-bed-days", "--format", "csv")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("n_per_arm,participants,evsi_per_fte_year")
    assert len(run.out.splitlines()) == 3


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--n", "5,100"], "got 5 patients per arm"),
        (["--n", "100,100"], "a size given twice"),
        (["--population-range", "600"], "LOW,HIGH"),
        (["--setup-cost", "2000000"], "setup_cost 2,000,000 outside its range"),
        (["--follow-up-months", "0"], "whole months from 1 to 60"),
    ],
)
def test_cli_refuses_bad_options(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(capsys, "evsi", *args)
    assert run.code == 2
    assert fragment in run.err
    assert "Traceback" not in run.err


def test_figure_draws_the_points(result) -> None:  # type: ignore[no-untyped-def]
    from peervalue.figures.catalogue import FIGURES, FigureInputs
    from peervalue.service.figures import draw

    inputs = FigureInputs(evsi=result)
    fig = draw("evsi", inputs)
    top, bottom = fig.axes
    evsi_line = next(line for line in top.get_lines() if line.get_label() == "EVSI")
    assert np.asarray(evsi_line.get_ydata()).tolist() == pytest.approx(
        [p.evsi_per_fte_year for p in result.points]
    )
    enbs_line = next(line for line in bottom.get_lines() if line.get_label() == "ENBS")
    assert np.asarray(enbs_line.get_xdata()).tolist() == [p.n_per_arm for p in result.points]
    alt = FIGURES["evsi"].alt(inputs)
    assert f"{result.points[0].n_per_arm:,} per arm" in alt

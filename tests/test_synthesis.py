"""The evidence synthesis (issue 18): effect sizes by hand, the exact Bayesian model against
an independent brute-force 2-D grid, property tests, small-study checks and the command."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from peervalue.evidence.schema import Study
from peervalue.synthesis import bayes, small_study
from peervalue.synthesis.analysis import Options, synthesise
from peervalue.synthesis.effects import effect_sizes
from peervalue.synthesis.priors import (
    MuPrior,
    TauPrior,
    parse_bias_prior,
    parse_mu_prior,
    parse_tau_prior,
)
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC

FloatArray = npt.NDArray[np.float64]
SOURCE = {"citation": "synthetic"}
HALF_NORMAL = TauPrior(kind="halfnormal", scale=0.5)
VAGUE = MuPrior(mean=0.0, sd=4.0)


def _q(value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": unit, "status": "reported", "source": SOURCE, **extra}


def _study(sid: str, outcome: dict[str, Any], n_i: float, n_c: float | None, **kw: Any) -> Study:
    arms: dict[str, Any] = {"intervention": _q(n_i, "patients")}
    if n_c is not None:
        arms["control"] = _q(n_c, "patients")
    return Study.model_validate(
        {
            "id": sid,
            "citation": {"authors": ["Test A"], "year": kw.get("year", 2010), "title": sid},
            "country": "England",
            "design": kw.get("design", "rct"),
            "peer_role": "additional",
            "setting": "synthetic",
            "follow_up": _q(kw.get("months", 12), "months"),
            "arms": arms,
            "outcome": outcome,
            "peer_input": {"fte_years": _q(1, "FTE-years")},
        }
    )


def _by_id(studies: list[Study], scale: str = "relative") -> dict[str, Any]:
    effects, excluded, _ = effect_sizes(studies, scale)  # type: ignore[arg-type]
    return {e.id: e for e in effects} | {k: v for k, v in excluded.items()}


SLEDGE = {
    "kind": "mean_bed_days",
    "intervention_mean": _q(10.08, "bed-days/patient"),
    "intervention_sd": _q(17.31, "bed-days/patient"),
    "control_mean": _q(19.08, "bed-days/patient"),
    "control_sd": _q(21.63, "bed-days/patient"),
}


# ------------------------------------------------------------------ effect sizes by hand
def test_log_ratio_of_mean_bed_days_by_hand() -> None:
    # Sledge 2011: 10.08 (sd 17.31, n 38) against 19.08 (sd 21.63, n 36) bed-days.
    # ln(10.08 / 19.08) = ln(0.528302) = -0.638087
    # var = 17.31^2 / (38 x 10.08^2) + 21.63^2 / (36 x 19.08^2)
    #     = 299.6361 / 3861.0432 + 467.8569 / 13105.6704 = 0.0776051 + 0.0356989 = 0.113304
    e = _by_id([_study("sledge", SLEDGE, 38, 36, months=9)])["sledge"]
    assert e.effect == pytest.approx(-0.638087, abs=1e-6)
    assert e.se == pytest.approx(math.sqrt(0.113304), rel=1e-5)
    assert e.se_basis == "reported" and e.ratio == pytest.approx(0.528302, rel=1e-6)


def test_absolute_bed_days_saved_per_patient_year_by_hand() -> None:
    # (19.08 - 10.08) / 0.75 years = 12; se = sqrt(21.63^2/36 + 17.31^2/38) / 0.75
    #   = sqrt(12.99603 + 7.88516) / 0.75 = 4.569594 / 0.75 = 6.092792
    e = _by_id([_study("sledge", SLEDGE, 38, 36, months=9)], "absolute")["sledge"]
    assert e.effect == pytest.approx(12.0)
    assert e.se == pytest.approx(6.092792, rel=1e-6)


def test_log_risk_ratio_from_counts_by_hand() -> None:
    # CORE 2018: 64 of 218 against 83 of 216 readmitted.
    # ln((64/218) / (83/216)) = ln(0.293578 / 0.384259) = ln(0.764011) = -0.269174
    # var = 1/64 - 1/218 + 1/83 - 1/216 = 0.015625 - 0.004587 + 0.012048 - 0.004630 = 0.018456
    outcome = {
        "kind": "readmission_counts",
        "intervention_readmitted": _q(64, "patients"),
        "control_readmitted": _q(83, "patients"),
        "length_of_stay": _q(32, "days/admission"),
    }
    e = _by_id([_study("core", outcome, 218, 216)])["core"]
    assert e.effect == pytest.approx(-0.269174, abs=1e-6)
    assert e.se**2 == pytest.approx(0.0184564, rel=1e-4)


def test_zero_cell_gets_half_added_to_every_cell() -> None:
    # 0 of 10 against 5 of 10: cells + 0.5 -> 0.5 of 11 against 5.5 of 11;
    # ln(0.5 / 5.5) = ln(1/11) = -2.397895; var = 1/0.5 - 1/11 + 1/5.5 - 1/11 = 2.0
    outcome = {
        "kind": "readmission_counts",
        "intervention_readmitted": _q(0, "patients"),
        "control_readmitted": _q(5, "patients"),
        "length_of_stay": _q(10, "days/admission"),
    }
    e = _by_id([_study("zero", outcome, 10, 10)])["zero"]
    assert e.effect == pytest.approx(-math.log(11))
    assert e.se == pytest.approx(math.sqrt(2.0))
    assert "0.5 added" in (e.note or "")


def test_log_risk_ratio_from_odds_ratio_and_control_risk_by_hand() -> None:
    # Croft 2015: OR 0.3 (0.15 to 0.6 read as a 95% interval), control risk 0.5.
    # p_i = 0.3 x 0.5 / (1 - 0.5 + 0.3 x 0.5) = 0.15 / 0.65 = 0.230769; RR = 0.461538,
    # ln RR = -0.773190. se(ln OR) = ln(0.6 / 0.15) / 3.919928 = 1.386294 / 3.919928
    # = 0.353653; se(ln RR) = (1 - p_i) se(ln OR) = 0.769231 x 0.353653 = 0.272041.
    outcome = {
        "kind": "readmission_odds_ratio",
        "odds_ratio": _q(0.3, "ratio", range=[0.15, 0.6]),
        "control_risk": _q(0.5, "proportion"),
        "length_of_stay": _q(8, "days/admission"),
    }
    found = _by_id([_study("croft", outcome, 139, 139, design="controlled")])
    e = found["croft"]
    assert e.effect == pytest.approx(-0.773190, abs=1e-6)
    assert e.se == pytest.approx(0.272041, rel=1e-5)
    assert e.se_basis == "interval" and e.at_risk_of_bias and not e.randomised
    # absolute: (0.5 - 0.230769) x 8 days / 1 year = 2.153846 bed-days per patient-year;
    # se = p_i (1 - p_i) se(ln OR) x 8 = 0.230769 x 0.769231 x 0.353653 x 8 = 0.502229
    a = _by_id([_study("croft", outcome, 139, 139, design="controlled")], "absolute")["croft"]
    assert a.effect == pytest.approx(2.153846, rel=1e-6)
    assert a.se == pytest.approx(0.502229, rel=1e-5)


def test_missing_sds_imputed_from_the_coefficient_of_variation() -> None:
    # A reports SDs: 10 (sd 15) against 20 (sd 20), 50 per arm:
    #   var = 225 / (50 x 100) + 400 / (50 x 400) = 0.045 + 0.02 = 0.065, se = 0.254951;
    #   n~ = 1 / (1/50 + 1/50) = 25, unit SD = 0.254951 x 5 = 1.274755.
    # B reports none, 20 per arm: n~ = 10, se = 1.274755 / sqrt(10) = 0.403113, imputed.
    a = {
        "kind": "mean_bed_days",
        "intervention_mean": _q(10, "bed-days/patient"),
        "intervention_sd": _q(15, "bed-days/patient"),
        "control_mean": _q(20, "bed-days/patient"),
        "control_sd": _q(20, "bed-days/patient"),
    }
    b = {
        "kind": "mean_bed_days",
        "intervention_mean": _q(8, "bed-days/patient"),
        "control_mean": _q(12, "bed-days/patient"),
    }
    effects, excluded, imputation = effect_sizes(
        [_study("a", a, 50, 50), _study("b", b, 20, 20)], "relative"
    )
    assert not excluded
    found = {e.id: e for e in effects}
    assert found["b"].se == pytest.approx(0.403113, rel=1e-5)
    assert found["b"].se_basis == "imputed" and found["b"].imputed
    assert found["b"].effect == pytest.approx(math.log(8 / 12))
    assert imputation.imputed_studies == ["b"] and imputation.from_studies == ["a"]
    assert imputation.unit_sd["log ratio of mean bed-days"][0] == pytest.approx(1.274755, rel=1e-5)
    # one study to impute from: the range is half to twice its unit SD
    assert (found["b"].se_low, found["b"].se_high) == pytest.approx(
        (0.403113 / 2, 0.403113 * 2), rel=1e-5
    )


def test_studies_that_cannot_enter_say_why() -> None:
    saved = {
        "kind": "bed_days_saved_per_patient",
        "saved_per_patient": _q(5, "bed-days/patient"),
    }
    assumed = {
        "kind": "bed_days_saved_per_patient",
        "saved_per_patient": {
            "value": 0,
            "unit": "bed-days/patient",
            "status": "assumed",
            "range": [-5, 5],
            "rationale": "synthetic",
        },
    }
    found = _by_id([_study("saved", saved, 10, 10), _study("assumed", assumed, 10, 10)])
    assert "without the control arm's bed-days" in found["saved"]
    assert "assumption" in found["assumed"]


# ------------------------------------------------------------------ the Bayesian model
def brute_force(
    y: FloatArray, s: FloatArray, tau_prior: TauPrior, mu_prior: MuPrior
) -> dict[str, float]:
    """An independent computation: the joint posterior on a 2-D (mu, tau) grid by direct
    evaluation of prior x likelihood (no conditional-normal algebra), then sums."""
    centre, spread = float(np.mean(y)), float(np.max(s) + np.ptp(y) + 3 * tau_prior.scale)
    mus = np.linspace(centre - 6 * spread, centre + 6 * spread, 1201)
    tau_max = 12 * tau_prior.scale if tau_prior.kind != "uniform" else tau_prior.scale
    taus = (np.arange(1200) + 0.5) * tau_max / 1200
    m, t = np.meshgrid(mus, taus, indexing="ij")
    log_p = np.zeros_like(m)
    if mu_prior.sd is not None:
        log_p += stats.norm.logpdf(m, mu_prior.mean, mu_prior.sd)
    if tau_prior.kind == "halfnormal":
        log_p += stats.halfnorm.logpdf(t, scale=tau_prior.scale)
    elif tau_prior.kind == "halfcauchy":
        log_p += stats.halfcauchy.logpdf(t, scale=tau_prior.scale)
    for yi, si in zip(y, s, strict=True):
        log_p += stats.norm.logpdf(yi, m, np.sqrt(si**2 + t**2))
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    p_mu = p.sum(axis=1)
    dmu = mus[1] - mus[0]
    cdf = np.cumsum(p_mu) - p_mu / 2  # midpoint rule

    # predictive: theta_new ~ N(mu, tau^2) at each grid point; its quantiles by bisection
    def pred_quantile(prob: float) -> float:
        lo, hi = float(mus[0]), float(mus[-1])
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            if float((p * stats.norm.cdf((mid - m) / t)).sum()) < prob:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    return {
        "mu_mean": float((p * m).sum()),
        "mu_sd": float(math.sqrt((p * m**2).sum() - (p * m).sum() ** 2)),
        "tau_mean": float((p * t).sum()),
        "mu_low": float(np.interp(0.025, cdf, mus)),
        "mu_median": float(np.interp(0.5, cdf, mus)),
        "mu_high": float(np.interp(0.975, cdf, mus)),
        "pred_low": pred_quantile(0.025),
        "pred_high": pred_quantile(0.975),
        "p_below_0": float(np.interp(0.0, mus, cdf)),
        "dmu": float(dmu),
    }


CASES = [
    # the three relative effects of all-2026 (Sledge, CORE, Croft)
    (np.array([-0.638, -0.269, -0.773]), np.array([0.337, 0.136, 0.272]), HALF_NORMAL, VAGUE),
    (
        np.array([-0.5, -0.1, -0.9, 0.2, 0.3]),
        np.array([0.3, 0.2, 0.4, 0.5, 0.25]),
        TauPrior(kind="halfcauchy", scale=0.5),
        MuPrior(),
    ),
    (
        np.array([1.0, 2.0, 4.0]),
        np.array([0.7, 0.7, 1.0]),
        TauPrior(kind="uniform", scale=3.0),
        MuPrior(mean=1, sd=10),
    ),
]
#: the brute-force grid's resolution limits agreement: means to 2e-4 of the posterior sd,
#: quantiles to about two of its mu steps
MEAN_TOL = 2e-3


@pytest.mark.parametrize(("y", "s", "tau_prior", "mu_prior"), CASES)
def test_posterior_matches_a_brute_force_grid(
    y: FloatArray, s: FloatArray, tau_prior: TauPrior, mu_prior: MuPrior
) -> None:
    ref = brute_force(y, s, tau_prior, mu_prior)
    f = bayes.fit(y, s, tau_prior, mu_prior)
    mu = bayes.coefficient(f, 0, 0.95)
    tol = MEAN_TOL * ref["mu_sd"]
    assert mu.mean == pytest.approx(ref["mu_mean"], abs=tol)
    assert bayes.tau_summary(f, 0.95).mean == pytest.approx(ref["tau_mean"], abs=MEAN_TOL)
    q_tol = 3 * ref["dmu"]
    assert (mu.low, mu.median, mu.high) == pytest.approx(
        (ref["mu_low"], ref["mu_median"], ref["mu_high"]), abs=q_tol
    )
    pred = bayes.predictive(f, 0.95)
    assert (pred.low, pred.high) == pytest.approx(
        (ref["pred_low"], ref["pred_high"]), abs=4 * q_tol
    )
    assert bayes.coefficient_below(f, 0) == pytest.approx(ref["p_below_0"], abs=2e-3)


#: bayesmeta's marginal of tau is integrated to about 1e-6; its summaries of mu come from
#: the DIRECT mixture approximation (Röver & Friede 2017, accuracy delta = 0.01), which
#: moves them by a few 1e-4 of mu's sd
BAYESMETA_TAU_ATOL = 1e-5
BAYESMETA_MU_ATOL = 1e-3


def test_eight_schools_as_published_in_the_bayesmeta_vignette() -> None:
    # bayesmeta's vignette ("The practical side: a simple example", inst/doc/bayesmeta.html
    # of the CRAN package): Rubin (1981)'s eight schools, tau ~ half-Cauchy(25),
    # mu ~ N(0, 50^2). Printed marginal posterior summary: tau median 4.758539, mean
    # 5.884511, sd 4.869904; mu median 7.962961, mean 7.985729, sd 4.995762.
    y = np.array([28.39, 7.94, -2.75, 6.82, -0.64, 0.63, 18.01, 12.16])
    s = np.array([14.9, 10.2, 16.3, 11.0, 9.4, 11.4, 10.4, 17.6])
    f = bayes.fit(y, s, TauPrior(kind="halfcauchy", scale=25), MuPrior(mean=0, sd=50))
    tau = bayes.tau_summary(f, 0.95)
    assert tau.median == pytest.approx(4.758539, abs=BAYESMETA_TAU_ATOL)
    assert tau.mean == pytest.approx(5.884511, abs=BAYESMETA_TAU_ATOL)
    tau_sd = math.sqrt(float(f.mass @ f.tau**2) - tau.mean**2)
    assert tau_sd == pytest.approx(4.869904, abs=BAYESMETA_TAU_ATOL)
    mu = bayes.coefficient(f, 0, 0.95)
    assert mu.median == pytest.approx(7.962961, abs=BAYESMETA_MU_ATOL)
    assert mu.mean == pytest.approx(7.985729, abs=BAYESMETA_MU_ATOL)
    mu_sd = math.sqrt(float(f.mass @ (f.cov[:, 0, 0] + f.mean[:, 0] ** 2)) - mu.mean**2)
    assert mu_sd == pytest.approx(4.995762, abs=BAYESMETA_MU_ATOL)


def test_one_study_with_a_flat_mean_prior_leaves_tau_at_its_prior() -> None:
    # With one study and a flat prior on mu, p(y | tau) does not depend on tau, so the
    # posterior of tau is its prior: half-normal(0.5) has mean 0.5 sqrt(2/pi) = 0.398942
    f = bayes.fit([0.3], [0.2], HALF_NORMAL, MuPrior())
    assert bayes.tau_summary(f, 0.95).mean == pytest.approx(0.398942, rel=1e-3)
    # and its median is 0.5 x 0.674490 = 0.337245
    assert bayes.tau_summary(f, 0.95).median == pytest.approx(0.337245, rel=2e-3)


effects_strategy = st.lists(
    st.tuples(st.floats(-2, 2, allow_nan=False), st.floats(0.05, 1.0, allow_nan=False)),
    min_size=2,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(effects_strategy)
def test_tau_fixed_at_zero_recovers_the_fixed_effect(pairs: list[tuple[float, float]]) -> None:
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs])
    w = 1 / s**2
    f = bayes.fit(y, s, HALF_NORMAL, MuPrior(), tau_fixed=0.0)
    mu = bayes.coefficient(f, 0, 0.95)
    fe, se = float(w @ y / w.sum()), math.sqrt(1 / float(w.sum()))
    assert mu.mean == pytest.approx(fe, abs=1e-9)
    assert (mu.low, mu.high) == pytest.approx((fe - 1.959964 * se, fe + 1.959964 * se), abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(effects_strategy, st.floats(-5, 5, allow_nan=False))
def test_a_study_with_a_huge_se_changes_nothing(
    pairs: list[tuple[float, float]], extra: float
) -> None:
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs])
    base = bayes.fit(y, s, HALF_NORMAL, VAGUE)
    more = bayes.fit(np.append(y, extra), np.append(s, 1e7), HALF_NORMAL, VAGUE)
    a, b = bayes.coefficient(base, 0, 0.95), bayes.coefficient(more, 0, 0.95)
    assert (b.mean, b.low, b.high) == pytest.approx((a.mean, a.low, a.high), abs=1e-6)
    ta, tb = bayes.tau_summary(base, 0.95), bayes.tau_summary(more, 0.95)
    assert tb.mean == pytest.approx(ta.mean, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(effects_strategy)
def test_duplicating_every_study_narrows_the_interval(pairs: list[tuple[float, float]]) -> None:
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs])
    once = bayes.coefficient(bayes.fit(y, s, HALF_NORMAL, VAGUE), 0, 0.95)
    twice = bayes.coefficient(bayes.fit(np.tile(y, 2), np.tile(s, 2), HALF_NORMAL, VAGUE), 0, 0.95)
    assert twice.high - twice.low < once.high - once.low


def test_meta_regression_recovers_a_known_difference() -> None:
    # Three randomised studies at -0.5 and three non-randomised at -1.0, all se 0.05:
    # the randomised coefficient is about +0.5, the intercept about -1.0.
    y = np.array([-0.5, -0.5, -0.5, -1.0, -1.0, -1.0])
    s = np.full(6, 0.05)
    x = np.array([1, 1, 1, 0, 0, 0], dtype=float)[:, np.newaxis]
    f = bayes.fit(y, s, HALF_NORMAL, VAGUE, covariates=x, coefficient_sd=4.0)
    assert bayes.coefficient(f, 0, 0.95).mean == pytest.approx(-1.0, abs=0.01)
    assert bayes.coefficient(f, 1, 0.95).mean == pytest.approx(0.5, abs=0.01)


# ------------------------------------------------------------------ small-study checks
def test_egger_matches_an_ordinary_least_squares_fit() -> None:
    y = np.array([0.1, 0.3, 0.5, 0.2, 0.9, 1.1])
    s = np.array([0.1, 0.2, 0.3, 0.15, 0.5, 0.6])
    egger = small_study.egger(y, s)
    assert egger is not None
    fit = stats.linregress(1 / s, y / s)  # standardised effect on precision
    assert egger.intercept == pytest.approx(fit.intercept)
    assert egger.intercept_se == pytest.approx(fit.intercept_stderr)
    assert egger.slope == pytest.approx(fit.slope)
    assert egger.p_value == pytest.approx(2 * stats.t.sf(abs(egger.t), 4))


def test_trim_and_fill_finds_nothing_in_a_symmetric_funnel_and_fills_a_cut_one() -> None:
    s = np.array([0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.6])
    y = np.array([0.0, 0.2, -0.2, 0.5, -0.5, 0.9, -0.9])
    assert small_study.trim_fill(y, s, "left")[0] == 0
    # remove the small studies on the left: the filled studies mirror those on the right
    keep = y >= -0.2
    k0, filled, _, estimate, _ = small_study.trim_fill(y[keep], s[keep], "left")
    assert k0 >= 1 and np.all(filled < 0)
    assert estimate < small_study.fixed_effect(y[keep], s[keep])[0]


def test_baujat_by_hand() -> None:
    # y = 0, 1, 3 with se 1: mu = 4/3; contributions (4/3)^2, (1/3)^2, (5/3)^2;
    # without study 3: mu = 0.5, var = 1/2, influence = (4/3 - 1/2)^2 x 2 = 25/18
    q, infl = small_study.baujat(np.array([0.0, 1.0, 3.0]), np.ones(3))
    assert q == pytest.approx([16 / 9, 1 / 9, 25 / 9])
    assert infl[2] == pytest.approx(25 / 18)


# ------------------------------------------------------------------ the whole synthesis
def test_synthesis_of_the_synthetic_folder_marks_imputed_ses() -> None:
    from peervalue.evidence.load import load_evidence

    ev = load_evidence(SYNTHETIC)
    result = synthesise(list(ev.listed), Options("relative", HALF_NORMAL, VAGUE), "synthetic")
    kinds = {e.id: e.se_basis for e in result.effects}
    assert "imputed" in kinds.values() or result.excluded
    assert result.small_study.warnings  # fewer than 10 studies
    assert len(result.prior_sensitivity) >= 3


def test_priors_parse_and_refuse() -> None:
    assert parse_tau_prior("halfnormal:10") == TauPrior(kind="halfnormal", scale=10)
    assert parse_tau_prior("half-cauchy:0.5").kind == "halfcauchy"
    assert parse_mu_prior("normal:0,100") == MuPrior(mean=0, sd=100)
    assert parse_mu_prior("flat").sd is None
    assert parse_bias_prior("normal:-0.2,0.1").sd == 0.1
    for bad in ("halfnormal:0", "halfnormal:-1", "gamma:1", "halfnormal:x", "halfnormal:nan"):
        with pytest.raises(ValueError, match="expected"):
            parse_tau_prior(bad)
    with pytest.raises(ValueError, match="SD above 0"):
        parse_mu_prior("normal:0")


def test_synthesis_command_all_2026(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(
        run_cli(capsys, "synthesis", "--evidence-set", "all-2026", "--format", "json").out
    )
    assert data["scale"] == "relative"
    assert {e["id"] for e in data["effects"]} == {"sledge2011", "core2018", "croft2015"}
    labels = [v["label"] for v in data["variants"]]
    assert "bias-adjusted" in labels and "randomised only" in labels
    assert len(data["prior_sensitivity"]) >= 3
    assert data["small_study"]["warnings"]
    main = data["main"]
    assert main["predictive"]["low"] < main["mu"]["low"] < main["mu"]["high"]
    assert 0.5 < main["p_reduces"] <= 1 and "enrich2022" in data["excluded"]


def test_synthesis_command_absolute_on_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(
        capsys,
        "synthesis",
        "--evidence",
        str(SYNTHETIC),
        "--scale",
        "absolute",
        "--tau-prior",
        "halfnormal:10",
        "--mu-prior",
        "normal:0,100",
        "--format",
        "csv",
    ).out
    header = out.splitlines()[0]
    assert header.startswith("section,label,measure,effect,se,se_basis")
    assert "tau ~ halfnormal:10" in out


@settings(max_examples=25, deadline=None)
@given(effects_strategy, st.sampled_from([VAGUE, MuPrior()]))
def test_fast_leave_one_out_equals_refitting(
    pairs: list[tuple[float, float]], mu_prior: MuPrior
) -> None:
    # the batched leave-one-out (sums minus each study's terms) against k plain refits
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs])
    fast = bayes.leave_one_out(y, s, HALF_NORMAL, mu_prior, 0.95)
    for i, omitted in enumerate(fast):
        keep = np.arange(y.size) != i
        f = bayes.fit(y[keep], s[keep], HALF_NORMAL, mu_prior)
        mu, pred = bayes.coefficient(f, 0, 0.95), bayes.predictive(f, 0.95)
        assert (omitted.mu.mean, omitted.mu.low, omitted.mu.high) == pytest.approx(
            (mu.mean, mu.low, mu.high), abs=1e-8
        )
        assert (omitted.predictive.low, omitted.predictive.high) == pytest.approx(
            (pred.low, pred.high), abs=1e-8
        )
        assert omitted.tau.median == pytest.approx(bayes.tau_summary(f, 0.95).median, abs=1e-8)
        assert omitted.mu_below_zero == pytest.approx(bayes.coefficient_below(f, 0), abs=1e-8)


def test_funnel_plot_marks_each_study_at_its_effect_and_se() -> None:
    from peervalue.figures.catalogue import FIGURES, FigureInputs
    from peervalue.service.figures import draw
    from peervalue.service.report import report_figures
    from peervalue.service.requests import ReportRequest, SynthesisRequest
    from peervalue.service.synthesis import run_synthesis

    result = run_synthesis(SynthesisRequest(evidence_set="all-2026"))
    inputs = FigureInputs(synthesis=result)
    fig = draw("funnel", inputs)
    studies = {
        (float(x), float(y))
        for line in fig.axes[0].get_lines()
        if line.get_label() in {"study", "study (imputed SE)"}
        for x, y in zip(np.asarray(line.get_xdata()), np.asarray(line.get_ydata()), strict=True)
    }
    assert studies == {(e.effect, e.se) for e in result.effects}
    assert "sledge2011" in FIGURES["funnel"].alt(inputs)
    # drawn by `peervalue plot funnel` only: the report's figures are unchanged
    assert "funnel" not in report_figures(ReportRequest())


def test_bias_adjustment_by_hand_and_switched_off() -> None:
    # Two studies: randomised y = -0.5 (se 0.2) and non-randomised y = -1.0 (se 0.2).
    # With tau fixed near 0 by a tight prior, the bias-adjusted model sees the second study
    # shifted by -ln 0.83 = +0.186 to -0.814 with se sqrt(0.2^2 + 0.2^2) = 0.283; its
    # inverse-variance mean is (-0.5/0.04 - 0.814/0.08) / (1/0.04 + 1/0.08) = -0.605.
    rct = _study("rct", SLEDGE, 38, 36)
    effects, _, _ = effect_sizes([rct], "relative")
    a = effects[0].model_copy(update={"id": "a", "effect": -0.5, "se": 0.2})
    b = effects[0].model_copy(
        update={"id": "b", "effect": -1.0, "se": 0.2, "randomised": False, "at_risk_of_bias": True}
    )
    tight = TauPrior(kind="halfnormal", scale=1e-6)
    from peervalue.synthesis.analysis import _bias_variants

    rows, info = _bias_variants(
        [a, b], Options("relative", tight, MuPrior()), parse_bias_prior("normal:-0.1863,0.2")
    )
    assert info is not None and rows[0].label == "bias-adjusted"
    shifted = -1.0 + 0.1863
    expected = (-0.5 / 0.04 + shifted / 0.08) / (1 / 0.04 + 1 / 0.08)
    assert rows[0].mu.mean == pytest.approx(expected, abs=1e-4)
    assert [r.label for r in rows[1:]] == [
        "bias-adjusted, bias sd 0.1",
        "bias-adjusted, bias sd 0.4",
    ]


def test_no_bias_switches_the_adjustment_off(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(
        run_cli(
            capsys, "synthesis", "--evidence-set", "all-2026", "--no-bias", "--format", "json"
        ).out
    )
    assert not any(v["label"].startswith("bias") for v in data["variants"])
    assert data["bias_prior"] is None and "switched off" in data["notes"][0]

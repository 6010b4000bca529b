"""Monte Carlo: distributions read from the files, chunk invariance, hand-checked summaries.

Synthetic evidence (see test_synthetic.py for the deterministic figures):
weighted pooled bed-days per FTE-year -13.75, ratio of sums 290 / 4 = 72.5 bed-days.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import peervalue
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.distributions import (
    ParameterDistribution,
    parameter_distributions,
)
from peervalue.uncertainty.psa import run_psa
from peervalue.uncertainty.summary import percentiles, probability_below, summarise
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, spec_of

#: Monte Carlo checks: with 200,000 draws the standard error of a probability is
#: at most 0.0011, so 0.005 is over four standard errors.
PROB_TOL = 0.005
MC_REL_TOL = 0.03


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return spec_of(SYNTHETIC, SYNTHETIC_COSTS)


@pytest.fixture(scope="module")
def bundled_spec() -> ModelSpec:
    return spec_of()


def _by_name(dists: list[ParameterDistribution]) -> dict[str, ParameterDistribution]:
    return {d.name: d for d in dists}


def test_distribution_rules_on_synthetic(spec: ModelSpec) -> None:
    d = _by_name(parameter_distributions(spec))
    # arm means with SDs: normal with standard error SD / sqrt(n)
    assert d["alpha:outcome.intervention_mean"].kind == "normal"
    assert d["alpha:outcome.intervention_sd"].kind == "fixed"
    assert d["alpha:outcome.intervention_mean"].sd == pytest.approx(5 / math.sqrt(40))
    assert d["alpha:outcome.control_mean"].sd == pytest.approx(8 / math.sqrt(40))
    # assumed values: PERT over their range with the stated value (2) as the mode; its
    # mean is (low + 4 x mode + high) / 6 = (1 + 8 + 3) / 6 = 2, the stated value
    fte = d["alpha:peer_input.fte"]
    assert (fte.kind, fte.low, fte.value, fte.high) == ("pert", 1.0, 2.0, 3.0)
    assert fte.mean() == pytest.approx(2.0)
    # reported values without a range are fixed; durations are in years
    assert d["beta:follow_up"].kind == "fixed"
    assert d["beta:follow_up"].value == pytest.approx(26 * 7 / 365.25)
    assert d["costs:peer_worker.total"].kind == "pert"


def test_reported_cost_with_range_is_gamma(bundled_spec: ModelSpec) -> None:
    # The bed-day declares its gamma (sd 8.5: about 5% either way as a 95% interval); the
    # cluster spread 319-366 is not uncertainty in the national mean, so it is no range.
    d = _by_name(parameter_distributions(bundled_spec))["costs:bed_day"]
    assert d.kind == "gamma"
    assert d.value == 334
    assert d.sd == pytest.approx(8.5)
    low, high = d.interval()
    assert low < 334 < high
    assert high - low == pytest.approx(2 * 1.96 * 8.5, rel=0.01)
    assert d.swing() == pytest.approx((low, high))  # no stated range: the 95% interval
    # a derived value at the top of its range (the NI rate, 0.0896 in 0.062-0.0896) cannot
    # be the middle of a 95% interval: a one-sided PERT with its mode at the top, shapes
    # alpha = 1 + 4 x (0.0896 - 0.062) / 0.0276 = 5 and beta = 1 + 4 x 0 = 1, mean
    # (0.062 + 4 x 0.0896 + 0.0896) / 6 = 0.085; no draw above 0.0896
    ni = _by_name(parameter_distributions(bundled_spec))[
        "costs:peer_worker.components.employer_national_insurance"
    ]
    assert (ni.kind, ni.low, ni.value, ni.high) == ("pert", 0.062, 0.0896, 0.0896)
    assert ni.mean() == pytest.approx(0.085)
    drawn = ni.sample(np.random.default_rng(3), 100_000)
    assert drawn.max() <= 0.0896 and drawn.min() >= 0.062
    # the density (x - 0.062)^4 puts (1/2)^5 = 1/32 of the draws in the lower half
    assert np.mean(drawn < (0.062 + 0.0896) / 2) == pytest.approx(1 / 32, abs=PROB_TOL)


def test_declared_distribution_overrides_default(synthetic_copy: object) -> None:
    from pathlib import Path

    from tests.conftest import edit_yaml

    folder = Path(str(synthetic_copy))

    def declare(data: dict[str, object]) -> None:
        peer = data["peer_input"]
        assert isinstance(peer, dict)
        peer["fte"]["distribution"] = {"kind": "triangular", "rationale": "most likely 2"}

    edit_yaml(folder / "alpha.yaml", declare)
    spec = spec_of(folder, SYNTHETIC_COSTS)
    fte = _by_name(parameter_distributions(spec))["alpha:peer_input.fte"]
    assert (fte.kind, fte.low, fte.value, fte.high) == ("triangular", 1.0, 2.0, 3.0)
    assert fte.mean() == pytest.approx(2.0)
    draws = fte.sample(np.random.default_rng(0), 200_000)
    assert draws.min() >= 1.0 and draws.max() <= 3.0
    assert draws.mean() == pytest.approx(2.0, abs=0.01)
    # the triangle's variance is (a^2 + b^2 + c^2 - ab - ac - bc) / 18 = 1/6
    assert draws.var() == pytest.approx(1 / 6, rel=MC_REL_TOL)


@pytest.mark.parametrize(
    "dist",
    [
        ParameterDistribution("x", "normal", 5.0, sd=2.0),
        ParameterDistribution("x", "lognormal", 5.0, sd=2.0),
        ParameterDistribution("x", "gamma", 5.0, sd=2.0),
        ParameterDistribution("x", "beta", 0.3, sd=0.1),
        # PERT(2, 3, 10): alpha = 1 + 4 x 1/8 = 1.5, beta = 1 + 4 x 7/8 = 4.5, mean
        # (2 + 4 x 3 + 10) / 6 = 4, sd = 8 x sqrt(1.5 x 4.5 / (36 x 7)) = 1.309307
        ParameterDistribution("x", "pert", 3.0, low=2.0, high=10.0),
    ],
)
def test_moment_matched_distributions(dist: ParameterDistribution) -> None:
    draws = dist.sample(np.random.default_rng(1), 400_000)
    if dist.kind == "pert":  # value is the mode
        assert dist.mean() == pytest.approx(4.0)
        assert draws.mean() == pytest.approx(4.0, rel=0.01)
        assert draws.std() == pytest.approx(8 * math.sqrt(1.5 * 4.5 / (36 * 7)), rel=0.01)
        assert draws.min() >= 2.0 and draws.max() <= 10.0
        return
    assert draws.mean() == pytest.approx(dist.value, rel=0.01)
    assert draws.std() == pytest.approx(dist.sd, rel=0.01)
    low, high = dist.interval()
    inside = np.mean((draws >= low) & (draws <= high))
    assert inside == pytest.approx(0.95, abs=PROB_TOL)


def test_same_seed_same_numbers_whatever_the_chunk_size(bundled_spec: ModelSpec) -> None:
    texts = {
        chunk: json.dumps(summarise(run_psa(bundled_spec, 30_000, 7, chunk_size=chunk)).to_dict())
        for chunk in (97, 1024, 5_000, 1 << 16)
    }
    assert len(set(texts.values())) == 1
    other_seed = json.dumps(summarise(run_psa(bundled_spec, 30_000, 8)).to_dict())
    assert other_seed != texts[1024]


def test_fixed_inputs_reproduce_the_deterministic_analysis(spec: ModelSpec) -> None:
    fixed = [replace(d, kind="fixed") for d in parameter_distributions(spec)]
    result = summarise(run_psa(spec, 5_000, 1, distributions=fixed))
    deterministic = peervalue.analyse(
        peervalue.load_evidence(SYNTHETIC), peervalue.load_costs(SYNTHETIC_COSTS)
    )
    for s, d in zip(result.studies, deterministic.studies, strict=True):
        assert s.ratio.mean == pytest.approx(d.ratio)
        assert s.ratio.p2_5 == pytest.approx(d.ratio, rel=1e-6)
        assert s.prob_ratio_above_one == (1.0 if d.ratio > 1 else 0.0)
        assert s.prob_net_benefit_positive == s.prob_ratio_above_one
    weighted = result.pooled["weighted"]
    assert weighted.ratio.mean == pytest.approx(-0.1375)
    assert weighted.net_benefit_per_fte_year.mean == pytest.approx(-13.75 * 300 - 30_000)
    assert weighted.evpi_per_fte_year == pytest.approx(0.0)


def test_net_benefit_probability_and_evpi_by_hand(spec: ModelSpec) -> None:
    # Everything fixed but the peer worker cost, uniform on 15,000-25,000. Ratio of sums:
    # net benefit = 72.5 x 300 - c = 21,750 - c, so P(NB > 0) = 6,750 / 10,000 = 0.675,
    # E[NB] = 1,750, E[max(NB, 0)] = 6,750^2 / 2 / 10,000 = 2,278.125, EVPI = 528.125.
    dists = [
        replace(d, kind="uniform", low=15_000.0, high=25_000.0, value=20_000.0)
        if d.name == "costs:peer_worker.total"
        else replace(d, kind="fixed")
        for d in parameter_distributions(spec)
    ]
    result = summarise(run_psa(spec, 200_000, 3, distributions=dists))
    sums = result.pooled["sums"]
    assert sums.method == "sums"
    assert sums.prob_net_benefit_positive == pytest.approx(0.675, abs=PROB_TOL)
    assert sums.prob_ratio_above_one == sums.prob_net_benefit_positive
    assert sums.net_benefit_per_fte_year.mean == pytest.approx(1_750, abs=30)
    assert sums.evpi_per_fte_year == pytest.approx(528.125, rel=MC_REL_TOL)
    assert sums.net_benefit_per_fte_year.p2_5 == pytest.approx(21_750 - 24_750, rel=0.01)
    # 100 FTE over 5 years at 3.5%: 100 x (1 + 1/1.035 + ... + 1/1.035^4)
    multiplier = 100 * sum(1.035**-t for t in range(5))
    assert sums.evpi_population == pytest.approx(sums.evpi_per_fte_year * multiplier)


def test_arm_means_give_the_standard_error_of_the_difference(spec: ModelSpec) -> None:
    # Only alpha's arm means vary: d ~ normal(10, sqrt(5^2/40 + 8^2/40)); ratio = d x 40 / 2
    # x 300 / 30,000 = d / 5, so its SD is sqrt(89 / 40) / 5.
    dists = [
        d if d.name.startswith("alpha:outcome.") else replace(d, kind="fixed")
        for d in parameter_distributions(spec)
    ]
    run = run_psa(spec, 200_000, 5, distributions=dists)
    alpha = run.stored.study_ratio[0]
    assert float(np.std(alpha)) == pytest.approx(math.sqrt(89 / 40) / 5, rel=0.01)
    assert float(np.mean(alpha)) == pytest.approx(2.0, abs=0.005)


def test_curves(spec: ModelSpec) -> None:
    result = summarise(run_psa(spec, 20_000, 1))
    curve = result.curves.bed_day_cost.to_pandas()
    for column in ("prob_net_benefit_positive_weighted", "prob_net_benefit_positive_sums"):
        values = curve[column].to_numpy()
        assert values[0] == 0.0  # a free bed-day never pays for anything
        assert np.all(np.diff(values) >= 0)  # dearer bed-days make benefit likelier
    caseload = np.array(result.curves.caseload.prob_net_benefit_positive)
    assert np.all(np.diff(caseload) >= 0)


def test_warns_when_cost_draws_reach_zero(spec: ModelSpec) -> None:
    dists = [
        replace(d, kind="normal", sd=20_000.0, low=None, high=None)
        if d.name == "costs:peer_worker.total"
        else d
        for d in parameter_distributions(spec)
    ]
    result = summarise(run_psa(spec, 10_000, 1, distributions=dists))
    assert any("zero or negative" in w for w in result.warnings)
    assert summarise(run_psa(spec, 10_000, 1)).warnings == []


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6, width=32), st.just(float("nan"))),
        min_size=1,
        max_size=300,
    ),
    st.lists(st.floats(-2e6, 2e6), min_size=1, max_size=5),
)
def test_probability_below_counts_strictly_smaller(values: list[float], grid: list[float]) -> None:
    draws = np.array(values, dtype=np.float32)
    got = probability_below(draws, np.array(grid))
    expected = [np.mean(draws.astype(np.float64) < g) for g in grid]
    assert np.allclose(got, expected)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=1, max_size=300))
def test_percentiles_match_numpy(values: list[float]) -> None:
    draws = np.array(values, dtype=np.float32)
    expected = np.percentile(draws.astype(np.float64), [2.5, 50, 97.5])
    assert np.allclose(percentiles(draws), expected, rtol=1e-12, atol=1e-9)


def test_psa_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "psa", "--draws", "20000", "--seed", "1", "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert data["draws"] == 20_000 and data["seed"] == 1
    assert [s["id"] for s in data["studies"]] == [
        "chinman2001",
        "klein1998",
        "lawn2008",
        "min2007",
        "rivera2007",
        "sledge2011",
    ]
    for s in data["studies"]:
        assert 0 <= s["prob_ratio_above_one"] <= 1
        # with every cost draw positive, ratio > 1 exactly when net benefit > 0
        assert s["prob_net_benefit_positive"] == s["prob_ratio_above_one"]
        assert s["ratio"]["p2_5"] <= s["ratio"]["median"] <= s["ratio"]["p97_5"]
    weighted = data["pooled"]["weighted"]
    assert weighted["ratio"]["deterministic"] == pytest.approx(1.437542, abs=1e-6)
    assert 0.5 < weighted["prob_ratio_above_one"] <= 1
    assert len(data["curves"]["bed_day_cost"]["cost_per_bed_day"]) == 41
    assert "costs:bed_day" not in data["fixed_inputs"]
    again = run_cli(
        capsys, "psa", "-n", "20000", "-s", "1", "--chunk-size", "3000", "--format", "json"
    )
    assert again.out == run.out


def test_psa_cli_csv_parts(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "psa", "-n", "2000", "--format", "csv", "--show", "caseload-curve")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "caseload,prob_net_benefit_positive"
    assert len(lines) == 41
    table = run_cli(capsys, "psa", "-n", "2000", "--quiet")
    assert table.code == 0 and "P(ratio > 1)" in table.out


def test_python_api_matches_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    result = peervalue.psa(peervalue.load_evidence(), draws=5_000, seed=2)
    cli = json.loads(run_cli(capsys, "psa", "-n", "5000", "-s", "2", "--format", "json").out)
    assert result.to_dict() == cli
    frame = result.pooled_frame().set_index("method")
    assert (
        frame.loc["weighted", "prob_ratio_above_one"]
        == cli["pooled"]["weighted"]["prob_ratio_above_one"]
    )


def test_progress_is_reported_after_every_chunk(spec: ModelSpec) -> None:
    seen: list[int] = []
    run_psa(spec, 5_000, 1, chunk_size=2_048, progress=seen.append)
    assert seen == [2_048, 4_096, 5_000]


def test_input_means_split_the_gap_between_point_and_monte_carlo(spec: ModelSpec) -> None:
    # Only the peer worker cost varies, uniform 15,000-35,000 around a point of 20,000:
    # its mean (25,000) is away from the point, and a ratio divides by it.
    dists = [
        replace(d, kind="uniform", low=15_000.0, high=35_000.0, value=20_000.0)
        if d.name == "costs:peer_worker.total"
        else replace(d, kind="fixed")
        for d in parameter_distributions(spec)
    ]
    result = summarise(run_psa(spec, 100_000, 2, distributions=dists))
    sums = result.pooled["sums"]
    # at the input means: 72.5 bed-days x 300 / 25,000 = 0.87; net benefit 21,750 - 25,000
    assert sums.ratio_at_input_means == pytest.approx(72.5 * 300 / 25_000)
    assert sums.net_benefit_at_input_means == pytest.approx(21_750 - 25_000)
    # the Monte Carlo mean adds Jensen's gap: E[21,750 / c] = 21,750 x ln(35/15) / 20,000
    expected_mean = 21_750 * math.log(35 / 15) / 20_000
    assert sums.ratio.mean == pytest.approx(expected_mean, rel=0.01)
    assert sums.ratio.deterministic == pytest.approx(72.5 * 300 / 20_000)

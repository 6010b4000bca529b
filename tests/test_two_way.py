"""Two-way sensitivity: each grid cell checked against the formula it stands for."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import peervalue
from peervalue.service import AnalysisRequest, run_analysis
from peervalue.service.requests import ScenarioRequest, TwoWayRequest
from peervalue.service.scenario import run_scenario
from peervalue.service.two_way import run_two_way
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS
from tests.test_scenario import HAND


def test_reference_grid_is_caseload_times_effect_times_bed_day_cost_less_cost() -> None:
    r = run_two_way(
        TwoWayRequest(
            evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, axes=("caseload", "cost_per_bed_day"),
            grid=5, draws=500,
        )
    )  # fmt: skip
    base = run_analysis(AnalysisRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS))
    c_psw = base.costs.cost_per_fte_year
    # e (pooled bed-days saved per patient-year of support) from the threshold analysis:
    # the break-even caseload is c_psw / (c_bed x e), here 30,000 / (300 x 33.33) = 3
    caseload_row = peervalue.threshold(SYNTHETIC, SYNTHETIC_COSTS).thresholds[2]
    e = c_psw / (base.costs.cost_per_bed_day * caseload_row.break_even)
    assert e == pytest.approx(3.0)
    # weighted pooled bed-days per FTE-year are negative here, so no caseload is implied
    assert math.isnan(r.x_base)
    for i, k in enumerate(r.x_values):
        for j, c in enumerate(r.y_values):
            assert r.net_benefit[i][j] == pytest.approx(k * e * c - c_psw)
    assert r.y_values[0] == pytest.approx(0.25 * base.costs.cost_per_bed_day)
    assert r.y_values[-1] == pytest.approx(2 * base.costs.cost_per_bed_day)
    assert r.x_values == pytest.approx(list(np.linspace(1, 40, 5)))
    prob = np.array(r.prob_positive)
    assert np.all((prob >= 0) & (prob <= 1))


def test_reference_grid_of_the_two_costs_uses_the_studies_own_staffing() -> None:
    r = run_two_way(
        TwoWayRequest(
            evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, weighting="all",
            axes=("cost_per_bed_day", "cost_per_fte_year"), grid=4, draws=300, pooling="sums",
        )
    )  # fmt: skip
    # ratio of sums on the synthetic evidence: 72.5 bed-days saved per FTE-year
    for i, c_bed in enumerate(r.x_values):
        for j, c_psw in enumerate(r.y_values):
            assert r.net_benefit[i][j] == pytest.approx(72.5 * c_bed - c_psw)


def test_scenario_grid_matches_runs_of_the_scenario(tmp_path: Path) -> None:
    path = tmp_path / "hand.toml"
    path.write_text(HAND)
    r = run_two_way(
        TwoWayRequest(axes=("caseload", "cost_per_fte_year"), grid=3, draws=50, scenario=path)
    )
    for i, k in enumerate(r.x_values):
        for j, c in enumerate(r.y_values):
            changed = tmp_path / f"case_{i}_{j}.toml"
            changed.write_text(
                HAND.replace("caseload = 10", f"caseload = {k!r}").replace(
                    "cost_per_fte_year = 40000", f"cost_per_fte_year = {c!r}"
                )
            )
            npv = run_scenario(ScenarioRequest(scenario=changed, draws=10)).totals
            assert r.net_benefit[i][j] == pytest.approx(npv.net_present_value)
            # every figure of the hand-worked case is fixed: the probability is 0 or 1
            assert r.prob_positive[i][j] == (1.0 if npv.net_present_value > 0 else 0.0)


@pytest.mark.parametrize(
    "other",
    [
        {"costs": "england-2011-12"},
        {"price_year": "2011-12"},
        {"evidence": SYNTHETIC},
        {"indexation": "pay-for-pay"},
        {"pooling": "sums"},
        {"weighting": "intervention"},
    ],
)
def test_a_scenario_refuses_the_options_its_file_sets(
    tmp_path: Path, other: dict[str, Any]
) -> None:
    # these were silently ignored: the scenario file sets its evidence, costs and prices
    from peervalue.service.requests import make_request

    case = tmp_path / "case.toml"
    case.write_text(HAND)
    with pytest.raises(peervalue.InputError, match=f"together with {next(iter(other))}"):
        make_request(TwoWayRequest, axes=("caseload", "effect"), scenario=case, **other)

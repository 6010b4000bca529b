"""The case's own tornado and two-way map on the synthesis's relative effect (issue 18's
default): the base is the run's answer, and the baseline the effect applies to is an input
that moves it (the tornado once pooled the 2013 way whatever the case's source)."""

from __future__ import annotations

import pytest

from peervalue.scenario.schema import template_file
from peervalue.service.case_sensitivity import run_case_tornado, run_case_two_way
from peervalue.service.requests import CaseSensitivityRequest, ScenarioRequest
from peervalue.service.scenario import run_scenario


def test_the_tornado_base_is_the_runs_answer_on_a_relative_effect() -> None:
    run = run_scenario(ScenarioRequest(scenario=template_file(), draws=200))
    assert run.effect.source == "predictive"
    tornado = run_case_tornado(CaseSensitivityRequest(scenario=template_file(), draws=200))
    assert tornado.base_npv == pytest.approx(run.totals.net_present_value, rel=1e-12)
    assert tornado.base_cash_npv == pytest.approx(run.totals.cash_net_present_value, rel=1e-12)
    rows = {r.parameter: r for r in tornado.inputs}
    stay = rows["baseline.length_of_stay"]
    # bed-days saved are (1 - ratio) x admissions x stay x 12 / months: linear in the stay,
    # and every other input held, so the NPV is linear in it too: the base lies on the line
    # from the low end (16 days) to the high (39) at 32 days
    slope = (stay.npv_at_high - stay.npv_at_low) / (stay.high_value - stay.low_value)
    at_base = stay.npv_at_low + slope * (stay.base_value - stay.low_value)
    assert at_base == pytest.approx(tornado.base_npv, rel=1e-9)
    assert stay.npv_at_high > tornado.base_npv > stay.npv_at_low


def test_a_two_way_map_over_the_baseline_moves_with_it() -> None:
    request = CaseSensitivityRequest(
        scenario=template_file(),
        axes=("baseline.length_of_stay", "staffing.caseload"),
        grid=3,
        draws=200,
    )
    grid = run_case_two_way(request)
    rows = grid.net_benefit
    # a longer stay saves more bed-days at every caseload
    for j in range(3):
        assert rows[0][j] < rows[1][j] < rows[2][j]

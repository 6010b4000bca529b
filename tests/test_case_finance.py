"""Issue 19: the economic and the financial (cash) case apart, Green Book conventions (the
declining discount schedule, optimism on costs, the effect lag, nominal cash by financial
year) and the sensitivity of the case's own NPV, worked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.report.words import scenario_headline
from peervalue.scenario import model
from peervalue.scenario.discounting import SCHEDULES, schedule_factors, schedule_words
from peervalue.scenario.results import ScenarioResult
from peervalue.service.requests import CaseSensitivityRequest, ScenarioRequest
from peervalue.service.scenario import run_scenario
from tests.cli_helpers import run_cli
from tests.test_scenario import HAND

#: one post for 35 years, every figure fixed: 100 bed-days a year x 500 = 50,000 of benefit,
#: 90% of it cash (45,000); 40,000 a year of staff, 1,000 to recruit in year 1, 20,000 set-up
LONG = """
[scenario]
name = "Thirty-five years"
price_year = "2024-25"
horizon_years = 35

[staffing]
funded_fte = 1
vacancy_rate = 0
turnover_rate = 0
caseload = 10
effect_lag_months = 0

[costs]
set = "england-2024-25"
cost_per_bed_day = 500
cost_per_fte_year = 40000
set_up = 20000
recruitment_per_post = 1000
training_per_post = 0
supervision_per_year = 0
optimism_bias = 0

[evidence]
source = "own"
saved_per_patient_year = 10
transferability = 1

[benefits]
cash_releasing_share = 0.9
optimism_bias = 0

[affordability]
pay_award = 0
price_inflation = 0
"""


def _run(tmp_path: Path, text: str, name: str = "case.toml", draws: int = 200) -> ScenarioResult:
    path = tmp_path / name
    path.write_text(text)
    return run_scenario(ScenarioRequest(scenario=path, draws=draws))


def test_a_35_year_case_by_hand(tmp_path: Path) -> None:
    r = _run(tmp_path, LONG)
    # Green Book: year 1 is year 0 (factor 1); years 1-30 (0-based) at 3.5%, so year t's
    # factor is 1.035^-t; from year 31 (0-based) the rate is 3.0% ON TOP of 1.035^-30:
    # D_31 = 1.035^-30 / 1.03, ..., D_34 = 1.035^-30 / 1.03^4 (not 1.03^-34).
    d30 = 1.035**-30  # 0.3562784
    factors = [1.035**-t for t in range(31)] + [d30 * 1.03 ** -(t - 30) for t in range(31, 35)]
    assert [y.discount_factor for y in r.years] == pytest.approx(factors, rel=1e-12)
    assert r.years[31].discount_factor == pytest.approx(0.35627841 / 1.03)
    # sum of D_1..D_30 = (1 - 1.035^-30) / 0.035 = 18.3920454; D_31..D_34 = 0.3562784 x
    # (1/1.03 + ... + 1/1.03^4 = 3.7170984) = 1.3243219; together 19.7163673
    annuity = (1 - d30) / 0.035 + d30 * sum(1.03**-k for k in range(1, 5))
    assert annuity == pytest.approx(19.7163673, rel=1e-8)
    # economic: year 1 50,000 - (40,000 + 1,000 + 20,000) = -11,000; later 10,000 a year
    # NPV = -11,000 + 10,000 x 19.7163673 = 186,163.67
    assert r.totals.net_present_value == pytest.approx(-11_000 + 10_000 * annuity)
    assert r.totals.net_present_value == pytest.approx(186_163.67, abs=0.01)
    # (a constant 3.5% would give -11,000 + 10,000 x (1 - 1.035^-34) / 0.035 = 186,006.84)
    assert r.totals.net_present_value - 186_006.84 == pytest.approx(156.83, abs=0.01)
    # cash: year 1 45,000 - 61,000 = -16,000; later 45,000 - 40,000 = 5,000 a year
    # cash NPV = -16,000 + 5,000 x 19.7163673 = 82,581.84
    assert r.totals.cash_net_present_value == pytest.approx(82_581.84, abs=0.01)
    assert r.totals.discounted_cash_benefit == pytest.approx(45_000 * (1 + annuity))
    # economic payback: -11,000 + 10,000 / 1.035 = -1,338 (year 2); + 10,000 / 1.035^2 > 0
    assert r.totals.payback_year == 3
    # cash payback: 5,000 x (1/1.035 + 1/1.035^2 + 1/1.035^3) = 14,008 < 16,000 by year 4;
    # + 5,000 / 1.035^4 = 18,365 >= 16,000 in year 5
    assert r.totals.cash_payback_year == 5
    assert [y.cumulative_discounted_cash_net_benefit >= 0 for y in r.years[:5]] == [
        False, False, False, False, True,
    ]  # fmt: skip
    # every figure is fixed: the Monte Carlo agrees with the point values
    assert r.uncertainty.prob_cash_net_present_value_positive == 1.0
    assert r.uncertainty.cash_net_present_value.p2_5 == pytest.approx(82_581.84, abs=0.01)
    assert r.uncertainty.cash_payback_by_year["4"] == 0.0
    assert r.uncertainty.cash_payback_by_year["5"] == 1.0
    assert r.discount_schedule == "green-book"
    assert r.discounting == "3.5% a year (years 1-31), then 3.0% (years 32-35)"


def test_a_40_year_case_discounts_years_32_to_40_at_three_percent(tmp_path: Path) -> None:
    r = _run(tmp_path, LONG.replace("horizon_years = 35", "horizon_years = 40"))
    f = [y.discount_factor for y in r.years]
    # year 31 (1-based) is the Green Book's year 30, the last at 3.5%
    assert f[30] / f[29] == pytest.approx(1 / 1.035)
    assert [f[t] / f[t - 1] for t in range(31, 40)] == pytest.approx([1 / 1.03] * 9)


def test_the_health_schedule_and_a_constant_rate(tmp_path: Path) -> None:
    health = _run(
        tmp_path,
        LONG.replace(
            "horizon_years = 35", 'horizon_years = 35\ndiscount_schedule = "green-book-health"'
        ),
    )
    # 1.5% to the Green Book's year 30, then 1.29%
    f = [y.discount_factor for y in health.years]
    assert f[30] == pytest.approx(1.015**-30)
    assert f[34] == pytest.approx(1.015**-30 * 1.0129**-4)
    assert health.discount_rate == 0.015
    constant = _run(
        tmp_path, LONG.replace("horizon_years = 35", "horizon_years = 35\ndiscount_rate = 0.05")
    )
    # an unset schedule with a rate other than 3.5%: that rate every year
    assert constant.discount_schedule == "constant"
    assert [y.discount_factor for y in constant.years][34] == pytest.approx(1.05**-34)


def test_optimism_bias_uplifts_every_cost(tmp_path: Path) -> None:
    r = _run(
        tmp_path,
        HAND.replace("optimism_bias = 0\n\n[evidence]", "optimism_bias = 0.1\n\n[evidence]"),
    )
    # test_three_year_case_by_hand's costs 40,500, 76,100, 74,600, each x 1.1; benefits kept
    assert [y.total_cost for y in r.years] == pytest.approx([44_550, 83_710, 82_060])
    assert [y.gross_benefit for y in r.years] == pytest.approx([45_000, 90_000, 90_000])


def test_the_effect_lag_takes_months_from_new_and_refilled_posts(tmp_path: Path) -> None:
    r = _run(tmp_path, HAND.replace("effect_lag_months = 0", "effect_lag_months = 6"))
    # Year 1: 1 new post, 0.9 filled; half a year lost on 0.9 x 1 newcomer = 0.45 ->
    # 0.45 in effect x 10 patients x 10 bed-days = 45 bed-days. Year 2: 1 new + 2 x 0.2
    # refilled = 1.4 newcomers, 0.9 x 1.4 x 0.5 = 0.63 lost of 1.8 -> 1.17 -> 117 bed-days.
    # Year 3: 0.4 refilled, 0.18 lost of 1.8 -> 1.62 -> 162 bed-days.
    assert [y.effective_fte for y in r.years] == pytest.approx([0.45, 1.17, 1.62])
    assert [y.bed_days_saved for y in r.years] == pytest.approx([45, 117, 162])
    # costs are those of the filled posts, unchanged
    assert [y.total_cost for y in r.years] == pytest.approx([40_500, 76_100, 74_600])


def test_nominal_cash_by_financial_year(tmp_path: Path) -> None:
    text = HAND.replace("horizon_years = 3", "horizon_years = 3\nstart = 2026-04-01")
    text += "\n[affordability]\npay_award = 0.03\nprice_inflation = 0.02\n"
    r = _run(tmp_path, text)
    a = r.affordability
    assert [y.label for y in a.years] == ["2026-27", "2027-28", "2028-29"]
    # 2024-25 prices; 2026-27 is 2 years on: costs x 1.03^2, 1.03^3, 1.03^4; the cash
    # released (25% of 45,000, 90,000, 90,000) x 1.02^2, 1.02^3, 1.02^4
    costs = [40_500 * 1.03**2, 76_100 * 1.03**3, 74_600 * 1.03**4]
    cash = [11_250 * 1.02**2, 22_500 * 1.02**3, 22_500 * 1.02**4]
    assert [y.cost for y in a.years] == pytest.approx(costs)
    assert [y.cash_released for y in a.years] == pytest.approx(cash)
    assert [y.cumulative_net_cash for y in a.years] == pytest.approx(
        np.cumsum(np.array(cash) - np.array(costs))
    )
    assert a.total_net_cash == pytest.approx(sum(cash) - sum(costs))


def _inputs(fte: list[float], share: float, benefit: float, rate: float) -> model.ScenarioInputs:
    col = np.array([[1.0]])
    return model.ScenarioInputs(
        funded_fte=np.array(fte),
        vacancy_rate=0.1 * col,
        turnover_rate=0.15 * col,
        caseload=12.0 * col,
        effect=benefit * col,
        transferability=col,
        cost_per_bed_day=600.0 * col,
        cost_per_fte_year=55_000.0 * col,
        cash_releasing_share=share * col,
        optimism_bias=0.0 * col,
        cost_lines={"costs.recruitment_per_post": model.CostLine("per-post", 1_500.0 * col)},
        discount_rate=rate,
        cost_optimism=0.1 * col,
        effect_lag_months=3.0 * col,
        discount_bands=SCHEDULES["green-book"],
    )


@settings(max_examples=40, deadline=None)
@given(
    fte=st.lists(st.floats(0.5, 20), min_size=1, max_size=50),
    share=st.floats(0, 1),
    effect=st.floats(0, 40),
)
def test_cash_npv_never_exceeds_economic_npv(fte: list[float], share: float, effect: float) -> None:
    p = model.project(_inputs(fte, share, effect, 0.035))
    economic = p.discounted_total(p.net_benefit)[0]
    cash = p.discounted_total(p.cash_net_benefit)[0]
    assert cash <= economic + 1e-9 * max(1.0, abs(economic))


@settings(max_examples=30, deadline=None)
@given(years=st.integers(1, 31))
def test_declining_schedule_is_constant_within_thirty_years(years: int) -> None:
    # the Green Book's years 0-30 (a horizon of up to 31 years) are all at 3.5%
    assert np.array_equal(
        schedule_factors(years, SCHEDULES["green-book"]), 1.035 ** -np.arange(years, dtype=float)
    )
    assert schedule_words("green-book", 0.035, years) == "3.5% a year"


def test_the_template_headline_says_the_two_cases_disagree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "t.toml"
    assert run_cli(capsys, "scenario", "new", str(case)).code == 0
    run = run_cli(capsys, "scenario", "run", str(case), "-n", "500", "-f", "json")
    data = json.loads(run.out)
    t = data["totals"]
    assert t["net_present_value"] > 0 > t["cash_net_present_value"]
    assert t["cash_payback_year"] is None  # never within 5 years
    # cash benefit is 20% of the benefit: discounted cash = 0.2 x discounted benefit
    assert t["discounted_cash_benefit"] == pytest.approx(0.2 * t["discounted_benefit"])
    assert t["cash_net_present_value"] == pytest.approx(
        t["discounted_cash_benefit"] - t["discounted_cost"]
    )
    words = scenario_headline(run_scenario(ScenarioRequest(scenario=case, draws=500)))
    assert "disagree" in words and "does not pay back" in words
    assert "pays back in year" not in words  # said only of cash, and the cash never does
    csv = run_cli(capsys, "scenario", "run", str(case), "-n", "200", "-f", "csv")
    head = csv.out.splitlines()[0].split(",")
    assert {"cash_net_benefit", "cumulative_discounted_cash_net_benefit"} <= set(head)


def test_tornado_rows_are_runs_of_the_case_at_each_end(tmp_path: Path) -> None:
    from peervalue.service.case_sensitivity import run_case_tornado, run_case_two_way

    ranged = HAND.replace(
        "cash_releasing_share = 0.25",
        'cash_releasing_share = { value = 0.25, unit = "proportion", status = "assumed", '
        'range = [0.1, 0.6], rationale = "x" }',
    )
    path = tmp_path / "ranged.toml"
    path.write_text(ranged)
    t = run_case_tornado(CaseSensitivityRequest(scenario=path, outcome="cash", draws=50))
    rows = {r.parameter: r for r in t.inputs}
    share = rows["benefits.cash_releasing_share"]
    # the only uncertain figure of the case: first, with the economic NPV untouched
    assert t.inputs[0].parameter == "benefits.cash_releasing_share"
    assert share.npv_at_low == share.npv_at_high == pytest.approx(t.base_npv)
    for value, at in ((0.1, share.cash_npv_at_low), (0.6, share.cash_npv_at_high)):
        r = _run(
            tmp_path,
            HAND.replace("cash_releasing_share = 0.25", f"cash_releasing_share = {value}"),
            "x.toml",
        )
        assert at == pytest.approx(r.totals.cash_net_present_value)
    grid = run_case_two_way(
        CaseSensitivityRequest(
            scenario=path, outcome="cash", draws=20, grid=3,
            axes=("benefits.cash_releasing_share", "staffing.caseload"),
        )
    )  # fmt: skip
    assert grid.x_values == pytest.approx([0.1, 0.35, 0.6])
    assert grid.y_values == pytest.approx([5, 10, 15])  # no range: half to 1.5 times
    for i, s in enumerate(grid.x_values):
        for j, k in enumerate(grid.y_values):
            text = HAND.replace("cash_releasing_share = 0.25", f"cash_releasing_share = {s!r}")
            r = _run(tmp_path, text.replace("caseload = 10", f"caseload = {k!r}"), "g.toml", 10)
            assert grid.net_benefit[i][j] == pytest.approx(r.totals.cash_net_present_value)
            assert grid.prob_positive[i][j] == (1.0 if r.totals.cash_net_present_value > 0 else 0.0)
    assert math.isfinite(t.base_cash_npv)

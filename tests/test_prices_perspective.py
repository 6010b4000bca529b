"""Price years to 2027-28 (2025-26 an estimate from published pay, 2026-27 and 2027-28
forecasts drawn within their ranges) and the cost perspective (public sector or trust
cash), each worked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from peervalue.costs.indices import nhs_indexes
from peervalue.costs.perspective import build_up
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import run_scenario
from peervalue.service.scenario_forecast import forecast_growth_draws
from peervalue.service.scenario_params import prepare_scenario
from tests.cli_helpers import run_cli

#: NHSCII growth 2015-16 to 2024-25 (PSSRU Unit Costs 2025 Manual), per cent
PAY_AND_PRICES = [0.40, 2.09, 1.24, 1.60, 2.14, 2.49, 2.58, 7.32, 2.47, 4.02]
#: PSSRU 2024 Manual, Table 8.2.1, band 4 overheads and capital (2023-24 pounds)
OVERHEADS_2023_24 = 7_708 + 11_842 + 7_689  # = 27,239


def test_index_chains_to_2025_26_from_the_published_figures() -> None:
    index = nhs_indexes()
    both = index.get("pay-and-prices")
    # 2014-15 (HCHS 293.1) times every NHSCII rate, then the 2025-26 estimate 2.91%
    level = 293.1 * math.prod(1 + g / 100 for g in PAY_AND_PRICES) * 1.0291
    assert both.levels["2025-26"] == pytest.approx(level, rel=1e-12)
    # one year on: the estimate itself; pay: the 3.6% award; prices: the median 1.655%
    assert both.factor("2024-25", "2025-26") == pytest.approx(1.0291, rel=1e-12)
    assert index.get("pay").factor("2024-25", "2025-26") == pytest.approx(1.036, rel=1e-12)
    assert index.get("prices").factor("2024-25", "2025-26") == pytest.approx(1.01655, rel=1e-12)
    # the estimate is provisional, not a forecast; 2026-27 and 2027-28 are forecasts
    assert "2025-26" in both.provisional and not both.is_forecast("2025-26")
    assert both.is_forecast("2026-27") and both.is_forecast("2027-28")
    # the forecast growth: the median published rate, (2.14 + 2.47) / 2 = 2.305% a year
    assert both.factor("2025-26", "2027-28") == pytest.approx(1.02305**2, rel=1e-12)
    # 2011-12 to 2024-25 has not moved: HCHS 293.1 / 282.5 x the NHSCII chain = 1.3437
    assert both.factor("2011-12", "2024-25") == pytest.approx(1.3437, abs=5e-5)


def test_the_forecast_note_gives_the_index_and_its_range() -> None:
    both = nhs_indexes().get("pay-and-prices")
    base = both.levels["2025-26"]  # 390.63
    # 2027-28: base x 1.02305^2 = 408.85; low base x 1.0124^2 = 400.38; high x 1.0402^2
    point, low, high = base * 1.02305**2, base * 1.0124**2, base * 1.0402**2
    assert both.level_range("2027-28") == pytest.approx((low, high), rel=1e-12)
    note = both.forecast_note("2027-28")
    assert note is not None
    assert note.startswith("priced at 2027-28, a forecast year: index ")
    assert f"index {point:.1f} (range {low:.1f} to {high:.1f}" in note
    assert "408.9 (range 400.4 to 422.7" in note
    assert both.forecast_note("2025-26") is None


def test_forecast_growth_is_drawn_within_its_range() -> None:
    both = nhs_indexes().get("pay-and-prices")
    growth = forecast_growth_draws(both, seed=3, n=20_000)
    for year in ("2026-27", "2027-28"):
        g = growth[year]
        assert g.min() >= 1.24 and g.max() <= 4.02
        # triangular(1.24, 2.305, 4.02): mean (1.24 + 2.305 + 4.02) / 3 = 2.5217
        assert g.mean() == pytest.approx((1.24 + 2.305 + 4.02) / 3, abs=0.02)
    # the two years are drawn from streams of their own
    assert not np.allclose(growth["2026-27"], growth["2027-28"])
    ratio = both.forecast_ratio("2024-25", "2027-28", growth)
    assert ratio.min() >= (1.0124 / 1.02305) ** 2 and ratio.max() <= (1.0402 / 1.02305) ** 2
    # backwards from a forecast year divides by the same draws
    back = both.forecast_ratio("2027-28", "2024-25", growth)
    assert np.allclose(back * ratio, 1.0)
    assert both.forecast_ratio("2011-12", "2025-26", growth) == 1.0  # no forecast crossed


CASE = """
[scenario]
name = "Priced ahead"
price_year = "{year}"
horizon_years = 3
discount_rate = 0.035

[staffing]
funded_fte = 2
vacancy_rate = 0.1
turnover_rate = 0.2
caseload = 10

[costs]
set = "england-2025-26"
{costs}
set_up = 1000
recruitment_per_post = 1000
training_per_post = 500
supervision_per_year = 2000

[evidence]
source = "own"
saved_per_patient_year = 10
transferability = 1

[benefits]
cash_releasing_share = 0.25
optimism_bias = 0
"""


def _case(tmp_path: Path, year: str, costs: str = "", name: str = "case") -> Path:
    path = tmp_path / f"{name}-{year}.toml"
    path.write_text(CASE.format(year=year, costs=costs))
    return path


def test_a_case_priced_in_a_forecast_year_draws_its_index(tmp_path: Path) -> None:
    now = prepare_scenario(ScenarioRequest(scenario=_case(tmp_path, "2025-26"), draws=400))
    ahead = prepare_scenario(ScenarioRequest(scenario=_case(tmp_path, "2027-28"), draws=400))
    name = "costs:bed_day"  # NCC 2024/25, held fixed: only the index moves it
    # point: 719.10 x 1.0291 (2025-26) x 1.02305^2 (the forecast growth)
    assert ahead.point_values[name][0] == pytest.approx(719.10 * 1.0291 * 1.02305**2)
    ratio = np.asarray(ahead.drawn[name]) / now.point_values[name][0]
    assert ratio.shape == (400,) and ratio.std() > 0
    assert ratio.min() >= 1.0124**2 and ratio.max() <= 1.0402**2
    # a figure already at the case's price year (a bare number) is not touched
    set_up = "scenario:costs.set_up"
    assert np.all(np.asarray(ahead.drawn[set_up]) == 1000)
    # the run says so, in its notes and in its JSON
    r = run_scenario(ScenarioRequest(scenario=_case(tmp_path, "2027-28"), draws=200))
    assert r.price_index_note is not None
    assert r.price_index_note.startswith("priced at 2027-28, a forecast year")
    assert any(n.startswith("Priced at 2027-28, a forecast year") for n in r.notes)
    assert "price_index_note" in r.to_dict()
    # a year that is not forecast adds nothing to the JSON
    assert (
        "price_index_note"
        not in run_scenario(
            ScenarioRequest(scenario=_case(tmp_path, "2025-26"), draws=200)
        ).to_dict()
    )


def test_the_cli_marks_a_forecast_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    run = run_cli(
        capsys,
        "scenario",
        "run",
        str(_case(tmp_path, "2026-27")),
        "-n",
        "200",
        "-f",
        "json",
        "-o",
        str(out),
    )
    assert run.code == 0, run.err
    data = json.loads(out.read_text())
    assert data["price_index_note"].startswith("priced at 2026-27, a forecast year: index 399.6")
    rebase = run_cli(capsys, "costs", "rebase", "100", "--from", "2025-26", "--to", "2026-27")
    assert rebase.code == 0
    # 100 x 1.02305 = 102.31, and the note
    assert "102.31 at 2026-27 prices" in rebase.out
    assert "a forecast year" in rebase.out


# 2025-26, band 4: middle (27,485 + 30,162) / 2 = 28,823.5; employer NI 15% above 5,000:
# 0.15 x 23,823.5 / 28,823.5 = 0.12398 (the cost set's rate); overheads and capital 27,239
# (2023-24) x 1.0402 x 1.0291 = 29,158.6 at 2025-26 prices
SALARY = 28_823.5
NI = 0.12398
OVERHEADS = OVERHEADS_2023_24 * 1.0402 * 1.0291


def test_band_4_costed_the_trust_way(tmp_path: Path) -> None:
    costs = 'band = "4"\nperspective = "trust-cash"\ntrust_overhead_share = 0.25'
    r = run_scenario(
        ScenarioRequest(scenario=_case(tmp_path, "2025-26", costs, "trust"), draws=100)
    )
    # 28,823.5 x (1 + 0.12398 + 0.1438) + 0.25 x 29,158.6 = 36,541.9 + 7,289.6 = 43,831.5
    trust = SALARY * (1 + NI + 0.1438) + 0.25 * OVERHEADS
    assert r.cost_per_fte_year == pytest.approx(trust, rel=1e-9)
    assert r.cost_per_fte_year == pytest.approx(43_831.5, abs=1)
    pension = next(i for i in r.inputs if i.field.endswith("employer_superannuation"))
    assert pension.value == 0.1438
    public = run_scenario(
        ScenarioRequest(scenario=_case(tmp_path, "2025-26", 'band = "4"', "public"), draws=100)
    )
    # 28,823.5 x (1 + 0.12398 + 0.237) + 29,158.6 = 39,228.3 + 29,158.6 = 68,386.9
    assert public.cost_per_fte_year == pytest.approx(SALARY * (1 + NI + 0.237) + OVERHEADS)
    note = next(n for n in r.notes if n.startswith("Costed as the trust pays"))
    assert "14.38%" in note and f"{trust:,.0f} GBP" in note
    assert f"{public.cost_per_fte_year:,.0f} GBP per FTE-year" in note
    # the share is drawn within its range only from the trust's perspective
    assert any(i.field == "scenario:costs.trust_overhead_share" for i in r.inputs)
    assert not any("trust_overhead_share" in i.field for i in public.inputs)
    # the build-up shows both, and its trust total is the model's
    b = r.cost_build_up
    assert b is not None and public.cost_build_up is None
    assert b.trust_cash == pytest.approx(trust, rel=1e-9)
    assert b.public_sector == pytest.approx(public.cost_per_fte_year, rel=1e-9)


def test_the_trust_overhead_share_is_drawn(tmp_path: Path) -> None:
    costs = (
        'band = "4"\nperspective = "trust-cash"\ntrust_overhead_share = { value = 0.25, '
        'unit = "proportion", status = "assumed", range = [0.1, 0.45], rationale = "test" }'
    )
    p = prepare_scenario(
        ScenarioRequest(scenario=_case(tmp_path, "2025-26", costs, "drawn"), draws=500)
    )
    share = np.asarray(p.drawn["scenario:costs.trust_overhead_share"])
    assert share.min() >= 0.1 and share.max() <= 0.45 and share.std() > 0
    # each draw's cost is the hand formula at that draw's salary, NI and share
    inputs = p.inputs(drawn=True)
    salary = np.asarray(p.drawn["costs:peer_worker.components.salary"]).reshape(-1)
    ni = np.asarray(p.drawn["costs:peer_worker.components.employer_national_insurance"])
    expected = salary * (1 + ni.reshape(-1) + 0.1438) + share * OVERHEADS
    assert np.allclose(np.asarray(inputs.cost_per_fte_year).reshape(-1), expected, rtol=1e-9)


def test_public_sector_is_the_default_and_changes_nothing(tmp_path: Path) -> None:
    unset = run_scenario(ScenarioRequest(scenario=_case(tmp_path, "2025-26"), draws=300))
    said = run_scenario(
        ScenarioRequest(
            scenario=_case(tmp_path, "2025-26", 'perspective = "public-sector"', "said"),
            draws=300,
        )
    )
    a, b = unset.to_dict(), said.to_dict()
    a.pop("scenario_file"), b.pop("scenario_file")
    b["overrides"] = [o for o in b["overrides"] if o["field"] != "costs.perspective"]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_the_build_up_both_ways() -> None:
    # 2024-25 band 4: 27,822 x (1 + 0.09286 + 0.237) + 27,239 x 1.0402 = 65,333 for the
    # public sector; 27,822 x (1 + 0.09286 + 0.1438) + 0.25 x 28,334.0 = 41,489.9 for the trust
    overheads = {
        "management_and_administration": 7_708 * 1.0402,
        "non_staff_overheads": 11_842 * 1.0402,
        "capital_overheads": 7_689 * 1.0402,
    }
    rates = {"employer_national_insurance": 0.09286, "employer_superannuation": 0.237}
    b = build_up(overheads, rates, 27_822, overhead_share=0.25)
    assert b.public_sector == pytest.approx(27_822 * 1.32986 + 27_239 * 1.0402)
    assert b.trust_cash == pytest.approx(27_822 * 1.23666 + 0.25 * 27_239 * 1.0402)
    assert b.trust_cash == pytest.approx(41_489.86, abs=0.01)
    pension = next(line for line in b.lines if line.component == "employer_superannuation")
    assert (pension.rate_public_sector, pension.rate_trust_cash) == (0.237, 0.1438)
    assert pension.trust_cash == pytest.approx(27_822 * 0.1438)


def test_the_calculator_takes_the_trust_view_and_a_forecast_year(tmp_path: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's notice about httpx versions
        from fastapi.testclient import TestClient

    from peervalue.web.app import create_app
    from tests.test_web_pages import parse, text_of

    app = create_app(
        f"sqlite:///{tmp_path / 'calc.db'}", allowed_hosts=["testserver"], runs_per_minute=0
    )
    with TestClient(app) as client:
        values = parse(client.get("/").text).values
        assert values["costs.perspective"] == "public-sector"  # the default
        values.update(
            {
                "scenario.price_year": "2027-28",
                "costs.set": "england-2025-26",
                "costs.perspective": "trust-cash",
                "monte_carlo.draws": "1000",
            }
        )
        got = client.post("/calculate", data=values)
        assert got.status_code == 200, got.text[:2000]
        words = text_of(got.text)
        assert "Costed as the trust pays (perspective trust-cash): employer pension 14.38%" in words
        assert "Priced at 2027-28, a forecast year" in words
        values["scenario.price_year"] = "2028-29"
        refused = client.post("/calculate", data=values)
        assert "2028-29" in text_of(refused.text) and "2027-28" in text_of(refused.text)


def test_a_2016_17_band_4_post_costed_the_trust_way_pays_the_years_pension(
    tmp_path: Path,
) -> None:
    """The trust's employer pension follows the price year (data/pay/nhs-pension-employer.yaml):
    14.3% in 2016-17, not today's 14.38%."""
    costs = 'band = "4"\nperspective = "trust-cash"\ntrust_overhead_share = 0.25'
    r = run_scenario(ScenarioRequest(scenario=_case(tmp_path, "2016-17", costs, "trust"), draws=50))
    # band 4 in 2011-12, the pay table's latest year not after 2016-17: (18,402 + 21,798) / 2
    # = 20,100; rebased x 293.1 / 282.5 (HCHS index to 2014-15) x 1.0040 (NHSCII 2015-16)
    # x 1.0209 (2016-17) = 21,374.6
    salary = 20_100 * 293.1 / 282.5 * 1.0040 * 1.0209
    b = r.cost_build_up
    assert b is not None
    lines = {line.component: line for line in b.lines}
    assert lines["salary"].trust_cash == pytest.approx(salary, rel=1e-9)
    pension = lines["employer_superannuation"]
    assert pension.rate_trust_cash == 0.143 and b.trust_pension_rate == 0.143
    assert pension.trust_cash == pytest.approx(0.143 * salary, rel=1e-9)  # 3,056.6
    drawn = next(i for i in r.inputs if i.field.endswith("employer_superannuation"))
    assert drawn.value == 0.143
    note = next(n for n in r.notes if n.startswith("Costed as the trust pays"))
    assert "employer pension 14.30% of salary" in note
    # a case that sets 14.38% itself pays 0.08% of salary more: 0.0008 x 21,374.6 = 17.10
    own = costs + "\ntrust_pension_rate = 0.1438"
    at_1438 = run_scenario(
        ScenarioRequest(scenario=_case(tmp_path, "2016-17", own, "own"), draws=50)
    )
    difference = at_1438.cost_per_fte_year - r.cost_per_fte_year
    assert difference == pytest.approx(0.0008 * salary, rel=1e-6)


@pytest.mark.parametrize(
    ("year", "rate"),
    [("2011-12", 0.14), ("2014-15", 0.14), ("2015-16", 0.143), ("2016-17", 0.143),
     ("2017-18", 0.1438), ("2019-20", 0.1438), ("2027-28", 0.1438)],
)  # fmt: skip
def test_the_trusts_pension_rate_by_year(year: str, rate: float) -> None:
    from peervalue.costs.pension import pension_table, trust_pension_at

    got = trust_pension_at(year)
    assert got.value == rate and got.source is not None and got.source.url
    # the full rate, the public sector's, is never below the trust's share
    assert all(y.full >= y.trust for y in pension_table().years.values())

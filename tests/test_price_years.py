"""Price years and cost sets: rebasing by the published index series, any output year,
the bundled 2023-24 and 2024-25 sets, and rebasing against re-costing.

Expected values are the published arithmetic: index levels from the HCHS series
(PSSRU) chained with NHSCII growth (PSSRU Unit Costs 2025 Manual); unit costs from
the PSSRU 2024 Manual (Table 8.2.1, band 4; Table 2.1.1) and the National Cost
Collection 2024/25.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import peervalue
from peervalue.costs.indices import nhs_indexes
from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from peervalue.service.costs import run_cost_comparison, run_cost_sets, run_rebase
from peervalue.service.requests import CostComparisonRequest, RebaseRequest
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

#: NHSCII pay-and-prices growth 2015-16 to 2024-25, per cent (PSSRU 2025 Manual)
NHSCII = [0.40, 2.09, 1.24, 1.60, 2.14, 2.49, 2.58, 7.32, 2.47, 4.02]
NHSCII_PAY = [0.30, 2.10, 1.21, 1.60, 2.58, 3.41, 3.07, 7.41, 2.18, 5.11]
YEARS = nhs_indexes().get("pay-and-prices").years


def _chained(growth: list[float]) -> float:
    level = 1.0
    for g in growth:
        level *= 1 + g / 100
    return level


def test_index_ratio_from_the_published_series() -> None:
    # 2011-12 to 2024-25: HCHS 293.1 / 282.5 to 2014-15, then the NHSCII growth chained.
    expected = 293.1 / 282.5 * _chained(NHSCII)
    result = run_rebase(RebaseRequest(value=334.0, from_year="2011-12", to_year="2024-25"))
    assert result.factor == pytest.approx(expected, rel=1e-12)
    assert result.factor == pytest.approx(1.3437, abs=5e-5)  # the reference notes' check
    assert result.result == pytest.approx(334 * expected, rel=1e-12)
    assert result.provisional_years == ["2024-25", "2025-26"]  # 2025-26: an estimate
    pay = run_rebase(RebaseRequest(value=1.0, from_year="2011-12", to_year="2024-25", series="pay"))
    assert pay.factor == pytest.approx(293.1 / 282.5 * _chained(NHSCII_PAY), rel=1e-12)
    # within the HCHS years the three series agree (no separate pay index before 2015-16)
    for series in ("pay", "prices"):
        early = RebaseRequest(value=1.0, from_year="2008-09", to_year="2014-15", series=series)
        assert run_rebase(early).factor == pytest.approx(293.1 / 267.0, rel=1e-12)


@given(st.sampled_from(YEARS), st.sampled_from(YEARS), st.sampled_from(YEARS))
def test_rebasing_a_to_b_to_c_equals_a_to_c(a: str, b: str, c: str) -> None:
    index = nhs_indexes().get("pay-and-prices")
    assert index.factor(a, b) * index.factor(b, c) == pytest.approx(index.factor(a, c), rel=1e-12)
    assert index.factor(a, a) == 1.0


@pytest.mark.parametrize("year", ["2008-09", "2015-16", "2024-25"])
def test_ratios_and_break_even_do_not_move_with_the_price_year(year: str) -> None:
    base = run_analysis(AnalysisRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS))
    moved = run_analysis(
        AnalysisRequest(evidence=SYNTHETIC, costs=SYNTHETIC_COSTS, price_year=year)
    )
    factor = nhs_indexes().get("pay-and-prices").factor(base.price_year, year)
    assert moved.price_year == year
    assert moved.pooled.weighted_mean_ratio == pytest.approx(base.pooled.weighted_mean_ratio)
    assert moved.break_even.bed_days_saved_per_fte_year == pytest.approx(
        base.break_even.bed_days_saved_per_fte_year
    )
    # every money figure moves by the one factor
    assert moved.costs.cost_per_bed_day == pytest.approx(base.costs.cost_per_bed_day * factor)
    for m, b in zip(moved.studies, base.studies, strict=True):
        assert m.net_benefit_per_fte_year == pytest.approx(b.net_benefit_per_fte_year * factor)
        assert m.ratio == pytest.approx(b.ratio)


def test_monte_carlo_money_moves_with_the_price_year_and_probabilities_do_not() -> None:
    common = {"evidence": SYNTHETIC, "costs": SYNTHETIC_COSTS, "draws": 4096, "seed": 3}
    base = run_psa(PsaRequest(**common))
    moved = run_psa(PsaRequest(**common, price_year="2024-25"))
    factor = nhs_indexes().get("pay-and-prices").factor(base.price_year, "2024-25")
    for method in ("weighted", "sums"):
        b, m = base.pooled[method], moved.pooled[method]
        assert m.prob_net_benefit_positive == b.prob_net_benefit_positive
        assert m.ratio.median == pytest.approx(b.ratio.median, rel=1e-6)
        assert m.net_benefit_per_fte_year.mean == pytest.approx(
            b.net_benefit_per_fte_year.mean * factor
        )


def test_pay_for_pay_moves_salary_by_the_pay_index() -> None:
    # Bundled 2011-12: salary 20,183 x (1 + 0.0896 + 0.14) is pay; overheads (0.74 + 0.29) of
    # salary follow the salary too, as rates of it. So with pay-for-pay the whole peer worker
    # cost moves by the pay index, and the bed-day by pay and prices.
    indexes = nhs_indexes()
    pay = indexes.get("pay").factor("2011-12", "2024-25")
    both = indexes.get("pay-and-prices").factor("2011-12", "2024-25")
    result = run_analysis(AnalysisRequest(price_year="2024-25", indexation="pay-for-pay"))
    assert result.costs.cost_per_fte_year == pytest.approx(20_183 * 2.2596 * pay)
    assert result.costs.cost_per_bed_day == pytest.approx(334 * both)
    base = run_analysis(AnalysisRequest())
    assert result.pooled.weighted_mean_ratio == pytest.approx(
        base.pooled.weighted_mean_ratio * both / pay
    )


def test_bundled_cost_sets() -> None:
    sets = {c.name: c for c in run_cost_sets().cost_sets}
    assert list(sets) == [
        "england-2011-12",
        "england-2023-24",
        "england-2024-25",
        "england-2025-26",
    ]
    # PSSRU 2024 Manual, Table 8.2.1, band 4: 26,399 + 8,165 + 7,708 + 11,842 + 7,689
    assert sets["england-2023-24"].cost_per_fte_year == pytest.approx(61_803, abs=0.01)
    assert sets["england-2023-24"].cost_per_bed_day == 575
    # NCC 2024/25, 200MHPS: 1,770,251,000 / 2,461,767 = 719.10
    assert sets["england-2024-25"].cost_per_bed_day == 719.10
    # 2024-25: band 4 mid 27,822 x (1 + NI 0.09286 + pension 0.237) plus the 2023-24
    # overheads and capital rebased by the pay-and-prices growth into 2024-25 (4.02%)
    overheads = (7_708 + 11_842 + 7_689) * 1.0402
    expected = 27_822 * (1 + 0.09286 + 0.237) + overheads
    assert sets["england-2024-25"].cost_per_fte_year == pytest.approx(expected, rel=1e-9)
    # 2025-26: band 4 mid (27,485 + 30,162) / 2 = 28,823.5; NI 15% above 5,000:
    # 0.15 x 23,823.5 / 28,823.5 = 0.12398; pension 23.7%; overheads from 2023-24 by 4.02%
    # then the 2025-26 estimate 2.91% (0.645 x 3.6 + 0.355 x 1.655 = 2.909525, written 2.91)
    overheads = (7_708 + 11_842 + 7_689) * 1.0402 * 1.0291
    expected = 28_823.5 * (1 + 0.12398 + 0.237) + overheads  # = 68,387
    assert sets["england-2025-26"].cost_per_fte_year == pytest.approx(expected, rel=1e-9)
    assert sets["england-2025-26"].cost_per_fte_year == pytest.approx(68_387, abs=1)
    assert sets["england-2025-26"].cost_per_bed_day == pytest.approx(719.10 * 1.0291, rel=1e-12)
    # the break-even of the design notes: 61,803 / 575 = 107.5 bed-days per FTE-year
    at_2023 = peervalue.analyse(costs="england-2023-24")
    assert at_2023.break_even.bed_days_saved_per_fte_year == pytest.approx(61_803 / 575, abs=1e-3)


def test_rebasing_against_recosting() -> None:
    result = run_cost_comparison(CostComparisonRequest())
    factor = nhs_indexes().get("pay-and-prices").factor("2011-12", "2024-25")
    bed = result.lines[0]
    assert bed.older_value == 334 and bed.published == 719.10
    assert bed.rebased == pytest.approx(334 * factor)
    assert bed.difference_share == pytest.approx(719.10 / (334 * factor) - 1)
    # rebasing leaves the ratio where it was; re-costing does not
    assert result.ratio_rebased == pytest.approx(peervalue.analyse().pooled.weighted_mean_ratio)
    recosted = peervalue.analyse(costs="england-2024-25").pooled.weighted_mean_ratio
    assert result.ratio_recosted == pytest.approx(recosted)
    assert result.ratio_recosted > result.ratio_rebased
    assert any("faster than general NHS inflation" in line for line in result.explanation)


def test_costs_commands(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "costs", "rebase", "334", "--from", "2011-12", "--to", "2024-25")
    assert run.code == 0 and "448.79 at 2024-25 prices" in run.out and "factor 1.343676" in run.out
    run = run_cli(capsys, "costs", "list", "--format", "csv")
    assert run.out.splitlines()[0].startswith("name,title,price_year,cost_per_bed_day")
    run = run_cli(capsys, "costs", "show", "england-2024-25", "--format", "json")
    shown = json.loads(run.out)
    assert shown["bed_day"]["value"] == 719.10 and shown["price_year"] == "2024-25"
    run = run_cli(capsys, "reproduce", "--costs", "england-2024-25", "--format", "json")
    assert json.loads(run.out)["costs"]["cost_per_bed_day"] == 719.10
    run = run_cli(capsys, "threshold", "--price-year", "2024-25", "--format", "json")
    assert json.loads(run.out)["price_year"] == "2024-25"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["costs", "rebase", "334", "--from", "2011-12", "--to", "2030-31"], "--to"),
        (["costs", "rebase", "334", "--from", "2011-13", "--to", "2024-25"], "--from"),
        (["costs", "rebase", "inf", "--from", "2011-12", "--to", "2024-25"], "VALUE"),
        (["costs", "show", "england-1999-00"], "bundled cost set"),
        (["reproduce", "--costs", "england-2099-00"], "england-2011-12"),
        (["psa", "-n", "10", "--price-year", "2007-08"], "2008-09 to 2027-28"),
        (["meta", "--price-year", "twenty"], "--price-year"),
    ],
)
def test_bad_price_years_and_names(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    run = run_cli(capsys, *args)
    assert run.code == 2 and "Traceback" not in run.err
    assert fragment in run.err


def test_rebase_keeps_nothing_but_finite_values() -> None:
    with pytest.raises(peervalue.InputError):
        from peervalue.service import make_request

        make_request(RebaseRequest, value=math.nan, from_year="2011-12", to_year="2024-25")

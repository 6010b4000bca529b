"""The whole analysis on a synthetic evidence set whose every figure was computed by hand.

Costs: 300 per bed-day, 30,000 per FTE-year, so one bed-day per FTE-year is worth
0.01 of a peer worker and break-even is 30,000 / 300 = 100 bed-days per FTE-year.

alpha  mean bed-days 20 - 10 = 10 saved per patient x 40 = 400; FTE 2 x 1 year = 2
       -> 200 per FTE-year -> benefit 60,000 -> ratio 2.0; weight 40 + 40 = 80
beta   total 90 among 30 (3 per patient); caseload: 30 x 0.5 years / 10 = 1.5 FTE-years
       -> 60 per FTE-year -> benefit 18,000 -> ratio 0.6; weight 30
gamma  admissions x stay: 1.0 x 20 - 1.5 x 20 = -10 per patient x 20 = -200; 0.5 FTE-years
       -> -400 per FTE-year -> benefit -120,000 -> ratio -4.0; weight 20 + 30 = 50
"""

from __future__ import annotations

import math

import pytest

import peervalue
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, SYNTHETIC_SECONDARY


@pytest.fixture(scope="module")
def result() -> peervalue.AnalysisResult:
    return peervalue.analyse(
        peervalue.load_evidence(SYNTHETIC), peervalue.load_costs(SYNTHETIC_COSTS)
    )


EXPECTED = {
    # id: (d, D, F, b, benefit, ratio, weight, class)
    "alpha": (10.0, 400.0, 2.0, 200.0, 60_000.0, 2.0, 80.0, "> 1"),
    "beta": (3.0, 90.0, 1.5, 60.0, 18_000.0, 0.6, 30.0, "0 to 1"),
    "gamma": (-10.0, -200.0, 0.5, -400.0, -120_000.0, -4.0, 50.0, "< 0"),
}


@pytest.mark.parametrize("study_id", sorted(EXPECTED))
def test_per_study_figures(result: peervalue.AnalysisResult, study_id: str) -> None:
    d, big_d, f, b, benefit, ratio, weight, cls = EXPECTED[study_id]
    row = next(s for s in result.studies if s.id == study_id)
    assert row.bed_days_saved_per_patient == pytest.approx(d)
    assert row.total_bed_days_saved == pytest.approx(big_d)
    assert row.fte_years == pytest.approx(f)
    assert row.bed_days_saved_per_fte_year == pytest.approx(b)
    assert row.benefit_per_fte_year == pytest.approx(benefit)
    assert row.cost_per_fte_year == pytest.approx(30_000)
    assert row.net_benefit_per_fte_year == pytest.approx(benefit - 30_000)
    assert row.ratio == pytest.approx(ratio)
    assert row.pooling_weight == pytest.approx(weight)
    assert row.classification == cls


def test_pooled_weighted_mean_all_patients(result: peervalue.AnalysisResult) -> None:
    # (80 x 2.0 + 30 x 0.6 + 50 x -4.0) / 160 = -22 / 160
    assert result.pooled.weighted_mean_ratio == pytest.approx(-22 / 160)


def test_pooled_ratio_of_sums(result: peervalue.AnalysisResult) -> None:
    # (400 + 90 - 200) x 300 / ((2 + 1.5 + 0.5) x 30,000) = 87,000 / 120,000
    assert result.pooled.ratio_of_sums == pytest.approx(87_000 / 120_000)


def test_pooled_weighted_mean_intervention_patients() -> None:
    res = peervalue.analyse(
        peervalue.load_evidence(SYNTHETIC), peervalue.load_costs(SYNTHETIC_COSTS), "intervention"
    )
    # (40 x 2.0 + 30 x 0.6 + 20 x -4.0) / 90 = 18 / 90
    assert res.pooled.weighted_mean_ratio == pytest.approx(18 / 90)


def test_classification_counts_and_break_even(result: peervalue.AnalysisResult) -> None:
    assert (
        result.pooled.above_one,
        result.pooled.between_zero_and_one,
        result.pooled.negative,
    ) == (1, 1, 1)
    assert result.break_even_bed_days_per_fte_year == pytest.approx(100.0)


def test_secondary_per_fte_year_input() -> None:
    # delta: 150 bed-days per FTE-year given directly -> 45,000 / 30,000 = 1.5, weight 50;
    # with alpha (2.0, weight 80) the weighted mean is (160 + 75) / 130. delta has no
    # FTE-years, so the ratio of sums cannot be formed and says why.
    res = peervalue.analyse(
        peervalue.load_evidence(SYNTHETIC_SECONDARY), peervalue.load_costs(SYNTHETIC_COSTS)
    )
    delta = next(s for s in res.studies if s.id == "delta")
    assert delta.ratio == pytest.approx(1.5)
    assert res.pooled.weighted_mean_ratio == pytest.approx(235 / 130)
    assert math.isnan(res.pooled.ratio_of_sums)
    assert "delta" in res.pooled.ratio_of_sums_note
    assert res.to_dict()["pooled"]["ratio_of_sums"] is None


def test_to_pandas_and_to_dict_agree(result: peervalue.AnalysisResult) -> None:
    frame = result.to_pandas()
    data = result.to_dict()
    assert list(frame.index) == [s["id"] for s in data["studies"]]
    for s in data["studies"]:
        assert frame.loc[s["id"], "ratio"] == pytest.approx(s["ratio"])
    assert frame.attrs["pooled"]["weighted_mean_ratio"] == pytest.approx(
        data["pooled"]["weighted_mean_ratio"]
    )
    assert data["price_year"] == "2011-12" and data["currency"] == "GBP"


def test_assumed_inputs_are_listed(result: peervalue.AnalysisResult) -> None:
    by_id = {s.id: s.assumed_inputs for s in result.studies}
    assert by_id == {"alpha": ["peer_input.fte"], "beta": ["peer_input.caseload"], "gamma": []}

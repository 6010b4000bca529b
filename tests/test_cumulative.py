"""Cumulative analysis: each step is the pooled analysis of the studies added so far."""

from __future__ import annotations

import json

import pytest

from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from peervalue.service.cumulative import run_cumulative
from peervalue.service.requests import CumulativeRequest
from tests.cli_helpers import run_cli


def test_each_step_equals_the_analysis_of_its_studies() -> None:
    result = run_cumulative(CumulativeRequest(evidence_set="cmh2013", draws=2_000))
    years = [s.year for s in result.steps]
    assert years == sorted(years)
    assert [s.added for s in result.steps] == [
        "klein1998",
        "chinman2001",
        "min2007",
        "rivera2007",
        "lawn2008",
        "sledge2011",
    ]
    full = run_analysis(AnalysisRequest(evidence_set="cmh2013"))
    last = result.steps[-1].pooled
    assert last["weighted"].deterministic == pytest.approx(full.pooled.weighted_mean_ratio)
    assert last["sums"].deterministic == pytest.approx(full.pooled.ratio_of_sums)
    # step 1 is Klein alone: its own ratio by both methods
    klein = next(s for s in full.studies if s.id == "klein1998")
    first = result.steps[0].pooled
    assert first["weighted"].deterministic == pytest.approx(klein.ratio)
    assert first["sums"].deterministic == pytest.approx(klein.ratio)
    # step 2 by hand: Klein (61 patients, ratio r_k) and Chinman (60, ratio 0)
    assert result.steps[1].pooled["weighted"].deterministic == pytest.approx(
        61 * klein.ratio / (61 + 60)
    )


def test_last_step_probability_matches_psa_on_the_same_draws() -> None:
    result = run_cumulative(CumulativeRequest(evidence_set="all-2026", draws=3_000, seed=7))
    psa = run_psa(PsaRequest(evidence_set="all-2026", draws=3_000, seed=7))
    for method in ("weighted", "sums"):
        assert result.steps[-1].pooled[method].prob_net_benefit_positive == pytest.approx(
            psa.pooled[method].prob_net_benefit_positive, abs=1 / 3_000
        )
        # psa keeps its draws as float32 (memory), so medians agree to about 1e-7
        assert result.steps[-1].pooled[method].median == pytest.approx(
            psa.pooled[method].ratio.median, rel=1e-6
        )
    assert result.not_pooled == [
        "enrich2022",
        "kelly2021",
        "mahlke2017",
        "nycrespite2018",
        "oconnell2018",
        "simpson2014",
    ]


def test_order_by_weight_adds_the_largest_study_first() -> None:
    result = run_cumulative(CumulativeRequest(evidence_set="all-2026", order="weight", draws=200))
    weights = [s.pooling_weight for s in result.steps]
    assert weights == sorted(weights, reverse=True)
    assert result.steps[0].added == "landers2014"


def test_cumulative_cli_formats(capsys: pytest.CaptureFixture[str]) -> None:
    base = ("cumulative", "--evidence-set", "all-2026", "--draws", "500")
    as_json = json.loads(run_cli(capsys, *base, "-f", "json").out)
    assert len(as_json["steps"]) == 11 and as_json["order"] == "year"
    rows = run_cli(capsys, *base, "-f", "csv").out.strip().splitlines()
    assert rows[0].startswith("step,added,citation,year,method,ratio")
    assert len(rows) == 1 + 2 * 11
    table = run_cli(capsys, *base).out
    assert "Recorded but never pooled" in table
    bad = run_cli(capsys, "cumulative", "--draws", "10")
    assert bad.code == 2 and "--draws" in bad.err and "from 100 to 200,000" in bad.err

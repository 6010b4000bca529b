"""2013 beside 2026: evidence sets side by side, and what changed."""

from __future__ import annotations

import json

import pytest

from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from peervalue.service.compare import run_compare
from peervalue.service.requests import EvidenceComparisonRequest
from tests.cli_helpers import run_cli


def test_each_side_is_the_analysis_of_its_set() -> None:
    result = run_compare(
        EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=2_000)
    )
    base, new = result.sides
    reference = run_analysis(AnalysisRequest())  # the default: the bundled six
    assert base.pooled["weighted"].ratio == reference.pooled.weighted_mean_ratio
    assert base.pooled["sums"].ratio == reference.pooled.ratio_of_sums
    psa = run_psa(PsaRequest(evidence_set="all-2026", draws=2_000))
    assert (
        new.pooled["weighted"].prob_net_benefit_positive
        == psa.pooled["weighted"].prob_net_benefit_positive
    )
    assert result.added == ["core2018", "croft2015", "forchuk2005", "landers2014", "scanlan2017"]
    assert result.dropped == []
    assert set(new.not_pooled) == {
        "enrich2022",
        "kelly2021",
        "mahlke2017",
        "nycrespite2018",
        "oconnell2018",
        "simpson2014",
    }
    text = " ".join(result.what_changed)
    # the weighted mean follows the study with most patients; the words say which, and why
    heaviest = max(new.studies, key=lambda s: s.pooling_weight)
    assert heaviest.id == "landers2014"
    share = heaviest.pooling_weight / sum(s.pooling_weight for s in new.studies)
    assert "Landers & Zhou 2014 carries 35,600 of" in text
    assert f"({100 * share:.0f}% of the weight)" in text
    assert "Forchuk 2005 bundles more than peer support" in text
    assert "falls from 1.44 to 0.40" in text


def test_compare_cli(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("compare", "--evidence-set", "cmh2013", "--evidence-set", "rct-only", "-n", "300")
    data = json.loads(run_cli(capsys, *args, "-f", "json").out)
    assert [s["evidence_set"] for s in data["sides"]] == ["cmh2013", "rct-only"]
    assert data["dropped"] == ["chinman2001", "klein1998", "lawn2008", "min2007"]
    csv = run_cli(capsys, *args, "-f", "csv").out.strip().splitlines()
    assert len(csv) == 1 + 2 * 2
    assert "What changed" in run_cli(capsys, *args).out
    one = run_cli(capsys, "compare", "--evidence-set", "cmh2013")
    assert one.code == 2 and "--evidence-set" in one.err
    twice = run_cli(capsys, "compare", "--evidence-set", "cmh2013", "--evidence-set", "cmh2013")
    assert twice.code == 2 and "the same set twice" in twice.err


def test_compare_counting_every_resource_says_so() -> None:
    result = run_compare(
        EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=200, resources="all")
    )
    assert result.counted_resources == ["bed-days", "emergency_department_visit"]
    assert "kelly2021" in [s.id for s in result.sides[1].studies]
    assert "kelly2021" not in result.sides[1].not_pooled
    plain = run_compare(EvidenceComparisonRequest(evidence_sets=["cmh2013", "all-2026"], draws=200))
    assert plain.counted_resources is None and "counted_resources" not in plain.to_dict()

"""The bridge to the published 4.8 : 1: each step is an analysis run with one change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import peervalue
from peervalue.service.reconcile import run_reconcile
from peervalue.service.requests import ReconcileRequest
from tests.cli_helpers import run_cli

FULL = 20_183 * (1 + 0.0896 + 0.14 + 0.74 + 0.29)
PAY = 20_183 * (1 + 0.0896 + 0.14)


def test_each_step_is_one_named_change() -> None:
    r = run_reconcile(ReconcileRequest())
    start = peervalue.analyse().pooled.weighted_mean_ratio
    assert r.start_ratio == pytest.approx(start)
    assert [s.step for s in r.steps] == ["cost basis", "weighting", "assumed nil effects"]
    # 1. pay basis: every ratio grows by FULL / PAY
    assert r.steps[0].ratio_after == pytest.approx(start * FULL / PAY)
    # 2. the other weighting reading, still on pay
    both = peervalue.analyse(cost_basis="pay", weighting="intervention")
    assert r.steps[1].ratio_after == pytest.approx(both.pooled.weighted_mean_ratio)
    # 3. without Chinman 2001 and Rivera 2007 (nil effects by assumption)
    assert "chinman2001, rivera2007" in r.steps[2].change
    kept = [
        s for s in peervalue.load_evidence().studies if s.id not in {"chinman2001", "rivera2007"}
    ]
    without = peervalue.analyse(kept, cost_basis="pay", weighting="intervention")
    assert r.steps[2].ratio_after == pytest.approx(without.pooled.weighted_mean_ratio)
    # the steps chain, and their shares add up to what they explain
    ratios = [r.start_ratio] + [s.ratio_after for s in r.steps]
    for s, before, after in zip(r.steps, ratios, ratios[1:], strict=False):
        assert s.change_in_ratio == pytest.approx(after - before)
        assert s.share_of_gap == pytest.approx((after - before) / (4.8 - start))
    assert r.remaining_gap == pytest.approx(4.8 - ratios[-1])
    # the caseload that would give 4.8: ratio is proportional to a common caseload
    threshold = peervalue.threshold(kept, cost_basis="pay", weighting="intervention")
    assert r.required_caseload == pytest.approx(4.8 * threshold.thresholds[2].break_even)
    # and independently, from the study and cost files: required = 4.8 * c_psw / (c_bed * e),
    # e = bed-days saved per patient-year of support, pooled by intervention-arm size n over
    # the four studies left (bed-days saved per patient / years of support):
    #   klein1998   n=10   6 / 0.5 (6 months)            = 12
    #   lawn2008    n=49   (300 / 49) / 0.25 (3 months)  = 1200 / 49
    #   min2007     n=106  (1549 / 106) / 1 (12 months)  = 1549 / 106
    #   sledge2011  n=38   9 / 0.75 (9 months)           = 12
    #   e = (120 + 1200 + 1549 + 456) / 203 = 3325 / 203
    # c_bed = 334 (2011-12 bed-day), c_psw = PAY = 20,183 * 1.2296 = 24,817.0168, so
    #   required = 4.8 * 24,817.0168 * 203 / (334 * 3325) = 24,181,701.17 / 1,110,550
    assert r.required_caseload == pytest.approx(4.8 * PAY * 203 / (334 * 3325), rel=1e-9)
    assert r.required_caseload == pytest.approx(21.7745, abs=1e-4)
    assert r.caseload_range == (8.0, 25.0)
    assert r.caseload_plausible is (8 <= r.required_caseload <= 25)
    assert "lower bound" in r.verdict


def test_reconcile_command(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(run_cli(capsys, "reconcile", "--format", "json").out)
    assert data["published_ratio"] == 4.8 and len(data["steps"]) == 3
    csv_text = run_cli(capsys, "reconcile", "--format", "csv").out
    assert csv_text.splitlines()[0].startswith("step,change,reason,ratio_after")
    assert "Share of the distance" in run_cli(capsys, "reconcile").out


def test_reconcile_refuses_evidence_that_is_not_the_six(tmp_path: Path) -> None:
    from peervalue.evidence.load import bundled_evidence_dir

    for name in ["chinman2001", "klein1998", "lawn2008", "min2007", "rivera2007"]:
        shutil.copy(bundled_evidence_dir() / f"{name}.yaml", tmp_path)
    with pytest.raises(peervalue.InputError) as five:
        run_reconcile(ReconcileRequest(evidence=tmp_path))
    assert "this evidence lacks studies (sledge2011)" in str(five.value)
    # the six themselves, from a folder of their own, are bridged as the bundled ones
    shutil.copy(bundled_evidence_dir() / "sledge2011.yaml", tmp_path)
    assert run_reconcile(ReconcileRequest(evidence=tmp_path)).steps


def test_a_report_draws_the_bridge_only_for_the_six(tmp_path: Path) -> None:
    from peervalue.evidence.load import bundled_evidence_dir
    from peervalue.service.report import report_figures
    from peervalue.service.requests import ReportRequest
    from tests.conftest import SYNTHETIC

    assert "bridge" in report_figures(ReportRequest())
    assert "bridge" not in report_figures(ReportRequest(evidence=SYNTHETIC))
    for path in bundled_evidence_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path)
    assert "bridge" in report_figures(ReportRequest(evidence=tmp_path))

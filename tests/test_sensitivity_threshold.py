"""One-way sensitivity, thresholds and study influence on the synthetic set, by hand.

Synthetic (test_synthetic.py): b = 200, 60, -400 bed-days per FTE-year with weights
80, 30, 50, so the weighted pooled b is -2,200 / 160 = -13.75; by sums 290 / 4 = 72.5.
Costs 300 per bed-day and 30,000 per FTE-year.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

import peervalue
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.influence import leave_one_out, subgroups
from peervalue.uncertainty.sensitivity import one_way
from peervalue.uncertainty.threshold import thresholds
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS, spec_of

Z = 1.959963984540054


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return spec_of(SYNTHETIC, SYNTHETIC_COSTS)


def test_tornado_by_hand(spec: ModelSpec) -> None:
    result = one_way(spec)
    assert result.base_net_benefit_per_fte_year == pytest.approx(-13.75 * 300 - 30_000)
    rows = {r.parameter: r for r in result.inputs}
    # alpha FTE 1..3: b_alpha 400 or 133.3 -> pooled (32,000 + 1,800 - 20,000) / 160 = 86.25
    fte = rows["alpha:peer_input.fte"]
    assert fte.net_benefit_at_low == pytest.approx(86.25 * 300 - 30_000)
    assert fte.net_benefit_at_high == pytest.approx((80 * 400 / 3 - 18_200) / 160 * 300 - 30_000)
    # the peer worker's cost moves net benefit pound for pound
    cost = rows["costs:peer_worker.total"]
    assert cost.swing == pytest.approx(10_000)
    assert rows["costs:bed_day"].swing == pytest.approx(13.75 * 100)
    # beta caseload 5..20: FTE-years 3 or 0.75 -> b 30 or 120
    caseload = rows["beta:peer_input.caseload"]
    assert caseload.net_benefit_at_low == pytest.approx(
        (16_000 + 900 - 20_000) / 160 * 300 - 30_000
    )
    assert caseload.net_benefit_at_high == pytest.approx(-2.5 * 300 - 30_000)
    # control mean +/- 1.96 x 8 / sqrt(40) bed-days per patient, x 40 / 2 FTE-years x 80 / 160
    control = rows["alpha:outcome.control_mean"]
    assert control.swing == pytest.approx(2 * Z * 8 / math.sqrt(40) * 20 * 0.5 * 300)
    order = [r.parameter for r in result.inputs]
    assert order == [
        "alpha:peer_input.fte",
        "alpha:outcome.control_mean",
        "costs:peer_worker.total",
        "alpha:outcome.intervention_mean",
        "beta:peer_input.caseload",
        "costs:bed_day",
    ]
    assert "gamma:outcome.control_admissions" in result.fixed_inputs


def test_thresholds_by_hand(spec: ModelSpec) -> None:
    weighted = {t.quantity.split(" (")[0]: t for t in thresholds(spec).thresholds}
    assert weighted["bed-days saved per FTE-year"].break_even == pytest.approx(100)
    assert weighted["bed-days saved per FTE-year"].pays_now is False
    # pooled bed-days are negative: no cost per bed-day makes it pay
    assert math.isnan(weighted["cost per bed-day"].break_even)
    sums = {t.quantity.split(" (")[0]: t for t in thresholds(spec, "sums").thresholds}
    assert sums["cost per bed-day"].break_even == pytest.approx(30_000 / 72.5)
    assert sums["peer worker cost per FTE-year"].break_even == pytest.approx(72.5 * 300)
    assert sums["peer worker cost per FTE-year"].pays_now is False
    # bed-days saved per patient-year of support: alpha 10 / 1 year (its peer input's
    # duration), beta 3 / 0.5 years, gamma -10 / 1 (no duration: its follow-up)
    e = (80 * 10 + 30 * 6 - 50 * 10) / 160
    assert e == 3.0
    assert sums["common caseload"].break_even == pytest.approx(30_000 / (300 * 3.0))
    # the caseload the evidence implies: b / e = 72.5 / 3 by sums; none when b < 0
    assert sums["common caseload"].current == pytest.approx(72.5 / 3)
    assert math.isnan(weighted["common caseload"].current)


def test_leave_one_out_matches_analysing_without_the_study(spec: ModelSpec, tmp_path: Path) -> None:
    result = leave_one_out(spec, 2_000, 1)
    assert result.all_studies.weighted_mean_ratio == pytest.approx(-0.1375)
    for group in result.groups:
        dropped = group.group.removeprefix("without ")
        folder = tmp_path / dropped
        folder.mkdir()
        for study_file in SYNTHETIC.iterdir():
            if study_file.stem != dropped:
                shutil.copy(study_file, folder)
        alone = peervalue.analyse(
            peervalue.load_evidence(folder), peervalue.load_costs(SYNTHETIC_COSTS)
        )
        assert group.weighted_mean_ratio == pytest.approx(alone.pooled.weighted_mean_ratio)
        assert group.ratio_of_sums == pytest.approx(alone.pooled.ratio_of_sums)
    without_gamma = next(g for g in result.groups if g.group == "without gamma")
    # (80 x 2.0 + 30 x 0.6) / 110
    assert without_gamma.weighted_mean_ratio == pytest.approx(178 / 110)


def test_subgroups_by_design(spec: ModelSpec) -> None:
    result = subgroups(peervalue.load_evidence(SYNTHETIC).studies, spec, "design", 2_000, 1)
    ratios = {g.group: g.weighted_mean_ratio for g in result.groups}
    assert ratios == pytest.approx(
        {"design = rct": 2.0, "design = uncontrolled": 0.6, "design = controlled": -4.0}
    )
    gamma = next(g for g in result.groups if g.group == "design = controlled")
    assert gamma.prob_net_benefit_positive == 0.0  # gamma adds bed-days in every draw


def test_cli_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS), "--format", "json"]
    sens = json.loads(run_cli(capsys, "sensitivity", *args).out)
    assert sens["inputs"][0]["parameter"] == "alpha:peer_input.fte"
    thr = json.loads(run_cli(capsys, "threshold", "--pooling", "sums", *args).out)
    assert thr["thresholds"][1]["break_even"] == pytest.approx(30_000 / 72.5)
    run = run_cli(capsys, "analyse", "--leave-one-out", "--subgroup", "country", "-n", "500", *args)
    assert run.code == 0, run.err
    influence = json.loads(run.out)["influence"]
    assert [i["kind"] for i in influence] == ["leave-one-out", "subgroup:country"]
    csv = run_cli(capsys, "analyse", "--leave-one-out", "-n", "500", *args[:-1], "csv")
    assert csv.out.count("\ngroup,") == 4  # all studies + three left out
    table = run_cli(capsys, "threshold")
    assert table.code == 0 and "Break-even values" in table.out


def test_meta_command_compares_pooling_methods(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS), "--format", "json"]
    data = json.loads(run_cli(capsys, "meta", "--caseload", "12", *args).out)
    rows = {r["method"].split(" x ")[0]: r for r in data["pooling_comparison"]["rows"]}
    assert rows["weighted mean of ratios"]["ratio"] == pytest.approx(-0.1375)
    assert rows["ratio of sums"]["ratio"] == pytest.approx(0.725)
    # only alpha qualifies: 10 bed-days per patient-year x 12 patients x 300 / 30,000
    fixed = rows["meta-analysis (fixed)"]
    assert fixed["bed_days_saved_per_fte_year"] == pytest.approx(120)
    assert fixed["ratio"] == pytest.approx(1.2)
    se = math.sqrt(25 / 40 + 64 / 40)
    assert fixed["ratio_ci_low"] == pytest.approx((10 - Z * se) * 0.12)
    assert set(data["meta_analysis"]["excluded"]) == {"beta", "gamma"}


def test_meta_on_bundled_evidence_agrees_with_sledge(capsys: pytest.CaptureFixture[str]) -> None:
    # Sledge: 12 bed-days per patient-year; at its assumed caseload of 15 that is its own
    # 180 bed-days per FTE-year, so the meta-analytic ratio equals Sledge's ratio.
    data = json.loads(run_cli(capsys, "meta", "--format", "json").out)
    rows = data["pooling_comparison"]["rows"]
    full_cost = 20_183 * (1 + 0.0896 + 0.14 + 0.74 + 0.29)  # bundled 2011-12, full basis
    assert rows[2]["ratio"] == pytest.approx(180 * 334 / full_cost, rel=1e-9)
    bad = run_cli(capsys, "meta", "--caseload", "0")
    assert bad.code == 2 and "--caseload" in bad.err


def test_tables_render(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["meta"], ["sensitivity"], ["psa", "-n", "2000", "--show", "distributions"]):
        run = run_cli(capsys, *args)
        assert run.code == 0, run.err
    assert "costs:bed_day" in run.out and "gamma" in run.out

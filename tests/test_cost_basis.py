"""Cost basis: pay (salary and employer on-costs) or full (with overheads and capital).

Bundled 2011-12 costs: salary 20,183; employer NI 0.09 and superannuation 0.14 of salary
(pay); overheads 0.74 and capital 0.29 of salary (full only).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import peervalue
from peervalue.service import AnalysisRequest, PsaRequest, run_analysis, run_psa
from tests.cli_helpers import run_cli
from tests.conftest import SYNTHETIC, SYNTHETIC_COSTS

PAY = 20_183 * (1 + 0.0896 + 0.14)
FULL = 20_183 * (1 + 0.0896 + 0.14 + 0.74 + 0.29)


def test_pay_basis_counts_salary_and_on_costs_only() -> None:
    pay = run_analysis(AnalysisRequest(cost_basis="pay"))
    full = run_analysis(AnalysisRequest(cost_basis="full"))
    assert pay.costs.cost_per_fte_year == pytest.approx(PAY)
    assert full.costs.cost_per_fte_year == pytest.approx(FULL)
    assert set(pay.costs.components) == {
        "bed_day",
        "peer_worker.components.salary",
        "peer_worker.components.employer_national_insurance",
        "peer_worker.components.employer_superannuation",
    }
    # the same bed-days, a smaller cost: every ratio grows by FULL / PAY (about 1.84)
    assert pay.pooled.weighted_mean_ratio == pytest.approx(
        full.pooled.weighted_mean_ratio * FULL / PAY
    )
    assert pay.break_even.bed_days_saved_per_fte_year == pytest.approx(PAY / 334)
    assert (pay.costs.basis, full.costs.basis) == ("pay", "full")


def test_reproduce_follows_the_report_and_shows_full_cost_beside(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(run_cli(capsys, "reproduce", "--format", "json").out)
    assert data["costs"]["basis"] == "pay"
    assert data["costs"]["cost_per_fte_year"] == pytest.approx(PAY)
    other = data["other_cost_basis"]
    assert other["basis"] == "full"
    assert other["cost_per_fte_year"] == pytest.approx(FULL)
    assert other["weighted_mean_ratio"] == pytest.approx(
        peervalue.analyse().pooled.weighted_mean_ratio
    )
    table = run_cli(capsys, "reproduce").out
    assert "Peer worker cost basis: pay cost" in table and "On the full basis" in table
    csv_text = run_cli(capsys, "reproduce", "--format", "csv").out
    header = csv_text.splitlines()[0]
    assert header.endswith(",price_year,currency,cost_basis")


def test_every_other_command_defaults_to_the_files_basis(tmp_path: Path) -> None:
    assert peervalue.analyse().costs.basis == "full"
    psa = run_psa(PsaRequest(draws=1024, cost_basis="pay"))
    assert psa.cost_basis == "pay"
    assert all("overheads" not in d.parameter for d in psa.distributions)
    # a cost file may set its own default basis
    pay_file = tmp_path / "pay.yaml"
    text = Path(str(peervalue.costs.load.bundled_costs_file())).read_text()
    pay_file.write_text(
        text.replace(
            "price_year: 2011-12\nbed_day:", "price_year: 2011-12\nbasis: pay\nbed_day:", 1
        )
    )
    assert peervalue.analyse(costs=pay_file).costs.cost_per_fte_year == pytest.approx(PAY)


def test_pay_basis_needs_components(capsys: pytest.CaptureFixture[str]) -> None:
    # the synthetic cost file gives only a total cost per FTE-year
    run = run_cli(
        capsys, "analyse", "--evidence", str(SYNTHETIC), "--costs", str(SYNTHETIC_COSTS),
        "--cost-basis", "pay",
    )  # fmt: skip
    assert run.code == 2
    assert "--cost-basis" in run.err and "only a total cost per FTE-year" in run.err

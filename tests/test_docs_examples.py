"""The example study files printed in docs/evidence-format.md load and give hand-checked results.

The three files in tests/data/docs_examples are the ones shown in section 11 of
the format guide; test_examples_match_the_guide keeps the guide and the files
in step, so a user copying from the guide gets a file that works.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import DATA

EXAMPLES = DATA / "docs_examples"
GUIDE = Path(__file__).parents[1] / "docs" / "evidence-format.md"
COST_PER_FTE_YEAR = 20_183 * (1 + 0.0896 + 0.14 + 0.74 + 0.29)  # bundled 2011-12 cost file
BED_DAY = 334.0


def test_examples_match_the_guide() -> None:
    guide = GUIDE.read_text()
    blocks = re.findall(r"```(?:yaml|toml)\n(.*?)```", guide, flags=re.S)
    for path in EXAMPLES.iterdir():
        assert any(path.read_text().strip() == b.strip() for b in blocks), (
            f"{path.name} is not printed verbatim in {GUIDE.name}"
        )


def test_examples_analyse_to_hand_computed_figures(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(capsys, "analyse", "--evidence", str(EXAMPLES), "--format", "json")
    assert run.code == 0, run.err
    data = json.loads(run.out)
    studies = {s["id"]: s for s in data["studies"]}
    # example_mean: (21.5 - 14.2) saved x 60 patients, over 60 / 15 caseload x 0.5 years.
    # example_total: 840 bed-days over 2.5 FTE x 1 year.
    # example_per_fte: 310 bed-days per FTE-year given directly.
    expected_saved = {
        "example_mean": 7.3 * 60 / 2.0,
        "example_total": 336.0,
        "example_per_fte": 310,
    }
    for study_id, saved in expected_saved.items():
        study = studies[study_id]
        assert study["bed_days_saved_per_fte_year"] == pytest.approx(saved)
        assert study["ratio"] == pytest.approx(saved * BED_DAY / COST_PER_FTE_YEAR)
    weights = {"example_mean": 118, "example_per_fte": 85, "example_total": 120}
    mean = sum(weights[k] * studies[k]["ratio"] for k in weights) / sum(weights.values())
    assert data["pooled"]["weighted_mean_ratio"] == pytest.approx(mean)
    assert mean == pytest.approx(2.0976, abs=1e-4)  # at 45,605.51 per FTE-year
    # One study gives no FTE-years, so the ratio of sums cannot be formed.
    assert data["pooled"]["ratio_of_sums"] is None

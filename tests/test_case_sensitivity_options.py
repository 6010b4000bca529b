"""``scenario tornado`` and ``scenario two-way`` for one of the case's ``[[options]]``
(``--option NAME``): the option's own NPV, checked against the options appraisal's figure
for it (another path through the service), and an option that changes nothing analyses
exactly as the case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peervalue.scenario.schema import template_file
from peervalue.service.case_sensitivity import run_case_tornado, run_case_two_way
from peervalue.service.requests import CaseSensitivityRequest, ScenarioRequest
from peervalue.service.scenario import run_scenario
from tests.cli_helpers import run_cli

DRAWS = 100
AXES = ("benefits.cash_releasing_share", "staffing.caseload")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template (two options) with a third option that sets nothing."""
    path = tmp_path_factory.mktemp("case") / "case.toml"
    text = template_file().read_text(encoding="utf-8")
    path.write_text(text + '\n[[options]]\nname = "As the case"\n', encoding="utf-8")
    return path


def test_the_tornado_of_an_option_is_at_that_options_npv(case: Path) -> None:
    appraisal = run_scenario(ScenarioRequest(scenario=case, draws=DRAWS)).options
    assert appraisal is not None
    by_name = {o.name: o for o in appraisal.options}
    for name in ("Do minimum: two posts", "Six posts"):
        t = run_case_tornado(CaseSensitivityRequest(scenario=case, option=name, draws=DRAWS))
        # the point NPVs of the option, computed by the options appraisal
        assert t.base_npv == pytest.approx(by_name[name].net_present_value, rel=1e-12)
        assert t.base_cash_npv == pytest.approx(by_name[name].cash_net_present_value, rel=1e-12)
        assert name in t.name
    own = run_case_tornado(CaseSensitivityRequest(scenario=case, draws=DRAWS))
    case_row = next(o for o in appraisal.options if o.name == own.name)
    assert own.base_npv == pytest.approx(case_row.net_present_value, rel=1e-12)
    # two posts against the template's ramp to four: a different case
    assert own.base_npv != pytest.approx(by_name["Do minimum: two posts"].net_present_value)


def test_an_option_that_changes_nothing_analyses_as_the_case(case: Path) -> None:
    request = CaseSensitivityRequest(scenario=case, draws=DRAWS, axes=AXES, grid=3)
    same = run_case_two_way(request.model_copy(update={"option": "As the case"}))
    own = run_case_two_way(request)
    assert same.net_benefit == own.net_benefit
    assert same.prob_positive == own.prob_positive
    other = run_case_two_way(request.model_copy(update={"option": "Six posts"}))
    assert other.net_benefit != own.net_benefit
    assert "Six posts" in other.subject


def test_the_cli_takes_an_option_and_refuses_an_unknown_one(
    case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_cli(
        capsys, "scenario", "tornado", str(case), "-n", str(DRAWS), "--format", "json",
        "--option", "Do minimum: two posts",
    )  # fmt: skip
    assert out.code == 0, out.err
    assert "Do minimum: two posts" in json.loads(out.out)["name"]
    bad = run_cli(capsys, "scenario", "two-way", str(case), "--axes", ",".join(AXES),
                  "--option", "Four posts")  # fmt: skip
    assert bad.code == 2
    assert "'Four posts' is not an option of" in bad.err
    assert "'Do minimum: two posts', 'Six posts', 'As the case'" in bad.err

"""Each option's cash payback year (issue 19: "scenario run prints, per option, the economic
NPV, the cash NPV and cash payback ..."): the year the option's cumulative discounted cash
net benefit turns positive, equal to the payback of a case that is the option itself."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from peervalue.report.options_cells import HEAD, option_rows
from peervalue.scenario.schema import template_file
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import run_scenario
from tests.cli_helpers import run_cli

#: a post costed at 5,000 a year: its cash released covers it within the horizon
CHEAP = 'name = "Cheap posts"\ncosts.cost_per_fte_year = 5000\n'


def test_an_options_cash_payback_is_that_of_the_option_run_as_a_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = template_file().read_text(encoding="utf-8")
    with_cheap = tmp_path / "options.toml"
    with_cheap.write_text(text + "\n[[options]]\n" + CHEAP, encoding="utf-8")
    r = run_scenario(ScenarioRequest(scenario=with_cheap, draws=50))
    assert r.options is not None
    rows = {o.name: o for o in r.options.options}
    # the option as a case of its own: the template's [costs] with the whole cost of a post
    head = text[: text.index("[[options]]")]
    own = head.replace(
        'set = "england-2024-25"', 'set = "england-2024-25"\ncost_per_fte_year = 5000'
    )
    case = tmp_path / "cheap.toml"
    case.write_text(own, encoding="utf-8")
    alone = run_scenario(ScenarioRequest(scenario=case, draws=50)).totals
    assert math.isfinite(alone.cash_payback_year)  # it does pay back, within five years
    assert rows["Cheap posts"].cash_payback_year == alone.cash_payback_year
    assert rows["Cheap posts"].cash_net_present_value == pytest.approx(
        alone.cash_net_present_value, rel=1e-12
    )
    # the case itself: its own payback (the template's does not pay back in cash)
    assert math.isnan(rows[r.name].cash_payback_year) == math.isnan(r.totals.cash_payback_year)
    assert math.isnan(rows["business as usual"].cash_payback_year)
    # the table's cells: a year, "none" and "-" for business as usual
    cells = {row[0]: row[HEAD.index("Cash payback")] for row in option_rows(r.options, "GBP", "")}
    assert cells["Cheap posts"] == f"year {alone.cash_payback_year:.0f}"
    assert cells["business as usual"] == "-"
    out = run_cli(capsys, "scenario", "run", str(with_cheap), "-n", "50")
    assert out.code == 0 and "Cash payback" in out.out

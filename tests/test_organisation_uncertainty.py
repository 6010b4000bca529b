"""Issue 19 item 3, for a finance director: how sure each organisation's figure is. Each
organisation's NPV and cash NPV get a 95% interval and P(> 0) over the Monte Carlo draws,
split from the projection's per-line draw arrays as the point values are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peervalue.scenario import model
from peervalue.scenario.organisation_uncertainty import with_draws
from peervalue.scenario.organisations import by_organisation
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import run_scenario

NAMES = {"trust": "Anytown FT", "icb": "Anytown ICB", "local_authority": "Anytown", "other": "X"}
DRAWS = 400


def _inputs() -> model.ScenarioInputs:
    """Two posts for three years, every money input drawn (log-normal around its centre), so
    that each organisation's draws differ and some straddle zero."""
    rng = np.random.default_rng(7)

    def col(x: float, sd: float = 0.4) -> np.ndarray:
        return x * rng.lognormal(0.0, sd, size=(DRAWS, 1))

    return model.ScenarioInputs(
        funded_fte=np.array([2.0, 2.0, 2.0]),
        vacancy_rate=np.full((DRAWS, 1), 0.1),
        turnover_rate=np.full((DRAWS, 1), 0.2),
        caseload=col(10.0),
        effect=col(1.5, 0.8),
        transferability=np.ones((DRAWS, 1)),
        cost_per_bed_day=col(400.0, 0.2),
        cost_per_fte_year=col(35000.0, 0.1),
        cash_releasing_share=rng.uniform(0.1, 0.5, size=(DRAWS, 1)),
        optimism_bias=np.full((DRAWS, 1), 0.1),
        cost_lines={
            "costs.set_up": model.CostLine("once", col(20000.0)),
            "costs.training_per_post": model.CostLine("per-post", col(1500.0)),
        },
        extra_rates=[col(0.5), col(0.2)],
        extra_costs=[col(150.0), col(300.0)],
        discount_rate=0.035,
    )


OWNERS = {
    "posts": "trust",
    "costs.set_up": "icb",
    "costs.training_per_post": "trust",
    "bed_days": "trust",
    "extra[0]": "other",
    "extra[1]": "local_authority",
}


@pytest.fixture(scope="module")
def projection() -> model.Projection:
    return model.project(_inputs())


def _oracle(p: model.Projection, key: str, cash: bool) -> tuple[float, float, float]:
    """An independent split: for each draw, the discounted sum over years of the lines
    ``key`` gains (times the draw's cash share if ``cash``) minus the lines it pays, then
    numpy's percentiles (linear) and the share above zero."""
    share = np.asarray(p.cash_releasing_share, dtype=float).reshape(-1) if cash else 1.0
    factor = np.asarray(p.discount_factor, dtype=float)
    total = np.zeros(DRAWS)
    for line, a in p.benefit_lines.items():
        if OWNERS[line] == key:
            total += share * (np.asarray(a) * factor).sum(axis=1)
    for line, a in p.cost_by_line.items():
        if OWNERS[line] == key:
            total -= (np.asarray(a) * factor).sum(axis=1)
    low, high = np.percentile(total, [2.5, 97.5])
    return float(low), float(high), float(np.mean(total > 0))


def test_each_organisations_interval_is_its_own_lines_draws(projection: model.Projection) -> None:
    p = projection
    assert set(OWNERS) == {*p.benefit_lines, *p.cost_by_line}  # every line is owned
    point = by_organisation(p, OWNERS, NAMES, ["1", "2", "3"])  # (the point split's shape)
    out = with_draws(point, p, OWNERS)
    seen = {o.organisation: o for o in out.organisations}
    assert list(seen) == ["trust", "icb", "local_authority", "other"]
    for key, o in seen.items():
        low, high, prob = _oracle(p, key, cash=False)
        assert o.net_present_value_p2_5 == pytest.approx(low, rel=1e-9, abs=1e-6)
        assert o.net_present_value_p97_5 == pytest.approx(high, rel=1e-9, abs=1e-6)
        assert o.prob_net_present_value_positive == prob
        low, high, prob = _oracle(p, key, cash=True)
        assert o.cash_net_present_value_p2_5 == pytest.approx(low, rel=1e-9, abs=1e-6)
        assert o.cash_net_present_value_p97_5 == pytest.approx(high, rel=1e-9, abs=1e-6)
        assert o.prob_cash_net_present_value_positive == prob
    # the ICB only pays the set-up: never above zero, whichever way it is counted
    assert seen["icb"].prob_net_present_value_positive == 0.0
    assert seen["icb"].net_present_value_p97_5 is not None
    assert seen["icb"].net_present_value_p97_5 < 0
    # the interval is not degenerate, and the draws straddle the point values
    trust = seen["trust"]
    assert trust.net_present_value_p2_5 is not None and trust.net_present_value_p97_5 is not None
    assert trust.net_present_value_p2_5 < trust.net_present_value_p97_5
    # the point figures are untouched by the split of the draws
    for a, b in zip(point.organisations, out.organisations, strict=True):
        assert (a.net_present_value, a.cash_net_present_value) == (
            b.net_present_value,
            b.cash_net_present_value,
        )


TRUST_ONLY = """
[scenario]
name = "Trust only"
price_year = "2024-25"
horizon_years = 3

[staffing]
funded_fte = 2

[[extra]]
name = "A&E attendances avoided"
avoided_per_patient_year = 0.5
unit_cost = 40
"""


def test_a_case_all_on_the_trust_has_the_whole_cases_interval(tmp_path: Path) -> None:
    path = tmp_path / "trust.toml"
    path.write_text(TRUST_ONLY)
    r = run_scenario(ScenarioRequest(scenario=path, draws=200, seed=11))
    assert r.by_organisation is not None
    (trust,) = r.by_organisation.organisations
    u = r.uncertainty
    assert trust.net_present_value_p2_5 == u.net_present_value.p2_5
    assert trust.net_present_value_p97_5 == u.net_present_value.p97_5
    assert trust.prob_net_present_value_positive == u.prob_net_present_value_positive
    assert trust.cash_net_present_value_p2_5 == u.cash_net_present_value.p2_5
    assert trust.cash_net_present_value_p97_5 == u.cash_net_present_value.p97_5
    assert trust.prob_cash_net_present_value_positive == u.prob_cash_net_present_value_positive
    assert u.net_present_value.p2_5 < u.net_present_value.p97_5  # the draws do vary


@pytest.fixture(scope="module")
def split_case(tmp_path_factory: pytest.TempPathFactory) -> object:
    from tests.test_organisations import CASE

    path = tmp_path_factory.mktemp("org-sure") / "case.toml"
    path.write_text(CASE)  # the hand-worked case of tests/test_organisations.py
    return run_scenario(ScenarioRequest(scenario=path, draws=200, seed=3))


def test_every_output_shows_how_sure(split_case: object) -> None:
    import csv
    import io
    import json

    from rich.console import Console

    from peervalue.report.csv_format import scenario_csv
    from peervalue.report.five_case import economic_case, financial_case
    from peervalue.report.html_report import _table
    from peervalue.report.table_scenario import scenario_table
    from peervalue.report.words import money, percent
    from peervalue.scenario.results import ScenarioResult

    r = split_case
    assert isinstance(r, ScenarioResult) and r.by_organisation is not None
    by = {o.organisation: o for o in r.by_organisation.organisations}
    icb = by["icb"]
    # the ICB only pays the set-up (5,000, no optimism uplift): -£5,000 in every draw
    assert icb.net_present_value_p2_5 == pytest.approx(-5000.0)
    assert icb.net_present_value_p97_5 == pytest.approx(-5000.0)
    assert icb.prob_net_present_value_positive == 0.0
    assert icb.prob_cash_net_present_value_positive == 0.0
    data = json.loads(r.model_dump_json())["by_organisation"]["organisations"]
    trust = by["trust"]
    assert data[0]["prob_net_present_value_positive"] == trust.prob_net_present_value_positive
    assert data[0]["cash_net_present_value_p97_5"] == trust.cash_net_present_value_p97_5
    rows = list(csv.DictReader(io.StringIO(scenario_csv(r))))
    org = {x["organisation"]: x for x in rows if x["row_type"] == "organisation"}
    assert float(org["icb"]["net_present_value_p2_5"]) == pytest.approx(-5000.0)
    assert float(org["trust"]["prob_cash_net_present_value_positive"]) == pytest.approx(
        trust.prob_cash_net_present_value_positive
    )
    console = Console(width=250, record=True, file=io.StringIO())
    console.print(scenario_table(r))
    text = console.export_text()
    assert "How sure each organisation's figure is" in text
    line = next(x for x in text.splitlines() if "Anytown ICB" in x and " to " in x)
    assert "-£5,000 to -£5,000" in line and line.count("0%") == 2, line
    assert trust.cash_net_present_value_p2_5 is not None
    assert trust.cash_net_present_value_p97_5 is not None
    low, high = trust.cash_net_present_value_p2_5, trust.cash_net_present_value_p97_5
    cash_interval = f"{money(low)} to {money(high)}"
    html = financial_case(r, "", _table)
    assert cash_interval in html
    assert percent(trust.prob_cash_net_present_value_positive) in html
    economic = economic_case(r, None, "", _table)
    assert (
        f"{money(trust.net_present_value_p2_5)} to {money(trust.net_present_value_p97_5)}"
        in economic
    )
    assert cash_interval not in economic

"""Issue 19 item 3: who pays and who gains. Every cost and benefit line of the business case
belongs to an organisation; the case's net benefit is split by organisation and year."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peervalue.scenario import model
from peervalue.scenario.documents import load_document
from peervalue.scenario.organisations import by_organisation, split
from peervalue.scenario.schema import ORGANISATION_KEYS
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario import COST_LINES, run_scenario

KEYS = tuple(k for k, _ in ORGANISATION_KEYS)
NAMES = {"trust": "Anytown FT", "icb": "Anytown ICB", "local_authority": "Anytown", "other": "X"}


def _column(x: float) -> np.ndarray:
    return np.full((1, 1), x)


#: one post for two years, nothing drawn: 10 patient-years of support a year, 2 bed-days saved
#: per patient-year at 100 a bed-day (2,000 a year) and 0.5 A&E attendances avoided per
#: patient-year at 40 each (200 a year); the post costs 1,000 a year, set-up 500 in year 1,
#: training 100 for the one new worker of year 1; a quarter of each benefit releases cash;
#: discounted at 10% (year 2's factor 1 / 1.1)
SMALL = model.ScenarioInputs(
    funded_fte=np.array([1.0, 1.0]),
    vacancy_rate=_column(0.0),
    turnover_rate=_column(0.0),
    caseload=_column(10.0),
    effect=_column(2.0),
    transferability=_column(1.0),
    cost_per_bed_day=_column(100.0),
    cost_per_fte_year=_column(1000.0),
    cash_releasing_share=_column(0.25),
    optimism_bias=_column(0.0),
    cost_lines={
        "costs.set_up": model.CostLine("once", _column(500.0)),
        "costs.training_per_post": model.CostLine("per-post", _column(100.0)),
    },
    extra_rates=[_column(0.5)],
    extra_costs=[_column(40.0)],
    discount_rate=0.1,
)
#: the set-up paid by the ICB, the bed-days gained by the trust, A&E by the local authority
OWNERS = {
    "posts": "trust",
    "costs.set_up": "icb",
    "costs.training_per_post": "trust",
    "bed_days": "trust",
    "extra[0]": "local_authority",
}


def test_a_two_year_case_split_by_hand() -> None:
    p = model.project(SMALL)
    out = by_organisation(p, OWNERS, NAMES, ["year 1", "year 2"])
    # "other" has no line: left out
    assert [o.organisation for o in out.organisations] == ["trust", "icb", "local_authority"]
    trust, icb, la = out.organisations
    rows = {(y.organisation, y.year): y for y in out.years}
    # trust: benefit 2,000 a year; cost 1,000 + 100 training in year 1, 1,000 in year 2
    assert rows["trust", 1].benefit == pytest.approx(2000.0)
    assert rows["trust", 1].cost == pytest.approx(1100.0)
    assert rows["trust", 1].net_benefit == pytest.approx(900.0)
    assert rows["trust", 2].net_benefit == pytest.approx(1000.0)
    # cash: a quarter of 2,000 = 500, less the cost: -600, then -500
    assert rows["trust", 1].cash_net_benefit == pytest.approx(-600.0)
    assert rows["trust", 2].cash_net_benefit == pytest.approx(-500.0)
    # NPV 900 + 1,000 / 1.1 = 1,809.09; cash NPV -600 - 500 / 1.1 = -1,054.55
    assert trust.net_present_value == pytest.approx(900 + 1000 / 1.1)
    assert trust.cash_net_present_value == pytest.approx(-600 - 500 / 1.1)
    assert trust.lines == ["posts", "costs.training_per_post", "bed_days"]
    assert trust.name == "Anytown FT"
    # ICB: pays the 500 set-up in year 1 and gains nothing
    assert (rows["icb", 1].cost, rows["icb", 2].cost) == pytest.approx((500.0, 0.0))
    assert icb.net_present_value == pytest.approx(-500.0)
    assert icb.cash_net_present_value == pytest.approx(-500.0)
    # local authority: 200 a year of A&E, 50 of it cash; NPV 200 + 200 / 1.1 = 381.82
    assert la.net_present_value == pytest.approx(200 + 200 / 1.1)
    assert la.cash_net_present_value == pytest.approx(50 + 50 / 1.1)
    assert la.discounted_cost == 0.0
    # the three add up to the case: 4,200 of discounted benefit less 1,600 + 1,000 / 1.1
    case = float(p.discounted_total(p.net_benefit)[0])
    assert case == pytest.approx(4200 - 1600 - 1000 / 1.1)
    assert sum(o.net_present_value for o in out.organisations) == pytest.approx(case)


def test_a_line_without_an_organisation_is_refused() -> None:
    p = model.project(SMALL)
    with pytest.raises(ValueError, match=r"extra\[0\].*belong to no organisation"):
        split(p, {k: v for k, v in OWNERS.items() if k != "extra[0]"}, KEYS)
    with pytest.raises(ValueError, match="unknown organisations"):
        split(p, {**OWNERS, "bed_days": "council"}, KEYS)


_share = st.floats(0.0, 1.0)
_money = st.floats(0.0, 1e5)


@settings(max_examples=40, deadline=None)
@given(
    fte=st.lists(st.floats(0.0, 20.0), min_size=1, max_size=6),
    vacancy=_share,
    turnover=_share,
    cash=_share,
    optimism=st.floats(0.0, 0.9),
    uplift=st.floats(0.0, 2.0),
    lines=st.lists(_money, min_size=4, max_size=4),
    extras=st.lists(st.tuples(st.floats(0.0, 5.0), _money), max_size=3),
    owners=st.lists(st.sampled_from(KEYS), min_size=9, max_size=9),
)
def test_organisations_add_up_to_the_case(
    fte: list[float],
    vacancy: float,
    turnover: float,
    cash: float,
    optimism: float,
    uplift: float,
    lines: list[float],
    extras: list[tuple[float, float]],
    owners: list[str],
) -> None:
    draws = 3
    rng = np.random.default_rng(len(fte))

    def col(x: float) -> np.ndarray:
        return x * rng.uniform(0.5, 1.5, size=(draws, 1))  # the draws differ

    timings = ("once", "per-post", "per-post", "per-year")
    paths = ("costs.set_up", "costs.recruitment", "costs.training", "costs.supervision")
    x = model.ScenarioInputs(
        funded_fte=np.asarray(fte),
        vacancy_rate=np.full((draws, 1), vacancy),
        turnover_rate=np.full((draws, 1), turnover),
        caseload=col(10.0),
        effect=col(3.0),
        transferability=np.ones((draws, 1)),
        cost_per_bed_day=col(400.0),
        cost_per_fte_year=col(40000.0),
        cash_releasing_share=np.full((draws, 1), cash),
        optimism_bias=np.full((draws, 1), optimism),
        cost_lines={
            path: model.CostLine(when, col(amount))  # type: ignore[arg-type]
            for path, when, amount in zip(paths, timings, lines, strict=True)
        },
        extra_rates=[col(r) for r, _ in extras],
        extra_costs=[col(c) for _, c in extras],
        cost_optimism=uplift,
        effect_lag_months=3.0,
    )
    p = model.project(x)
    who = dict(
        zip(["posts", *paths, "bed_days", "extra[0]", "extra[1]", "extra[2]"], owners, strict=True)
    )
    parts = split(p, who, KEYS)
    scale = 1.0 + float(np.max(np.abs(p.gross_benefit)) + np.max(np.abs(p.total_cost)))
    for part, whole in [
        ("benefit", p.gross_benefit),
        ("cash", p.cash_releasing),
        ("cost", p.total_cost),
        ("net", p.net_benefit),
        ("cash_net", p.cash_net_benefit),
    ]:
        np.testing.assert_allclose(parts[part].sum(axis=0), whole, rtol=1e-12, atol=1e-12 * scale)
    # an organisation gains only from lines it owns: one that owns nothing shows zeros
    for i, key in enumerate(KEYS):
        if key not in who.values():
            assert not parts["net"][i].any()


# a whole case through the service: two years, the set-up (5,000) paid by the ICB, A&E to
# the council; 10 patient-years x 10 bed-days x 500 = 50,000 a year to the trust, which pays
# 30,000 a year for the post and 1,000 to train its worker in year 1
CASE = """
[scenario]
name = "Who pays"
price_year = "2024-25"
horizon_years = 2
discount_rate = 0.1
discount_schedule = "constant"

[staffing]
funded_fte = 1
vacancy_rate = 0
turnover_rate = 0
caseload = 10
effect_lag_months = 0

[costs]
set = "england-2024-25"
cost_per_bed_day = 500
cost_per_fte_year = 30000
set_up = 5000
recruitment_per_post = 0
training_per_post = 1000
supervision_per_year = 0
optimism_bias = 0

[evidence]
source = "own"
saved_per_patient_year = 10
transferability = 1

[benefits]
cash_releasing_share = 0.25
optimism_bias = 0

[organisations]
icb = "Anytown ICB"
local_authority = "Anytown Council"
set_up = "icb"

[[extra]]
name = "A&E attendances"
avoided_per_patient_year = 0.5
unit_cost = 40
organisation = "local_authority"
"""


@pytest.fixture(scope="module")
def case_result(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("org") / "case.toml"
    path.write_text(CASE)
    return run_scenario(ScenarioRequest(scenario=path, draws=50))


def test_the_service_carries_the_split(case_result: object) -> None:
    from peervalue.scenario.results import ScenarioResult

    assert isinstance(case_result, ScenarioResult)
    r = case_result.by_organisation
    assert r is not None
    by = {o.organisation: o for o in r.organisations}
    assert list(by) == ["trust", "icb", "local_authority"]
    assert by["icb"].name == "Anytown ICB"
    assert by["local_authority"].name == "Anytown Council"
    # trust: 50,000 - 31,000 = 19,000, then 20,000; cash 12,500 - 31,000, then 12,500 - 30,000
    assert by["trust"].net_present_value == pytest.approx(19000 + 20000 / 1.1)
    assert by["trust"].cash_net_present_value == pytest.approx(-18500 - 17500 / 1.1)
    assert by["icb"].net_present_value == pytest.approx(-5000.0)
    assert by["local_authority"].cash_net_present_value == pytest.approx(50 + 50 / 1.1)
    assert sum(o.net_present_value for o in r.organisations) == pytest.approx(
        case_result.totals.net_present_value
    )
    assert sum(o.cash_net_present_value for o in r.organisations) == pytest.approx(
        case_result.totals.cash_net_present_value
    )
    data = json.loads(case_result.model_dump_json())
    assert data["by_organisation"]["organisations"][1]["discounted_cost"] == pytest.approx(5000.0)


def test_every_cost_line_has_an_organisation_field() -> None:
    from peervalue.scenario.schema import Organisations

    for path in COST_LINES:
        assert path.partition(".")[2] in Organisations.model_fields, path


def test_a_case_saved_before_organisations_loads_with_the_defaults() -> None:
    # a format-3 document (before [organisations]): everything paid and gained by the trust
    old = {"scenario": {"name": "Old case", "price_year": "2024-25"}}
    s = load_document(old, 3).scenario
    o = s.organisations
    assert (o.posts, o.set_up, o.bed_days, o.trust) == ("trust", "trust", "trust", "The trust")
    assert all(e.organisation == "trust" for e in s.extra)


def test_the_trust_alone_is_the_whole_case() -> None:
    p = model.project(SMALL)
    out = by_organisation(p, dict.fromkeys(OWNERS, "trust"), NAMES, ["1", "2"])
    (only,) = out.organisations
    assert only.net_present_value == pytest.approx(float(p.discounted_total(p.net_benefit)[0]))
    assert math.isclose(
        only.cash_net_present_value,
        float(p.discounted_total(p.cash_net_benefit)[0]),
        rel_tol=1e-12,
    )


def test_a_format_3_case_upgrades_to_the_trust_alone_with_identical_totals() -> None:
    from peervalue.scenario.documents import FORMAT_VERSION, upgrade

    fixture = Path(__file__).parent / "data" / "saved-cases" / "format-3.json"
    old = json.loads(fixture.read_text(encoding="utf-8"))
    assert FORMAT_VERSION == 4
    assert upgrade(old, 3, "f3") == old  # nothing to change
    request = ScenarioRequest(scenario=load_document(old, 3).scenario, draws=20)
    r = run_scenario(request)
    assert r.by_organisation is not None
    (trust,) = r.by_organisation.organisations
    assert trust.name == "The trust" and trust.organisation == "trust"
    assert trust.net_present_value == pytest.approx(r.totals.net_present_value, rel=1e-12)
    assert trust.cash_net_present_value == pytest.approx(r.totals.cash_net_present_value, rel=1e-12)
    # and the format-4 fixture, which names the ICB for the set-up, loads as it says
    four = json.loads((fixture.parent / "format-4.json").read_text(encoding="utf-8"))
    s = load_document(four, 4).scenario
    assert (s.organisations.set_up, s.organisations.icb) == ("icb", "Example ICB")


def test_every_output_shows_the_split(case_result: object) -> None:
    import csv
    import io

    from rich.console import Console

    from peervalue.report.csv_format import scenario_csv
    from peervalue.report.five_case import economic_case, financial_case
    from peervalue.report.html_report import _table
    from peervalue.report.table_scenario import scenario_table
    from peervalue.report.words import money
    from peervalue.scenario.results import ScenarioResult

    assert isinstance(case_result, ScenarioResult)
    console = Console(width=250, record=True, file=io.StringIO())
    console.print(scenario_table(case_result))
    text = console.export_text()
    assert "Who pays and who gains (discounted)" in text
    # the ICB's row: the set-up cost alone, -£5,000 economic and cash
    icb = next(line for line in text.splitlines() if "Anytown ICB" in line and "set-up" in line)
    assert icb.count("-£5,000") == 2, icb
    rows = list(csv.DictReader(io.StringIO(scenario_csv(case_result))))
    org = {r["organisation"]: r for r in rows if r["row_type"] == "organisation"}
    assert float(org["local_authority"]["net_present_value"]) == pytest.approx(200 + 200 / 1.1)
    years = [r for r in rows if r["row_type"] == "organisation_year"]
    assert len(years) == 3 * 2  # three organisations, two years
    html = financial_case(case_result, "", _table)
    assert "<h4>Who pays and who gains: cash net benefit</h4>" in html
    assert "Anytown Council" in html and "A&amp;E attendances" in html  # escaped
    # the financial case shows cash: the trust's cash NPV, not its economic NPV
    trust = case_result.by_organisation.organisations[0]  # type: ignore[union-attr]
    assert money(trust.cash_net_present_value) in html
    assert money(trust.net_present_value) not in html
    economic = economic_case(case_result, None, "", _table)
    assert "<h4>Who pays and who gains: net benefit</h4>" in economic
    assert money(trust.net_present_value) in economic


OPTIONS = CASE.replace(
    "[[extra]]", '[[options]]\nname = "Two posts"\nstaffing.funded_fte = 2\n\n[[extra]]'
)


def test_each_option_is_split_by_organisation(tmp_path: Path) -> None:
    path = tmp_path / "options.toml"
    path.write_text(OPTIONS)
    r = run_scenario(ScenarioRequest(scenario=path, draws=30))
    assert r.options is not None
    got = {(o.name, o.organisation): o for o in r.options.by_organisation}
    # two posts: 100,000 a year of bed-days to the trust, which pays 60,000 a year and
    # 2 x 1,000 of training in year 1: 38,000, then 40,000
    two = got["Two posts", "trust"]
    assert two.net_present_value == pytest.approx(38000 + 40000 / 1.1)
    assert got["Two posts", "icb"].net_present_value == pytest.approx(-5000.0)
    assert got["Two posts", "local_authority"].net_present_value == pytest.approx(400 + 400 / 1.1)
    # each option's organisations add up to its NPV in the appraisal
    for row in r.options.options:
        mine = [o for (name, _), o in got.items() if name == row.name]
        if mine:
            assert sum(o.net_present_value for o in mine) == pytest.approx(row.net_present_value)
            assert sum(o.cash_net_present_value for o in mine) == pytest.approx(
                row.cash_net_present_value
            )


def test_the_workbook_carries_the_split(case_result: object) -> None:
    from peervalue.report.workbook import SHEET_SCENARIO, build_workbook
    from peervalue.scenario.results import ScenarioResult
    from peervalue.service.api import analyse

    assert isinstance(case_result, ScenarioResult)
    wb = build_workbook(analysis=analyse(), scenario=case_result)
    cells = [[c.value for c in row] for row in wb[SHEET_SCENARIO].iter_rows()]
    head = next(i for i, row in enumerate(cells) if row[0] == "Who pays and who gains")
    icb = next(row for row in cells[head:] if row[0] == "Anytown ICB")
    assert icb[1] == "set-up cost"
    assert icb[4] == pytest.approx(5000.0) and icb[5] == pytest.approx(-5000.0)
    # then one row per organisation and year: the trust's year 2 is 50,000 - 30,000
    trust_2 = next(r for r in cells[head:] if r[0] == "The trust" and r[1] == 2)
    assert trust_2[6] == pytest.approx(20000.0)

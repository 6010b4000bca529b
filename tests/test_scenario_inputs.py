"""Each scenario input declared once (issue 17, item 1), and each file read once (item 6).

The form, the unit map, the figures drawn, the cost lines and the docs' input table are
generated from the schema's fields; these tests check them against values written out by
hand and against what the schema actually accepts and refuses.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pytest
from pydantic import ValidationError

from peervalue.scenario import model
from peervalue.scenario.catalogue import (
    catalogue,
    cost_lines,
    docs_with_table,
    drawn_figures,
    unit_of,
)
from peervalue.scenario.inputs import Input
from peervalue.scenario.load import (
    layered,
    load_scenario,
    national_defaults,
    national_defaults_data,
)
from peervalue.scenario.schema import UNIT_OF, Costs, PerYear, ScenarioFile, template_file
from peervalue.service.requests import ScenarioRequest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from peervalue.web.forms import fields as form_fields

ROOT = Path(__file__).resolve().parents[1]

#: the fields the calculator does not ask for: set in scenario files (or over the API) only
FILE_ONLY = {
    "scenario.notes",
    "costs.cost_per_fte_year",
    "costs.band",
    "evidence.folder",
    "extra.name",
    "extra.avoided_per_patient_year",
    "extra.unit_cost",
    "extra.organisation",
}


def test_every_field_is_on_the_form_or_file_only() -> None:
    inputs = catalogue()
    on_form = set(form_fields())
    assert on_form | FILE_ONLY == set(inputs)
    assert not on_form & FILE_ONLY
    assert {p for p, f in inputs.items() if f.input.form is None} == FILE_ONLY


def test_the_form_has_the_schemas_bounds() -> None:
    for path, f in form_fields().items():
        b = catalogue()[path].bounds
        scale = 100 if f.kind == "percent" else 1  # a share is asked for in percent
        assert f.low == (None if b.low is None else b.low * scale), path
        assert f.high == (None if b.high is None else b.high * scale), path
    # the disagreement the issue found: the form capped transferability at 1, files ran 1.2
    assert form_fields()["evidence.transferability"].high == 10
    assert form_fields()["scenario.discount_rate"].high == 20  # 0.2 as a percent


def _validate(path: str, value: Any) -> ScenarioFile:
    table, _, field = path.partition(".")
    merged, _ = layered({table: {field: value}})
    return ScenarioFile.model_validate(merged)


# (path, accepted at the bound, refused just past it); written out by hand from the docs
BOUNDS = [
    ("scenario.horizon_years", [1, 50], [0, 51]),
    ("scenario.discount_rate", [0.0, 0.2], [-0.001, 0.201]),
    ("monte_carlo.draws", [1, 200_000], [0, 200_001]),
    ("monte_carlo.seed", [0, 2**128 - 1], [-1, 2**128]),
    ("staffing.funded_fte", [0.5, 100_000.0], [-1.0, 100_001.0]),
    ("staffing.vacancy_rate", [0.0, 1.0], [-0.01, 1.01]),
    ("staffing.caseload", [0.1, 500.0], [0.0, 0.05]),
    ("costs.salary", [5_000.0, 250_000.0], [4_999.0, 250_001.0]),
    ("costs.set_up", [0.0], [-1.0]),
    ("costs.supervision_per_year", [0.0], [-1.0]),
    ("costs.cost_per_bed_day", [0.01], [0.0]),
    ("evidence.transferability", [1.2, 10.0], [0.0, 10.5]),
    ("benefits.optimism_bias", [0.0, 1.0], [1.5]),
]


@pytest.mark.parametrize(("path", "good", "bad"), BOUNDS)
def test_declared_bounds_are_the_enforced_ones(path: str, good: list[Any], bad: list[Any]) -> None:
    b = catalogue()[path].bounds
    for value in good:
        _validate(path, value)
        assert b.low is None or value > b.low or (value == b.low and not b.low_open)
        assert b.high is None or value < b.high or (value == b.high and not b.high_open)
    for value in bad:
        with pytest.raises(ValidationError):
            _validate(path, value)
        outside_low = b.low is not None and (value < b.low or (value == b.low and b.low_open))
        outside_high = b.high is not None and (value > b.high or (value == b.high and b.high_open))
        assert outside_low or outside_high, (path, value)


def test_the_forms_draws_choices_are_allowed() -> None:
    for value, _ in form_fields()["monte_carlo.draws"].options:
        _validate("monte_carlo.draws", int(value))


def test_the_unit_map_is_the_schemas() -> None:
    # the map as it was written by hand before it was generated
    assert UNIT_OF == {
        "staffing.vacancy_rate": "proportion",
        "staffing.turnover_rate": "proportion",
        "staffing.caseload": "patients/FTE",
        "staffing.effect_lag_months": "months",
        "costs.cost_per_bed_day": "GBP/bed-day",
        "costs.cost_per_fte_year": "GBP/FTE-year",
        "costs.salary": "GBP/year",
        "costs.trust_pension_rate": "proportion",
        "costs.trust_overhead_share": "proportion",
        "costs.set_up": "GBP",
        "costs.recruitment_per_post": "GBP/FTE",
        "costs.training_per_post": "GBP/FTE",
        "costs.supervision_per_year": "GBP/year",
        "costs.optimism_bias": "proportion",
        "evidence.saved_per_patient_year": "bed-days/patient-year",
        "evidence.transferability": "ratio",
        "baseline.admissions_per_patient_year": "admissions/patient-year",
        "baseline.length_of_stay": "days/admission",
        "baseline.support_months": "months",
        "benefits.cash_releasing_share": "proportion",
        "benefits.optimism_bias": "proportion",
        "affordability.pay_award": "proportion",
        "affordability.price_inflation": "proportion",
        "extra.avoided_per_patient_year": "events/patient-year",
        "extra.unit_cost": "GBP/event",
    }
    # and the national defaults hold every figure the schema needs, in its unit
    figures = national_defaults().quantities()
    for path, f in catalogue().items():
        if f.figure is not None and f.required and f.table != "extra":
            assert figures[path].unit == f.figure.unit, path


def test_the_figures_drawn_and_the_cost_lines() -> None:
    assert drawn_figures() == [
        "staffing.vacancy_rate",
        "staffing.turnover_rate",
        "staffing.caseload",
        "costs.set_up",
        "costs.recruitment_per_post",
        "costs.training_per_post",
        "costs.supervision_per_year",
        "evidence.transferability",
        "baseline.admissions_per_patient_year",
        "baseline.length_of_stay",
        "baseline.support_months",
        "benefits.cash_releasing_share",
        "benefits.optimism_bias",
        # optional (issue 19): unset in a whole document means none; the national
        # defaults set them
        "staffing.effect_lag_months",
        "costs.trust_overhead_share",  # optional: drawn with perspective "trust-cash"
        "costs.optimism_bias",
        "evidence.saved_per_patient_year",  # optional: drawn when the scenario sets it
        "affordability.pay_award",
        "affordability.price_inflation",
    ]
    assert cost_lines() == {
        "costs.set_up": "once",
        "costs.recruitment_per_post": "per-post",
        "costs.training_per_post": "per-post",
        "costs.supervision_per_year": "per-year",
    }


def test_docs_input_table_matches_the_schema() -> None:
    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert docs_with_table(text) == text, "run: python -m peervalue.scenario.catalogue"
    for path, f in catalogue().items():
        head = f"`{f.name}`"
        rows = [line for line in text.splitlines() if line.startswith("| ") and head in line]
        assert rows, path
    # spot checks written by hand: a range, a bound and a file-only field
    assert "| `caseload` | patients/FTE | at least 0.1 | 15 (8 to 25) |" in text
    assert "| `transferability` | ratio | above 0 to 10 | 1 |" in text
    assert "(scenario files only)" in next(line for line in text.splitlines() if "`band`" in line)


def test_template_holds_the_national_defaults_for_every_input() -> None:
    template = load_scenario(template_file()).scenario.model_dump()
    defaults = national_defaults().model_dump()
    # the template sets its own name, organisation, start and posts, and (to show a split by
    # organisation) has the ICB pay the set-up and training: the rest is the defaults
    own = {"scenario.name", "scenario.organisation", "scenario.start", "staffing.funded_fte"}
    own |= {"organisations.set_up", "organisations.training_per_post"}
    for path, f in catalogue().items():
        if f.table == "extra" or path in own:
            continue
        assert template[f.table][f.name] == defaults[f.table][f.name], path


# --- adding a cost line: one field and one defaults entry ----------------------------------


class _CostsWithTravel(Costs):
    travel_per_year: Annotated[
        PerYear,
        Input(
            "Travel",
            "Travel to people's homes, in each year with funded posts.",
            form="number",
            form_unit="£ a year",
        ),
    ]


class _ScenarioWithTravel(ScenarioFile):
    costs: _CostsWithTravel


TRAVEL = {
    "value": 500,
    "unit": "GBP/year",
    "price_year": "2024-25",
    "status": "assumed",
    "range": [0, 900],
    "rationale": "an example",
}


def test_a_new_cost_line_is_one_field_and_one_defaults_entry() -> None:
    data = national_defaults_data()
    # without its defaults entry, the national defaults are refused, naming the field
    with pytest.raises(ValidationError, match="travel_per_year"):
        _ScenarioWithTravel.model_validate(data)
    with_entry = {
        **data,
        "costs": {
            **data["costs"],
            "travel_per_year": TRAVEL,
        },
    }
    s = _ScenarioWithTravel.model_validate(with_entry)
    assert s.costs.travel_per_year.value == 500
    # everything that lists inputs now lists it
    assert unit_of(_ScenarioWithTravel)["costs.travel_per_year"] == "GBP/year"
    assert cost_lines(_ScenarioWithTravel)["costs.travel_per_year"] == "per-year"
    assert "costs.travel_per_year" in drawn_figures(_ScenarioWithTravel)
    info = catalogue(_ScenarioWithTravel)["costs.travel_per_year"]
    assert (info.input.form, info.bounds.low, info.bounds.low_open) == ("number", 0, False)
    # a unit the field does not take is refused by the declaration
    bad = {
        **with_entry,
        "costs": {**with_entry["costs"], "travel_per_year": TRAVEL | {"unit": "GBP"}},
    }
    with pytest.raises(ValidationError, match="expected GBP/year"):
        _ScenarioWithTravel.model_validate(bad)


def _projection(lines: dict[str, model.CostLine]) -> model.Projection:
    col = np.ones((1, 1))
    return model.project(
        model.ScenarioInputs(
            funded_fte=np.array([2.0, 4.0, 4.0]),
            vacancy_rate=0.0 * col,
            turnover_rate=0.15 * col,
            caseload=10.0 * col,
            effect=1.0 * col,
            transferability=col,
            cost_per_bed_day=100.0 * col,
            cost_per_fte_year=1_000.0 * col,
            cash_releasing_share=0.2 * col,
            optimism_bias=0.0 * col,
            cost_lines=lines,
        )
    )


def test_the_model_sums_every_cost_line_by_its_timing() -> None:
    base = _projection({})
    # posts [2, 4, 4]: new [2, 2, 0], refilled 15% from year 2 [0, 0.6, 0.6]
    once = _projection({"a": model.CostLine("once", np.array([[700.0]]))})
    np.testing.assert_allclose(once.one_off_cost - base.one_off_cost, [[700.0, 0.0, 0.0]])
    per_post = _projection({"b": model.CostLine("per-post", np.array([[100.0]]))})
    np.testing.assert_allclose(per_post.one_off_cost - base.one_off_cost, [[200.0, 260.0, 60.0]])
    per_year = _projection({"c": model.CostLine("per-year", np.array([[50.0]]))})
    np.testing.assert_allclose(per_year.running_cost - base.running_cost, [[50.0, 50.0, 50.0]])
    # a new line adds to the total cost and nothing else; the order of the lines is immaterial
    both = {
        "b": model.CostLine("per-post", np.array([[100.0]])),
        "c": model.CostLine("per-year", np.array([[50.0]])),
    }
    np.testing.assert_allclose(
        _projection(both).total_cost - base.total_cost, [[250.0, 310.0, 110.0]]
    )
    np.testing.assert_array_equal(
        _projection(dict(reversed(both.items()))).total_cost, _projection(both).total_cost
    )
    np.testing.assert_array_equal(_projection(both).gross_benefit, base.gross_benefit)
    with pytest.raises(ValueError, match="once, per-post or per-year"):
        _projection({"d": model.CostLine("monthly", np.array([[1.0]]))})  # type: ignore[arg-type]


# --- each file read once ---------------------------------------------------------------


CASE = """
[scenario]
name = "Read once"
price_year = "2024-25"
horizon_years = 3
[staffing]
funded_fte = [1, 2]
[costs]
supervision_per_year = 1000
"""


def _count_reads(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[Path]:
    import peervalue.scenario.load as load
    from peervalue.fileio import read_mapping as real

    reads: list[Path] = []

    def counted(p: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(p) == path:
            reads.append(p)
        return real(p, *args, **kwargs)

    monkeypatch.setattr(load, "read_mapping", counted)
    return reads


def test_save_inputs_is_written_from_the_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peervalue.service.scenario import run_scenario, save_inputs_text

    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    reads = _count_reads(monkeypatch, case)
    result = run_scenario(ScenarioRequest(scenario=case, draws=40))
    assert len(reads) == 1
    assert result.resolved is not None
    assert "resolved" not in result.model_dump(mode="json")  # not part of the output
    # the file changes after the run: the saved inputs are still the run's
    case.write_text(CASE.replace("supervision_per_year = 1000", "supervision_per_year = 9"))
    text = save_inputs_text(case, result)
    assert len(reads) == 1  # not read again
    saved = tmp_path / "saved.toml"
    saved.write_text(text, encoding="utf-8")
    again = run_scenario(ScenarioRequest(scenario=saved))
    assert again.model_dump(mode="json") | {"scenario_file": ""} == result.model_dump(
        mode="json"
    ) | {"scenario_file": ""}
    assert again.resolved is not None
    assert again.resolved.costs.supervision_per_year.value == 1000


def test_a_report_reads_the_scenario_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from peervalue.service.figures import collect
    from peervalue.service.requests import PlotRequest

    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    reads = _count_reads(monkeypatch, case)
    found = collect(PlotRequest(figures=("two-way", "payback"), scenario=case, draws=40))
    assert found.scenario is not None and found.two_way is not None
    assert len(reads) == 1  # was 2: the business case and its two-way grid each read it

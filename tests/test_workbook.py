"""The Excel workbook: figures equal the JSON results, cells are typed and formatted,
formula-like text stays text, and writing is atomic and refuses to overwrite."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from peervalue.costs.schema import CostFile
from peervalue.errors import InputError
from peervalue.evidence.schema import Study
from peervalue.model.results import AnalysisResult
from peervalue.report.workbook import (
    InputRow,
    build_workbook,
    input_rows,
    put_text,
    scenario_input_rows,
    write_workbook,
)
from peervalue.scenario.results import ScenarioResult
from peervalue.scenario.schema import template_file
from peervalue.service.api import analyse, psa
from peervalue.service.inputs import prepare
from peervalue.service.requests import AnalysisRequest, ScenarioRequest
from peervalue.service.runs import run_analysis
from peervalue.service.scenario import run_scenario
from peervalue.uncertainty.results import PsaResult
from tests.conftest import study_document

INJECTION = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Bundled:
    analysis: AnalysisResult
    psa: PsaResult
    scenario: ScenarioResult
    inputs: list[InputRow]
    study_quantities: int
    cost_quantities: int
    path: Path


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Bundled:
    analysis = analyse(with_reference=True)
    mc = psa(draws=2000, seed=1)
    scenario = run_scenario(ScenarioRequest(scenario=template_file(), draws=500))
    prepared = prepare(AnalysisRequest())
    inputs = input_rows(prepared.evidence, prepared.costs)
    path = tmp_path_factory.mktemp("workbook") / "peervalue.xlsx"
    write_workbook(path, analysis=analysis, psa=mc, scenario=scenario, inputs=inputs)
    return Bundled(
        analysis,
        mc,
        scenario,
        inputs,
        # counted by the documents' own accessors, not by the walker input_rows uses
        sum(len(s.quantities()) for s in prepared.evidence),
        len(prepared.costs.quantities()),
        path,
    )


@pytest.fixture(scope="module")
def book(bundled: Bundled) -> openpyxl.Workbook:
    return openpyxl.load_workbook(bundled.path)


def columns(ws: Worksheet, header_row: int = 1) -> dict[str, int]:
    """Header text -> column number."""
    found = {}
    for cell in ws[header_row]:
        if cell.value is not None:
            found[str(cell.value)] = cell.column
    return found


def check_number(cell: Any, expected: float | None, number_format: str) -> None:
    """``cell`` holds ``expected`` (JSON: None for NaN) as a number with ``number_format``."""
    if expected is None:
        assert cell.value is None, cell.coordinate
        return
    assert cell.data_type == "n", cell.coordinate
    assert isinstance(cell.value, int | float), cell.coordinate
    assert cell.value == pytest.approx(expected, rel=1e-9, abs=1e-9), cell.coordinate
    assert cell.number_format == number_format, cell.coordinate


def test_sheets_and_headers(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        "Contents",
        "Inputs",
        "Studies",
        "Pooled",
        "Costs",
        "Business case",
        "Scenario years",
        "Monte Carlo",
    ]
    for ws in book.worksheets:
        # the business case keeps its step names and units in view beside the years
        assert ws.freeze_panes == ("D2" if ws.title == "Business case" else "A2"), ws.title
        assert ws.sheet_state == "visible", ws.title
        headers = [c for c in ws[1] if c.value is not None]
        assert headers and all(c.font.bold for c in headers), ws.title
        assert all(c.data_type == "s" for c in headers), ws.title
        width = ws.column_dimensions["A"].width
        assert width is not None and 8 <= width <= 60, ws.title


def test_only_the_results_given_get_a_sheet(bundled: Bundled) -> None:
    wb = build_workbook(analysis=bundled.analysis)
    assert wb.sheetnames == ["Contents", "Inputs", "Studies", "Pooled"]
    # no inputs and no scenario given: only the analysis's derived figures the Studies
    # sheet starts from, the two unit costs and each study's weight, D and F (2 + 6 x 3)
    inputs = wb["Inputs"]
    assert inputs.max_row == 1 + 2 + 3 * len(bundled.analysis.studies) == 21
    assert {inputs.cell(r, 2).value for r in range(2, 22)} == {"analysis"}
    assert {inputs.cell(r, 7).value for r in range(2, 22)} == {"derived"}
    assert [r[0] for r in wb["Contents"].iter_rows(min_row=2, values_only=True)] == wb.sheetnames
    wb = build_workbook(analysis=bundled.analysis, psa=bundled.psa)
    assert wb.sheetnames == ["Contents", "Inputs", "Studies", "Pooled", "Monte Carlo"]


def test_studies_sheet_equals_the_json_result(bundled: Bundled, book: openpyxl.Workbook) -> None:
    ws = book["Studies"]
    col = columns(ws)
    prices = f"£, {bundled.analysis.price_year} prices"
    numbers = {
        "Patients (peer support)": ("n_intervention", "#,##0"),
        "Patients (control)": ("n_control", "#,##0"),
    }
    #: live columns: formulas (their values are LibreOffice's, tests/test_workbook_libreoffice)
    live = {
        "Pooling weight (patients)": ("pooling_weight", "#,##0"),
        "Bed-days saved per patient": ("bed_days_saved_per_patient", "#,##0.00"),
        "Total bed-days saved": ("total_bed_days_saved", "#,##0.0"),
        "FTE-years of peer work": ("fte_years", "#,##0.00"),
        "Bed-days saved per FTE-year": ("bed_days_saved_per_fte_year", "#,##0.0"),
        f"Benefit per FTE-year ({prices})": ("benefit_per_fte_year", "£#,##0"),
        f"Cost per FTE-year ({prices})": ("cost_per_fte_year", "£#,##0"),
        f"Net benefit per FTE-year ({prices})": ("net_benefit_per_fte_year", "£#,##0"),
        "Benefit:cost ratio": ("ratio", "0.00"),
    }
    studies = bundled.analysis.model_dump(mode="json")["studies"]
    assert ws.max_row == 1 + len(studies) == 7
    for row, study in enumerate(studies, start=2):
        assert ws.cell(row, col["Study"]).value == study["id"]
        assert ws.cell(row, col["Citation"]).value == study["citation"]
        # the class, recomputed by the sheet from the live ratio (2013 classes, and 0)
        assert ws.cell(row, col["Class"]).value == (
            f'=IF(P{row}<0,"< 0",IF(P{row}=0,"0",IF(P{row}>1,"> 1","0 to 1")))'
        )
        assert ws.cell(row, col["Assumed inputs"]).value == (
            ", ".join(study["assumed_inputs"]) or None
        )
        for header, (key, fmt) in numbers.items():
            check_number(ws.cell(row, col[header]), study[key], fmt)
        for header, (_, fmt) in live.items():
            cell = ws.cell(row, col[header])
            assert cell.data_type == "f" and cell.number_format == fmt, (row, header)
    sledge = next(r for r in range(2, 8) if ws.cell(r, 1).value == "sledge2011")
    formula = {h: ws.cell(sledge, col[h]).value for h in col}
    # D = (control - peer support mean bed-days) x patients and F = patients x months
    # supported / 12 / caseload, from the study's own inputs; b = D / F, benefit = b x c_bed,
    # ratio = benefit / c_psw
    assert formula["Total bed-days saved"] == (
        "=(sledge2011_outcome_control_mean-sledge2011_outcome_intervention_mean)"
        "*sledge2011_arms_intervention"
    )
    assert formula["FTE-years of peer work"] == (
        "=sledge2011_arms_intervention*sledge2011_peer_input_support_duration/12"
        "/sledge2011_peer_input_caseload"
    )
    assert formula["Pooling weight (patients)"] == (
        "=sledge2011_arms_intervention+sledge2011_arms_control"
    )
    assert formula["Bed-days saved per FTE-year"] == f"=J{sledge}/K{sledge}"
    assert formula[f"Benefit per FTE-year ({prices})"] == f"=L{sledge}*analysis_cost_per_bed_day"
    assert formula["Benefit:cost ratio"] == f"=M{sledge}/analysis_cost_per_fte_year"
    # the Inputs the formulas read give the engine's figures: (19.08 - 10.08) x 38 = 342
    # bed-days saved, 38 x 9 / 12 / 15 = 1.9 FTE-years, 38 + 36 = 74 patients
    inputs = book["Inputs"]
    values: dict[str, float] = {}
    for r in range(2, inputs.max_row + 1):
        value = inputs.cell(r, 4).value
        assert isinstance(value, int | float)
        values[str(inputs.cell(r, 1).value)] = float(value)
    n = values["sledge2011_arms_intervention"]
    d = values["sledge2011_outcome_control_mean"] - values["sledge2011_outcome_intervention_mean"]
    sledge_result = next(s for s in studies if s["id"] == "sledge2011")
    assert d * n == pytest.approx(342.0) == pytest.approx(sledge_result["total_bed_days_saved"])
    months = values["sledge2011_peer_input_support_duration"]
    assert n * months / 12 / values["sledge2011_peer_input_caseload"] == pytest.approx(1.9)
    assert sledge_result["fte_years"] == pytest.approx(1.9)
    # every bundled study's weight, D and F and both unit costs are live: nothing derived
    assert not [k for k in values if k.startswith("analysis_")]
    assert book.defined_names["analysis_cost_per_bed_day"].attr_text == "'Pooled'!$F$2"


def test_pooled_sheet_shows_the_published_ratio_beside_ours(
    bundled: Bundled, book: openpyxl.Workbook
) -> None:
    ws = book["Pooled"]
    col = columns(ws)
    data = bundled.analysis.model_dump(mode="json")
    prices = f"£, {data['price_year']} prices"
    weighted, sums = 2, 3
    assert ws.cell(weighted, col["Method"]).value == "weighted mean of ratios"
    assert ws.cell(sums, col["Method"]).value == "ratio of sums"
    # live: the 2013 weighted mean sum(w r) / sum(w) and sum(D) / sum(F) x c_bed / c_psw
    # over the Studies sheet's columns (values: tests/test_workbook_libreoffice.py)
    assert ws.cell(weighted, col["Pooled ratio"]).value == (
        "=SUMPRODUCT('Studies'!$F$2:$F$7,'Studies'!$P$2:$P$7)/SUM('Studies'!$F$2:$F$7)"
    )
    assert ws.cell(sums, col["Pooled ratio"]).value == (
        "=SUM('Studies'!$J$2:$J$7)/SUM('Studies'!$K$2:$K$7)"
        "*analysis_cost_per_bed_day/analysis_cost_per_fte_year"
    )
    assert book.defined_names["pooled_weighted_mean_ratio"].attr_text == "'Pooled'!$C$2"
    published = ws.cell(weighted, col["Published ratio (2013 report)"])
    check_number(published, 4.8, "0.00")
    assert data["published_reference"]["weighted_mean_ratio"] == 4.8
    assert ws.cell(sums, col["Published ratio (2013 report)"]).value is None
    assert ws.cell(weighted, col["Break-even bed-days per FTE-year"]).value == (
        "=analysis_cost_per_fte_year/analysis_cost_per_bed_day"
    )
    # the unit costs from the cost set's inputs (all at 2011-12 prices, full basis):
    # salary x (1 + on-cost and overhead rates), named in row 2, referred to in row 3
    bed_day, fte_year = col[f"Cost per bed-day ({prices})"], col[f"Cost per FTE-year ({prices})"]
    assert ws.cell(weighted, bed_day).value == "=costs_bed_day"
    assert ws.cell(weighted, fte_year).value == (
        "=costs_peer_worker_components_salary*(1+(costs_peer_worker_components_employer_"
        "national_insurance+costs_peer_worker_components_employer_superannuation+costs_peer_"
        "worker_components_overheads+costs_peer_worker_components_capital_overheads))"
    )
    assert ws.cell(sums, bed_day).value == "=analysis_cost_per_bed_day"
    assert ws.cell(weighted, bed_day).number_format == "£#,##0"
    # the studies by class, ours beside the published counts
    start = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "> 1")
    counts = [ws.cell(start + i, 2).value for i in range(4)]
    # counted from the Studies sheet's live Class column
    assert counts == [
        f"=SUMPRODUCT(('Studies'!$Q$2:$Q$7=\"{code}\")*1)" for code in ("> 1", "0 to 1", "< 0", "0")
    ]
    assert [ws.cell(start + i, 3).value for i in range(3)] == [4, 1, 1]


def test_monte_carlo_sheet_equals_the_json_result(
    bundled: Bundled, book: openpyxl.Workbook
) -> None:
    ws = book["Monte Carlo"]
    col = columns(ws)
    data = bundled.psa.model_dump(mode="json")
    prices = f"£, {data['price_year']} prices"
    assert data["draws"] == 2000
    for row, method in ((2, "weighted"), (3, "sums")):
        p = data["pooled"][method]
        ratio, nb = p["ratio"], p["net_benefit_per_fte_year"]
        expected = {
            "Ratio (deterministic)": (ratio["deterministic"], "0.00"),
            "Ratio mean": (ratio["mean"], "0.00"),
            "Ratio median": (ratio["median"], "0.00"),
            "Ratio 2.5%": (ratio["p2_5"], "0.00"),
            "Ratio 97.5%": (ratio["p97_5"], "0.00"),
            "P(ratio > 1)": (p["prob_ratio_above_one"], "0.0%"),
            f"Net benefit mean ({prices})": (nb["mean"], "£#,##0"),
            f"Net benefit 2.5% ({prices})": (nb["p2_5"], "£#,##0"),
            f"Net benefit 97.5% ({prices})": (nb["p97_5"], "£#,##0"),
            "P(net benefit > 0)": (p["prob_net_benefit_positive"], "0.0%"),
            f"EVPI per FTE-year ({prices})": (p["evpi_per_fte_year"], "£#,##0"),
            "Draws": (2000, "#,##0"),
        }
        for header, (value, fmt) in expected.items():
            check_number(ws.cell(row, col[header]), value, fmt)
    # the Monte Carlo sheet's deterministic value is the reference analysis's
    assert ws.cell(2, col["Ratio (deterministic)"]).value == pytest.approx(
        bundled.analysis.pooled.weighted_mean_ratio, rel=1e-9
    )


def test_scenario_years_equal_the_json_result(bundled: Bundled, book: openpyxl.Workbook) -> None:
    ws = book["Scenario years"]
    col = columns(ws)
    data = bundled.scenario.model_dump(mode="json")
    prices = f"£, {data['price_year']} prices"
    assert len(data["years"]) == data["horizon_years"] == 5
    for row, year in enumerate(data["years"], start=2):
        assert ws.cell(row, col["Scenario"]).value == data["name"]
        assert ws.cell(row, col["Organisation"]).value == "Example NHS Trust"
        assert ws.cell(row, col["Financial year"]).value == year["label"]
        check_number(ws.cell(row, col["Year"]), year["year"], "0")
        check_number(ws.cell(row, col["Bed-days saved"]), year["bed_days_saved"], "#,##0.0")
        check_number(
            ws.cell(row, col[f"Gross benefit ({prices})"]), year["gross_benefit"], "£#,##0"
        )
        check_number(ws.cell(row, col[f"Total cost ({prices})"]), year["total_cost"], "£#,##0")
        check_number(ws.cell(row, col[f"Net benefit ({prices})"]), year["net_benefit"], "£#,##0")
        check_number(ws.cell(row, col["Benefit:cost ratio"]), year["benefit_cost_ratio"], "0.00")
        check_number(
            ws.cell(row, col[f"Net benefit 2.5% ({prices})"]),
            year["net_benefit_interval"]["p2_5"],
            "£#,##0",
        )
        check_number(ws.cell(row, col["P(paid back by this year)"]), year["prob_paid_back"], "0.0%")
    labels = {ws.cell(r, 1).value: r for r in range(7, ws.max_row + 1)}
    npv = ws.cell(labels[f"Net present value ({prices})"], 2)
    check_number(npv, data["totals"]["net_present_value"], "£#,##0")


def test_inputs_sheet_lists_every_quantity_with_its_provenance(
    bundled: Bundled, book: openpyxl.Workbook
) -> None:
    ws = book["Inputs"]
    col = columns(ws)
    rows = {
        (ws.cell(r, col["Where"]).value, ws.cell(r, col["Field"]).value): r
        for r in range(2, ws.max_row + 1)
    }
    assert len(rows) == ws.max_row - 1  # one row per quantity, none twice
    names = [ws.cell(r, col["Name"]).value for r in range(2, ws.max_row + 1)]
    assert len(set(names)) == len(names)
    studies = {s.id for s in bundled.analysis.studies}
    # the analysis's figures once (the scenario's copies of the same studies are not repeated)
    assert sum(where in studies for where, _ in rows) == bundled.study_quantities
    assert sum(where == "costs" for where, _ in rows) == bundled.cost_quantities
    # then every figure of the business case, under its own name
    for item in bundled.scenario.inputs:
        where, _, field = item.field.partition(":")
        if where in studies:
            continue
        where = {"costs": "case costs"}.get(where, where)
        assert (where, field) in rows, item.field
    caseload = rows[("scenario", "staffing.caseload")]
    assert ws.cell(caseload, col["Name"]).value == "staffing_caseload"
    assert book.defined_names["staffing_caseload"].attr_text == f"'Inputs'!$D${caseload}"
    drawn = col["Distribution (Monte Carlo; years, £ at the run's prices)"]
    # the template: 15 patients/FTE, range 8 to 25
    assert ws.cell(caseload, drawn).value == "pert(8, mode 15, 25)"
    bed_day = rows[("costs", "bed_day")]
    check_number(ws.cell(bed_day, col["Value"]), 334, "£#,##0.00")
    assert ws.cell(bed_day, col["Unit"]).value == "GBP/bed-day"
    assert ws.cell(bed_day, col["Price year"]).value == "2011-12"
    assert ws.cell(bed_day, col["Status"]).value == "reported"
    assert str(ws.cell(bed_day, col["Source"]).value).startswith("Gainsbury S, Calculating")
    assert "hsj.co.uk" in str(ws.cell(bed_day, col["URL"]).value)
    assert ws.cell(bed_day, col["Overridden"]).value == "no"
    salary = rows[("costs", "peer_worker.components.salary")]
    assert ws.cell(salary, col["Status"]).value == "assumed"
    check_number(ws.cell(salary, col["Low"]), 15860, "£#,##0.00")
    check_number(ws.cell(salary, col["High"]), 21798, "£#,##0.00")
    control = rows[("sledge2011", "outcome.control_mean")]
    check_number(ws.cell(control, col["Value"]), 19.08, "General")
    assert ws.cell(control, col["Unit"]).value == "bed-days/patient"
    assert ws.cell(control, col["Price year"]).value is None


def test_overridden_inputs_are_marked() -> None:
    prepared = prepare(AnalysisRequest())
    rows = input_rows(prepared.evidence, prepared.costs, overridden={"costs:bed_day"})
    assert [r.key for r in rows if r.overridden] == ["costs:bed_day"]
    ws = build_workbook(analysis=analyse(), inputs=rows)["Inputs"]
    col = columns(ws)
    marks = {ws.cell(r, col["Field"]).value: r for r in range(2, ws.max_row + 1)}
    bed_day = ws.cell(marks["bed_day"], col["Overridden"])
    assert bed_day.value == "yes"
    assert bed_day.fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(marks["peer_worker.components.salary"], col["Overridden"]).value == "no"


def test_scenario_overrides_are_marked_and_its_name_stays_text(tmp_path: Path) -> None:
    case = tmp_path / "case.toml"
    case.write_text(
        "[scenario]\nname = \"=cmd|' /C calc'!A0\"\n"
        "[staffing]\ncaseload = 10\n[costs]\ncost_per_bed_day = 500\n"
    )
    scenario = run_scenario(ScenarioRequest(scenario=case, draws=200))
    rows = {r.key: r for r in scenario_input_rows(scenario)}
    assert rows["scenario:staffing.caseload"].overridden
    assert rows["scenario:staffing.caseload"].value == 10
    assert rows["case costs:bed_day"].overridden and rows["case costs:bed_day"].value == 500
    assert not rows["scenario:staffing.vacancy_rate"].overridden
    path = tmp_path / "case.xlsx"
    write_workbook(path, analysis=analyse(), scenario=scenario)  # inputs: the scenario's
    wb = openpyxl.load_workbook(path)
    name = wb["Scenario years"]["A2"]
    assert name.value == "=cmd|' /C calc'!A0" and name.data_type == "s"
    # the scenario's inputs, its discount rate, funded posts by year, the rate of each year
    # after the first (the discount schedule), the effect (the synthesis's ratio), the index
    # level (one: the cost set's price year is the case's)
    extra = 1 + scenario.horizon_years + (scenario.horizon_years - 1) + 1 + 1
    # and the analysis's two unit costs, derived (the studies' figures are live from the
    # scenario's copies of their inputs, in the model's units)
    derived = 2
    assert wb["Inputs"].max_row - 1 == len(scenario.inputs) + extra + derived


def _study(study_id: str, author: str, country: str) -> Study:
    return Study.model_validate(study_document(study_id, author, country))


def test_formula_like_text_is_stored_as_text(tmp_path: Path) -> None:
    studies = [_study("ward-a", INJECTION, INJECTION), _study("ward-b", SCRIPT, "-2+3")]
    costs = CostFile.model_validate(
        {
            "name": "@SUM(1,1)",
            "currency": "GBP",
            "price_year": "2024-25",
            "bed_day": {
                "value": 719.10,
                "unit": "GBP/bed-day",
                "status": "reported",
                "price_year": "2024-25",
                "source": {"citation": "+National Cost Collection 2024-25"},
            },
            "peer_worker": {
                "total": {
                    "value": 45000,
                    "unit": "GBP/FTE-year",
                    "status": "assumed",
                    "price_year": "2024-25",
                    "range": [40000, 52000],
                    "rationale": "band 4 with on-costs and overheads",
                }
            },
        }
    )
    analysis = run_analysis(
        AnalysisRequest(evidence=studies, costs=costs, evidence_label=INJECTION)
    )
    citations = [s.citation for s in analysis.studies]
    assert citations == [f"{INJECTION} 2025", f"{SCRIPT} 2025"]
    path = tmp_path / "hostile.xlsx"
    write_workbook(path, analysis=analysis, inputs=input_rows(studies, costs))

    wb = openpyxl.load_workbook(path)
    studies_ws = wb["Studies"]
    col = columns(studies_ws)
    expected = {
        (2, "Citation"): f"{INJECTION} 2025",
        (2, "Country"): INJECTION,
        (3, "Citation"): f"{SCRIPT} 2025",
        (3, "Country"): "-2+3",
    }
    for (row, header), text in expected.items():
        cell = studies_ws.cell(row, col[header])
        assert cell.value == text and cell.data_type == "s", (row, header)
    pooled = wb["Pooled"]
    evidence = next(
        pooled.cell(r, 2)
        for r in range(1, pooled.max_row + 1)
        if pooled.cell(r, 1).value == "Evidence"
    )
    assert evidence.value == INJECTION and evidence.data_type == "s"
    cost_set = next(
        pooled.cell(r, 2)
        for r in range(1, pooled.max_row + 1)
        if pooled.cell(r, 1).value == "Cost set"
    )
    assert cost_set.value == "@SUM(1,1)" and cost_set.data_type == "s"
    inputs = wb["Inputs"]
    icol = columns(inputs)
    sources = [inputs.cell(r, icol["Source"]) for r in range(2, inputs.max_row + 1)]
    assert {c.value for c in sources} >= {INJECTION, SCRIPT, "+National Cost Collection 2024-25"}
    assert all(c.data_type == "s" for c in sources if c.value is not None)
    # formulas only where the analysis is live (the Studies and Pooled sheets)
    with zipfile.ZipFile(path) as archive:
        sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        assert len(sheets) == 4  # Contents, Inputs, Studies, Pooled
        for name in (sheets[0], sheets[1]):
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    for ws in (studies_ws, pooled):
        for line in ws.iter_rows():
            for cell in line:
                if cell.data_type == "f":
                    assert INJECTION not in str(cell.value) and SCRIPT not in str(cell.value)


def test_text_helper_flags_formula_triggers_and_drops_control_characters() -> None:
    ws = openpyxl.Workbook().create_sheet("t")
    cells: list[Cell] = []
    for i, text in enumerate([INJECTION, "\tx", "ok", "a\x07b"], start=1):
        cell = ws.cell(i, 1)
        assert isinstance(cell, Cell)
        put_text(cell, text)
        cells.append(cell)
    assert [c.data_type for c in cells] == ["s"] * 4
    assert [c.quotePrefix for c in cells] == [True, True, False, False]
    assert cells[0].value == INJECTION and cells[3].value == "ab"


def test_refuses_to_overwrite_without_force(bundled: Bundled, tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_workbook(path, analysis=bundled.analysis)
    before = path.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        write_workbook(path, analysis=bundled.analysis, psa=bundled.psa)
    assert path.read_bytes() == before
    write_workbook(path, analysis=bundled.analysis, psa=bundled.psa, force=True)
    assert openpyxl.load_workbook(path).sheetnames[-1] == "Monte Carlo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]  # no temporary file


def test_missing_folder_raises_and_leaves_nothing(bundled: Bundled, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.xlsx"
    with pytest.raises(InputError, match="the output folder does not exist"):
        write_workbook(path, analysis=bundled.analysis)
    assert list(tmp_path.iterdir()) == []


def test_a_path_that_is_a_folder_is_refused_even_with_force(
    bundled: Bundled, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="it is a folder"):
        write_workbook(tmp_path, analysis=bundled.analysis, force=True)


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(
    bundled: Bundled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def full_disk(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(InputError, match="no space left on the disk"):
        write_workbook(path, analysis=bundled.analysis, force=True)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


#: where each sheet may hold formulas, by row: the Studies sheet from its pooling weight
#: (column F) to its class (Q), but not its patients (G, H); the Pooled sheet's ratios,
#: break-even and unit costs, and the class counts; Costs column C; the Business case
#: from column D
LIVE_COLUMNS: dict[str, Any] = {
    "Studies": lambda r: {6, *range(9, 18)},
    "Pooled": lambda r: {3, 5, 6, 7} if r in (2, 3) else {2},
    "Costs": lambda r: {3},
    "Business case": lambda r: set(range(4, 100)),
}


def test_user_text_stays_text_on_every_sheet_of_the_live_workbook(tmp_path: Path) -> None:
    """Formulas only where the model is (Costs column C, Business case from column D);
    an input whose name, field and source begin with '=' stays text, as do the case's
    name and organisation."""
    case = tmp_path / "case.toml"
    case.write_text(
        "[scenario]\nname = \"=cmd|' /C calc'!A0\"\norganisation = '=1+1'\n"
        "[staffing]\ncaseload = 10\n"
    )
    scenario = run_scenario(ScenarioRequest(scenario=case, draws=200))
    hostile = InputRow("=cmd", "=SUM(A1)", 1.0, "ratio", None, INJECTION, None, "assumed")
    path = tmp_path / "case.xlsx"
    write_workbook(path, analysis=analyse(), scenario=scenario, inputs=[hostile])
    wb = openpyxl.load_workbook(path)
    texts = set()
    for ws in wb.worksheets:
        for r, row in enumerate(ws.iter_rows(), start=1):
            for c, cell in enumerate(row, start=1):
                if cell.data_type == "f":
                    assert c in LIVE_COLUMNS[ws.title](r), (ws.title, cell.coordinate)
                    assert ws.cell(r, 1).data_type == "s"  # its label is text
                elif isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    texts.add(cell.value)
    assert {"=cmd", "=SUM(A1)", INJECTION, "=cmd|' /C calc'!A0", "=1+1"} <= texts
    # the hostile input's name is made of letters, digits and '_' only
    assert "cmd_SUM_A1" in wb.defined_names
    assert wb.defined_names["cmd_SUM_A1"].attr_text.startswith("'Inputs'!$D$")


_FUNCTIONS = {"SUM", "SUMPRODUCT", "MAX", "IF", "AND", "OR", "MATCH"}


@pytest.mark.parametrize(
    "extra",
    [
        # the effect given by the user, a whole cost per post, and another resource
        "[evidence]\nsource = 'own'\nsaved_per_patient_year = 8\n"
        "[costs]\ncost_per_fte_year = 60000\n"
        "[[extra]]\nname = 'A&E'\navoided_per_patient_year = 0.5\n"
        "unit_cost = { value = 300, unit = 'GBP/event', price_year = '2023-24', "
        "status = 'assumed', range = [200, 400], rationale = 'local' }\n",
        "[costs]\nsalary = 27000\n",
    ],
)
def test_every_name_a_formula_uses_is_defined(tmp_path: Path, extra: str) -> None:
    """Whatever the scenario's effect and cost forms, the formulas refer only to defined
    names, to cells, and to functions both Excel and LibreOffice evaluate."""
    case = tmp_path / "case.toml"
    case.write_text("[scenario]\nname = 'case'\nstart = 2026-04-01\n" + extra)
    try:
        scenario = run_scenario(ScenarioRequest(scenario=case, draws=100))
    except InputError as e:  # pragma: no cover - shows a schema change in the failure
        pytest.fail(str(e))
    wb = build_workbook(analysis=analyse(), scenario=scenario)
    defined = set(wb.defined_names)
    assert {"result_npv", "cost_per_fte_year", "staffing_caseload"} <= defined
    assert {"pooled_weighted_mean_ratio", "analysis_cost_per_bed_day"} <= defined
    used: set[str] = set()
    for title in ("Studies", "Pooled", "Costs", "Business case"):
        for row in wb[title].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "f":
                    text = re.sub(r'"[^"]*"', "", cell.value).replace("$", "")
                    text = re.sub(r"'[^']*'!", "", text)  # a sheet's name before a range
                    used |= set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b(?!\()", text))
                    assert set(re.findall(r"\b([A-Z]+)\(", text)) <= _FUNCTIONS, cell.value
    cells = {u for u in used if re.fullmatch(r"[A-Z]{1,3}[0-9]+", u)}
    assert used - cells <= defined, sorted(used - cells - defined)

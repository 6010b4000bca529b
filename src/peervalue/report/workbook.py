"""An Excel workbook for NHS finance teams, written from results already computed.

Nothing here runs the model: :func:`build_workbook` lays out an
:class:`~peervalue.model.results.AnalysisResult` (and, when given, a
:class:`~peervalue.uncertainty.results.PsaResult`, a
:class:`~peervalue.scenario.results.ScenarioResult` and the input figures) as
sheets, and :func:`write_workbook` saves it atomically. The sheets are

``Contents``
    each sheet and what it holds;
``Inputs``
    every input figure once (:func:`input_rows`, then the scenario's resolved inputs
    and :func:`case_extra_rows`): its defined name, value, unit, price year, status,
    Monte Carlo distribution, range, source citation and address; rows whose figure
    was overridden say ``yes`` in the "Overridden" column and are shaded;
``Studies``
    one row per study of the reference analysis, live formulas from the pooling weight
    on (:mod:`peervalue.report.workbook_studies`: each study's weight, bed-days saved and
    FTE-years from its own inputs where its forms allow, else from derived figures on
    the Inputs sheet);
``Pooled``
    the pooled ratio by method as live formulas (and on the other cost basis, as
    values, when the result has it), the published 2013 ratio beside the weighted mean
    when the result carries ``published_reference``; below it the studies by class
    (counted from the live Class column) and the published reference;
``Costs``, ``Business case``
    (only with a scenario) live formulas over the Inputs names
    (:mod:`peervalue.report.workbook_live`): rebasing, the peer worker cost, the case
    year by year and the named headline results;
``Scenario years``
    (only with a scenario) snapshot: the business case year by year as computed, with
    its Monte Carlo spread, then its totals;
``Monte Carlo``
    (only with a Monte Carlo result) per pooling method the deterministic
    value, mean, median, 95% interval and probabilities.

Numbers are stored as numbers with a number format (money ``£#,##0``, input
figures in pounds ``£#,##0.00`` to keep their pence, ratios ``0.00``,
probabilities ``0.0%``); a missing, NaN or infinite figure is an empty cell.
Every sheet has a bold header row frozen in place (``freeze_panes = "A2"``; the Business
case ``"D2"``, keeping its steps in view).

Formula injection: every text cell goes through one helper, :func:`put_text`,
which stores the exact text as a string (``cell.data_type = "s"``, written as
an inline string, never a formula), whatever it starts with. Text that a
spreadsheet could read as a formula when it is edited or re-imported (starting
with ``=``, ``+``, ``-``, ``@``, a tab, CR or LF) also gets Excel's
"quote prefix" style flag, the equivalent of typing a leading apostrophe, so
the text itself is never altered. Characters that XML cannot hold (control
characters other than tab, LF and CR) are dropped, and text longer than a
cell holds (32,767 characters) is cut. Web addresses are plain text, never
hyperlinks.

openpyxl is imported by this module only; ``peervalue.report`` does not import it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from peervalue.fileio import atomic_write_bytes
from peervalue.model.methods import METHOD_LABELS, METHOD_TITLES
from peervalue.provenance import Quantity, quantities_in
from peervalue.report.narrative import differences
from peervalue.report.safe_text import formula_like
from peervalue.report.workbook_live import (
    CASE_COSTS,
    case_input_key,
    defined_name,
    plan_case,
    write_case,
    write_costs,
)
from peervalue.report.workbook_studies import (
    ANALYSIS,
    BREAK_EVEN,
    COST_PER_BED_DAY,
    COST_PER_FTE_YEAR,
    SUMS,
    WEIGHTED,
    LiveCosts,
    LiveStudy,
    has_sums,
    live_costs,
    live_studies,
    pooled_formulas,
    study_formulas,
    study_inputs,
    study_name,
)
from peervalue.units import CURRENCY_UNITS

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from peervalue.costs.schema import CostFile
    from peervalue.evidence.schema import Study
    from peervalue.model.results import AnalysisResult
    from peervalue.scenario.results import ScenarioResult
    from peervalue.uncertainty.results import PsaResult

#: number formats
MONEY = "£#,##0"
INPUT_MONEY = "£#,##0.00"
RATIO = "0.00"
PROBABILITY = "0.0%"
COUNT = "#,##0"
AMOUNT = "#,##0.0"
DECIMAL = "#,##0.00"
FACTOR = "0.0000"
INTEGER = "0"
GENERAL = "General"

#: most characters an Excel cell holds
MAX_CELL_CHARS = 32_767

SHEET_INPUTS = "Inputs"
SHEET_STUDIES = "Studies"
SHEET_POOLED = "Pooled"
SHEET_SCENARIO = "Scenario years"
SHEET_MONTE_CARLO = "Monte Carlo"
SHEET_CONTENTS = "Contents"
SHEET_COSTS = "Costs"
SHEET_CASE = "Business case"

_BOLD = Font(bold=True)
_OVERRIDDEN_FILL = PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC")
_MIN_WIDTH, _MAX_WIDTH, _NUMBER_WIDTH = 8, 60, 12

#: scenario overrides of the unit costs, by the name of the cost input they replace
_SCENARIO_COST_FIELDS = {
    "costs:bed_day": "costs.cost_per_bed_day",
    "costs:peer_worker.total": "costs.cost_per_fte_year",
}


@dataclass(frozen=True)
class InputRow:
    """One input figure with its provenance, as the Inputs sheet shows it.

    ``where`` is the study id, ``"costs"`` or (for a scenario's inputs)
    ``"scenario"``; ``field`` is the dotted path in that document.
    """

    where: str
    field: str
    value: float
    unit: str
    price_year: str | None
    source: str | None  #: the source's citation (for a scenario input, its source text)
    url: str | None
    status: str
    overridden: bool = False
    low: float | None = None  #: the range of an assumed (or ranged) figure
    high: float | None = None
    distribution: str | None = None  #: how the Monte Carlo draws it, in words

    @property
    def key(self) -> str:
        """``where:field``, the key :func:`input_rows` takes in ``overridden``."""
        return f"{self.where}:{self.field}"

    @property
    def name(self) -> str:
        """The workbook's defined name of its cell (``staffing.caseload`` ->
        ``staffing_caseload``; ``sledge2011:arms.control`` -> ``sledge2011_arms_control``)."""
        return defined_name(case_input_key(self.where, self.field))


def _row(
    where: str,
    field: str,
    q: Quantity,
    overridden: Collection[str],
    distributions: Mapping[str, str],
) -> InputRow:
    return InputRow(
        where=where,
        field=field,
        value=q.value,
        unit=q.unit,
        price_year=q.price_year,
        source=None if q.source is None else q.source.citation,
        url=None if q.source is None else q.source.url,
        status=q.status.value,
        overridden=f"{where}:{field}" in overridden,
        low=None if q.range is None else q.range[0],
        high=None if q.range is None else q.range[1],
        distribution=distributions.get(f"{where}:{field}"),
    )


def input_rows(
    evidence: Iterable[Study],
    costs: CostFile,
    *,
    overridden: Collection[str] = (),
    distributions: Mapping[str, str] | None = None,
) -> list[InputRow]:
    """Every quantity of the studies (``evidence``: an ``Evidence`` or a list of studies)
    and of the cost document, in file order, walked by
    :func:`peervalue.provenance.quantities_in`.

    ``overridden`` names the figures to mark as overridden by ``where:field``
    (``"costs:bed_day"``, ``"sledge2011:arms.intervention"``); ``distributions`` gives how
    the Monte Carlo draws each figure, in words, by the same key.
    """
    dist = distributions or {}
    rows = [
        _row(study.id, field, q, overridden, dist)
        for study in evidence
        for field, q in quantities_in(study).items()
    ]
    rows += [_row("costs", field, q, overridden, dist) for field, q in quantities_in(costs).items()]
    return rows


def scenario_input_rows(scenario: ScenarioResult) -> list[InputRow]:
    """The inputs a business case used (``ScenarioResult.inputs``), those the scenario
    file set in place of the national defaults marked as overridden."""
    changed = {o.field for o in scenario.overrides}
    rows = []
    for item in scenario.inputs:
        where, _, field = item.field.partition(":")
        if not field:
            where, field = "scenario", where
        if where == "costs":
            where = CASE_COSTS  # the scenario's cost set, beside the analysis's
        overridden = (where == "scenario" and field in changed) or (
            _SCENARIO_COST_FIELDS.get(item.field) in changed
        )
        rows.append(
            InputRow(
                where=where,
                field=field,
                value=item.value,
                unit=item.unit,
                price_year=item.price_year,
                source=item.source or None,
                url=None,
                status=item.status,
                overridden=overridden,
                distribution=item.distribution,
            )
        )
    return rows


def merge_input_rows(rows: Iterable[InputRow]) -> list[InputRow]:
    """Every input once: a later row with the name of an earlier one (a study's figure
    listed by the analysis in its file's units and again by the scenario in the model's)
    is dropped, the earlier row taking its distribution if it had none."""
    out: dict[str, InputRow] = {}
    for r in rows:
        old = out.get(r.name)
        if old is None:
            out[r.name] = r
        elif old.distribution is None:
            out[r.name] = replace(old, distribution=r.distribution)
    return list(out.values())


def case_extra_rows(scenario: ScenarioResult) -> list[InputRow]:
    """The business case's inputs that are not among its figures: the discount rate, the
    funded posts of each year, the effect (bed-days saved per patient-year) when it comes
    from the evidence, and the price index levels the Costs sheet rebases with."""
    from peervalue.costs.indices import nhs_indexes
    from peervalue.scenario.catalogue import cost_lines
    from peervalue.scenario.discounting import bands_of, yearly_rates

    index = nhs_indexes().get("pay-and-prices")
    bands = bands_of(scenario.discount_schedule, scenario.discount_rate)
    rows = [
        InputRow(
            "scenario",
            "scenario.discount_rate",
            scenario.discount_rate,
            "rate per year",
            None,
            "the scenario file",
            None,
            "set",
            distribution="fixed",
        )
    ]
    rows += [
        InputRow(
            "scenario",
            f"staffing.funded_fte.y{y.year}",
            y.funded_fte,
            "FTE",
            None,
            f"the scenario file (year {y.year}, {y.label})",
            None,
            "set",
            distribution="fixed",
        )
        for y in scenario.years
    ]
    rows += [
        InputRow(
            "scenario",
            f"scenario.discount_rate.y{t}",
            float(rate),
            "rate per year",
            None,
            f"the discount schedule, {scenario.discount_schedule} (year {t} back to year {t - 1})",
            None,
            "set",
            distribution="fixed",
        )
        for t, rate in enumerate(yearly_rates(scenario.horizon_years, bands), start=1)
        if t > 1
    ]
    if scenario.effect.source != "own" and scenario.effect.ratio is not None:
        rows.append(
            InputRow(
                "effect",
                "ratio",
                scenario.effect.ratio,
                "ratio",
                None,
                f"{scenario.effect.label or scenario.effect.source} of {scenario.effect.evidence}"
                f": {scenario.effect.synthesis or ', '.join(scenario.effect.studies)}",
                None,
                "derived",
                distribution="drawn from the synthesis"
                + (
                    f" (95% {scenario.effect.ratio_low:.3g} to {scenario.effect.ratio_high:.3g})"
                    if scenario.effect.ratio_low is not None
                    and scenario.effect.ratio_high is not None
                    else ""
                ),
            )
        )
    elif scenario.effect.source != "own":
        rows.append(
            InputRow(
                "effect",
                "saved_per_patient_year",
                scenario.effect.bed_days_saved_per_patient_year,
                "bed-days/patient-year",
                None,
                f"{scenario.effect.source} effect of {scenario.effect.evidence}: "
                + ", ".join(scenario.effect.studies),
                None,
                "derived",
                distribution="drawn through the studies' inputs",
            )
        )
    plan = plan_case(scenario, dict(cost_lines()))
    rows += [
        InputRow(
            "index",
            year,
            index.levels[year],
            "index level",
            year,
            index.source,
            None,
            "reported",
            distribution="fixed",
        )
        for year in plan.index_years
    ]
    return rows


# --- cells -------------------------------------------------------------------------


def put_text(cell: Cell, text: str) -> None:
    """Store ``text`` in ``cell`` as text, never as a formula (see the module docstring)."""
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]
    cell.value = clean
    cell.data_type = "s"  # openpyxl marks text starting with '=' as a formula; undo that
    if formula_like(clean):
        cell.quotePrefix = True


@dataclass(frozen=True)
class Formula:
    """A formula the workbook writes itself (never user text), without its ``=``."""

    text: str


def put(cell: Cell, value: Any, number_format: str | None = None) -> None:
    """One value: text through :func:`put_text`, numbers as numbers with ``number_format``,
    ``None``, NaN and infinities as an empty cell, booleans as "yes"/"no", a
    :class:`Formula` as a formula."""
    if value is None:
        return
    if isinstance(value, Formula):
        cell.value = f"={value.text}"
        cell.number_format = number_format or GENERAL
        return
    if isinstance(value, bool):
        put_text(cell, "yes" if value else "no")
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            return
        cell.value = value
        cell.number_format = number_format or GENERAL
    else:
        put_text(cell, str(value))


@dataclass(frozen=True)
class _Column:
    header: str
    number_format: str | None = None  #: None: text


class _Sheet:
    """Rows written one after another, tracking each column's width."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.next_row = 1
        self.widths: dict[int, int] = {}

    def _cell(self, col: int) -> Cell:
        cell = self.ws.cell(row=self.next_row, column=col)
        assert isinstance(cell, Cell)  # nothing here merges cells
        return cell

    def _measure(self, col: int, value: Any) -> None:
        if value is None:
            return
        number = isinstance(value, int | float | Formula)
        size = _NUMBER_WIDTH if number else len(str(value)) + 2
        self.widths[col] = max(self.widths.get(col, _MIN_WIDTH), min(size, _MAX_WIDTH))

    def header(self, headers: Sequence[str]) -> None:
        for col, text in enumerate(headers, start=1):
            cell = self._cell(col)
            put_text(cell, text)
            cell.font = _BOLD
            self._measure(col, text)
        self.next_row += 1

    def row(
        self,
        values: Sequence[Any],
        formats: Sequence[str | None],
        fill: PatternFill | None = None,
    ) -> None:
        for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            cell = self._cell(col)
            put(cell, value, fmt)
            if fill is not None:
                cell.fill = fill
            self._measure(col, value)
        self.next_row += 1

    def table(self, columns: Sequence[_Column], rows: Iterable[Sequence[Any]]) -> None:
        self.header([c.header for c in columns])
        formats = [c.number_format for c in columns]
        for values in rows:
            self.row(values, formats)

    def gap(self) -> None:
        self.next_row += 1

    def finish(self) -> None:
        self.ws.freeze_panes = "A2"
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width


def _today() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")


# --- sheets ------------------------------------------------------------------------


def _prices(price_year: str) -> str:
    return f"£, {price_year} prices"


def _inputs_sheet(sheet: _Sheet, rows: Sequence[InputRow]) -> None:
    """Every input once, its value in column D under its defined name (column A)."""
    sheet.header(
        [
            "Name",
            "Where",
            "Field",
            "Value",
            "Unit",
            "Price year",
            "Status",
            "Distribution (Monte Carlo; years, £ at the run's prices)",
            "Low",
            "High",
            "Source",
            "URL",
            "Overridden",
        ]
    )
    wb = sheet.ws.parent
    assert wb is not None
    for r in rows:
        fmt = INPUT_MONEY if r.unit in CURRENCY_UNITS else GENERAL
        values = [
            r.name,
            r.where,
            r.field,
            r.value,
            r.unit,
            r.price_year,
            r.status,
            r.distribution,
            r.low,
            r.high,
            r.source,
            r.url,
            "yes" if r.overridden else "no",
        ]
        formats = [None, None, None, fmt, None, None, None, None, fmt, fmt, None, None, None]
        add_name(wb, r.name, f"{_quoted(sheet.ws.title)}!$D${sheet.next_row}")
        sheet.row(values, formats, _OVERRIDDEN_FILL if r.overridden else None)


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def add_name(wb: Workbook, name: str, ref: str) -> None:
    """A workbook-level defined name for ``ref`` (``'Inputs'!$D$5``)."""
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


#: what each sheet does, for the Contents sheet
SHEET_PURPOSE = {
    SHEET_CONTENTS: "This list.",
    SHEET_INPUTS: "Every input once: value, unit, price year, status, how the Monte Carlo "
    "draws it, range and source. Each value cell has a name (column A) that the "
    "formulas use; change a value here and the Costs and Business case sheets recalculate.",
    SHEET_STUDIES: "Live formulas: the reference analysis study by study, from each study's "
    "inputs and the unit costs on the Inputs sheet (status 'derived' marks a figure taken "
    "from peervalue where a conversion is not written as a formula): bed-days saved and "
    "FTE-years, bed-days per FTE-year, benefit, cost, ratio (named study_<id>_ratio).",
    SHEET_POOLED: "Live formulas: the pooled ratios (pooled_weighted_mean_ratio, "
    "pooled_ratio_of_sums) and the studies by class, beside the published 2013 ratio; the "
    "other cost basis, when shown, is values.",
    SHEET_COSTS: "Live formulas: the scenario's costs rebased to its price year and the "
    "peer worker cost per FTE-year built from its components.",
    SHEET_CASE: "Live formulas: the business case year by year (one row per model step), "
    "then the headline results, named result_npv, result_cash_npv, "
    "result_benefit_cost_ratio, result_payback_year, result_break_even_caseload.",
    SHEET_SCENARIO: "Snapshot (values): the business case by year as peervalue computed it, "
    "with its Monte Carlo spread; it does not recalculate.",
    SHEET_MONTE_CARLO: "Snapshot (values): the Monte Carlo results, with their draws, seed "
    "and date; it does not recalculate.",
}


def _contents_sheet(sheet: _Sheet, titles: Sequence[str]) -> None:
    sheet.header(["Sheet", "What it holds"])
    for title in titles:
        sheet.row([title, SHEET_PURPOSE[title]], [None, None])


def _put_at(ws: Worksheet, row: int, col: int, value: object, fmt: str | None) -> None:
    cell = ws.cell(row=row, column=col)
    assert isinstance(cell, Cell)
    put(cell, value, fmt)
    if row == 1:
        cell.font = _BOLD


#: the Studies sheet's columns: (header, number format), header with ``{money}``
_STUDY_COLUMNS: list[tuple[str, str | None]] = [
    ("Study", None),
    ("Citation", None),
    ("Country", None),
    ("Design", None),
    ("Peer role", None),
    ("Pooling weight (patients)", COUNT),
    ("Patients (peer support)", COUNT),
    ("Patients (control)", COUNT),
    ("Bed-days saved per patient", DECIMAL),
    ("Total bed-days saved", AMOUNT),
    ("FTE-years of peer work", DECIMAL),
    ("Bed-days saved per FTE-year", AMOUNT),
    ("Benefit per FTE-year ({money})", MONEY),
    ("Cost per FTE-year ({money})", MONEY),
    ("Net benefit per FTE-year ({money})", MONEY),
    ("Benefit:cost ratio", RATIO),
    ("Class", None),
    ("Assumed inputs", None),
]
_COL = {h.replace(" ({money})", ""): i for i, (h, _) in enumerate(_STUDY_COLUMNS, start=1)}


def _letter(header: str) -> str:
    return get_column_letter(_COL[header])


def _studies_sheet(sheet: _Sheet, analysis: AnalysisResult, live: Mapping[str, LiveStudy]) -> None:
    """One row per study; from the pooling weight on, live formulas over the Inputs
    sheet's derived figures (:mod:`peervalue.report.workbook_studies`)."""
    money = _prices(analysis.price_year)
    columns = [_Column(h.format(money=money), f) for h, f in _STUDY_COLUMNS]
    sheet.header([c.header for c in columns])
    formats = [c.number_format for c in columns]
    wb = sheet.ws.parent
    assert wb is not None
    title = _quoted(sheet.ws.title)
    for s in analysis.studies:
        row = sheet.next_row

        def at(header: str, row: int = row) -> str:
            return f"{_letter(header)}{row}"

        f = study_formulas(
            s,
            {
                "total_saved": at("Total bed-days saved"),
                "fte_years": at("FTE-years of peer work"),
                "per_fte_year": at("Bed-days saved per FTE-year"),
                "benefit": at("Benefit per FTE-year"),
                "ratio": at("Benefit:cost ratio"),
            },
            live.get(s.id),
        )
        sums = has_sums(s)
        sheet.row(
            [
                s.id,
                s.citation,
                s.country,
                s.design,
                s.peer_role,
                Formula(f.weight),
                s.n_intervention,
                s.n_control,
                Formula(f"{at('Total bed-days saved')}/{at('Patients (peer support)')}")
                if sums
                else s.bed_days_saved_per_patient,
                Formula(f.total_saved) if sums else None,
                Formula(f.fte_years) if sums else None,
                Formula(f.per_fte_year),
                Formula(f.benefit),
                Formula(f.cost),
                Formula(f.net_benefit),
                Formula(f.ratio),
                Formula(f.classification),
                ", ".join(s.assumed_inputs),
            ],
            formats,
        )
        add_name(wb, study_name(s.id, "ratio"), f"{title}!${_letter('Benefit:cost ratio')}${row}")
        add_name(
            wb,
            study_name(s.id, "bed_days_per_fte_year"),
            f"{title}!${_letter('Bed-days saved per FTE-year')}${row}",
        )


def _studies_range(analysis: AnalysisResult, header: str) -> str:
    last = 1 + len(analysis.studies)
    col = _letter(header)
    return f"{_quoted(SHEET_STUDIES)}!${col}$2:${col}${last}"


def _pooled_sheet(sheet: _Sheet, analysis: AnalysisResult, unit_costs: LiveCosts) -> None:
    """The pooled ratios, live over the Studies sheet; the analysis's unit costs are named
    in row 2 (columns F, G) when they are formulas over the cost set's inputs."""
    money = _prices(analysis.price_year)
    ref = analysis.published_reference
    pooled, costs = analysis.pooled, analysis.costs
    published = None if ref is None else ref.weighted_mean_ratio
    columns = [
        _Column("Method"),
        _Column("Cost basis"),
        _Column("Pooled ratio", RATIO),
        _Column("Published ratio (2013 report)", RATIO),
        _Column("Break-even bed-days per FTE-year", AMOUNT),
        _Column(f"Cost per bed-day ({money})", MONEY),
        _Column(f"Cost per FTE-year ({money})", MONEY),
        _Column("Note"),
    ]
    live = bool(analysis.studies)
    be: Any = analysis.break_even.bed_days_saved_per_fte_year
    weighted: Any = pooled.weighted_mean_ratio
    sums: Any = pooled.ratio_of_sums
    c_bed: Any = costs.cost_per_bed_day
    c_psw: Any = costs.cost_per_fte_year
    if live:
        formulas = pooled_formulas(
            _studies_range(analysis, "Pooling weight (patients)"),
            _studies_range(analysis, "Benefit:cost ratio"),
            _studies_range(analysis, "Total bed-days saved"),
            _studies_range(analysis, "FTE-years of peer work"),
            all(has_sums(s) for s in analysis.studies),
        )
        weighted, sums = Formula(formulas[WEIGHTED]), Formula(formulas[SUMS])
        be = Formula(formulas[BREAK_EVEN])
        c_bed, c_psw = Formula(COST_PER_BED_DAY), Formula(COST_PER_FTE_YEAR)
    rows: list[list[Any]] = [
        [
            METHOD_TITLES["weighted"],
            costs.basis,
            weighted,
            published,
            be,
            Formula(unit_costs.bed_day) if live and unit_costs.bed_day else c_bed,
            Formula(unit_costs.fte_year) if live and unit_costs.fte_year else c_psw,
            pooled.weighting_note,
        ],
        [
            METHOD_TITLES["sums"],
            costs.basis,
            sums,
            None,
            Formula(BREAK_EVEN) if live else be,
            c_bed,
            c_psw,
            pooled.ratio_of_sums_note,
        ],
    ]
    other = analysis.other_cost_basis
    if other is not None:
        for title, ratio, ref_ratio in (
            (METHOD_TITLES["weighted"], other.weighted_mean_ratio, published),
            (METHOD_TITLES["sums"], other.ratio_of_sums, None),
        ):
            rows.append(
                [
                    title,
                    other.basis,
                    ratio,
                    ref_ratio,
                    other.break_even_bed_days_per_fte_year,
                    costs.cost_per_bed_day,
                    other.cost_per_fte_year,
                    f"{other.basis_note} (values as computed, not formulas)",
                ]
            )
    sheet.table(columns, rows)
    if live:
        wb = sheet.ws.parent
        assert wb is not None
        here = _quoted(sheet.ws.title)
        add_name(wb, WEIGHTED, f"{here}!$C$2")
        add_name(wb, SUMS, f"{here}!$C$3")
        add_name(wb, BREAK_EVEN, f"{here}!$E$2")
        if unit_costs.bed_day:
            add_name(wb, COST_PER_BED_DAY, f"{here}!$F$2")
        if unit_costs.fte_year:
            add_name(wb, COST_PER_FTE_YEAR, f"{here}!$G$2")

    sheet.gap()
    classes = ref.classification if ref is not None else {}
    sheet.table(
        [
            _Column("Class of study ratio"),
            _Column("Studies", INTEGER),
            _Column("Published", INTEGER),
        ],
        [
            [label, _class_count(analysis, code, count), classes.get(key)]
            for label, code, count, key in (
                ("> 1", "> 1", pooled.above_one, "above_one"),
                ("0 to 1", "0 to 1", pooled.between_zero_and_one, "between_zero_and_one"),
                ("< 0", "< 0", pooled.negative, "negative"),
                ("0 (no effect)", "0", pooled.zero, "zero"),
            )
        ],
    )

    sheet.gap()
    about: list[list[Any]] = [
        ["Evidence", analysis.evidence],
        ["Cost set", costs.name],
        ["Price year", analysis.price_year],
        ["Currency", analysis.currency],
        ["Weighting", pooled.weighting],
        ["Cost basis", costs.basis_note],
    ]
    if ref is not None:
        about += [
            ["Published reference", ref.citation],
            ["Published at", ref.url],
            ["Published price year", ref.price_year],
            ["Why results differ", differences(analysis)],
        ]
    sheet.table([_Column("About"), _Column("")], about)


def _class_count(analysis: AnalysisResult, code: str, count: int) -> Any:
    """Studies in a class: a count over the Studies sheet's live Class column."""
    if not analysis.studies:
        return count
    return Formula(f'SUMPRODUCT(({_studies_range(analysis, "Class")}="{code}")*1)')


def _scenario_sheet(sheet: _Sheet, scenario: ScenarioResult) -> None:
    money = _prices(scenario.price_year)
    columns = [
        _Column("Scenario"),
        _Column("Organisation"),
        _Column("Year", INTEGER),
        _Column("Financial year"),
        _Column("Funded FTE", DECIMAL),
        _Column("Filled FTE", DECIMAL),
        _Column("Patient-years supported", AMOUNT),
        _Column("Bed-days saved", AMOUNT),
        _Column(f"Gross benefit ({money})", MONEY),
        _Column(f"Cash-releasing ({money})", MONEY),
        _Column(f"Capacity ({money})", MONEY),
        _Column(f"Staff cost ({money})", MONEY),
        _Column(f"One-off cost ({money})", MONEY),
        _Column(f"Running cost ({money})", MONEY),
        _Column(f"Total cost ({money})", MONEY),
        _Column(f"Net benefit ({money})", MONEY),
        _Column("Benefit:cost ratio", RATIO),
        _Column("Discount factor", FACTOR),
        _Column(f"Discounted net benefit ({money})", MONEY),
        _Column(f"Cumulative discounted net benefit ({money})", MONEY),
        _Column(f"Net benefit 2.5% ({money})", MONEY),
        _Column(f"Net benefit 97.5% ({money})", MONEY),
        _Column("P(paid back by this year)", PROBABILITY),
    ]
    sheet.table(
        columns,
        (
            [
                scenario.name,
                scenario.organisation,
                y.year,
                y.label,
                y.funded_fte,
                y.filled_fte,
                y.patient_years,
                y.bed_days_saved,
                y.gross_benefit,
                y.cash_releasing,
                y.capacity,
                y.staff_cost,
                y.one_off_cost,
                y.running_cost,
                y.total_cost,
                y.net_benefit,
                y.benefit_cost_ratio,
                y.discount_factor,
                y.discounted_net_benefit,
                y.cumulative_discounted_net_benefit,
                y.net_benefit_interval.p2_5,
                y.net_benefit_interval.p97_5,
                y.prob_paid_back,
            ]
            for y in scenario.years
        ),
    )

    t, u = scenario.totals, scenario.uncertainty
    sheet.gap()
    sheet.header(["Totals", "Value"])
    totals: list[tuple[str, Any, str | None]] = [
        (f"Gross benefit ({money})", t.gross_benefit, MONEY),
        (f"Total cost ({money})", t.total_cost, MONEY),
        (f"Net benefit ({money})", t.net_benefit, MONEY),
        (f"Discounted benefit ({money})", t.discounted_benefit, MONEY),
        (f"Discounted cost ({money})", t.discounted_cost, MONEY),
        (f"Net present value ({money})", t.net_present_value, MONEY),
        ("Benefit:cost ratio (discounted)", t.benefit_cost_ratio, RATIO),
        ("Net return per pound", t.net_return_per_pound, RATIO),
        ("Payback year (empty: never)", t.payback_year, INTEGER),
        ("Break-even caseload (patients/FTE)", t.break_even_caseload, DECIMAL),
        (f"Break-even cost per bed-day ({money})", t.break_even_cost_per_bed_day, MONEY),
        (
            f"Net present value without transferability ({money})",
            t.net_present_value_without_transferability,
            MONEY,
        ),
        ("Discount rate", scenario.discount_rate, PROBABILITY),
        ("Monte Carlo draws", u.draws, INTEGER),
        ("Seed", u.seed, INTEGER),
        (f"Net present value mean ({money})", u.net_present_value.mean, MONEY),
        (f"Net present value 2.5% ({money})", u.net_present_value.p2_5, MONEY),
        (f"Net present value 97.5% ({money})", u.net_present_value.p97_5, MONEY),
        ("P(net present value > 0)", u.prob_net_present_value_positive, PROBABILITY),
        ("P(never pays back)", u.prob_never_pays_back, PROBABILITY),
    ]
    for label, value, fmt in totals:
        sheet.row([label, value], [None, fmt])
    if scenario.notes:
        sheet.gap()
        sheet.header(["Notes"])
        for note in scenario.notes:
            sheet.row([note], [None])
    _organisations_rows(sheet, scenario, money)


def _organisations_rows(sheet: _Sheet, scenario: ScenarioResult, money: str) -> None:
    """Who pays and who gains, as values: each organisation's discounted totals, then its
    net benefit and cash net benefit by year (``ScenarioResult.by_organisation``)."""
    by = scenario.by_organisation
    if by is None or not by.organisations:
        return
    sheet.gap()
    sheet.table(
        [
            _Column("Who pays and who gains"),
            _Column("Pays or gains"),
            _Column(f"Discounted benefit ({money})", MONEY),
            _Column(f"Discounted cash released ({money})", MONEY),
            _Column(f"Discounted cost ({money})", MONEY),
            _Column(f"Net present value ({money})", MONEY),
            _Column(f"Cash net present value ({money})", MONEY),
        ],
        (
            [
                o.name,
                ", ".join(o.line_names),
                o.discounted_benefit,
                o.discounted_cash_benefit,
                o.discounted_cost,
                o.net_present_value,
                o.cash_net_present_value,
            ]
            for o in by.organisations
        ),
    )
    sheet.gap()
    sheet.table(
        [
            _Column("Organisation"),
            _Column("Year", INTEGER),
            _Column("Financial year"),
            _Column(f"Benefit ({money})", MONEY),
            _Column(f"Cash released ({money})", MONEY),
            _Column(f"Cost ({money})", MONEY),
            _Column(f"Net benefit ({money})", MONEY),
            _Column(f"Cash net benefit ({money})", MONEY),
        ],
        (
            [
                y.name,
                y.year,
                y.label,
                y.benefit,
                y.cash_releasing,
                y.cost,
                y.net_benefit,
                y.cash_net_benefit,
            ]
            for y in by.years
        ),
    )


def _monte_carlo_sheet(sheet: _Sheet, psa: PsaResult) -> None:
    money = _prices(psa.price_year)
    columns = [
        _Column("Method"),
        _Column("Description"),
        _Column("Draws", COUNT),
        _Column("Seed", INTEGER),
        _Column("Ratio (deterministic)", RATIO),
        _Column("Ratio mean", RATIO),
        _Column("Ratio median", RATIO),
        _Column("Ratio 2.5%", RATIO),
        _Column("Ratio 97.5%", RATIO),
        _Column("Ratio at input means", RATIO),
        _Column("P(ratio > 1)", PROBABILITY),
        _Column(f"Net benefit per FTE-year, deterministic ({money})", MONEY),
        _Column(f"Net benefit mean ({money})", MONEY),
        _Column(f"Net benefit median ({money})", MONEY),
        _Column(f"Net benefit 2.5% ({money})", MONEY),
        _Column(f"Net benefit 97.5% ({money})", MONEY),
        _Column("P(net benefit > 0)", PROBABILITY),
        _Column(f"EVPI per FTE-year ({money})", MONEY),
        _Column(f"EVPI, population ({money})", MONEY),
    ]
    sheet.table(
        columns,
        (
            [
                METHOD_TITLES[p.method],
                METHOD_LABELS[p.method],
                psa.draws,
                psa.seed,
                p.ratio.deterministic,
                p.ratio.mean,
                p.ratio.median,
                p.ratio.p2_5,
                p.ratio.p97_5,
                p.ratio_at_input_means,
                p.prob_ratio_above_one,
                p.net_benefit_per_fte_year.deterministic,
                p.net_benefit_per_fte_year.mean,
                p.net_benefit_per_fte_year.median,
                p.net_benefit_per_fte_year.p2_5,
                p.net_benefit_per_fte_year.p97_5,
                p.prob_net_benefit_positive,
                p.evpi_per_fte_year,
                p.evpi_population,
            ]
            for p in psa.pooled.values()
        ),
    )
    sheet.gap()
    sheet.header(["Snapshot", "Value"])
    sheet.row(["Values, not formulas: a Monte Carlo run of", "peervalue"], [None, None])
    sheet.row(["Draws", psa.draws], [None, COUNT])
    sheet.row(["Seed", psa.seed], [None, INTEGER])
    sheet.row(["Written on (UTC)", _today()], [None, None])
    notes = [psa.mean_versus_deterministic, *psa.warnings]
    sheet.gap()
    sheet.header(["Notes"])
    for note in notes:
        sheet.row([note], [None])


def build_workbook(
    *,
    analysis: AnalysisResult,
    psa: PsaResult | None = None,
    scenario: ScenarioResult | None = None,
    inputs: Sequence[InputRow] | None = None,
) -> Workbook:
    """The workbook, in memory (see the module docstring for its sheets).

    The Inputs sheet lists ``inputs``, then, with a scenario, its resolved inputs
    (:func:`scenario_input_rows`) and the business case's other inputs
    (:func:`case_extra_rows`), each name once (:func:`merge_input_rows`).
    """
    wb = Workbook()
    default = wb.active
    if default is not None:
        wb.remove(default)
    inputs = list(inputs or [])
    if scenario is not None:
        inputs += scenario_input_rows(scenario) + case_extra_rows(scenario)
    inputs = merge_input_rows(inputs)
    values = {r.name: (r.value, r.unit, r.price_year) for r in inputs}
    live = live_studies(analysis, {k: (v, u) for k, (v, u, _) in values.items()})
    unit_costs = live_costs(analysis, values)
    inputs += [
        InputRow(
            ANALYSIS,
            d.field,
            d.value,
            d.unit,
            d.price_year,
            d.source,
            None,
            "derived",
            distribution="drawn through the inputs it is derived from",
        )
        for d in study_inputs(analysis, live, unit_costs)
    ]
    inputs = merge_input_rows(inputs)

    sheets: list[_Sheet] = []

    def sheet(title: str) -> _Sheet:
        sheets.append(_Sheet(wb.create_sheet(title)))
        return sheets[-1]

    titles = [SHEET_CONTENTS, SHEET_INPUTS, SHEET_STUDIES, SHEET_POOLED]
    if scenario is not None:
        titles += [SHEET_COSTS, SHEET_CASE, SHEET_SCENARIO]
    if psa is not None:
        titles.append(SHEET_MONTE_CARLO)
    _contents_sheet(sheet(SHEET_CONTENTS), titles)
    _inputs_sheet(sheet(SHEET_INPUTS), inputs)
    _studies_sheet(sheet(SHEET_STUDIES), analysis, live)
    _pooled_sheet(sheet(SHEET_POOLED), analysis, unit_costs)
    if scenario is not None:
        from peervalue.scenario.catalogue import cost_lines

        plan = plan_case(scenario, dict(cost_lines()))

        def name(defined: str, ref: str, title: str = "") -> None:
            add_name(wb, defined, f"{_quoted(title)}!{ref}")

        write_costs(
            wb.create_sheet(SHEET_COSTS),
            plan,
            _put_at,
            lambda n, ref: name(n, ref, SHEET_COSTS),
        )
        case_sheet = wb.create_sheet(SHEET_CASE)
        rows = write_case(case_sheet, plan, _put_at, lambda n, ref: name(n, ref, SHEET_CASE))
        from peervalue.report.workbook_live import RESULTS, STEPS, Ctx
        from peervalue.report.workbook_organisations import write_organisations

        write_organisations(  # who pays and who gains, live, below the results
            case_sheet,
            Ctx(plan, rows),
            len(STEPS) + len(RESULTS) + 5,
            scenario.by_organisation,
            _put_at,
            lambda n, ref: name(n, ref, SHEET_CASE),
        )
        _scenario_sheet(sheet(SHEET_SCENARIO), scenario)
    if psa is not None:
        _monte_carlo_sheet(sheet(SHEET_MONTE_CARLO), psa)
    for done in sheets:
        done.finish()
    return wb


# --- writing -----------------------------------------------------------------------


def write_workbook(
    path: Path,
    *,
    analysis: AnalysisResult,
    psa: PsaResult | None = None,
    scenario: ScenarioResult | None = None,
    inputs: Sequence[InputRow] | None = None,
    force: bool = False,
) -> None:
    """Write the workbook of :func:`build_workbook` to ``path`` (an ``.xlsx`` file).

    The file is written by :func:`peervalue.fileio.atomic_write_bytes`: whole, to
    a temporary file beside it, then renamed into place; on any failure nothing
    is left. An existing file is replaced only with ``force=True``.

    Raises
    ------
    InputError
        the file exists and ``force`` is false, the folder is missing or is a
        file, the path is a folder, or the file cannot be written.
    """
    data = workbook_bytes(analysis=analysis, psa=psa, scenario=scenario, inputs=inputs)
    atomic_write_bytes(Path(path), data, overwrite=force)


def workbook_bytes(
    *,
    analysis: AnalysisResult,
    psa: PsaResult | None = None,
    scenario: ScenarioResult | None = None,
    inputs: Sequence[InputRow] | None = None,
) -> bytes:
    """The ``.xlsx`` file of :func:`build_workbook`, in memory."""
    buffer = io.BytesIO()
    build_workbook(analysis=analysis, psa=psa, scenario=scenario, inputs=inputs).save(buffer)
    return buffer.getvalue()

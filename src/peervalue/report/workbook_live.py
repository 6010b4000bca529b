"""The business case as live spreadsheet formulas (the ``Costs`` and ``Business case`` sheets).

Every input the business case uses is one row of the Inputs sheet with a workbook-level
defined name made from its key (:func:`defined_name`: ``staffing.caseload`` becomes
``staffing_caseload``; the scenario's cost set's figures are ``case_costs_...``; the
funded posts of year t ``staffing_funded_fte_yt``; price index levels ``index_...``).
The calculation sheets hold only formulas over those names, so changing an input in Excel
or LibreOffice recalculates the case.

``Costs`` rebases each money figure of the scenario's cost set and cost lines to the
scenario's price year (``value x index(target) / index(price year)``, the
``pay-and-prices`` index the engine uses) and builds the cost per peer worker FTE-year
(``salary x (1 + sum of rates) + sum of amounts``, as
:func:`peervalue.model.core.peer_worker_cost`).

``Business case`` has one row per step of :func:`peervalue.scenario.model.project`, years
across (:data:`STEPS`), then the headline results (:data:`RESULTS`). **Adding a model
step** is one :class:`Step` in :data:`STEPS`, in the place ``project()`` computes it, with
``engine`` set to the :class:`~peervalue.scenario.model.Projection` field it equals (the
LibreOffice test compares every such row with the engine and fails when a Projection field
has no row); a new headline result is one :class:`Result` in :data:`RESULTS` plus its
engine figure in the test's table. A new input needs nothing here when it is on the
scenario's inputs (``ScenarioResult.inputs``): it gets its Inputs row and name already.

No cached values are written: a spreadsheet computes every formula when it opens the file.
Only functions both Excel and LibreOffice evaluate are used (``SUM``, ``SUMPRODUCT``,
``MAX``, ``IF``, ``AND``, ``OR``, ``MATCH``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from peervalue.scenario.results import ScenarioResult

_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


def defined_name(key: str) -> str:
    """A workbook name from an input's key: every run of characters other than letters,
    digits and ``_`` becomes one ``_`` (``staffing.caseload`` -> ``staffing_caseload``,
    ``extra[0].unit_cost`` -> ``extra_0_unit_cost``); a leading digit gets a ``_``."""
    name = _NOT_NAME.sub("_", key).strip("_")
    return f"_{name}" if name[:1].isdigit() else name


def index_name(year: str) -> str:
    """The name of the price index level of ``year`` (``2024-25`` -> ``index_2024_25``)."""
    return defined_name(f"index.{year}")


@dataclass(frozen=True)
class CaseCost:
    """One money or rate figure of the scenario's costs, rebased on the Costs sheet."""

    name: str  #: the rebased figure's defined name
    title: str
    source: str  #: the Inputs name of the figure as given
    price_year: str | None  #: None: not money (a rate), not rebased


@dataclass(frozen=True)
class CasePlan:
    """What the live sheets need from a business case: the Inputs names they refer to."""

    price_year: str
    horizon: int
    labels: list[str]
    bed_day: CaseCost
    peer_worker_total: CaseCost | None  #: a total cost per FTE-year, or
    salary: CaseCost | None  #: the components: salary,
    rates: list[CaseCost]  #: additions as proportions of salary,
    amounts: list[CaseCost]  #: additions in pounds a year
    cost_lines: dict[str, tuple[str, CaseCost]]  #: path -> (timing, rebased cost line)
    extras: list[tuple[str, CaseCost]]  #: (rate name, rebased unit cost) per resource
    effect: str  #: bed-days saved per patient-year: an Inputs name, or a formula over them
    index_years: list[str]
    lag: str = "0"  #: the Inputs name of the effect lag in months ("0": none)
    cost_optimism: str = "0"  #: the Inputs name of the uplift to costs ("0": none)


# --- the Business case sheet ---------------------------------------------------------


class Ctx:
    """Cell references while the Business case sheet is written: ``ref(field, t)`` is the
    cell of step ``field`` in year ``t`` (1-based), ``span(field)`` its years' range."""

    first_col = 4  #: column D is year 1

    def __init__(self, plan: CasePlan, rows: dict[str, int]) -> None:
        self.plan = plan
        self.rows = rows

    def col(self, t: int) -> str:
        return get_column_letter(self.first_col + t - 1)

    def ref(self, field: str, t: int) -> str:
        return f"{self.col(t)}{self.rows[field]}"

    def span(self, field: str) -> str:
        row = self.rows[field]
        return f"${self.col(1)}${row}:${self.col(self.plan.horizon)}${row}"

    def lines(self, timing: str) -> str:
        names = [c.name for when, c in self.plan.cost_lines.values() if when == timing]
        return "(" + "+".join(names) + ")" if names else "0"


@dataclass(frozen=True)
class Step:
    """One row of the business case by year: ``formula(ctx, t)`` is year t's formula
    (without ``=``); ``engine`` names the Projection field the row equals, if any."""

    field: str
    title: str
    unit: str
    number_format: str
    formula: Callable[[Ctx, int], str]
    engine: str | None = None


def _extra(c: Ctx, t: int) -> str:
    terms = [
        f"{c.ref('patient_years', t)}*{rate}*{cost.name}*(1-benefits_optimism_bias)"
        for rate, cost in c.plan.extras
    ]
    return "+".join(terms) if terms else "0"


def rate_name(t: int) -> str:
    """The Inputs name of the rate that discounts year ``t`` (1-based) back to year t - 1."""
    return f"scenario_discount_rate_y{t}"


def _prev(c: Ctx, field: str, t: int) -> str:
    return "0" if t == 1 else c.ref(field, t - 1)


_MONEY = "£#,##0"
_FTE = "#,##0.00"
_AMOUNT = "#,##0.0"

#: the business case year by year, in the order of ``scenario.model.project()``
STEPS: list[Step] = [
    Step("year", "Year of the case", "year", "0", lambda c, t: str(t)),
    Step("funded_fte", "Funded posts", "FTE", _FTE, lambda c, t: f"staffing_funded_fte_y{t}"),
    Step(
        "new_posts",
        "New posts: max(funded - last year's funded, 0)",
        "FTE",
        _FTE,
        lambda c, t: f"MAX({c.ref('funded_fte', t)}-{_prev(c, 'funded_fte', t)},0)",
    ),
    Step(
        "refilled",
        "Posts refilled after turnover (from year 2): funded x turnover",
        "FTE",
        _FTE,
        lambda c, t: "0" if t == 1 else f"{c.ref('funded_fte', t)}*staffing_turnover_rate",
    ),
    Step(
        "filled_fte",
        "Filled posts: funded x (1 - vacancy rate)",
        "FTE",
        _FTE,
        lambda c, t: f"{c.ref('funded_fte', t)}*(1-staffing_vacancy_rate)",
        "filled_fte",
    ),
    Step(
        "effective_fte",
        "Posts in effect: max(filled - (1 - vacancy) x (new + refilled) x lag months / 12, 0)",
        "FTE",
        _FTE,
        lambda c, t: (
            f"MAX({c.ref('filled_fte', t)}-(1-staffing_vacancy_rate)"
            f"*({c.ref('new_posts', t)}+{c.ref('refilled', t)})*{c.plan.lag}/12,0)"
        ),
        "effective_fte",
    ),
    Step(
        "patient_years",
        "Patient-years supported: posts in effect x caseload",
        "patient-years",
        _AMOUNT,
        lambda c, t: f"{c.ref('effective_fte', t)}*staffing_caseload",
        "patient_years",
    ),
    Step(
        "bed_days_saved",
        "Bed-days saved: patient-years x effect x transferability",
        "bed-days",
        _AMOUNT,
        lambda c, t: f"{c.ref('patient_years', t)}*{c.plan.effect}*evidence_transferability",
        "bed_days_saved",
    ),
    Step(
        "benefit_bed_days",
        "Bed-day benefit: bed-days x cost per bed-day x (1 - optimism bias)",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('bed_days_saved', t)}*cost_per_bed_day*(1-benefits_optimism_bias)",
        "benefit_bed_days",
    ),
    Step(
        "benefit_extra",
        "Other resources' benefit: patient-years x events avoided x unit cost",
        "£",
        _MONEY,
        _extra,
        "benefit_extra",
    ),
    Step(
        "gross_benefit",
        "Gross benefit",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('benefit_bed_days', t)}+{c.ref('benefit_extra', t)}",
        "gross_benefit",
    ),
    Step(
        "cash_releasing",
        "Cash-releasing benefit: gross x cash-releasing share",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('gross_benefit', t)}*benefits_cash_releasing_share",
        "cash_releasing",
    ),
    Step(
        "capacity",
        "Capacity benefit: gross - cash-releasing",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('gross_benefit', t)}-{c.ref('cash_releasing', t)}",
        "capacity",
    ),
    Step(
        "staff_cost",
        "Staff cost: filled x cost per FTE-year x (1 + optimism uplift on costs)",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('filled_fte', t)}*cost_per_fte_year*(1+{c.plan.cost_optimism})",
        "staff_cost",
    ),
    Step(
        "one_off_cost",
        "One-off costs: (set-up (year 1) + (new + refilled) x per-post costs) x (1 + uplift)",
        "£",
        _MONEY,
        lambda c, t: (
            "("
            + ("" if t > 1 else f"{c.lines('once')}+")
            + f"({c.ref('new_posts', t)}+{c.ref('refilled', t)})*{c.lines('per-post')}"
            + f")*(1+{c.plan.cost_optimism})"
        ),
        "one_off_cost",
    ),
    Step(
        "running_cost",
        "Running costs (years with funded posts) x (1 + uplift)",
        "£",
        _MONEY,
        lambda c, t: (
            f"IF({c.ref('funded_fte', t)}>0,{c.lines('per-year')}*(1+{c.plan.cost_optimism}),0)"
        ),
        "running_cost",
    ),
    Step(
        "total_cost",
        "Total cost",
        "£",
        _MONEY,
        lambda c, t: (
            f"{c.ref('staff_cost', t)}+{c.ref('running_cost', t)}+{c.ref('one_off_cost', t)}"
        ),
        "total_cost",
    ),
    Step(
        "net_benefit",
        "Net benefit: gross benefit - total cost",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('gross_benefit', t)}-{c.ref('total_cost', t)}",
        "net_benefit",
    ),
    Step(
        "discount_factor",
        "Discount factor: last year's / (1 + this year's rate); year 1 is 1",
        "factor",
        "0.0000",
        lambda c, t: "1" if t == 1 else f"{_prev(c, 'discount_factor', t)}/(1+{rate_name(t)})",
        "discount_factor",
    ),
    Step(
        "discounted_net_benefit",
        "Discounted net benefit",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('net_benefit', t)}*{c.ref('discount_factor', t)}",
        "discounted_net_benefit",
    ),
    Step(
        "cumulative_discounted_net_benefit",
        "Cumulative discounted net benefit",
        "£",
        _MONEY,
        lambda c, t: (
            f"{_prev(c, 'cumulative_discounted_net_benefit', t)}"
            f"+{c.ref('discounted_net_benefit', t)}"
        ),
        "cumulative_discounted_net_benefit",
    ),
    Step(
        "cash_net_benefit",
        "Cash net benefit: cash-releasing benefit - total cost (the financial case)",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('cash_releasing', t)}-{c.ref('total_cost', t)}",
        "cash_net_benefit",
    ),
    Step(
        "discounted_cash_net_benefit",
        "Discounted cash net benefit",
        "£",
        _MONEY,
        lambda c, t: f"{c.ref('cash_net_benefit', t)}*{c.ref('discount_factor', t)}",
        "discounted_cash_net_benefit",
    ),
    Step(
        "cumulative_discounted_cash_net_benefit",
        "Cumulative discounted cash net benefit",
        "£",
        _MONEY,
        lambda c, t: (
            f"{_prev(c, 'cumulative_discounted_cash_net_benefit', t)}"
            f"+{c.ref('discounted_cash_net_benefit', t)}"
        ),
        "cumulative_discounted_cash_net_benefit",
    ),
    Step(
        "started",
        "Anything spent or gained by now (1 yes, 0 no)",
        "flag",
        "0",
        lambda c, t: (
            f"IF(OR({_prev(c, 'started', t)}>0,{c.ref('total_cost', t)}<>0,"
            f"{c.ref('gross_benefit', t)}<>0),1,0)"
        ),
    ),
    Step(
        "in_credit",
        "Paid back: cumulative discounted net benefit >= 0 once started (1 yes)",
        "flag",
        "0",
        lambda c, t: (
            f"IF(AND({c.ref('cumulative_discounted_net_benefit', t)}>=0,"
            f"{c.ref('started', t)}=1),1,0)"
        ),
    ),
    Step(
        "in_credit_cash",
        "Paid back in cash: cumulative discounted cash net benefit >= 0 once started (1 yes)",
        "flag",
        "0",
        lambda c, t: (
            f"IF(AND({c.ref('cumulative_discounted_cash_net_benefit', t)}>=0,"
            f"{c.ref('started', t)}=1),1,0)"
        ),
    ),
]


@dataclass(frozen=True)
class Result:
    """A headline result: its defined name, label, unit, format and formula."""

    name: str
    title: str
    unit: str
    number_format: str
    formula: Callable[[Ctx], str]


def _disc(c: Ctx, field: str) -> str:
    return f"SUMPRODUCT({c.span(field)},{c.span('discount_factor')})"


#: the headline results, below the years (each a workbook name)
RESULTS: list[Result] = [
    Result(
        "result_discounted_benefit",
        "Discounted benefit",
        "£",
        _MONEY,
        lambda c: _disc(c, "gross_benefit"),
    ),
    Result(
        "result_discounted_cost", "Discounted cost", "£", _MONEY, lambda c: _disc(c, "total_cost")
    ),
    Result(
        "result_npv",
        "Net present value",
        "£",
        _MONEY,
        lambda c: f"SUM({c.span('discounted_net_benefit')})",
    ),
    Result(
        "result_cash_npv",
        "Cash net present value: cash-releasing benefit - costs, discounted",
        "£",
        _MONEY,
        lambda c: f"SUM({c.span('discounted_cash_net_benefit')})",
    ),
    Result(
        "result_cash_payback_year",
        "Cash payback year (empty: never)",
        "year",
        "0",
        lambda c: f'IF(SUM({c.span("in_credit_cash")})>0,MATCH(1,{c.span("in_credit_cash")},0),"")',
    ),
    Result(
        "result_benefit_cost_ratio",
        "Benefit:cost ratio (discounted)",
        "ratio",
        "0.00",
        lambda c: (
            'IF(result_discounted_cost>0,result_discounted_benefit/result_discounted_cost,"")'
        ),
    ),
    Result(
        "result_net_return_per_pound",
        "Net return per pound (NPV / discounted cost)",
        "ratio",
        "0.00",
        lambda c: 'IF(result_discounted_cost>0,result_npv/result_discounted_cost,"")',
    ),
    Result(
        "result_payback_year",
        "Payback year (empty: never)",
        "year",
        "0",
        lambda c: f'IF(SUM({c.span("in_credit")})>0,MATCH(1,{c.span("in_credit")},0),"")',
    ),
    Result(
        "result_break_even_caseload",
        "Break-even caseload: caseload x discounted cost / discounted benefit",
        "patients/FTE",
        "#,##0.00",
        lambda c: (
            "IF(result_discounted_benefit>0,"
            'staffing_caseload*result_discounted_cost/result_discounted_benefit,"")'
        ),
    ),
    Result(
        "result_break_even_cost_per_bed_day",
        "Break-even cost per bed-day (other benefits and costs held)",
        "£/bed-day",
        "£#,##0.00",
        lambda c: (
            f"IF({_disc(c, 'benefit_bed_days')}>0,"
            f"(result_discounted_cost-{_disc(c, 'benefit_extra')})"
            f'/({_disc(c, "benefit_bed_days")}/cost_per_bed_day),"")'
        ),
    ),
]


# --- the plan: which Inputs names the sheets use --------------------------------------

#: the Inputs "where" of the scenario's cost set's figures (the analysis's are "costs")
CASE_COSTS = "case costs"


def case_input_key(where: str, field: str) -> str:
    """The key (and so the name) of an input on the Inputs sheet."""
    if where == "scenario":
        return field
    return f"{where}.{field}"


def plan_case(scenario: ScenarioResult, timings: dict[str, str]) -> CasePlan:
    """The names the live sheets refer to, from the scenario's resolved inputs
    (``timings``: each cost line's timing, by its path, from the scenario schema)."""
    by_field = {i.field: i for i in scenario.inputs}

    def cost(field: str, title: str) -> CaseCost:
        item = by_field[f"costs:{field}"]
        rebased = item.price_year if item.unit != "proportion" else None
        return CaseCost(
            defined_name(f"cost.{field}"),
            title,
            defined_name(case_input_key(CASE_COSTS, field)),
            rebased,
        )

    components = [
        f.removeprefix("costs:peer_worker.components.")
        for f in by_field
        if f.startswith("costs:peer_worker.components.")
    ]
    salary = None
    rates: list[CaseCost] = []
    amounts: list[CaseCost] = []
    total = None
    if "costs:peer_worker.total" in by_field:
        total = cost("peer_worker.total", "Cost per FTE-year (total)")
    else:
        salary = cost("peer_worker.components.salary", "Salary")
        for name in components:
            if name == "salary":
                continue
            field = f"peer_worker.components.{name}"
            c = cost(field, name.replace("_", " ").capitalize())
            is_rate = by_field[f"costs:{field}"].unit == "proportion"
            (rates if is_rate else amounts).append(c)
    lines = {}
    for path, timing in timings.items():
        item = by_field.get(f"scenario:{path}")
        if item is None:
            continue
        lines[path] = (
            timing,
            CaseCost(defined_name(f"cost.{path}"), path, defined_name(path), item.price_year),
        )
    extras = []
    i = 0
    while f"scenario:extra[{i}].unit_cost" in by_field:
        unit = by_field[f"scenario:extra[{i}].unit_cost"]
        extras.append(
            (
                defined_name(f"extra[{i}].avoided_per_patient_year"),
                CaseCost(
                    defined_name(f"cost.extra[{i}].unit_cost"),
                    f"extra[{i}].unit_cost",
                    defined_name(f"extra[{i}].unit_cost"),
                    unit.price_year,
                ),
            )
        )
        i += 1
    own = "scenario:evidence.saved_per_patient_year" in by_field
    effect = "evidence_saved_per_patient_year" if own else "effect_saved_per_patient_year"
    if not own and scenario.effect.ratio is not None:
        # the synthesis's relative effect on the local baseline (scenario.baseline)
        effect = (
            "((1-effect_ratio)*baseline_admissions_per_patient_year*baseline_length_of_stay"
            "*12/baseline_support_months)"
        )
    plan = CasePlan(
        price_year=scenario.price_year,
        horizon=scenario.horizon_years,
        labels=[y.label for y in scenario.years],
        bed_day=cost("bed_day", "Cost per bed-day"),
        peer_worker_total=total,
        salary=salary,
        rates=rates,
        amounts=amounts,
        cost_lines=lines,
        extras=extras,
        effect=effect,
        index_years=[],
        lag=(
            "staffing_effect_lag_months"
            if "scenario:staffing.effect_lag_months" in by_field
            else "0"
        ),
        cost_optimism=(
            "costs_optimism_bias" if "scenario:costs.optimism_bias" in by_field else "0"
        ),
    )
    money = [plan.bed_day, *([total] if total else []), *([salary] if salary else []), *amounts]
    money += [c for _, c in lines.values()] + [c for _, c in extras]
    years = sorted({c.price_year for c in money if c.price_year} | {scenario.price_year})
    plan.index_years.extend(years)
    return plan


# --- writing ------------------------------------------------------------------------


Put = Callable[["Worksheet", int, int, object, str | None], None]


def _rebased(c: CaseCost, target: str) -> str:
    if c.price_year is None:
        return c.source
    return f"{c.source}*{index_name(target)}/{index_name(c.price_year)}"


def write_costs(ws: Worksheet, plan: CasePlan, put: Put, name: Callable[[str, str], None]) -> None:
    """The Costs sheet: each figure rebased to the scenario's prices, then the cost per
    bed-day and per FTE-year (``name(defined name, cell reference)`` names a cell)."""
    target = plan.price_year
    put(ws, 1, 1, "Figure", None)
    put(ws, 1, 2, "Unit", None)
    put(ws, 1, 3, f"Value (£, {target} prices)", None)
    put(ws, 1, 4, "Formula", None)
    row = 2

    def line(title: str, unit: str, formula: str, defined: str, fmt: str) -> None:
        nonlocal row
        put(ws, row, 1, title, None)
        put(ws, row, 2, unit, None)
        ws.cell(row=row, column=3, value=f"={formula}").number_format = fmt
        put(ws, row, 4, f"{defined} = {formula}", None)
        name(defined, f"$C${row}")
        row += 1

    figures = [plan.bed_day]
    if plan.peer_worker_total is not None:
        figures.append(plan.peer_worker_total)
    if plan.salary is not None:
        figures += [plan.salary, *plan.rates, *plan.amounts]
    figures += [c for _, c in plan.cost_lines.values()] + [c for _, c in plan.extras]
    for c in figures:
        unit = "proportion of salary" if c.price_year is None else "£"
        fmt = "0.0000" if c.price_year is None else "£#,##0.00"
        line(c.title, unit, _rebased(c, target), c.name, fmt)
    row += 1
    line("Cost per bed-day", "£/bed-day", plan.bed_day.name, "cost_per_bed_day", "£#,##0.00")
    if plan.peer_worker_total is not None:
        formula = plan.peer_worker_total.name
    else:
        assert plan.salary is not None
        rates = "+".join(c.name for c in plan.rates) or "0"
        formula = f"{plan.salary.name}*(1+({rates}))" + "".join(f"+{c.name}" for c in plan.amounts)
    line("Cost per peer worker FTE-year", "£/FTE-year", formula, "cost_per_fte_year", "£#,##0.00")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCD", (40, 22, 20, 70), strict=True):
        ws.column_dimensions[col].width = width


def write_case(
    ws: Worksheet, plan: CasePlan, put: Put, name: Callable[[str, str], None]
) -> dict[str, int]:
    """The Business case sheet: :data:`STEPS` by year, then :data:`RESULTS`. Returns the
    row of each step (the tests read it)."""
    rows = {s.field: i for i, s in enumerate(STEPS, start=2)}
    c = Ctx(plan, rows)
    for col, text in enumerate(("Step", "Unit", "Model field"), start=1):
        put(ws, 1, col, text, None)
    for t in range(1, plan.horizon + 1):
        label = plan.labels[t - 1] if t - 1 < len(plan.labels) else f"year {t}"
        put(ws, 1, c.first_col + t - 1, f"Year {t} ({label})", None)
    for s in STEPS:
        r = rows[s.field]
        put(ws, r, 1, s.title, None)
        put(ws, r, 2, s.unit, None)
        put(ws, r, 3, s.engine or "", None)
        for t in range(1, plan.horizon + 1):
            cell = ws.cell(row=r, column=c.first_col + t - 1, value=f"={s.formula(c, t)}")
            cell.number_format = s.number_format
    r = len(STEPS) + 3
    for col, text in enumerate(("Result", "Unit", "Name", "Value"), start=1):
        put(ws, r, col, text, None)
    for res in RESULTS:
        r += 1
        put(ws, r, 1, res.title, None)
        put(ws, r, 2, res.unit, None)
        put(ws, r, 3, res.name, None)
        ws.cell(row=r, column=4, value=f"={res.formula(c)}").number_format = res.number_format
        name(res.name, f"$D${r}")
    ws.freeze_panes = "D2"
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 30
    for t in range(1, plan.horizon + 1):
        ws.column_dimensions[c.col(t)].width = 16
    return rows


def step_fields() -> Sequence[str]:
    """The Projection fields the Business case sheet computes (for the tests)."""
    return [s.engine for s in STEPS if s.engine is not None]

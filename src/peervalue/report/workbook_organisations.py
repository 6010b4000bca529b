"""Who pays and who gains as live formulas on the ``Business case`` sheet, below its results.

For each organisation with a line (``ScenarioResult.by_organisation``), four rows by year
over the sheet's own steps (:data:`peervalue.report.workbook_live.STEPS`) and cost lines:

* benefit: the bed-day benefit row if it gains ``bed_days``, plus each ``extra[i]`` it gains
  (patient-years x events avoided x unit cost x (1 - optimism bias), as the extra row);
* cost: the staff cost row if it pays ``posts``, plus each cost line it pays, timed as the
  whole case times it (``once``: year 1; ``per-post``: new and refilled posts; ``per-year``:
  years with funded posts), each x (1 + the optimism uplift on costs);
* net benefit: benefit - cost; cash net benefit: benefit x cash-releasing share - cost;

then its NPV and cash NPV (``SUMPRODUCT`` with the discount factors), named
``organisation_<key>_npv`` and ``organisation_<key>_cash_npv``. The organisations add up to
the whole case's rows, so changing an input or an owner's share recalculates both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from peervalue.report.workbook_live import STEPS, Ctx, Put

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from peervalue.scenario.organisation_results import ByOrganisation


def _benefit(c: Ctx, lines: list[str], t: int) -> str:
    terms = []
    if "bed_days" in lines:
        terms.append(c.ref("benefit_bed_days", t))
    for i, (rate, cost) in enumerate(c.plan.extras):
        if f"extra[{i}]" in lines:
            terms.append(
                f"{c.ref('patient_years', t)}*{rate}*{cost.name}*(1-benefits_optimism_bias)"
            )
    return "+".join(terms) if terms else "0"


def _cost(c: Ctx, lines: list[str], t: int) -> str:
    terms = [c.ref("staff_cost", t)] if "posts" in lines else []
    uplift = f"(1+{c.plan.cost_optimism})"
    for path, (timing, line) in c.plan.cost_lines.items():
        if path not in lines:
            continue
        if timing == "once":
            if t == 1:
                terms.append(f"{line.name}*{uplift}")
        elif timing == "per-post":
            terms.append(f"({c.ref('new_posts', t)}+{c.ref('refilled', t)})*{line.name}*{uplift}")
        else:
            terms.append(f"IF({c.ref('funded_fte', t)}>0,{line.name}*{uplift},0)")
    return "+".join(terms) if terms else "0"


def write_organisations(
    ws: Worksheet,
    c: Ctx,
    first_row: int,
    by: ByOrganisation | None,
    put: Put,
    name: Callable[[str, str], None],
) -> None:
    """The organisations' rows from ``first_row`` down (nothing without a split)."""
    if by is None or not by.organisations:
        return
    r = first_row
    put(ws, r, 1, "Who pays and who gains (live)", None)
    money = next(s.number_format for s in STEPS if s.field == "net_benefit")
    for o in by.organisations:
        rows: dict[str, int] = {}
        for key, title in STEPS_OF_AN_ORGANISATION:
            r += 1
            rows[key] = r
            put(ws, r, 1, f"{o.name}: {title}", None)
            put(ws, r, 2, "£", None)
            put(ws, r, 3, f"{o.organisation} ({', '.join(o.lines)})", None)
            for t in range(1, c.plan.horizon + 1):
                cell = ws.cell(
                    row=r,
                    column=c.first_col + t - 1,
                    value=f"={_formula(c, o.lines, rows, key, t)}",
                )
                cell.number_format = money
        for key, title in (("net", "net present value"), ("cash_net", "cash net present value")):
            r += 1
            span = f"${c.col(1)}${rows[key]}:${c.col(c.plan.horizon)}${rows[key]}"
            put(ws, r, 1, f"{o.name}: {title}", None)
            put(ws, r, 2, "£", None)
            defined = f"organisation_{o.organisation}_{'npv' if key == 'net' else 'cash_npv'}"
            put(ws, r, 3, defined, None)
            cell = ws.cell(
                row=r, column=4, value=f"=SUMPRODUCT({span},{c.span('discount_factor')})"
            )
            cell.number_format = money
            name(defined, f"$D${r}")


#: the rows of each organisation, by year: (key, title)
STEPS_OF_AN_ORGANISATION = (
    ("benefit", "benefit of the lines it gains"),
    ("cost", "cost of the lines it pays"),
    ("net", "net benefit"),
    ("cash_net", "cash net benefit: benefit x cash-releasing share - cost"),
)


def _formula(c: Ctx, lines: list[str], rows: dict[str, int], key: str, t: int) -> str:
    """Year ``t``'s formula of row ``key`` of an organisation holding ``lines`` (``rows``:
    the rows of its steps written so far)."""
    if key == "benefit":
        return _benefit(c, lines, t)
    if key == "cost":
        return _cost(c, lines, t)
    benefit, cost = f"{c.col(t)}{rows['benefit']}", f"{c.col(t)}{rows['cost']}"
    if key == "net":
        return f"{benefit}-{cost}"
    return f"{benefit}*benefits_cash_releasing_share-{cost}"

"""Terminal tables (rich) for business cases: the year-by-year table and the headline."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from peervalue.costs.perspective import CostBuildUp
from peervalue.report.registry import renderer
from peervalue.report.table_analysis import num, titled_table
from peervalue.report.words import money, scenario_headline
from peervalue.report.words import percent as _pct
from peervalue.scenario.results import ScenarioComparison, ScenarioResult


@renderer(ScenarioResult, "table")
def scenario_table(r: ScenarioResult, **_: Any) -> RenderableType:
    cur = r.currency
    table = titled_table(
        f"{r.name}"
        + (f" ({r.organisation})" if r.organisation else "")
        + f", {r.price_year} prices",
        [
            "Year",
            "Funded FTE",
            "Filled FTE",
            "Bed-days saved",
            "Benefit",
            "of which cash",
            "Cost",
            "Net benefit",
            "95% interval",
            "Cumulative (discounted)",
            "P(paid back)",
        ],
        {"Year"},
    )
    for y in r.years:
        i = y.net_benefit_interval
        table.add_row(
            y.label,
            num(y.funded_fte, 1),
            num(y.filled_fte, 2),
            num(y.bed_days_saved, 0),
            money(y.gross_benefit, cur),
            money(y.cash_releasing, cur),
            money(y.total_cost, cur),
            money(y.net_benefit, cur),
            f"{money(i.p2_5, cur)} to {money(i.p97_5, cur)}",
            money(y.cumulative_discounted_net_benefit, cur),
            _pct(y.prob_paid_back),
        )
    t, e = r.totals, r.effect
    lines = [
        f"Net present value {money(t.net_present_value, cur)} (discounted at "
        f"{r.discount_rate:.1%}); benefit:cost ratio {num(t.benefit_cost_ratio, 2)} : 1 "
        f"(net return {money(t.net_return_per_pound * 100, cur)} per {money(100, cur)} spent).",
        f"Break-even: a caseload of {num(t.break_even_caseload)} patients per FTE, or "
        f"{money(t.break_even_cost_per_bed_day, cur)} per bed-day.",
        f"Effect: {num(e.bed_days_saved_per_patient_year, 2)} bed-days saved per patient-year "
        f"of support ({e.source}; {e.evidence}), x {e.transferability:g} for transferability "
        "(without it: net present value "
        f"{money(t.net_present_value_without_transferability, cur)}).",
        f"Unit costs: {money(r.cost_per_bed_day, cur)} per bed-day, "
        f"{money(r.cost_per_fte_year, cur)} per filled FTE-year ({r.cost_set}). "
        f"Benefits counted: {', '.join(r.benefit_categories)}.",
        f"Uncertainty: {r.uncertainty.draws:,} draws (seed {r.uncertainty.seed}); P(paid back "
        f"within {r.horizon_years} years) {_pct(1 - r.uncertainty.prob_never_pays_back)}.",
    ]
    overrides = titled_table(
        "What this scenario sets in place of the national defaults",
        ["Field", "National default", "Scenario", "Source"],
        {"Field", "National default", "Scenario", "Source"},
    )
    for o in r.overrides:
        overrides.add_row(o.field, o.default, o.scenario, o.source)
    parts: list[RenderableType] = [
        Panel(Text(scenario_headline(r)), title="In short", expand=False),
        table,
        Text("\n".join(lines)),
        *structural_parts(r),
        overrides if r.overrides else Text("The scenario uses the national defaults throughout."),
    ]
    if r.cost_build_up is not None:
        parts.append(build_up_table(r.cost_build_up))
    if r.notes:
        parts.append(Panel(Text("\n".join(r.notes), style="yellow"), title="Notes"))
    return Group(*parts)


def structural_parts(r: ScenarioResult) -> list[RenderableType]:
    """The answer under each effect choice, side by side (nothing without a panel)."""
    panel = r.structural
    if panel is None:
        return []
    cur = r.currency
    table = titled_table(
        f"The answer under each choice of effect ({panel.evidence})",
        [
            "Effect",
            "Source name",
            "Bed-days saved per patient-year",
            "Ratio",
            "Net present value",
            "95% interval",
            "P(NPV > 0)",
            "Benefit:cost",
        ],
        {"Effect", "Source name"},
    )
    for row in panel.rows:
        marks = [m for m, on in (("default", row.is_default), ("this case", row.is_scenario)) if on]
        label = row.label + (f" [{', '.join(marks)}]" if marks else "")
        if row.note is not None:
            table.add_row(label, row.source, "-", "-", "-", row.note, "-", "-")
            continue
        table.add_row(
            label,
            row.source,
            num(row.bed_days_saved_per_patient_year, 2),
            num(row.ratio, 2) if row.ratio is not None else "-",
            money(row.net_present_value, cur),
            f"{money(row.net_present_value_p2_5, cur)} to "
            f"{money(row.net_present_value_p97_5, cur)}",
            _pct(row.prob_net_present_value_positive),
            num(row.benefit_cost_ratio, 2),
        )
    words = f"Default: {panel.default}. {panel.why_default} {panel.note}"
    e = r.effect
    if e.ratio is not None and e.ratio_low is not None and e.ratio_high is not None:
        words = (
            f"This case's effect: ratio {num(e.ratio, 2)} (95% "
            f"{num(e.ratio_low, 2)} to {num(e.ratio_high, 2)}) on a baseline of "
            f"{num(e.baseline_bed_days_per_patient_year or math.nan, 1)} bed-days per "
            f"patient-year of support ({e.synthesis}). " + words
        )
    return [table, Text(words)]


@renderer(ScenarioComparison, "table")
def comparison_table(c: ScenarioComparison, **_: Any) -> RenderableType:
    table = titled_table(
        "Business cases side by side",
        [
            "Scenario",
            "Prices",
            "Years",
            "Net present value",
            "95% interval",
            "P(NPV > 0)",
            "Benefit:cost",
            "Payback year",
        ],
        {"Scenario", "Prices"},
    )
    for r in c.scenarios:
        u = r.uncertainty.net_present_value
        table.add_row(
            r.name,
            r.price_year,
            str(r.horizon_years),
            money(r.totals.net_present_value, r.currency),
            f"{money(u.p2_5, r.currency)} to {money(u.p97_5, r.currency)}",
            _pct(r.uncertainty.prob_net_present_value_positive),
            num(r.totals.benefit_cost_ratio, 2),
            num(r.totals.payback_year, 0),
        )
    return Group(table, *(scenario_table(r) for r in c.scenarios))


def build_up_table(b: CostBuildUp) -> RenderableType:
    """A post's cost per FTE-year, component by component, for the public sector and the trust."""
    table = titled_table(
        f"Cost per FTE-year built up, {b.price_year} prices (trust: {b.overhead_share:.0%} of "
        "overheads and capital)",
        ["Component", "Public sector", "Trust cash"],
        {"Component"},
    )

    def cell(amount: float, rate: float | None) -> str:
        return f"{amount:,.0f}" + (f" ({rate:.2%})" if rate is not None else "")

    for line in b.lines:
        table.add_row(
            line.component.replace("_", " "),
            cell(line.public_sector, line.rate_public_sector),
            cell(line.trust_cash, line.rate_trust_cash),
        )
    table.add_row("total", f"{b.public_sector:,.0f}", f"{b.trust_cash:,.0f}")
    return table

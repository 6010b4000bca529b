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
from peervalue.scenario.case_sensitivity import CaseTornadoResult
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
            "P(value >= cost)",
            "Cash net",
            "Cumulative cash (discounted)",
            "P(cash paid back)",
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
            money(y.cash_net_benefit, cur),
            money(y.cumulative_discounted_cash_net_benefit, cur),
            _pct(y.prob_cash_paid_back),
        )
    t, e = r.totals, r.effect
    lines = [
        f"Economic case (every bed-day saved valued): net present value "
        f"{money(t.net_present_value, cur)} (discounted at {r.discounting}); benefit:cost ratio "
        f"{num(t.benefit_cost_ratio, 2)} : 1 (net return {money(t.net_return_per_pound * 100, cur)}"
        f" per {money(100, cur)} spent).",
        *cash_lines(r),
        f"Break-even: a caseload of {num(t.break_even_caseload)} patients per FTE, or "
        f"{money(t.break_even_cost_per_bed_day, cur)} per bed-day.",
        f"Effect: {num(e.bed_days_saved_per_patient_year, 2)} bed-days saved per patient-year "
        f"of support ({e.source}; {e.evidence}), x {e.transferability:g} for transferability "
        "(without it: net present value "
        f"{money(t.net_present_value_without_transferability, cur)}).",
        f"Unit costs: {money(r.cost_per_bed_day, cur)} per bed-day, "
        f"{money(r.cost_per_fte_year, cur)} per filled FTE-year ({r.cost_set}). "
        f"Benefits counted: {', '.join(r.benefit_categories)}.",
        f"Uncertainty: {r.uncertainty.draws:,} draws (seed {r.uncertainty.seed}); P(value covers "
        f"the cost within {r.horizon_years} years) {_pct(1 - r.uncertainty.prob_never_pays_back)}.",
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
    if r.options is not None:
        from peervalue.report.table_options import options_table

        parts.append(options_table(r.options, cur))
        if r.options.by_organisation:
            from peervalue.report.table_organisations import options_by_organisation

            parts.append(options_by_organisation(r.options.by_organisation, cur))
    parts.insert(3, cash_by_year_table(r))
    if r.by_organisation is not None and r.by_organisation.organisations:
        from peervalue.report.table_organisations import organisations_parts

        parts[4:4] = organisations_parts(r.by_organisation, cur)
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


def cash_lines(r: ScenarioResult) -> list[str]:
    """The financial case in two lines: cash NPV with its interval, and cash payback."""
    t, u, cur = r.totals, r.uncertainty, r.currency
    i = u.cash_net_present_value
    pay = t.cash_payback_year
    when = (
        f"pays back in cash in year {pay:.0f}"
        if pay == pay
        else f"does not pay back in cash within {r.horizon_years} years"
    )
    return [
        f"Financial case (cash released only, {money(t.discounted_cash_benefit, cur)} "
        f"discounted, against {money(t.discounted_cost, cur)} of cost): cash net present value "
        f"{money(t.cash_net_present_value, cur)} (95% interval {money(i.p2_5, cur)} to "
        f"{money(i.p97_5, cur)}; P(> 0) {_pct(u.prob_cash_net_present_value_positive)}); it "
        f"{when} (P(paid back in cash within {r.horizon_years} years) "
        f"{_pct(1 - u.prob_cash_never_pays_back)}).",
    ]


def cash_by_year_table(r: ScenarioResult) -> RenderableType:
    """Cash by financial year at each year's own prices (nominal), for affordability."""
    a, cur = r.affordability, r.currency
    table = titled_table(
        f"Cash by year at each year's own prices (pay awards {a.pay_award:.1%} a year, NHS cost "
        f"inflation {a.price_inflation:.1%} a year; not discounted)",
        ["Year", "Cost", "Cash released", "Net cash", "95% interval", "Cumulative net cash"],
        {"Year"},
    )
    for y in a.years:
        i = y.net_cash_interval
        table.add_row(
            y.label,
            money(y.cost, cur),
            money(y.cash_released, cur),
            money(y.net_cash, cur),
            f"{money(i.p2_5, cur)} to {money(i.p97_5, cur)}",
            money(y.cumulative_net_cash, cur),
        )
    return table


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
            "Cash NPV",
            "95% interval (cash)",
            "P(cash NPV > 0)",
            "Benefit:cost",
            "Cash payback year",
        ],
        {"Scenario", "Prices"},
    )
    for r in c.scenarios:
        u = r.uncertainty.net_present_value
        cu = r.uncertainty.cash_net_present_value
        table.add_row(
            r.name,
            r.price_year,
            str(r.horizon_years),
            money(r.totals.net_present_value, r.currency),
            f"{money(u.p2_5, r.currency)} to {money(u.p97_5, r.currency)}",
            _pct(r.uncertainty.prob_net_present_value_positive),
            money(r.totals.cash_net_present_value, r.currency),
            f"{money(cu.p2_5, r.currency)} to {money(cu.p97_5, r.currency)}",
            _pct(r.uncertainty.prob_cash_net_present_value_positive),
            num(r.totals.benefit_cost_ratio, 2),
            num(r.totals.cash_payback_year, 0),
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


@renderer(CaseTornadoResult, "table")
def case_tornado_table(r: CaseTornadoResult, **_: Any) -> RenderableType:
    cur = r.currency
    which = "cash" if r.outcome == "cash" else "economic"
    table = titled_table(
        f"{r.name}: inputs that move the {which} NPV most ({r.price_year} prices; base "
        f"economic {money(r.base_npv, cur)}, cash {money(r.base_cash_npv, cur)})",
        [
            "Input",
            "Low",
            "High",
            "NPV at low",
            "NPV at high",
            "Cash NPV at low",
            "Cash NPV at high",
        ],
        {"Input"},
    )
    for row in r.inputs:
        table.add_row(
            f"{row.label} ({row.parameter})",
            f"{row.low_value:,.4g}",
            f"{row.high_value:,.4g}",
            money(row.npv_at_low, cur),
            money(row.npv_at_high, cur),
            money(row.cash_npv_at_low, cur),
            money(row.cash_npv_at_high, cur),
        )
    note = Text(
        f"{len(r.fixed_inputs)} inputs have no stated uncertainty and are not varied."
        if r.fixed_inputs
        else "Every input is varied."
    )
    return Group(table, note)

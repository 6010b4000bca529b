"""Table and CSV renderers of the EVSI result (``peervalue evsi``)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from peervalue.report.csv_format import rows_to_csv
from peervalue.report.registry import renderer
from peervalue.report.table_analysis import titled_table
from peervalue.report.words import money
from peervalue.results.evsi import EvsiResult


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{_num(low)} to {_num(high)}"


@renderer(EvsiResult, "table")
def evsi_table(result: EvsiResult, **_: Any) -> RenderableType:
    cur = result.currency
    head = Text(
        f"Value of a {result.design_label}, {result.follow_up_months} months' follow-up; "
        f"evidence {result.evidence} ({', '.join(result.studies)}); predictive log ratio "
        f"{result.effect_mean:.3f} (95% {result.effect_low:.3f} to {result.effect_high:.3f}); "
        f"P(net benefit > 0) {result.prob_net_benefit_positive:.1%}, mean net benefit "
        f"{money(result.mean_net_benefit_per_fte_year, cur)} per FTE-year; EVPI "
        f"{money(result.evpi_per_fte_year, cur)} and EVPPI of the effect "
        f"{money(result.evppi_effect_per_fte_year, cur)} per FTE-year "
        f"({money(result.evppi_effect_population, cur)} for the population). Population "
        f"{result.population_fte:,.0f} FTE (range {result.population_low:,.0f} to "
        f"{result.population_high:,.0f}) over {result.horizon} years at "
        f"{result.discount_rate:.1%} (x {result.population_multiplier:,.0f}); "
        f"{result.draws:,} draws, seed {result.seed}, {result.bootstrap} bootstrap resamples; "
        f"{result.price_year} prices."
    )
    table = titled_table(
        "EVSI and ENBS by size per arm (95% bootstrap intervals)",
        [
            "n per arm",
            "EVSI per FTE-year",
            "95% interval",
            "EVSI, population",
            "Trial cost",
            "ENBS",
            "95% interval",
            "ENBS worst / best case",
            "Share of EVPPI",
        ],
        set(),
    )
    for p in result.points:
        table.add_row(
            f"{p.n_per_arm:,}",
            money(p.evsi_per_fte_year, cur),
            f"{money(p.evsi_per_fte_year_low, cur)} to {money(p.evsi_per_fte_year_high, cur)}",
            money(p.evsi_population, cur),
            money(p.trial_cost, cur),
            money(p.enbs, cur),
            f"{money(p.enbs_low, cur)} to {money(p.enbs_high, cur)}",
            f"{money(p.enbs_worst_case, cur)} / {money(p.enbs_best_case, cur)}",
            f"{p.share_of_evppi:.0%}",
        )
    if result.optimal_n_per_arm is None:
        best = Text("No size has a positive ENBS: no trial of these sizes is worth its cost.")
    else:
        best = Text(
            f"Best size: {result.optimal_n_per_arm:,} per arm (95% interval "
            f"{result.optimal_n_low:,} to {result.optimal_n_high:,}), ENBS "
            f"{money(result.optimal_enbs, cur)}."
            + (
                " It is the largest size given: ENBS may still rise beyond it."
                if result.optimal_n_per_arm == result.points[-1].n_per_arm
                else ""
            )
        )
    assumptions = titled_table(
        "Assumptions",
        ["Input", "Value", "Range", "Unit", "Status", "Source"],
        {"Input", "Unit", "Status", "Source"},
    )
    for a in result.assumptions:
        assumptions.add_row(
            a.name, _num(a.value), _range(a.low, a.high), a.unit, a.status, a.source
        )
    return Group(head, table, best, assumptions, Text(result.note, style="dim"))


@renderer(EvsiResult, "csv")
def evsi_csv(result: EvsiResult, **_: Any) -> str:
    return rows_to_csv(result.rows())

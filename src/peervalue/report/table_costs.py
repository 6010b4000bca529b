"""Terminal tables (rich) for the unit-cost results: rebasing, cost sets, comparison."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from peervalue.costs.results import CostComparison, CostSetList, RebaseResult
from peervalue.report.registry import renderer
from peervalue.report.table_analysis import num, titled_table
from peervalue.report.words import money
from peervalue.results.reconcile import ReconcileResult


@renderer(RebaseResult, "table")
def rebase_table(result: RebaseResult, **_: Any) -> RenderableType:
    provisional = [y for y in (result.from_year, result.to_year) if y in result.provisional_years]
    lines = [
        f"{result.value:,.2f} at {result.from_year} prices = "
        f"{result.result:,.2f} at {result.to_year} prices",
        f"factor {result.factor:.6f} = {result.formula}",
        f"series: {result.index_name} ({result.series})",
        f"edition: {result.edition}",
    ]
    if provisional:
        lines.append(f"provisional in this edition: {', '.join(provisional)}")
    if result.forecast_note:
        lines.append(f"note: {result.forecast_note}")
    return Text("\n".join(lines))


@renderer(CostSetList, "table")
def cost_sets_table(result: CostSetList, **_: Any) -> RenderableType:
    table = titled_table(
        "Bundled cost sets (use the name with --costs)",
        ["Name", "Price year", "Cost per bed-day", "Peer worker per FTE-year", "Description"],
        {"Name", "Price year", "Description"},
    )
    for c in result.cost_sets:
        table.add_row(
            c.name,
            c.price_year,
            money(c.cost_per_bed_day, "GBP"),
            money(c.cost_per_fte_year, "GBP"),
            c.title,
        )
    return table


@renderer(CostComparison, "table")
def comparison_table(result: CostComparison, **_: Any) -> RenderableType:
    table = titled_table(
        f"Rebasing {result.from_year} costs to {result.to_year} against re-costing at "
        f"{result.to_year} figures",
        [
            "Unit cost",
            f"{result.from_year}",
            f"Rebased to {result.to_year} (x {result.index_factor:.3f})",
            f"Published {result.to_year}",
            "Published - rebased",
        ],
        {"Unit cost"},
    )
    for line in result.lines:
        table.add_row(
            line.item,
            money(line.older_value, "GBP"),
            money(line.rebased, "GBP"),
            money(line.published, "GBP"),
            f"{money(line.difference, 'GBP')} ({line.difference_share:+.0%})",
        )
    summary = Text(
        f"Weighted mean ratio on {result.evidence}: {num(result.ratio_rebased, 2)} : 1 rebased, "
        f"{num(result.ratio_recosted, 2)} : 1 re-costed; break-even "
        f"{num(result.break_even_rebased)} against {num(result.break_even_recosted)} bed-days "
        "per FTE-year."
    )
    return Group(table, summary, Text(" ".join(result.explanation), style="dim"))


@renderer(ReconcileResult, "table")
def reconcile_table(result: ReconcileResult, **_: Any) -> RenderableType:
    table = titled_table(
        f"From our {num(result.start_ratio, 2)} : 1 ({result.start_basis}) to the published "
        f"{result.published_ratio:g} : 1, one change at a time",
        ["Step", "Change", "Why", "Ratio after", "Change", "Share of the distance"],
        {"Step", "Change", "Why"},
    )
    for s in result.steps:
        table.add_row(
            s.step,
            s.change,
            s.reason,
            num(s.ratio_after, 2),
            f"{s.change_in_ratio:+.2f}",
            f"{s.share_of_gap:.0%}",
        )
    return Group(table, Text(result.verdict))

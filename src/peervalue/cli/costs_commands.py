"""Commands about unit costs: costs list, show, rebase and compare."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    EvidenceOpt,
    EvidenceSetOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    WeightingChoice,
    WeightingOpt,
    app,
    emit,
    request,
)

costs_app = typer.Typer(
    help="Unit costs: the bundled cost sets, one set's figures, rebasing between price years, "
    "and rebasing against re-costing.\n\nExample: peervalue costs list",
    no_args_is_help=True,
)
app.add_typer(costs_app, name="costs")


class SeriesChoice(StrEnum):
    pay_and_prices = "pay-and-prices"
    pay = "pay"
    prices = "prices"


@costs_app.command("list")
def costs_list(fmt: FormatOpt = OutputFormat.table, output: OutputOpt = None) -> None:
    """List the bundled cost sets: name, price year, cost per bed-day and per peer worker.

    Example: peervalue costs list --format csv
    """
    from peervalue.service.costs import run_cost_sets

    emit(run_cost_sets(), fmt, output)


@costs_app.command("show")
def costs_show(
    name: Annotated[
        Path, typer.Argument(metavar="NAME|FILE", help="A bundled cost set's name, or a file.")
    ],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Show every figure of a cost set with its unit, price year, source and status.

    Example: peervalue costs show england-2024-25
    """
    from peervalue.costs.load import load_costs

    emit(load_costs(name), fmt, output, inputs=(name,))


@costs_app.command("rebase")
def costs_rebase(
    value: Annotated[float, typer.Argument(metavar="VALUE", help="An amount in pounds.")],
    from_year: Annotated[
        str, typer.Option("--from", metavar="YYYY-YY", help="The amount's price year.")
    ],
    to_year: Annotated[str, typer.Option("--to", metavar="YYYY-YY", help="The price year wanted.")],
    series: Annotated[
        SeriesChoice,
        typer.Option(
            help="NHS index series: pay and prices (HCHS to 2014-15, NHSCII after), or the "
            "NHSCII pay or prices series (HCHS before 2015-16)."
        ),
    ] = SeriesChoice.pay_and_prices,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Move an amount between price years with the NHS price index.

    Prints the result, the factor, and the series and edition used.

    Example: peervalue costs rebase 334 --from 2011-12 --to 2024-25
    """
    from peervalue.service.costs import run_rebase
    from peervalue.service.requests import RebaseRequest

    req = request(RebaseRequest, value=value, from_year=from_year, to_year=to_year, series=series)
    emit(run_rebase(req), fmt, output)


@costs_app.command("compare")
def costs_compare(
    older: Annotated[
        Path, typer.Argument(metavar="OLDER", help="Older cost set (name or file).")
    ] = Path("england-2011-12"),
    newer: Annotated[
        Path, typer.Argument(metavar="NEWER", help="Newer cost set (name or file).")
    ] = Path("england-2024-25"),
    evidence: EvidenceOpt = None,
    evidence_set: EvidenceSetOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Rebasing an older cost set by NHS inflation, beside re-costing at today's figures.

    Shows both unit costs each way, by how much they differ, and the reference
    analysis's ratio and break-even under each.

    Example: peervalue costs compare england-2011-12 england-2024-25
    """
    from peervalue.service.costs import run_cost_comparison
    from peervalue.service.requests import CostComparisonRequest

    req = request(
        CostComparisonRequest,
        older=older,
        newer=newer,
        evidence=evidence,
        evidence_set=evidence_set,
        weighting=weighting,
    )
    emit(run_cost_comparison(req), fmt, output, inputs=(older, newer, evidence))

"""Commands about unit costs: costs list, show, new, rebase and compare."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    EvidenceOpt,
    EvidenceSetOpt,
    ForceOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    WeightingChoice,
    WeightingOpt,
    app,
    emit,
    make_folder,
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


#: what a new cost file says above the figures it starts from
COST_TEMPLATE_HEAD = """\
# A unit-cost file for peervalue (peervalue costs new). It starts as a copy of the bundled
# set {name!r}: replace any figure with your own, at the price year you give it, and say
# where it comes from (source: citation, url, locator) or, for an estimate, mark it
# status: assumed with a range: [low, high] and a rationale. Run it with:
#   peervalue analyse --costs THIS_FILE     (or set = "THIS_FILE" in a scenario's [costs])
# The peer worker's cost is either built from components (salary, on-costs, overheads, as
# below) or one figure for the whole post, in place of the components block:
#   peer_worker:
#     total: {{value: 60000, unit: GBP/FTE-year, price_year: 2024-25, status: reported,
#             source: {{citation: "Our finance team, 2025 budget"}}}}
# Every field is described in docs/evidence-format.md, section 9 (the unit-cost file).

"""


@costs_app.command("new")
def costs_new(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the template.")],
    start: Annotated[
        str, typer.Option("--from", help="The bundled cost set to start from.")
    ] = "england-2024-25",
    force: ForceOpt = False,
) -> None:
    """Write a commented cost-file template: a bundled set's figures, with their sources,
    to replace with your own. A missing folder is made.

    Example: peervalue costs new my_costs.yaml && peervalue threshold --costs my_costs.yaml
    """
    from peervalue.costs.load import bundled_cost_sets
    from peervalue.errors import input_error, quote
    from peervalue.fileio import atomic_write_text

    if path.suffix.lower() not in (".yaml", ".yml"):
        raise input_error(
            path,
            "",
            "the template is a YAML cost file, but the name ends in "
            + (quote(path.suffix) if path.suffix else "no extension"),
            "a name ending in .yaml, such as my_costs.yaml",
        )
    sets = bundled_cost_sets()
    if start not in sets:
        raise input_error("--from", "", f"no bundled cost set {quote(start)}", ", ".join(sets))
    body = sets[start].read_text(encoding="utf-8")
    make_folder(path)
    atomic_write_text(path, COST_TEMPLATE_HEAD.format(name=start) + body, overwrite=force)
    typer.echo(f"Wrote {path}. Edit it, then use it: peervalue analyse --costs {path}")


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

"""Who pays and who gains as terminal tables (rich): the discounted split, then each year."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from peervalue.report.organisation_cells import (
    EXPLAINED,
    SURE_EXPLAINED,
    SURE_HEAD,
    TOTALS_HEAD,
    option_head,
    option_rows,
    sure_rows,
    totals_rows,
    year_head,
    year_rows,
)
from peervalue.report.table_analysis import titled_table
from peervalue.scenario.organisation_results import ByOrganisation, OptionOrganisation


def organisations_parts(by: ByOrganisation, currency: str = "GBP") -> list[RenderableType]:
    """The discounted totals per organisation, the net benefit by year and organisation,
    and how to read them."""
    totals = titled_table(
        "Who pays and who gains (discounted)", TOTALS_HEAD, {"Organisation", "Pays or gains"}
    )
    for row in totals_rows(by, currency):
        totals.add_row(*row)
    head = year_head(by)
    years = titled_table("Net benefit by year and organisation (not discounted)", head, {"Year"})
    for row in year_rows(by, currency):
        years.add_row(*row)
    sure = titled_table("How sure each organisation's figure is", SURE_HEAD, {"Organisation"})
    for row in sure_rows(by, currency):
        sure.add_row(*row)
    return [totals, years, Text(EXPLAINED), sure, Text(SURE_EXPLAINED)]


def options_by_organisation(
    rows: list[OptionOrganisation], currency: str = "GBP"
) -> RenderableType:
    """Each option's discounted net benefit by organisation (business as usual: zero)."""
    table = titled_table(
        "Options: net present value by organisation (discounted; business as usual is zero)",
        option_head(rows),
        {"Option"},
    )
    for row in option_rows(rows, currency):
        table.add_row(*row)
    return table

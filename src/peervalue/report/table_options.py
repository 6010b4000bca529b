"""The options appraisal as a terminal table (rich): each option beside business as usual."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from peervalue.report.options_cells import HEAD, option_rows
from peervalue.report.table_analysis import titled_table
from peervalue.report.words import money
from peervalue.scenario.options import OptionsAppraisal


def options_table(a: OptionsAppraisal, currency: str = "GBP") -> RenderableType:
    """Economic and cash NPV (at the point values), the mean NPV over the draws, the mean
    NPV gained over the next cheaper option, P(best) and the expected loss of each choice."""
    table = titled_table(
        f"Options appraisal ({a.draws:,} draws, the same for every option)",
        HEAD,
        {"Option", "Against"},
    )
    for row in option_rows(a, currency, " (least loss)"):
        table.add_row(*row)
    note = Text(
        "NPV and cash NPV at the point values; the rest over the Monte Carlo draws. Incremental "
        "NPV: the mean NPV gained over the next cheaper option (by mean discounted cost). "
        "P(best): share of draws in which the option has the highest NPV. Expected loss: the "
        "NPV given up on average against the best option of each draw; the least of them "
        f"({money(a.evpi, currency)}, for {a.best!r}) is what perfect information about the "
        "choice would be worth."
    )
    return Group(table, note)

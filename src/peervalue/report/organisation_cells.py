"""Who pays and who gains (``ScenarioResult.by_organisation``) as plain cells and words, for
the terminal's table and the report's financial case alike."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from peervalue.report.words import money
from peervalue.scenario.organisation_results import ByOrganisation, OptionOrganisation

TOTALS_HEAD: list[str] = [
    "Organisation",
    "Pays or gains",
    "Benefit",
    "of which cash",
    "Cost",
    "Net present value",
    "Cash net present value",
]
#: the columns of :data:`TOTALS_HEAD` that hold numbers
TOTALS_NUMERIC: set[int] = {2, 3, 4, 5, 6}


def totals_rows(by: ByOrganisation, cur: str) -> list[list[str]]:
    """One row per organisation: its lines and its discounted totals (the case's NPV split)."""
    return [
        [
            o.name,
            ", ".join(o.line_names),
            money(o.discounted_benefit, cur),
            money(o.discounted_cash_benefit, cur),
            money(o.discounted_cost, cur),
            money(o.net_present_value, cur),
            money(o.cash_net_present_value, cur),
        ]
        for o in by.organisations
    ]


def year_head(by: ByOrganisation) -> list[str]:
    """Year, then each organisation's net benefit and cash net benefit."""
    head = ["Year"]
    for o in by.organisations:
        head += [f"{o.name}: net benefit", f"{o.name}: cash net"]
    return head


def year_rows(by: ByOrganisation, cur: str) -> list[list[str]]:
    """One row per year (undiscounted, at the scenario's prices), in :func:`year_head`'s
    columns."""
    keys = [o.organisation for o in by.organisations]
    cells: dict[int, list[str]] = {}
    labels: dict[int, str] = {}
    at = {(y.organisation, y.year): y for y in by.years}
    for y in by.years:
        labels[y.year] = y.label
    for year in sorted(labels):
        row = [labels[year]]
        for k in keys:
            oy = at[k, year]
            row += [money(oy.net_benefit, cur), money(oy.cash_net_benefit, cur)]
        cells[year] = row
    return [cells[y] for y in sorted(cells)]


def words(by: ByOrganisation, cur: str) -> str:
    """One sentence per organisation: what it gains and pays over the horizon, discounted."""
    return " ".join(
        f"{o.name} ({', '.join(o.line_names)}): net present value "
        f"{money(o.net_present_value, cur)}, cash net present value "
        f"{money(o.cash_net_present_value, cur)}."
        for o in by.organisations
    )


EXPLAINED = (
    "Each organisation's benefit is the benefit of the lines it gains, after the optimism "
    "cut; the case's cash-releasing share applies to every benefit line alike. Its cost is "
    "the lines it pays, after the optimism uplift. The organisations add up to the whole "
    "case; set who pays and who gains in the scenario's [organisations] table."
)


def organisations_html(
    by: ByOrganisation | None,
    cur: str,
    table: Callable[[list[str], list[list[str]], set[int]], str],
) -> str:
    """The report's section on who pays and who gains: discounted totals, then net benefit
    and cash net benefit by year (every cell escaped); empty without a split."""
    if by is None or not by.organisations:
        return ""
    e = escape
    totals = [[e(c) for c in row] for row in totals_rows(by, cur)]
    years = [[e(c) for c in row] for row in year_rows(by, cur)]
    head = [e(h) for h in year_head(by)]
    return (
        "<h4>Who pays and who gains</h4>"
        f"<p>Discounted over the horizon. {e(EXPLAINED)}</p>"
        + table(TOTALS_HEAD, totals, TOTALS_NUMERIC)
        + "<p>Net benefit and cash net benefit by year and organisation (at the scenario's "
        "prices, not discounted).</p>" + table(head, years, set(range(1, len(head))))
    )


def option_head(rows: list[OptionOrganisation]) -> list[str]:
    """Option, then each organisation's NPV and cash NPV (organisations in first-seen order)."""
    names: dict[str, str] = {}
    for r in rows:
        names.setdefault(r.organisation, r.organisation_name)
    head = ["Option"]
    for name in names.values():
        head += [f"{name}: NPV", f"{name}: cash NPV"]
    return head


def option_rows(rows: list[OptionOrganisation], cur: str) -> list[list[str]]:
    """One row per option in :func:`option_head`'s columns ("-": no line of that option
    belongs to the organisation)."""
    keys = list(dict.fromkeys(r.organisation for r in rows))
    at = {(r.name, r.organisation): r for r in rows}
    out = []
    for option in dict.fromkeys(r.name for r in rows):
        row = [option]
        for k in keys:
            r = at.get((option, k))
            row += (
                [money(r.net_present_value, cur), money(r.cash_net_present_value, cur)]
                if r is not None
                else ["-", "-"]
            )
        out.append(row)
    return out

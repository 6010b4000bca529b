"""Who pays and who gains (``ScenarioResult.by_organisation``) as plain cells and words, for
the terminal's table and the report's financial case alike."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from peervalue.report.words import money, percent
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


SURE_HEAD: list[str] = [
    "Organisation",
    "Net present value",
    "95% interval",
    "Chance above zero",
    "Cash net present value",
    "95% interval (cash)",
    "Chance above zero (cash)",
]
#: the columns of :data:`SURE_HEAD` that hold numbers
SURE_NUMERIC: set[int] = {1, 2, 3, 4, 5, 6}
SURE_HOW = (
    "The lines each organisation pays and gains are split in every draw as at the point "
    "values. The intervals are not additive: the organisations' intervals do not add up to "
    "the whole case's."
)
SURE_EXPLAINED = "Each organisation's net present value over the Monte Carlo draws. " + SURE_HOW


def _between(low: float | None, high: float | None, cur: str) -> str:
    return "-" if low is None or high is None else f"{money(low, cur)} to {money(high, cur)}"


def sure_rows(by: ByOrganisation, cur: str) -> list[list[str]]:
    """One row per organisation: its NPV and cash NPV, each with its 95% interval and the
    chance it is above zero over the draws ("-" where the draws were not split)."""
    return [
        [
            o.name,
            money(o.net_present_value, cur),
            _between(o.net_present_value_p2_5, o.net_present_value_p97_5, cur),
            "-"
            if o.prob_net_present_value_positive is None
            else percent(o.prob_net_present_value_positive),
            money(o.cash_net_present_value, cur),
            _between(o.cash_net_present_value_p2_5, o.cash_net_present_value_p97_5, cur),
            "-"
            if o.prob_cash_net_present_value_positive is None
            else percent(o.prob_cash_net_present_value_positive),
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
    cash: bool,
) -> str:
    """The report's tables of who pays and who gains (every cell escaped; empty without a
    split): for the financial case (``cash``) each organisation's cash released, cost and
    cash NPV, then its cash net benefit by year; for the economic case its benefit, cost and
    NPV, then its net benefit by year."""
    if by is None or not by.organisations:
        return ""
    e = escape
    what = "cash net benefit" if cash else "net benefit"
    head = ["Organisation", "Pays or gains"]
    head += ["Cash released", "Cost", "Cash NPV"] if cash else ["Benefit", "Cost", "NPV"]
    totals = [
        [
            e(o.name),
            e(", ".join(o.line_names)),
            money(o.discounted_cash_benefit if cash else o.discounted_benefit, cur),
            money(o.discounted_cost, cur),
            money(o.cash_net_present_value if cash else o.net_present_value, cur),
        ]
        for o in by.organisations
    ]
    sure_head = ["Organisation", "Cash NPV" if cash else "NPV", "95% interval", "Chance above zero"]
    sure = [[e(r[0]), *(r[4:7] if cash else r[1:4])] for r in sure_rows(by, cur)]
    n = len(by.years) // len(by.organisations)
    year_head = ["Year", *(e(o.name) for o in by.organisations)]
    years = [
        [
            e(by.years[t].label),
            *(
                money(
                    by.years[i * n + t].cash_net_benefit
                    if cash
                    else by.years[i * n + t].net_benefit,
                    cur,
                )
                for i in range(len(by.organisations))
            ),
        ]
        for t in range(n)
    ]
    return (
        f"<h4>Who pays and who gains: {what}</h4>"
        f"<p>Discounted over the horizon. {e(EXPLAINED)}</p>"
        + table(head, totals, {2, 3, 4})
        + f"<p>How sure each organisation's {what} is, over the Monte Carlo draws. "
        f"{e(SURE_HOW)}</p>"
        + table(sure_head, sure, {1, 2, 3})
        + f"<p>The {what} of each organisation by year (at the scenario's prices, not "
        "discounted).</p>" + table(year_head, years, set(range(1, len(year_head))))
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

"""A business case's report laid out as HM Treasury's Five Case Model.

The Green Book asks a business case to answer five questions in five sections, in this order:
the strategic case (is there a case for change?), the economic case (is it good value for
the public sector?), the commercial case (can it be bought or staffed?), the financial case
(is it affordable, and who pays?) and the management case (can it be delivered?).

The economic and financial cases are filled here from the results the run already holds:
the economic NPV with its interval and probability, the cases' tornado and two-way figures,
the structural-uncertainty panel and the risks the inputs' ranges carry; the cash NPV, cash
payback, cash by year and by organisation (who pays and who gains) and the cost build-up by
perspective. The strategic, commercial and management cases are the authors' own words (the
scenario's ``[case]`` table); where a case is empty, one sentence says what belongs there.
Everything the author wrote is escaped.

This module lays out and sorts; it computes no figure of its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Final

from peervalue.report.words import CURRENCY_SIGN, money, percent

if TYPE_CHECKING:
    from peervalue.scenario.case_sensitivity import CaseTornadoResult
    from peervalue.scenario.results import ScenarioResult

#: the five cases in the Green Book's order: (key, heading)
CASES: Final = (
    ("strategic", "Strategic case"),
    ("economic", "Economic case"),
    ("commercial", "Commercial case"),
    ("financial", "Financial case"),
    ("management", "Management case"),
)

#: the cases only the authors can write: what belongs in each, in one sentence, shown when
#: the scenario leaves it empty (after the Green Book's account of each case)
PLACEHOLDERS: Final = {
    "strategic": (
        "The strategic case explains why a change is needed: where the service stands now, "
        "the problem peer support workers would address, the outcomes sought and how the "
        "proposal fits the organisation's and the local system's plans."
    ),
    "commercial": (
        "The commercial case shows the posts can be secured on workable terms: whether the "
        "workers are employed directly or provided by a partner such as a voluntary-sector "
        "organisation, how they will be recruited, on what terms, and who carries which risk."
    ),
    "management": (
        "The management case shows the proposal can be delivered: who is accountable for "
        "it, the plan and milestones for recruiting, training and supervising the workers, "
        "how risks will be managed, and how the benefits will be tracked and evaluated."
    ),
}

#: lays out a table: (head, rows of HTML cells, numeric columns) -> HTML (the report's own,
#: passed in by :mod:`peervalue.report.html_report`)
Table = Callable[[list[str], list[list[str]], set[int]], str]

#: the inputs the risks table lists: those whose range moves the economic NPV most
RISK_ROWS: Final = 5


@dataclass(frozen=True)
class Risk:
    """An input whose stated range moves the case's NPV, with the NPV at each end."""

    label: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float
    cash_npv_at_low: float
    cash_npv_at_high: float
    swing: float  #: |economic NPV at high - at low|


def risks(tornado: CaseTornadoResult | None, n: int = RISK_ROWS) -> list[Risk]:
    """The ``n`` inputs whose range moves the economic NPV most (largest swing first; an
    input whose range moves nothing is no risk and is left out)."""
    if tornado is None:
        return []
    moving = [r for r in tornado.inputs if math.isfinite(r.swing) and r.swing > 0]
    moving.sort(key=lambda r: (-r.swing, r.label))
    return [
        Risk(
            r.label,
            r.low_value,
            r.high_value,
            r.npv_at_low,
            r.npv_at_high,
            r.cash_npv_at_low,
            r.cash_npv_at_high,
            r.swing,
        )
        for r in moving[:n]
    ]


def e(text: object) -> str:
    """Escape text from any input for HTML (as the report escapes it)."""
    return escape(str(text), quote=True)


def _per_unit(ratio: float, currency: str) -> str:
    """Benefit per unit of money spent, in pence as page 1 says it: "£3.19 of benefit for
    each £1 spent" (it read "3.194 of benefit for each £1 spent")."""
    sign = CURRENCY_SIGN.get(currency, currency + " ")
    if not math.isfinite(ratio):
        return f"no benefit per {sign}1 spent can be given (no cost)"
    return f"{sign}{ratio:,.2f} of benefit for each {sign}1 spent"


def _value(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:,.4g}"


def author_text(text: str, key: str) -> str:
    """The author's own words for a case as HTML paragraphs (a blank line starts a new one,
    a line break stays one), every character escaped; when empty, what belongs there."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        return (
            "<p class='note placeholder'><strong>For the authors to complete.</strong> "
            f"{e(PLACEHOLDERS[key])}</p>"
        )
    return "".join(
        "<p class='author-text'>" + "<br>".join(e(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def _interval(low: float, high: float, currency: str) -> str:
    return f"95% interval {money(low, currency)} to {money(high, currency)}"


def economic_case(
    sc: ScenarioResult, tornado: CaseTornadoResult | None, extra: str, table: Table
) -> str:
    """The economic case: the value to the public sector of every bed-day saved, its
    uncertainty, and the risks carried by the inputs' ranges. ``extra`` is the laid-out
    year table, figures and structural panel the report adds after the headline figures."""
    t, u, cur = sc.totals, sc.uncertainty, sc.currency
    head = (
        f"<p>Economic net present value (every bed-day saved valued, whether it releases cash "
        f"or frees a bed for another patient; {e(sc.price_year)} prices, discounted at "
        f"{e(sc.discounting)}): <strong>{money(t.net_present_value, cur)}</strong> "
        f"({_interval(u.net_present_value.p2_5, u.net_present_value.p97_5, cur)}; chance it "
        f"is positive {percent(u.prob_net_present_value_positive)}). Discounted benefit "
        f"{money(t.discounted_benefit, cur)} against {money(t.discounted_cost, cur)} of cost: "
        f"{_per_unit(t.benefit_cost_ratio, cur)}.</p>"
    )
    found = risks(tornado)
    if found:
        rows = [
            [
                e(r.label),
                f"{_value(r.low)} to {_value(r.high)}",
                money(r.npv_at_low, cur),
                money(r.npv_at_high, cur),
                money(r.cash_npv_at_low, cur),
                money(r.cash_npv_at_high, cur),
            ]
            for r in found
        ]
        risk_table = (
            "<h4>Risks drawn from the inputs' ranges</h4><p>The "
            f"{len(found)} inputs whose stated range moves the economic net present value "
            "most, each taken to either end of its range with every other input at its base "
            f"value (the case's tornado; at the base, economic NPV "
            f"{money(tornado.base_npv, cur) if tornado else 'n/a'}, cash NPV "
            f"{money(tornado.base_cash_npv, cur) if tornado else 'n/a'}).</p>"
            + table(
                [
                    "Input",
                    "Range",
                    "Economic NPV at low",
                    "Economic NPV at high",
                    "Cash NPV at low",
                    "Cash NPV at high",
                ],
                rows,
                {2, 3, 4, 5},
            )
        )
    else:
        risk_table = (
            "<h4>Risks drawn from the inputs' ranges</h4><p>No input's range was varied "
            "for this report, so no risk is drawn from them.</p>"
        )
    from peervalue.report.organisation_cells import organisations_html

    by_organisation = organisations_html(sc.by_organisation, cur, table, cash=False)
    return head + extra + by_organisation + risk_table


def financial_case(sc: ScenarioResult, extra: str, table: Table) -> str:
    """The financial case: the cash the case releases against what it costs, when it pays
    back in cash, and the cost of a post by perspective. ``extra``: the cash-by-year table."""
    t, u, cur = sc.totals, sc.uncertainty, sc.currency
    if math.isfinite(t.cash_payback_year):
        payback = f"it pays back in cash in year {t.cash_payback_year:.0f}"
    else:
        payback = f"it does not pay back in cash within the {sc.horizon_years} years"
    head = (
        f"<p>Cash net present value (only the cash-releasing share of the benefit, against "
        f"every cost): <strong>{money(t.cash_net_present_value, cur)}</strong> "
        f"({_interval(u.cash_net_present_value.p2_5, u.cash_net_present_value.p97_5, cur)}; "
        f"chance it is positive {percent(u.prob_cash_net_present_value_positive)}); "
        f"{payback} (chance it never does: {percent(u.prob_cash_never_pays_back)}). "
        f"Discounted cash released {money(t.discounted_cash_benefit, cur)} against "
        f"{money(t.discounted_cost, cur)} of cost.</p>"
    )
    from peervalue.report.organisation_cells import organisations_html

    extra += organisations_html(sc.by_organisation, cur, table, cash=True)  # who pays, gains
    build = sc.cost_build_up
    if build is None:
        return head + extra
    rows = [
        [
            e(line.component.replace("_", " ")),
            money(line.public_sector, cur),
            money(line.trust_cash, cur),
        ]
        for line in build.lines
    ]
    rows.append(
        [
            "<strong>Cost per FTE-year</strong>",
            money(build.public_sector, cur),
            money(build.trust_cash, cur),
        ]
    )
    built = (
        f"<h4>A post's cost by perspective</h4><p>{e(build.cost_set)}, {e(build.price_year)} "
        f"prices; the trust pays {build.trust_pension_rate:.2%} employer pension and "
        f"{build.overhead_share:.0%} of the overheads.</p>"
        + table(["Component", "Public sector", "Trust's cash"], rows, {1, 2})
    )
    return head + extra + built


def five_cases(
    sc: ScenarioResult,
    tornado: CaseTornadoResult | None,
    texts: Mapping[str, str],
    economic_extra: str,
    financial_extra: str,
    table: Table,
) -> str:
    """The business case's five sections in the Green Book's order, each under its heading
    (``<h3 id='case-KEY'>``)."""
    out = []
    for key, title in CASES:
        if key == "economic":
            body = economic_case(sc, tornado, economic_extra, table)
        elif key == "financial":
            body = financial_case(sc, financial_extra, table)
        else:
            body = author_text(texts.get(key, ""), key)
        out.append(f"<h3 id='case-{key}'>{title}</h3>{body}")
    return "".join(out)

"""A business case's answer in words: the economic case (every bed-day saved valued) and the
financial case (only the cash released) apart, and said plainly when they disagree.

"Pays back" is said only of cash: value that releases no cash (beds used by other patients)
"covers its cost", it does not pay anything back.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peervalue.scenario.results import ScenarioResult


def case_headline(r: ScenarioResult) -> str:
    """The economic and financial cases in plain sentences."""
    from peervalue.report.words import money, percent

    t, u = r.totals, r.uncertainty
    cur = r.currency

    def interval(i: object) -> str:
        return f"95% interval {money(i.p2_5, cur)} to {money(i.p97_5, cur)}"  # type: ignore[attr-defined]

    value_wins = t.net_present_value > 0
    cash_wins = t.cash_net_present_value > 0
    economic = (
        f"Over {r.horizon_years} years, the bed-days saved are worth "
        + ("more than" if value_wins else "less than")
        + f" the case costs: an economic net present value of "
        f"{money(t.net_present_value, cur)} at {r.price_year} prices "
        f"({interval(u.net_present_value)}; chance it is positive "
        f"{percent(u.prob_net_present_value_positive)})."
    )
    if cash_wins:
        when = (
            f", and it pays back in cash in year {t.cash_payback_year:.0f}"
            if math.isfinite(t.cash_payback_year)
            else ""
        )
        cash = (
            f"Counting only the cash it releases, it also pays for itself: a cash net present "
            f"value of {money(t.cash_net_present_value, cur)} ({interval(u.cash_net_present_value)}"
            f"; chance it is positive {percent(u.prob_cash_net_present_value_positive)}){when}."
        )
    else:
        cash = (
            f"Counting only the cash it releases ({money(t.discounted_cash_benefit, cur)} "
            f"discounted, against {money(t.discounted_cost, cur)} of cost), it does not pay "
            f"back: a cash net present value of {money(t.cash_net_present_value, cur)} "
            f"({interval(u.cash_net_present_value)}; chance it is positive "
            f"{percent(u.prob_cash_net_present_value_positive)})."
        )
    if value_wins and not cash_wins:
        cash += (
            " The two cases disagree: the saving is real value, but most of it is beds "
            "freed for other patients, not money back, so the posts need funding."
        )
    return f"{economic} {cash}"

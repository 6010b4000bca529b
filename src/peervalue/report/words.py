"""Numbers and answers in words, shared by the terminal tables, the reports and the web
pages: money, shares and the business case's headline. No rendering library needed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peervalue.scenario.results import ScenarioResult

CURRENCY_SIGN = {"GBP": "£"}


def money(x: float | None, currency: str = "GBP") -> str:
    """Whole units of ``currency`` with thousands separators: ``-£1,234``; ``n/a`` if missing
    or not finite."""
    if x is None or not math.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    return f"{sign}{CURRENCY_SIGN.get(currency, currency + ' ')}{abs(x):,.0f}"


def percent(p: float | None) -> str:
    """A probability to the nearest percent, never rounded up to 100% or down to 0%:
    ``0.953`` -> ``95%``, ``0.996`` -> ``over 99%``; ``n/a`` if missing or not finite."""
    if p is None or not math.isfinite(p):
        return "n/a"
    if 0.99 < p < 1:
        return "over 99%"
    if 0 < p < 0.01:
        return "under 1%"
    return f"{p:.0%}"


def scenario_headline(r: ScenarioResult) -> str:
    """A business case's answer in plain sentences: the economic case (every bed-day saved
    valued) and the financial case (only the cash released) apart, and said plainly when
    they disagree. "Pays back" is said only of cash: value that releases no cash (beds used
    by other patients) covers its cost, it pays nothing back."""
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

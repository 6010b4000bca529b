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
    """A business case's answer in plain sentences: the economic case and the financial
    (cash) case apart (:func:`peervalue.report.case_words.case_headline`)."""
    from peervalue.report.case_words import case_headline

    return case_headline(r)

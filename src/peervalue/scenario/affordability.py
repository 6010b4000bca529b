"""The financial case's cash in each financial year's own prices (nominal), for affordability.

The economic case is in real terms, at the scenario's price year. A budget holder needs the
cash of each year at that year's prices: every real amount of year ``t`` (1-based) is
carried from the price year to the year's own prices,

* costs x ``(1 + pay award)^k_t``: a peer support service's costs are almost all staff
  time (the posts, recruitment, training, supervision), so they rise with pay;
* cash released x ``(1 + NHS cost inflation)^k_t``: the cost of a bed-day (and of other
  resources avoided) rises with NHS pay and prices together;

where ``k_t = (first financial year of the case - price year) + t - 1`` years (the case's
first financial year from its start date; without one, year 1 is the price year). Nothing
is discounted here: the table is cash, year by year.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from peervalue.model.core import Array


def first_financial_year(start: dt.date | None, price_year: str) -> int:
    """The calendar year in which the case's first financial year begins (April)."""
    if start is None:
        return int(price_year[:4])
    return start.year if start.month >= 4 else start.year - 1


def years_after_price_year(start: dt.date | None, price_year: str, years: int) -> Array:
    """``k_t`` for t = 1..years: whole years from the price year to each year of the case."""
    first = first_financial_year(start, price_year) - int(price_year[:4])
    return np.arange(years, dtype=np.float64) + first


def nominal(real: Array, rise: Array, k: Array) -> Array:
    """``real x (1 + rise)^k``: ``real`` of shape (draws, years), ``rise`` (draws, 1)."""
    out: Array = np.asarray(real) * (1.0 + np.asarray(rise)) ** np.asarray(k)
    return out

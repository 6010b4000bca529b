"""The options appraisal of a business case (``ScenarioResult.options``) as plain cells and
words, for the report's formats (HTML here; any other format can take the same cells)."""

from __future__ import annotations

import math

from peervalue.report.words import money
from peervalue.report.words import percent as _pct
from peervalue.scenario.options import BUSINESS_AS_USUAL, OptionsAppraisal
from peervalue.scenario.results import ScenarioResult

HEAD: list[str] = [
    "Option",
    "NPV",
    "Cash NPV",
    "Cash payback",
    "Mean NPV",
    "Discounted cost",
    "Against",
    "Incremental NPV",
    "P(best)",
    "Expected loss",
]
#: the columns that hold numbers (right-aligned)
NUMERIC: set[int] = {1, 2, 4, 5, 7, 8, 9}


def _payback(year: float, business_as_usual: bool) -> str:
    if business_as_usual:
        return "-"
    return f"year {year:.0f}" if math.isfinite(year) else "none"


def option_rows(a: OptionsAppraisal, cur: str, best_mark: str) -> list[list[str]]:
    """One row of cells per option (in :data:`HEAD`'s order), the least-loss option's name
    followed by ``best_mark``: the report's and the terminal's table both take these."""
    return [
        [
            o.name + (best_mark if o.name == a.best else ""),
            money(o.net_present_value, cur),
            money(o.cash_net_present_value, cur),
            _payback(o.cash_payback_year, o.name == BUSINESS_AS_USUAL),
            money(o.mean_net_present_value, cur),
            money(o.mean_discounted_cost, cur),
            o.compared_with or "-",
            money(o.incremental_net_present_value, cur) if o.compared_with is not None else "-",
            _pct(o.prob_best),
            money(o.expected_loss, cur),
        ]
        for o in a.options
    ]


def options_cells(r: ScenarioResult) -> tuple[list[list[str]], str]:
    """One row of cells per option (business as usual first) and a paragraph that says how
    to read them; no rows without options."""
    a = r.options
    if a is None:
        return [], ""
    cur = r.currency
    rows = option_rows(a, cur, " (least expected loss)")
    words = (
        f"Business as usual (no posts, no cost, no benefit), the case as set and each option, "
        f"all on the same {a.draws:,} Monte Carlo draws. NPV and cash NPV are at the point "
        "values; the mean NPV, the NPV gained over the next cheaper option (by discounted "
        "cost), the chance of being best and the expected loss (the NPV given up on average "
        "against the best option of each draw) are over the draws. The option with the least "
        f"expected loss is {a.best!r}; that loss, {money(a.evpi, cur)}, is what perfect "
        "information about the choice would be worth."
    )
    return rows, words

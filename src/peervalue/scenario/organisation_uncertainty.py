"""How sure each organisation's figure is: its NPV and cash NPV over the Monte Carlo draws.

The split by organisation (:func:`peervalue.scenario.organisations.split`) is a sum of whole
lines, so it applies to every draw as it does to the point values: the Monte Carlo
projection's lines, split the same way, give each organisation ``(draws, years)`` arrays of
net benefit and cash net benefit, and their discounted totals ``(draws,)``. Each
organisation's NPV interval is the 2.5th and 97.5th percentile of its discounted net benefit
over the draws, and ``P(NPV > 0)`` the share of draws above zero; the same for the cash NPV.
The draws are joint (one draw of every input feeds every organisation), so the intervals are
consistent with the whole case's, but they do not add up: percentiles of a sum are not the
sum of percentiles. When one organisation holds every line, its draws are the case's own
(``net_benefit`` and ``cash_net_benefit``, not re-added line by line, which could differ in
the last place), so its interval is the whole case's, exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from peervalue.scenario.organisation_results import ByOrganisation

if TYPE_CHECKING:
    from peervalue.scenario.model import Projection

__all__ = ["with_draws"]


def with_draws(by: ByOrganisation, mc: Projection, owners: Mapping[str, str]) -> ByOrganisation:
    """``by`` (the point split) with each organisation's NPV and cash NPV interval and
    probability of being above zero over the draws of ``mc`` (lines owned as ``owners``
    says). Organisations whose draws are all non-finite keep ``None``."""
    import numpy as np

    from peervalue.scenario.organisations import split
    from peervalue.uncertainty.summary import percentiles

    keys = tuple(o.organisation for o in by.organisations)
    if not keys:
        return by
    if len(keys) == 1:  # one organisation holds every line: its split is the case itself
        parts = {
            "net": np.asarray(mc.net_benefit)[None],
            "cash_net": np.asarray(mc.cash_net_benefit)[None],
        }
    else:
        parts = split(mc, {k: v for k, v in owners.items() if v in keys}, keys)
    totals = []
    for i, o in enumerate(by.organisations):
        update: dict[str, float] = {}
        for what, field in (("net", "net_present_value"), ("cash_net", "cash_net_present_value")):
            d = np.asarray(mc.discounted_total(parts[what][i]), dtype=np.float64)
            if d.size == 0 or not np.all(np.isfinite(d)):
                continue
            low, _, high = percentiles(d)
            update |= {
                f"{field}_p2_5": float(low),
                f"{field}_p97_5": float(high),
                f"prob_{field}_positive": float(np.mean(d > 0)),
            }
        totals.append(o.model_copy(update=update))
    return by.model_copy(update={"organisations": totals})

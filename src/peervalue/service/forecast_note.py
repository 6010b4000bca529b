"""The forecast note of a reference analysis or Monte Carlo (``peervalue analyse``,
``peervalue psa``) priced at a forecast year of the index (2026-27, 2027-28): the index
level there comes from assumed growth with a stated range, which these runs hold at the
assumed growth (only a business case's Monte Carlo draws it:
:mod:`~peervalue.service.scenario_forecast`)."""

from __future__ import annotations

from peervalue.costs.indices import IndexName, nhs_indexes

#: what analyse and psa do with a forecast year's growth, after the index's own note
HELD = "this run holds the index at the assumed growth"


def forecast_note(price_year: str, indexation: str = "pay-and-prices") -> str | None:
    """A sentence per index the run rebases with (the pay index too under
    ``pay-for-pay``) when ``price_year`` is a forecast year; ``None`` otherwise."""
    indexes = nhs_indexes()
    names: list[IndexName] = ["pay-and-prices"]
    if indexation == "pay-for-pay":
        names.append("pay")
    notes = [n for name in names if (n := indexes.get(name).forecast_note(price_year)) is not None]
    if not notes:
        return None
    return "; ".join(notes) + f"; {HELD}"

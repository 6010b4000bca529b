"""Forecast price years in a business case: the index's assumed growth drawn in the Monte
Carlo.

A cost rebased across a forecast year (``PriceIndex.forecast``) is multiplied, draw by
draw, by ``factor(drawn growth) / factor(assumed growth)``: the point values are those
of the assumed growth, and the draws spread around them within the stated range. Each
forecast year's growth is drawn from a triangular distribution (its low, assumed value and
high), from its own stream, independently of the other years; figures already at the
scenario's price year are not touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from peervalue.costs.indices import PriceIndex
from peervalue.model.core import Array
from peervalue.model.spec import Parameter
from peervalue.uncertainty.distributions import parameter_stream

#: the stream name of a forecast year's growth (one per year, never a parameter's name)
STREAM = "index:forecast_growth_percent.{year}"


def forecast_growth_draws(index: PriceIndex, seed: int, n: int) -> dict[str, Array]:
    """``n`` draws of each forecast year's growth (per cent), triangular on its range."""
    out = {}
    for year, (point, low, high) in index.forecast.items():
        rng = parameter_stream(seed, STREAM.format(year=year))
        out[year] = np.full(n, point) if low == high else rng.triangular(low, point, high, size=n)
    return out


def with_forecast_draws(
    parameters: Sequence[Parameter],
    drawn: Mapping[str, Array],
    index: PriceIndex,
    price_year: str,
    seed: int,
    n: int,
) -> dict[str, Array]:
    """``drawn`` with every money figure rebased across a forecast year scaled, draw by
    draw, by its drawn index over the assumed one (``drawn`` itself when none is)."""
    crossing = [
        p
        for p in parameters
        if p.quantity.price_year is not None and _crosses(index, p.quantity.price_year, price_year)
    ]
    if not crossing:
        return dict(drawn)
    growth = forecast_growth_draws(index, seed, n)
    out = dict(drawn)
    for p in crossing:
        year = p.quantity.price_year or price_year
        ratio = np.asarray(index.forecast_ratio(year, price_year, growth), dtype=np.float64)
        out[p.name] = np.asarray(drawn[p.name], dtype=np.float64) * ratio
    return out


def _crosses(index: PriceIndex, from_year: str, to_year: str) -> bool:
    low, high = sorted((from_year, to_year))
    return any(low < y <= high for y in index.forecast)

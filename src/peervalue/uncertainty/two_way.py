"""Two-way sensitivity: net benefit, and the probability that it is positive, over a grid of
two inputs (the data for a heat map).

For the reference analysis the outcome is pooled net benefit per FTE-year,
``b x c_bed - c_psw``; with ``caseload`` on an axis, ``b = caseload x e`` (``e``: pooled
bed-days saved per patient-year of support), as in the threshold and caseload curve.
Every grid cell is evaluated for every draw at once (arrays of draws x grid points);
the deterministic surface uses the point values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import numpy as np

from peervalue.model.core import Array

TwoWayInput = Literal["caseload", "cost_per_bed_day", "cost_per_fte_year", "effect"]
TWO_WAY_INPUTS: Final[tuple[TwoWayInput, ...]] = (
    "caseload",
    "cost_per_bed_day",
    "cost_per_fte_year",
    "effect",
)
#: what each axis means, with its unit
AXIS_LABELS: Final[dict[TwoWayInput, str]] = {
    "caseload": "patients supported at once per FTE",
    "cost_per_bed_day": "GBP per bed-day",
    "cost_per_fte_year": "GBP per peer worker FTE-year",
    "effect": "bed-days saved per patient-year of support",
}


def axis_values(name: TwoWayInput, base: float, points: int) -> Array:
    """The grid of one input: caseload 1 to 40; money from a quarter (cost per bed-day) or
    half (cost per FTE-year) to twice the base; the effect from 0 to twice the base."""
    if name == "caseload":
        return np.linspace(1.0, 40.0, points)
    if name == "cost_per_bed_day":
        return np.linspace(0.25 * base, 2.0 * base, points)
    if name == "cost_per_fte_year":
        return np.linspace(0.5 * base, 2.0 * base, points)
    top = 2.0 * base if base > 0 else 10.0
    return np.linspace(0.0, top, points)


def reference_surface(
    draws: Mapping[str, Array], axes: tuple[TwoWayInput, TwoWayInput], grids: tuple[Array, Array]
) -> Array:
    """Pooled net benefit per FTE-year, shape ``(draws, x points, y points)``.

    ``draws`` holds, per draw, ``b`` (pooled bed-days saved per FTE-year of the studies'
    own staffing), ``e`` (pooled bed-days saved per patient-year of support), ``c_bed``
    and ``c_psw``, each of shape ``(draws,)``.
    """
    shape = (grids[0].size, grids[1].size)
    cells: dict[str, Array] = {}
    for axis, (name, grid) in enumerate(zip(axes, grids, strict=True)):
        values = grid.reshape((1, -1, 1) if axis == 0 else (1, 1, -1))
        cells[name] = np.broadcast_to(values, (1, *shape))

    def get(name: str, key: str) -> Array:
        if name in cells:
            return cells[name]
        return np.asarray(draws[key], dtype=np.float64).reshape(-1, 1, 1)

    effect = get("effect", "e")
    if "caseload" in cells:
        bed_days = cells["caseload"] * effect
    elif "effect" in cells:
        # the effect on an axis and the studies' own staffing: scale b by e_grid / e
        e = np.asarray(draws["e"], dtype=np.float64).reshape(-1, 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            bed_days = np.asarray(draws["b"]).reshape(-1, 1, 1) * effect / e
    else:
        bed_days = np.asarray(draws["b"], dtype=np.float64).reshape(-1, 1, 1)
    net: Array = bed_days * get("cost_per_bed_day", "c_bed") - get("cost_per_fte_year", "c_psw")
    return net

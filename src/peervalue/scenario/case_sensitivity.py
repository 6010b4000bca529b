"""Results of the sensitivity of a business case's own net present value: a tornado of its
inputs, each from low to high with the rest at base, on the economic NPV (every bed-day saved
valued) and the cash NPV (cash released only). The two-way grid is a
:class:`~peervalue.uncertainty.results.TwoWayResult`."""

from __future__ import annotations

from typing import Any, Literal

from peervalue.results import ResultModel


class CaseTornadoRow(ResultModel):
    parameter: str  #: the input's name (a scenario path, a study or cost parameter, "effect")
    label: str  #: the input in words
    distribution: str
    base_value: float
    low_value: float
    high_value: float
    npv_at_low: float
    npv_at_high: float
    swing: float  #: |economic NPV at high - at low|
    cash_npv_at_low: float
    cash_npv_at_high: float
    cash_swing: float


class CaseTornadoResult(ResultModel):
    """Tornado data of a business case: its inputs sorted by the swing of ``outcome``."""

    name: str
    price_year: str
    currency: str
    horizon_years: int
    outcome: Literal["economic", "cash"]
    base_npv: float
    base_cash_npv: float
    inputs: list[CaseTornadoRow]
    fixed_inputs: list[str]  #: inputs with no stated uncertainty, not varied

    def rows(self) -> list[dict[str, Any]]:
        return [r.model_dump() for r in self.inputs]

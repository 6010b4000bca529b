"""Threshold (break-even) analysis: the value of one input at which pooled net benefit is zero.

With the other inputs at their point values, pooled net benefit per FTE-year is
``b * c_bed - c_psw`` (``b`` pooled bed-days saved per FTE-year), and with a
common caseload ``k`` in place of each study's staffing it is
``k * e * c_bed - c_psw`` (``e`` pooled bed-days saved per patient-year of
support). Each threshold solves one of these for zero.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from peervalue.model import core
from peervalue.model.evaluate import point_outputs, point_value
from peervalue.model.results import clean_json
from peervalue.model.spec import ModelSpec, PoolingMethod


@dataclass(frozen=True)
class Threshold:
    quantity: str
    unit: str
    current: float
    break_even: float
    pays_when: str  #: "above" or "below": on which side of break-even net benefit is positive
    formula: str

    @property
    def pays_now(self) -> bool | None:
        if not (math.isfinite(self.current) and math.isfinite(self.break_even)):
            return None
        if self.pays_when == "above":
            return self.current > self.break_even
        return self.current < self.break_even


@dataclass(frozen=True)
class ThresholdResult:
    method: PoolingMethod
    price_year: str
    currency: str
    net_benefit_per_fte_year: float
    thresholds: list[Threshold]
    notes: list[str]

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame([{**asdict(t), "pays_now": t.pays_now} for t in self.thresholds])

    def to_dict(self) -> dict[str, Any]:
        return clean_json(  # type: ignore[no-any-return]
            {
                "method": self.method,
                "price_year": self.price_year,
                "currency": self.currency,
                "net_benefit_per_fte_year": self.net_benefit_per_fte_year,
                "thresholds": [{**asdict(t), "pays_now": t.pays_now} for t in self.thresholds],
                "notes": self.notes,
            }
        )


def thresholds(spec: ModelSpec, method: PoolingMethod = "weighted") -> ThresholdResult:
    """Break-even bed-days, cost per bed-day, caseload and peer worker cost at the point values."""
    out = point_outputs(spec)
    b = point_value(out.pooled_bed_days(method))
    c_bed, c_psw = point_value(out.cost_per_bed_day), point_value(out.cost_per_fte_year)
    e = point_value(out.pooled_saved_per_patient_year)
    money = f"{spec.currency}"
    implied_caseload = b / e if e > 0 and b > 0 else math.nan
    rows = [
        Threshold(
            "bed-days saved per FTE-year",
            "bed-days/FTE-year",
            b,
            point_value(core.break_even_bed_days(c_psw, c_bed)),
            "above",
            "cost per FTE-year / cost per bed-day",
        ),
        Threshold(
            "cost per bed-day",
            f"{money}/bed-day",
            c_bed,
            point_value(core.break_even_cost_per_bed_day(c_psw, b)),
            "above",
            "cost per FTE-year / pooled bed-days saved per FTE-year",
        ),
        Threshold(
            "common caseload (patients supported at once per FTE, "
            "in place of each study's staffing)",
            "patients/FTE",
            implied_caseload,
            point_value(core.break_even_caseload(c_psw, c_bed, e)),
            "above",
            "cost per FTE-year / (cost per bed-day x pooled bed-days saved per patient-year)",
        ),
        Threshold(
            "peer worker cost per FTE-year",
            f"{money}/FTE-year",
            c_psw,
            point_value(core.benefit(b, c_bed)),
            "below",
            "pooled bed-days saved per FTE-year x cost per bed-day",
        ),
    ]
    notes = [
        "Each break-even holds the other inputs at their point values.",
        "The caseload row replaces every study's peer staffing by one common caseload k, so "
        "that bed-days saved per FTE-year are k x pooled bed-days saved per patient-year of "
        "support; its current value is the caseload the evidence implies (pooled bed-days "
        "saved per FTE-year / pooled bed-days saved per patient-year of support).",
    ]
    if b <= 0:
        notes.append("Pooled bed-days saved are not positive: no cost per bed-day breaks even.")
    return ThresholdResult(
        method=method,
        price_year=spec.price_year,
        currency=spec.currency,
        net_benefit_per_fte_year=point_value(out.pooled_net_benefit(method)),
        thresholds=rows,
        notes=notes,
    )

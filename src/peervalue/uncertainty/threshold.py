"""Threshold (break-even) analysis: the value of one input at which pooled net benefit is zero.

With the other inputs at their point values, pooled net benefit per FTE-year is
``b * c_bed - c_psw`` (``b`` pooled bed-days saved per FTE-year), and with a
common caseload ``k`` in place of each study's staffing it is
``k * e * c_bed - c_psw`` (``e`` pooled bed-days saved per patient-year of
support). Each threshold solves one of these for zero.
"""

from __future__ import annotations

import math
from typing import Literal

from peervalue.model import core
from peervalue.model.evaluate import point_outputs, point_value
from peervalue.model.methods import PoolingMethod
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.results import Threshold, ThresholdResult


def _threshold(
    quantity: str,
    unit: str,
    current: float,
    break_even: float,
    pays_when: Literal["above", "below"],
    formula: str,
) -> Threshold:
    """One break-even row; ``pays_now`` is None unless both values are finite."""
    pays_now: bool | None = None
    if math.isfinite(current) and math.isfinite(break_even):
        pays_now = current > break_even if pays_when == "above" else current < break_even
    return Threshold(
        quantity=quantity,
        unit=unit,
        current=current,
        break_even=break_even,
        pays_when=pays_when,
        formula=formula,
        pays_now=pays_now,
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
        _threshold(
            "bed-days saved per FTE-year",
            "bed-days/FTE-year",
            b,
            point_value(core.break_even_bed_days(c_psw, c_bed)),
            "above",
            "cost per FTE-year / cost per bed-day",
        ),
        _threshold(
            "cost per bed-day",
            f"{money}/bed-day",
            c_bed,
            point_value(core.break_even_cost_per_bed_day(c_psw, b)),
            "above",
            "cost per FTE-year / pooled bed-days saved per FTE-year",
        ),
        _threshold(
            "common caseload (patients supported at once per FTE, "
            "in place of each study's staffing)",
            "patients/FTE",
            implied_caseload,
            point_value(core.break_even_caseload(c_psw, c_bed, e)),
            "above",
            "cost per FTE-year / (cost per bed-day x pooled bed-days saved per patient-year)",
        ),
        _threshold(
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
        cost_basis=spec.cost_basis,
        net_benefit_per_fte_year=point_value(out.pooled_net_benefit(method)),
        thresholds=rows,
        notes=notes,
    )

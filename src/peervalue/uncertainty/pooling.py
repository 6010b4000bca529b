"""How the pooled ratio depends on the pooling method.

Three ways to pool bed-days saved per FTE-year ``b`` before valuing them at the
common unit costs (``ratio = b x c_bed / c_psw``):

* the 2013 report's weighted mean of the studies' ratios (weights: patients);
* the ratio of sums: all bed-days saved over all FTE-years of peer work;
* a meta-analytic effect ``e`` (bed-days saved per patient-year) times a common
  caseload ``k`` (patients supported at once per FTE): ``b = e x k``, with the
  effect's confidence and prediction intervals carried through.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from peervalue.model.evaluate import point_outputs, point_value
from peervalue.model.results import clean_json
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.meta import MetaTable

DEFAULT_CASELOAD = 15.0


@dataclass(frozen=True)
class PoolingRow:
    method: str
    bed_days_saved_per_fte_year: float
    ratio: float
    ratio_ci_low: float = math.nan
    ratio_ci_high: float = math.nan
    ratio_pi_low: float = math.nan
    ratio_pi_high: float = math.nan
    studies: int = 0


def compare_pooling(
    spec: ModelSpec, table: MetaTable, caseload: float = DEFAULT_CASELOAD
) -> list[PoolingRow]:
    """Pooled bed-days per FTE-year and ratio by every method, at the point values."""
    if not caseload > 0:
        raise ValueError(f"caseload must be above zero, got {caseload:g}")
    out = point_outputs(spec)
    c_bed, c_psw = point_value(out.cost_per_bed_day), point_value(out.cost_per_fte_year)
    per_bed_day = c_bed / c_psw
    n = len(spec.studies)
    rows = [
        PoolingRow(
            "weighted mean of ratios",
            float(out.pooled_bed_days_weighted[0]),
            float(out.weighted_mean_ratio[0]),
            studies=n,
        ),
        PoolingRow(
            "ratio of sums",
            float(out.pooled_bed_days_sums[0]),
            float(out.ratio_of_sums[0]),
            studies=n,
        ),
    ]
    for method, r in table.results.items():
        scale = caseload * per_bed_day
        rows.append(
            PoolingRow(
                f"meta-analysis ({method}) x caseload {caseload:g}",
                r.estimate * caseload,
                r.estimate * scale,
                r.ci_low * scale,
                r.ci_high * scale,
                r.pi_low * scale,
                r.pi_high * scale,
                studies=r.k,
            )
        )
    return rows


def comparison_dict(rows: list[PoolingRow], caseload: float) -> dict[str, Any]:
    return clean_json(  # type: ignore[no-any-return]
        {
            "caseload": caseload,
            "caseload_unit": "patients supported at once per FTE",
            "rows": [asdict(r) for r in rows],
        }
    )

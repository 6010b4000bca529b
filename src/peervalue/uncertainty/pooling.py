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

from peervalue.model.evaluate import point_outputs, point_value
from peervalue.model.methods import METHOD_TITLES, POOLING_METHODS
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.results import MetaTable, PoolingComparison, PoolingRow

DEFAULT_CASELOAD = 15.0


def compare_pooling(
    spec: ModelSpec, table: MetaTable, caseload: float = DEFAULT_CASELOAD
) -> PoolingComparison:
    """Pooled bed-days per FTE-year and ratio by every method, at the point values.

    ``caseload`` (patients supported at once per FTE, checked by the request)
    turns the meta-analytic effect per patient-year of support into bed-days
    saved per FTE-year.
    """
    out = point_outputs(spec)
    c_bed, c_psw = point_value(out.cost_per_bed_day), point_value(out.cost_per_fte_year)
    per_bed_day = c_bed / c_psw
    n = len(spec.studies)
    rows = [
        PoolingRow(
            method=METHOD_TITLES[m],
            bed_days_saved_per_fte_year=point_value(out.pooled_bed_days(m)),
            ratio=point_value(out.pooled_ratio(m)),
            studies=n,
        )
        for m in POOLING_METHODS
    ]
    for method, r in table.results.items():
        scale = caseload * per_bed_day
        rows.append(
            PoolingRow(
                method=f"meta-analysis ({method}) x caseload {caseload:g}",
                bed_days_saved_per_fte_year=r.estimate * caseload,
                ratio=r.estimate * scale,
                ratio_ci_low=r.ci_low * scale,
                ratio_ci_high=r.ci_high * scale,
                ratio_pi_low=r.pi_low * scale,
                ratio_pi_high=r.pi_high * scale,
                studies=r.k,
            )
        )
    return PoolingComparison(caseload=caseload, rows=rows)

"""The deterministic reference analysis: one draw of the model at the point values.

Pure: the service layer (``peervalue.service``) loads the files, builds the spec
and passes in the published reference; nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from peervalue.costs.schema import CostFile
from peervalue.evidence.schema import Study
from peervalue.model import core
from peervalue.model.evaluate import point_outputs
from peervalue.model.methods import CLASS_LABELS, WEIGHTING_NOTES, cost_basis_note
from peervalue.model.results import (
    AnalysisResult,
    BreakEven,
    CostSummary,
    InfluenceResult,
    PooledResult,
    StudyResult,
)
from peervalue.model.spec import COSTS, ModelSpec
from peervalue.reference import PublishedReference


def reference_analysis(
    spec: ModelSpec,
    studies: Sequence[Study],
    costs: CostFile,
    evidence_label: str,
    reference: PublishedReference | None = None,
    influence: Sequence[InfluenceResult] = (),
) -> AnalysisResult:
    """Run the Trachtenberg et al. (2013) method on ``spec`` (built from ``studies``
    and ``costs``) and label the result.

    ``reference`` (the published 2013 figures) and ``influence`` (leave-one-out
    and subgroup results) are carried into the result as given.
    """
    out = point_outputs(spec)

    def row(a: np.ndarray, i: int) -> float:
        return float(a[0, i])

    classes = core.classify(out.ratio[0])
    rows = [
        StudyResult(
            id=study.id,
            citation=study.citation.short(),
            country=study.country,
            design=study.design.value,
            peer_role=study.peer_role.value,
            pooling_weight=row(out.weight, i),
            n_intervention=row(out.n_intervention, i),
            n_control=row(out.n_control, i),
            bed_days_saved_per_patient=row(out.saved_per_patient, i),
            total_bed_days_saved=row(out.total_saved, i),
            fte_years=row(out.fte_years, i),
            bed_days_saved_per_fte_year=row(out.bed_days_per_fte_year, i),
            benefit_per_fte_year=row(out.benefit_per_fte_year, i),
            cost_per_fte_year=float(out.cost_per_fte_year[0]),
            net_benefit_per_fte_year=row(out.net_benefit_per_fte_year, i),
            ratio=row(out.ratio, i),
            classification=CLASS_LABELS[int(classes[i])],
            assumed_inputs=study.assumed_fields(),
        )
        for i, study in enumerate(studies)
    ]
    missing_fte = [s.id for s in spec.studies if s.peer_form == "none"]
    ros_note = (
        "total benefit / total cost over all studies (weights each ratio by FTE-years)"
        if not missing_fte
        else "not available: no peer input (FTE-years) for " + ", ".join(missing_fte)
    )
    pooled = PooledResult(
        weighted_mean_ratio=float(out.weighted_mean_ratio[0]),
        ratio_of_sums=float(out.ratio_of_sums[0]),
        weighting=spec.weighting,
        weighting_note=WEIGHTING_NOTES[spec.weighting],
        ratio_of_sums_note=ros_note,
        above_one=int(np.count_nonzero(classes == core.ABOVE_ONE)),
        between_zero_and_one=int(np.count_nonzero(classes == core.BETWEEN_ZERO_AND_ONE)),
        negative=int(np.count_nonzero(classes == core.NEGATIVE)),
        zero=int(np.count_nonzero(classes == core.ZERO)),
    )
    cost_params = [p for p in spec.parameters if p.owner == COSTS]
    summary = CostSummary(
        name=costs.name,
        basis=spec.cost_basis,
        basis_note=cost_basis_note(spec.cost_basis, spec.peer_worker_form),
        cost_per_bed_day=float(out.cost_per_bed_day[0]),
        cost_per_fte_year=float(out.cost_per_fte_year[0]),
        components={p.field: p.value for p in cost_params},
        rebased_from={
            p.field: f"{p.quantity.price_year} x {p.factor:.6f}"
            for p in cost_params
            if p.factor != 1.0 and p.quantity.price_year
        },
        assumed_inputs=[p.field for p in cost_params if p.quantity.is_assumed],
    )
    return AnalysisResult(
        price_year=spec.price_year,
        currency=spec.currency,
        evidence=evidence_label,
        studies=rows,
        pooled=pooled,
        break_even=BreakEven(bed_days_saved_per_fte_year=float(out.break_even_bed_days[0])),
        costs=summary,
        published_reference=reference,
        influence=list(influence),
    )

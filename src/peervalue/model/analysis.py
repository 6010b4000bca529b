"""The deterministic reference analysis: one draw of the model at the point values."""

from __future__ import annotations

import numpy as np

from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.model import core
from peervalue.model.evaluate import point_outputs
from peervalue.model.results import AnalysisResult, CostSummary, PooledResult, StudyResult
from peervalue.model.spec import COSTS, Weighting, build_spec
from peervalue.reference import trachtenberg2013

WEIGHTING_NOTES = {
    "all": "weights are all patients in each study (intervention + control), as in the 2013 report",
    "intervention": "weights are the patients who received peer support",
}


def analyse(
    evidence: Evidence,
    costs: CostFile | None = None,
    weighting: Weighting = "all",
    with_reference: bool = False,
) -> AnalysisResult:
    """Run the Trachtenberg et al. (2013) method on ``evidence`` at ``costs``.

    Parameters
    ----------
    evidence
        studies from :func:`peervalue.load_evidence`.
    costs
        unit costs from :func:`peervalue.load_costs`; default England 2011-12.
    weighting
        ``"all"`` (default) weights each study's ratio by all its patients,
        ``"intervention"`` by the patients who had peer support.
    with_reference
        attach the published 2013 result for comparison.
    """
    costs = costs if costs is not None else load_costs()
    spec = build_spec(evidence, costs, weighting)
    out = point_outputs(spec)

    def row(a: np.ndarray, i: int) -> float:
        return float(a[0, i])

    classes = core.classify(out.ratio[0])
    studies = [
        StudyResult(
            id=study.id,
            citation=study.citation.short(),
            country=study.country,
            design=study.design.value,
            peer_role=study.peer_role.value,
            n=row(out.weight, i),
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
            classification=core.CLASS_LABELS[int(classes[i])],
            assumed_inputs=study.assumed_fields(),
        )
        for i, study in enumerate(evidence)
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
        weighting=weighting,
        weighting_note=WEIGHTING_NOTES[weighting],
        ratio_of_sums_note=ros_note,
        above_one=int(np.sum(classes == core.ABOVE_ONE)),
        between_zero_and_one=int(np.sum(classes == core.BETWEEN_ZERO_AND_ONE)),
        negative=int(np.sum(classes == core.NEGATIVE)),
    )
    cost_params = [p for p in spec.parameters if p.owner == COSTS]
    summary = CostSummary(
        name=costs.name,
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
        studies=studies,
        pooled=pooled,
        break_even_bed_days_per_fte_year=float(out.break_even_bed_days[0]),
        price_year=spec.price_year,
        currency=spec.currency,
        costs=summary,
        evidence_origin=evidence.origin,
        reference=trachtenberg2013().to_dict() if with_reference else None,
    )

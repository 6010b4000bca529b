"""Cumulative analysis (``peervalue cumulative``): how the answer moves as studies are added.

The results here are light pydantic models; numpy and the model are imported by
:func:`run_cumulative` only, so the renderers that import this module stay quick.
"""

from __future__ import annotations

from peervalue.results.cumulative import CumulativeResult, CumulativeStep, StepSummary
from peervalue.service.inputs import prepare
from peervalue.service.requests import CumulativeRequest

__all__ = ["CumulativeResult", "CumulativeStep", "StepSummary", "run_cumulative"]


def run_cumulative(request: CumulativeRequest) -> CumulativeResult:
    """Pool the studies cumulatively, in order of year (ties by id) or of pooling weight
    (largest first; ties by year, then id)."""
    from peervalue.model.evaluate import point_outputs
    from peervalue.uncertainty.cumulative import cumulative

    prepared = prepare(request)
    spec, studies = prepared.spec, prepared.evidence.studies
    weights = point_outputs(spec).weight[0]
    positions = list(range(len(studies)))
    if request.order == "year":
        order = sorted(positions, key=lambda i: (studies[i].citation.year, studies[i].id))
    else:
        order = sorted(
            positions, key=lambda i: (-weights[i], studies[i].citation.year, studies[i].id)
        )
    steps = cumulative(spec, order, request.draws, request.seed)
    return CumulativeResult(
        evidence=prepared.evidence.origin,
        costs=prepared.costs.name,
        cost_basis=spec.cost_basis,
        price_year=spec.price_year,
        currency=spec.currency,
        weighting=spec.weighting,
        order=request.order,
        draws=request.draws,
        seed=request.seed,
        steps=[
            CumulativeStep(
                step=k + 1,
                added=studies[i].id,
                citation=studies[i].citation.short(),
                year=studies[i].citation.year,
                pooling_weight=float(weights[i]),
                studies=[studies[j].id for j in order[: k + 1]],
                pooled={m: StepSummary(**vars(p)) for m, p in steps[k].items()},
            )
            for k, i in enumerate(order)
        ],
        not_pooled=[s.id for s in prepared.evidence.excluded],
        counted_resources=list(spec.resource_categories) if spec.resources == "all" else None,
    )

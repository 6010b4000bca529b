"""Cumulative analysis (``peervalue cumulative``): how the answer moves as studies are added.

The results here are light pydantic models; numpy and the model are imported by
:func:`run_cumulative` only, so the renderers that import this module stay quick.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from peervalue.model.methods import METHOD_TITLES, CostBasis, PoolingMethod, Weighting
from peervalue.results import ResultModel
from peervalue.service.inputs import prepare
from peervalue.service.requests import CumulativeRequest


class StepSummary(ResultModel):
    """One pooling method's result after a step: the ratio (benefit : cost) at the point
    values, its Monte Carlo median and 95% interval, and P(net benefit > 0)."""

    deterministic: float
    median: float
    p2_5: float
    p97_5: float
    prob_net_benefit_positive: float


class CumulativeStep(ResultModel):
    """The evidence after adding one more study."""

    step: int
    added: str  #: the study added at this step
    citation: str
    year: int
    pooling_weight: float
    studies: list[str]
    pooled: dict[PoolingMethod, StepSummary]


class CumulativeResult(ResultModel):
    """Every step of a cumulative analysis, in the order the studies were added."""

    evidence: str
    costs: str
    cost_basis: CostBasis
    price_year: str
    currency: str
    weighting: Weighting
    order: Literal["year", "weight"]
    draws: int
    seed: int
    steps: list[CumulativeStep]
    #: studies of the evidence recorded without a usable outcome (never added)
    not_pooled: list[str] = Field(default_factory=list)
    counted_resources: list[str] | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"counted_resources"})

    def rows(self) -> list[dict[str, Any]]:
        """One row per step and pooling method."""
        return [
            {
                "step": s.step,
                "added": s.added,
                "citation": s.citation,
                "year": s.year,
                "method": METHOD_TITLES[m],
                "ratio": p.deterministic,
                "median": p.median,
                "p2_5": p.p2_5,
                "p97_5": p.p97_5,
                "prob_net_benefit_positive": p.prob_net_benefit_positive,
                "studies": len(s.studies),
            }
            for s in self.steps
            for m, p in s.pooled.items()
        ]


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

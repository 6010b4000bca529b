"""The result of a cumulative analysis: how the answer moves as studies are added.

Computed by :func:`peervalue.service.cumulative.run_cumulative`; light pydantic
models (no numpy), so the renderers that import them stay quick.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from peervalue.model.methods import METHOD_TITLES, CostBasis, PoolingMethod, Weighting
from peervalue.results import ResultModel


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

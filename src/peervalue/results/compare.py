"""The result of comparing evidence sets side by side (``peervalue compare``).

Computed by :func:`peervalue.service.compare.run_compare`; light pydantic models.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from peervalue.model.methods import METHOD_TITLES, CostBasis, PoolingMethod
from peervalue.results import ResultModel


class MethodSummary(ResultModel):
    """One pooling method on one set: the ratio, its Monte Carlo median and 95% interval,
    and P(net benefit > 0)."""

    ratio: float
    median: float
    p2_5: float
    p97_5: float
    prob_net_benefit_positive: float


class StudyLine(ResultModel):
    """A study of a set: what the comparison needs to explain a change."""

    id: str
    citation: str
    country: str
    design: str
    randomisation: str | None
    risk_of_bias: str | None
    bundled: bool | None
    outcome: str
    pooling_weight: float
    fte_years: float
    ratio: float


class SetSide(ResultModel):
    """One evidence set's answer."""

    evidence_set: str
    label: str
    pooled: dict[PoolingMethod, MethodSummary]
    studies: list[StudyLine]
    not_pooled: dict[str, str]  #: study id -> why it is not pooled
    counted_resources: list[str] | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"counted_resources"})


class EvidenceComparison(ResultModel):
    """Two or more evidence sets side by side, with what changed from the first."""

    costs: str
    cost_basis: CostBasis
    price_year: str
    currency: str
    draws: int
    seed: int
    sides: list[SetSide]
    added: list[str]  #: pooled in a later set, not in the first
    dropped: list[str]  #: pooled in the first set, left out by one or more later sets
    what_changed: list[str]
    counted_resources: list[str] | None = None
    omit_when_none: ClassVar[frozenset[str]] = frozenset({"counted_resources"})
    notes: list[str] = Field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """One row per set and pooling method."""
        return [
            {
                "evidence_set": side.evidence_set,
                "method": METHOD_TITLES[m],
                "ratio": p.ratio,
                "median": p.median,
                "p2_5": p.p2_5,
                "p97_5": p.p97_5,
                "prob_net_benefit_positive": p.prob_net_benefit_positive,
                "studies_pooled": len(side.studies),
                "studies_not_pooled": len(side.not_pooled),
            }
            for side in self.sides
            for m, p in side.pooled.items()
        ]

"""The result of the bridge from our reference result to the published 4.8 : 1.

Computed by :func:`peervalue.service.reconcile.run_reconcile`.
"""

from __future__ import annotations

from peervalue.results import ResultModel


class BridgeStep(ResultModel):
    """One change of assumption and where it leaves the weighted mean ratio."""

    step: str
    change: str
    reason: str
    ratio_after: float
    change_in_ratio: float
    share_of_gap: float  #: change / (published - start)


class ReconcileResult(ResultModel):
    """Our ratio, the published one, and the named steps between them."""

    evidence: str
    start_ratio: float
    start_basis: str
    published_ratio: float
    gap: float
    steps: list[BridgeStep]
    remaining_gap: float
    required_caseload: float  #: common caseload giving the published ratio after the steps
    implied_caseload: float  #: the caseload the evidence's own staffing implies after them
    assumed_caseload: float
    caseload_range: tuple[float, float]
    caseload_plausible: bool | None
    verdict: str

    def rows(self) -> list[dict[str, object]]:
        return [s.model_dump() for s in self.steps]

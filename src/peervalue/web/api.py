"""The JSON API under ``/api/v1``: the library's requests in, its results out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from peervalue.costs.results import CostSetList
from peervalue.evidence.schema import Study
from peervalue.model.results import AnalysisResult
from peervalue.scenario.results import ScenarioResult
from peervalue.uncertainty.results import PsaResult, SensitivityResult, ThresholdResult
from peervalue.web.problems import problem
from peervalue.web.requests import (
    WebAnalysisRequest,
    WebPsaRequest,
    WebScenarioRequest,
    WebSensitivityRequest,
    WebThresholdRequest,
)

router = APIRouter(prefix="/api/v1")


def _bundled() -> Any:
    from peervalue.service.requests import EvidenceRequest
    from peervalue.service.runs import run_evidence

    return run_evidence(EvidenceRequest())


@router.get("/evidence", tags=["evidence"])
def list_evidence() -> list[dict[str, Any]]:
    """The bundled studies: id, citation, design, country and which inputs are assumed."""
    return [
        {
            "id": s.id,
            "citation": s.citation.short(),
            "design": s.design,
            "country": s.country,
            "peer_role": s.peer_role,
        }
        for s in _bundled().studies
    ]


@router.get("/evidence/{study_id}", tags=["evidence"], response_model=Study)
def show_study(study_id: str) -> Any:
    """One bundled study with every value's unit, source and status."""
    for s in _bundled().studies:
        if s.id == study_id:
            return s
    return problem(404, "No such study", f"no bundled study has the id {study_id!r}")


@router.get("/costs", tags=["costs"])
def list_cost_sets() -> CostSetList:
    """The bundled cost sets, by name."""
    from peervalue.service.costs import run_cost_sets

    return run_cost_sets()


@router.post("/analysis", tags=["analysis"])
def analysis(request: WebAnalysisRequest) -> AnalysisResult:
    """The reference analysis (the 2013 method) at any price year, weighting and cost basis."""
    from peervalue.service.runs import run_analysis

    return run_analysis(request)


@router.post("/psa", tags=["uncertainty"])
def psa(request: WebPsaRequest) -> PsaResult:
    """Monte Carlo summaries: intervals, P(ratio > 1), curves and EVPI (draws capped)."""
    from peervalue.service.runs import run_psa

    return run_psa(request)


@router.post("/sensitivity", tags=["uncertainty"])
def sensitivity(request: WebSensitivityRequest) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    from peervalue.service.runs import run_sensitivity

    return run_sensitivity(request)


@router.post("/thresholds", tags=["uncertainty"])
def thresholds(request: WebThresholdRequest) -> ThresholdResult:
    """Break-even bed-days, cost per bed-day, caseload and peer worker cost."""
    from peervalue.service.runs import run_threshold

    return run_threshold(request)


@router.post("/scenarios/run", tags=["scenarios"])
def run_scenario(request: WebScenarioRequest) -> ScenarioResult:
    """Run a business case sent as a scenario document (draws capped)."""
    from peervalue.service.scenario import run_scenario as run

    return run(request)


__all__ = ["JSONResponse", "router"]

"""The JSON API under ``/api/v1``: the library's requests in, its results out."""

from __future__ import annotations

import datetime as dt
import hmac
import os
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from peervalue.costs.results import CostSetList
from peervalue.evidence.schema import Study
from peervalue.evidence.sets import EvidenceSets
from peervalue.model.results import AnalysisResult
from peervalue.scenario.results import ScenarioComparison, ScenarioResult
from peervalue.uncertainty.results import PsaResult, SensitivityResult, ThresholdResult
from peervalue.web.limits import limited
from peervalue.web.problems import NEEDS_TOKEN, NOT_FOUND, TIMED_OUT, TOKEN_OPTIONAL, problem
from peervalue.web.requests import (
    DEFAULT_WEB_REPORT_DRAWS,
    MAX_WEB_REPORT_DRAWS,
    MAX_WEB_SCENARIO_DRAWS,
    WebAnalysisRequest,
    WebPsaRequest,
    WebReportRequest,
    WebScenario,
    WebScenarioRequest,
    WebSensitivityRequest,
    WebThresholdRequest,
)
from peervalue.web.storage import MAX_NAME, Saved, ScenarioStore, name_problem

TOKEN_ENV = "PEERVALUE_API_TOKEN"

router = APIRouter(prefix="/api/v1")


def bundled_evidence(evidence_set: str | None = None) -> Any:
    """The bundled studies, validated: the six of 2013, or a bundled evidence set's studies
    (pooled first, then those recorded without a usable outcome)."""
    from peervalue.service.requests import EvidenceRequest, make_request
    from peervalue.service.runs import run_evidence

    return run_evidence(
        make_request(
            EvidenceRequest, {"evidence_set": "query.evidence_set"}, evidence_set=evidence_set
        )
    )


def bundled_study(study_id: str) -> Study | None:
    """A bundled study of any set (pooled or not) by id, or ``None``."""
    from peervalue.evidence.sets import load_library

    return next((s for s in load_library().listed if s.id == study_id), None)


EvidenceSetName = Annotated[
    str | None,
    Query(
        description="a bundled evidence set (GET /api/v1/evidence-sets); default: the six "
        "studies of 2013",
        max_length=100,
    ),
]


@router.get("/evidence", tags=["evidence"])
def list_evidence(evidence_set: EvidenceSetName = None) -> list[dict[str, Any]]:
    """The studies of an evidence set: id, citation, design and quality, whether each is
    pooled (and if not, why), and how many figures are reported, derived or assumed."""
    from peervalue.report.rows import evidence_rows

    return evidence_rows(bundled_evidence(evidence_set))


@router.get("/evidence-sets", tags=["evidence"])
def list_evidence_sets() -> EvidenceSets:
    """The bundled evidence sets: which studies each pools and lists, and why."""
    from peervalue.evidence.sets import list_sets

    return list_sets()


@router.get("/evidence/{study_id}", tags=["evidence"], response_model=Study, responses=NOT_FOUND)
def show_study(study_id: str) -> Any:
    """One bundled study (of any set) with every value's unit, source and status."""
    found = bundled_study(study_id)
    if found is None:
        return problem(404, "No such study", f"no bundled study has the id {study_id!r}")
    return found


@router.get("/costs", tags=["costs"])
def list_cost_sets() -> CostSetList:
    """The bundled cost sets, by name."""
    from peervalue.service.costs import run_cost_sets

    return run_cost_sets()


@router.post("/analysis", tags=["analysis"], responses=TIMED_OUT)
async def analysis(request: WebAnalysisRequest, http: Request) -> AnalysisResult:
    """The reference analysis (the 2013 method) at any price year, weighting and cost basis."""
    from peervalue.service.runs import run_analysis

    return await limited(http, lambda: run_analysis(request))


@router.post("/psa", tags=["uncertainty"], responses=TIMED_OUT)
async def psa(request: WebPsaRequest, http: Request) -> PsaResult:
    """Monte Carlo summaries: intervals, P(ratio > 1), curves and EVPI (draws capped)."""
    from peervalue.service.runs import run_psa

    return await limited(http, lambda: run_psa(request))


@router.post("/sensitivity", tags=["uncertainty"], responses=TIMED_OUT)
async def sensitivity(request: WebSensitivityRequest, http: Request) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    from peervalue.service.runs import run_sensitivity

    return await limited(http, lambda: run_sensitivity(request))


@router.post("/thresholds", tags=["uncertainty"], responses=TIMED_OUT)
async def thresholds(request: WebThresholdRequest, http: Request) -> ThresholdResult:
    """Break-even bed-days, cost per bed-day, caseload and peer worker cost."""
    from peervalue.service.runs import run_threshold

    return await limited(http, lambda: run_threshold(request))


@router.post("/scenarios/run", tags=["scenarios"], responses=TIMED_OUT)
async def run_scenario(request: WebScenarioRequest, http: Request) -> ScenarioResult:
    """Run a business case sent as a scenario document (draws capped)."""
    from peervalue.service.scenario import run_scenario as run

    return await limited(http, lambda: run(request))


# --- saved scenarios -------------------------------------------------------------------


class ScenarioBody(BaseModel):
    """A scenario to save: a name and the scenario document (as in a scenario file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    scenario: WebScenario

    @field_validator("name")
    @classmethod
    def _no_control_characters(cls, name: str) -> str:
        if (problem := name_problem(name)) is not None:
            raise ValueError(problem)
        return name


class SavedScenario(BaseModel):
    """A saved scenario, at ``/api/v1/scenarios/{id}`` (a random UUID4)."""

    id: uuid.UUID
    name: str
    revision: int
    created: dt.datetime
    updated: dt.datetime
    scenario: dict[str, Any]


def _store(request: Request) -> ScenarioStore:
    store: ScenarioStore = request.app.state.store
    return store


def token_required() -> bool:
    """Whether writes need a token (PEERVALUE_API_TOKEN is set)."""
    return bool(os.environ.get(TOKEN_ENV))


def token_accepted(given: str) -> bool:
    """Whether ``given`` may write: any text when no token is set, else the token itself
    (compared in constant time)."""
    expected = os.environ.get(TOKEN_ENV)
    return not expected or hmac.compare_digest(given.encode(), expected.encode())


_bearer = HTTPBearer(
    auto_error=False,
    description="Needed by the write endpoints when the server sets PEERVALUE_API_TOKEN.",
)


def require_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Write endpoints need ``Authorization: Bearer <token>`` when PEERVALUE_API_TOKEN is set."""
    if not token_accepted(credentials.credentials if credentials is not None else ""):
        raise HTTPException(
            status_code=401,
            detail="this endpoint needs 'Authorization: Bearer <token>' (PEERVALUE_API_TOKEN)",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _out(saved: Saved) -> SavedScenario:
    return SavedScenario(
        id=uuid.UUID(saved.id),
        name=saved.name,
        revision=saved.revision,
        created=saved.created,
        updated=saved.updated,
        scenario=saved.document,
    )


def _missing(scenario_id: uuid.UUID) -> JSONResponse:
    return problem(404, "No such scenario", f"no saved scenario has the id {scenario_id}")


@router.post(
    "/scenarios",
    tags=["scenarios"],
    status_code=201,
    dependencies=[Depends(require_token)],
    responses=NEEDS_TOKEN,
    openapi_extra=TOKEN_OPTIONAL,
)
def create_scenario(body: ScenarioBody, request: Request) -> SavedScenario:
    """Save a scenario; its URL is ``/api/v1/scenarios/{id}``."""
    return _out(_store(request).create(body.name, body.scenario.model_dump(mode="json")))


@router.get("/scenarios", tags=["scenarios"])
def list_scenarios(request: Request) -> list[SavedScenario]:
    """Every saved scenario, oldest first."""
    return [_out(s) for s in _store(request).list()]


@router.get(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    response_model=SavedScenario,
    responses=NOT_FOUND,
)
def read_scenario(scenario_id: uuid.UUID, request: Request) -> Any:
    saved = _store(request).get(str(scenario_id))
    return _out(saved) if saved is not None else _missing(scenario_id)


@router.put(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    response_model=SavedScenario,
    dependencies=[Depends(require_token)],
    responses={**NOT_FOUND, **NEEDS_TOKEN},
    openapi_extra=TOKEN_OPTIONAL,
)
def update_scenario(scenario_id: uuid.UUID, body: ScenarioBody, request: Request) -> Any:
    saved = _store(request).update(
        str(scenario_id), body.name, body.scenario.model_dump(mode="json")
    )
    return _out(saved) if saved is not None else _missing(scenario_id)


@router.delete(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    status_code=204,
    dependencies=[Depends(require_token)],
    responses={**NOT_FOUND, **NEEDS_TOKEN},
    openapi_extra=TOKEN_OPTIONAL,
)
def delete_scenario(scenario_id: uuid.UUID, request: Request) -> Response:
    if not _store(request).delete(str(scenario_id)):
        return _missing(scenario_id)
    return Response(status_code=204)


def _scenario_request(document: dict[str, Any], draws: int, seed: int) -> WebScenarioRequest:
    """A saved document as a run request; one the web will not run (a cost set that is not
    bundled, saved before the web refused them) is an InputError (422), not a 500."""
    from peervalue.service.requests import make_request

    return make_request(WebScenarioRequest, None, scenario=document, draws=draws, seed=seed)


@router.post(
    "/scenarios/{scenario_id}/run",
    tags=["scenarios"],
    response_model=ScenarioResult,
    responses={**NOT_FOUND, **TIMED_OUT},
)
async def run_saved_scenario(
    scenario_id: uuid.UUID,
    request: Request,
    draws: Annotated[int, Query(ge=1, le=MAX_WEB_SCENARIO_DRAWS)] = 10_000,
    seed: Annotated[int, Query(ge=0)] = 1,
) -> Any:
    """Run a saved scenario with its uncertainty."""
    from peervalue.service.scenario import run_scenario as run

    saved = await run_in_threadpool(_store(request).get, str(scenario_id))
    if saved is None:
        return _missing(scenario_id)
    scenario = _scenario_request(saved.document, draws, seed)
    return await limited(request, lambda: run(scenario))


class CompareBody(BaseModel):
    """Saved scenarios to run side by side, with the same draws and seed."""

    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(min_length=2, max_length=5)
    draws: int = Field(default=10_000, ge=1, le=MAX_WEB_SCENARIO_DRAWS // 5)
    seed: int = Field(default=1, ge=0)


@router.post(
    "/scenarios/compare",
    tags=["scenarios"],
    response_model=ScenarioComparison,
    responses={**NOT_FOUND, **TIMED_OUT},
)
async def compare_scenarios(body: CompareBody, request: Request) -> Any:
    """Run two to five saved scenarios side by side (the same draws and seed for each)."""
    from peervalue.service.scenario import run_scenario as run

    store = _store(request)
    found = []
    for scenario_id in body.ids:
        saved = await run_in_threadpool(store.get, str(scenario_id))
        if saved is None:
            return _missing(scenario_id)
        found.append(_scenario_request(saved.document, body.draws, body.seed))
    return await limited(request, lambda: ScenarioComparison(scenarios=[run(s) for s in found]))


# --- reports ---------------------------------------------------------------------------

ReportFormat = Literal["html", "pdf", "xlsx"]
_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file (an attachment)",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


def report_response(request: WebReportRequest, fmt: str, filename: str) -> Response:
    """Run a report and return its file as a download (runs in a worker thread)."""
    from peervalue.service.report import REPORT_FORMATS, report_bytes, run_report

    data = run_report(request, command="peervalue serve (web calculator)")
    return Response(
        report_bytes(data, fmt),
        media_type=REPORT_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


@router.post(
    "/reports",
    tags=["reports"],
    response_class=Response,
    responses={**_REPORT_RESPONSES, **TIMED_OUT},
)
async def make_report(
    body: WebReportRequest,
    request: Request,
    format: Annotated[ReportFormat, Query(description="html, pdf or xlsx")] = "html",
) -> Response:
    """The full report (evidence, uncertainty, and the business case when ``scenario`` is
    given) as HTML, PDF or an Excel workbook."""
    return await limited(request, lambda: report_response(body, format, "peervalue-report"))


@router.get(
    "/scenarios/{scenario_id}/report",
    tags=["reports"],
    response_class=Response,
    responses={**_REPORT_RESPONSES, **NOT_FOUND, **TIMED_OUT},
)
async def saved_scenario_report(
    scenario_id: uuid.UUID,
    request: Request,
    format: Annotated[ReportFormat, Query(description="html, pdf or xlsx")] = "xlsx",
    draws: Annotated[int, Query(ge=1, le=MAX_WEB_REPORT_DRAWS)] = DEFAULT_WEB_REPORT_DRAWS,
    seed: Annotated[int, Query(ge=0)] = 1,
) -> Response:
    """The report of a saved scenario, as HTML, PDF or an Excel workbook."""
    saved = await run_in_threadpool(_store(request).get, str(scenario_id))
    if saved is None:
        return _missing(scenario_id)
    from peervalue.service.requests import make_request

    body = make_request(WebReportRequest, None, scenario=saved.document, draws=draws, seed=seed)
    return await limited(request, lambda: report_response(body, format, f"peervalue-{scenario_id}"))

"""The JSON API under ``/api/v1``: the library's requests in, its results out."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from peervalue.costs.results import CostSetList
from peervalue.errors import InputError
from peervalue.evidence.schema import Study
from peervalue.evidence.sets import EvidenceSets
from peervalue.model.results import AnalysisResult
from peervalue.report.formats import document_formats, extensions_in_words
from peervalue.scenario.documents import FORMAT_VERSION, stored
from peervalue.scenario.results import ScenarioComparison, ScenarioResult
from peervalue.scenario.schema import ScenarioFile
from peervalue.uncertainty.results import PsaResult, SensitivityResult, ThresholdResult
from peervalue.web.limits import limited
from peervalue.web.problems import (
    API_NAMING,
    NEEDS_TOKEN,
    NOT_FOUND,
    TIMED_OUT,
    TOKEN_OPTIONAL,
    problem,
    problem_response,
)
from peervalue.web.ratelimit import check_token_budget, token_refused
from peervalue.web.requests import (
    MAX_WEB_REPORT_DRAWS,
    MAX_WEB_SCENARIO_DRAWS,
    WebAnalysisRequest,
    WebPsaRequest,
    WebReportRequest,
    WebScenarioRequest,
    WebSensitivityRequest,
    WebThresholdRequest,
    web_document,
)
from peervalue.web.storage import (
    MAX_NAME,
    MAX_PAGE,
    MAX_REVISION,
    Revision,
    Saved,
    ScenarioStore,
    Stale,
    name_problem,
)
from peervalue.web.tokens import is_admin, token_accepted, token_required

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
#
# Who may do what (README, "Saved cases: who can see, change and delete what"):
# - anyone holding a case's address (a random UUID4) may read it, its history, run it and
#   download its report;
# - saving a new case needs nothing, or the admin token (PEERVALUE_API_TOKEN) when the
#   server sets one; it returns the case's owner key, once;
# - changing or deleting a case needs its owner key or the admin token, and a change names
#   the revision it starts from (If-Match), so that no write is lost;
# - listing every case needs the admin token (cases are unlisted).


class ScenarioBody(BaseModel):
    """A scenario to save: a name and the scenario document: the case's own figures (as in a
    scenario file, tables of the fields it sets; the rest comes from the national defaults)
    or a whole document, in the format of ``format_version``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    format_version: int = Field(default=FORMAT_VERSION, ge=1, le=FORMAT_VERSION)
    scenario: dict[str, Any] = Field(
        description="the case's own figures by table (scenario, staffing, costs, evidence, "
        "benefits, monte_carlo, extra, case), layered over the national defaults"
    )

    @field_validator("name")
    @classmethod
    def _visible_name(cls, name: str) -> str:
        if (problem := name_problem(name)) is not None:
            raise ValueError(problem)
        return name.strip()

    @field_validator("scenario")
    @classmethod
    def _names_no_file(cls, document: dict[str, Any]) -> dict[str, Any]:
        return web_document(document)

    @model_validator(mode="after")
    def _document_valid(self) -> Self:
        """The document validates over the national defaults (as it will when it is run);
        it is kept as the case's own figures in the current format."""
        self.scenario = stored(self.scenario, self.format_version)
        self.format_version = FORMAT_VERSION
        return self


class SavedSummary(BaseModel):
    """A saved scenario without its document (a list's item)."""

    id: uuid.UUID
    name: str
    revision: int
    created: dt.datetime
    updated: dt.datetime
    format_version: int = Field(description="the stored document's format")
    written_by: str = Field(description="the peervalue release that saved this revision")


class SavedScenario(SavedSummary):
    """A saved scenario, at ``/api/v1/scenarios/{id}`` (a random UUID4): its own figures as
    stored (``scenario``), and the whole document they make over today's national defaults
    (``resolved``: what a run uses), or the problems that stop it from being made."""

    scenario: dict[str, Any]
    resolved: dict[str, Any] | None
    problems: list[str] = Field(default_factory=list)


class CreatedScenario(SavedScenario):
    """A scenario just saved, with its owner key: shown this once, needed to change or delete
    it (``Authorization: Bearer <owner_key>``), and its private edit link for the calculator."""

    owner_key: str
    edit_link: str


class SavedList(BaseModel):
    """A page of saved scenarios, oldest first; ``next`` is the next page's address."""

    items: list[SavedSummary]
    next: str | None


class RevisionOut(BaseModel):
    """One revision of a saved scenario, as it was stored."""

    revision: int
    name: str
    saved: dt.datetime
    format_version: int
    written_by: str
    scenario: dict[str, Any] | None = Field(
        default=None, description="the stored document (in one revision's own address only)"
    )


def _store(request: Request) -> ScenarioStore:
    store: ScenarioStore = request.app.state.store
    return store


_bearer = HTTPBearer(
    auto_error=False,
    description="The admin token (PEERVALUE_API_TOKEN) to save a case on a server that sets "
    "one, or to list every case; a case's owner key (or the admin token) to change or "
    "delete it.",
)

Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _given(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials if credentials is not None else ""


def _refused(status: int, detail: str) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status_code=status, detail=detail, headers=headers)


def require_token(request: Request, credentials: Bearer) -> None:
    """Saving needs ``Authorization: Bearer <admin token>`` when PEERVALUE_API_TOKEN is set;
    a client that has failed too many token checks gets 429 first (``web/ratelimit.py``)."""
    check_token_budget(request)
    if not token_accepted(_given(credentials)):
        token_refused(request)
        raise _refused(
            401 if credentials is None else 403,
            "saving on this server needs 'Authorization: Bearer <token>' with its admin token "
            "(PEERVALUE_API_TOKEN)",
        )


def require_admin(request: Request, credentials: Bearer) -> None:
    """Listing every case needs the admin token (a wrong one counts as a failed check)."""
    check_token_budget(request)
    if not is_admin(_given(credentials)):
        if credentials is not None:
            token_refused(request)
        reason = (
            "this server sets no admin token (PEERVALUE_API_TOKEN), so its cases are never listed"
            if not token_required()
            else "send 'Authorization: Bearer <token>' with the server's admin token"
        )
        raise _refused(
            401 if credentials is None and token_required() else 403,
            f"saved cases are unlisted: listing them all needs the admin token; {reason}",
        )


def may_change(store: ScenarioStore, scenario_id: str, given: str) -> bool:
    """Whether ``given`` is the case's owner key or the admin token."""
    return is_admin(given) or store.is_owner(scenario_id, given)


def _require_owner(request: Request, store: ScenarioStore, scenario_id: str, given: str) -> None:
    check_token_budget(request)
    if not given:
        raise _refused(
            401,
            "changing or deleting a saved case needs 'Authorization: Bearer <owner key>' "
            "(returned when it was saved) or the admin token",
        )
    if not may_change(store, scenario_id, given):
        token_refused(request)
        raise _refused(
            403, "the key is not this case's owner key (nor the admin token): it cannot be changed"
        )


def resolve_saved(saved: Saved | Revision) -> Any:
    """A stored document as the scenario it makes today (:class:`LoadedScenario`); a problem
    is an :class:`InputError` naming the saved case, its revision and format, never a 500."""
    from peervalue.scenario.documents import load_document

    case = saved.id if isinstance(saved, Saved) else saved.scenario_id
    label = f"saved case {case} (revision {saved.revision}, format {saved.format_version})"
    return load_document(saved.document, saved.format_version, label)


def _out(saved: Saved) -> SavedScenario:
    resolved: dict[str, Any] | None = None
    problems: list[str] = []
    try:
        resolved = resolve_saved(saved).scenario.model_dump(mode="json")
    except InputError as exc:
        problems = [p.sentence(API_NAMING) for p in exc.problems] or [exc.message(API_NAMING)]
    return SavedScenario(
        **_summary(saved).model_dump(),
        scenario=saved.document,
        resolved=resolved,
        problems=problems,
    )


def _summary(saved: Saved) -> SavedSummary:
    return SavedSummary(
        id=uuid.UUID(saved.id),
        name=saved.name,
        revision=saved.revision,
        created=saved.created,
        updated=saved.updated,
        format_version=saved.format_version,
        written_by=saved.written_by,
    )


def _tagged(body: BaseModel, saved: Saved, status: int = 200) -> JSONResponse:
    return JSONResponse(
        body.model_dump(mode="json"), status_code=status, headers={"ETag": saved.etag}
    )


def _missing(scenario_id: uuid.UUID) -> JSONResponse:
    return problem(404, "No such scenario", f"no saved scenario has the id {scenario_id}")


def _stale(current: Saved) -> JSONResponse:
    response = problem(
        412,
        "The case has changed",
        f"the case is now at revision {current.revision} (ETag {current.etag}); read it again "
        "and send your change with If-Match naming the revision you started from",
    )
    response.headers["ETag"] = current.etag
    return response


def _matches(header: str, saved: Saved) -> bool:
    """Whether an If-Match / If-None-Match header names this revision (or is ``*``)."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or saved.etag in tags


def _expected_revision(header: str | None, saved: Saved) -> int | None:
    """The revision an If-Match header names: the current one when it matches (or ``*``)."""
    if header is None:
        return None
    return saved.revision if _matches(header, saved) else -1


NEEDS_OWNER: dict[int | str, dict[str, Any]] = {
    401: problem_response("No owner key (or admin token) was sent"),
    403: problem_response("The key is not this case's owner key nor the admin token"),
}
PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: problem_response("The case has changed since the revision named in If-Match"),
    428: problem_response("A change must name the revision it starts from (If-Match)"),
}


@router.post(
    "/scenarios",
    tags=["scenarios"],
    status_code=201,
    response_model=CreatedScenario,
    dependencies=[Depends(require_token)],
    responses={**NEEDS_TOKEN, 403: NEEDS_OWNER[403]},
    openapi_extra=TOKEN_OPTIONAL,
)
def create_scenario(body: ScenarioBody, request: Request) -> Any:
    """Save a scenario; its address is ``/api/v1/scenarios/{id}``. The answer holds its owner
    key, this once: keep it to change or delete the case."""
    saved, key = _store(request).create(body.name, body.scenario, body.format_version)
    out = CreatedScenario(
        **_out(saved).model_dump(), owner_key=key, edit_link=f"/scenarios/{saved.id}?key={key}"
    )
    response = _tagged(out, saved, 201)
    response.headers["Location"] = f"/api/v1/scenarios/{saved.id}"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(
    "/scenarios",
    tags=["scenarios"],
    response_model=SavedList,
    dependencies=[Depends(require_admin)],
    responses={401: NEEDS_OWNER[401], 403: problem_response("Listing needs the admin token")},
)
def list_scenarios(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="cases per page")] = 50,
    after: Annotated[
        uuid.UUID | None, Query(description="the last id of the previous page")
    ] = None,
) -> SavedList:
    """Every saved case, oldest first, a page at a time (admin token only)."""
    found = _store(request).page(limit, str(after) if after else None)
    following = (
        f"/api/v1/scenarios?limit={limit}&after={found.next_cursor}" if found.next_cursor else None
    )
    return SavedList(items=[_summary(s) for s in found.items], next=following)


@router.get(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    response_model=SavedScenario,
    responses={**NOT_FOUND, 304: {"description": "Not modified (If-None-Match)"}},
)
def read_scenario(
    scenario_id: uuid.UUID,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    """A saved case: its own figures, the document they make today, and its ETag."""
    saved = _store(request).get(str(scenario_id))
    if saved is None:
        return _missing(scenario_id)
    if if_none_match is not None and _matches(if_none_match, saved):
        return Response(status_code=304, headers={"ETag": saved.etag})
    return _tagged(_out(saved), saved)


@router.put(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    response_model=SavedScenario,
    responses={**NOT_FOUND, **NEEDS_OWNER, **PRECONDITIONS},
)
def update_scenario(
    scenario_id: uuid.UUID,
    body: ScenarioBody,
    request: Request,
    credentials: Bearer,
    if_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Change a saved case in place (its owner key or the admin token), from the revision
    named in If-Match (its ETag); the revision before stays in its history."""
    store = _store(request)
    current = store.get(str(scenario_id))
    if current is None:
        return _missing(scenario_id)
    _require_owner(request, store, current.id, _given(credentials))
    expected = _expected_revision(if_match, current)
    if expected is None:
        return problem(
            428,
            "Name the revision you change",
            f"send If-Match with the ETag you read ({current.etag} now), so that a change made "
            "meanwhile is not lost",
        )
    if expected < 0:
        return _stale(current)
    saved = store.update(current.id, body.name, body.scenario, expected, body.format_version)
    if saved is None:
        return _missing(scenario_id)
    if isinstance(saved, Stale):
        return _stale(saved.current)
    return _tagged(_out(saved), saved)


@router.delete(
    "/scenarios/{scenario_id}",
    tags=["scenarios"],
    status_code=204,
    responses={**NOT_FOUND, **NEEDS_OWNER, 412: PRECONDITIONS[412]},
)
def delete_scenario(
    scenario_id: uuid.UUID,
    request: Request,
    credentials: Bearer,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Delete a saved case and its history (its owner key or the admin token); with If-Match,
    only if it is still at that revision."""
    store = _store(request)
    current = store.get(str(scenario_id))
    if current is None:
        return _missing(scenario_id)
    _require_owner(request, store, current.id, _given(credentials))
    expected = _expected_revision(if_match, current)
    if expected is not None and expected < 0:
        return _stale(current)
    done = store.delete(current.id, expected)
    if isinstance(done, Stale):
        return _stale(done.current)
    if not done:
        return _missing(scenario_id)
    return Response(status_code=204)


@router.get(
    "/scenarios/{scenario_id}/revisions",
    tags=["scenarios"],
    response_model=list[RevisionOut],
    responses=NOT_FOUND,
)
def list_revisions(scenario_id: uuid.UUID, request: Request) -> Any:
    """A saved case's history: every revision, newest first (without documents)."""
    found = _store(request).revisions(str(scenario_id))
    if not found:
        return _missing(scenario_id)
    return [
        RevisionOut(
            revision=r.revision,
            name=r.name,
            saved=r.saved,
            format_version=r.format_version,
            written_by=r.written_by,
        )
        for r in found
    ]


@router.get(
    "/scenarios/{scenario_id}/revisions/{number}",
    tags=["scenarios"],
    response_model=RevisionOut,
    responses=NOT_FOUND,
)
def read_revision(
    scenario_id: uuid.UUID,
    number: Annotated[int, Path(ge=1, le=MAX_REVISION, description="the revision's number")],
    request: Request,
) -> Any:
    """One revision of a saved case, with the document as it was stored."""
    found = _store(request).revision(str(scenario_id), number)
    if found is None:
        return problem(
            404, "No such revision", f"saved case {scenario_id} has no revision {number}"
        )
    return RevisionOut(
        revision=found.revision,
        name=found.name,
        saved=found.saved,
        format_version=found.format_version,
        written_by=found.written_by,
        scenario=found.document,
    )


#: a run's seed over a saved case's own (below 2**128, as every run's seed)
CaseSeed = Annotated[int | None, Query(ge=0, lt=2**128, description="default: the case's own seed")]


def saved_run_request(
    saved: Saved, draws: int | None = None, seed: int | None = None
) -> WebScenarioRequest:
    """The run of a saved case: at its own ``[monte_carlo]`` draws and seed unless the
    request gives others (every route that runs a saved case uses this)."""
    scenario = resolve_saved(saved).scenario
    return _scenario_request(scenario, draws, seed)


def _scenario_request(
    scenario: ScenarioFile, draws: int | None, seed: int | None
) -> WebScenarioRequest:
    from peervalue.service.requests import make_request

    return make_request(
        WebScenarioRequest,
        {"draws": "query.draws", "seed": "query.seed"},
        scenario=scenario,
        draws=draws,
        seed=seed if seed is not None else scenario.monte_carlo.seed,
    )


def _used(result: ScenarioResult) -> dict[str, str]:
    """Headers saying which draws and seed a run used."""
    return {
        "X-Peervalue-Draws": str(result.uncertainty.draws),
        "X-Peervalue-Seed": str(result.uncertainty.seed),
    }


@router.post(
    "/scenarios/{scenario_id}/run",
    tags=["scenarios"],
    response_model=ScenarioResult,
    responses={**NOT_FOUND, **TIMED_OUT},
)
async def run_saved_scenario(
    scenario_id: uuid.UUID,
    request: Request,
    draws: Annotated[
        int | None,
        Query(ge=1, le=MAX_WEB_SCENARIO_DRAWS, description="default: the case's own draws"),
    ] = None,
    seed: CaseSeed = None,
) -> Any:
    """Run a saved scenario with its uncertainty, at its own draws and seed unless given
    (the answer's ``uncertainty`` and the X-Peervalue-Draws/Seed headers say which)."""
    from peervalue.service.scenario import run_scenario as run

    saved = await run_in_threadpool(_store(request).get, str(scenario_id))
    if saved is None:
        return _missing(scenario_id)
    scenario = saved_run_request(saved, draws, seed)
    result = await limited(request, lambda: run(scenario))
    return JSONResponse(result.model_dump(mode="json"), headers=_used(result))


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
        found.append(saved_run_request(saved, body.draws, body.seed))
    return await limited(request, lambda: ScenarioComparison(scenarios=[run(s) for s in found]))


# --- reports ---------------------------------------------------------------------------

if TYPE_CHECKING:
    ReportFormat = str
else:  # the extensions of the document-format registry, as a Literal (the schema's enum)
    ReportFormat = Literal[tuple(document_formats())]
_FORMATS_IN_WORDS = extensions_in_words()
_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file (an attachment)",
        "content": {
            f.media_type.split(";")[0]: {
                "schema": {"type": "string", "format": "binary"} if f.binary else {"type": "string"}
            }
            for f in document_formats().values()
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
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{fmt}"',
            # which draws and seed the report's Monte Carlo used
            "X-Peervalue-Draws": str(request.draws),
            "X-Peervalue-Seed": str(request.seed),
        },
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
    format: Annotated[ReportFormat, Query(description=_FORMATS_IN_WORDS)] = "html",
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
    format: Annotated[ReportFormat, Query(description=_FORMATS_IN_WORDS)] = "xlsx",
    draws: Annotated[
        int | None,
        Query(ge=1, le=MAX_WEB_REPORT_DRAWS, description="default: the case's own draws"),
    ] = None,
    seed: CaseSeed = None,
) -> Response:
    """The report of a saved scenario, as HTML, PDF or an Excel workbook, at the case's own
    draws and seed unless given (the X-Peervalue-Draws/Seed headers say which)."""
    saved = await run_in_threadpool(_store(request).get, str(scenario_id))
    if saved is None:
        return _missing(scenario_id)
    scenario = resolve_saved(saved).scenario
    used_draws = draws if draws is not None else scenario.monte_carlo.draws
    used_seed = seed if seed is not None else scenario.monte_carlo.seed
    from peervalue.service.requests import make_request

    body = make_request(
        WebReportRequest,
        {"draws": "query.draws", "seed": "query.seed"},
        scenario=scenario,
        draws=used_draws,
        seed=used_seed,
    )
    return await limited(request, lambda: report_response(body, format, f"peervalue-{scenario_id}"))

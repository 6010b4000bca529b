"""The library's requests as the web API accepts them: the same models, with no file path
and a bounded amount of work.

A request from the network may name a bundled cost set or a bundled evidence set, or send a
study list or a cost document in its body; it may never name a file or a folder on the
server. The fields the library types as ``Path | document`` are retyped here as a document
or a bundled name, so a path is refused at validation, before any file is touched, and a
bundled name is turned into its file inside the installed package (never looked up in the
server's working directory). A scenario document may name a bundled cost set and a bundled
evidence set only (:class:`WebScenarioFile`). The command line keeps reading files as before.

Monte Carlo draws are capped lower than on the command line, and so is the product of
studies and draws (:data:`MAX_WEB_STUDY_DRAWS`): the memory and time a run takes grow with
both (``benchmarks/web_memory.py`` measures the worst request these caps allow).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final, Self, TypeVar

from pydantic import (
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from peervalue.costs.schema import CostFile
from peervalue.evidence.schema import Study
from peervalue.scenario.schema import Costs, Evidence, ScenarioFile
from peervalue.service.requests import (
    AnalysisRequest,
    PsaRequest,
    ReportRequest,
    ScenarioRequest,
    SensitivityRequest,
    ThresholdRequest,
)

D = TypeVar("D", bound=Mapping[str, Any])

#: the most Monte Carlo draws one web request may ask for
MAX_WEB_DRAWS = 200_000
MAX_WEB_SCENARIO_DRAWS = 50_000
#: a report runs every figure's analysis (EVPPI included) from its draws
MAX_WEB_REPORT_DRAWS = 50_000
DEFAULT_WEB_REPORT_DRAWS = 10_000
#: the most studies x draws one Monte Carlo request may ask for (a run holds a few bytes
#: per study and draw, and works through its draws in chunks of bounded size)
MAX_WEB_STUDY_DRAWS: Final = 4_000_000
#: the same for a report, which runs a dozen analyses from its draws (the cumulative one
#: holds every step's draws, EVPPI every input's)
MAX_WEB_REPORT_STUDY_DRAWS: Final = 500_000
#: a report's cumulative analysis, leave-one-out, forest plots and EVPPI by study grow as
#: studies^2: the most studies a report sent over the web may hold
MAX_WEB_REPORT_STUDIES: Final = 50
#: leave-one-out and subgroups pool once for each study left out: studies^2 x draws
MAX_WEB_INFLUENCE_WORK: Final = 40_000_000

#: why a folder is not accepted from the network, and what to send instead
NO_FOLDER = (
    "the web reads no files, so 'evidence.folder' cannot be used here; choose a bundled "
    "evidence set with 'evidence.set' (GET /api/v1/evidence-sets), or send the studies "
    "themselves in 'evidence' of POST /api/v1/analysis, /psa, /sensitivity or /reports; a "
    "scenario file with a folder of studies runs with the command line "
    "(peervalue scenario run FILE)"
)


@cache
def _cost_set_files() -> dict[str, Path]:
    from peervalue.costs.load import bundled_cost_sets

    return bundled_cost_sets()


def _names() -> str:
    return ", ".join(_cost_set_files())


def bundled_cost_set(value: Any) -> Any:
    """A bundled cost set's name, as its file inside the package (never a path from the
    request, and never looked up in the working directory). Other text is refused without
    touching the file system (one error, not one per member of the union); a document is
    left to the union."""
    if isinstance(value, str):
        found = _cost_set_files().get(value)
        if found is not None:
            return found
        raise ValueError(
            f"{_shown(value)} is not a bundled cost set; the web reads no files: give a "
            f"bundled cost set's name ({_names()}), or a cost document in the body"
        )
    if isinstance(value, Path) and value not in _cost_set_files().values():
        raise ValueError("the web reads no files: give a bundled cost set's name")
    return value  # a document fails here as a path, and is read as a cost document


def _shown(text: str) -> str:
    """A refused value, quoted and cut short (it is the client's own text, never a file's)."""
    return repr(text if len(text) <= 80 else text[:77] + "...")


#: a bundled cost set, by name (the JSON schema lists the names)
BundledCostSet = Annotated[
    Path,
    WithJsonSchema(
        {
            "type": "string",
            "enum": list(_cost_set_files()),
            "description": "a bundled cost set's name (GET /api/v1/costs)",
        }
    ),
]


def _no_study_folder(evidence: Any) -> Any:
    if isinstance(evidence, str):
        raise ValueError(
            "the web reads no files: send the studies themselves (a list of study documents, "
            "GET /api/v1/evidence/{id} shows one), or choose a bundled set with "
            "'evidence_set' (GET /api/v1/evidence-sets)"
        )
    return evidence


class WebScenarioCosts(Costs):
    """A scenario's ``[costs]`` from the network: the cost set is a bundled one, by name."""

    set: str = Field(
        min_length=1,
        json_schema_extra={"enum": list(_cost_set_files())},
        description="a bundled cost set's name (GET /api/v1/costs)",
    )

    @field_validator("set")
    @classmethod
    def _bundled(cls, name: str) -> str:
        if name not in _cost_set_files():
            raise ValueError(
                f"{_shown(name)} is not a bundled cost set; the web reads no files: give one "
                f"of {_names()} (GET /api/v1/costs), with the scenario's own unit costs in "
                "cost_per_bed_day, salary or cost_per_fte_year"
            )
        return name


class WebScenarioEvidence(Evidence):
    """A scenario's ``[evidence]`` from the network: a bundled evidence set, never a folder."""

    folder: str | None = Field(default=None, description="not accepted over the web")

    @field_validator("folder")
    @classmethod
    def _no_folder(cls, folder: str | None) -> str | None:
        if folder is not None:
            raise ValueError(NO_FOLDER)
        return folder


class WebScenarioFile(ScenarioFile):
    """A scenario document as the web takes it: bundled cost and evidence sets only, checked
    by name at validation (no file is read or looked for)."""

    costs: WebScenarioCosts
    evidence: WebScenarioEvidence


def web_document(document: D) -> D:
    """A scenario document to save, as sent (the case's own figures, in any format): its
    cost set a bundled one and no evidence folder, checked before it is read as a scenario
    (so before anything could look at a file)."""
    costs = document.get("costs")
    name = costs.get("set") if isinstance(costs, Mapping) else None
    if name is not None and (not isinstance(name, str) or name not in _cost_set_files()):
        shown = _shown(name) if isinstance(name, str) else type(name).__name__
        raise ValueError(
            f"costs.set {shown} is not a bundled cost set; the web reads no files: give one of "
            f"{_names()} (GET /api/v1/costs), with the scenario's own unit costs in "
            "cost_per_bed_day, salary or cost_per_fte_year"
        )
    evidence = document.get("evidence")
    if isinstance(evidence, Mapping) and evidence.get("folder") is not None:
        raise ValueError(NO_FOLDER.replace("'evidence.folder'", "'evidence.folder' of a case"))
    return document


def _no_scenario_file(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(
            "the web reads no files: send the scenario document itself (a scenario file's "
            "tables as JSON), not a path"
        )
    if isinstance(value, ScenarioFile) and not isinstance(value, WebScenarioFile):
        return value.model_dump()  # the form's document: checked again as the web's
    return value


#: a scenario document as the web takes it: never a path, bundled cost and evidence sets only
WebScenario = Annotated[WebScenarioFile, BeforeValidator(_no_scenario_file)]
#: studies in the body, never a path
WebStudies = Annotated[list[Study] | None, BeforeValidator(_no_study_folder)]
#: unit costs: a bundled set's name or a cost document, never a path
WebCosts = Annotated[BundledCostSet | CostFile | None, BeforeValidator(bundled_cost_set)]


def _refuse_work(evidence: Any, draws: int, limit: int, command: str, groups: int = 1) -> None:
    """Refuse studies sent in the body when studies x draws (x ``groups``, the pooled
    results each draw is used for) is over ``limit``; the bundled evidence (17 studies at
    most) fits every cap."""
    if not isinstance(evidence, list):
        return
    studies = len(evidence)
    work = studies * draws * groups
    if work > limit:
        most = max(1, limit // max(studies * groups, 1))
        what = f"{studies:,} studies x {draws:,} draws"
        if groups > 1:
            what += f" x {groups:,} studies left out in turn"
        raise ValueError(
            f"{what} = {work:,}; the web runs at most {limit:,} in one request: ask for at "
            f"most {most:,} draws with these studies, or send fewer studies (the command line, "
            f"peervalue {command}, has no such cap)"
        )


class WebAnalysisRequest(AnalysisRequest):
    """The reference analysis (``POST /api/v1/analysis``)."""

    evidence: WebStudies = None
    costs: WebCosts = None
    leave_one_out: bool = False
    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_DRAWS)] = 20_000

    @model_validator(mode="after")
    def _bounded_influence(self) -> Self:
        """Leave-one-out and subgroups run the Monte Carlo once for every group."""
        if self.leave_one_out or self.subgroup is not None:
            _refuse_work(self.evidence, self.draws, MAX_WEB_STUDY_DRAWS, "analyse")
        if self.leave_one_out and self.evidence is not None:
            # one pooled result for each study left out: studies x studies x draws
            groups = len(self.evidence)
            _refuse_work(self.evidence, self.draws, MAX_WEB_INFLUENCE_WORK, "analyse", groups)
        return self


class WebPsaRequest(PsaRequest):
    """A Monte Carlo summary (``POST /api/v1/psa``); draws are capped for the web, and so
    are studies x draws."""

    evidence: WebStudies = None
    costs: WebCosts = None
    #: the default is checked too: many studies at the default draws can be over the cap
    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_DRAWS, validate_default=True)] = (
        20_000
    )
    keep_draws: bool = Field(default=False, exclude=True)

    @field_validator("keep_draws")
    @classmethod
    def _no_kept_draws(cls, keep: bool) -> bool:
        if keep:
            raise ValueError("the web API returns summaries; the draws are not kept")
        return keep

    @field_validator("draws")
    @classmethod
    def _bounded_work(cls, draws: int, info: ValidationInfo) -> int:
        _refuse_work(info.data.get("evidence"), draws, MAX_WEB_STUDY_DRAWS, "psa")
        return draws


class WebSensitivityRequest(SensitivityRequest):
    """One-way sensitivity (``POST /api/v1/sensitivity``)."""

    evidence: WebStudies = None
    costs: WebCosts = None


class WebThresholdRequest(ThresholdRequest):
    """Break-even values (``POST /api/v1/thresholds``)."""

    evidence: WebStudies = None
    costs: WebCosts = None


class WebScenarioRequest(ScenarioRequest):
    """A business case run from a scenario document (``POST /api/v1/scenarios/run``)."""

    scenario: WebScenario
    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_SCENARIO_DRAWS)] | None = None

    @model_validator(mode="after")
    def _document_draws_capped(self) -> Self:
        """Without ``draws`` the document's own ``[monte_carlo] draws`` are run: the same cap."""
        if self.draws is None:
            asked = self.scenario.monte_carlo.draws
            if asked > MAX_WEB_SCENARIO_DRAWS:
                raise ValueError(
                    f"the scenario's monte_carlo.draws is {asked:,}; the web runs at most "
                    f"{MAX_WEB_SCENARIO_DRAWS:,} draws: give 'draws' or lower monte_carlo.draws"
                )
        return self


class WebReportRequest(ReportRequest):
    """A report (``POST /api/v1/reports``), with or without a business case."""

    evidence: WebStudies = None
    costs: WebCosts = None
    scenario: WebScenario | None = None
    draws: Annotated[
        int, Field(strict=True, ge=1, le=MAX_WEB_REPORT_DRAWS, validate_default=True)
    ] = DEFAULT_WEB_REPORT_DRAWS

    @field_validator("evidence")
    @classmethod
    def _few_studies(cls, evidence: list[Study] | None) -> list[Study] | None:
        if evidence is not None and len(evidence) > MAX_WEB_REPORT_STUDIES:
            raise ValueError(
                f"got {len(evidence):,} studies; a report over the web holds at most "
                f"{MAX_WEB_REPORT_STUDIES} (its cumulative analysis and figures grow with the "
                "square of the number): send fewer studies, ask for the analyses themselves "
                "(POST /api/v1/analysis, /psa, /sensitivity), or make the report with the "
                "command line (peervalue report), which has no such cap"
            )
        return evidence

    @field_validator("draws")
    @classmethod
    def _bounded_work(cls, draws: int, info: ValidationInfo) -> int:
        _refuse_work(info.data.get("evidence"), draws, MAX_WEB_REPORT_STUDY_DRAWS, "report")
        return draws

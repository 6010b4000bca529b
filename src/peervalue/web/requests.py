"""The library's requests as the web API accepts them: the same models, with no file path.

A request from the network may name a bundled cost set, or send a study list or a cost
document in its body; it may never name a file on the server. Monte Carlo draws are
capped lower than on the command line, so one request cannot hold a worker for long.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator

from peervalue.scenario.schema import ScenarioFile
from peervalue.service.requests import (
    AnalysisRequest,
    PsaRequest,
    ReportRequest,
    ScenarioRequest,
    SensitivityRequest,
    ThresholdRequest,
)

#: the most Monte Carlo draws one web request may ask for
MAX_WEB_DRAWS = 200_000
MAX_WEB_SCENARIO_DRAWS = 50_000
#: a report runs every figure's analysis (EVPPI included) from its draws
MAX_WEB_REPORT_DRAWS = 50_000
DEFAULT_WEB_REPORT_DRAWS = 10_000


def _no_server_paths(value: Any, field: str) -> Any:
    if isinstance(value, Path):
        if field == "costs":
            from peervalue.costs.load import bundled_cost_sets

            if str(value) in bundled_cost_sets():
                return value
            raise ValueError(
                f"{str(value)!r} is not a bundled cost set; the web API reads no files: give a "
                f"bundled cost set's name ({', '.join(bundled_cost_sets())}) or a cost document"
            )
        raise ValueError(
            f"the web API reads no files: give the {field} in the request body, not a path"
        )
    return value


class _NoPaths:
    @field_validator("evidence", "costs", "scenario", check_fields=False)
    @classmethod
    def _refuse_paths(cls, value: Any, info: Any) -> Any:
        return _no_server_paths(value, info.field_name)


class WebAnalysisRequest(_NoPaths, AnalysisRequest):
    """The reference analysis (``POST /api/v1/analysis``)."""

    leave_one_out: bool = False
    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_DRAWS)] = 20_000


class WebPsaRequest(_NoPaths, PsaRequest):
    """A Monte Carlo summary (``POST /api/v1/psa``); draws are capped for the web."""

    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_DRAWS)] = 20_000
    keep_draws: bool = Field(default=False, exclude=True)

    @field_validator("keep_draws")
    @classmethod
    def _no_kept_draws(cls, keep: bool) -> bool:
        if keep:
            raise ValueError("the web API returns summaries; the draws are not kept")
        return keep


class WebSensitivityRequest(_NoPaths, SensitivityRequest):
    """One-way sensitivity (``POST /api/v1/sensitivity``)."""


class WebThresholdRequest(_NoPaths, ThresholdRequest):
    """Break-even values (``POST /api/v1/thresholds``)."""


class WebScenarioRequest(_NoPaths, ScenarioRequest):
    """A business case run from a scenario document (``POST /api/v1/scenarios/run``)."""

    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_SCENARIO_DRAWS)] | None = None

    @model_validator(mode="after")
    def _document_draws_capped(self) -> Self:
        """Without ``draws`` the document's own ``[monte_carlo] draws`` are run: the same cap."""
        if self.draws is None and isinstance(self.scenario, ScenarioFile):
            asked = self.scenario.monte_carlo.draws
            if asked > MAX_WEB_SCENARIO_DRAWS:
                raise ValueError(
                    f"the scenario's monte_carlo.draws is {asked:,}; the web runs at most "
                    f"{MAX_WEB_SCENARIO_DRAWS:,} draws: give 'draws' or lower monte_carlo.draws"
                )
        return self


class WebReportRequest(_NoPaths, ReportRequest):
    """A report (``POST /api/v1/reports``), with or without a business case."""

    draws: Annotated[int, Field(strict=True, ge=1, le=MAX_WEB_REPORT_DRAWS)] = (
        DEFAULT_WEB_REPORT_DRAWS
    )

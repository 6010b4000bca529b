"""Figures from a request: run each result the figures need, once, then draw.

``collect`` returns the :class:`~peervalue.figures.catalogue.FigureInputs`; the
report uses it for every figure at once, ``peervalue plot`` for one.
``figure_bytes`` draws one figure and returns the PNG or SVG file's bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from peervalue.errors import field_error, field_ref, input_error, see_also
from peervalue.figures.catalogue import FIGURES, FigureInputs, Need
from peervalue.service.requests import (
    AnalysisRequest,
    EvppiRequest,
    MetaRequest,
    PlotRequest,
    PsaRequest,
    ReconcileRequest,
    ScenarioRequest,
    SensitivityRequest,
    TwoWayRequest,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from peervalue.service.runs import Progress

ImageFormat = Literal["png", "svg"]


def needs_of(request: PlotRequest) -> set[Need]:
    """The results the request's figures are drawn from; a business-case figure without a
    scenario is an error that says how to give one."""
    needs: set[Need] = set()
    for name in request.figures:
        spec = FIGURES[name]
        if spec.scope == "scenario" and request.scenario is None:
            raise field_error(
                "scenario",
                f"the {name!r} figure is drawn for a business case, and none was given",
                f"{field_ref('scenario', 'FILE')} ({see_also('new-scenario')} makes one)",
            )
        needs.update(spec.needs)
    return needs


def collect(
    request: PlotRequest, progress: Progress | None = None, evppi_draws: int = 200_000
) -> FigureInputs:
    """Run, once each, the results the request's figures need (EVPPI on at most
    ``evppi_draws`` draws: its regressions hold every input's draws)."""
    from peervalue.service.evppi import run_evppi
    from peervalue.service.reconcile import run_reconcile
    from peervalue.service.runs import run_analysis, run_meta, run_psa, run_sensitivity
    from peervalue.service.scenario import resolve_scenario, run_scenario
    from peervalue.service.two_way import run_two_way

    needs = needs_of(request)
    common: dict[str, Any] = {
        "evidence": request.evidence,
        "evidence_label": request.evidence_label,
        "evidence_set": request.evidence_set,
        "resources": request.resources,
        "costs": request.costs,
        "weighting": request.weighting,
        "price_year": request.price_year,
        "indexation": request.indexation,
        "cost_basis": request.cost_basis,
    }
    found: dict[str, Any] = {}
    # the business case's files are read once, for its result and its two-way grid
    files = (
        resolve_scenario(request.scenario)
        if request.scenario is not None
        and needs & {"two_way", "scenario", "case_tornado", "case_two_way"}
        else None
    )
    if needs & {"analysis", "leave_one_out"}:
        found["analysis"] = run_analysis(
            AnalysisRequest(
                **common,
                with_reference=True,
                leave_one_out="leave_one_out" in needs,
                draws=request.draws,
                seed=request.seed,
            )
        )
    if "psa" in needs:
        found["psa"] = run_psa(
            PsaRequest(**common, draws=request.draws, seed=request.seed, keep_draws=True),
            progress,
        )
    if "meta" in needs:
        found["meta"] = run_meta(MetaRequest(**common))
    if "sensitivity" in needs:
        found["sensitivity"] = run_sensitivity(SensitivityRequest(**common))
    if "two_way" in needs:
        axes = ("caseload", "cost_per_bed_day")
        if request.scenario is not None:
            found["two_way"] = run_two_way(
                TwoWayRequest(axes=axes, scenario=request.scenario, seed=request.seed), files
            )
        else:
            found["two_way"] = run_two_way(TwoWayRequest(**common, axes=axes, seed=request.seed))
    if "scenario" in needs and request.scenario is not None:
        found["scenario"] = run_scenario(
            ScenarioRequest(scenario=request.scenario, seed=request.seed), files
        )
    if needs & {"case_tornado", "case_two_way"} and request.scenario is not None:
        from peervalue.service.case_sensitivity import case_figures

        found.update(case_figures(request.scenario, needs, request.draws, request.seed, files))
    if "reconcile" in needs:
        found["reconcile"] = run_reconcile(
            ReconcileRequest(evidence=_path(request.evidence), costs=_path(request.costs))
        )
    if "cumulative" in needs:
        from peervalue.service.cumulative import run_cumulative
        from peervalue.service.requests import CumulativeRequest

        found["cumulative"] = run_cumulative(
            CumulativeRequest(
                **common, draws=max(100, min(request.draws, 200_000)), seed=request.seed
            )
        )
    if "evppi" in needs:
        found["evppi"] = run_evppi(
            EvppiRequest(
                **common, draws=max(100, min(request.draws, evppi_draws)), seed=request.seed
            )
        )
    if "synthesis" in needs:
        from peervalue.service.requests import SynthesisRequest
        from peervalue.service.synthesis import run_synthesis

        found["synthesis"] = run_synthesis(
            SynthesisRequest(evidence=request.evidence, evidence_set=request.evidence_set)
        )
    if "evsi" in needs:
        from peervalue.service.evsi import run_evsi
        from peervalue.service.requests import EvsiRequest

        found["evsi"] = run_evsi(
            EvsiRequest(
                evidence=request.evidence,
                evidence_set=request.evidence_set,
                costs=request.costs,
                price_year=request.price_year,
                draws=max(1_000, min(request.draws, 200_000)),
                seed=request.seed,
            )
        )
    return FigureInputs(**found)


def _path(value: object) -> Path | None:
    if value is None or isinstance(value, Path):
        return value
    raise input_error(
        "evidence",
        "",
        "the bridge to the published result reads its inputs from files",
        "evidence and costs as paths (or the bundled ones)",
    )


def draw(name: str, inputs: FigureInputs) -> Figure:
    """One figure, in the package's style."""
    from peervalue.figures.charts import style_context

    with style_context():
        return FIGURES[name].draw(inputs)


def figure_bytes(name: str, inputs: FigureInputs, fmt: ImageFormat) -> bytes:
    """One figure as the bytes of a PNG or SVG file (the SVG with its alt text as title)."""
    from peervalue.figures.charts import style_context

    spec = FIGURES[name]
    with style_context():
        fig = spec.draw(inputs)
        buffer = io.BytesIO()
        metadata: dict[str, Any] = (
            {"Title": spec.title, "Description": spec.alt(inputs), "Date": None}
            if fmt == "svg"
            else {"Title": spec.title, "Description": spec.alt(inputs), "Software": None}
        )
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()

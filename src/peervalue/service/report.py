"""Everything a report shows, computed once: the figures' results, the inputs' hashes and
how to run it again. Renderers (HTML, PDF, workbook) only lay it out."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from peervalue.figures.catalogue import FIGURES
from peervalue.report.data import InputFile, ReportContent
from peervalue.report.formats import document_formats
from peervalue.service.requests import PlotRequest, ReportRequest

if TYPE_CHECKING:
    from peervalue.service.inputs import Prepared

__all__ = [
    "REPORT_EVPPI_DRAWS",
    "REPORT_FORMATS",
    "InputFile",
    "ReportData",
    "draw_figures",
    "input_files",
    "report_bytes",
    "report_figures",
    "report_html",
    "run_report",
]

#: the report formats, by file extension, with their media types (from the registry)
REPORT_FORMATS: Final = {e: f.media_type for e, f in document_formats().items()}

#: the EVPPI regressions hold every input's draws: a report caps them here (stated in it)
REPORT_EVPPI_DRAWS = 20_000


@dataclass(frozen=True, kw_only=True)
class ReportData(ReportContent):
    """A report's content with the request it answers and its inputs as the run prepared
    them (the workbook lists the studies and unit costs from these, reading no file again)."""

    request: ReportRequest
    prepared: Prepared | None = None


def shown_path(path: Path) -> str:
    """How a report names a file it read: one of the installed package's own files as
    ``peervalue/data/...`` (the server's or the user's folders are nobody else's business,
    and the hash identifies the file), any other as it was given."""
    from importlib import resources

    root = os.path.abspath(str(resources.files("peervalue")))
    full = os.path.abspath(path)
    if os.path.commonpath([root, full]) == root:
        return "peervalue/" + Path(os.path.relpath(full, root)).as_posix()
    return str(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(request: ReportRequest) -> list[InputFile]:
    """Every file the report read, with its SHA-256 (in-memory documents are not files)."""
    from peervalue.costs.load import cost_file_path
    from peervalue.evidence.load import bundled_evidence_dir, study_files

    files: list[InputFile] = []
    evidence = request.evidence
    if request.evidence_set is not None and not isinstance(evidence, list):
        from peervalue.service.inputs import resolve_evidence

        chosen = resolve_evidence(request).files
        files += [InputFile("study", shown_path(p), _sha256(p)) for p in chosen]
    elif evidence is None or isinstance(evidence, Path):
        where = bundled_evidence_dir() if evidence is None else evidence
        paths = study_files(where) if where.is_dir() else [where]
        files += [InputFile("study", shown_path(p), _sha256(p)) for p in paths]
    costs = request.costs
    if costs is None or isinstance(costs, Path | str):
        path = cost_file_path(costs)
        files.append(InputFile("costs", shown_path(path), _sha256(path)))
    if isinstance(request.scenario, Path):
        files.append(InputFile("scenario", str(request.scenario), _sha256(request.scenario)))
    return files


def report_figures(request: ReportRequest) -> tuple[str, ...]:
    """The figures a report draws: all of them but those drawn only by ``peervalue plot``
    (the funnel plot), the business-case ones only with a scenario, and the bridge to the
    published result only for the report's six studies read from files."""
    from peervalue.service.reconcile import not_the_six

    # the bridge runs from the six to the published 4.8: only for those studies
    from_files = all(
        x is None or isinstance(x, Path | str) for x in (request.evidence, request.costs)
    ) and request.evidence_set in (None, "cmh2013")
    if from_files and request.evidence is not None:
        from_files = not_the_six(request.evidence) is None  # type: ignore[arg-type]
    return tuple(
        name
        for name, spec in FIGURES.items()
        if (spec.scope != "scenario" or request.scenario is not None)
        and spec.scope != "plot"
        and (name != "bridge" or from_files)
    )


def run_report(request: ReportRequest, command: str = "", progress: object = None) -> ReportData:
    from peervalue.service.inputs import one_load_per_run

    # every analysis of the report (and the workbook's inputs sheets) reads each file once
    with one_load_per_run():
        return _run_report(request, command, progress)


def _run_report(request: ReportRequest, command: str, progress: object) -> ReportData:
    from peervalue._version import package_version
    from peervalue.service.figures import collect
    from peervalue.service.inputs import prepare

    figures = report_figures(request)
    plot = PlotRequest(
        figures=figures,
        evidence=request.evidence,
        evidence_set=request.evidence_set,
        resources=request.resources,
        costs=request.costs,
        weighting=request.weighting,
        price_year=request.price_year,
        indexation=request.indexation,
        cost_basis=request.cost_basis,
        draws=request.draws,
        seed=request.seed,
        scenario=request.scenario,
    )
    inputs = collect(plot, progress, evppi_draws=REPORT_EVPPI_DRAWS)  # type: ignore[arg-type]
    return ReportData(
        request=request,
        prepared=prepare(request),
        inputs=inputs,
        figures=figures,
        files=input_files(request),
        version=package_version(),
        command=command,
        draws=request.draws,
        seed=request.seed,
        evppi_draws=min(request.draws, REPORT_EVPPI_DRAWS),
    )


def draw_figures(data: ReportContent) -> Mapping[str, bytes]:
    """Every figure the report shows, drawn as SVG, by name."""
    from peervalue.service.figures import figure_bytes

    return {name: figure_bytes(name, data.inputs, "svg") for name in data.figures}


def report_html(data: ReportContent) -> str:
    """The report as one self-contained HTML page, its figures drawn here."""
    from peervalue.report.html_report import render_html

    return render_html(data, draw_figures(data))


def report_bytes(data: ReportData, fmt: str) -> bytes:
    """The report as a file's bytes in a document format (:mod:`peervalue.report.formats`):
    ``html`` (self-contained), ``pdf`` or ``xlsx``; what the format needs is prepared here."""
    from peervalue.report.formats import DocumentParts, build_document

    if fmt not in REPORT_FORMATS:
        raise ValueError(f"no report format {fmt!r}")
    needs = document_formats()[fmt].needs
    figures = draw_figures(data) if "figures" in needs else {}
    if "inputs" in needs:
        assert data.inputs.analysis is not None
        prepared = data.prepared
        if prepared is None:  # report data made otherwise than by run_report
            from peervalue.service.inputs import prepare

            prepared = prepare(data.request)
        parts = DocumentParts(figures=figures, evidence=prepared.evidence, costs=prepared.costs)
    else:
        parts = DocumentParts(figures=figures)
    return build_document(fmt, data, parts)

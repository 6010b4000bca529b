"""Everything a report shows, computed once: the figures' results, the inputs' hashes and
how to run it again. Renderers (HTML, PDF, workbook) only lay it out."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from peervalue.figures.catalogue import FIGURES, FigureInputs
from peervalue.report.data import InputFile, InputRow, ReportContent, StudyFacts
from peervalue.report.formats import document_formats
from peervalue.report.input_words import shown_quantity, shown_range, source_words
from peervalue.service.requests import PlotRequest, ReportRequest

if TYPE_CHECKING:
    from peervalue.evidence.load import Evidence
    from peervalue.model.spec import ModelSpec, Parameter
    from peervalue.service.inputs import Prepared
    from peervalue.service.scenario_resolve import ResolvedFiles
    from peervalue.uncertainty.results import PsaResult

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
    ``peervalue/data/...``, a file below the working folder relative to it, any other by
    its name alone (the server's or the user's folders are nobody else's business, and the
    hash identifies the file)."""
    from importlib import resources

    root = os.path.abspath(str(resources.files("peervalue")))
    full = os.path.abspath(path)
    if os.path.commonpath([root, full]) == root:
        return "peervalue/" + Path(os.path.relpath(full, root)).as_posix()
    here = os.path.abspath(os.getcwd())
    if os.path.commonpath([here, full]) == here:
        return Path(os.path.relpath(full, here)).as_posix()
    return Path(path).name


def shown_command(command: str) -> str:
    """The command that made a report with every absolute path in it named as
    :func:`shown_path` names files (no folder of the machine that made it)."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:  # unbalanced quotes: shown as given, less any absolute path
        words = command.split()
    return shlex.join(shown_path(Path(w)) if os.path.isabs(w) else w for w in words)


def shown_text(text: str) -> str:
    """Text (an evidence label) with each absolute path in it named as :func:`shown_path`
    names files."""
    import re

    return re.sub(r"(?<![\w.])/[^\s,;()]+", lambda m: shown_path(Path(m.group(0))), text)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scenario_files(files: ResolvedFiles, scenario: object) -> list[InputFile]:
    """The files a business case read: its scenario file, its cost file (a bundled set's
    own file) and its study files; an in-memory scenario is not a file."""
    from peervalue.costs.load import bundled_cost_sets

    found: list[InputFile] = []
    if isinstance(scenario, Path):
        found.append(InputFile("scenario", shown_path(scenario), _sha256(scenario)))
    s = files.loaded.scenario.costs
    bundled = bundled_cost_sets().get(s.set)
    cost_path = bundled
    if cost_path is None:
        from peervalue.service.scenario_resolve import read_paths

        cost_path = next((p for p in read_paths(files) if p.is_file()), None)
    if cost_path is not None:
        found.append(InputFile("costs", shown_path(cost_path), _sha256(cost_path)))
    found += [InputFile("study", shown_path(p), _sha256(p)) for p in files.study_files]
    return found


def input_files(request: ReportRequest, scenario: ResolvedFiles | None = None) -> list[InputFile]:
    """Every file the report read, with its SHA-256 (in-memory documents are not files);
    for a business case (``scenario``, resolved), exactly the files the case read."""
    from peervalue.costs.load import cost_file_path
    from peervalue.evidence.load import bundled_evidence_dir, study_files

    if scenario is not None:
        return _scenario_files(scenario, request.scenario)
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
        files.append(InputFile("scenario", shown_path(request.scenario), _sha256(request.scenario)))
    return files


def for_business_case(request: ReportRequest) -> tuple[ReportRequest, ResolvedFiles | None]:
    """The request every section of a report runs on. With a scenario, its own studies
    (pooled and not), its cost set with its own unit costs and its price year take the
    place of the request's evidence and costs, so the whole report is one analysis; a
    scenario with its own estimate of the effect has no studies, and the report's evidence
    sections keep the request's (stated in the report). Evidence, costs or a price year
    given beside a scenario are refused: the scenario file says which it uses."""
    from peervalue.errors import field_error, field_ref
    from peervalue.service.scenario_resolve import resolve_scenario

    if request.scenario is None:
        return request, None
    given = [
        f
        for f in ("evidence", "evidence_set", "costs", "price_year", "cost_basis")
        if getattr(request, f) is not None
    ]
    if given:
        raise field_error(
            given[0],
            "a business case's report uses the scenario's own evidence, costs and price year",
            f"no {field_ref(given[0])} with a scenario: set it in the scenario file "
            "([evidence] folder or set, [costs] set, [scenario] price_year)",
        )
    files = resolve_scenario(request.scenario)
    update: dict[str, object] = {
        "costs": files.costs,
        "price_year": files.loaded.scenario.scenario.price_year,
    }
    if files.studies:
        update["evidence"] = [*files.studies, *files.not_pooled]
        update["evidence_label"] = (
            f"the business case's evidence: {shown_text(files.evidence_label)}"
        )
    return request.model_copy(update=update), files


def bridge_defined(request: ReportRequest) -> bool:
    """Whether the bridge to the published 4.8 : 1 is defined for the request: only for the
    2013 report's six studies (bundled, or a folder of their files) with costs at 2011-12
    prices built from components (its first step moves to the pay basis), reported at
    2011-12 prices, where its steps and their shares mean what they say."""
    from peervalue.service.inputs import resolve_costs
    from peervalue.service.reconcile import not_the_six

    if request.scenario is not None or isinstance(request.evidence, list):
        return False
    if request.evidence_set not in (None, "cmh2013") or request.cost_basis is not None:
        return False
    if request.price_year not in (None, "2011-12") or not (
        request.costs is None or isinstance(request.costs, Path | str)
    ):
        return False
    costs = resolve_costs(request)
    if costs.price_year != "2011-12" or costs.peer_worker.components is None:
        return False
    return request.evidence is None or not_the_six(request.evidence) is None


def study_facts(evidence: Evidence) -> list[StudyFacts]:
    """Each study the report read, pooled ones first: what kind of source, its follow-up and
    outcome, and for a study recorded but not pooled the reason its file gives."""
    facts = []
    for s in evidence.listed:
        q = s.follow_up
        reason = str(getattr(s.outcome, "reason", "") or "")
        facts.append(
            StudyFacts(
                id=s.id,
                citation=f"{' '.join(s.citation.authors[:1])}"
                + (" et al." if len(s.citation.authors) > 1 else "")
                + f" {s.citation.year}",
                published=bool(s.citation.journal or s.citation.doi),
                follow_up=f"{q.value:g} {q.unit}",
                outcome=s.outcome.kind.replace("_", " "),
                pooled=s in evidence.studies,
                reason=" ".join(reason.split()),
            )
        )
    return facts


def _drawn_terms(p: Parameter, price_year: str) -> str:
    """The terms the model draws a figure in where the file gives it in others: a duration
    in years (the file's months or weeks), a cost at the analysis's prices (``x factor``
    from the file's price year); the distribution's numbers are in those terms."""
    q = p.quantity
    if p.factor == 1.0:
        return ""
    if p.model_unit != q.unit:
        return f", in {p.model_unit} (x {p.factor:.6g} from {q.unit})"
    if q.price_year is not None and q.price_year != price_year:
        return f", at {price_year} prices (x {p.factor:.6g} from {q.price_year})"
    return ""


def input_rows(spec: ModelSpec, psa: PsaResult | None) -> list[InputRow]:
    """Every model input with its value, range, how it is drawn, its source and status."""
    drawn = {d.parameter: d.description for d in psa.distributions} if psa else {}
    rows = []
    for p in spec.parameters:
        q = p.quantity
        rows.append(
            InputRow(
                name=p.name,
                value=shown_quantity(q),
                range=shown_range(q),
                distribution=drawn.get(p.name, "fixed") + _drawn_terms(p, spec.price_year),
                source=source_words(q),
                status=str(getattr(q.status, "value", q.status)),
            )
        )
    return rows


def scope_words(request: ReportRequest, scenario: ResolvedFiles | None) -> str:
    """What a business case's report runs on, in a sentence (empty without a scenario)."""
    if scenario is None:
        return ""
    s = scenario.loaded.scenario
    costs = f"costs {scenario.costs.name}"
    if scenario.studies:
        return (
            f"Every section of this report uses the business case's own inputs: its evidence "
            f"({shown_text(scenario.evidence_label)}), its {costs} and its price year "
            f"({s.scenario.price_year})."
        )
    return (
        "The business case uses its own estimate of the effect, not pooled studies; the "
        "evidence, results and uncertainty sections show the bundled studies at the case's "
        f"{costs} and price year ({s.scenario.price_year}), for context only."
    )


def report_figures(request: ReportRequest) -> tuple[str, ...]:
    """The figures a report draws: all of them but those drawn only by ``peervalue plot``
    (the funnel plot), the business-case ones only with a scenario, and the bridge to the
    published result only where it is defined (:func:`bridge_defined`)."""
    bridge = bridge_defined(request)
    return tuple(
        name
        for name, spec in FIGURES.items()
        if (spec.scope != "scenario" or request.scenario is not None)
        and spec.scope != "plot"
        and (name != "bridge" or bridge)
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
    from peervalue.service.report_case_inputs import case_input_rows

    request, scenario_files = for_business_case(request)
    figures = report_figures(request)
    plot = PlotRequest(
        figures=figures,
        evidence=request.evidence,
        evidence_label=request.evidence_label,
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
    inputs = _without_folders(inputs)
    prepared = prepare(request)
    return ReportData(
        request=request,
        prepared=prepared,
        studies=study_facts(prepared.evidence),
        input_rows=input_rows(prepared.spec, inputs.psa),
        case_input_rows=[]
        if scenario_files is None
        else case_input_rows(scenario_files.loaded, inputs.scenario),
        scope=scope_words(request, scenario_files),
        evidence_label=shown_text(inputs.analysis.evidence) if inputs.analysis else "",
        inputs=inputs,
        figures=figures,
        files=input_files(request, scenario_files),
        version=package_version(),
        command=shown_command(command),
        draws=request.draws,
        seed=request.seed,
        evppi_draws=min(request.draws, REPORT_EVPPI_DRAWS),
        case_text=case_text(scenario_files),
    )


def _without_folders(inputs: FigureInputs) -> FigureInputs:
    """The business case's structural panel and effect name their evidence as the run did
    (a study folder by its full path): a report names it as :func:`shown_path` names files."""
    import dataclasses

    sc = inputs.scenario
    if sc is None:
        return inputs
    # the effect names its evidence the same way (the workbook's Inputs sheet cites it)
    effect = sc.effect.model_copy(update={"evidence": shown_text(sc.effect.evidence)})
    update: dict[str, object] = {"effect": effect}
    if sc.structural is not None:
        update["structural"] = sc.structural.model_copy(
            update={"evidence": shown_text(sc.structural.evidence)}
        )
    return dataclasses.replace(inputs, scenario=sc.model_copy(update=update))


def case_text(scenario: ResolvedFiles | None) -> dict[str, str]:
    """A business case's own words for the strategic, commercial and management cases
    (its ``[case]`` table), by case; none without a scenario."""
    if scenario is None:
        return {}
    return dict(scenario.loaded.scenario.case.model_dump())


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

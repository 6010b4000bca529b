"""CSV: one row per study, pooled figure, group or grid point, with a ``row_type`` where
rows of several kinds share a file. Numbers are written with 10 significant digits; a
missing or non-finite figure is an empty cell. Built with the standard library only.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from peervalue.costs.results import CostComparison, CostSetList, RebaseResult
from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.evidence.schema import Study
from peervalue.evidence.sets import EvidenceSets
from peervalue.model.results import AnalysisResult
from peervalue.report.registry import renderer
from peervalue.report.rows import (
    PsaView,
    Row,
    analysis_rows,
    columns_of,
    evidence_rows,
    meta_rows,
    psa_rows,
    quantity_rows,
)
from peervalue.report.safe_text import csv_text
from peervalue.results.compare import EvidenceComparison
from peervalue.results.cumulative import CumulativeResult
from peervalue.results.evppi import EvppiResult
from peervalue.results.reconcile import ReconcileResult
from peervalue.scenario.case_sensitivity import CaseTornadoResult
from peervalue.scenario.results import ScenarioComparison, ScenarioResult
from peervalue.synthesis.results import SynthesisResult
from peervalue.uncertainty.results import (
    MetaRunResult,
    PsaResult,
    SensitivityResult,
    ThresholdResult,
    TwoWayResult,
)


def cell(value: Any) -> str:
    """One CSV cell: floats to 10 significant digits, missing and non-finite as empty; text
    that a spreadsheet would read as a formula with an apostrophe in front
    (:func:`~peervalue.report.safe_text.csv_text`). Numbers stay numbers, however negative."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if not math.isfinite(value) else f"{value:.10g}"
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))


def rows_to_csv(rows: list[Row], columns: list[str] | None = None) -> str:
    """CSV text with a header; ``columns`` default to every key, in order of appearance."""
    columns = columns if columns is not None else columns_of(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return buffer.getvalue()


@renderer(AnalysisResult, "csv")
def analysis_csv(result: AnalysisResult, **_: Any) -> str:
    rows = analysis_rows(result)
    return rows_to_csv(rows, columns_of(rows, last=("price_year", "currency", "cost_basis")))


@renderer(PsaResult, "csv")
def psa_csv(result: PsaResult, view: PsaView = "summary", **_: Any) -> str:
    return rows_to_csv(psa_rows(result, view))


@renderer(SensitivityResult, "csv")
def sensitivity_csv(result: SensitivityResult, **_: Any) -> str:
    return rows_to_csv([r.model_dump() for r in result.inputs])


@renderer(ThresholdResult, "csv")
def threshold_csv(result: ThresholdResult, **_: Any) -> str:
    return rows_to_csv([t.model_dump() for t in result.thresholds])


@renderer(MetaRunResult, "csv")
def meta_csv(result: MetaRunResult, **_: Any) -> str:
    return rows_to_csv(meta_rows(result))


@renderer(EvidenceSets, "csv")
def evidence_sets_csv(result: EvidenceSets, **_: Any) -> str:
    return rows_to_csv(result.rows())


@renderer(Evidence, "csv")
def evidence_csv(evidence: Evidence, **_: Any) -> str:
    return rows_to_csv(evidence_rows(evidence))


@renderer(Study, "csv")
@renderer(CostFile, "csv")
def quantities_csv(document: Study | CostFile, **_: Any) -> str:
    return rows_to_csv(quantity_rows(document))


@renderer(ScenarioResult, "csv")
def scenario_csv(result: ScenarioResult, **_: Any) -> str:
    """One row per year, then one per effect choice of the structural panel (``row_type``
    ``structural``; its columns follow the years'), then one per option (``option``), then
    who pays and who gains: one per organisation (``organisation``, discounted totals) and
    one per organisation and year (``organisation_year``)."""
    rows: list[Row] = list(result.year_rows())
    if result.structural is not None:
        rows += [{"row_type": "structural", **r} for r in result.structural.table_rows()]
    if result.options is not None:
        rows += [{"row_type": "option", **o.model_dump()} for o in result.options.options]
        rows += [
            {"row_type": "option_organisation", **o.model_dump()}
            for o in result.options.by_organisation
        ]
    by = result.by_organisation
    if by is not None:  # who pays and who gains: the discounted totals, then each year
        rows += [
            {
                "row_type": "organisation",
                **o.model_dump(exclude={"lines", "line_names"}),
                "lines": "; ".join(o.lines),
            }
            for o in by.organisations
        ]
        rows += [{"row_type": "organisation_year", **y} for y in by.rows()]
    return rows_to_csv(rows)


@renderer(EvidenceComparison, "csv")
def evidence_comparison_csv(result: EvidenceComparison, **_: Any) -> str:
    return rows_to_csv(result.rows())


@renderer(SynthesisResult, "csv")
def synthesis_csv(result: SynthesisResult, **_: Any) -> str:
    return rows_to_csv(result.rows())


@renderer(CumulativeResult, "csv")
def cumulative_csv(result: CumulativeResult, **_: Any) -> str:
    return rows_to_csv(result.rows())


@renderer(CaseTornadoResult, "csv")
def case_tornado_csv(result: CaseTornadoResult, **_: Any) -> str:
    return rows_to_csv(result.rows())


@renderer(EvppiResult, "csv")
@renderer(ReconcileResult, "csv")
@renderer(TwoWayResult, "csv")
@renderer(ScenarioComparison, "csv")
@renderer(RebaseResult, "csv")
@renderer(CostSetList, "csv")
@renderer(CostComparison, "csv")
def rows_csv(
    result: RebaseResult
    | CostSetList
    | CostComparison
    | ScenarioComparison
    | TwoWayResult
    | ReconcileResult
    | EvppiResult,
    **_: Any,
) -> str:
    return rows_to_csv(result.rows())

"""The report as a live Excel workbook (see :mod:`peervalue.report.workbook`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peervalue.report.formats import DocumentFormat, DocumentParts

if TYPE_CHECKING:
    from peervalue.report.data import ReportContent

FORMAT = DocumentFormat(
    extension="xlsx",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    title="an Excel workbook",
    order=3,
    needs=frozenset({"inputs"}),
)


def build(content: ReportContent, parts: DocumentParts) -> bytes:
    from peervalue.report.workbook import input_rows, scenario_input_rows, workbook_bytes

    data = content.inputs
    assert data.analysis is not None and parts.evidence is not None and parts.costs is not None
    rows = input_rows(parts.evidence, parts.costs)
    if data.scenario is not None:
        rows += scenario_input_rows(data.scenario)
    return workbook_bytes(analysis=data.analysis, psa=data.psa, scenario=data.scenario, inputs=rows)

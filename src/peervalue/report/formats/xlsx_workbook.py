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
    from peervalue.report.workbook import input_rows, workbook_bytes

    data = content.inputs
    assert data.analysis is not None and parts.evidence is not None and parts.costs is not None
    rows = input_rows(
        parts.evidence, parts.costs, distributions=_distributions(parts, data.analysis.price_year)
    )
    return workbook_bytes(analysis=data.analysis, psa=data.psa, scenario=data.scenario, inputs=rows)


def _distributions(parts: DocumentParts, price_year: str) -> dict[str, str]:
    """How the Monte Carlo draws each input of the analysis, in words, by ``where:field``
    (the rules of :mod:`peervalue.uncertainty.distributions`, at the analysis's prices)."""
    from peervalue.costs.indices import nhs_indexes
    from peervalue.model.spec import build_spec
    from peervalue.uncertainty.distributions import distributions_of

    assert parts.evidence is not None and parts.costs is not None
    index = nhs_indexes().get("pay-and-prices")
    try:
        spec = build_spec(parts.evidence, parts.costs, index, price_year=price_year)
    except (KeyError, ValueError):  # a year the index lacks, a study not pooled: no words
        return {}
    return {d.name: d.describe() for d in distributions_of(spec.parameters)}

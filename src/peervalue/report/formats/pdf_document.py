"""The report as a PDF: the HTML page laid out on A4 (see :mod:`peervalue.report.pdf_report`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peervalue.report.formats import DocumentFormat, DocumentParts

if TYPE_CHECKING:
    from peervalue.report.data import ReportContent

FORMAT = DocumentFormat(
    extension="pdf",
    media_type="application/pdf",
    title="a PDF",
    order=2,
    needs=frozenset({"figures"}),
)


def build(content: ReportContent, parts: DocumentParts) -> bytes:
    from peervalue.report.html_report import render_html
    from peervalue.report.pdf_report import html_to_pdf

    return html_to_pdf(render_html(content, parts.figures))

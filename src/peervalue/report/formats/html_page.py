"""The report as one self-contained HTML page (see :mod:`peervalue.report.html_report`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from peervalue.report.formats import DocumentFormat, DocumentParts

if TYPE_CHECKING:
    from peervalue.report.data import ReportContent

FORMAT = DocumentFormat(
    extension="html",
    media_type="text/html; charset=utf-8",
    title="a self-contained HTML page",
    order=1,
    binary=False,
    needs=frozenset({"figures"}),
)


def build(content: ReportContent, parts: DocumentParts) -> bytes:
    from peervalue.report.html_report import render_html

    return render_html(content, parts.figures).encode("utf-8")

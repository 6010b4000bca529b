"""The PDF report: the HTML report laid out on A4 pages by WeasyPrint, with a table of
contents (the HTML's) and PDF bookmarks from its headings."""

from __future__ import annotations

from peervalue.errors import input_error


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the Pango libraries are missing
        raise input_error(
            "the PDF report",
            "",
            f"a PDF needs WeasyPrint and the Pango libraries, which are not available ({exc})",
            "WeasyPrint (the Python package) and Pango (the Debian package libpango-1.0-0) "
            "installed where the report is made, or the html format",
        ) from None
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf

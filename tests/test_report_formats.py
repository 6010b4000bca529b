"""The document-format registry: every place that lists report formats reads it, and a
new format is one module."""

from __future__ import annotations

import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

import peervalue.report.formats as formats_package
from peervalue.report.data import ReportContent
from peervalue.report.formats import (
    DocumentParts,
    build_document,
    document_formats,
    extensions_in_words,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_bundled_formats() -> None:
    found = {e: (f.media_type, f.binary, sorted(f.needs)) for e, f in document_formats().items()}
    assert list(found) == ["html", "pdf", "xlsx"]
    assert found == {
        "html": ("text/html; charset=utf-8", False, ["figures"]),
        "pdf": ("application/pdf", True, ["figures"]),
        "xlsx": (XLSX, True, ["inputs"]),
    }
    assert extensions_in_words() == "html, pdf or xlsx"
    assert extensions_in_words(dot=True) == ".html, .pdf or .xlsx"


def test_the_cli_the_api_and_the_pages_read_the_registry() -> None:
    from peervalue.cli.report_command import REPORT_SUFFIXES
    from peervalue.service.report import REPORT_FORMATS
    from peervalue.web.api import _REPORT_RESPONSES, ReportFormat
    from peervalue.web.app import create_app

    assert REPORT_SUFFIXES == (".html", ".pdf", ".xlsx")
    assert {e: f.media_type for e, f in document_formats().items()} == REPORT_FORMATS
    assert typing.get_args(ReportFormat) == ("html", "pdf", "xlsx")
    assert list(_REPORT_RESPONSES[200]["content"]) == ["text/html", "application/pdf", XLSX]
    schema = create_app().openapi()
    post = schema["paths"]["/api/v1/reports"]["post"]
    (fmt,) = [p for p in post["parameters"] if p["name"] == "format"]
    assert fmt["schema"]["enum"] == ["html", "pdf", "xlsx"]
    assert list(post["responses"]["200"]["content"]) == ["text/html", "application/pdf", XLSX]


def test_learning_the_formats_imports_no_figure_or_plotting_library() -> None:
    code = (
        "import sys; from peervalue.report.formats import document_formats; document_formats(); "
        "import peervalue.cli.report_command; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('matplotlib', 'numpy', 'pandas', 'openpyxl', 'weasyprint') "
        "or m.startswith(('peervalue.figures', 'peervalue.service'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def text_format(tmp_path: Path) -> Iterator[None]:
    """A made-up format, as the one module a new format would be."""
    (tmp_path / "text_note.py").write_text(
        "from peervalue.report.formats import DocumentFormat\n"
        "FORMAT = DocumentFormat(extension='txt', media_type='text/plain', title='a note',"
        " order=9, binary=False)\n"
        "def build(content, parts):\n"
        "    return f'seed {content.seed}, {len(parts.figures)} figures'.encode()\n",
        encoding="utf-8",
    )
    formats_package.__path__.append(str(tmp_path))
    document_formats.cache_clear()
    yield
    formats_package.__path__.remove(str(tmp_path))
    sys.modules.pop("peervalue.report.formats.text_note", None)
    document_formats.cache_clear()


@pytest.mark.usefixtures("text_format")
def test_a_new_format_is_one_module() -> None:
    from peervalue.figures.catalogue import FigureInputs

    assert list(document_formats()) == ["html", "pdf", "xlsx", "txt"]
    assert extensions_in_words() == "html, pdf, xlsx or txt"
    content = ReportContent(
        inputs=FigureInputs(),
        figures=(),
        files=[],
        version="0",
        command="",
        draws=10,
        seed=7,
        evppi_draws=10,
    )
    parts = DocumentParts(figures={"a": b"<svg/>", "b": b"<svg/>"})
    assert build_document("txt", content, parts) == b"seed 7, 2 figures"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="no report format 'doc'"):
        build_document("doc", None, DocumentParts())  # type: ignore[arg-type]

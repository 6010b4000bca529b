"""The report's document formats, one module each in this package.

Each module states its format at import (:data:`FORMAT`, a :class:`DocumentFormat`:
extension, media type, what its builder needs) and defines ``build(content, parts)``,
which imports the heavy libraries it uses when it runs. So learning the formats (the
CLI's suffixes, the web's choices and media types) imports no figure, no matplotlib
and no spreadsheet library; a new format is one new module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from peervalue.costs.schema import CostFile
    from peervalue.evidence.load import Evidence
    from peervalue.report.data import ReportContent

#: what a builder may need beyond the report's content: the figures drawn as SVG files,
#: or the evidence and costs read (for the input tables)
Need = Literal["figures", "inputs"]


@dataclass(frozen=True)
class DocumentFormat:
    extension: str  #: the file name's ending, without the dot ("html")
    media_type: str  #: the HTTP Content-Type
    title: str  #: in words, for help and error text ("an HTML page")
    order: int  #: where the format comes in lists
    binary: bool = True  #: not text (OpenAPI marks the body ``format: binary``)
    needs: frozenset[Need] = frozenset()
    module: str = ""  #: filled in by :func:`document_formats`


@dataclass(frozen=True)
class DocumentParts:
    """What the service prepared for a builder, as its format's ``needs`` asked."""

    figures: Mapping[str, bytes] = field(default_factory=dict)  #: name -> SVG file
    evidence: Evidence | None = None
    costs: CostFile | None = None


class _Builder(Protocol):
    def __call__(self, content: ReportContent, parts: DocumentParts) -> bytes: ...


@cache
def document_formats() -> dict[str, DocumentFormat]:
    """Every format of this package, by extension, in their stated order."""
    found: list[DocumentFormat] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "FORMAT", None)
        if isinstance(declared, DocumentFormat):
            found.append(
                DocumentFormat(**{**declared.__dict__, "module": f"{__name__}.{info.name}"})
            )
    found.sort(key=lambda f: (f.order, f.extension))
    return {f.extension: f for f in found}


def extensions_in_words(dot: bool = False) -> str:
    """ "html, pdf or xlsx" (".html, .pdf or .xlsx" with ``dot``), in the formats' order."""
    names = [("." if dot else "") + e for e in document_formats()]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def build_document(extension: str, content: ReportContent, parts: DocumentParts) -> bytes:
    """The report as a file's bytes in the format with this ``extension``."""
    formats = document_formats()
    if extension not in formats:
        raise ValueError(f"no report format {extension!r}")
    build: _Builder = importlib.import_module(formats[extension].module).build
    return build(content, parts)

"""What a report lays out, computed before any renderer runs: the figures' results, the
inputs' hashes and how to run it again. The service fills it in (and draws the figures);
the renderers (HTML, PDF, workbook) only lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field

from peervalue.figures.catalogue import FigureInputs


@dataclass(frozen=True)
class InputFile:
    role: str  #: "study", "costs" or "scenario"
    path: str
    sha256: str


@dataclass(frozen=True, kw_only=True)
class ReportContent:
    inputs: FigureInputs
    figures: tuple[str, ...]  #: the figures the report shows, by name
    files: list[InputFile]
    version: str
    command: str
    draws: int
    seed: int
    evppi_draws: int
    notes: list[str] = field(default_factory=list)

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


@dataclass(frozen=True)
class StudyFacts:
    """What the report says of one study beyond its result: what kind of source it is,
    its follow-up and outcome, and (for a study recorded but not pooled) why not."""

    id: str
    citation: str
    published: bool  #: a journal or DOI is cited (else: an unpublished or local evaluation)
    follow_up: str  #: e.g. "9 months"
    outcome: str  #: the outcome's kind, in words
    pooled: bool = True
    reason: str = ""  #: why it is not pooled


#: the status words of a business case's input that its scenario file sets (the words of
#: one it leaves to the national defaults: ``NATIONAL_DEFAULT``)
SET_IN_SCENARIO = "set in the scenario file"
NATIONAL_DEFAULT = "national default"


@dataclass(frozen=True)
class InputRow:
    """One model input as the inputs appendix lists it."""

    name: str  #: owner:field, e.g. "sledge2011:outcome.control_mean"
    value: str  #: the point value with its unit
    range: str  #: the assumed range, or "" for none
    distribution: str  #: how the Monte Carlo draws it ("fixed" when it does not)
    source: str
    status: str  #: reported, derived or assumed


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
    #: every study the report read, pooled or not (for the evidence table and its words)
    studies: list[StudyFacts] = field(default_factory=list)
    #: every model input, for the inputs appendix
    input_rows: list[InputRow] = field(default_factory=list)
    #: a business case's own inputs (its scenario file over the national defaults), for
    #: the inputs appendix; empty without a scenario
    case_input_rows: list[InputRow] = field(default_factory=list)
    #: what the report's analysis runs on, when that is not the request's own evidence
    #: and costs (a business case: its evidence, costs and price year)
    scope: str = ""
    #: the evidence's label as the report shows it (no folder of the machine that made it)
    evidence_label: str = ""
    #: a business case's own words for the strategic, commercial and management cases
    #: (the scenario's ``[case]`` table), by case; empty: none given
    case_text: dict[str, str] = field(default_factory=dict)

"""``peervalue report``: the whole analysis as an HTML page, a PDF or an Excel workbook."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    DEFAULT_PRICES,
    DEFAULT_STUDIES,
    CostsOpt,
    ForceOpt,
    Prices,
    QuietOpt,
    SeedOpt,
    Studies,
    WeightingChoice,
    WeightingOpt,
    app,
    checked_output,
    option_groups,
    request,
)
from peervalue.cli.uncertainty_commands import progress_reporter
from peervalue.report.formats import document_formats, extensions_in_words

#: the file endings a report may have, from the document-format registry
REPORT_SUFFIXES = tuple(f".{e}" for e in document_formats())


@app.command()
@option_groups
def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help=f"The file to write: {extensions_in_words(dot=True)} (written atomically).",
            callback=checked_output,
        ),
    ],
    scenario: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Add a local business case (a scenario file)."),
    ] = None,
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")] = 100_000,
    seed: SeedOpt = 1,
    prices: Prices = DEFAULT_PRICES,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a report: the answer, method, evidence, results beside the published 4.8,
    uncertainty with figures, limitations, a CHEERS 2022 table and how to reproduce it.

    Example: peervalue report --draws 2000 --out report.html

    Example: peervalue scenario new trust.toml
    && peervalue report --scenario trust.toml --draws 2000 --out business-case.xlsx
    """
    from peervalue.errors import input_error, quote

    suffix = out.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise input_error(
            out,
            "",
            "cannot tell the report format from "
            + (quote(out.suffix) if out.suffix else "no extension"),
            f"a file name ending in {extensions_in_words(dot=True)}",
        )
    from peervalue.fileio import atomic_write_bytes, refuse_existing, refuse_overwriting_inputs
    from peervalue.service.report import run_report
    from peervalue.service.requests import ReportRequest

    req = request(
        ReportRequest,
        scenario=scenario,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        draws=draws,
        seed=seed,
        **prices._asdict(),
    )
    refuse_overwriting_inputs(out, [Path(p) for p in (studies.evidence, costs, scenario) if p])
    if not force:
        refuse_existing(out)
    command = "peervalue " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "peervalue report"
    with progress_reporter(draws, quiet) as progress:
        data = run_report(req, command=command, progress=progress)
    from peervalue.service.report import report_bytes

    atomic_write_bytes(out, report_bytes(data, suffix[1:]), overwrite=force)

"""The ``peervalue`` command line (Typer + rich). Input/output only: no arithmetic here."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType

from peervalue import __version__
from peervalue.costs.load import load_costs
from peervalue.errors import InputError, InputErrorGroup
from peervalue.evidence.load import Evidence, load_evidence
from peervalue.fileio import atomic_write_text
from peervalue.model.analysis import analyse
from peervalue.model.results import AnalysisResult
from peervalue.model.spec import Weighting
from peervalue.report import formats, terminal


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class WeightingChoice(StrEnum):
    all = "all"
    intervention = "intervention"


app = typer.Typer(
    name="peervalue",
    help=(
        "Do peer support workers pay for themselves? Cited evidence, unit costs and the "
        "Trachtenberg et al. (2013) bed-day analysis.\n\n"
        "Example: peervalue reproduce"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
evidence_app = typer.Typer(
    help="List, show and validate study files.\n\nExample: peervalue evidence list",
    no_args_is_help=True,
)
app.add_typer(evidence_app, name="evidence")

FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people; json or csv for programs.")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of the screen."),
]
WeightingOpt = Annotated[
    WeightingChoice,
    typer.Option(
        help="Pooling weights: all patients in each study (the 2013 report) or intervention only."
    ),
]
EvidenceOpt = Annotated[
    Path | None,
    typer.Option(
        "--evidence", "-e", help="Folder of study files (default: the bundled six studies)."
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peervalue {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """peervalue command line."""


def _plain_text(renderable: RenderableType) -> str:
    """Render to plain text (no colour, wide) for a file or a pipe."""
    buffer = io.StringIO()
    Console(file=buffer, width=170, no_color=True, highlight=False).print(renderable)
    return buffer.getvalue()


def _emit(
    output: Path | None,
    fmt: OutputFormat,
    table: Callable[[], RenderableType],
    json_data: Callable[[], Any],
    csv_text: Callable[[], str],
) -> None:
    """Format once, then write to ``output`` atomically or to standard output."""
    if fmt is OutputFormat.json:
        text = formats.to_json(json_data())
    elif fmt is OutputFormat.csv:
        text = csv_text()
    elif output is None and sys.stdout.isatty():
        Console().print(table())
        return
    else:
        text = _plain_text(table())
    if output is not None:
        atomic_write_text(output, text)
    else:
        sys.stdout.write(text)


def _emit_analysis(
    result: AnalysisResult, title: str, fmt: OutputFormat, output: Path | None
) -> None:
    _emit(
        output,
        fmt,
        lambda: terminal.analysis_renderable(result, title),
        result.to_dict,
        lambda: formats.analysis_csv(result),
    )


@app.command()
def reproduce(
    fmt: FormatOpt = OutputFormat.table,
    weighting: WeightingOpt = WeightingChoice.all,
    output: OutputOpt = None,
) -> None:
    """Run the 2013 reference analysis on the bundled evidence at England 2011-12 prices.

    Prints one row per study, the pooled ratios, the break-even point and the
    published 4.8:1 beside our result, with why they differ.

    Example: peervalue reproduce --format json
    """
    result = analyse(load_evidence(), load_costs(), _weighting(weighting), with_reference=True)
    _emit_analysis(
        result,
        "Reference analysis (method of Trachtenberg et al. 2013), bundled evidence",
        fmt,
        output,
    )


@app.command("analyse")
def analyse_cmd(
    evidence: Annotated[
        Path | None,
        typer.Option("--evidence", "-e", help="Folder of study files, or one study file."),
    ] = None,
    costs: Annotated[
        Path | None,
        typer.Option("--costs", "-c", help="Unit-cost file (default: England 2011-12)."),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    weighting: WeightingOpt = WeightingChoice.all,
    reference: Annotated[
        bool, typer.Option(help="Show the published 2013 result beside this one.")
    ] = False,
    output: OutputOpt = None,
) -> None:
    """Run the same analysis on your own study files and/or unit-cost file.

    Example: peervalue analyse --evidence my_studies/ --costs my_costs.yaml --format json
    """
    ev = load_evidence(evidence)
    result = analyse(ev, load_costs(costs), _weighting(weighting), with_reference=reference)
    _emit_analysis(result, f"Analysis of {ev.origin}", fmt, output)


def _weighting(choice: WeightingChoice) -> Weighting:
    return "all" if choice is WeightingChoice.all else "intervention"


@evidence_app.command("list")
def evidence_list(
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """List the studies in an evidence folder (default: the bundled studies).

    Example: peervalue evidence list --format csv
    """
    ev = load_evidence(evidence)
    _emit(
        output,
        fmt,
        lambda: terminal.evidence_renderable(ev),
        lambda: [formats.study_summary(s) for s in ev],
        lambda: formats.frame_to_csv(formats.evidence_frame(ev)),
    )


@evidence_app.command("show")
def evidence_show(
    study_id: Annotated[str, typer.Argument(metavar="ID", help="Study id, e.g. sledge2011.")],
    evidence: EvidenceOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Show one study: citation, design and every figure with its source and status.

    Example: peervalue evidence show sledge2011
    """
    ev = load_evidence(evidence)
    study = ev.get(study_id)
    _emit(
        output,
        fmt,
        lambda: terminal.study_renderable(study),
        lambda: study.model_dump(mode="json", exclude_none=True),
        lambda: formats.frame_to_csv(formats.quantities_frame(study)),
    )


@evidence_app.command("validate")
def evidence_validate(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder of study files.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Check every study file in DIR; report all problems, exit 2 if any.

    Example: peervalue evidence validate my_studies/
    """
    ev = load_evidence(directory)
    _emit(
        output,
        fmt,
        lambda: _validation_summary(ev),
        lambda: {"valid": True, "studies": [formats.study_summary(s) for s in ev]},
        lambda: formats.frame_to_csv(formats.evidence_frame(ev)),
    )


def _validation_summary(ev: Evidence) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    head = Text(f"OK: {len(ev)} valid study files in {ev.origin}", style="green")
    return Group(head, terminal.evidence_renderable(ev))


def _print_error(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"[bold red]error:[/bold red] {message}", markup=True
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: user mistakes become a message and exit status 2."""
    try:
        app(args=argv, prog_name="peervalue", standalone_mode=True)
    except InputErrorGroup as group:
        for err in group.errors:
            _print_error(_escape(err.message()))
        sys.exit(2)
    except InputError as err:
        _print_error(_escape(err.message()))
        sys.exit(2)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

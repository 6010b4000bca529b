"""What every command shares: the Typer apps, common options and output handling."""

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
from peervalue.errors import input_error
from peervalue.fileio import atomic_write_text
from peervalue.model.spec import Weighting
from peervalue.report import formats
from peervalue.uncertainty.psa import MAX_DRAWS


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
        "Trachtenberg et al. (2013) bed-day analysis, with its uncertainty.\n\n"
        "Example: peervalue reproduce\n\n"
        "Example: peervalue psa --draws 100000 --seed 1"
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
        "--evidence",
        "-e",
        help="Folder of study files, or one study file (default: the bundled studies).",
    ),
]
CostsOpt = Annotated[
    Path | None,
    typer.Option("--costs", "-c", help="Unit-cost file (default: England 2011-12)."),
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


def plain_text(renderable: RenderableType) -> str:
    """Render to plain text (no colour, wide) for a file or a pipe."""
    buffer = io.StringIO()
    Console(file=buffer, width=170, no_color=True, highlight=False).print(renderable)
    return buffer.getvalue()


def emit(
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
        text = plain_text(table())
    if output is not None:
        atomic_write_text(output, text)
    else:
        sys.stdout.write(text)


def weighting_of(choice: WeightingChoice) -> Weighting:
    return "all" if choice is WeightingChoice.all else "intervention"


DrawsOpt = Annotated[
    int, typer.Option("--draws", "-n", help=f"Monte Carlo draws (1 to {MAX_DRAWS:,}).")
]
SeedOpt = Annotated[
    int, typer.Option("--seed", "-s", help="Random seed (a whole number, 0 or above).")
]


def check_draws_and_seed(draws: int, seed: int) -> None:
    if not 1 <= draws <= MAX_DRAWS:
        raise input_error(
            "--draws",
            "",
            f"got {draws:,}",
            f"a whole number from 1 to {MAX_DRAWS:,} (the cap keeps the kept draws, about "
            "4 bytes x (studies + 7) each, within a few GiB of memory)",
        )
    if seed < 0:
        raise input_error("--seed", "", f"got {seed}", "a whole number 0 or above")

"""``peervalue plot``: one figure to a PNG or SVG file, or the list of figures."""

from __future__ import annotations

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

IMAGE_SUFFIXES = {".png": "png", ".svg": "svg"}


def _list_figures() -> None:
    from peervalue.figures.catalogue import FIGURES

    width = max(len(name) for name in FIGURES)
    for spec in FIGURES.values():
        extra = " (needs --scenario)" if spec.scope == "scenario" else ""
        typer.echo(f"{spec.name:<{width}}  {spec.title}{extra}")


@app.command()
@option_groups
def plot(
    name: Annotated[
        str | None, typer.Argument(help="The figure to draw (peervalue plot --list).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The file to write: .png or .svg (written atomically).",
            callback=checked_output,
        ),
    ] = None,
    list_figures: Annotated[
        bool, typer.Option("--list", help="List the figures and exit.")
    ] = False,
    scenario: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="A business case (scenario file): draws its payback and two-way figures.",
        ),
    ] = None,
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws behind the figure.")
    ] = 20_000,
    seed: SeedOpt = 1,
    prices: Prices = DEFAULT_PRICES,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Draw one figure (forest plot, tornado, Monte Carlo distribution, acceptability
    curves, two-way map, payback, leave-one-out, bridge to 4.8, EVPPI, cumulative) to a
    file.

    Example: peervalue plot forest --out forest.svg

    Example: peervalue scenario new trust.toml
    && peervalue plot payback --scenario trust.toml --out payback.png
    """
    from peervalue.errors import input_error, quote

    if list_figures:
        _list_figures()
        return
    if name is None:
        raise input_error(
            "plot", "NAME", "no figure was named", "a figure from peervalue plot --list"
        )
    if out is None:
        raise input_error(
            "--out", "", "no output file was given", "--out FILE.png or --out FILE.svg"
        )
    fmt = IMAGE_SUFFIXES.get(out.suffix.lower())
    if fmt is None:
        raise input_error(
            out,
            "",
            "cannot tell the image format from "
            + (quote(out.suffix) if out.suffix else "no extension"),
            "a file name ending in .png or .svg",
        )
    from peervalue.fileio import atomic_write_bytes, refuse_existing, refuse_overwriting_inputs
    from peervalue.service.figures import collect, figure_bytes
    from peervalue.service.requests import PlotRequest

    req = request(
        PlotRequest,
        figures=(name,),
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
    with progress_reporter(draws, quiet) as progress:
        inputs = collect(req, progress)
    atomic_write_bytes(out, figure_bytes(name, inputs, fmt), overwrite=force)  # type: ignore[arg-type]

"""``peervalue evsi``: what a proposed two-arm trial in England is worth, and its best size."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import typer

from peervalue.cli.common import (
    CostsOpt,
    EvidenceOpt,
    EvidenceSetOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    PriceYearOpt,
    SeedOpt,
    app,
    emit,
    request,
)


class DesignChoice(StrEnum):
    readmission = "rct-readmission"
    bed_days = "rct-bed-days"


def _sizes(text: str | None) -> tuple[object, ...] | None:
    """``100,200,400`` as a tuple; a part that is not a whole number is kept as text, so
    the request names it."""
    if text is None:
        return None
    parts: list[object] = []
    for part in text.split(","):
        part = part.strip()
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _range(text: str | None, option: str) -> tuple[object, object] | None:
    """``LOW,HIGH`` as two values (a part that is not a number is kept as text, so the
    request names it); another count of parts is refused here, naming ``option``."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        from peervalue.errors import input_error, quote

        raise input_error(
            option, "", f"got {quote(text)}", "LOW,HIGH: two numbers separated by a comma"
        )
    values: list[object] = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            values.append(p)
    return values[0], values[1]


@app.command()
def evsi(
    design: Annotated[
        DesignChoice,
        typer.Option(
            help="The proposed trial: two arms, readmission within the follow-up (binary) or "
            "bed-days per patient (log ratio of means)."
        ),
    ] = DesignChoice.readmission,
    n: Annotated[
        str | None,
        typer.Option(
            "--n",
            metavar="N1,N2,...",
            help="Sizes per arm, 10 to 100,000 each (default 50,100,200,300,400,600,800,"
            "1200,1600,2400).",
        ),
    ] = None,
    follow_up_months: Annotated[
        int, typer.Option(help="The trial's follow-up in months, 1 to 60.")
    ] = 12,
    population_fte: Annotated[
        float, typer.Option(help="FTE peer worker posts in England the decision applies to.")
    ] = 500.0,
    population_range: Annotated[
        str | None,
        typer.Option(
            metavar="LOW,HIGH", help="Range of the population (default half and twice it)."
        ),
    ] = None,
    horizon: Annotated[int, typer.Option(help="Years the decision applies, 1 to 50.")] = 10,
    discount_rate: Annotated[
        float, typer.Option(help="Annual discount rate, 0 to 0.2 (0.035 is 3.5%).")
    ] = 0.035,
    setup_cost: Annotated[
        float, typer.Option(help="The trial's fixed cost in pounds (assumed 500,000).")
    ] = 500_000.0,
    setup_cost_range: Annotated[
        str, typer.Option(metavar="LOW,HIGH", help="Range of the fixed cost.")
    ] = "250000,1000000",
    cost_per_participant: Annotated[
        float, typer.Option(help="The trial's cost per participant in pounds (assumed 1,500).")
    ] = 1_500.0,
    cost_per_participant_range: Annotated[
        str, typer.Option(metavar="LOW,HIGH", help="Range of the cost per participant.")
    ] = "750,3000",
    draws: Annotated[
        int, typer.Option("--draws", help="Monte Carlo draws (1,000 to 200,000).")
    ] = 50_000,
    bootstrap: Annotated[
        int, typer.Option(help="Bootstrap resamples for the intervals (0 to 1,000).")
    ] = 200,
    seed: SeedOpt = 1,
    evidence: EvidenceOpt = None,
    evidence_set: EvidenceSetOpt = None,
    costs: CostsOpt = None,
    price_year: PriceYearOpt = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Also draw EVSI and ENBS against size to FILE (.png or .svg; replaced).",
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Expected value of sample information (EVSI) of a proposed trial, ENBS, best size.

    The trial's estimate is simulated for every draw of the synthesis's predictive effect
    and of the net benefit per FTE-year, and net benefit regressed on it (Strong et al.
    2015). EVSI per FTE-year and for the population (FTE x discounted years), ENBS (minus
    the trial's set-up and per-participant costs) and the best size per arm with its
    bootstrap interval. Evidence: the all-2026 set by default; costs: england-2024-25.

    Example: peervalue evsi --n 100,200,400,800 --population-fte 500 --horizon 10

    Example: peervalue evsi --design rct-bed-days --format csv -o evsi.csv
    """
    from peervalue.service.evsi import run_evsi
    from peervalue.service.requests import EvsiRequest

    values: dict[str, object] = {}
    sizes = _sizes(n)
    if sizes is not None:
        values["n"] = sizes
    pop = _range(population_range, "--population-range")
    if pop is not None:
        values["population_low"], values["population_high"] = pop
    s_lo, s_hi = _range(setup_cost_range, "--setup-cost-range") or (None, None)
    c_lo, c_hi = _range(cost_per_participant_range, "--cost-per-participant-range") or (None, None)
    req = request(
        EvsiRequest,
        design=design,
        follow_up_months=follow_up_months,
        population_fte=population_fte,
        horizon=horizon,
        discount_rate=discount_rate,
        setup_cost=setup_cost,
        setup_cost_low=s_lo,
        setup_cost_high=s_hi,
        cost_per_participant=cost_per_participant,
        cost_per_participant_low=c_lo,
        cost_per_participant_high=c_hi,
        draws=draws,
        bootstrap=bootstrap,
        seed=seed,
        evidence=evidence,
        evidence_set=evidence_set,
        costs=costs,
        price_year=price_year,
        **values,
    )
    if plot is not None:
        from peervalue.cli.plot_command import IMAGE_SUFFIXES
        from peervalue.errors import input_error

        if plot.suffix.lower() not in IMAGE_SUFFIXES:
            raise input_error(
                plot, "", "cannot tell the image format", "a file name ending in .png or .svg"
            )
        from peervalue.fileio import refuse_overwriting_inputs

        refuse_overwriting_inputs(plot, [Path(p) for p in (evidence, costs) if p])
    result = run_evsi(req)
    emit(result, fmt, output, inputs=(evidence, costs))
    if plot is not None:
        from peervalue.figures.catalogue import FigureInputs
        from peervalue.fileio import atomic_write_bytes
        from peervalue.service.figures import figure_bytes

        kind: Literal["png", "svg"] = "png" if plot.suffix.lower() == ".png" else "svg"
        atomic_write_bytes(
            plot, figure_bytes("evsi", FigureInputs(evsi=result), kind), overwrite=True
        )

"""Commands of the uncertainty analysis: psa, sensitivity, threshold, meta."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    DEFAULT_PRICES,
    DEFAULT_STUDIES,
    CostsOpt,
    DrawsOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    PoolingChoice,
    PoolingOpt,
    Prices,
    QuietOpt,
    SeedOpt,
    Studies,
    WeightingChoice,
    WeightingOpt,
    app,
    emit,
    keep_inputs,
    option_groups,
    request,
)

#: below this many draws a run takes well under a second: no progress bar
PROGRESS_FROM = 200_000


class MetaMethodChoice(StrEnum):
    fixed = "fixed"
    dersimonian_laird = "dersimonian-laird"
    reml = "reml"
    paule_mandel = "paule-mandel"


class MetaIntervalChoice(StrEnum):
    normal = "normal"
    hksj = "hksj"


class MetaPredictionChoice(StrEnum):
    t = "t"
    normal = "normal"


class MetaI2Choice(StrEnum):
    q = "q"
    tau2 = "tau2"


class SamplerChoice(StrEnum):
    random = "random"
    sobol = "sobol"


class ProbabilityChoice(StrEnum):
    share = "share"
    conditional = "conditional"


class PsaPart(StrEnum):
    summary = "summary"
    bed_day_curve = "bed-day-curve"
    caseload_curve = "caseload-curve"
    distributions = "distributions"


@contextmanager
def progress_reporter(draws: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on standard error for long runs in a terminal, else nothing."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if quiet or draws < PROGRESS_FROM or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("Monte Carlo"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("draws", total=draws)
        yield lambda done: bar.update(task, completed=done)


@app.command()
@option_groups
def psa(
    draws: DrawsOpt = 100_000,
    seed: SeedOpt = 1,
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    chunk_size: Annotated[
        int, typer.Option(help="Draws processed at once (memory only: results do not change).")
    ] = 1 << 14,
    population_fte: Annotated[
        float, typer.Option(help="FTE peer workers the value of information is scaled to.")
    ] = 100.0,
    horizon: Annotated[
        int,
        typer.Option(help="Years over which the decision applies, 1 to 50 (value of information)."),
    ] = 5,
    discount_rate: Annotated[
        float,
        typer.Option(
            help="Annual discount rate for the value of information, as a fraction from 0 "
            "to 0.2 (0.035 is 3.5%, the Green Book rate)."
        ),
    ] = 0.035,
    show: Annotated[
        PsaPart,
        typer.Option(
            help="Which table to print or write as CSV: summary (per study and pooled); "
            "bed-day-curve (P(net benefit > 0) against the cost per bed-day); caseload-curve "
            "(against patients supported at once per FTE); distributions (every input's). "
            "JSON always holds everything."
        ),
    ] = PsaPart.summary,
    sampler: Annotated[
        SamplerChoice,
        typer.Option(
            help="random (pseudo-random draws) or sobol (quasi-random: 16 independently "
            "scrambled Sobol sequences, every input by its inverse CDF; the notes and JSON "
            "give the standard error of P(ratio > 1) and of mean net benefit from their "
            "spread; a power of two per sequence, such as -n 16384, is best)."
        ),
    ] = SamplerChoice.random,
    probability: Annotated[
        ProbabilityChoice,
        typer.Option(
            help="How the pooled P(ratio > 1) is estimated: share (of draws above 1) or "
            "conditional (the average of its probability given every input but one, chosen "
            "from the point values; far less noisy, with a standard error in the notes and "
            "JSON from 16 scramblings or batches of draws)."
        ),
    ] = ProbabilityChoice.share,
    quiet: QuietOpt = False,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Probabilistic sensitivity analysis: every input drawn from its distribution.

    Reports, per study and pooled: the point value, Monte Carlo mean, median and
    95% interval of the ratio, the probability that it exceeds 1 and that net
    benefit is positive; curves of that probability against the cost per bed-day
    and the caseload; and the expected value of perfect information.

    Example: peervalue psa --draws 100000 --seed 1 --format json

    Example: peervalue psa -n 100000 --show bed-day-curve --format csv -o curve.csv

    Example: peervalue psa --population-fte 250 --horizon 10 --discount-rate 0.035

    Example: peervalue psa --sampler sobol -n 16384

    Example: peervalue psa --sampler sobol --probability conditional -n 16384
    """
    from peervalue.service import PsaRequest, run_psa
    from peervalue.service.runs import check_psa_view

    req = request(
        PsaRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        **prices._asdict(),
        draws=draws,
        seed=seed,
        chunk_size=chunk_size,
        population_fte=population_fte,
        horizon=horizon,
        discount_rate=discount_rate,
        sampler=sampler,
        probability=probability,
    )
    check_psa_view(req, show.value, "--show")
    keep_inputs(output, (studies.evidence, costs))
    with progress_reporter(draws, quiet) as progress:
        result = run_psa(req, progress)
    title = f"Monte Carlo analysis of {result.evidence}"
    emit(result, fmt, output, inputs=(studies.evidence, costs), title=title, view=show.value)


@app.command()
@option_groups
def sensitivity(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    pooling: PoolingOpt = PoolingChoice.weighted,
    prices: Prices = DEFAULT_PRICES,
    two_way: Annotated[
        str | None,
        typer.Option(
            "--two-way",
            metavar="X,Y",
            help="Two inputs for a two-way analysis over a grid (the data for a heat map): "
            "caseload, cost_per_bed_day, cost_per_fte_year or effect.",
        ),
    ] = None,
    grid: Annotated[
        int | None, typer.Option(help="Grid points per input (--two-way; default 25).")
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option("--draws", "-n", help="Monte Carlo draws (--two-way; default 2,000)."),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", "-s", help="Random seed (--two-way; a whole number, 0 or above; default 1)."
        ),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option(
            help="A scenario file: the two-way analysis of its net present value (--two-way)."
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """One-way sensitivity (tornado data): pooled net benefit per FTE-year, in pounds.

    Each uncertain input goes from its low to its high value with the others at
    base; inputs are sorted by the swing in net benefit. With --two-way X,Y: net
    benefit and the probability that it is positive over a grid of two inputs, for
    the reference analysis or (--scenario FILE) a business case.

    Example: peervalue sensitivity --format csv --output tornado.csv

    Example: peervalue sensitivity --two-way caseload,cost_per_bed_day --grid 25
    """
    if two_way is not None:
        from peervalue.service.requests import TwoWayRequest
        from peervalue.service.two_way import run_two_way

        axes = tuple(part.strip() for part in two_way.split(","))
        given = {"grid": grid, "draws": draws, "seed": seed}
        req2 = request(
            TwoWayRequest,
            **studies._asdict(),
            costs=costs,
            weighting=weighting,
            pooling=pooling,
            **prices._asdict(),
            axes=axes,
            scenario=scenario,
            **{k: v for k, v in given.items() if v is not None},
        )
        keep_inputs(output, (studies.evidence, costs, scenario))
        emit(run_two_way(req2), fmt, output, inputs=(studies.evidence, costs, scenario))
        return
    from peervalue.errors import input_error

    for option, value in (
        ("--scenario", scenario),
        ("--grid", grid),
        ("--draws", draws),
        ("--seed", seed),
    ):
        if value is not None:
            raise input_error(
                option,
                "",
                "is used only by the two-way analysis",
                "--two-way X,Y as well (the one-way analysis draws nothing)",
            )
    from peervalue.service import SensitivityRequest, run_sensitivity

    req = request(
        SensitivityRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        pooling=pooling,
        **prices._asdict(),
    )
    emit(run_sensitivity(req), fmt, output, inputs=(studies.evidence, costs))


@app.command()
@option_groups
def threshold(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    pooling: PoolingOpt = PoolingChoice.weighted,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Break-even values: bed-days per FTE-year, cost per bed-day, caseload, peer worker cost.

    Each is the value at which pooled net benefit per FTE-year is zero, the
    other inputs at their point values.

    Example: peervalue costs new my_costs.yaml && peervalue threshold --costs my_costs.yaml
    """
    from peervalue.service import ThresholdRequest, run_threshold

    req = request(
        ThresholdRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        pooling=pooling,
        **prices._asdict(),
    )
    emit(run_threshold(req), fmt, output, inputs=(studies.evidence, costs))


@app.command()
@option_groups
def meta(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    caseload: Annotated[
        float,
        typer.Option(help="Patients one full-time peer worker supports at a time."),
    ] = 15.0,
    level: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    method: Annotated[
        MetaMethodChoice | None,
        typer.Option(help="One pooling method (default: all four)."),
    ] = None,
    interval: Annotated[
        MetaIntervalChoice,
        typer.Option(
            help="Confidence interval: normal quantile, or Hartung-Knapp-Sidik-Jonkman "
            "(t with k - 1 degrees of freedom; the prediction interval then uses the same "
            "standard error and t, as metafor's predict() on a knha fit)."
        ),
    ] = MetaIntervalChoice.normal,
    prediction: Annotated[
        MetaPredictionChoice,
        typer.Option(
            help="Prediction interval: t with k - 2 degrees of freedom (Higgins et al. 2009) "
            "or the normal quantile (metafor's default)."
        ),
    ] = MetaPredictionChoice.t,
    i2: Annotated[
        MetaI2Choice,
        typer.Option(
            "--i2",
            help="I^2 from Cochran's Q for every method, or from each method's tau^2 (metafor).",
        ),
    ] = MetaI2Choice.q,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Meta-analysis of bed-days saved per patient-year, and the pooled ratio by method.

    Pools the studies that report mean bed-days with SDs (fixed effect,
    DerSimonian-Laird, REML and Paule-Mandel), then compares the pooled ratio by the
    weighted mean of ratios, the ratio of sums and the meta-analytic effect x caseload.

    Example: peervalue meta --caseload 20 --format json

    Example: peervalue meta --method paule-mandel --interval hksj --prediction normal
    """
    from peervalue.service import MetaRequest, run_meta

    req = request(
        MetaRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        **prices._asdict(),
        caseload=caseload,
        level=level,
        method=method,
        interval=interval,
        prediction=prediction,
        i2_from=i2,
    )
    emit(run_meta(req), fmt, output, inputs=(studies.evidence, costs))


@app.command()
@option_groups
def evppi(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    pooling: PoolingOpt = PoolingChoice.weighted,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws (100 to 200,000).")
    ] = 20_000,
    seed: SeedOpt = 1,
    population_fte: Annotated[
        float, typer.Option(help="FTE peer workers the value is scaled to.")
    ] = 100.0,
    horizon: Annotated[int, typer.Option(help="Years the decision applies, 1 to 50.")] = 5,
    discount_rate: Annotated[
        float, typer.Option(help="Annual discount rate, 0 to 0.2 (0.035 is 3.5%).")
    ] = 0.035,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """What further research is worth: EVPPI for every uncertain input and named groups.

    The expected value of partial perfect information of each input (ordering method)
    and of groups (all peer staffing, all outcomes, unit costs, each study; a regression
    that allows interactions, second order plus a Gaussian process), per FTE-year and for
    a population, beside the EVPI.

    Example: peervalue evppi --draws 50000 --format csv
    """
    from peervalue.service.evppi import run_evppi
    from peervalue.service.requests import EvppiRequest

    req = request(
        EvppiRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        pooling=pooling,
        draws=draws,
        seed=seed,
        population_fte=population_fte,
        horizon=horizon,
        discount_rate=discount_rate,
        **prices._asdict(),
    )
    keep_inputs(output, (studies.evidence, costs))
    emit(run_evppi(req), fmt, output, inputs=(studies.evidence, costs))

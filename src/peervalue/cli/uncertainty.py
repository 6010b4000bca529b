"""Commands of the uncertainty analysis: psa, sensitivity, threshold, meta."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from peervalue.cli.common import (
    CostsOpt,
    DrawsOpt,
    EvidenceOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    SeedOpt,
    WeightingChoice,
    WeightingOpt,
    app,
    check_draws_and_seed,
    emit,
    weighting_of,
)
from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile
from peervalue.errors import input_error
from peervalue.evidence.load import Evidence, load_evidence
from peervalue.model.spec import ModelSpec, PoolingMethod, build_spec
from peervalue.report import formats
from peervalue.report import uncertainty as render
from peervalue.uncertainty.meta import MetaTable, meta_table
from peervalue.uncertainty.pooling import (
    DEFAULT_CASELOAD,
    PoolingRow,
    compare_pooling,
    comparison_dict,
)
from peervalue.uncertainty.psa import DEFAULT_CHUNK, run_psa
from peervalue.uncertainty.sensitivity import one_way
from peervalue.uncertainty.summary import Population, PsaResult, summarise
from peervalue.uncertainty.threshold import thresholds

#: below this many draws a run takes well under a second: no progress bar
PROGRESS_FROM = 200_000


class PoolingChoice(StrEnum):
    weighted = "weighted"
    sums = "sums"


class PsaPart(StrEnum):
    summary = "summary"
    bed_day_curve = "bed-day-curve"
    caseload_curve = "caseload-curve"
    distributions = "distributions"


PoolingOpt = Annotated[
    PoolingChoice,
    typer.Option(
        help="Pooled result to report: the 2013 report's weighted mean of ratios, or the "
        "ratio of sums (total benefit / total cost)."
    ),
]


def load_spec(
    evidence: Path | None, costs: Path | None, weighting: WeightingChoice
) -> tuple[ModelSpec, Evidence, CostFile]:
    """Load and validate the files; return the model spec, the evidence and the costs."""
    ev = load_evidence(evidence)
    cost_file = load_costs(costs)
    return build_spec(ev, cost_file, weighting_of(weighting)), ev, cost_file


@contextmanager
def progress_reporter(draws: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on standard error for long runs in a terminal, else nothing."""
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


def _psa_frame(result: PsaResult, part: PsaPart) -> pd.DataFrame:
    if part is PsaPart.bed_day_curve:
        return result.bed_day_cost_curve
    if part is PsaPart.caseload_curve:
        return result.caseload_curve
    if part is PsaPart.distributions:
        return result.distributions_frame()
    studies = result.studies_frame()
    studies.insert(0, "row_type", "study")
    pooled = result.pooled_frame().rename(columns={"method": "id"})
    pooled.insert(0, "row_type", "pooled")
    return pd.concat([studies, pooled], ignore_index=True)


@app.command()
def psa(
    draws: DrawsOpt = 100_000,
    seed: SeedOpt = 1,
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    chunk_size: Annotated[
        int, typer.Option(help="Draws processed at once (memory only: results do not change).")
    ] = DEFAULT_CHUNK,
    population_fte: Annotated[
        float, typer.Option(help="FTE peer workers the value of information is scaled to.")
    ] = 100.0,
    horizon: Annotated[
        int, typer.Option(help="Years over which the decision applies (value of information).")
    ] = 5,
    discount_rate: Annotated[
        float,
        typer.Option(
            help="Annual discount rate for the value of information, as a fraction "
            "(0.035 is 3.5%, the Green Book rate)."
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
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="No progress bar (it shows only for long runs with a terminal on stderr).",
        ),
    ] = False,
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
    """
    check_draws_and_seed(draws, seed)
    if chunk_size < 1:
        raise input_error("--chunk-size", "", f"got {chunk_size}", "a whole number of 1 or more")
    if (
        not (math.isfinite(population_fte) and population_fte > 0)
        or horizon < 1
        or not (0 <= discount_rate < 1)
    ):
        raise input_error(
            "--population-fte/--horizon/--discount-rate",
            "",
            f"got {population_fte:g} FTE, {horizon} years, rate {discount_rate:g}",
            "FTE above 0, at least 1 year, and a rate from 0 to below 1 (0.035 is 3.5%)",
        )
    spec, ev, cost_file = load_spec(evidence, costs, weighting)
    with progress_reporter(draws, quiet) as progress:
        run = run_psa(spec, draws, seed, chunk_size=chunk_size, progress=progress)
    population = Population(population_fte, horizon, discount_rate)
    result = summarise(run, population, evidence=ev.origin, costs=cost_file.name)
    title = f"Monte Carlo analysis of {ev.origin}"
    emit(
        output,
        fmt,
        (lambda: render.psa_renderable(result, title))
        if show is PsaPart.summary
        else (lambda: render.frame_renderable(_psa_frame(result, show), show.value)),
        result.to_dict,
        lambda: formats.frame_to_csv(_psa_frame(result, show)),
    )


@app.command()
def sensitivity(
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    pooling: PoolingOpt = PoolingChoice.weighted,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """One-way sensitivity (tornado data): pooled net benefit per FTE-year, in pounds.

    Each uncertain input goes from its low to its high value with the others at
    base; inputs are sorted by the swing in net benefit.

    Example: peervalue sensitivity --format csv --output tornado.csv
    """
    spec = load_spec(evidence, costs, weighting)[0]
    result = one_way(spec, _pooling(pooling))
    emit(
        output,
        fmt,
        lambda: render.sensitivity_renderable(result),
        result.to_dict,
        lambda: formats.frame_to_csv(result.to_pandas()),
    )


@app.command()
def threshold(
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    pooling: PoolingOpt = PoolingChoice.weighted,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Break-even values: bed-days per FTE-year, cost per bed-day, caseload, peer worker cost.

    Each is the value at which pooled net benefit per FTE-year is zero, the
    other inputs at their point values.

    Example: peervalue threshold --costs my_costs.yaml
    """
    spec = load_spec(evidence, costs, weighting)[0]
    result = thresholds(spec, _pooling(pooling))
    emit(
        output,
        fmt,
        lambda: render.threshold_renderable(result),
        result.to_dict,
        lambda: formats.frame_to_csv(result.to_pandas()),
    )


def _pooling(choice: PoolingChoice) -> PoolingMethod:
    return "weighted" if choice is PoolingChoice.weighted else "sums"


@app.command()
def meta(
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    caseload: Annotated[
        float,
        typer.Option(help="Patients one full-time peer worker supports at a time."),
    ] = DEFAULT_CASELOAD,
    level: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Meta-analysis of bed-days saved per patient-year, and the pooled ratio by method.

    Pools the studies that report mean bed-days with SDs (fixed effect,
    DerSimonian-Laird and REML), then compares the pooled ratio by the weighted
    mean of ratios, the ratio of sums and the meta-analytic effect x caseload.

    Example: peervalue meta --caseload 20 --format json
    """
    if not caseload > 0:
        raise input_error("--caseload", "", f"got {caseload:g}", "a number of patients above 0")
    if not 0 < level < 1:
        raise input_error("--level", "", f"got {level:g}", "a level between 0 and 1, e.g. 0.95")
    spec, ev, _costs = load_spec(evidence, costs, weighting)
    table = meta_table(ev, level)
    rows = compare_pooling(spec, table, caseload)
    emit(
        output,
        fmt,
        lambda: render.meta_renderable(table, rows, caseload, spec.currency),
        lambda: {
            "price_year": spec.price_year,
            "currency": spec.currency,
            "meta_analysis": table.to_dict(),
            "pooling_comparison": comparison_dict(rows, caseload),
        },
        lambda: formats.frame_to_csv(_meta_frame(table, rows)),
    )


def _meta_frame(table: MetaTable, rows: list[PoolingRow]) -> pd.DataFrame:
    """Meta-analysis results (row_type "meta"), then the pooled ratios by method."""
    meta_rows = pd.DataFrame(
        [{**r.to_dict(), "weights": None} for r in table.results.values()]
    ).assign(row_type="meta")
    pooling = pd.DataFrame([asdict(r) for r in rows]).assign(row_type="pooling")
    frame = pd.concat([meta_rows, pooling], ignore_index=True)
    return frame[["row_type", *[c for c in frame.columns if c != "row_type"]]]

"""Commands about the evidence as it grows: cumulative analysis, and evidence sets side by
side (compare)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from peervalue.cli.common import (
    DEFAULT_PRICES,
    DEFAULT_STUDIES,
    CostsOpt,
    EvidenceOpt,
    FormatOpt,
    OutputFormat,
    OutputOpt,
    Prices,
    ResourcesChoice,
    ResourcesOpt,
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


class OrderChoice(StrEnum):
    year = "year"
    weight = "weight"


@app.command()
@option_groups
def cumulative(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    order: Annotated[
        OrderChoice,
        typer.Option(
            help="Add studies by publication year, or by pooling weight (the patients that "
            "weight the mean of ratios, as --weighting counts them; largest first)."
        ),
    ] = OrderChoice.year,
    weighting: WeightingOpt = WeightingChoice.all,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws (100 to 200,000).")
    ] = 20_000,
    seed: SeedOpt = 1,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """How the answer moves as evidence accumulates: the pooled ratio by each method, its
    95% interval and the probability that benefits exceed costs, after each study is added.

    Example: peervalue cumulative --evidence-set all-2026

    Example: peervalue cumulative --evidence-set all-2026 --order weight --format csv
    """
    from peervalue.service.cumulative import run_cumulative
    from peervalue.service.requests import CumulativeRequest

    req = request(
        CumulativeRequest,
        **studies._asdict(),
        costs=costs,
        order=order,
        weighting=weighting,
        draws=draws,
        seed=seed,
        **prices._asdict(),
    )
    keep_inputs(output, (studies.evidence, costs))
    emit(run_cumulative(req), fmt, output, inputs=(studies.evidence, costs))


@app.command()
@option_groups
def compare(
    evidence_sets: Annotated[
        list[str],
        typer.Option(
            "--evidence-set",
            metavar="NAME",
            help="An evidence set to compare; give it two to five times (the first is the "
            "baseline), e.g. --evidence-set cmh2013 --evidence-set all-2026.",
        ),
    ],
    evidence: EvidenceOpt = None,
    resources: ResourcesOpt = ResourcesChoice.bed_days,
    costs: CostsOpt = None,
    weighting: WeightingOpt = WeightingChoice.all,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws (100 to 200,000).")
    ] = 20_000,
    seed: SeedOpt = 1,
    prices: Prices = DEFAULT_PRICES,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Evidence sets side by side: each one's pooled ratio by method and probability that
    benefits exceed costs, the studies that differ, and what changed, in plain words.

    Example: peervalue compare --evidence-set cmh2013 --evidence-set all-2026

    Example: peervalue compare --evidence-set cmh2013 --evidence-set rct-only --format json
    """
    from peervalue.service.compare import run_compare
    from peervalue.service.requests import EvidenceComparisonRequest

    req = request(
        EvidenceComparisonRequest,
        evidence_sets=evidence_sets,
        evidence=evidence,
        resources=resources,
        costs=costs,
        weighting=weighting,
        draws=draws,
        seed=seed,
        **prices._asdict(),
    )
    emit(run_compare(req), fmt, output, inputs=(evidence, costs))

"""Commands of the reference analysis: reproduce, analyse, evidence list/show/validate."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group, RenderableType

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
    evidence_app,
    weighting_of,
)
from peervalue.costs.load import load_costs
from peervalue.evidence.load import Evidence, load_evidence
from peervalue.model.analysis import analyse
from peervalue.model.results import AnalysisResult
from peervalue.model.spec import build_spec
from peervalue.report import formats, terminal
from peervalue.report import uncertainty as render
from peervalue.uncertainty import influence as influence_mod
from peervalue.uncertainty.influence import InfluenceResult


def _emit_analysis(
    result: AnalysisResult, title: str, fmt: OutputFormat, output: Path | None
) -> None:
    emit(
        output,
        fmt,
        lambda: terminal.analysis_renderable(result, title),
        result.to_dict,
        lambda: formats.analysis_csv(result),
    )


class SubgroupChoice(StrEnum):
    design = "design"
    country = "country"
    peer_role = "peer_role"


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
    result = analyse(load_evidence(), load_costs(), weighting_of(weighting), with_reference=True)
    _emit_analysis(
        result,
        "Reference analysis (method of Trachtenberg et al. 2013), bundled evidence",
        fmt,
        output,
    )


@app.command("analyse")
def analyse_cmd(
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    weighting: WeightingOpt = WeightingChoice.all,
    reference: Annotated[
        bool, typer.Option(help="Show the published 2013 result beside this one.")
    ] = False,
    leave_one_out: Annotated[
        bool,
        typer.Option(
            "--leave-one-out", help="Also pool without each study in turn (with Monte Carlo)."
        ),
    ] = False,
    subgroup: Annotated[
        SubgroupChoice | None,
        typer.Option(help="Also pool within each value of this study field (with Monte Carlo)."),
    ] = None,
    draws: DrawsOpt = 20_000,
    seed: SeedOpt = 1,
    output: OutputOpt = None,
) -> None:
    """Run the same analysis on your own study files and/or unit-cost file.

    With --leave-one-out or --subgroup FIELD it also shows how the pooled ratio
    and the probability of a positive net benefit change without each study, or
    within designs, countries or peer roles (--draws and --seed set the Monte Carlo).

    Example: peervalue analyse --evidence my_studies/ --costs my_costs.yaml --format json

    Example: peervalue analyse --leave-one-out --subgroup design
    """
    ev = load_evidence(evidence)
    cost_file = load_costs(costs)
    result = analyse(ev, cost_file, weighting_of(weighting), with_reference=reference)
    influence: list[InfluenceResult] = []
    if leave_one_out or subgroup is not None:
        check_draws_and_seed(draws, seed)
        spec = build_spec(ev, cost_file, weighting_of(weighting))
        if leave_one_out:
            influence.append(influence_mod.leave_one_out(spec, draws, seed))
        if subgroup is not None:
            influence.append(influence_mod.subgroups(ev, spec, subgroup.value, draws, seed))
    title = f"Analysis of {ev.origin}"
    if not influence:
        _emit_analysis(result, title, fmt, output)
        return
    emit(
        output,
        fmt,
        lambda: Group(
            terminal.analysis_renderable(result, title),
            *(render.influence_renderable(i) for i in influence),
        ),
        lambda: {**result.to_dict(), "influence": [i.to_dict() for i in influence]},
        lambda: formats.analysis_csv(result, [i.to_pandas() for i in influence]),
    )


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
    emit(
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
    emit(
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
    emit(
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

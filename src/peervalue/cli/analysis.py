"""Commands of the reference analysis: reproduce, analyse, evidence list/show/validate."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    DEFAULT_PRICES,
    DEFAULT_STUDIES,
    CostBasisChoice,
    CostsOpt,
    DrawsOpt,
    EvidenceOpt,
    EvidenceSetOpt,
    ForceOpt,
    FormatOpt,
    IndexationChoice,
    IndexationOpt,
    OutputFormat,
    OutputOpt,
    Prices,
    PriceYearOpt,
    ResourcesChoice,
    ResourcesOpt,
    SeedOpt,
    Studies,
    WeightingChoice,
    WeightingOpt,
    app,
    emit,
    evidence_app,
    keep_inputs,
    make_folder,
    option_groups,
    request,
)


class SubgroupChoice(StrEnum):
    design = "design"
    country = "country"
    peer_role = "peer_role"
    randomisation = "randomisation"
    bundled = "bundled"
    risk_of_bias = "risk_of_bias"
    outcome = "outcome"


@app.command()
def reproduce(
    evidence_set: EvidenceSetOpt = None,
    resources: ResourcesOpt = ResourcesChoice.bed_days,
    fmt: FormatOpt = OutputFormat.table,
    weighting: WeightingOpt = WeightingChoice.all,
    costs: CostsOpt = None,
    price_year: PriceYearOpt = None,
    indexation: IndexationOpt = IndexationChoice.pay_and_prices,
    cost_basis: Annotated[
        CostBasisChoice,
        typer.Option(
            "--cost-basis",
            help="Peer worker cost: pay (salary and employer on-costs: what the 2013 report's "
            "words describe, the default here) or full (with overheads and capital). The "
            "other basis is shown beside it.",
        ),
    ] = CostBasisChoice.pay,
    output: OutputOpt = None,
) -> None:
    """Run the 2013 reference analysis on the bundled evidence at England 2011-12 prices.

    Prints one row per study, the pooled ratios, the break-even point and the
    published 4.8:1 beside our result, with why they differ. A peer worker is
    costed on pay (salary and employer on-costs), as the report's words describe;
    the full cost with overheads is shown beside it. --costs and --price-year run
    the same analysis at other unit costs or prices.

    Example: peervalue reproduce --format json

    Example: peervalue reproduce --costs england-2024-25
    """
    from peervalue.service import AnalysisRequest, run_analysis

    req = request(
        AnalysisRequest,
        evidence_set=evidence_set,
        resources=resources,
        weighting=weighting,
        with_reference=True,
        compare_cost_basis=True,
        costs=costs,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    result = run_analysis(req)
    title = "Reference analysis (method of Trachtenberg et al. 2013), " + (
        "bundled evidence" if evidence_set is None else result.evidence
    )
    emit(result, fmt, output, inputs=(costs,), title=title)


@app.command("analyse")
@option_groups
def analyse_cmd(
    studies: Studies = DEFAULT_STUDIES,
    costs: CostsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    weighting: WeightingOpt = WeightingChoice.all,
    reference: Annotated[
        bool, typer.Option("--reference", help="Show the published 2013 result beside this one.")
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
    prices: Prices = DEFAULT_PRICES,
    output: OutputOpt = None,
) -> None:
    """Run the same analysis on your own study files and/or unit-cost file.

    With --leave-one-out or --subgroup FIELD it also shows how the pooled ratio
    and the probability of a positive net benefit change without each study, or
    within designs, countries or peer roles (--draws and --seed set the Monte Carlo).

    Example: peervalue evidence new my_studies/a.yaml && peervalue costs new my_costs.yaml
    && peervalue analyse --evidence my_studies/ --costs my_costs.yaml --format json

    Example: peervalue analyse --leave-one-out --subgroup design
    """
    from peervalue.service import AnalysisRequest, run_analysis

    req = request(
        AnalysisRequest,
        **studies._asdict(),
        costs=costs,
        weighting=weighting,
        with_reference=reference,
        leave_one_out=leave_one_out,
        subgroup=subgroup,
        draws=draws,
        seed=seed,
        **prices._asdict(),
    )
    keep_inputs(output, (studies.evidence, costs))
    result = run_analysis(req)
    emit(
        result,
        fmt,
        output,
        inputs=(studies.evidence, costs),
        title=f"Analysis of {result.evidence}",
    )


@evidence_app.command("list")
def evidence_list(
    evidence: EvidenceOpt = None,
    evidence_set: EvidenceSetOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """List the studies in an evidence folder (default: the bundled studies).

    Example: peervalue evidence list --format csv
    """
    from peervalue.service import EvidenceRequest, run_evidence

    emit(
        run_evidence(request(EvidenceRequest, evidence=evidence, evidence_set=evidence_set)),
        fmt,
        output,
        inputs=(evidence,),
    )


@evidence_app.command("show")
def evidence_show(
    study_id: Annotated[str, typer.Argument(metavar="ID", help="Study id, e.g. sledge2011.")],
    evidence: EvidenceOpt = None,
    evidence_set: EvidenceSetOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Show one study: citation, design and every figure with its source and status.

    Example: peervalue evidence show sledge2011
    """
    from peervalue.service import StudyRequest, run_study

    study = run_study(
        request(StudyRequest, evidence=evidence, evidence_set=evidence_set, study_id=study_id)
    )
    emit(study, fmt, output, inputs=(evidence,))


class OutcomeChoice(StrEnum):
    mean_bed_days = "mean_bed_days"
    total_bed_days_saved = "total_bed_days_saved"
    bed_days_saved_per_patient = "bed_days_saved_per_patient"
    admissions_and_length_of_stay = "admissions_and_length_of_stay"
    bed_days_saved_per_fte_year = "bed_days_saved_per_fte_year"
    readmission_counts = "readmission_counts"
    readmission_odds_ratio = "readmission_odds_ratio"
    readmission_risk_ratio = "readmission_risk_ratio"
    length_of_stay_difference = "length_of_stay_difference"
    no_usable_outcome = "no_usable_outcome"


@evidence_app.command("new")
def evidence_new(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the template.")],
    outcome: Annotated[
        OutcomeChoice,
        typer.Option("--outcome", help="The kind of outcome the study reports."),
    ] = OutcomeChoice.mean_bed_days,
    force: ForceOpt = False,
) -> None:
    """Write a commented template for a new study file, with an outcome of the chosen kind.

    Every figure is an example to replace; every text to replace says REPLACE, and
    evidence validate warns of any left. A missing folder is made.

    Example: peervalue evidence new my_studies/core2018.yaml --outcome readmission_counts
    """
    from peervalue.errors import input_error, quote
    from peervalue.evidence.template import id_for, study_template
    from peervalue.fileio import atomic_write_text

    if path.suffix.lower() not in (".yaml", ".yml"):
        raise input_error(
            path,
            "",
            "the template is a YAML study file, but the name ends in "
            + (quote(path.suffix) if path.suffix else "no extension")
            + ", so it would not be read as one",
            "a name ending in .yaml, such as my_studies/core2018.yaml",
        )
    text = study_template(outcome.value, id_for(path))
    make_folder(path)
    atomic_write_text(path, text, overwrite=force)
    typer.echo(f"Wrote {path}. Edit it, then check it: peervalue evidence validate {path.parent}")


@evidence_app.command("sets")
def evidence_sets(
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """List the bundled evidence sets: which studies each holds, and why.

    Example: peervalue evidence sets --format json
    """
    from peervalue.evidence.sets import list_sets

    emit(list_sets(), fmt, output)


@evidence_app.command("validate")
def evidence_validate(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Folder of study files, or one study file."),
    ],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Check every study file in DIR (or the one file given); report all problems, exit 2
    if any.

    A study whose texts still say REPLACE (a template not yet edited) is valid but
    warned of, on standard error.

    Example: peervalue evidence new my_studies/a.yaml && peervalue evidence validate my_studies/

    Example: peervalue evidence new my_studies/b.yaml
    && peervalue evidence validate my_studies/b.yaml
    """
    from peervalue.evidence.template import PLACEHOLDER, unedited_fields
    from peervalue.service import EvidenceRequest, run_evidence

    evidence = run_evidence(request(EvidenceRequest, evidence=directory))
    emit(evidence, fmt, output, inputs=(directory,), view="validate")
    for study in evidence.listed:
        fields = unedited_fields(study)
        if fields:
            shown = ", ".join(fields[:4]) + (", ..." if len(fields) > 4 else "")
            typer.echo(
                f"warning: {study.id}: {len(fields)} text(s) still say {PLACEHOLDER} ({shown}); "
                "edit them before the study is pooled",
                err=True,
            )


@app.command()
def reconcile(
    evidence: EvidenceOpt = None,
    costs: CostsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """The bridge from our result to the published 4.8 : 1, one named change at a time.

    Steps: the report's pay cost basis, the other weighting reading, leaving out the
    studies whose effect is assumed nil; then the common caseload the rest of the
    distance would need, and whether it lies within the assumed range. Nothing is
    tuned: the defaults stay as they are.

    Example: peervalue reconcile --format json
    """
    from peervalue.service.reconcile import run_reconcile
    from peervalue.service.requests import ReconcileRequest

    result = run_reconcile(request(ReconcileRequest, evidence=evidence, costs=costs))
    emit(result, fmt, output, inputs=(evidence, costs))

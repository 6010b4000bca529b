"""Commands for local business cases: scenario new, run, tornado and two-way."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from peervalue.cli.common import (
    FormatOpt,
    OutputFormat,
    OutputOpt,
    app,
    checked_output,
    emit,
    rendered_text,
    request,
)

scenario_app = typer.Typer(
    help="Local business cases: a scenario file layered over the national defaults, run "
    "year by year with its uncertainty.\n\nExample: peervalue scenario new my_case.toml",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("new")
def scenario_new(
    path: Annotated[Path, typer.Argument(metavar="PATH", help="Where to write the template.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the file if it already exists.")
    ] = False,
) -> None:
    """Write a commented scenario template holding the national defaults.

    Example: peervalue scenario new my_case.toml && peervalue scenario run my_case.toml
    """
    from peervalue.errors import input_error, quote
    from peervalue.fileio import atomic_write_text
    from peervalue.scenario.schema import template_file

    if path.suffix.lower() != ".toml":
        raise input_error(
            path,
            "",
            "the template is a TOML scenario file, but the name ends in "
            + (quote(path.suffix) if path.suffix else "no extension")
            + ", so scenario run would not read it as one",
            "a name ending in .toml, such as my_case.toml",
        )
    atomic_write_text(path, template_file().read_text(encoding="utf-8"), overwrite=force)
    typer.echo(f"Wrote {path}. Edit it, then run: peervalue scenario run {path}")


@scenario_app.command("run")
def scenario_run(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="One or more scenario files.")
    ],
    draws: Annotated[
        int | None,
        typer.Option("--draws", "-n", help="Monte Carlo draws (default: the file's, else 10,000)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", help="Random seed (default: the file's, else 1).")
    ] = None,
    save_inputs: Annotated[
        Path | None,
        typer.Option(
            "--save-inputs",
            help="Write every resolved input to this TOML file; running it again "
            "reproduces the result exactly (one scenario only).",
            callback=checked_output,
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Run business cases: costs, benefits and net benefit by year, payback, uncertainty.

    With several files the results are shown side by side.

    Example: peervalue scenario new my_case.toml && peervalue scenario run my_case.toml

    Example: peervalue scenario new a.toml && peervalue scenario new b.toml
    && peervalue scenario run a.toml b.toml --format csv -o cases.csv
    """
    from peervalue.errors import input_error
    from peervalue.fileio import refuse_overwriting_inputs
    from peervalue.scenario.results import ScenarioComparison
    from peervalue.service.requests import ScenarioRequest
    from peervalue.service.scenario import run_scenario, save_inputs_text
    from peervalue.service.scenario_resolve import read_paths, resolve_scenario

    if save_inputs is not None and len(files) != 1:
        raise input_error(
            "--save-inputs", "", f"got {len(files)} scenario files", "exactly one scenario file"
        )
    if output is not None and str(output) == "-":
        output = None
    requests = [request(ScenarioRequest, scenario=f, draws=draws, seed=seed) for f in files]
    # every scenario and every file it names is read and checked before any runs (each
    # once: the runs take them as read), and no output may replace one of them (a
    # scenario, its cost file, a study in its folder)
    resolved = [resolve_scenario(f) for f in files]
    inputs = [*files, *(path for r in resolved for path in read_paths(r))]
    for target in (output, save_inputs):
        if target is not None:
            refuse_overwriting_inputs(target, inputs)
    if (
        save_inputs is not None
        and output is not None
        and save_inputs.absolute() == output.absolute()
    ):
        raise input_error(
            "--save-inputs",
            "",
            f"names the same file as --output ({output})",
            "a TOML file for the inputs and another file for the result",
        )
    results = [run_scenario(req, r) for req, r in zip(requests, resolved, strict=True)]
    if save_inputs is not None:
        from peervalue.fileio import atomic_write_many, atomic_write_text

        inputs_text = save_inputs_text(files[0], results[0])
        if output is not None:
            # the inputs and the result are committed together or not at all
            text = rendered_text(results[0], fmt)
            atomic_write_many(
                [(save_inputs, inputs_text.encode("utf-8")), (output, text.encode("utf-8"))]
            )
            return
        atomic_write_text(save_inputs, inputs_text)
    if len(results) == 1:
        emit(results[0], fmt, output, inputs=tuple(inputs))
    else:
        emit(ScenarioComparison(scenarios=results), fmt, output, inputs=tuple(inputs))


class CaseOutcome(StrEnum):
    economic = "economic"
    cash = "cash"


OutcomeOpt = Annotated[
    CaseOutcome,
    typer.Option(
        "--outcome",
        help="economic: the NPV of every bed-day saved; cash: the cash NPV (cash released only).",
    ),
]


OptionOpt = Annotated[
    str | None,
    typer.Option(
        "--option",
        metavar="NAME",
        help="One of the file's [[options]] by name: its NPV in place of the case's "
        "(default: the case as the file sets it).",
    ),
]


@scenario_app.command("tornado")
def scenario_tornado(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A scenario file.")],
    outcome: OutcomeOpt = CaseOutcome.economic,
    option: OptionOpt = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Draws for the pooled effect's interval.")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 1,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """One-way sensitivity of the case's own NPV: each input from low to high, the economic
    and cash NPV at each end, widest first.

    Example: peervalue scenario new my_case.toml && peervalue scenario tornado
    my_case.toml --outcome cash
    """
    from peervalue.service.case_sensitivity import run_case_tornado
    from peervalue.service.requests import CaseSensitivityRequest

    req = request(
        CaseSensitivityRequest,
        scenario=file,
        outcome=outcome.value,
        option=option,
        draws=draws,
        seed=seed,
    )
    emit(run_case_tornado(req), fmt, output, inputs=(file,))


@scenario_app.command("two-way")
def scenario_two_way(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A scenario file.")],
    axes: Annotated[
        str,
        typer.Option(
            "--axes",
            metavar="X,Y",
            help="Two inputs of the case, by their place in the file (e.g. "
            "benefits.cash_releasing_share,staffing.caseload) or effect.",
        ),
    ],
    outcome: OutcomeOpt = CaseOutcome.economic,
    option: OptionOpt = None,
    grid: Annotated[int, typer.Option(help="Grid points per input (2 to 51).")] = 11,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Random seed.")] = 1,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
) -> None:
    """Two-way sensitivity of the case's own NPV: the NPV and P(NPV > 0) over a grid of two
    of its inputs, each across its range.

    Example: peervalue scenario new my_case.toml && peervalue scenario two-way
    my_case.toml --outcome cash --axes benefits.cash_releasing_share,staffing.caseload
    """
    from peervalue.errors import input_error
    from peervalue.service.case_sensitivity import run_case_two_way
    from peervalue.service.requests import CaseSensitivityRequest

    parts = tuple(part.strip() for part in axes.split(","))
    if len(parts) != 2 or not all(parts):
        raise input_error("--axes", "", f"got {axes!r}", "two inputs separated by a comma")
    req = request(
        CaseSensitivityRequest,
        scenario=file,
        outcome=outcome.value,
        option=option,
        axes=parts,
        grid=grid,
        draws=draws,
        seed=seed,
    )
    emit(run_case_two_way(req), fmt, output, inputs=(file,))

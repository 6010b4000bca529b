"""What every command shares: the Typer apps, common options, requests and output.

A command maps its options to a request (:func:`request`), runs it through the
service layer and hands the result to :func:`emit`, which renders it with the
renderer registered for the format. Nothing else happens in the CLI: no check,
no arithmetic. Heavy libraries are imported inside the commands that use them,
so ``peervalue --version`` and ``--help`` start quickly.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TypeVar

import typer
import typer.core

from peervalue.errors import Naming

if TYPE_CHECKING:
    from peervalue.service.requests import Request

    Req = TypeVar("Req", bound=Request)

#: request fields -> the option (or argument) users type, so messages name what they typed
OPTION_LABELS = {
    "evidence": "--evidence",
    "evidence_set": "--evidence-set",
    "resources": "--resources",
    "order": "--order",
    "evidence_sets": "--evidence-set",
    "costs": "--costs",
    "draws": "--draws",
    "seed": "--seed",
    "chunk_size": "--chunk-size",
    "sampler": "--sampler",
    "probability": "--probability",
    "population_fte": "--population-fte",
    "horizon": "--horizon",
    "discount_rate": "--discount-rate",
    "n": "--n",
    "design": "--design",
    "follow_up_months": "--follow-up-months",
    "population_low": "--population-range",
    "population_high": "--population-range",
    "setup_cost": "--setup-cost",
    "setup_cost_low": "--setup-cost-range",
    "setup_cost_high": "--setup-cost-range",
    "cost_per_participant": "--cost-per-participant",
    "cost_per_participant_low": "--cost-per-participant-range",
    "cost_per_participant_high": "--cost-per-participant-range",
    "bootstrap": "--bootstrap",
    "caseload": "--caseload",
    "level": "--level",
    "method": "--method",
    "interval": "--interval",
    "prediction": "--prediction",
    "i2_from": "--i2",
    "study_id": "ID",
    "axes": "--two-way",
    "grid": "--grid",
    "scenario": "--scenario",
    "figures": "NAME",
    "price_year": "--price-year",
    "indexation": "--indexation",
    "cost_basis": "--cost-basis",
    "from_year": "--from",
    "to_year": "--to",
    "value": "VALUE",
    "older": "OLDER",
    "newer": "NEWER",
    "scale": "--scale",
    "tau_prior": "--tau-prior",
    "mu_prior": "--mu-prior",
    "bias_prior": "--bias-prior",
    "bias": "--bias/--no-bias",
}

#: "see also" topics (peervalue.errors.SEE_ALSO) as the commands that show them
SEE_ALSO_COMMANDS = {
    "evidence-sets": "peervalue evidence sets",
    "cost-sets": "peervalue costs list",
    "figures": "peervalue plot --list",
    "new-scenario": "peervalue scenario new FILE",
    "study": "peervalue evidence show",
}


def option_of(field: str) -> str:
    """The option (or argument) a request field is given with."""
    return OPTION_LABELS.get(field, "--" + field.replace("_", "-"))


class CliNaming(Naming):
    """Messages on the command line: a request field as its option, a hint as a command."""

    def field(self, name: str, value: str | None) -> str:
        return option_of(name) if value is None else f"{option_of(name)} {value}"

    def see(self, topic: str, argument: str) -> str:
        command = SEE_ALSO_COMMANDS.get(topic, topic)
        return f"{command} {argument}" if argument else command


def _no_type_for_flags() -> None:
    """Show no ``<bool>`` after on/off flags (``--quiet``, ``--help``) in ``--help``.

    Typer labels every option with its type; a flag takes no value, so the label
    only misleads. Its type label is the one method patched here.
    """
    original = typer.core.TyperOption.display_type_rich

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else original(self, ctx)

    typer.core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_no_type_for_flags()


def _one_value_per_option() -> None:
    """Refuse an option given twice (``--evidence-set A --evidence-set B``), which Click
    would settle silently by keeping the last. Options that take several values (a list,
    ``multiple``) say so in ``--help`` and may repeat.

    Every command's ``parse_args`` first runs Click's own parser on a copy of the
    arguments: it returns each option in the order given, repeats included. Mistakes
    that parser finds are left for the real parse to report as usual.
    """
    original = typer.core.TyperCommand.parse_args

    def parse_args(self: typer.core.TyperCommand, ctx: Any, args: list[str]) -> Any:
        if not ctx.resilient_parsing:
            try:
                _, _, order = self.make_parser(ctx).parse_args(args=list(args))
            except Exception:  # Click's own usage errors: the real parse reports them
                order = []
            # Typer carries its own copy of Click, so options are told by their kind
            options: list[Any] = [p for p in order if getattr(p, "param_type_name", "") == "option"]
            counts: dict[str, int] = {}
            for param in options:
                if not (param.multiple or param.count):
                    counts[param.name or ""] = counts.get(param.name or "", 0) + 1
            for param in options:
                if counts.get(param.name or "", 0) > 1:
                    from peervalue.errors import input_error

                    name = max(param.opts, key=len)
                    raise input_error(
                        name,
                        "",
                        f"given {counts[param.name or '']} times; this option takes one value "
                        "(the last would silently win)",
                        f"{name} once (options that repeat say so in --help)",
                    )
        return original(self, ctx, args)

    typer.core.TyperCommand.parse_args = parse_args  # type: ignore[method-assign,assignment]


_one_value_per_option()


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class WeightingChoice(StrEnum):
    all = "all"
    intervention = "intervention"


class PoolingChoice(StrEnum):
    weighted = "weighted"
    sums = "sums"


def _version(value: bool) -> None:
    if value:
        from peervalue._version import package_version

        typer.echo(f"peervalue {package_version()}")
        raise typer.Exit()


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


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """peervalue command line."""


FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people; json or csv for programs.")
]


def make_folder(path: Path) -> None:
    """Make the folder a new file goes in (and its parents), or say why it cannot be made."""
    from peervalue.errors import input_error

    folder = path.parent
    if str(folder) in ("", "."):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise input_error(
            path,
            "",
            f"its folder {folder} cannot be made ({exc.strerror or exc})",
            "a path in a folder you may create or write to",
        ) from None


def checked_output(value: Path | None) -> Path | None:
    """An output file checked while the options are read, before any work: its folder
    exists and may be written to, and it is not a folder, device or read-only file
    (``-``, the screen, is not checked). Writing checks again."""
    if value is not None and str(value) != "-":
        from peervalue.fileio import check_output

        check_output(value)
    return value


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically) instead of the screen; - is the screen.",
        callback=checked_output,
    ),
]
WeightingOpt = Annotated[
    WeightingChoice,
    typer.Option(
        help="Pooling weights: all patients in each study, or only those who had peer support "
        "(the 2013 report says 'the size of each study's patient sample': either reading)."
    ),
]
PoolingOpt = Annotated[
    PoolingChoice,
    typer.Option(
        help="Pooled result to report: the 2013 report's weighted mean of ratios, or the "
        "ratio of sums (total benefit / total cost)."
    ),
]
# Text, not Path: Typer would turn an empty value into ".", the current folder.
EvidenceOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence",
        "-e",
        metavar="PATH",
        help="Folder of study files, or one study file (default: the bundled studies).",
    ),
]
EvidenceSetOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence-set",
        metavar="NAME",
        help="Use the studies of this evidence set: cmh2013 (the 2013 six, the default "
        "studies), all-2026, rct-only, uk-only, bed-days-only (peervalue evidence sets). "
        "With --evidence, the set selects from that folder.",
    ),
]


class ResourcesChoice(StrEnum):
    bed_days = "bed-days"
    all = "all"


ResourcesOpt = Annotated[
    ResourcesChoice,
    typer.Option(
        "--resources",
        help="What the benefits count: bed-days (psychiatric bed-days, the reference "
        "analysis) or all (also each study's other resources, such as emergency visits, "
        "valued at the cost file's unit costs).",
    ),
]
CostsOpt = Annotated[
    str | None,
    typer.Option(
        "--costs",
        "-c",
        metavar="PATH|NAME",
        help="Unit-cost file, or a bundled cost set's name such as england-2024-25 "
        "(peervalue costs list; default: england-2011-12).",
    ),
]


class IndexationChoice(StrEnum):
    pay_and_prices = "pay-and-prices"
    pay_for_pay = "pay-for-pay"


class CostBasisChoice(StrEnum):
    pay = "pay"
    full = "full"


CostBasisOpt = Annotated[
    CostBasisChoice | None,
    typer.Option(
        "--cost-basis",
        help="Peer worker cost: pay (salary and employer on-costs, the 2013 report's "
        "'additional pay costs') or full (with overheads and capital, the PSSRU build-up; "
        "what a business case should count). Default: the cost file's own basis (full).",
    ),
]

PriceYearOpt = Annotated[
    str | None,
    typer.Option(
        "--price-year",
        metavar="YYYY-YY",
        help="Express every money figure at this year's prices, e.g. 2024-25 (default: the "
        "cost set's own year). Ratios and break-even bed-days do not change.",
    ),
]
IndexationOpt = Annotated[
    IndexationChoice,
    typer.Option(
        help="How --price-year moves costs: one NHS pay-and-prices index for everything, or "
        "the NHSCII pay index for salary and on-costs (pay-for-pay).",
    ),
]


class Studies(NamedTuple):
    """The shared options that choose a run's studies (``--evidence``, ``--evidence-set``,
    ``--resources``), declared once, as :class:`Prices` is."""

    evidence: str | None  #: text, as --evidence is read (see EvidenceOpt)
    evidence_set: str | None
    resources: ResourcesChoice


class Prices(NamedTuple):
    """The shared options that set a run's prices, declared once: a command takes them as
    one parameter typed ``Prices`` under :func:`option_groups`, and passes them on with
    ``**prices._asdict()``."""

    price_year: str | None
    indexation: IndexationChoice
    cost_basis: CostBasisChoice | None


def _option(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default, annotation=annotation
    )


#: the options' defaults: a command's default for its ``Prices`` parameter (never used:
#: :func:`option_groups` puts the options in its place)
DEFAULT_PRICES = Prices(None, IndexationChoice.pay_and_prices, None)
DEFAULT_STUDIES = Studies(None, None, ResourcesChoice.bed_days)

#: each option group: the options it stands for in a command's signature, in help order
OPTION_GROUPS: dict[type, tuple[inspect.Parameter, ...]] = {
    Studies: (
        _option("evidence", EvidenceOpt, DEFAULT_STUDIES.evidence),
        _option("evidence_set", EvidenceSetOpt, DEFAULT_STUDIES.evidence_set),
        _option("resources", ResourcesOpt, DEFAULT_STUDIES.resources),
    ),
    Prices: (
        _option("price_year", PriceYearOpt, DEFAULT_PRICES.price_year),
        _option("indexation", IndexationOpt, DEFAULT_PRICES.indexation),
        _option("cost_basis", CostBasisOpt, DEFAULT_PRICES.cost_basis),
    ),
}

F = TypeVar("F", bound=Callable[..., Any])


def option_groups(command: F) -> F:
    """Put each parameter of ``command`` typed as an option group (:class:`Studies`,
    :class:`Prices`) in place of the group's options, where it stands, so ``--help`` lists
    them there; the command receives the group as one value. Put it under
    ``@app.command()``."""
    hints = typing.get_type_hints(command, include_extras=True)
    params: list[inspect.Parameter] = []
    groups: dict[str, tuple[type, list[str]]] = {}
    for param in inspect.signature(command).parameters.values():
        annotation = hints.get(param.name, param.annotation)
        if annotation in OPTION_GROUPS:
            options = OPTION_GROUPS[annotation]
            groups[param.name] = (annotation, [o.name for o in options])
            params.extend(options)
        else:
            params.append(param.replace(annotation=annotation))

    @functools.wraps(command)
    def run(**values: Any) -> Any:
        for name, (group, names) in groups.items():
            values[name] = group(**{n: values.pop(n) for n in names})
        return command(**values)

    del run.__wrapped__  # typer reads the new signature, not the command's
    run.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return typing.cast(F, run)


ForceOpt = Annotated[bool, typer.Option("--force", help="Replace an existing file.")]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress bar (it shows only for long runs with a terminal on stderr).",
    ),
]
DrawsOpt = Annotated[
    int, typer.Option("--draws", "-n", help="Monte Carlo draws (1 to 20,000,000).")
]
SeedOpt = Annotated[
    int, typer.Option("--seed", "-s", help="Random seed (a whole number, 0 or above).")
]


def request(cls: type[Req], **values: Any) -> Req:
    """Build a request from option values; a mistake names the option (exit 2)."""
    from peervalue.service.requests import make_request

    plain = {k: (v.value if isinstance(v, StrEnum) else v) for k, v in values.items()}
    return make_request(cls, OPTION_LABELS, **plain)


def rendered_text(result: object, fmt: OutputFormat, **options: Any) -> str:
    """``result`` as the text a file or a pipe receives (a table as plain text, with the
    control characters of user text escaped)."""
    from peervalue.report.registry import render

    rendered = render(result, fmt.value, **options)
    if fmt is OutputFormat.table:
        from peervalue.report.safe_text import terminal_safe
        from peervalue.report.table_analysis import plain_text

        return plain_text(terminal_safe(rendered))
    return str(rendered)


def keep_inputs(output: Path | None, inputs: Sequence[str | Path | None]) -> None:
    """Refuse, before the run, an ``output`` that would replace one of the run's ``inputs``
    (a study, cost or scenario file) or add a study file to an evidence folder;
    :func:`emit` checks again as it writes. ``-`` (standard output) passes."""
    if output is None or str(output) == "-":
        return
    from peervalue.fileio import refuse_overwriting_inputs

    refuse_overwriting_inputs(output, [Path(p) for p in inputs if p])


def emit(
    result: object,
    fmt: OutputFormat,
    output: Path | None,
    inputs: Sequence[str | Path | None] = (),
    **options: Any,
) -> None:
    """Render ``result`` once, then write it to ``output`` atomically or to standard output.

    ``output`` ``-`` is standard output. It may not replace one of the run's
    ``inputs`` (a study or cost file), nor add a study file to an evidence
    folder. ``options`` go to the renderer (``title`` for tables, ``view`` for a part).
    """
    if output is not None and str(output) == "-":
        output = None
    keep_inputs(output, inputs)

    if fmt is OutputFormat.table and output is None and sys.stdout.isatty():
        from rich.console import Console

        from peervalue.report.registry import render
        from peervalue.report.safe_text import terminal_safe

        Console().print(terminal_safe(render(result, fmt.value, **options)))
        return
    text = rendered_text(result, fmt, **options)
    if output is not None:
        from peervalue.fileio import atomic_write_text

        atomic_write_text(output, text)
    else:
        sys.stdout.write(text)

"""A scenario's ``[[options]]`` appraised beside business as usual and the case itself.

Each option is the whole business case with its overrides layered on
(:func:`~peervalue.scenario.option_file.option_document`), checked as a scenario of its
own and run with the case's seed and draws. Every parameter is drawn from its own stream,
keyed by the seed and the parameter's name (:func:`~peervalue.uncertainty.distributions.
first_draws`), so the inputs options share get identical draws (common random numbers)
whatever else an option changes; :func:`shared_draws_identical` checks it. The table
itself is :func:`peervalue.scenario.options.appraise`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from peervalue.errors import InputError, Problem
from peervalue.fileio import validate
from peervalue.model.core import Array
from peervalue.scenario import model
from peervalue.scenario.defaults import LoadedScenario
from peervalue.scenario.option_file import OPTION_TABLES, PEER_COST_FIELDS, ScenarioOption
from peervalue.scenario.options import BUSINESS_AS_USUAL, OptionsAppraisal, appraise
from peervalue.scenario.organisation_results import OptionOrganisation
from peervalue.scenario.schema import ScenarioFile
from peervalue.service.requests import ScenarioRequest
from peervalue.service.scenario_params import PreparedScenario, prepare_scenario
from peervalue.service.scenario_resolve import ResolvedFiles


@dataclass(frozen=True)
class OptionRun:
    """One option's prepared scenario and its point and Monte Carlo projections."""

    name: str
    prepared: PreparedScenario
    point: model.Projection
    drawn: model.Projection


def option_fields() -> dict[str, tuple[str, ...]]:
    """The fields an option may set, by table, from the schema."""
    out = {}
    for table in OPTION_TABLES:
        model_ = ScenarioFile.model_fields[table].annotation
        assert isinstance(model_, type)
        out[table] = tuple(getattr(model_, "model_fields", {}))
    return out


def option_document(base: ScenarioFile, option: ScenarioOption) -> dict[str, Any]:
    """The whole case with ``option``'s overrides layered on, as a document to validate
    (without options of its own); a field the schema does not declare is refused."""
    allowed = option_fields()
    data = base.model_dump(mode="json", exclude={"options"})
    for table in OPTION_TABLES:
        changes = getattr(option, table)
        unknown = [f for f in changes if f not in allowed[table]]
        if unknown:
            raise InputError(
                "",
                [
                    Problem(
                        "",
                        f"option {option.name!r} sets "
                        f"{', '.join(repr(f'{table}.{f}') for f in unknown)}, not a field of "
                        f"[{table}]",
                        f"one of: {', '.join(allowed[table])}",
                    )
                ],
            )
        if not changes:
            continue
        block = dict(data[table])
        if table == "costs" and any(f in changes for f in PEER_COST_FIELDS):
            for f in PEER_COST_FIELDS:
                block.pop(f, None)
        block.update(changes)
        data[table] = block
    return data


def option_files(files: ResolvedFiles, index: int, option: ScenarioOption) -> ResolvedFiles:
    """The case's files with ``option`` layered on: the scenario checked again as a whole
    (a mistake names the option), the cost set resolved again for its own post cost."""
    from peervalue.service.scenario_resolve import _check_price_years, _cost_document

    loaded = files.loaded
    where = f"options[{index}] ({option.name})"
    try:
        scenario = validate(ScenarioFile, option_document(loaded.scenario, option), loaded.source)
        mine = LoadedScenario(
            scenario, (*loaded.overrides, *option.overrides()), loaded.source, loaded.folder
        )
        _check_price_years(mine)
        return replace(files, loaded=mine, costs=_cost_document(mine))
    except InputError as exc:
        raise InputError(
            exc.source or loaded.source,
            [
                Problem(f"{where}: {p.field}" if p.field else where, p.problem, p.expected)
                for p in exc.problems
            ],
        ) from None


def run_option(name: str, request: ScenarioRequest, files: ResolvedFiles) -> OptionRun:
    """One option run as a whole business case."""
    p = prepare_scenario(request, files)
    with np.errstate(all="ignore"):
        point = model.project(p.inputs(drawn=False))
        drawn = model.project(p.inputs(drawn=True))
    return OptionRun(name, p, point, drawn)


def checked_options(files: ResolvedFiles) -> list[ResolvedFiles]:
    """Each option's files (the case's with the option layered on), every option checked;
    none without options."""
    s = files.loaded.scenario
    case_name = s.scenario.name
    for i, option in enumerate(s.options or []):
        if option.name == case_name:
            raise InputError(
                files.loaded.source,
                [
                    Problem(
                        f"options[{i}].name",
                        f"{option.name!r} is the case's own name (scenario.name)",
                        "another name for the option: the case itself is shown under its name",
                    )
                ],
            )
    return [option_files(files, i, o) for i, o in enumerate(s.options or [])]


def run_options(
    request: ScenarioRequest,
    files: ResolvedFiles,
    case: OptionRun | None = None,
    per_option: list[ResolvedFiles] | None = None,
) -> tuple[OptionsAppraisal, list[OptionRun]] | None:
    """The options table of a scenario with ``[[options]]`` (None without any): business
    as usual, the case as the file sets it (``case``: run already) and each option
    (``per_option``: from :func:`checked_options` already), with the runs behind it.
    Every option is checked before any runs."""
    s = files.loaded.scenario
    if not s.options:
        return None
    if per_option is None:
        per_option = checked_options(files)
    runs = [case if case is not None else run_option(s.scenario.name, request, files)]
    runs += [run_option(o.name, request, f) for o, f in zip(s.options, per_option, strict=True)]
    return table_of(runs), runs


def _totals(run: OptionRun, drawn: bool) -> tuple[Array, Array, Array]:
    p = run.drawn if drawn else run.point
    npv = np.asarray(p.discounted_total(p.net_benefit), dtype=np.float64).reshape(-1)
    cash = np.asarray(p.discounted_total(p.cash_net_benefit), dtype=np.float64).reshape(-1)
    cost = np.asarray(p.discounted_total(p.total_cost), dtype=np.float64).reshape(-1)
    n = run.prepared.draws if drawn else 1
    return tuple(np.broadcast_to(a, (n,)) for a in (npv, cash, cost))  # type: ignore[return-value]


def table_of(runs: list[OptionRun]) -> OptionsAppraisal:
    """The options table, business as usual (zeros in every draw) first."""
    n = runs[0].prepared.draws
    drawn = [_totals(r, drawn=True) for r in runs]
    point = [_totals(r, drawn=False) for r in runs]
    zeros = np.zeros(n)

    def matrix(k: int) -> Array:
        return np.vstack([zeros, *(d[k] for d in drawn)])

    appraisal = appraise(
        [BUSINESS_AS_USUAL, *(r.name for r in runs)],
        matrix(0),
        matrix(1),
        matrix(2),
        point_npv=[0.0, *(float(t[0][0]) for t in point)],
        point_cash_npv=[0.0, *(float(t[1][0]) for t in point)],
        # business as usual releases no cash: it never pays back
        point_cash_payback=[
            float("nan"),
            *(float(np.asarray(r.point.payback_year(cash=True)).reshape(-1)[0]) for r in runs),
        ],
    )
    return appraisal.model_copy(update={"by_organisation": by_organisation_of(runs)})


def by_organisation_of(runs: list[OptionRun]) -> list[OptionOrganisation]:
    """Each run's discounted net benefit by organisation (who pays and who gains), at the
    point values, the organisations with any line in key order."""
    from peervalue.scenario.organisations import scenario_by_organisation
    from peervalue.service.scenario_params import COST_LINES

    out = []
    for r in runs:
        years = np.shape(r.point.net_benefit)[-1]
        labels = [str(t + 1) for t in range(years)]
        split = scenario_by_organisation(r.prepared.loaded.scenario, r.point, COST_LINES, labels)
        out += [
            OptionOrganisation(
                name=r.name,
                organisation=o.organisation,
                organisation_name=o.name,
                net_present_value=o.net_present_value,
                cash_net_present_value=o.cash_net_present_value,
            )
            for o in split.organisations
        ]
    return out


def shared_draws_identical(runs: list[OptionRun]) -> list[str]:
    """The parameters an option shares with the first run (the same name and distribution)
    whose draws differ (empty: common random numbers hold), and the effect per draw when
    it differs."""
    base = runs[0].prepared
    mine = {d.name: d for d in base.dists}
    differ = []
    for r in runs[1:]:
        p = r.prepared
        theirs = {d.name: d for d in p.dists}
        # shared: the same name drawn from the same distribution (an option's own salary
        # is drawn from the same stream, but is another figure)
        for name in sorted(n for n in set(mine) & set(theirs) if mine[n] == theirs[n]):
            if not np.array_equal(base.drawn[name], p.drawn[name]):
                differ.append(f"{r.name}: {name}")
        if not np.array_equal(base.drawn_effect, p.drawn_effect):
            differ.append(f"{r.name}: effect")
    return differ

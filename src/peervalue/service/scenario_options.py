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

import numpy as np

from peervalue.errors import InputError, Problem
from peervalue.fileio import validate
from peervalue.model.core import Array
from peervalue.scenario import model
from peervalue.scenario.defaults import LoadedScenario
from peervalue.scenario.option_file import ScenarioOption, option_document
from peervalue.scenario.options import BUSINESS_AS_USUAL, OptionsAppraisal, appraise
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
            exc.source,
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


def run_options(
    request: ScenarioRequest, files: ResolvedFiles, case: OptionRun | None = None
) -> tuple[OptionsAppraisal, list[OptionRun]] | None:
    """The options table of a scenario with ``[[options]]`` (None without any): business
    as usual, the case as the file sets it (``case``: run already) and each option, with
    the runs behind it. Every option is checked before any runs."""
    s = files.loaded.scenario
    if not s.options:
        return None
    case_name = s.scenario.name
    for i, option in enumerate(s.options):
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
    per_option = [option_files(files, i, o) for i, o in enumerate(s.options)]
    runs = [case if case is not None else run_option(case_name, request, files)]
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

    return appraise(
        [BUSINESS_AS_USUAL, *(r.name for r in runs)],
        matrix(0),
        matrix(1),
        matrix(2),
        point_npv=[0.0, *(float(t[0][0]) for t in point)],
        point_cash_npv=[0.0, *(float(t[1][0]) for t in point)],
    )


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

"""Sensitivity of a business case's own net present value (issue 19, item 6).

A tornado: every uncertain input of the case, each from its low to its high value (the range
stated in its file, else the central 95% of its distribution) with the rest at base, and the
economic and cash NPV at each end. The inputs are those the run draws: the scenario's own
figures as its schema declares them (:func:`peervalue.scenario.catalogue.drawn_figures`,
so a figure added to the schema joins without an edit here), the cost set's and the
studies' parameters, and the pooled effect as one input (its Monte Carlo 95% interval).

A two-way grid: the NPV at the point values, and the share of draws with NPV > 0, over a
grid of two inputs, each across its low-high range (an input without a range: from half to
one and a half times its value, a share kept within 0-1).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from peervalue.errors import input_error
from peervalue.model.core import Array
from peervalue.scenario import model
from peervalue.scenario.case_sensitivity import CaseTornadoResult, CaseTornadoRow
from peervalue.service.requests import CaseSensitivityRequest, ScenarioRequest
from peervalue.service.scenario_params import OWNER, PreparedScenario, _effect, _inputs
from peervalue.uncertainty.results import TwoWayResult

if TYPE_CHECKING:
    from peervalue.scenario.schema import ScenarioFile
    from peervalue.service.scenario_resolve import ResolvedFiles

#: the pooled effect, varied as one input
EFFECT = "effect"


def _prepare(request: CaseSensitivityRequest, files: ResolvedFiles | None) -> PreparedScenario:
    from peervalue.service.scenario_params import prepare_scenario

    if request.option is not None:  # the case with one of its options layered on
        from peervalue.service.option_choice import files_for_option
        from peervalue.service.scenario_resolve import resolve_scenario

        files = files_for_option(files or resolve_scenario(request.scenario), request.option)
    return prepare_scenario(
        ScenarioRequest(scenario=request.scenario, draws=request.draws, seed=request.seed), files
    )


def _subject(request: CaseSensitivityRequest, s: ScenarioFile) -> str:
    """The case's name, and the option analysed in its place (``--option``)."""
    name = s.scenario.name
    return name if request.option is None else f"{name}, option {request.option!r}"


def _labels() -> dict[str, str]:
    from peervalue.scenario.catalogue import catalogue

    return {f"{OWNER}:{path}": f.input.title for path, f in catalogue().items()}


def _npvs(
    p: PreparedScenario,
    values: dict[str, Array],
    n: int,
    effect: Array | None,
    log_ratio: Array | float | None = None,
) -> Array:
    """Economic and cash NPV, shape ``(2, n)``, of ``n`` rows of parameter values; ``effect``
    (shape ``(n,)``) in place of the effect computed from ``values``. A relative effect is
    the synthesis's ``log_ratio`` (default: its point) on the baseline in ``values``."""
    s = p.loaded.scenario
    if effect is None:
        relative = p.effects.relative if p.effects is not None else None
        if s.evidence.source == "own":
            effect = np.asarray(values[f"{OWNER}:evidence.saved_per_patient_year"])
        elif relative is not None:
            from peervalue.service.scenario_effects import saved

            theta = relative.point if log_ratio is None else log_ratio
            effect = np.asarray(saved(theta, values))
        else:
            effect = np.asarray(_effect(p.spec, values, s.evidence.source))
    effect = np.broadcast_to(np.asarray(effect, dtype=np.float64).reshape(-1), (n,))
    projection = model.project(_inputs(s, p.spec, values, n, effect))
    return np.stack(
        [
            np.broadcast_to(projection.discounted_total(projection.net_benefit), (n,)),
            np.broadcast_to(projection.discounted_total(projection.cash_net_benefit), (n,)),
        ]
    )


def run_case_tornado(
    request: CaseSensitivityRequest, files: ResolvedFiles | None = None
) -> CaseTornadoResult:
    """Tornado data of the case's economic and cash NPV (see the module docstring)."""
    with np.errstate(all="ignore"):
        return _tornado(request, _prepare(request, files))


def _tornado(request: CaseSensitivityRequest, p: PreparedScenario) -> CaseTornadoResult:
    swing = {d.name: d.swing() for d in p.dists}
    varied = [d for d in p.dists if swing[d.name][0] != swing[d.name][1]]
    n = 1 + 2 * len(varied)
    values = {d.name: np.full(n, d.value) for d in p.dists}
    for k, d in enumerate(varied):
        values[d.name][1 + 2 * k], values[d.name][2 + 2 * k] = swing[d.name]
    npv = _npvs(p, values, n, None)
    # the pooled effect as one input: its Monte Carlo 95% interval, the rest at base
    drawn = np.asarray(p.drawn_effect, dtype=np.float64)
    base_effect = float(np.asarray(p.point_effect).reshape(-1)[0])
    low_e, high_e = (float(x) for x in np.nanpercentile(drawn, [2.5, 97.5]))
    point = {d.name: np.full(2, d.value) for d in p.dists}
    effect_npv = _npvs(p, point, 2, np.array([low_e, high_e]))
    labels = _labels()
    rows = [
        CaseTornadoRow(
            parameter=d.name.removeprefix(f"{OWNER}:"),
            label=labels.get(d.name, d.name),
            distribution=d.describe(),
            base_value=d.value,
            low_value=swing[d.name][0],
            high_value=swing[d.name][1],
            npv_at_low=float(npv[0, 1 + 2 * k]),
            npv_at_high=float(npv[0, 2 + 2 * k]),
            swing=float(abs(npv[0, 2 + 2 * k] - npv[0, 1 + 2 * k])),
            cash_npv_at_low=float(npv[1, 1 + 2 * k]),
            cash_npv_at_high=float(npv[1, 2 + 2 * k]),
            cash_swing=float(abs(npv[1, 2 + 2 * k] - npv[1, 1 + 2 * k])),
        )
        for k, d in enumerate(varied)
    ]
    if low_e != high_e:
        rows.append(
            CaseTornadoRow(
                parameter=EFFECT,
                label="Bed-days saved per patient-year (the effect, 95% interval)",
                distribution="Monte Carlo 95% interval",
                base_value=base_effect,
                low_value=low_e,
                high_value=high_e,
                npv_at_low=float(effect_npv[0, 0]),
                npv_at_high=float(effect_npv[0, 1]),
                swing=float(abs(effect_npv[0, 1] - effect_npv[0, 0])),
                cash_npv_at_low=float(effect_npv[1, 0]),
                cash_npv_at_high=float(effect_npv[1, 1]),
                cash_swing=float(abs(effect_npv[1, 1] - effect_npv[1, 0])),
            )
        )
    key = "cash_swing" if request.outcome == "cash" else "swing"
    rows.sort(
        key=lambda r: (-getattr(r, key) if np.isfinite(getattr(r, key)) else 0.0, r.parameter)
    )
    s = p.loaded.scenario
    return CaseTornadoResult(
        name=_subject(request, s),
        price_year=s.scenario.price_year,
        currency="GBP",
        horizon_years=s.scenario.horizon_years,
        outcome=request.outcome,
        base_npv=float(npv[0, 0]),
        base_cash_npv=float(npv[1, 0]),
        inputs=rows,
        fixed_inputs=[d.name.removeprefix(f"{OWNER}:") for d in p.dists if d not in varied],
    )


# --- two-way ------------------------------------------------------------------------------


def axis_names(p: PreparedScenario) -> list[str]:
    """The inputs a two-way grid may take: every parameter of the run (scenario figures by
    their path) and ``effect``."""
    own = [d.name.removeprefix(f"{OWNER}:") for d in p.dists if d.name.startswith(f"{OWNER}:")]
    return own + [EFFECT] + [d.name for d in p.dists if not d.name.startswith(f"{OWNER}:")]


def _axis(p: PreparedScenario, name: str, points: int) -> tuple[Array, float, str]:
    """An axis's grid, base value and label."""
    if name == EFFECT:
        drawn = np.asarray(p.drawn_effect, dtype=np.float64)
        base = float(np.asarray(p.point_effect).reshape(-1)[0])
        low, high = (float(x) for x in np.nanpercentile(drawn, [2.5, 97.5]))
        if low == high:
            low, high = 0.5 * base, 1.5 * base
        return np.linspace(low, high, points), base, "bed-days saved per patient-year"
    full = name if ":" in name else f"{OWNER}:{name}"
    found = [d for d in p.dists if d.name == full]
    if not found:
        raise input_error(
            "--axes",
            "",
            f"{name!r} is not an input of this business case",
            "two of: " + ", ".join(axis_names(p)[:12]) + ", ...",
        )
    d = found[0]
    low, high = d.swing()
    if low == high:
        low, high = 0.5 * d.value, 1.5 * d.value
        if d.name.endswith(("_share", "_rate")) and "discount" not in d.name:
            high = min(high, 1.0)
    return np.linspace(low, high, points), d.value, _labels().get(full, name)


def run_case_two_way(
    request: CaseSensitivityRequest, files: ResolvedFiles | None = None
) -> TwoWayResult:
    """The case's NPV (economic or cash) and P(NPV > 0) over a grid of two inputs."""
    if request.axes is None:
        raise input_error(
            "--axes",
            "",
            "is missing",
            "two inputs, e.g. benefits.cash_releasing_share,staffing.caseload",
        )
    p = _prepare(request, files)
    with np.errstate(all="ignore"):
        return _two_way(request, p)


def _two_way(request: CaseSensitivityRequest, p: PreparedScenario) -> TwoWayResult:
    assert request.axes is not None
    x_name, y_name = request.axes
    if x_name == y_name:
        raise input_error("--axes", "", f"got {x_name!r} twice", "two different inputs")
    g = request.grid
    (xs, x_base, x_label), (ys, y_base, y_label) = (_axis(p, x_name, g), _axis(p, y_name, g))
    row = 1 if request.outcome == "cash" else 0
    deterministic = np.empty((g, g))
    prob = np.empty((g, g))
    for drawn in (False, True):
        source = p.drawn if drawn else p.point_values
        n = p.draws if drawn else 1
        base_effect = np.asarray(p.drawn_effect if drawn else p.point_effect).reshape(-1)
        for i, x in enumerate(xs):
            # one row of the grid at a time: n draws x g points of y
            values = {
                k: np.repeat(np.broadcast_to(np.asarray(v).reshape(-1), (n,)), g)
                for k, v in source.items()
            }
            effect: Array | None = None
            cells = np.tile(ys, n)
            for name, value in ((x_name, np.full(n * g, x)), (y_name, cells)):
                if name == EFFECT:
                    effect = value
                else:
                    values[name if ":" in name else f"{OWNER}:{name}"] = value
            if effect is None and not _effect_depends(p, (x_name, y_name)):
                effect = np.repeat(np.broadcast_to(base_effect, (n,)), g)
            relative = p.effects.relative if p.effects is not None else None
            theta = None
            if drawn and relative is not None:
                theta = np.repeat(np.broadcast_to(relative.drawn, (n,)), g)
            npv = _npvs(p, values, n * g, effect, theta)[row].reshape(n, g)
            if drawn:
                prob[i] = np.mean(npv > 0, axis=0)
            else:
                deterministic[i] = npv[0]
    s = p.loaded.scenario
    return TwoWayResult(
        outcome=("cash" if row else "economic") + " net present value of the business case",
        subject=_subject(request, s),
        price_year=s.scenario.price_year,
        currency="GBP",
        x=x_name,
        x_label=x_label,
        x_base=x_base,
        x_values=xs.tolist(),
        y=y_name,
        y_label=y_label,
        y_base=y_base,
        y_values=ys.tolist(),
        draws=p.draws,
        seed=p.seed,
        net_benefit=deterministic.tolist(),
        prob_positive=prob.tolist(),
    )


def _effect_depends(p: PreparedScenario, names: tuple[str, str]) -> bool:
    """Whether either axis is a parameter the effect is computed from (a study's; the
    service's own figure; the baseline a relative effect applies to)."""
    scenario_names = {d.name for d in p.dists if d.name.startswith(f"{OWNER}:")}
    spec_names = {d.name for d in p.dists} - scenario_names
    own = p.loaded.scenario.evidence.source == "own"
    relative = p.effects is not None and p.effects.relative is not None
    return any(
        (n in spec_names)
        or (own and n == "evidence.saved_per_patient_year")
        or (relative and n.removeprefix(f"{OWNER}:").startswith("baseline."))
        for n in names
    )


#: the report's two-way map of a case: the cash NPV over the cash-releasing share and caseload
REPORT_AXES = ("benefits.cash_releasing_share", "staffing.caseload")


def case_figures(
    scenario: Path | ScenarioFile,
    needs: Collection[str],
    draws: int,
    seed: int,
    files: ResolvedFiles | None = None,
) -> dict[str, object]:
    """The results a report's case figures are drawn from (at most 2,000 draws)."""
    n = max(100, min(draws, 2_000))
    out: dict[str, object] = {}
    if "case_tornado" in needs:
        out["case_tornado"] = run_case_tornado(
            CaseSensitivityRequest(scenario=scenario, draws=n, seed=seed), files
        )
    if "case_two_way" in needs:
        out["case_two_way"] = run_case_two_way(
            CaseSensitivityRequest(
                scenario=scenario, draws=n, seed=seed, axes=REPORT_AXES, outcome="cash"
            ),
            files,
        )
    return out


__all__ = ["REPORT_AXES", "axis_names", "case_figures", "run_case_tornado", "run_case_two_way"]

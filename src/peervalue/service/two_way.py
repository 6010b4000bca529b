"""Two-way sensitivity runs: the reference analysis's pooled net benefit per FTE-year, or a
business case's net present value, over a grid of two inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from peervalue.model.core import Array
from peervalue.model.evaluate import evaluate, point_value, unit_costs
from peervalue.scenario import model
from peervalue.service.inputs import prepare
from peervalue.service.requests import ScenarioRequest, TwoWayRequest
from peervalue.uncertainty.distributions import (
    draw_chunk,
    parameter_distributions,
    parameter_stream,
)
from peervalue.uncertainty.results import TwoWayResult

if TYPE_CHECKING:
    from peervalue.service.scenario_resolve import ResolvedFiles
from peervalue.uncertainty.two_way import AXIS_LABELS, axis_values, reference_surface


def run_two_way(request: TwoWayRequest, files: ResolvedFiles | None = None) -> TwoWayResult:
    """Net benefit and P(net benefit > 0) over the grid of ``request.axes`` (``files``: the
    scenario's files resolved already, so a report reads them once)."""
    with np.errstate(all="ignore"):
        if request.scenario is not None:
            return _scenario(request, files)
        return _reference(request)


def _reference(request: TwoWayRequest) -> TwoWayResult:
    prepared = prepare(request)
    spec = prepared.spec
    dists = parameter_distributions(spec)
    streams = {d.name: parameter_stream(request.seed, d.name) for d in dists if not d.is_fixed}

    def summary(values: dict[str, Array]) -> dict[str, Array]:
        out = evaluate(spec, values)
        c_bed, c_psw = unit_costs(spec, values)
        return {
            "b": np.asarray(out.pooled_bed_days(request.pooling)),
            "e": np.asarray(out.pooled_saved_per_patient_year),
            "c_bed": np.asarray(c_bed),
            "c_psw": np.asarray(c_psw),
        }

    point = summary({d.name: np.array([d.value]) for d in dists})
    drawn = summary(draw_chunk(dists, streams, request.draws))
    bases = {
        "caseload": _implied_caseload(point),
        "cost_per_bed_day": point_value(point["c_bed"]),
        "cost_per_fte_year": point_value(point["c_psw"]),
        "effect": point_value(point["e"]),
    }
    grids = (
        axis_values(request.axes[0], bases[request.axes[0]], request.grid),
        axis_values(request.axes[1], bases[request.axes[1]], request.grid),
    )
    deterministic = reference_surface(point, request.axes, grids)[0]
    prob = np.mean(reference_surface(drawn, request.axes, grids) > 0, axis=0)
    return _result(
        request,
        "pooled net benefit per FTE-year",
        prepared.evidence.origin,
        spec.price_year,
        spec.currency,
        bases,
        grids,
        deterministic,
        prob,
    )


def _implied_caseload(point: dict[str, Array]) -> float:
    b, e = point_value(point["b"]), point_value(point["e"])
    return b / e if e > 0 and b > 0 else float("nan")


def _scenario(request: TwoWayRequest, files: ResolvedFiles | None = None) -> TwoWayResult:
    from peervalue.service.scenario import prepare_scenario

    assert request.scenario is not None
    p = prepare_scenario(
        ScenarioRequest(scenario=request.scenario, draws=request.draws, seed=request.seed), files
    )
    base_inputs = p.inputs(drawn=False)
    bases = {
        "caseload": float(base_inputs.caseload.reshape(-1)[0]),
        "cost_per_bed_day": float(base_inputs.cost_per_bed_day.reshape(-1)[0]),
        "cost_per_fte_year": float(base_inputs.cost_per_fte_year.reshape(-1)[0]),
        "effect": float(base_inputs.effect.reshape(-1)[0]),
    }
    grids = (
        axis_values(request.axes[0], bases[request.axes[0]], request.grid),
        axis_values(request.axes[1], bases[request.axes[1]], request.grid),
    )
    x_name, y_name = request.axes
    deterministic = np.empty((request.grid, request.grid))
    prob = np.empty((request.grid, request.grid))
    y_column = grids[1].reshape(1, -1, 1)  # one row of the grid at a time: (draws, y, 1)
    for i, x in enumerate(grids[0]):
        for drawn, target in ((False, deterministic), (True, prob)):
            n = p.draws if drawn else 1
            inputs = p.inputs(drawn=drawn)
            columns: dict[str, Array] = {x_name: np.full((n, request.grid, 1), x)}
            columns[y_name] = np.broadcast_to(y_column, (n, request.grid, 1))
            flat = {k: v.reshape(n * request.grid, 1) for k, v in columns.items()}
            expanded = _repeat(inputs, request.grid, flat)
            projection = model.project(expanded)
            npv = projection.discounted_total(projection.net_benefit).reshape(n, request.grid)
            target[i] = npv[0] if not drawn else np.mean(npv > 0, axis=0)
    s = p.loaded.scenario
    return _result(
        request,
        "net present value of the business case",
        s.scenario.name,
        s.scenario.price_year,
        "GBP",
        bases,
        grids,
        deterministic,
        prob,
    )


def _repeat(
    inputs: model.ScenarioInputs, times: int, overrides: dict[str, Array]
) -> model.ScenarioInputs:
    """Every ``(n, 1)`` input repeated for each of ``times`` grid points, with overrides."""
    from dataclasses import fields, replace

    changes: dict[str, object] = {}
    for f in fields(inputs):
        value = getattr(inputs, f.name)
        if f.name in overrides:
            changes[f.name] = overrides[f.name]
        elif f.name in ("funded_fte", "discount_rate", "discount_bands"):
            continue
        elif f.name in ("extra_rates", "extra_costs"):
            changes[f.name] = [np.repeat(np.asarray(v), times, axis=0) for v in value]
        elif f.name == "cost_lines":
            changes[f.name] = {
                k: replace(line, amount=np.repeat(np.asarray(line.amount), times, axis=0))
                for k, line in value.items()
            }
        else:
            changes[f.name] = np.repeat(np.asarray(value), times, axis=0)
    return replace(inputs, **changes)  # type: ignore[arg-type]


def _result(
    request: TwoWayRequest,
    outcome: str,
    subject: str,
    price_year: str,
    currency: str,
    bases: dict[str, float],
    grids: tuple[Array, Array],
    deterministic: Array,
    prob: Array,
) -> TwoWayResult:
    x, y = request.axes
    return TwoWayResult(
        outcome=outcome,
        subject=subject,
        price_year=price_year,
        currency=currency,
        x=x,
        x_label=AXIS_LABELS[x],
        x_base=bases[x],
        x_values=grids[0].tolist(),
        y=y,
        y_label=AXIS_LABELS[y],
        y_base=bases[y],
        y_values=grids[1].tolist(),
        draws=request.draws,
        seed=request.seed,
        net_benefit=np.asarray(deterministic).tolist(),
        prob_positive=np.asarray(prob).tolist(),
    )

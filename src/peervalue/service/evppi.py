"""What further research is worth: EVPPI for every uncertain input and for named groups."""

from __future__ import annotations

from collections.abc import Callable

from peervalue.model.methods import METHOD_LABELS
from peervalue.model.spec import COSTS, Parameter
from peervalue.results.evppi import EvppiResult, EvppiRow
from peervalue.service.inputs import prepare
from peervalue.service.requests import EvppiRequest

# numpy, scipy and the model are imported by run_evppi, not here: a command such as
# ``evidence list`` must not load them. The result types live in peervalue.results.evppi.

__all__ = ["GROUPS", "EvppiResult", "EvppiRow", "run_evppi"]


#: how a group's EVPPI is estimated (peervalue.uncertainty.evppi.conditional_mean_gp)
GROUP_ESTIMATOR = "GP regression"

GROUPS: dict[str, Callable[[Parameter], bool]] = {
    "all peer staffing": lambda p: p.owner != COSTS and p.field.startswith("peer_input."),
    "all outcomes": lambda p: p.owner != COSTS and p.field.startswith("outcome."),
    "unit costs": lambda p: p.owner == COSTS,
}


def run_evppi(request: EvppiRequest) -> EvppiResult:
    import numpy as np

    from peervalue.model.evaluate import evaluate
    from peervalue.uncertainty.distributions import (
        draw_chunk,
        parameter_distributions,
        parameter_stream,
    )
    from peervalue.uncertainty.evppi import (
        evppi_from_conditional,
        evppi_ordering,
        evppi_regression,
    )
    from peervalue.uncertainty.summary import value_of_information

    prepared = prepare(request)
    spec = prepared.spec
    dists = parameter_distributions(spec)
    uncertain = [d for d in dists if not d.is_fixed]
    streams = {d.name: parameter_stream(request.seed, d.name) for d in uncertain}
    with np.errstate(all="ignore"):
        values = draw_chunk(dists, streams, request.draws)
        out = evaluate(spec, values)
        nb = np.broadcast_to(
            np.asarray(out.pooled_net_benefit(request.pooling), dtype=np.float64),
            (request.draws,),
        )
    vpi = value_of_information(request.population_fte, request.horizon, request.discount_rate)
    evpi = evppi_from_conditional(nb, nb)
    by_name = {p.name: p for p in spec.parameters}

    def row(name: str, kind: str, members: list[str], value: float, estimator: str) -> EvppiRow:
        return EvppiRow(
            name=name,
            kind=kind,
            members=members,
            evppi_per_fte_year=value,
            evppi_population=value * vpi.multiplier,
            share_of_evpi=value / evpi if evpi > 0 else float("nan"),
            estimator=estimator,
        )

    inputs = [
        row(d.name, "input", [d.name], evppi_ordering(values[d.name], nb), "ordering")
        for d in uncertain
    ]
    named: dict[str, list[str]] = {
        label: [d.name for d in uncertain if test(by_name[d.name])]
        for label, test in GROUPS.items()
    }
    for study in spec.studies:
        named[f"study {study.id}"] = [
            d.name for d in uncertain if by_name[d.name].owner == study.id
        ]
    groups = []
    for label, members in named.items():
        if not members:
            continue
        matrix = np.column_stack([np.broadcast_to(values[m], (request.draws,)) for m in members])
        groups.append(row(label, "group", members, evppi_regression(matrix, nb), GROUP_ESTIMATOR))
    inputs.sort(key=lambda r: -r.evppi_per_fte_year)
    groups.sort(key=lambda r: -r.evppi_per_fte_year)
    return EvppiResult(
        method=METHOD_LABELS[request.pooling],
        price_year=spec.price_year,
        currency=spec.currency,
        cost_basis=spec.cost_basis,
        draws=request.draws,
        seed=request.seed,
        evpi_per_fte_year=evpi,
        evpi_population=evpi * vpi.multiplier,
        population_multiplier=vpi.multiplier,
        groups=groups,
        inputs=inputs,
    )

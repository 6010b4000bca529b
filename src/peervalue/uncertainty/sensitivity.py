"""One-way sensitivity (tornado data): each input from low to high, the rest at base.

The outcome is the pooled net benefit per FTE-year in pounds (benefit minus
cost), which, unlike the ratio, adds up across inputs and is what a budget
holder gains or loses. Low and high are the range stated in the file where
there is one (whatever the distribution), otherwise the central 95% of the
input's distribution (an arm mean's normal, a declared sd); fixed inputs are
listed, not varied.
All ``1 + 2 x inputs`` scenarios run in one vectorised model evaluation.
"""

from __future__ import annotations

import numpy as np

from peervalue.model.evaluate import evaluate
from peervalue.model.methods import PoolingMethod
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.distributions import ParameterDistribution, parameter_distributions
from peervalue.uncertainty.results import SensitivityResult, SensitivityRow


def one_way(
    spec: ModelSpec,
    method: PoolingMethod = "weighted",
    distributions: list[ParameterDistribution] | None = None,
) -> SensitivityResult:
    """Tornado data for ``spec``: pooled net benefit per FTE-year at each input's low and high."""
    from peervalue.uncertainty.psa import chunk_for

    dists = distributions or parameter_distributions(spec)
    swing = {d.name: d.swing() for d in dists}  # once each: it builds a scipy distribution
    varied = [d for d in dists if swing[d.name][0] != swing[d.name][1]]
    scenarios = 1 + 2 * len(varied)
    # scenario 0 is the base; 1 + 2k and 2 + 2k put varied input k at its low and high
    swings = {d.name: (1 + 2 * k, swing[d.name]) for k, d in enumerate(varied)}
    net = np.empty(scenarios)
    ratio = np.empty(scenarios)
    # scenarios x studies grows as studies^2: evaluated a chunk of scenarios at a time
    step = chunk_for(scenarios, len(spec.studies))
    for start in range(0, scenarios, step):
        stop = min(start + step, scenarios)
        values = {d.name: np.full(stop - start, d.value) for d in dists}
        for name, (at, (low, high)) in swings.items():
            if start <= at < stop:
                values[name][at - start] = low
            if start <= at + 1 < stop:
                values[name][at + 1 - start] = high
        out = evaluate(spec, values)
        net[start:stop] = np.broadcast_to(out.pooled_net_benefit(method), (stop - start,))
        ratio[start:stop] = np.broadcast_to(out.pooled_ratio(method), (stop - start,))
    rows = [
        SensitivityRow(
            parameter=d.name,
            distribution=d.describe(),
            base_value=d.value,
            low_value=swing[d.name][0],
            high_value=swing[d.name][1],
            net_benefit_at_low=float(net[1 + 2 * k]),
            net_benefit_at_high=float(net[2 + 2 * k]),
            swing=float(abs(net[2 + 2 * k] - net[1 + 2 * k])),
            ratio_at_low=float(ratio[1 + 2 * k]),
            ratio_at_high=float(ratio[2 + 2 * k]),
        )
        for k, d in enumerate(varied)
    ]
    rows.sort(key=lambda r: (-r.swing if np.isfinite(r.swing) else 0.0, r.parameter))
    return SensitivityResult(
        method=method,
        price_year=spec.price_year,
        currency=spec.currency,
        cost_basis=spec.cost_basis,
        base_net_benefit_per_fte_year=float(net[0]),
        base_ratio=float(ratio[0]),
        inputs=rows,
        fixed_inputs=[d.name for d in dists if d.name not in swings],
    )

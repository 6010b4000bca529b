"""Cumulative analysis: the pooled result as studies are added one at a time.

Pure computation over a :class:`~peervalue.model.spec.ModelSpec` and an order of its
studies (the service orders them by publication year or by weight). One Monte Carlo
run draws every parameter once (the same per-parameter streams as ``peervalue psa``,
so a step's draws are exactly those a run on its studies alone would use); step ``k``
pools the first ``k`` studies of the order from the same draws:

* weighted mean of ratios: ``sum(w b) / sum(w) x c_bed / c_psw``;
* ratio of sums: ``sum(D) / sum(F) x c_bed / c_psw``;

each with its deterministic value (at the point values), its Monte Carlo median and
95% interval, and the probability that benefits exceed costs, ``P(net benefit > 0)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from peervalue.model import core
from peervalue.model.core import Array
from peervalue.model.evaluate import ModelOutputs, evaluate, point_outputs
from peervalue.model.methods import POOLING_METHODS, PoolingMethod
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.distributions import (
    draw_chunk,
    parameter_distributions,
    parameter_stream,
)
from peervalue.uncertainty.summary import percentiles

#: draws evaluated at once (memory: about 8 bytes x studies x parameters per draw)
CHUNK = 1 << 15


@dataclass(frozen=True)
class StepPooled:
    """One pooling method's result at one step (ratios are benefit : cost)."""

    deterministic: float
    median: float
    p2_5: float
    p97_5: float
    prob_net_benefit_positive: float


def _pooled(out: ModelOutputs, members: Sequence[int]) -> dict[PoolingMethod, tuple[Array, Array]]:
    """Pooled ratio and net benefit per FTE-year of the studies ``members``, by method."""
    idx = list(members)
    c_bed, c_psw = out.cost_per_bed_day, out.cost_per_fte_year
    b = core.weighted_mean(out.bed_days_per_fte_year[..., idx], out.weight[..., idx])
    sums = core.per_fte_year(
        core.sum_studies(out.total_saved[..., idx]), core.sum_studies(out.fte_years[..., idx])
    )
    return {
        "weighted": (core.ratio(core.benefit(b, c_bed), c_psw), core.net_benefit(b, c_bed, c_psw)),
        "sums": (
            core.ratio(core.benefit(sums, c_bed), c_psw),
            core.net_benefit(sums, c_bed, c_psw),
        ),
    }


def cumulative(
    spec: ModelSpec, order: Sequence[int], draws: int, seed: int
) -> list[dict[PoolingMethod, StepPooled]]:
    """For ``k = 1 .. len(order)``: each method's pooled result over ``order[:k]``.

    ``order`` lists study positions in ``spec.studies``; each appears once.
    """
    if sorted(order) != list(range(len(spec.studies))):
        raise ValueError("order must list every study position exactly once")
    steps = len(order)
    dists = parameter_distributions(spec)
    streams = {d.name: parameter_stream(seed, d.name) for d in dists if not d.is_fixed}
    ratios = {m: np.empty((steps, draws)) for m in POOLING_METHODS}
    positive = {m: np.zeros(steps, dtype=np.int64) for m in POOLING_METHODS}
    from peervalue.uncertainty.psa import chunk_for

    chunk = chunk_for(CHUNK, steps)
    done = 0
    with np.errstate(all="ignore"):
        while done < draws:
            n = min(chunk, draws - done)
            out = evaluate(spec, draw_chunk(dists, streams, n))
            for k in range(steps):
                for m, (r, nb) in _pooled(out, order[: k + 1]).items():
                    ratios[m][k, done : done + n] = np.broadcast_to(r, (n,))
                    positive[m][k] += int(np.count_nonzero(np.broadcast_to(nb, (n,)) > 0))
            done += n
        point = point_outputs(spec)
        result = []
        for k in range(steps):
            at_point = _pooled(point, order[: k + 1])
            step: dict[PoolingMethod, StepPooled] = {}
            for m in POOLING_METHODS:
                low, median, high = percentiles(ratios[m][k])
                step[m] = StepPooled(
                    deterministic=float(at_point[m][0].reshape(-1)[0]),
                    median=median,
                    p2_5=low,
                    p97_5=high,
                    prob_net_benefit_positive=float(positive[m][k]) / draws,
                )
            result.append(step)
    return result

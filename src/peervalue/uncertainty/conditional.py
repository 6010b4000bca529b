"""Conditional Monte Carlo for the pooled probability that net benefit is positive.

The share of draws with a positive pooled net benefit is an average of an indicator,
``1{nb(x, y) > 0}``, where ``x`` is one uncertain input and ``y`` all the others. Its
variance is ``p (1 - p) / draws`` however the draws are made, and quasi-random points
gain little on an indicator (it jumps). Averaging instead the probability given the
other inputs,

    g(y) = P(nb(X, y) > 0 | y),

gives the same expectation (``E g(Y) = p``: the inputs are drawn independently) with
a smaller variance (smaller by ``E g (1 - g)``), and ``g`` is continuous in ``y``, so
Sobol points converge on it much faster than on the indicator.

``g`` has a closed form when the pooled net benefit is affine in ``x``: with
``nb(x) = nb(a) + s (x - a)`` (``s`` from the model evaluated at ``x = a`` and ``x = b``,
every other input at its draw), ``nb > 0`` exactly when ``x`` lies above (``s > 0``) or
below (``s < 0``) ``x* = a - nb(a) / s``, so ``g = 1 - F(x*)`` or ``F(x*)``, with ``F``
the input's own cumulative distribution (cut to its range where the draws are). In the
reference model the pooled net benefit ``b c_bed - c_psw`` is affine in each outcome,
in each unit cost and, for the weighted mean of ratios, in each caseload.

The input is chosen once, before any draw, from the point values alone: of the inputs
the pooled net benefit is affine in (checked at the two ends and the middle of its
interval), the one whose interval moves it most. Each draw is checked again (the value
at the drawn ``x`` must lie on the line through ``a`` and ``b``, to a relative 1e-9);
a draw that fails, or whose net benefit is not finite, counts its own indicator, which
leaves the average unbiased (the rule depends on the draw, never on the outcome it
replaces). The caller states the estimate's error from independent replicates (Sobol
scramblings or batches of pseudo-random draws), as for the plain share.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from peervalue.model.core import Array
from peervalue.model.evaluate import evaluate
from peervalue.model.methods import POOLING_METHODS, PoolingMethod
from peervalue.model.spec import ModelSpec
from peervalue.uncertainty.distributions import ParameterDistribution

#: how far (relative) the net benefit at a drawn value may lie off the line through its
#: values at the two ends and still count as affine (rounding of a few operations)
AFFINE_RTOL = 1e-9


@dataclass(frozen=True)
class Conditioning:
    """The input a pooled method's probability is conditioned on, and the two values of
    it the model is evaluated at (the ends of its central 95% interval, or its range)."""

    dist: ParameterDistribution
    a: float
    b: float


def cdf(d: ParameterDistribution, x: Array) -> Array:
    """The cumulative distribution of ``d`` at ``x`` (of the cut distribution where
    ``d`` is cut to a range): the distribution :meth:`ParameterDistribution.sample` and
    :meth:`ParameterDistribution.inverse` draw from."""
    from scipy import special  # here, not at import: the CLI starts fast

    x = np.asarray(x, dtype=np.float64)
    lo, hi, m = d.lo, d.hi, d.value
    if d.kind == "uniform":
        return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    if d.kind == "triangular":
        t = np.clip(x, lo, hi)
        # a mode at an end leaves one side empty (its formula would divide by zero)
        left = (t - lo) ** 2 / ((hi - lo) * (m - lo)) if m > lo else np.zeros_like(t)
        right = 1.0 - (hi - t) ** 2 / ((hi - lo) * (hi - m)) if hi > m else np.ones_like(t)
        out: Array = np.where(t < m, left, right)
        return out
    if d.kind == "pert":
        a, b = d._pert_shapes()
        return np.asarray(special.betainc(a, b, np.clip((x - lo) / (hi - lo), 0.0, 1.0)))

    def raw(v: Array) -> Array:
        sd = d.sd or 0.0
        if d.kind == "normal":
            return np.asarray(special.ndtr((v - m) / sd))
        if d.kind == "lognormal":
            mu, sigma = d._shapes()
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (np.log(np.maximum(v, 0.0)) - mu) / sigma
            return np.asarray(special.ndtr(z))
        if d.kind == "gamma":
            shape, scale = d._shapes()
            return np.asarray(special.gammainc(shape, np.maximum(v, 0.0) / scale))
        a, b = d._shapes()
        return np.asarray(special.betainc(a, b, np.clip(v, 0.0, 1.0)))

    if d.is_truncated:
        f_lo, f_hi = (float(f) for f in raw(np.array([lo, hi])))
        return np.clip((raw(np.clip(x, lo, hi)) - f_lo) / (f_hi - f_lo), 0.0, 1.0)
    return raw(x)


def _pooled_nb(spec: ModelSpec, values: Mapping[str, Array], n: int) -> dict[str, Array]:
    out = evaluate(spec, values)
    return {
        m: np.broadcast_to(np.asarray(out.pooled_net_benefit(m)).reshape(-1), (n,))
        for m in POOLING_METHODS
    }


def choose_conditioning(
    spec: ModelSpec, dists: Sequence[ParameterDistribution]
) -> dict[PoolingMethod, Conditioning | None]:
    """For each pooled method, the input to condition on (None: none is affine).

    Every other input at its point value, each candidate is evaluated at the two ends
    of its interval and the middle (one model evaluation for all); a candidate whose net
    benefit at the middle is the mean of the ends (to AFFINE_RTOL) is affine, and the one
    with the largest swing between the ends wins (the first in the spec's order on a
    tie). Depends on the inputs only, never on the seed or the draws."""
    candidates: list[tuple[ParameterDistribution, float, float]] = []
    for d in dists:
        if d.is_fixed:
            continue
        a, b = d.interval()
        if math.isfinite(a) and math.isfinite(b) and a < b:
            candidates.append((d, a, b))
    if not candidates:
        return dict.fromkeys(POOLING_METHODS)
    k = len(candidates)
    values: dict[str, Array] = {d.name: np.full(3 * k, d.value) for d in dists}
    for i, (d, a, b) in enumerate(candidates):
        values[d.name][3 * i : 3 * i + 3] = (a, b, (a + b) / 2)
    nb = _pooled_nb(spec, values, 3 * k)
    chosen: dict[PoolingMethod, Conditioning | None] = {}
    for m in POOLING_METHODS:
        ends = nb[m].reshape(k, 3)
        swing = np.abs(ends[:, 1] - ends[:, 0])
        off = np.abs(ends[:, 2] - (ends[:, 0] + ends[:, 1]) / 2)
        scale = np.abs(ends).sum(axis=1)
        usable = np.isfinite(swing) & (swing > 0) & (off <= AFFINE_RTOL * scale)
        if not usable.any():
            chosen[m] = None
            continue
        best = int(np.argmax(np.where(usable, swing, -1.0)))
        d, a, b = candidates[best]
        chosen[m] = Conditioning(d, a, b)
    return chosen


def conditional_probability(
    spec: ModelSpec,
    values: Mapping[str, Array],
    net_benefit: Mapping[PoolingMethod, Array],
    n: int,
    conditioning: Mapping[PoolingMethod, Conditioning | None],
) -> dict[PoolingMethod, Array]:
    """``g`` for each of ``n`` draws and each pooled method (module docstring).

    ``values`` are the draws the model was evaluated at and ``net_benefit`` its pooled
    net benefits there (shape ``(n,)`` or broadcastable). A method conditioned on nothing
    gets its indicator."""
    out: dict[PoolingMethod, Array] = {}
    evaluated: dict[tuple[str, float, float], dict[str, Array]] = {}
    for m in POOLING_METHODS:
        actual = np.broadcast_to(np.asarray(net_benefit[m]).reshape(-1), (n,))
        indicator = (actual > 0).astype(np.float64)
        c = conditioning.get(m)
        if c is None:
            out[m] = indicator
            continue
        key = (c.dist.name, c.a, c.b)
        if key not in evaluated:
            both: dict[str, Array] = {}
            for name, v in values.items():
                arr = np.asarray(v)
                both[name] = arr if arr.shape[:1] != (n,) else np.concatenate([arr, arr])
            both[c.dist.name] = np.concatenate([np.full(n, c.a), np.full(n, c.b)])
            evaluated[key] = _pooled_nb(spec, both, 2 * n)
        nb_a, nb_b = evaluated[key][m][:n], evaluated[key][m][n:]
        x = np.broadcast_to(np.asarray(values[c.dist.name], dtype=np.float64), (n,))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            slope = (nb_b - nb_a) / (c.b - c.a)
            on_line = np.abs(actual - (nb_a + slope * (x - c.a))) <= AFFINE_RTOL * (
                np.abs(nb_a) + np.abs(nb_b) + np.abs(actual)
            )
            crossing = c.a - nb_a / slope
        f = cdf(c.dist, np.where(slope != 0, crossing, c.a))
        g = np.where(slope > 0, 1.0 - f, np.where(slope < 0, f, (nb_a > 0).astype(np.float64)))
        usable = on_line & np.isfinite(g) & np.isfinite(actual)
        out[m] = np.where(usable, g, indicator)
    return out

"""Expected value of partial perfect information (EVPPI), from the Monte Carlo draws.

The decision is whether to employ peer workers (net benefit ``NB`` per FTE-year) or not
(0). Learning an input (or a group of inputs) ``theta`` exactly is worth

    EVPPI = E_theta[ max(E[NB | theta], 0) ] - max(E[NB], 0)

per FTE-year. ``E[NB | theta]`` is estimated from the one set of draws already made,
as Strong and colleagues proposed, instead of a nested Monte Carlo:

* one input: the ordering method (Strong & Oakley 2013): sort the draws by the input,
  cut them into about ``sqrt(n)`` consecutive blocks, and take each block's mean net
  benefit as ``E[NB | theta]``;
* a group of inputs: regression (Strong, Oakley & Brennan 2014): a generalised additive
  model, here a penalised cubic B-spline in each input (scipy's ``BSpline``), fitted to
  the net benefit by least squares; its fitted values estimate ``E[NB | theta]``.

Both are checked against a closed form (a linear model with normal inputs) and a
nested two-level Monte Carlo in tests/test_evppi.py. Pure numpy and scipy; no I/O.
"""

from __future__ import annotations

import numpy as np

from peervalue.model.core import Array

#: interior knots of each input's spline, and the ridge penalty relative to the data
SPLINE_KNOTS = 6
RIDGE = 1e-6


def evppi_from_conditional(conditional_mean: Array, nb: Array) -> float:
    """``mean(max(g, 0)) - max(mean(NB), 0)`` for estimated conditional means ``g``.

    Never below 0: partial information cannot be worth less than none (estimation
    noise can push the raw difference a little below zero, which is reported as 0).
    """
    value = float(np.mean(np.maximum(conditional_mean, 0.0)) - max(float(np.mean(nb)), 0.0))
    return max(value, 0.0)


def evppi_ordering(theta: Array, nb: Array, blocks: int | None = None) -> float:
    """EVPPI of one input by the ordering method (Strong & Oakley 2013)."""
    theta = np.asarray(theta, dtype=np.float64)
    nb = np.asarray(nb, dtype=np.float64)
    n = nb.size
    if n < 4 or np.ptp(theta) == 0:
        return 0.0
    count = blocks or max(2, round(n**0.5))
    order = np.argsort(theta, kind="stable")
    means = np.array([chunk.mean() for chunk in np.array_split(nb[order], count)])
    sizes = np.array([chunk.size for chunk in np.array_split(order, count)])
    value = float(np.sum(np.maximum(means, 0.0) * sizes) / n - max(float(nb.mean()), 0.0))
    return max(value, 0.0)


def _spline_basis(x: Array, knots: int = SPLINE_KNOTS) -> Array:
    """A cubic B-spline basis for one input, with interior knots at its quantiles."""
    from scipy.interpolate import BSpline  # here, not at import: renderers import the results

    lo, hi = float(np.min(x)), float(np.max(x))
    inner = np.quantile(x, np.linspace(0, 1, knots + 2)[1:-1])
    inner = np.unique(np.clip(inner, lo, hi))
    t = np.concatenate([[lo] * 4, inner[(inner > lo) & (inner < hi)], [hi] * 4])
    basis = BSpline.design_matrix(np.clip(x, lo, hi), t, 3)
    return np.asarray(basis.toarray())


def conditional_mean_regression(inputs: Array, nb: Array) -> Array:
    """Fitted ``E[NB | inputs]``: an additive cubic spline in each column, least squares."""
    x = np.asarray(inputs, dtype=np.float64).reshape(nb.size, -1)
    columns = [np.ones((nb.size, 1))]
    for j in range(x.shape[1]):
        if np.ptp(x[:, j]) > 0:
            columns.append(_spline_basis(x[:, j])[:, 1:])  # drop one: the intercept is there
    design = np.hstack(columns)
    gram = design.T @ design
    penalty = RIDGE * np.trace(gram) / gram.shape[0] * np.eye(gram.shape[0])
    penalty[0, 0] = 0.0
    coefficients = np.linalg.solve(gram + penalty, design.T @ nb)
    fitted: Array = design @ coefficients
    return fitted


def evppi_regression(inputs: Array, nb: Array) -> float:
    """EVPPI of a group of inputs (columns of ``inputs``) by additive spline regression."""
    nb = np.asarray(nb, dtype=np.float64)
    if nb.size < 50:
        return 0.0
    return evppi_from_conditional(conditional_mean_regression(inputs, nb), nb)

"""Expected value of partial perfect information (EVPPI), from the Monte Carlo draws.

The decision is whether to employ peer workers (net benefit ``NB`` per FTE-year) or not
(0). Learning an input (or a group of inputs) ``theta`` exactly is worth

    EVPPI = E_theta[ max(E[NB | theta], 0) ] - max(E[NB], 0)

per FTE-year. ``E[NB | theta]`` is estimated from the one set of draws already made,
as Strong and colleagues proposed, instead of a nested Monte Carlo:

* one input: the ordering method (Strong & Oakley 2013): sort the draws by the input,
  cut them into about ``sqrt(n)`` consecutive blocks, and take each block's mean net
  benefit as ``E[NB | theta]``;
* a group of inputs: regression that allows interactions (net benefit under the ratio
  of sums divides summed savings by summed staffing, so no additive model can follow
  it; the additive spline, :func:`conditional_mean_spline`, overstated the peer-staffing
  group by about half, issue 18 item 7c): :func:`conditional_mean_gp`.

:func:`conditional_mean_gp` works in the inputs scaled to mean 0 and sd 1. First a
second-order mean ``h(x)' beta``, ``h(x) = (1, x_j, x_j x_k for j <= k)`` (linear when there
are fewer than ``DRAWS_PER_FEATURE`` draws per feature), is fitted to every draw by least
squares. What it leaves, ``r``, is then modelled as a Gaussian process (Strong, Oakley &
Brennan 2014) with a linear mean:

    r(x) = (1, x)' b + f(x) + e,  e ~ N(0, s^2 g),
    cov f(x), f(z) = s^2 exp(-sum_j ((x_j - z_j) / l_j)^2),

with a length ``l_j`` per input and a nugget ratio ``g`` found by maximising the
likelihood (``b`` and ``s^2`` profiled out) on the first ``GP_HYPER_DRAWS`` draws, as
Strong and colleagues estimate the hyperparameters on a subsample. When the search ends
at the largest nugget (the process finds nothing but noise), the second-order fit is the
answer. Otherwise its posterior mean at every draw uses every draw through
``GP_INDUCING`` of them as inducing points (subset of regressors, Quinonero-Candela &
Rasmussen 2005): with ``K`` the correlations of the draws with the inducing points ``Z``
and ``R_ZZ`` theirs among themselves, ``w`` minimises ``|r - K w|^2 + g w' R_ZZ w`` and
the fit adds ``K w``; the work grows as draws x inducing^2, not as draws^3.

On the bundled evidence (ratio of sums, 50,000 draws, seed 1) the peer-staffing group's
EVPPI is 137 per FTE-year against 128 (standard error 3) from a nested Monte Carlo on
the same outer draws with 2,000 independent inner draws each, and 217 by the additive
spline; the process finds nothing beyond the second-order terms there.

Each is checked against a closed form (a linear model with normal inputs) and a
nested two-level Monte Carlo in tests/test_evppi.py. Pure numpy and scipy (threadpoolctl only
keeps BLAS to one thread); no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from peervalue.model.core import Array

#: interior knots of each input's spline, and the ridge penalty relative to the data
SPLINE_KNOTS = 6
RIDGE = 1e-6
#: draws on which the Gaussian process's hyperparameters are estimated (each step of the
#: search factorises a matrix of this size), and inducing points of its fit to all draws
GP_HYPER_DRAWS = 400
GP_INDUCING = 400
#: bounds of the search: lengths (inputs in sd units) and the nugget ratio
GP_LENGTH_BOUNDS = (0.25, 1e3)
GP_NUGGET_BOUNDS = (1e-7, 1e2)
#: net benefit this close to linear in the inputs (residual variance over variance) is
#: fitted by least squares alone
LINEAR_ENOUGH = 1e-10
#: the mean function is second order (squares and pairwise products) only with at least
#: this many draws per feature, else linear
DRAWS_PER_FEATURE = 20
#: most steps of the hyperparameter search
GP_MAX_STEPS = 200
#: relative change of the likelihood at which the search stops (a hundredth of a unit
#: of log likelihood at 400 draws: far below what moves the fit)
GP_FTOL = 1e-5
#: rows of the draws-by-inducing matrix formed at a time (bounds memory at large n)
GP_BLOCK = 8192
#: the regression methods for a group of inputs
GROUP_METHODS = ("gp", "spline")


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


def conditional_mean_spline(inputs: Array, nb: Array) -> Array:
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


def _scaled(inputs: Array, n: int) -> Array:
    """The columns that vary, each scaled to mean 0 and sd 1."""
    x = np.asarray(inputs, dtype=np.float64).reshape(n, -1)
    x = x[:, np.ptp(x, axis=0) > 0]
    scaled: Array = (x - x.mean(axis=0)) / x.std(axis=0)
    return scaled


def _correlation(a: Array, b: Array, inverse_length: Array) -> Array:
    """``exp(-sum_j ((a_j - b_j) / l_j)^2)`` for every row of ``a`` against every row of ``b``."""
    sa, sb = a * inverse_length, b * inverse_length
    d2 = (sa**2).sum(axis=1)[:, None] + (sb**2).sum(axis=1)[None, :] - 2.0 * (sa @ sb.T)
    out: Array = np.exp(-np.maximum(d2, 0.0))
    return out


def _profile_likelihood(params: Array, x: Array, y: Array) -> tuple[float, Array]:
    """Minus twice the log likelihood, ``beta`` and ``s^2`` profiled out, and its gradient
    in ``params = (log l_1, ..., log l_p, log g)``."""
    from scipy.linalg import cho_factor, cho_solve, lapack

    m, p = x.shape
    lengths, g = np.exp(params[:p]), float(np.exp(params[p]))
    corr = _correlation(x, x, 1.0 / lengths)
    psi = corr + g * np.eye(m)
    try:
        factor = cho_factor(psi, lower=True)
    except np.linalg.LinAlgError:
        return 1e300, np.zeros_like(params)
    h = np.column_stack([np.ones(m), x])
    psi_h = cho_solve(factor, h)
    beta = np.linalg.solve(h.T @ psi_h, psi_h.T @ y)
    resid = y - h @ beta
    alpha = cho_solve(factor, resid)
    s2 = max(float(resid @ alpha) / m, 1e-300)
    value = m * np.log(s2) + 2.0 * float(np.sum(np.log(np.diag(factor[0]))))
    # d/dt of m log s^2 + log|Psi| = tr(Psi^-1 dPsi) - alpha' dPsi alpha / s^2
    # Psi^-1 from its Cholesky factor (LAPACK potri: half the work of solving against I)
    inverse_lower, info = lapack.dpotri(factor[0], lower=1)
    if info != 0:
        return 1e300, np.zeros_like(params)
    psi_inverse = np.tril(inverse_lower) + np.tril(inverse_lower, -1).T
    weight = (psi_inverse - np.outer(alpha, alpha) / s2) * corr
    grad = np.empty_like(params)
    for j in range(p):
        diff2 = (x[:, j, None] - x[None, :, j]) ** 2
        grad[j] = 2.0 * float(np.sum(weight * diff2)) / lengths[j] ** 2
    grad[p] = g * (float(np.trace(psi_inverse)) - float(alpha @ alpha) / s2)
    return float(value), grad


def gp_hyperparameters(x: Array, y: Array) -> tuple[Array, float]:
    """Lengths (one per column of the scaled inputs ``x``) and nugget ratio maximising the
    profile likelihood of ``y`` (L-BFGS-B from lengths making the typical correlation
    exp(-1), nugget 0.1)."""
    from scipy.optimize import minimize

    p = x.shape[1]
    start = np.concatenate([np.full(p, 0.5 * np.log(2.0 * p)), [np.log(0.1)]])
    bounds = [tuple(np.log(GP_LENGTH_BOUNDS))] * p + [tuple(np.log(GP_NUGGET_BOUNDS))]
    y_scaled = (y - y.mean()) / (y.std() or 1.0)
    found = minimize(
        _profile_likelihood,
        start,
        args=(x, y_scaled),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": GP_MAX_STEPS, "ftol": GP_FTOL},
    )
    params = np.asarray(found.x)
    return np.exp(params[:p]), float(np.exp(params[p]))


def _second_order(x: Array) -> Array:
    """``(1, x_j, x_j x_k for j <= k)``: every main effect, square and pairwise product."""
    p = x.shape[1]
    products = [x[:, j] * x[:, k] for j in range(p) for k in range(j, p)]
    return np.column_stack([np.ones(x.shape[0]), x, *products])


def _linear(x: Array) -> Array:
    """``(1, x_j)``."""
    return np.column_stack([np.ones(x.shape[0]), x])


def _mean_features(n: int, p: int) -> Callable[[Array], Array]:
    """The mean function's features for ``n`` draws of ``p`` inputs: second order when
    there are at least DRAWS_PER_FEATURE draws for each of its features, else linear."""
    return _second_order if n >= DRAWS_PER_FEATURE * (1 + p + p * (p + 1) // 2) else _linear


def _least_squares(features: Callable[[Array], Array], x: Array, y: Array) -> Array:
    """Fitted values of ``y`` on ``features(x)`` by least squares, over row blocks."""
    n = y.size
    width = features(x[:1]).shape[1]
    gram, rhs = np.zeros((width, width)), np.zeros(width)
    for start in range(0, n, GP_BLOCK):
        rows = slice(start, min(start + GP_BLOCK, n))
        block = features(x[rows])
        gram += block.T @ block
        rhs += block.T @ y[rows]
    coefficients = np.linalg.lstsq(gram, rhs, rcond=1e-13)[0]
    fitted = np.empty(n)
    for start in range(0, n, GP_BLOCK):
        rows = slice(start, min(start + GP_BLOCK, n))
        fitted[rows] = features(x[rows]) @ coefficients
    return fitted


def conditional_mean_gp(
    inputs: Array,
    nb: Array,
    hyper_draws: int = GP_HYPER_DRAWS,
    inducing: int = GP_INDUCING,
) -> Array:
    """Fitted ``E[NB | inputs]``: a second-order mean fitted to every draw, plus a
    Gaussian process on what it leaves (module docstring), on one BLAS thread.

    Its matrices are small (a few hundred rows and columns at a time), where OpenBLAS's
    threads gain little and, on a busy machine, spin: with them a 20,000-draw EVPPI took
    3 to 5 times as long on the project's 2-core test machine."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _conditional_mean_gp(inputs, nb, hyper_draws, inducing)


def _conditional_mean_gp(
    inputs: Array,
    nb: Array,
    hyper_draws: int = GP_HYPER_DRAWS,
    inducing: int = GP_INDUCING,
) -> Array:
    """Fitted ``E[NB | inputs]``: a second-order mean fitted to every draw, plus a
    Gaussian process on what it leaves (module docstring).

    The hyperparameters come from the first ``hyper_draws`` draws, the inducing points
    are the first ``inducing`` draws (the draws are independent, so these are random
    subsamples); both fits use every draw. Deterministic for given draws."""
    nb = np.asarray(nb, dtype=np.float64)
    n = nb.size
    x = _scaled(inputs, n)
    if x.shape[1] == 0:
        return np.full(n, nb.mean())
    trend = _least_squares(_mean_features(n, x.shape[1]), x, nb)
    resid = nb - trend
    if np.var(resid) <= LINEAR_ENOUGH * np.var(nb):
        # nothing is left for the process to explain (and its likelihood would be
        # rounding noise): the mean function is the conditional mean
        return trend
    lengths, g = gp_hyperparameters(x[:hyper_draws], resid[:hyper_draws])
    if g >= GP_NUGGET_BOUNDS[1] * (1 - 1e-6):
        return trend  # the process found nothing but noise in what is left
    inverse = 1.0 / lengths
    z = x[: min(inducing, n)]
    k = z.shape[0]
    # normal equations of |resid - K w|^2 + g w' R_ZZ w, accumulated over row blocks
    gram = g * _correlation(z, z, inverse)
    rhs = np.zeros(k)
    for start in range(0, n, GP_BLOCK):
        rows = slice(start, min(start + GP_BLOCK, n))
        basis = _correlation(x[rows], z, inverse)
        gram += basis.T @ basis
        rhs += basis.T @ resid[rows]
    weights = np.linalg.lstsq(gram, rhs, rcond=1e-13)[0]
    fitted = trend.copy()
    for start in range(0, n, GP_BLOCK):
        rows = slice(start, min(start + GP_BLOCK, n))
        fitted[rows] += _correlation(x[rows], z, inverse) @ weights
    return fitted


def conditional_mean_regression(inputs: Array, nb: Array, method: str = "gp") -> Array:
    """Fitted ``E[NB | inputs]`` by ``method``: "gp" (default) or "spline" (additive)."""
    if method == "gp":
        return conditional_mean_gp(inputs, nb)
    if method == "spline":
        return conditional_mean_spline(inputs, nb)
    raise ValueError(f"unknown regression method {method!r}; expected one of {GROUP_METHODS}")


def evppi_regression(inputs: Array, nb: Array, method: str = "gp") -> float:
    """EVPPI of a group of inputs (columns of ``inputs``) by regression (``method``: "gp",
    Gaussian process, or "spline", additive splines)."""
    nb = np.asarray(nb, dtype=np.float64)
    if nb.size < 50:
        return 0.0
    return evppi_from_conditional(conditional_mean_regression(inputs, nb, method), nb)

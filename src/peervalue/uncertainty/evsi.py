"""Expected value of sample information (EVSI) and the expected net benefit of sampling.

The decision is whether to employ peer workers (net benefit ``NB`` per FTE-year) or not
(0). A study that reports data ``X`` is worth, per FTE-year,

    EVSI = E_X[ max(E[NB | X], 0) ] - max(E[NB], 0).

``E[NB | X]`` is estimated from one probabilistic sample, as Strong, Oakley, Brennan &
Breeze (2015, Med Decis Making 35:570) proposed: for each draw ``i`` of the parameters,
simulate the study's summary statistic ``t_i`` given that draw, then regress ``NB_i`` on
``t_i``; the fitted values are ``E[NB | t]``. Here ``t`` is the trial's estimate of the
log ratio (with, for readmission, the control arm's log count), and the regression is an
additive cubic B-spline in its columns with a tiny ridge, the smoother
:mod:`peervalue.uncertainty.evppi` uses for groups.

Checks (tests/test_evsi.py): a normal prior, normal sampling and linear net benefit has
the closed form :func:`evsi_normal_linear`; :func:`evsi_importance` is a nested Monte
Carlo (outer: simulated data sets; inner: the posterior by importance weights on the
same draws) against which the regression is compared on a small case.

Pure numpy and scipy; no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numpy.random import Generator

from peervalue.model.core import Array

#: interior knots of the spline in the summary statistic, and the ridge penalty
SPLINE_KNOTS = 8
RIDGE = 1e-8


def _basis(t: Array, knots: int) -> Array | None:
    """A cubic B-spline basis in one column ``t`` (its first column dropped, as the design
    has an intercept), knots at quantiles; ``None`` when ``t`` is constant."""
    from scipy.interpolate import BSpline  # here: the result types import this module's users

    lo, hi = float(np.min(t)), float(np.max(t))
    if hi <= lo:
        return None
    inner = np.unique(np.quantile(t, np.linspace(0, 1, knots + 2)[1:-1]))
    inner = inner[(inner > lo) & (inner < hi)]
    knots_all = np.concatenate([[lo] * 4, inner, [hi] * 4])
    basis = np.asarray(BSpline.design_matrix(t, knots_all, 3).toarray())
    return basis[:, 1:]


def _design(t: Array, knots: int = SPLINE_KNOTS) -> Array:
    """Intercept and an additive cubic spline in each column of ``t`` (draws,) or (draws, k)."""
    columns = t.reshape(t.shape[0], -1)
    parts = [np.ones((columns.shape[0], 1))]
    for j in range(columns.shape[1]):
        basis = _basis(np.ascontiguousarray(columns[:, j]), knots)
        if basis is not None:
            parts.append(basis)
    return np.hstack(parts)


def _solve(design: Array, nb: Array, weights: Array | None = None) -> Array:
    """Least-squares coefficients (weighted by ``weights``) with a small ridge."""
    weighted = design if weights is None else design * weights[:, np.newaxis]
    gram = weighted.T @ design
    penalty = RIDGE * np.trace(gram) / gram.shape[0] * np.eye(gram.shape[0])
    penalty[0, 0] = 0.0
    coefficients: Array = np.linalg.solve(gram + penalty, weighted.T @ nb)
    return coefficients


def conditional_mean(t: Array, nb: Array) -> Array:
    """Fitted ``E[NB | t]`` for a summary statistic ``t``: (draws,) or (draws, k), additive
    in its columns."""
    design = _design(np.asarray(t, dtype=np.float64))
    fitted: Array = design @ _solve(design, np.asarray(nb, dtype=np.float64))
    return fitted


def value_from_conditional(g: Array, nb: Array, weights: Array | None = None) -> float:
    """``mean(max(g, 0)) - max(mean(NB), 0)`` (weighted means with ``weights``), at least 0."""
    if weights is None:
        value = float(np.mean(np.maximum(g, 0.0)) - max(float(np.mean(nb)), 0.0))
    else:
        total = float(weights.sum())
        value = float(weights @ np.maximum(g, 0.0) / total - max(float(weights @ nb) / total, 0.0))
    return max(value, 0.0)


def evsi_regression(t: Array, nb: Array) -> float:
    """EVSI per unit of ``NB`` of a study whose summary statistic is ``t`` (one per draw)."""
    nb = np.asarray(nb, dtype=np.float64)
    return value_from_conditional(conditional_mean(t, nb), nb)


def evsi_bootstrap(g: Array, nb: Array, counts: npt.ArrayLike) -> Array:
    """EVSI on each bootstrap resample of the draws, given as ``counts`` (resamples,
    draws): how many times each draw is taken, with the fitted ``g = E[NB | t]`` of the
    whole sample held fixed. This measures the Monte Carlo error of the two means; the
    regression's own error (about p / N for p spline terms) is left out, which keeps B
    resamples at B dot products (a refit of every resample cost ten times the run)."""
    w = np.asarray(counts, dtype=np.float64)
    total = w.sum(axis=1)
    gain = (w @ np.maximum(g, 0.0)) / total
    base = np.maximum((w @ nb) / total, 0.0)
    out: Array = np.maximum(gain - base, 0.0)
    return out


def bootstrap_counts(draws: int, resamples: int, rng: Generator) -> npt.NDArray[np.int32]:
    """(resamples, draws) multinomial counts: each row a resample of the draws with
    replacement."""
    counts = rng.multinomial(draws, np.full(draws, 1.0 / draws), size=resamples)
    return np.asarray(counts, dtype=np.int32)


# ---------------------------------------------------------------------------------------
# the two trial designs: the summary statistic each reports, given the parameters


def readmission_statistic(
    log_rr: Array, control_risk: Array, n_per_arm: int, rng: Generator
) -> Array:
    """The summary of a two-arm trial with ``n_per_arm`` patients a arm: (draws, 2).

    Readmitted counts are binomial: control ``Bin(n, p0)``, peer support ``Bin(n,
    min(p0 exp(log_rr), 1))``. The columns are the estimated log risk ratio ``ln((x_t +
    0.5) / (x_c + 0.5))`` and the control arm's log count ``ln(x_c + 0.5)`` (0.5 added so
    that no arm without events gives an infinite value). The second column matters when
    the control risk is uncertain: with the log risk ratio alone the regression loses the
    information the control arm gives about it, and on the small case of tests/test_evsi.py
    it fell 14% short of the nested Monte Carlo at 20 a arm (2% short with both)."""
    p1 = np.clip(control_risk * np.exp(log_rr), 0.0, 1.0)
    x_c = rng.binomial(n_per_arm, control_risk)
    x_t = rng.binomial(n_per_arm, p1)
    stat: Array = np.column_stack([np.log((x_t + 0.5) / (x_c + 0.5)), np.log(x_c + 0.5)])
    return stat


def readmission_loglik(
    x_t: npt.ArrayLike, x_c: npt.ArrayLike, n_per_arm: int, log_rr: Array, control_risk: Array
) -> Array:
    """Log likelihood (M, N) of M observed trials (``x_t``, ``x_c``) at N parameter draws,
    dropping the binomial coefficients (they cancel in the posterior)."""
    p0 = np.clip(control_risk, 1e-12, 1 - 1e-12)[np.newaxis, :]
    p1 = np.clip(control_risk * np.exp(log_rr), 1e-12, 1 - 1e-12)[np.newaxis, :]
    xt = np.asarray(x_t, dtype=np.float64)[:, np.newaxis]
    xc = np.asarray(x_c, dtype=np.float64)[:, np.newaxis]
    out: Array = (
        xt * np.log(p1)
        + (n_per_arm - xt) * np.log1p(-p1)
        + xc * np.log(p0)
        + (n_per_arm - xc) * np.log1p(-p0)
    )
    return out


def bed_days_statistic(log_ratio: Array, cv: Array, n_per_arm: int, rng: Generator) -> Array:
    """The estimated log ratio of mean bed-days, peer support over control.

    With a coefficient of variation ``cv`` of bed-days per patient in each arm, the log of
    an arm's mean has variance about ``cv^2 / n`` (delta method), so the estimate is
    ``log_ratio + N(0, 2 cv^2 / n)``."""
    stat: Array = log_ratio + rng.standard_normal(log_ratio.shape) * cv * math.sqrt(2.0 / n_per_arm)
    return stat


# ---------------------------------------------------------------------------------------
# checks: a closed form and a nested Monte Carlo


def expected_positive_part(mean: float, sd: float) -> float:
    """``E[max(X, 0)]`` for ``X ~ N(mean, sd^2)``: ``mean Phi(mean/sd) + sd phi(mean/sd)``."""
    if sd <= 0:
        return max(mean, 0.0)
    z = mean / sd
    phi = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    cdf = 0.5 * math.erfc(-z / math.sqrt(2))
    return mean * cdf + sd * phi


def evsi_normal_linear(
    intercept: float, slope: float, prior_mean: float, prior_sd: float, sampling_sd: float
) -> float:
    """Closed-form EVSI of ``NB = intercept + slope x theta`` with ``theta ~ N(m, s^2)`` and
    one observation ``X | theta ~ N(theta, sigma^2)``.

    The posterior mean of theta is ``(sigma^2 m + s^2 X) / (s^2 + sigma^2)``; over the
    prior predictive of X it is normal with mean ``m`` and variance (the preposterior
    variance) ``s^4 / (s^2 + sigma^2)``. So ``E[NB | X] ~ N(a + b m, b^2 s^4 / (s^2 +
    sigma^2))`` and EVSI is ``E[max(that, 0)] - max(a + b m, 0)``. With ``sigma = 0`` it is
    the EVPI (= EVPPI of theta)."""
    mean = intercept + slope * prior_mean
    variance = slope**2 * prior_sd**4 / (prior_sd**2 + sampling_sd**2)
    return expected_positive_part(mean, math.sqrt(variance)) - max(mean, 0.0)


def posterior_means(nb: Array, loglik: Array) -> Array:
    """``E[NB | data set m]`` for each row of ``loglik`` (M, N): the likelihood-weighted
    mean of ``nb`` over the N prior draws (importance sampling from the prior)."""
    w = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    out: Array = (w @ nb) / w.sum(axis=1)
    return out


def evsi_importance(nb: Array, loglik: Array) -> float:
    """Nested Monte Carlo EVSI: ``loglik`` (M, N) is each of M simulated data sets' log
    likelihood at each of the N prior draws whose net benefit is ``nb`` (N,). The posterior
    mean of NB given data set m is the likelihood-weighted mean of ``nb`` (importance
    sampling from the prior); EVSI is the mean over data sets of its positive part, less
    ``max(mean(nb), 0)``."""
    return nested_value(posterior_means(nb, loglik), nb)


def nested_value(posterior_mean: Array, nb: Array) -> float:
    """``mean(max(E[NB | data], 0)) - max(mean(NB), 0)`` over the simulated data sets."""
    return float(np.mean(np.maximum(posterior_mean, 0.0)) - max(float(np.mean(nb)), 0.0))


def enbs(
    evsi_population: Array, setup_cost: float, cost_per_participant: float, n_per_arm: Sequence[int]
) -> Array:
    """Expected net benefit of sampling: population EVSI less the trial's cost,
    ``setup + per participant x 2 n`` (two arms of ``n``)."""
    n = np.asarray(n_per_arm, dtype=np.float64)
    out: Array = evsi_population - (setup_cost + cost_per_participant * 2.0 * n)
    return out

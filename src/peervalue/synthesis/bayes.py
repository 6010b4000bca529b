"""The normal-normal random-effects model, computed exactly by integration over tau.

Model (Röver 2020, the bayesmeta R package's approach; Higgins, Thompson & Spiegelhalter
2009 for the predictive distribution)::

    y_i | theta_i ~ N(theta_i, s_i^2)         study i's estimate and standard error
    theta_i | beta, tau ~ N(x_i' beta, tau^2)   true effects vary between settings
    beta ~ N(b0, B0) (flat where B0 is infinite),  tau ~ p(tau)

Given tau, everything is normal: ``beta | tau, y ~ N(m(tau), V(tau))`` with ``V = (X'WX +
B0^-1)^-1``, ``m = V (X'W y + B0^-1 b0)`` and ``W = diag(1 / (s_i^2 + tau^2))``; and the
marginal likelihood of tau is, up to a constant,

    log p(y | tau) = -1/2 [sum log(s_i^2 + tau^2) + log det V^-1
                           + sum w_i (y_i - x_i' m)^2 + (m - b0)' B0^-1 (m - b0)].

So the posterior of tau, ``p(tau | y) ∝ p(tau) p(y | tau)``, is one-dimensional; it is
integrated here on a fixed grid of :data:`NODES` midpoints in ``t = tau / (tau + c)`` (a
map of [0, inf) onto [0, 1), ``c`` the prior's scale), which handles heavy-tailed priors;
a ``uniform:MAX`` prior is integrated on [0, MAX] directly. Every posterior quantity of
beta is then a mixture of normals over the nodes: means and variances exactly, quantiles
by solving the mixture's distribution function. No sampling, so no Monte Carlo error and
the same answer on every run.

Derived quantities (intercept-only model, ``mu = beta``):

* predictive effect in a new setting: ``theta_new | tau, y ~ N(m, V + tau^2)``;
* shrunken study effects: ``theta_i | tau, y ~ N((1 - B_i) y_i + B_i m, s_i^2 (1 - B_i) +
  B_i^2 V)`` with ``B_i = s_i^2 / (s_i^2 + tau^2)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import special

from peervalue.synthesis.priors import MuPrior, TauPrior
from peervalue.synthesis.results import Interval

FloatArray = npt.NDArray[np.float64]

#: grid nodes over tau (midpoints): the tests check means and quantiles against a
#: brute-force 2-D grid to 1e-4 of the posterior sd with this many
NODES: Final = 1000
#: nodes whose posterior mass is below this are left out of mixture summaries
NEGLIGIBLE_MASS: Final = 1e-16
#: Newton steps for a mixture quantile (each is one pass over the nodes)
QUANTILE_STEPS: Final = 50


@dataclass(frozen=True)
class Fit:
    """The posterior on the tau grid.

    ``tau`` (N,), ``mass`` (N,) posterior probability of each node (sums to 1),
    ``mean`` (N, p) and ``cov`` (N, p, p) the conditional posterior of beta at each node;
    ``edges`` (N + 1,) the tau bounds of the nodes' cells (the last may be infinite).
    """

    tau: FloatArray
    mass: FloatArray
    edges: FloatArray
    mean: FloatArray
    cov: FloatArray
    y: FloatArray
    se: FloatArray
    x: FloatArray


def _log_tau_prior(tau: FloatArray, prior: TauPrior) -> FloatArray:
    s = prior.scale
    if prior.kind == "halfnormal":
        out: FloatArray = -0.5 * (tau / s) ** 2
        return out
    if prior.kind == "halfcauchy":
        cauchy: FloatArray = -np.log1p((tau / s) ** 2)
        return cauchy
    return np.zeros_like(tau)  # uniform on [0, MAX]: the grid covers only that range


def _grid(prior: TauPrior, nodes: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Nodes, log Jacobian weights (log of d tau per cell) and cell edges in tau."""
    t_edges = np.linspace(0.0, 1.0, nodes + 1)
    t = 0.5 * (t_edges[:-1] + t_edges[1:])
    dt = 1.0 / nodes
    c = prior.scale
    if prior.kind == "uniform":
        return c * t, np.full(nodes, math.log(c * dt)), c * t_edges
    tau = c * t / (1.0 - t)
    log_jac = np.log(c * dt) - 2.0 * np.log1p(-t)
    with np.errstate(divide="ignore"):
        edges = np.where(t_edges < 1.0, c * t_edges / (1.0 - t_edges), np.inf)
    return tau, log_jac, edges


def _check(y: FloatArray, se: FloatArray) -> None:
    if y.ndim != 1 or y.shape != se.shape or y.size == 0:
        raise ValueError("give one effect and one standard error per study (at least one)")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("every effect must be finite and every standard error above 0")


def fit(
    effects: Sequence[float] | FloatArray,
    ses: Sequence[float] | FloatArray,
    tau_prior: TauPrior,
    mu_prior: MuPrior,
    covariates: FloatArray | None = None,
    coefficient_sd: float | None = None,
    nodes: int = NODES,
    tau_fixed: float | None = None,
) -> Fit:
    """The posterior of the random-effects model (meta-regression with ``covariates``).

    ``covariates`` (k, q) are added after an intercept; the intercept has ``mu_prior``
    and each coefficient ``N(0, coefficient_sd^2)`` (flat when ``None``). ``tau_fixed``
    replaces the prior of tau by a point mass (``0`` is the fixed-effect model).
    """
    y = np.asarray(effects, dtype=np.float64)
    s = np.asarray(ses, dtype=np.float64)
    _check(y, s)
    k = y.size
    x = np.ones((k, 1))
    if covariates is not None:
        x = np.column_stack([x, np.asarray(covariates, dtype=np.float64).reshape(k, -1)])
    p = x.shape[1]
    prec0 = np.zeros(p)
    b0 = np.zeros(p)
    if mu_prior.sd is not None:
        prec0[0], b0[0] = 1.0 / mu_prior.sd**2, mu_prior.mean
    if coefficient_sd is not None:
        prec0[1:] = 1.0 / coefficient_sd**2
    if tau_fixed is not None:
        tau = np.array([float(tau_fixed)])
        log_w = np.zeros(1)
        edges = np.array([float(tau_fixed), float(tau_fixed)])
    else:
        tau, log_w, edges = _grid(tau_prior, nodes)
    v = s[np.newaxis, :] ** 2 + tau[:, np.newaxis] ** 2  # (N, k)
    w = 1.0 / v
    if p == 1:
        precision = w.sum(axis=1) + prec0[0]  # (N,)
        mean = ((w @ y) + prec0[0] * b0[0]) / precision
        resid = y[np.newaxis, :] - mean[:, np.newaxis]
        quad = (w * resid**2).sum(axis=1) + prec0[0] * (mean - b0[0]) ** 2
        logdet = np.log(precision)
        means = mean[:, np.newaxis]
        covs = (1.0 / precision)[:, np.newaxis, np.newaxis]
    else:
        xtwx = np.einsum("ni,ij,ik->njk", w, x, x) + np.diag(prec0)[np.newaxis]
        xtwy = (w * y[np.newaxis, :]) @ x + (prec0 * b0)[np.newaxis, :]
        means = np.linalg.solve(xtwx, xtwy[..., np.newaxis])[..., 0]
        resid = y[np.newaxis, :] - means @ x.T
        dev = means - b0[np.newaxis, :]
        quad = (w * resid**2).sum(axis=1) + (dev**2 * prec0[np.newaxis, :]).sum(axis=1)
        logdet = np.linalg.slogdet(xtwx)[1]
        covs = np.linalg.inv(xtwx)
    log_post = -0.5 * (np.log(v).sum(axis=1) + logdet + quad) + log_w
    if tau_fixed is None:
        log_post = log_post + _log_tau_prior(tau, tau_prior)
    log_post -= log_post.max()
    mass = np.exp(log_post)
    mass /= mass.sum()
    return Fit(tau=tau, mass=mass, edges=edges, mean=means, cov=covs, y=y, se=s, x=x)


def mixture_cdf(x: float, mass: FloatArray, mean: FloatArray, sd: FloatArray) -> float:
    """``sum mass_j Phi((x - mean_j) / sd_j)``."""
    return float(mass @ special.ndtr((x - mean) / sd))


def mixture_summary(mass: FloatArray, mean: FloatArray, sd: FloatArray, level: float) -> Interval:
    """Mean, median and central ``level`` interval of a mixture of normals."""
    return mixture_summaries(mass, mean[np.newaxis, :], sd[np.newaxis, :], level)[0]


def mixture_summaries(
    mass: FloatArray, mean: FloatArray, sd: FloatArray, level: float
) -> list[Interval]:
    """:func:`mixture_summary` of B mixtures at once: ``mean`` and ``sd`` (B, N), ``mass``
    (N,) shared or (B, N)."""
    mass = np.broadcast_to(mass, mean.shape)
    # nodes with no posterior mass to speak of (far in a prior's tail) are left out: they
    # change no figure by more than NEGLIGIBLE_MASS x N
    kept = mass.max(axis=0) > NEGLIGIBLE_MASS
    if not kept.all():
        mass, mean, sd = mass[:, kept], mean[:, kept], sd[:, kept]
    mix_mean = (mass * mean).sum(axis=1)
    mix_var = (mass * (sd**2 + mean**2)).sum(axis=1) - mix_mean**2
    mix_sd = np.sqrt(np.maximum(mix_var, 0.0))
    tail = (1.0 - level) / 2.0
    probs = np.array([0.5, tail, 1.0 - tail])
    q = _mixture_quantiles(probs, mass, mean, sd, mix_mean, mix_sd)
    return [
        Interval(
            mean=float(mix_mean[b]), median=float(q[b, 0]), low=float(q[b, 1]), high=float(q[b, 2])
        )
        for b in range(mean.shape[0])
    ]


def _mixture_quantiles(
    probs: FloatArray,
    mass: FloatArray,
    mean: FloatArray,
    sd: FloatArray,
    mix_mean: FloatArray,
    mix_sd: FloatArray,
) -> FloatArray:
    """Quantiles (B, P) by safeguarded Newton steps on each mixture's distribution function:
    each step keeps a bracket [lo, hi] and falls back to bisection when Newton leaves it."""
    shape = (mean.shape[0], probs.size)
    lo = np.broadcast_to(np.min(mean - 12.0 * sd, axis=1)[:, np.newaxis], shape).copy()
    hi = np.broadcast_to(np.max(mean + 12.0 * sd, axis=1)[:, np.newaxis], shape).copy()
    x = mix_mean[:, np.newaxis] + mix_sd[:, np.newaxis] * special.ndtri(probs)[np.newaxis, :]
    x = np.clip(x, lo, hi)
    tol = 1e-12 * (np.abs(mix_mean) + np.max(sd, axis=1))[:, np.newaxis]
    m, s, w = mean[:, np.newaxis, :], sd[:, np.newaxis, :], mass[:, np.newaxis, :]
    root_two_pi = math.sqrt(2 * math.pi)
    for _ in range(QUANTILE_STEPS):
        z = (x[:, :, np.newaxis] - m) / s  # (B, P, N)
        cdf = (special.ndtr(z) * w).sum(axis=2)
        pdf = (np.exp(-0.5 * z**2) / (s * root_two_pi) * w).sum(axis=2)
        err = cdf - probs[np.newaxis, :]
        lo = np.where(err < 0, x, lo)
        hi = np.where(err >= 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = np.where(pdf > 0, err / np.where(pdf > 0, pdf, 1.0), np.inf)
        new = x - step
        bad = ~((new >= lo) & (new <= hi))
        new = np.where(bad, 0.5 * (lo + hi), new)
        done = bool(np.all(np.abs(new - x) <= tol))
        x = new
        if done:
            break
    result: FloatArray = x
    return result


def tau_summary(f: Fit, level: float) -> Interval:
    """Posterior mean, median and interval of tau, from the grid's cumulative mass
    (linear within a cell)."""
    mean = float(f.mass @ f.tau)
    if f.tau.size == 1:
        t = float(f.tau[0])
        return Interval(mean=t, median=t, low=t, high=t)
    cum = np.concatenate([[0.0], np.cumsum(f.mass)])
    tail = (1.0 - level) / 2.0
    edges = f.edges.copy()
    if not math.isfinite(edges[-1]):
        edges[-1] = edges[-2] + 2.0 * (edges[-2] - edges[-3])

    def quantile(prob: float) -> float:
        return float(np.interp(prob, cum, edges))

    return Interval(mean=mean, median=quantile(0.5), low=quantile(tail), high=quantile(1 - tail))


def coefficient(f: Fit, j: int, level: float) -> Interval:
    """The posterior of ``beta_j`` (0: the intercept, or mu)."""
    return mixture_summary(f.mass, f.mean[:, j], np.sqrt(f.cov[:, j, j]), level)


def coefficient_below(f: Fit, j: int, x: float = 0.0) -> float:
    """P(beta_j < x)."""
    return mixture_cdf(x, f.mass, f.mean[:, j], np.sqrt(f.cov[:, j, j]))


def predictive_parts(f: Fit) -> tuple[FloatArray, FloatArray]:
    """Mean and sd of the effect in a new setting at each node (intercept-only model)."""
    return f.mean[:, 0], np.sqrt(f.cov[:, 0, 0] + f.tau**2)


def predictive(f: Fit, level: float) -> Interval:
    mean, sd = predictive_parts(f)
    return mixture_summary(f.mass, mean, sd, level)


def predictive_below(f: Fit, x: float = 0.0) -> float:
    mean, sd = predictive_parts(f)
    return mixture_cdf(x, f.mass, mean, sd)


def shrunken(f: Fit, level: float) -> list[Interval]:
    """Each study's true effect given all the studies (intercept-only model)."""
    s2 = f.se[np.newaxis, :] ** 2
    t2 = f.tau[:, np.newaxis] ** 2
    b = s2 / (s2 + t2)  # (N, k)
    m = f.mean[:, 0][:, np.newaxis]
    v = f.cov[:, 0, 0][:, np.newaxis]
    means = (1 - b) * f.y[np.newaxis, :] + b * m
    sds = np.sqrt(s2 * (1 - b) + b**2 * v)
    return mixture_summaries(f.mass, means.T, sds.T, level)


@dataclass(frozen=True)
class Omitted:
    """The intercept-only model refitted without one study."""

    mu: Interval
    tau: Interval
    predictive: Interval
    #: P(mu < 0) and P(theta_new < 0)
    mu_below_zero: float
    new_below_zero: float


def leave_one_out(
    effects: Sequence[float] | FloatArray,
    ses: Sequence[float] | FloatArray,
    tau_prior: TauPrior,
    mu_prior: MuPrior,
    level: float,
    nodes: int = NODES,
) -> list[Omitted]:
    """:func:`fit` without each study in turn (intercept-only), all at once: the sums over
    studies at every node are formed once and each study's terms taken out, so k refits
    cost about one fit of k studies. Same grid and formulas as :func:`fit`."""
    y0 = np.asarray(effects, dtype=np.float64)
    s = np.asarray(ses, dtype=np.float64)
    _check(y0, s)
    if y0.size < 2:
        return []
    centre = float(np.median(y0))  # sums of centred values lose fewer digits
    y = y0 - centre
    prec0 = 0.0 if mu_prior.sd is None else 1.0 / mu_prior.sd**2
    b0 = 0.0 if mu_prior.sd is None else mu_prior.mean - centre
    tau, log_w, edges = _grid(tau_prior, nodes)
    v = s[np.newaxis, :] ** 2 + tau[:, np.newaxis] ** 2  # (N, k)
    w = 1.0 / v
    s0 = w.sum(axis=1)[np.newaxis, :] - w.T  # (k, N): without study i
    s1 = (w @ y)[np.newaxis, :] - (w * y).T
    s2 = (w @ y**2)[np.newaxis, :] - (w * y**2).T
    logs = np.log(v).sum(axis=1)[np.newaxis, :] - np.log(v).T
    precision = s0 + prec0
    mean = (s1 + prec0 * b0) / precision
    quad = s2 - 2.0 * mean * s1 + mean**2 * s0 + prec0 * (mean - b0) ** 2
    log_post = -0.5 * (logs + np.log(precision) + quad) + (log_w + _log_tau_prior(tau, tau_prior))
    log_post -= log_post.max(axis=1, keepdims=True)
    mass = np.exp(log_post)
    mass /= mass.sum(axis=1, keepdims=True)
    mu_sd = np.sqrt(1.0 / precision)
    pred_sd = np.sqrt(1.0 / precision + tau[np.newaxis, :] ** 2)
    mus = mixture_summaries(mass, mean + centre, mu_sd, level)
    preds = mixture_summaries(mass, mean + centre, pred_sd, level)
    mu_below = (mass * special.ndtr((-centre - mean) / mu_sd)).sum(axis=1)
    new_below = (mass * special.ndtr((-centre - mean) / pred_sd)).sum(axis=1)
    out = []
    for i in range(y.size):
        grid_fit = Fit(
            tau=tau,
            mass=mass[i],
            edges=edges,
            mean=mean[i][:, np.newaxis],
            cov=np.zeros((1, 1, 1)),
            y=y0,
            se=s,
            x=np.ones((1, 1)),
        )
        out.append(
            Omitted(
                mu=mus[i],
                tau=tau_summary(grid_fit, level),
                predictive=preds[i],
                mu_below_zero=float(mu_below[i]),
                new_below_zero=float(new_below[i]),
            )
        )
    return out

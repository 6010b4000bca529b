"""Inverse-variance meta-analysis of bed-days saved per patient-year: the estimators.

:func:`meta_analyse` pools study effects (each with a sampling variance, put on one
scale by :mod:`peervalue.uncertainty.study_effects`); :func:`meta_table` extracts the
effects and runs every method.

Four pooling methods are offered:

``fixed``
    inverse-variance weights ``1 / v_i``: every study estimates one common effect.
``dersimonian-laird``
    random effects, with the between-study variance ``tau^2`` estimated by the
    method of moments from Cochran's Q (DerSimonian & Laird 1986), truncated at 0.
``paule-mandel``
    random effects, with ``tau^2`` the value at which the generalised Q statistic
    (weights ``1 / (v_i + tau^2)``) equals its expectation ``k - 1`` (Paule & Mandel
    1982), and 0 when Q is already below ``k - 1`` at ``tau^2 = 0``.
``reml``
    random effects, with ``tau^2`` at the global maximum of the restricted
    (residual) likelihood over ``tau^2 >= 0`` (Viechtbauer 2005): a grid scan
    finds its peaks and Brent's root-finder solves the REML score equation
    beside each, to a relative tolerance of 1e-10 (see :func:`_tau2_reml`).

Whatever the method, Q and its p-value come from the fixed-effect weights. The
conventions that differ between tools are options, each stated on the result:

* ``interval``: ``normal`` (default) uses the normal quantile and
  ``se = sqrt(1 / sum w)``; ``hksj`` is the Hartung-Knapp-Sidik-Jonkman interval,
  ``t_{k-1}`` and ``se^2 = sum w (y - mu)^2 / ((k - 1) sum w)``. With ``hksj`` the
  prediction interval is ``estimate +/- t_{k-1} sqrt(tau^2 + se^2)`` with that same
  ``se``, as metafor's ``predict()`` gives on a ``test="knha"`` fit (the
  ``prediction`` option applies to the ``normal`` interval only).
* ``prediction``: ``t`` (default) gives ``estimate +/- t_{k-2} sqrt(tau^2 + se^2)``
  (Higgins, Thompson & Spiegelhalter 2009); ``normal`` uses the normal quantile, as
  metafor does by default.
* ``i2_from``: ``q`` (default) gives ``I^2 = (Q - (k - 1)) / Q`` for every method
  (Higgins & Thompson 2002); ``tau2`` gives ``tau^2 / (tau^2 + s^2)`` with the typical
  within-study variance ``s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2)``, as metafor
  derives it from each method's ``tau^2``; for the fixed-effect method, which has no
  ``tau^2``, metafor (and so ``tau2`` here) reports the Q-based value. With few studies
  these differ a lot.

Everything here is pure: no files are read and nothing is printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, get_args

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from peervalue.evidence.schema import Study
from peervalue.uncertainty.results import (
    MetaI2,
    MetaInterval,
    MetaMethod,
    MetaPrediction,
    MetaResult,
    MetaTable,
)

# the study-to-effect extraction, re-exported where it was first defined
from peervalue.uncertainty.study_effects import READMISSION_MEASURES as READMISSION_MEASURES
from peervalue.uncertainty.study_effects import readmission_effects as readmission_effects
from peervalue.uncertainty.study_effects import study_effects as study_effects

Method = MetaMethod
Interval = MetaInterval
Prediction = MetaPrediction
I2From = MetaI2
#: every pooling method, in the order :func:`meta_table` reports them
METHODS: Final[tuple[Method, ...]] = get_args(Method)

#: REML locates tau^2 to within this fraction of (tau^2 + the mean
#: within-study variance), a scale-free tolerance
REML_TOLERANCE: Final = 1e-10
#: log-spaced tau^2 values scanned for the peaks of the restricted likelihood
REML_GRID_POINTS: Final = 100
#: how many of the highest peaks found on the grid are refined
REML_MAX_PEAKS: Final = 3

#: the unit of every effect here
EFFECT_UNIT: Final = "bed-days saved per patient-year of peer support"

FloatArray = npt.NDArray[np.float64]


def _as_vector(values: Sequence[float] | FloatArray, name: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a list of numbers ({exc})") from None
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a flat list of numbers, got an array of shape {array.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(
            f"{name} must be finite numbers; position {int(bad[0])} holds {array[bad[0]]}"
        )
    return array


def _check_inputs(
    effects: Sequence[float] | FloatArray, variances: Sequence[float] | FloatArray, level: float
) -> tuple[FloatArray, FloatArray]:
    y = _as_vector(effects, "effects")
    v = _as_vector(variances, "variances")
    if y.size == 0:
        raise ValueError("no studies to pool: effects and variances are empty")
    if y.size != v.size:
        raise ValueError(
            f"effects and variances differ in length ({y.size} effects, {v.size} variances); "
            "give one variance per effect"
        )
    nonpositive = np.flatnonzero(v <= 0)
    if nonpositive.size:
        i = int(nonpositive[0])
        raise ValueError(
            f"every variance must be greater than zero; position {i} holds {v[i]:g} "
            "(a study with no spread cannot be weighted by inverse variance)"
        )
    if not (isinstance(level, float | int) and 0 < level < 1):
        raise ValueError(f"level must lie strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    return y, v


def _weighted_mean(y: FloatArray, w: FloatArray) -> float:
    # Centring on the first effect keeps the sum accurate when effects are
    # large and close together.
    return float(y[0] + np.dot(w, y - y[0]) / w.sum())


def _cochran_q(y: FloatArray, v: FloatArray) -> float:
    w = 1.0 / v
    mu = _weighted_mean(y, w)
    return float(np.dot(w, (y - mu) ** 2))


def _tau2_dersimonian_laird(q: float, v: FloatArray) -> float:
    k = v.size
    if k < 2:
        return 0.0
    # C = sum(w) - sum(w^2) / sum(w), summed without cancellation
    c = _trace_p(1.0 / v)
    if not c > 0:
        return 0.0
    return max(0.0, (q - (k - 1)) / c)


def _trace_p(w: FloatArray) -> float:
    """tr(P) for P = W - w w' / sum(w), i.e. sum(w) - sum(w^2) / sum(w), without cancellation.

    That difference loses every digit when one weight dominates, so each term
    is formed as ``w_i * (sum of the other weights) / sum(w)`` instead.
    """
    others = np.where(np.eye(w.size, dtype=bool), 0.0, w[np.newaxis, :]).sum(axis=1)
    return float(np.dot(w, others)) / float(w.sum())


def _reml_score(tau2: float, y: FloatArray, v: FloatArray) -> float:
    """Twice the derivative of the restricted log-likelihood in tau^2.

    ``sum w_i^2 (y_i - mu)^2 - tr(P)``, with ``w_i = 1 / (v_i + tau^2)`` and
    ``mu`` the ``w``-weighted mean.
    """
    w = 1.0 / (v + tau2)
    mu = _weighted_mean(y, w)
    return float(np.dot(w * w, (y - mu) ** 2)) - _trace_p(w)


def _restricted_loglik(tau2: FloatArray, y: FloatArray, v: FloatArray) -> FloatArray:
    """The restricted log-likelihood, up to a constant, at each tau^2 of a 1-D array.

    ``-(sum log(v_i + tau^2) + log sum w_i + sum w_i (y_i - mu)^2) / 2`` with
    ``w_i = 1 / (v_i + tau^2)`` and ``mu`` the ``w``-weighted mean.
    """
    total = v[np.newaxis, :] + tau2[:, np.newaxis]
    w = 1.0 / total
    sw = w.sum(axis=1)
    mu = y[0] + (w @ (y - y[0])) / sw
    resid_sq = (y[np.newaxis, :] - mu[:, np.newaxis]) ** 2
    result: FloatArray = -0.5 * (
        np.log(total).sum(axis=1) + np.log(sw) + (w * resid_sq).sum(axis=1)
    )
    return result


def _loglik_at(tau2: float, y: FloatArray, v: FloatArray) -> float:
    return float(_restricted_loglik(np.array([tau2]), y, v)[0])


def _refine_peak(y: FloatArray, v: FloatArray, low: float, high: float) -> float:
    """The local maximum of the restricted likelihood within [low, high]."""
    tolerance = REML_TOLERANCE * float(v.mean())
    score_low = _reml_score(low, y, v)
    score_high = _reml_score(high, y, v)
    if score_low > 0 > score_high:
        # The score falls through zero inside: find that root to full precision.
        root: float = optimize.brentq(
            _reml_score, low, high, args=(y, v), xtol=tolerance, rtol=REML_TOLERANCE
        )
        return root
    if low == 0 and score_low <= 0:
        return 0.0  # the likelihood falls from zero: the peak is on the boundary
    found = optimize.minimize_scalar(
        lambda t: -_loglik_at(t, y, v),
        bounds=(low, high),
        method="bounded",
        options={"xatol": tolerance},
    )
    return float(found.x)


def _tau2_reml(y: FloatArray, v: FloatArray) -> float:
    """tau^2 at the global maximum of the restricted likelihood over tau^2 >= 0.

    The restricted likelihood can have two local maxima (one at zero, one
    inside), and Fisher scoring can overshoot and cycle, so neither a single
    climb from the DerSimonian-Laird value nor plain Fisher scoring is safe.
    Instead: every interior stationary point satisfies
    ``tau^2 = sum w_i^2 ((y_i - mu)^2 - v_i) / sum w_i^2 + 1 / sum w_i``,
    which bounds it by ``(k range(y)^2 + max v) / (k - 1)``. The likelihood is
    evaluated at zero and on a log-spaced grid up to that bound; around each
    of the highest grid peaks, Brent's method finds the zero of the REML score
    (to ``REML_TOLERANCE`` relative); the highest of the refined peaks wins.
    """
    k = y.size
    if k < 2:
        return 0.0
    span = float(y.max() - y.min())
    upper = (k * span**2 + float(v.max())) / (k - 1)
    lowest = min(float(v.min()) * 1e-6, upper)
    grid = np.concatenate([[0.0], np.geomspace(lowest, upper, REML_GRID_POINTS)])
    values = _restricted_loglik(grid, y, v)
    padded = np.concatenate([[-np.inf], values, [-np.inf]])
    peaks = np.flatnonzero((values >= padded[:-2]) & (values >= padded[2:]))
    best_peaks = peaks[np.argsort(values[peaks])[::-1][:REML_MAX_PEAKS]]
    last = grid.size - 1
    found = [
        _refine_peak(y, v, float(grid[max(i - 1, 0)]), float(grid[min(i + 1, last)]))
        for i in best_peaks
    ]
    return max(found, key=lambda t: _loglik_at(t, y, v))


def _generalised_q(tau2: float, y: FloatArray, v: FloatArray) -> float:
    w = 1.0 / (v + tau2)
    mu = _weighted_mean(y, w)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_paule_mandel(y: FloatArray, v: FloatArray) -> float:
    """``tau^2`` with the generalised Q equal to ``k - 1``; 0 when Q(0) is already below.

    Q falls as ``tau^2`` grows, so the root is bracketed by doubling an upper bound
    and found by Brent's method to the REML tolerance.
    """
    target = float(y.size - 1)
    if target <= 0 or _generalised_q(0.0, y, v) <= target:
        return 0.0
    high = max(float(np.var(y)), float(v.mean()))
    while _generalised_q(high, y, v) > target:
        high *= 2.0
    tolerance = REML_TOLERANCE * float(v.mean())
    root = optimize.brentq(
        lambda t: _generalised_q(t, y, v) - target, 0.0, high, xtol=tolerance, rtol=1e-14
    )
    return float(root)


def meta_analyse(
    effects: Sequence[float] | FloatArray,
    variances: Sequence[float] | FloatArray,
    method: Method = "fixed",
    level: float = 0.95,
    interval: Interval = "normal",
    prediction: Prediction = "t",
    i2_from: I2From = "q",
) -> MetaResult:
    """Pool study effects by inverse-variance weighting.

    Parameters
    ----------
    effects, variances
        one effect and its sampling variance (the squared standard error) per
        study, in matching order.
    method
        ``"fixed"``, ``"dersimonian-laird"``, ``"reml"`` or ``"paule-mandel"`` (see the
        module notes).
    interval, prediction, i2_from
        the conventions that differ between tools (see the module notes).
    level
        coverage of the confidence and prediction intervals, e.g. 0.95.

    Raises
    ------
    ValueError
        the inputs are empty, differ in length, hold NaN or infinity, or a
        variance is zero or negative; the level lies outside (0, 1); or the
        method is unknown. The message says which.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of: {', '.join(METHODS)}")
    y, v = _check_inputs(effects, variances, level)
    k = int(y.size)
    q_df = k - 1
    q = _cochran_q(y, v) if k > 1 else 0.0
    # scipy.special's chi-square survival function and normal and t quantiles
    # (the same as scipy.stats' chi2.sf, norm.ppf, t.ppf, at a fraction of the cost)
    q_p_value = float(special.chdtrc(q_df, q)) if q_df > 0 else math.nan
    i2 = max(0.0, (q - q_df) / q) if q > 0 else 0.0

    if method == "fixed":
        tau2 = 0.0
    elif method == "dersimonian-laird":
        tau2 = _tau2_dersimonian_laird(q, v)
    elif method == "paule-mandel":
        tau2 = _tau2_paule_mandel(y, v)
    else:
        tau2 = _tau2_reml(y, v)

    w = 1.0 / (v + tau2)
    estimate = _weighted_mean(y, w)
    tail = 0.5 + level / 2
    if interval == "hksj":
        # Hartung-Knapp-Sidik-Jonkman: the weighted residual variance rescales se; t_{k-1}
        if k >= 2:
            scale = float(np.sum(w * (y - estimate) ** 2)) / (k - 1)
            se = math.sqrt(scale / float(w.sum()))
            crit = float(special.stdtrit(k - 1, tail))
        else:
            se, crit = math.nan, math.nan
    else:
        se = math.sqrt(1.0 / float(w.sum()))
        crit = float(special.ndtri(tail))
    pi_low = pi_high = math.nan
    if method != "fixed" and interval == "hksj":
        # as metafor's predict() on a test="knha" fit: the HKSJ standard error and the
        # same t_{k-1} as the confidence interval, so the prediction interval is never
        # narrower than the confidence interval (the prediction option is not used)
        if k >= 2:
            half_width = crit * math.sqrt(tau2 + se**2)
            pi_low, pi_high = estimate - half_width, estimate + half_width
    elif method != "fixed":
        plain_se = math.sqrt(1.0 / float(w.sum()))
        if prediction == "t" and k >= 3:
            half_width = float(special.stdtrit(k - 2, tail)) * math.sqrt(tau2 + plain_se**2)
            pi_low, pi_high = estimate - half_width, estimate + half_width
        elif prediction == "normal" and k >= 2:
            half_width = float(special.ndtri(tail)) * math.sqrt(tau2 + plain_se**2)
            pi_low, pi_high = estimate - half_width, estimate + half_width
    if i2_from == "tau2" and method != "fixed":
        # (the fixed-effect model has no tau^2 of its own: metafor reports the Q-based
        # I^2 for it, as here, not 0)
        w0 = 1.0 / v
        denominator = float(w0.sum()) ** 2 - float(np.sum(w0**2))
        typical = (k - 1) * float(w0.sum()) / denominator if denominator > 0 else math.nan
        i2 = tau2 / (tau2 + typical) if k > 1 and typical > 0 else 0.0
    return MetaResult(
        method=method,
        k=k,
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        pi_low=pi_low,
        pi_high=pi_high,
        tau2=tau2,
        q=q,
        q_df=q_df,
        q_p_value=q_p_value,
        i2=i2,
        weights=tuple(float(x) for x in w / w.sum()),
        level=float(level),
        interval=interval,
        prediction=prediction,
        i2_from=i2_from,
    )


def meta_table(
    studies: Sequence[Study],
    level: float = 0.95,
    methods: Sequence[Method] = METHODS,
    interval: Interval = "normal",
    prediction: Prediction = "t",
    i2_from: I2From = "q",
    measure: str | None = None,
) -> MetaTable:
    """Pool the qualifying studies by each of ``methods`` (default: all of :data:`METHODS`),
    with the interval, prediction and I^2 conventions given; on bed-days saved per
    patient-year, or with ``measure`` on a readmission scale (:data:`READMISSION_MEASURES`).

    Never raises for want of studies: with none to pool, the table holds no
    results and a ``message`` saying why.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    if measure is None:
        effects, excluded = study_effects(studies)
        unit = EFFECT_UNIT
        none_message = (
            "no study reports bed-days with a standard deviation or standard error, "
            "so there is nothing to meta-analyse"
        )
    else:
        effects, excluded = readmission_effects(studies, measure)
        unit = READMISSION_MEASURES[measure]
        none_message = f"no study reports readmissions as a {measure.replace('_', ' ')}"
    if not effects:
        return MetaTable(
            unit=unit, level=level, studies=[], excluded=excluded, message=none_message
        )
    y = [s.effect for s in effects]
    v = [s.variance for s in effects]
    results = {
        method: meta_analyse(y, v, method, level, interval, prediction, i2_from)
        for method in methods
    }
    return MetaTable(unit=unit, level=level, studies=effects, excluded=excluded, results=results)

"""Small-study and influence checks, as metafor offers them (Viechtbauer 2010).

Pure functions over effects ``y`` and standard errors ``s``:

* :func:`egger`: Egger's regression test, ``y_i / s_i = a + b / s_i`` by least squares;
  the intercept ``a`` measures funnel asymmetry, tested with ``t`` on ``k - 2`` degrees of
  freedom (metafor's ``regtest(..., model = "lm")``);
* :func:`trim_fill`: Duval & Tweedie's (2000) trim-and-fill with the L0 estimator and the
  fixed-effect mean; the side with missing studies is the one opposite the small studies'
  excess (the sign of Egger's intercept);
* :func:`baujat`: each study's contribution to Cochran's Q against its influence on the
  fixed-effect mean, ``(mu - mu_(-i))^2 / var(mu_(-i))``.

All are weak with fewer than 10 studies (:data:`FEW_STUDIES`); the caller says so.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from peervalue.synthesis.results import Egger

FloatArray = npt.NDArray[np.float64]
#: below this many studies funnel-based checks have little power (Sterne et al. 2011)
FEW_STUDIES: Final = 10
MAX_TRIM_ITERATIONS: Final = 100


def fixed_effect(y: FloatArray, s: FloatArray) -> tuple[float, float]:
    """Inverse-variance mean and its standard error."""
    w = 1.0 / s**2
    return float(w @ y / w.sum()), math.sqrt(1.0 / float(w.sum()))


def egger(y: FloatArray, s: FloatArray) -> Egger | None:
    """Egger's test, or ``None`` with fewer than 3 studies."""
    k = y.size
    if k < 3:
        return None
    z, precision = y / s, 1.0 / s
    design = np.column_stack([np.ones(k), precision])
    coef, *_ = np.linalg.lstsq(design, z, rcond=None)
    resid = z - design @ coef
    df = k - 2
    sigma2 = float(resid @ resid) / df
    cov = sigma2 * np.linalg.inv(design.T @ design)
    se = math.sqrt(float(cov[0, 0]))
    t = float(coef[0]) / se if se > 0 else math.nan
    p = float(2.0 * special.stdtr(df, -abs(t))) if math.isfinite(t) else math.nan
    return Egger(
        intercept=float(coef[0]), intercept_se=se, t=t, df=df, p_value=p, slope=float(coef[1])
    )


def trim_fill(
    y: FloatArray, s: FloatArray, side: Literal["left", "right"]
) -> tuple[int, FloatArray, FloatArray, float, float]:
    """Trim-and-fill (L0): the number of missing studies, the filled effects and their
    standard errors, and the fixed-effect mean and se with them added."""
    k = y.size
    sign = 1.0 if side == "left" else -1.0  # work with the missing studies on the left
    yy = sign * y
    order = np.argsort(yy)  # ascending: the largest are trimmed first
    k0 = 0
    mu = fixed_effect(yy, s)[0]
    for _ in range(MAX_TRIM_ITERATIONS):
        kept = order[: k - k0]
        mu = fixed_effect(yy[kept], s[kept])[0]
        dev = yy - mu
        ranks = _ranks(np.abs(dev))
        t_n = float(ranks[dev > 0].sum())
        l0 = (4.0 * t_n - k * (k + 1)) / (2.0 * k - 1.0)
        new = min(max(0, round(l0)), k - 1)
        if new == k0:
            break
        k0 = new
    trimmed = order[k - k0 :] if k0 else np.array([], dtype=int)
    filled_y = 2.0 * mu - yy[trimmed]
    filled_s = s[trimmed]
    all_y = np.concatenate([yy, filled_y])
    all_s = np.concatenate([s, filled_s])
    est, se = fixed_effect(all_y, all_s)
    return k0, sign * filled_y, filled_s, sign * est, se


def _ranks(x: FloatArray) -> FloatArray:
    """Ranks from 1, ties given their mean rank."""
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(x.size)
    ranks[order] = np.arange(1, x.size + 1)
    for value in np.unique(x):
        tied = x == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def baujat(y: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Each study's contribution to Q, and its influence on the fixed-effect mean."""
    w = 1.0 / s**2
    mu = float(w @ y / w.sum())
    contribution = w * (y - mu) ** 2
    influence = np.full(y.size, math.nan)
    for i in range(y.size):
        rest = np.arange(y.size) != i
        if rest.any():
            w_rest = w[rest]
            mu_rest = float(w_rest @ y[rest] / w_rest.sum())
            influence[i] = (mu - mu_rest) ** 2 * float(w_rest.sum())
    return contribution, influence

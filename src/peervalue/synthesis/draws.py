"""Draws from the exact synthesis (:mod:`peervalue.synthesis.bayes`) for a Monte Carlo.

The posterior is held on a grid over tau, so a joint draw takes three steps (Röver 2020;
Higgins, Thompson & Spiegelhalter 2009 for the new setting):

1. a node ``j`` of the tau grid by its posterior mass, by inverting the cumulative mass at
   a uniform ``u``;
2. the mean effect ``mu = m_j + sqrt(V_j) z_mu``;
3. the effect in a new setting ``theta = mu + tau_j z_new``,

so ``theta | j ~ N(m_j, V_j + tau_j^2)``, the predictive mixture the synthesis summarises.
The uniform and the two normals are given, not drawn here, so that several syntheses (all
studies, randomised only, bias-adjusted) share them: common random numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from peervalue.synthesis.bayes import Fit

FloatArray = npt.NDArray[np.float64]


def nodes(f: Fit, u: FloatArray) -> npt.NDArray[np.intp]:
    """The grid node of each uniform ``u`` in [0, 1): the first whose cumulative posterior
    mass exceeds ``u``."""
    cum = np.cumsum(f.mass)
    j = np.searchsorted(cum, np.asarray(u, dtype=np.float64) * cum[-1], side="right")
    out: npt.NDArray[np.intp] = np.minimum(j, f.mass.size - 1)
    return out


def grid_draws(
    f: Fit, u: FloatArray, z_mu: FloatArray, z_new: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``(mu, theta)``: draws of the mean effect and of the effect in a new setting (the
    intercept of an intercept-only fit), one per ``u``, ``z_mu``, ``z_new``."""
    j = nodes(f, u)
    mu = f.mean[j, 0] + np.sqrt(f.cov[j, 0, 0]) * np.asarray(z_mu, dtype=np.float64)
    theta = mu + f.tau[j] * np.asarray(z_new, dtype=np.float64)
    return mu, theta
